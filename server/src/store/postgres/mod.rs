//! PostgreSQL, for several instances sharing one catalog and one chat (`DATABASE_URL`).
//!
//! Every write is one transaction that takes the next number of the change log, makes its
//! change, records it as the event sockets will get, and `pg_notify`s the number (see
//! `dialect`). Nothing is acknowledged before COMMIT returns.
//!
//! No instance shows its own writes directly: each one's [`follower`] reads the log in order
//! and hands it to the subscriber, so every socket on every instance sees the same order. A
//! writer waits until its own instance's follower has applied its change, so a read that
//! follows a write on the same instance sees it.

mod dialect;
mod follower;

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, Postgres};
use sqlx::{ConnectOptions, Connection, PgPool};

use super::accounts::{accounts_for, AccountBook};
use super::backend::{Backend, Pools};
use super::bans::bans_for;
use super::change::{Publication, Snapshot, Subscriber};
use super::engine::{self, SqlStore, OPERATION_LIMIT};
use super::{examples, migrations, StoreError};
use follower::Follower;

/// How long a request waits for a pooled connection before it is answered with a 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections for requests (the follower has its own two).
const POOL_SIZE: u32 = 16;

/// Connects, creates or migrates the tables, seeds a brand-new database with the example
/// products when `seed_examples`, and reads what it holds. Every failure is a sentence naming
/// the problem, for the start-up error.
pub async fn connect(url: &str, seed_examples: bool) -> Result<(Opened, Snapshot), String> {
    let (pool, options, place) = prepare(url, POOL_SIZE).await?;
    if seed_examples {
        engine::seed_if_new(&pool, examples::products())
            .await
            .map_err(|e| format!("cannot add the example products to {place}: {e}"))?;
    }
    let snapshot = engine::read_snapshot(&pool)
        .await
        .map_err(|e| format!("cannot read the catalog and chat from {place}: {e}"))?;
    let head = snapshot.seq;
    Ok((
        Opened {
            pool,
            options,
            head,
        },
        snapshot,
    ))
}

/// The staff accounts alone, for the `server staff` commands: connected and migrated, and
/// nothing started.
pub async fn accounts(url: &str) -> Result<AccountBook<Postgres>, String> {
    let (pool, _, _) = prepare(url, 2).await?;
    Ok(AccountBook {
        writer: pool.clone(),
        reader: pool,
    })
}

/// A pool of `size` connections to the database at `url`, its tables created or migrated;
/// with its options and its place (for messages).
async fn prepare(url: &str, size: u32) -> Result<(PgPool, PgConnectOptions, String), String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err("DATABASE_URL must be a postgres:// URL".into());
    }
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| format!("DATABASE_URL is not a usable PostgreSQL URL: {e}"))?;
    let place = describe(&options);
    let unreachable =
        |e: &dyn std::fmt::Display| format!("cannot connect to PostgreSQL at {place}: {e}");
    // One plain connection first: the pool would retry a refused connection until its
    // timeout and then report only that it timed out.
    let first = tokio::time::timeout(OPERATION_LIMIT, options.connect())
        .await
        .map_err(|_| {
            let waited = OPERATION_LIMIT.as_secs();
            unreachable(&format!("no answer within {waited} s"))
        })?
        .map_err(|e| unreachable(&e))?;
    first.close().await.map_err(|e| unreachable(&e))?;
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options.clone())
        .await
        .map_err(|e| unreachable(&e))?;
    migrations::migrator(migrations::POSTGRES)
        .await
        .map_err(|e| format!("cannot read the embedded migrations: {e}"))?
        .run(&pool)
        .await
        .map_err(|e| format!("cannot create or migrate the tables in {place}: {e}"))?;
    Ok((pool, options, place))
}

/// The store before it serves: its pool, and where its follower starts.
pub struct Opened {
    pool: PgPool,
    options: PgConnectOptions,
    /// The last change the snapshot includes.
    head: u64,
}

impl Opened {
    /// The staff accounts, on the store's pool.
    pub fn accounts(&self) -> AccountBook<Postgres> {
        AccountBook {
            writer: self.pool.clone(),
            reader: self.pool.clone(),
        }
    }

    /// The store, its follower handing every change of the log after the snapshot to
    /// `subscriber`.
    pub fn serve(self, subscriber: Arc<dyn Subscriber>) -> SqlStore<PostgresBackend> {
        let follower = Follower::start(self.options, subscriber, self.head);
        let instance = format!(
            "{}-{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "instance".into()),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        SqlStore::start(PostgresBackend {
            // Reads and writes share the pool: the log's row lock, not a connection of its
            // own, orders the writes.
            pools: Pools {
                writer: self.pool.clone(),
                reader: self.pool,
            },
            follower,
            instance,
        })
    }
}

accounts_for!(Postgres);
bans_for!(Postgres);

pub struct PostgresBackend {
    pools: Pools<Postgres>,
    follower: Follower,
    /// This process, in the presence table.
    instance: String,
}

#[async_trait::async_trait]
impl Backend for PostgresBackend {
    type Db = Postgres;

    fn pools(&self) -> &Pools<Postgres> {
        &self.pools
    }

    /// Nothing here: the follower hands every instance's changes over, this one's included,
    /// in the log's one order.
    fn committed(&self, _publication: Publication) {}

    async fn settled(&self, seq: u64) {
        self.follower.wait_until_applied(seq).await;
    }

    fn behind(&self) -> Duration {
        self.follower.since_caught_up()
    }

    /// Records this instance's count of chat sockets (none: it leaves the table) and returns
    /// the total of every instance heard from in the last 15 seconds.
    async fn presence(&self, here: u64) -> Result<u64, StoreError> {
        let here = i64::try_from(here).unwrap_or(i64::MAX);
        if here == 0 {
            sqlx::query("DELETE FROM presence WHERE instance = $1")
                .bind(&self.instance)
                .execute(&self.pools.writer)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO presence (instance, online, seen_at) VALUES ($1, $2, now()) \
                 ON CONFLICT (instance) DO UPDATE SET online = EXCLUDED.online, seen_at = now()",
            )
            .bind(&self.instance)
            .bind(here)
            .execute(&self.pools.writer)
            .await?;
        }
        let others: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(online), 0)::BIGINT FROM presence \
             WHERE instance <> $1 AND seen_at > now() - interval '15 seconds'",
        )
        .bind(&self.instance)
        .fetch_one(&self.pools.writer)
        .await?;
        Ok((others.max(0) + here) as u64)
    }
}

/// `host:port/database` of a connection, never its password.
fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_changes_recorded_are_notified_on_the_channel_followers_listen_to() {
        let notify = format!("pg_notify('{}'", super::dialect::CHANNEL);
        assert!(super::dialect::POSTGRES.record_changes.contains(&notify));
    }
}
