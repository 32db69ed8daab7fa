//! The schema's migrations, embedded in the binary (a server never reads them from disk).
//!
//! Listed here by hand instead of with `sqlx::migrate!`: that macro needs sqlx's `macros`
//! feature, whose proc-macro crate builds sqlx's drivers and SQLite's C source once more for
//! the compiler itself, minutes of every cold build. What sqlx records and checks is the same
//! either way: the version and description from the file name, a SHA-384 of the SQL.

use std::borrow::Cow;

use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

/// A migration file: its name (`<version>_<description>.sql`) and its SQL.
type File = (&'static str, &'static str);

/// SQLite's migrations, oldest first.
pub const SQLITE: &[File] = &[
    (
        "0001_schema.sql",
        include_str!("../../migrations/sqlite/0001_schema.sql"),
    ),
    (
        "0002_change_event.sql",
        include_str!("../../migrations/sqlite/0002_change_event.sql"),
    ),
    (
        "0003_product_history.sql",
        include_str!("../../migrations/sqlite/0003_product_history.sql"),
    ),
    (
        "0004_message_seq.sql",
        include_str!("../../migrations/sqlite/0004_message_seq.sql"),
    ),
    (
        "0005_staff_accounts.sql",
        include_str!("../../migrations/sqlite/0005_staff_accounts.sql"),
    ),
    (
        "0006_chat_bans.sql",
        include_str!("../../migrations/sqlite/0006_chat_bans.sql"),
    ),
    (
        "0007_message_staff.sql",
        include_str!("../../migrations/sqlite/0007_message_staff.sql"),
    ),
    (
        "0008_history_time_index.sql",
        include_str!("../../migrations/sqlite/0008_history_time_index.sql"),
    ),
    (
        "0009_change_time_index.sql",
        include_str!("../../migrations/sqlite/0009_change_time_index.sql"),
    ),
];

/// PostgreSQL's migrations, oldest first.
pub const POSTGRES: &[File] = &[
    (
        "0001_change_log.sql",
        include_str!("../../migrations/postgres/0001_change_log.sql"),
    ),
    (
        "0002_presence.sql",
        include_str!("../../migrations/postgres/0002_presence.sql"),
    ),
    (
        "0003_epoch.sql",
        include_str!("../../migrations/postgres/0003_epoch.sql"),
    ),
    (
        "0004_change_event.sql",
        include_str!("../../migrations/postgres/0004_change_event.sql"),
    ),
    (
        "0005_product_history.sql",
        include_str!("../../migrations/postgres/0005_product_history.sql"),
    ),
    (
        "0006_message_seq.sql",
        include_str!("../../migrations/postgres/0006_message_seq.sql"),
    ),
    (
        "0007_staff_accounts.sql",
        include_str!("../../migrations/postgres/0007_staff_accounts.sql"),
    ),
    (
        "0008_chat_bans.sql",
        include_str!("../../migrations/postgres/0008_chat_bans.sql"),
    ),
    (
        "0009_message_staff.sql",
        include_str!("../../migrations/postgres/0009_message_staff.sql"),
    ),
];

/// The migrator for one database's files.
pub async fn migrator(files: &'static [File]) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(files)).await
}

#[derive(Debug)]
struct Embedded(&'static [File]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { self.0.iter().map(|file| migration(*file)).collect() })
    }
}

/// The migration sqlx's own file reader makes of `name`: `0002_presence.sql` is version 2,
/// "presence".
fn migration((name, sql): File) -> Result<Migration, BoxDynError> {
    let stem = name
        .strip_suffix(".sql")
        .ok_or_else(|| format!("migration {name} is not a .sql file"))?;
    let (version, description) = stem
        .split_once('_')
        .ok_or_else(|| format!("migration {name} is not named <version>_<description>.sql"))?;
    Ok(Migration::new(
        version.parse()?,
        Cow::Owned(description.replace('_', " ")),
        MigrationType::Simple,
        Cow::Borrowed(sql),
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_file_becomes_a_migration_in_order() {
        for files in [SQLITE, POSTGRES] {
            let migrator = migrator(files).await.expect("valid names");
            let versions: Vec<i64> = migrator.iter().map(|m| m.version).collect();
            let expected: Vec<i64> = (1..=files.len() as i64).collect();
            assert_eq!(versions, expected);
        }
        let change_log = migration(POSTGRES[0]).unwrap();
        assert_eq!(change_log.description, "change log");
        assert_eq!(change_log.checksum.len(), 48, "a SHA-384 of the SQL");
    }

    /// A file added to `migrations/` must be listed here too, with the same text.
    #[test]
    fn the_lists_hold_every_file_of_the_folders() {
        for (folder, files) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(folder);
            let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|entry| {
                    let path = entry.unwrap().path();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&path).unwrap())
                })
                .collect();
            on_disk.sort();
            let listed: Vec<(String, String)> = files
                .iter()
                .map(|(name, sql)| (name.to_string(), sql.to_string()))
                .collect();
            assert_eq!(listed, on_disk, "{folder}");
        }
    }

    #[test]
    fn a_misnamed_file_is_refused() {
        assert!(migration(("schema.sql", "")).is_err());
        assert!(migration(("0001_schema.txt", "")).is_err());
    }
}
