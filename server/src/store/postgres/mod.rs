//! PostgreSQL, for several instances sharing one catalog and one chat (`DATABASE_URL`).
//!
//! Every write is one transaction that makes its change, takes the next number of the change
//! log, records the change as the frame sockets will get, and `pg_notify`s the number (never
//! the frame: payloads are capped at 8,000 bytes and the largest product is bigger). Nothing
//! is acknowledged before COMMIT returns.
//!
//! No instance publishes its own writes directly: each one's [`follower`] reads the log in
//! order and applies it to the views, so every socket on every instance sees the same order.
//! A writer waits until its own instance's follower has applied its change, so a read that
//! follows a write on the same instance sees it.

mod follower;
mod snapshot;
mod writes;

use std::future::Future;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use super::group_commit::GroupCommit;
use super::{examples, migrations, ImportRow, Imported, NotReady, Store, StoreError};
use crate::live::{Loaded, Views};
use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};
use follower::Follower;
use writes::Committed;

/// The NOTIFY channel that carries change numbers.
const CHANNEL: &str = "tiempo_real_changes";
/// How long a request waits for a pooled connection before it is answered with a 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest any one store operation may take; the API promises a 503 within 10 s.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(8);
/// The longest an import of a catalog file may take.
const IMPORT_TIMEOUT: Duration = Duration::from_secs(120);
/// Connections for requests (the follower has its own two).
const POOL_SIZE: u32 = 16;
/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the follower may go without catching up with the log before this instance says
/// it is not ready (it reads the log at least every second when all is well).
const READY_LAG: Duration = Duration::from_secs(5);

pub struct PgStore {
    pool: PgPool,
    /// The chat's group commit, each message answered with its batch's last change number.
    messages: GroupCommit<MessageDraft, (ChatMessage, i64), StoreError>,
    follower: Follower,
    /// This process, in the presence table.
    instance: String,
}

impl PgStore {
    /// Connects, creates or migrates the tables, seeds a brand-new database with the example
    /// products when `seed_examples`, loads the views and starts following the change log.
    /// Every failure is a sentence naming the problem, for the start-up error.
    pub async fn connect(url: &str, seed_examples: bool) -> Result<(PgOpened, Loaded), String> {
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
        let first = tokio::time::timeout(OPERATION_TIMEOUT, options.connect())
            .await
            .map_err(|_| {
                let waited = OPERATION_TIMEOUT.as_secs();
                unreachable(&format!("no answer within {waited} s"))
            })?
            .map_err(|e| unreachable(&e))?;
        first.close().await.map_err(|e| unreachable(&e))?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
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
        if seed_examples {
            writes::seed_if_new(&pool, examples::products())
                .await
                .map_err(|e| format!("cannot add the example products to {place}: {e}"))?;
        }
        let mut connection = pool.acquire().await.map_err(|e| unreachable(&e))?;
        let initial = snapshot::load(&mut connection)
            .await
            .map_err(|e| format!("cannot read the catalog and chat from {place}: {e}"))?;
        drop(connection);
        Ok((
            PgOpened {
                pool,
                options,
                head: initial.seq as i64,
            },
            initial,
        ))
    }
}

/// The store before the views exist: what `main` builds them from, then hands back.
pub struct PgOpened {
    pool: PgPool,
    options: PgConnectOptions,
    /// The last change the loaded state includes.
    head: i64,
}

impl PgOpened {
    /// The store, following the change log into `views` from where the loaded state ends.
    pub fn serve(self, views: Views) -> PgStore {
        let follower = Follower::start(self.options, views, self.head);
        tokio::spawn(writes::prune_old_changes(self.pool.clone()));
        let instance = format!(
            "{}-{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "instance".into()),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        PgStore {
            messages: chat_writer(self.pool.clone()),
            pool: self.pool,
            follower,
            instance,
        }
    }
}

impl PgStore {
    /// Runs one write transaction, bounded in time, then waits until this instance has applied
    /// it (so the caller's next read sees it).
    async fn write<T>(
        &self,
        transaction: impl Future<Output = Result<Committed<T>, StoreError>>,
    ) -> Result<T, StoreError> {
        let committed = bounded(transaction).await?;
        self.follower.wait_until_applied(committed.seq).await;
        Ok(committed.value)
    }
}

/// The chat's group commit: each batch of waiting messages is one transaction, so many
/// messages share one hold of the log's lock, one commit and one NOTIFY.
fn chat_writer(pool: PgPool) -> GroupCommit<MessageDraft, (ChatMessage, i64), StoreError> {
    GroupCommit::start(move |drafts| {
        let pool = pool.clone();
        async move {
            let batch = bounded(writes::post_messages(&pool, drafts)).await?;
            let seq = batch.last_seq();
            Ok(batch
                .messages
                .into_iter()
                .map(|message| (message, seq))
                .collect())
        }
    })
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

async fn bounded<T>(
    operation: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    tokio::time::timeout(OPERATION_TIMEOUT, operation)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(format!(
                "no answer within {} s",
                OPERATION_TIMEOUT.as_secs()
            )))
        })
}

#[async_trait::async_trait]
impl Store for PgStore {
    async fn create_product(&self, new: NewProduct) -> Result<Product, StoreError> {
        self.write(writes::create_product(&self.pool, new)).await
    }

    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
    ) -> Result<Product, StoreError> {
        self.write(writes::update_product(&self.pool, id, changes, expected))
            .await
    }

    async fn remove_product(&self, id: ProductId) -> Result<Product, StoreError> {
        self.write(writes::remove_product(&self.pool, id)).await
    }

    async fn import_products(&self, rows: Vec<ImportRow>) -> Result<Imported, StoreError> {
        // Bounded like every write, but given the time a large file takes.
        let committed =
            tokio::time::timeout(IMPORT_TIMEOUT, writes::import_products(&self.pool, rows))
                .await
                .map_err(|_| StoreError::Unavailable("the import took too long".into()))??;
        self.follower.wait_until_applied(committed.seq).await;
        Ok(committed.value)
    }

    /// Group commit, as on SQLite (see [`chat_writer`]); each message then waits until this
    /// instance has applied its batch.
    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        let (message, seq) = self.messages.submit(draft).await?;
        self.follower.wait_until_applied(seq).await;
        Ok(message)
    }

    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        bounded(snapshot::messages(&self.pool, limit, before)).await
    }

    async fn product_changes(
        &self,
        since: u64,
        upto: u64,
    ) -> Result<Option<Vec<String>>, StoreError> {
        bounded(snapshot::product_changes(&self.pool, since, upto)).await
    }

    async fn presence(&self, here: u64) -> Result<u64, StoreError> {
        bounded(writes::presence(&self.pool, &self.instance, here)).await
    }

    /// The pool answers within [`READY_TIMEOUT`], and the follower caught up with the
    /// log within [`READY_LAG`].
    async fn readiness(&self) -> Result<(), NotReady> {
        match tokio::time::timeout(READY_TIMEOUT, sqlx::query("SELECT 1").execute(&self.pool)).await
        {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(NotReady::Database(e.to_string())),
            Err(_) => {
                let waited = READY_TIMEOUT.as_secs();
                return Err(NotReady::Database(format!("no answer within {waited} s")));
            }
        }
        let behind = self.follower.since_caught_up();
        if behind > READY_LAG {
            return Err(NotReady::Behind(behind));
        }
        Ok(())
    }
}
