//! The one [`Store`] over either database: every write runs the same way, through
//! [`transact`], on the [`Backend`] a dialect module provides (its pools, and what happens to
//! a committed change there).
//!
//! A write runs as a task of its own, so that committing and handing the change over happen
//! together even when the request that asked for it is dropped midway (a client that goes
//! away): a change is never committed without being handed to the subscriber.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use sqlx::{Connection, Database, Pool};

use super::backend::{Backend, Conn};
use super::change::Snapshot;
use super::group_commit::GroupCommit;
use super::rows::{Counter, Rows};
use super::writes::{self, Committed};
use super::{reads, ImportRow, Imported, NotReady, Store, StoreError};
use crate::telemetry;
use app::domain::history::{Actor, HistoryEntry, RemovedProduct};
use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};

/// The longest one write or read may take before it is answered with "unavailable" (the API
/// promises a 503 within 10 s).
pub const OPERATION_LIMIT: Duration = Duration::from_secs(8);
/// The longest an import of a catalog file may take.
const IMPORT_LIMIT: Duration = Duration::from_secs(120);
/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long an instance may go without catching up with the shared change log before it says
/// it is not ready (it reads the log at least every second when all is well).
const READY_LAG: Duration = Duration::from_secs(5);

pub struct SqlStore<B: Backend> {
    backend: Arc<B>,
    /// The chat's group commit, each message answered with its batch's last change number.
    messages: GroupCommit<MessageDraft, (ChatMessage, u64), StoreError>,
}

impl<B: Backend> SqlStore<B> {
    /// The store over `backend`, with its chat's group commit and the log's hourly pruning.
    pub fn start(backend: B) -> SqlStore<B> {
        let backend = Arc::new(backend);
        tokio::spawn(prune_hourly(backend.clone()));
        let writer = backend.clone();
        let messages = GroupCommit::start(move |drafts| {
            let backend = writer.clone();
            async move {
                let (messages, seq) = transact(&backend, OPERATION_LIMIT, move |tx| {
                    Box::pin(writes::post_messages(tx, drafts))
                })
                .await?;
                Ok(messages.into_iter().map(|message| (message, seq)).collect())
            }
        });
        SqlStore { backend, messages }
    }

    /// Runs `write` (`op` names it in the metrics) in a transaction of its own, then waits
    /// until this instance shows it.
    async fn write<T, F>(
        &self,
        op: &'static str,
        limit: Duration,
        write: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn<B>) -> BoxFuture<'c, Result<Committed<T>, StoreError>>
            + Send
            + 'static,
    {
        timed(op, async {
            let (value, seq) = transact(&self.backend, limit, write).await?;
            self.backend.settled(seq).await;
            Ok(value)
        })
        .await
    }
}

impl<B: Backend> SqlStore<B> {
    /// Ends a write that wiped what it deleted (`Rows::stop_wiping`). A failure only leaves
    /// the deleted messages in the database's files a while longer, so it is logged, not
    /// answered.
    async fn stop_wiping(&self) {
        let wiped = bounded(OPERATION_LIMIT, async {
            let mut writer = self.backend.writer().await?;
            Ok(writer.stop_wiping().await?)
        })
        .await;
        if let Err(e) = wiped {
            tracing::warn!(error = %e, "removed messages may linger in the database's files");
        }
    }
}

/// Begins a transaction on the writing connection, runs `write` in it, commits, and hands what
/// it committed to the backend; the result and its last change number.
async fn transact<B, T, F>(
    backend: &Arc<B>,
    limit: Duration,
    write: F,
) -> Result<(T, u64), StoreError>
where
    B: Backend,
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Conn<B>) -> BoxFuture<'c, Result<Committed<T>, StoreError>>
        + Send
        + 'static,
{
    let backend = backend.clone();
    let task = tokio::spawn(async move {
        let mut connection = bounded(limit, async { Ok(backend.writer().await?) }).await?;
        let mut tx = connection.begin().await?;
        let committed = bounded(limit, write(&mut tx)).await?;
        tx.commit().await?;
        let seq = committed.last_seq;
        backend.committed(committed.publication);
        Ok((committed.value, seq))
    });
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(failed)) => Err(StoreError::Unavailable(format!(
            "the write failed: {failed}"
        ))),
        Err(_) => Err(too_slow(limit)),
    }
}

/// `write`, timed for the metrics.
async fn timed<T>(
    op: &'static str,
    write: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let started = Instant::now();
    let outcome = write.await;
    let unavailable = matches!(outcome, Err(StoreError::Unavailable(_)));
    telemetry::store_write(op, started.elapsed(), unavailable);
    outcome
}

/// `operation`, or "unavailable" once it has taken longer than `limit`.
async fn bounded<T>(
    limit: Duration,
    operation: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    tokio::time::timeout(limit, operation)
        .await
        .unwrap_or_else(|_| Err(too_slow(limit)))
}

fn too_slow(limit: Duration) -> StoreError {
    StoreError::Unavailable(format!("no answer within {} s", limit.as_secs()))
}

/// Adds the example products to a store that has never stored anything; whether it did.
pub async fn seed_if_new<DB>(pool: &Pool<DB>, examples: Vec<NewProduct>) -> Result<bool, StoreError>
where
    DB: Database<Connection: Rows>,
{
    let mut tx = pool.begin().await?;
    let seeded = writes::seed_if_new(&mut *tx, examples).await?;
    tx.commit().await?;
    Ok(seeded)
}

/// The whole state of the store, read in one transaction.
pub async fn read_snapshot<DB>(pool: &Pool<DB>) -> Result<Snapshot, sqlx::Error>
where
    DB: Database<Connection: Rows>,
{
    let mut tx = pool.begin().await?;
    let snapshot = reads::snapshot(&mut *tx).await?;
    tx.commit().await?;
    Ok(snapshot)
}

/// Deletes old changes from the log, hourly, for as long as the store lives. A socket that
/// resumes from further back gets a snapshot; an instance that falls further behind reloads.
/// The record of changes keeps its rows for `history::KEEP_HISTORY_DAYS`.
async fn prune_hourly<B: Backend>(backend: Arc<B>) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let pruned = async {
            let changes = backend.writer().await?.prune_changes().await?;
            Ok::<_, sqlx::Error>((changes, prune_history(&*backend).await?))
        };
        match pruned.await {
            Ok((0, 0)) => {}
            Ok((changes, history)) => {
                tracing::info!(
                    changes,
                    history,
                    "old changes pruned from the log and the record"
                )
            }
            Err(e) => tracing::warn!(error = %e, "could not prune the change log"),
        }
    }
}

/// How many products' records one pruning statement walks through.
const PRUNED_PRODUCTS_PER_STATEMENT: i64 = 1_000;

/// Deletes the record's rows past `KEEP_HISTORY_DAYS`, a stretch of products at a time, the
/// writer taken again for each (writes go on in between).
async fn prune_history<B: Backend>(backend: &B) -> Result<u64, sqlx::Error> {
    let last = backend.writer().await?.head(Counter::Product).await?;
    let mut pruned = 0;
    let mut from = 1;
    while from <= last {
        let to = from + PRUNED_PRODUCTS_PER_STATEMENT;
        pruned += backend.writer().await?.prune_history(from..to).await?;
        from = to;
    }
    Ok(pruned)
}

#[async_trait::async_trait]
impl<B: Backend> Store for SqlStore<B> {
    async fn create_product(&self, new: NewProduct, actor: Actor) -> Result<Product, StoreError> {
        self.write("create_product", OPERATION_LIMIT, move |tx| {
            Box::pin(async move { writes::create_product(tx, new, actor.as_deref()).await })
        })
        .await
    }

    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
        actor: Actor,
    ) -> Result<Product, StoreError> {
        self.write("update_product", OPERATION_LIMIT, move |tx| {
            Box::pin(async move {
                writes::update_product(tx, id, changes, expected, actor.as_deref()).await
            })
        })
        .await
    }

    async fn remove_product(&self, id: ProductId, actor: Actor) -> Result<Product, StoreError> {
        self.write("remove_product", OPERATION_LIMIT, move |tx| {
            Box::pin(async move { writes::remove_product(tx, id, actor.as_deref()).await })
        })
        .await
    }

    async fn import_products(
        &self,
        rows: Vec<ImportRow>,
        actor: Actor,
    ) -> Result<Imported, StoreError> {
        self.write("import_products", IMPORT_LIMIT, move |tx| {
            Box::pin(async move { writes::import_products(tx, rows, actor.as_deref()).await })
        })
        .await
    }

    async fn restore_product(
        &self,
        id: ProductId,
        seq: u64,
        actor: Actor,
    ) -> Result<Product, StoreError> {
        self.write("restore_product", OPERATION_LIMIT, move |tx| {
            Box::pin(async move { writes::restore_product(tx, id, seq, actor.as_deref()).await })
        })
        .await
    }

    async fn history(&self, id: ProductId, limit: usize) -> Result<Vec<HistoryEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        bounded(OPERATION_LIMIT, async {
            let mut reader = self.backend.pools().reader.acquire().await?;
            Ok(reader.history(writes::row_id(id), limit).await?)
        })
        .await
    }

    async fn removed(&self, limit: usize) -> Result<Vec<RemovedProduct>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        bounded(OPERATION_LIMIT, async {
            let mut reader = self.backend.pools().reader.acquire().await?;
            Ok(reader.removed(limit).await?)
        })
        .await
    }

    /// The message's row, its logged event, and (SQLite) the pages that held them in the
    /// database's files: after the commit the write-ahead log is emptied too.
    async fn remove_message(&self, id: u64) -> Result<(), StoreError> {
        let removed = self
            .write("remove_message", OPERATION_LIMIT, move |tx| {
                Box::pin(writes::remove_message(tx, id))
            })
            .await;
        self.stop_wiping().await;
        removed
    }

    async fn purge_author(&self, email: &str) -> Result<u64, StoreError> {
        let email = email.to_string();
        let purged = self
            .write("purge_author", IMPORT_LIMIT, move |tx| {
                Box::pin(async move { writes::purge_author(tx, &email).await })
            })
            .await;
        self.stop_wiping().await;
        purged
    }

    /// Group commit: under load many messages share one transaction; alone, a message is
    /// committed at once. Each then waits until this instance shows its batch.
    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        timed("post_message", async {
            let (message, seq) = self.messages.submit(draft).await?;
            self.backend.settled(seq).await;
            Ok(message)
        })
        .await
    }

    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let before = before.map_or(i64::MAX, |id| i64::try_from(id).unwrap_or(i64::MAX));
        bounded(OPERATION_LIMIT, async {
            let mut reader = self.backend.pools().reader.acquire().await?;
            Ok(reader.newest_messages(limit, before).await?)
        })
        .await
    }

    async fn product_changes(
        &self,
        since: u64,
        upto: u64,
    ) -> Result<Option<Vec<String>>, StoreError> {
        bounded(OPERATION_LIMIT, async {
            let mut tx = self.backend.pools().reader.begin().await?;
            let events = reads::missed_product_events(&mut *tx, since, upto).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await
    }

    async fn presence(&self, here: u64) -> Result<u64, StoreError> {
        bounded(OPERATION_LIMIT, self.backend.presence(here)).await
    }

    /// The database answers within [`READY_TIMEOUT`], and (PostgreSQL) this instance caught
    /// up with the shared log within [`READY_LAG`].
    async fn readiness(&self) -> Result<(), NotReady> {
        let ping = async {
            let mut reader = self.backend.pools().reader.acquire().await?;
            Ok::<_, StoreError>(Connection::ping(&mut *reader).await?)
        };
        if let Err(StoreError::Unavailable(problem)) = bounded(READY_TIMEOUT, ping).await {
            return Err(NotReady::Database(problem));
        }
        let behind = self.backend.behind();
        if behind > READY_LAG {
            return Err(NotReady::Behind(behind));
        }
        Ok(())
    }
}
