//! Where products and messages are kept. Everything the server changes goes through one
//! [`Store`], over one schema shape and one numbered change log, in SQLite in `DATA_DIR` (the
//! default, nothing to install) or in PostgreSQL (`DATABASE_URL`, which lets several instances
//! share one catalog and one chat).
//!
//! Inside, one way down: the [`Store`] (`engine`) runs every write of `writes` and every read
//! of `reads` over `rows`, the statements of both databases (`sql`); `sqlite` and `postgres`
//! each give it a backend (their pools, and what becomes of a committed change) and their
//! dialect of SQL.
//!
//! A mutating method returns `Ok` only once the change is committed and handed to the store's
//! [`Subscriber`], which shows it on this instance, in commit order; callers acknowledge a
//! change only after that `Ok`. The store knows nothing of what the subscriber does.

mod accounts;
mod backend;
mod bans;
mod change;
mod engine;
mod examples;
mod group_commit;
mod history;
mod import_plan;
mod message_batch;
mod migrations;
mod postgres;
mod reads;
mod rows;
mod sql;
mod sqlite;
mod writes;

use std::path::PathBuf;
use std::sync::Arc;

use app::domain::history::{Actor, HistoryEntry, RemovedProduct};
use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};

pub use accounts::{AccountError, Accounts, CredentialKind, Holder};
pub use bans::{Bans, Sender};
pub use change::{
    Change, Channel, Nobody, Publication, Snapshot, Subscriber, Unreadable, CATALOG_RELOAD,
};
pub use reads::CHAT_WINDOW;
pub use sqlite::DATABASE_FILE;

/// Where a store keeps its data.
#[derive(Clone, Debug)]
pub enum Location {
    /// SQLite, in this directory (`DATA_DIR`).
    DataDir(PathBuf),
    /// PostgreSQL at this URL (`DATABASE_URL`).
    Database(String),
}

/// Why a store could not be opened, naming what the operator has to fix.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The data directory cannot be used, is in use, or holds a damaged file.
    #[error(transparent)]
    DataDir(#[from] LoadError),
    /// PostgreSQL cannot be reached or prepared.
    #[error("{0}")]
    Database(String),
}

/// A store opened and prepared, not serving yet: [`Opened::serve`] starts it once whoever
/// shows its changes exists (built from the [`Snapshot`] [`open`] returned beside it).
pub enum Opened {
    Sqlite(sqlite::Opened),
    Postgres(Box<postgres::Opened>),
}

impl Opened {
    /// The staff accounts and credentials, on the store's connections.
    pub fn accounts(&self) -> Arc<dyn Accounts> {
        match self {
            Opened::Sqlite(opened) => Arc::new(opened.accounts()),
            Opened::Postgres(opened) => Arc::new(opened.accounts()),
        }
    }

    /// The chat's bans, on the store's connections.
    pub fn bans(&self) -> Arc<dyn Bans> {
        match self {
            Opened::Sqlite(opened) => Arc::new(opened.book()),
            Opened::Postgres(opened) => Arc::new(opened.accounts()),
        }
    }

    /// The store, handing every committed change to `subscriber`.
    pub fn serve(self, subscriber: Arc<dyn Subscriber>) -> Arc<dyn Store> {
        match self {
            Opened::Sqlite(opened) => Arc::new(opened.serve(subscriber)),
            Opened::Postgres(opened) => Arc::new(opened.serve(subscriber)),
        }
    }
}

/// Opens (creating and migrating) the store at `location`, seeds a brand-new one with the
/// example products when `seed_examples`, and reads what it holds.
pub async fn open(
    location: &Location,
    seed_examples: bool,
) -> Result<(Opened, Snapshot), OpenError> {
    match location {
        Location::DataDir(dir) => {
            let (opened, snapshot) = sqlite::open(dir, seed_examples).await?;
            Ok((Opened::Sqlite(opened), snapshot))
        }
        Location::Database(url) => {
            let (opened, snapshot) = postgres::connect(url, seed_examples)
                .await
                .map_err(OpenError::Database)?;
            Ok((Opened::Postgres(Box::new(opened)), snapshot))
        }
    }
}

/// The staff accounts of the store at `location` alone, for the `server staff` commands:
/// nothing is started, and a server may be running on the same store.
pub async fn open_accounts(location: &Location) -> Result<Arc<dyn Accounts>, OpenError> {
    Ok(match location {
        Location::DataDir(dir) => Arc::new(sqlite::accounts(dir).await?),
        Location::Database(url) => {
            Arc::new(postgres::accounts(url).await.map_err(OpenError::Database)?)
        }
    })
}

/// Why a change was refused or failed. The sentences for people are chosen at the edge
/// (`crate::error`), not here.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no product has id {0}")]
    NotFound(ProductId),
    /// The sender is banned from the chat until then.
    #[error("the sender is banned until {0}")]
    Banned(chrono::DateTime<chrono::Utc>),
    /// The email is a staff account's, and the sender is not that member, logged in.
    #[error("the email is reserved for the staff")]
    Reserved,
    /// No chat message has this id (or it was removed already).
    #[error("no message has id {0}")]
    MessageNotFound(u64),
    /// A restore named a change the record of that product does not hold.
    #[error("product {0} has no change {1} on record")]
    UnknownChange(ProductId, u64),
    #[error("code {0:?} is taken")]
    DuplicateCode(String),
    /// An update that expected the product as it was is refused: it has changed since.
    #[error("product {0} changed since the client read it")]
    ChangedMeanwhile(ProductId),
    /// The database cannot be reached, did not answer in time, or its disk refused the
    /// write. The change may not have happened; it was not acknowledged.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

/// Why this instance cannot serve writes right now (see `/readyz`).
#[derive(Debug)]
pub enum NotReady {
    /// The database does not answer (what it said).
    Database(String),
    /// This instance has not caught up with the shared change log for this long.
    Behind(std::time::Duration),
}

/// Why start-up could not use the stored data. Never papered over with an empty store.
#[derive(Debug, thiserror::Error)]
#[error("cannot load {}{}: {reason}", path.display(), line.map(|l| format!(" (line {l})")).unwrap_or_default())]
pub struct LoadError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub reason: String,
}

impl LoadError {
    fn new(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        LoadError {
            path: path.into(),
            line: None,
            reason: reason.to_string(),
        }
    }
}

/// One product of a catalog file: created when its code is unknown, else the product with that
/// code is updated with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub product: NewProduct,
    /// Whether the file has a `status` column (without it, an update keeps the status).
    pub has_status: bool,
    /// Whether the file has a `thumbnails` column (without it, an update keeps them).
    pub has_thumbnails: bool,
}

impl ImportRow {
    /// `existing` with this row's values.
    pub fn update(&self, mut existing: Product) -> Product {
        let mut changes = ProductChanges::from(self.product.clone());
        if !self.has_status {
            changes.status = None;
        }
        if !self.has_thumbnails {
            changes.thumbnails = None;
        }
        changes.apply_to(&mut existing);
        existing
    }
}

/// What an import did (the API's answer, defined with the protocol).
pub use app::protocol::Imported;

/// Imports of more rows than this reach the sockets as one fresh snapshot instead of an event
/// per product (and a resume across them gets a snapshot too).
pub const IMPORT_EVENTS_MAX: usize = 1000;

/// The catalog and the chat log: products in ascending id order, ids never reused, codes
/// unique; messages append-only with ids that increase in commit order.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    // Every catalog change names its `actor` for the record of changes (see `history`).
    async fn create_product(&self, new: NewProduct, actor: Actor) -> Result<Product, StoreError>;
    /// Applies `changes`; with `expected`, only if the product is still exactly that.
    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
        actor: Actor,
    ) -> Result<Product, StoreError>;
    async fn remove_product(&self, id: ProductId, actor: Actor) -> Result<Product, StoreError>;
    /// Creates or updates (by code) every row, in one transaction: all or nothing.
    async fn import_products(
        &self,
        rows: Vec<ImportRow>,
        actor: Actor,
    ) -> Result<Imported, StoreError>;
    /// Makes product `id` again what it was right after its change `seq` (a removed product
    /// comes back with its id).
    async fn restore_product(
        &self,
        id: ProductId,
        seq: u64,
        actor: Actor,
    ) -> Result<Product, StoreError>;
    /// The record of product `id`'s changes, newest first, at most `limit`.
    async fn history(&self, id: ProductId, limit: usize) -> Result<Vec<HistoryEntry>, StoreError>;
    /// The products removed and not back since, newest removal first, at most `limit`.
    async fn removed(&self, limit: usize) -> Result<Vec<RemovedProduct>, StoreError>;
    /// Removes chat message `id` from the store, its change log included.
    async fn remove_message(&self, id: u64) -> Result<(), StoreError>;
    /// Removes every message of `email` the same way; how many went.
    async fn purge_author(&self, email: &str) -> Result<u64, StoreError>;
    /// Gives the draft an id and the current time, stores it and returns it.
    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError>;
    /// The last `limit` messages with an id below `before` (all when `None`), oldest first:
    /// for history pages older than what the chat view keeps in memory.
    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError>;
    /// The events (JSON) of the product changes after `since` up to `upto` (which this
    /// instance has applied), in order; `None` when the log no longer holds all of them.
    async fn product_changes(
        &self,
        since: u64,
        upto: u64,
    ) -> Result<Option<Vec<String>>, StoreError>;
    /// Reports that this instance has `here` chat sockets open and returns how many are open
    /// on every instance sharing the store.
    async fn presence(&self, here: u64) -> Result<u64, StoreError>;
    /// Whether this instance can serve writes now: its database answers and (with several
    /// instances) it is caught up with the change log.
    async fn readiness(&self) -> Result<(), NotReady>;
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

impl From<group_commit::Ended> for StoreError {
    fn from(_: group_commit::Ended) -> Self {
        StoreError::Unavailable("the write was dropped".into())
    }
}
