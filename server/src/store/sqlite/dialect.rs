//! What SQLite says its own way (see `sql::Dialect`): JSON arrays through `json_each`, time as
//! Unix seconds, and nothing to lock (one writer at a time is SQLite's own rule).

use sqlx::SqliteConnection;

use crate::store::rows::rows_for;
use crate::store::sql::{Dialect, Wipe};

pub static SQLITE: Dialect = Dialect {
    products_with_codes:
        "SELECT data FROM products WHERE code IN (SELECT value FROM json_each($1))",
    update_products: "UPDATE products SET code = json_extract(u.value, '$.code'), data = u.value \
         FROM json_each($1) AS u WHERE products.id = json_extract(u.value, '$.id')",
    insert_products: "INSERT INTO products (id, code, data) SELECT json_extract(value, '$.id'), \
         json_extract(value, '$.code'), value FROM json_each($1)",
    insert_messages: "INSERT INTO messages (id, seq, email, text, sent_at, staff) \
         SELECT json_extract(value, '$.id'), json_extract(value, '$.seq'), \
         json_extract(value, '$.email'), \
         json_extract(value, '$.text'), json_extract(value, '$.sent_at'), \
         json_extract(value, '$.staff') FROM json_each($1)",
    // `$2`, the last number, is for PostgreSQL's NOTIFY; SQLite leaves it unbound.
    record_changes:
        "INSERT INTO changes (seq, channel, event) SELECT json_extract(value, '$.seq'), \
         json_extract(value, '$.channel'), json_extract(value, '$.event') FROM json_each($1)",
    lock_log: None,
    // A read transaction in WAL mode sees one state from its first read on.
    read_snapshot: None,
    // Along the log's own key, with no index on the time for every write to keep up: the
    // changes come in time order, so the old ones are those before the first one that is
    // not (found by reading from the oldest up, as many rows as there are to delete).
    prune_changes: "DELETE FROM changes WHERE seq < coalesce( \
         (SELECT seq FROM changes WHERE created_at >= unixepoch() - $1 ORDER BY seq LIMIT 1), \
         (SELECT value + 1 FROM counters WHERE name = 'log')) \
         AND seq <= (SELECT value FROM counters WHERE name = 'log') - $2",
    record_history: "INSERT INTO product_history (product_id, seq, at, actor, kind, product) \
         SELECT json_extract(value, '$.product_id'), json_extract(value, '$.seq'), \
         json_extract(value, '$.at'), json_extract(value, '$.actor'), \
         json_extract(value, '$.kind'), json_extract(value, '$.product') FROM json_each($1)",
    // Two statements in one call: sqlx runs them in turn on SQLite's thread, binding `$N` by
    // number in each.
    record_product_change: "INSERT INTO changes (seq, channel, event) VALUES ($1, $2, $3); \
         INSERT INTO product_history (product_id, seq, at, actor, kind, product) \
         VALUES ($4, $1, $5, $6, $7, $8)",
    wipe: Some(Wipe {
        on: "PRAGMA secure_delete = ON",
        off: "PRAGMA secure_delete = OFF",
        after_commit: "PRAGMA wal_checkpoint(TRUNCATE)",
    }),
    erase_message_event: "UPDATE changes SET event = $2 \
         WHERE channel = 'chat' AND json_extract(event, '$.message.id') = $1",
    erase_purged_events: "UPDATE changes \
         SET event = '{\"type\":\"message_removed\",\"id\":' || json_extract(event, '$.message.id') || '}' \
         WHERE seq IN (SELECT value FROM json_each($1))",
    // `at` is RFC 3339 text with milliseconds, compared as text.
    prune_history: "DELETE FROM product_history WHERE product_id >= $2 AND product_id < $3 \
         AND at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || $1 || ' days')",
    next_with_log: Some(
        "UPDATE counters SET value = value + 1 WHERE name IN ('log', $1) RETURNING name, value",
    ),
};

rows_for!(SqliteConnection, &SQLITE);

#[cfg(test)]
mod tests {
    use crate::store::history::HistoryRow;
    use crate::store::rows::{Counter, Rows};
    use app::domain::Product;

    async fn database() -> (tempfile::TempDir, sqlx::SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let (_, pool) = super::super::prepare(dir.path()).await.unwrap();
        (dir, pool)
    }

    fn row<'a>(product: &'a Product, seq: i64, at: &str) -> HistoryRow<'a> {
        HistoryRow {
            product_id: product.id as i64,
            seq,
            at: at.to_string(),
            actor: None,
            kind: "updated",
            product,
        }
    }

    #[tokio::test]
    async fn the_log_and_an_id_are_taken_together() {
        let (_dir, pool) = database().await;
        let mut connection = pool.acquire().await.unwrap();
        assert_eq!(connection.next(Counter::Log).await.unwrap(), 1);
        assert_eq!(
            connection.next_with_log(Counter::Product).await.unwrap(),
            (2, 1)
        );
        assert_eq!(
            connection.next_with_log(Counter::Product).await.unwrap(),
            (3, 2)
        );
        assert_eq!(connection.head(Counter::Product).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn the_log_keeps_its_latest_changes_and_its_last_day() {
        use crate::store::sql::{KEEP_CHANGES_SECS, KEEP_LATEST_CHANGES};
        let (_dir, pool) = database().await;
        let mut connection = pool.acquire().await.unwrap();
        let latest = KEEP_LATEST_CHANGES + 10;
        connection
            .take(Counter::Log, latest as usize + 5)
            .await
            .unwrap();
        // Five changes of two days ago, then the latest of the last minute.
        for seq in 1..=latest + 5 {
            let age = if seq <= 5 { 2 * KEEP_CHANGES_SECS } else { 60 };
            sqlx::query(
                "INSERT INTO changes (seq, channel, event, created_at) \
                 VALUES ($1, 'chat', '{}', unixepoch() - $2)",
            )
            .bind(seq)
            .bind(age)
            .execute(&mut *connection)
            .await
            .unwrap();
        }
        assert_eq!(
            connection.prune_changes().await.unwrap(),
            5,
            "the old ones only"
        );
        assert_eq!(connection.oldest_change().await.unwrap(), Some(6));
        // All old: the latest are kept all the same.
        sqlx::query("UPDATE changes SET created_at = created_at - 2 * $1")
            .bind(KEEP_CHANGES_SECS)
            .execute(&mut *connection)
            .await
            .unwrap();
        assert_eq!(connection.prune_changes().await.unwrap(), 10);
        assert_eq!(connection.oldest_change().await.unwrap(), Some(16));
    }

    #[tokio::test]
    async fn the_record_is_pruned_past_its_days_a_stretch_of_products_at_a_time() {
        let (_dir, pool) = database().await;
        let mut connection = pool.acquire().await.unwrap();
        let product = |id| Product {
            id,
            title: "Escuadra".into(),
            description: "Regla".into(),
            code: format!("E{id}"),
            price: 1.0,
            status: true,
            stock: 1,
            category: "útiles".into(),
            thumbnails: vec![],
        };
        let (near, far) = (product(5), product(1_500));
        let old = "2020-01-01T00:00:00.000Z";
        let new = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let rows = [row(&near, 1, old), row(&near, 2, &new), row(&far, 3, old)];
        connection.record_history(&rows).await.unwrap();
        assert_eq!(connection.prune_history(1..1_001).await.unwrap(), 1);
        assert_eq!(
            connection.history(5, 10).await.unwrap().len(),
            1,
            "the recent row stays"
        );
        assert_eq!(
            connection.history(1_500, 10).await.unwrap().len(),
            1,
            "not in the stretch"
        );
        assert_eq!(connection.prune_history(1_001..2_001).await.unwrap(), 1);
        assert!(connection.history(1_500, 10).await.unwrap().is_empty());
    }
}
