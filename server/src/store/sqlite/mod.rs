//! The embedded default: one SQLite database, `DATA_DIR/tiempo-real.db` (WAL, `synchronous=FULL`,
//! so a committed change survives kill -9 and power loss), for one instance alone.
//!
//! Writes run one at a time on the one writing connection, behind an async lock that is held
//! until the change is committed and applied to the views, so the views (and the sockets) see
//! changes in exactly their commit order. Reads the views cannot answer (old chat pages, the
//! changes a resumed socket missed) use a small pool of read-only connections and never wait
//! for a write.
//!
//! The data directory is locked while the server runs: a second server on it stops at start-up.

mod legacy;
mod writes;

use std::fs::{File, TryLockError};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::types::Json;
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::sync::Mutex;

use super::group_commit::GroupCommit;
use super::{
    examples, migrations, sql, ImportRow, Imported, LoadError, NotReady, Store, StoreError,
};
use crate::live::{frame_bytes, ChatView, Loaded, Views, CHAT_WINDOW};
use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};
use app::protocol::ProductEvent;
use legacy::Legacy;
use writes::{Committed, ImportPublished};

/// The database file in `DATA_DIR` (SQLite's `-wal` and `-shm` files sit beside it).
pub const DATABASE_FILE: &str = "tiempo-real.db";
/// Held locked while a server uses the directory.
const LOCK_FILE: &str = "tiempo-real.lock";
/// How long a statement waits for a lock SQLite holds (a checkpoint, a backup) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read-only connections for reads that memory cannot answer.
const READERS: u32 = 4;

/// The store before the views exist: what `main` builds them from, then hands back.
pub struct Opened {
    options: SqliteConnectOptions,
    writer: SqliteConnection,
    readers: SqlitePool,
    lock: File,
}

pub struct SqliteStore {
    /// Shared with the chat's group commit, which takes it for each batch of messages.
    writer: Arc<Mutex<SqliteConnection>>,
    messages: GroupCommit<MessageDraft, ChatMessage, StoreError>,
    readers: SqlitePool,
    views: Views,
    /// Locked for as long as the store lives.
    _lock: File,
}

impl SqliteStore {
    /// Locks `dir`, opens (or creates and migrates) its database, imports an older version's
    /// files on the first start, seeds a brand-new database with the example products when
    /// `seed_examples`, and reads what the views start from.
    pub async fn open(dir: &Path, seed_examples: bool) -> Result<(Opened, Loaded), LoadError> {
        std::fs::create_dir_all(dir).map_err(|e| LoadError::new(dir, e))?;
        let lock = lock_directory(dir)?;
        // Read (and check) the old files before touching the database: a damaged one imports
        // nothing.
        let legacy = Legacy::read(dir)?;
        let path = dir.join(DATABASE_FILE);
        let failed = |e: &dyn std::fmt::Display| LoadError::new(&path, e);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT);
        let mut writer = options.connect().await.map_err(|e| failed(&e))?;
        migrations::migrator(migrations::SQLITE)
            .await
            .map_err(|e| failed(&format!("cannot read the embedded migrations: {e}")))?
            .run(&mut writer)
            .await
            .map_err(|e| failed(&format!("cannot create or migrate the tables: {e}")))?;
        match &legacy {
            Some(legacy) => {
                if writes::import(&mut writer, legacy)
                    .await
                    .map_err(|e| failed(&format!("cannot import the older files: {e}")))?
                {
                    tracing::info!(
                        products = legacy.products.len(),
                        messages = legacy.messages.len(),
                        "imported the data of the earlier version"
                    );
                }
                legacy.set_aside()?;
            }
            None if seed_examples => writes::seed_if_new(&mut writer, examples::products())
                .await
                .map_err(|e| failed(&format!("cannot add the example products: {e}")))?,
            None => {}
        }
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(|e| failed(&e))?;
        let loaded = load(&mut writer).await.map_err(|e| failed(&e))?;
        Ok((
            Opened {
                options,
                writer,
                readers,
                lock,
            },
            loaded,
        ))
    }
}

impl Opened {
    /// The store, applying every change it commits to `views`.
    pub fn serve(self, views: Views) -> SqliteStore {
        tokio::spawn(prune_hourly(self.options));
        let writer = Arc::new(Mutex::new(self.writer));
        SqliteStore {
            messages: chat_writer(writer.clone(), views.chat.clone()),
            writer,
            readers: self.readers,
            views,
            _lock: self.lock,
        }
    }
}

/// Takes the directory's lock file, or says that another server has it.
fn lock_directory(dir: &Path) -> Result<File, LoadError> {
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LoadError::new(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(LoadError::new(
            dir,
            "the data directory is in use by another running server (DATA_DIR)",
        )),
        Err(TryLockError::Error(e)) => Err(LoadError::new(&path, e)),
    }
}

/// Everything the views start from, read in one transaction so the parts agree.
async fn load(connection: &mut SqliteConnection) -> Result<Loaded, sqlx::Error> {
    use sqlx::Connection;
    let mut tx = connection.begin().await?;
    let seq: i64 = sqlx::query_scalar(sql::LOG_HEAD)
        .fetch_one(&mut *tx)
        .await?;
    let epoch: String = sqlx::query_scalar(sql::EPOCH).fetch_one(&mut *tx).await?;
    let products: Vec<Json<Product>> = sqlx::query_scalar(sql::ALL_PRODUCTS)
        .fetch_all(&mut *tx)
        .await?;
    // One more than the window tells whether anything older exists.
    let mut latest_messages = newest(&mut tx, CHAT_WINDOW + 1, i64::MAX).await?;
    let complete = latest_messages.len() <= CHAT_WINDOW;
    if !complete {
        latest_messages.remove(0);
    }
    tx.commit().await?;
    Ok(Loaded {
        products: products.into_iter().map(|Json(p)| p).collect(),
        latest_messages,
        complete,
        seq: seq as u64,
        epoch,
    })
}

async fn newest(
    connection: &mut SqliteConnection,
    limit: usize,
    before: i64,
) -> Result<Vec<ChatMessage>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(sql::NEWEST_MESSAGES)
        .bind(before)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(connection)
        .await?;
    rows.into_iter()
        .map(|(id, email, text, sent_at)| {
            let sent_at = DateTime::parse_from_rfc3339(&sent_at)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?
                .with_timezone(&Utc);
            Ok(ChatMessage {
                id: id as u64,
                email,
                text,
                sent_at,
            })
        })
        .collect()
}

/// `sent_at` as stored: RFC 3339 in UTC with milliseconds, as the API shows it.
fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl SqliteStore {
    /// Applies a committed catalog change to the view (the caller still holds the writer, so
    /// the views see changes in commit order) and returns the product.
    fn publish(&self, committed: Committed<Product, ProductEvent>) -> Product {
        let frame = frame_bytes(&committed.event);
        self.views.catalog.apply(&committed.event, frame);
        committed.value
    }
}

/// The chat's group commit: each batch of waiting messages is one transaction on the writer,
/// applied to the chat view before the writer is let go, so the view sees messages in commit
/// order.
fn chat_writer(
    writer: Arc<Mutex<SqliteConnection>>,
    chat: Arc<ChatView>,
) -> GroupCommit<MessageDraft, ChatMessage, StoreError> {
    GroupCommit::start(move |drafts| {
        let (writer, chat) = (writer.clone(), chat.clone());
        async move {
            let mut writer = writer.lock().await;
            let batch = writes::post_messages(&mut writer, drafts).await?;
            let stored = batch.messages.into_iter().zip(batch.frames);
            Ok(stored
                .map(|(message, frame)| {
                    chat.apply(message.clone(), frame);
                    message
                })
                .collect())
        }
    })
}

/// Deletes old changes from the log, hourly, on a connection of its own (SQLite lets it wait
/// its turn among the writes).
async fn prune_hourly(options: SqliteConnectOptions) {
    let mut hourly = tokio::time::interval(Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let pruned = match options.connect().await {
            Ok(mut connection) => writes::prune_changes(&mut connection).await,
            Err(e) => Err(e),
        };
        match pruned {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "old changes pruned from the log"),
            Err(e) => tracing::warn!(error = %e, "could not prune the change log"),
        }
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn create_product(&self, new: NewProduct) -> Result<Product, StoreError> {
        let mut writer = self.writer.lock().await;
        let committed = writes::create_product(&mut writer, new).await?;
        Ok(self.publish(committed))
    }

    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
    ) -> Result<Product, StoreError> {
        let mut writer = self.writer.lock().await;
        let committed = writes::update_product(&mut writer, id, changes, expected).await?;
        Ok(self.publish(committed))
    }

    async fn remove_product(&self, id: ProductId) -> Result<Product, StoreError> {
        let mut writer = self.writer.lock().await;
        let committed = writes::remove_product(&mut writer, id).await?;
        Ok(self.publish(committed))
    }

    async fn import_products(&self, rows: Vec<ImportRow>) -> Result<Imported, StoreError> {
        let mut writer = self.writer.lock().await;
        let committed = writes::import_products(&mut writer, rows).await?;
        match committed.event {
            ImportPublished::Events(events) => {
                for event in events {
                    self.views.catalog.apply(&event, frame_bytes(&event));
                }
            }
            ImportPublished::Reload { seq, products } => {
                self.views.catalog.absorb(products, seq);
            }
        }
        Ok(committed.value)
    }

    /// Group commit (see [`chat_writer`]): under load many messages share one fsync; alone,
    /// a message is committed at once.
    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        self.messages.submit(draft).await
    }

    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let before = before.map_or(i64::MAX, |id| i64::try_from(id).unwrap_or(i64::MAX));
        let mut reader = self.readers.acquire().await?;
        Ok(newest(&mut reader, limit, before).await?)
    }

    async fn product_changes(
        &self,
        since: u64,
        upto: u64,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let mut reader = self.readers.acquire().await?;
        let head: i64 = sqlx::query_scalar(sql::LOG_HEAD)
            .fetch_one(&mut *reader)
            .await?;
        let oldest: Option<i64> = sqlx::query_scalar(sql::OLDEST_CHANGE)
            .fetch_one(&mut *reader)
            .await?;
        if !sql::log_holds_after(since, oldest, head) {
            return Ok(None);
        }
        let frames: Vec<String> = sqlx::query_scalar(sql::PRODUCT_CHANGES)
            .bind(since as i64)
            .bind(upto as i64)
            .fetch_all(&mut *reader)
            .await?;
        Ok(sql::replayable(frames))
    }

    /// One instance: its count is the total.
    async fn presence(&self, here: u64) -> Result<u64, StoreError> {
        Ok(here)
    }

    /// The database file answers a query (the process applies its own changes, so it is
    /// always caught up).
    async fn readiness(&self) -> Result<(), NotReady> {
        sqlx::query("SELECT 1")
            .execute(&self.readers)
            .await
            .map(drop)
            .map_err(|e| NotReady::Database(e.to_string()))
    }
}
