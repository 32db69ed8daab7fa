//! Where products and messages are kept. Everything the server changes goes through one
//! [`Store`], implemented twice over one schema shape and one numbered change log: SQLite in
//! `DATA_DIR` (the default, nothing to install) and PostgreSQL (`DATABASE_URL`, which lets
//! several instances share one catalog and one chat). The SQL they share is in [`sql`].
//!
//! A mutating method returns `Ok` only once the change is committed and
//! applied to this instance's [`Views`](crate::live::Views), so a read that follows a write
//! sees it, and every socket of this instance was handed its event, in commit order. Callers
//! acknowledge a change only after that `Ok`.

mod examples;
mod group_commit;
mod import_plan;
mod message_batch;
mod migrations;
pub mod postgres;
mod sql;
pub mod sqlite;

use std::path::PathBuf;

use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Why a change was refused or failed. The sentences for people are chosen at the edge
/// (`crate::error`), not here.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no product has id {0}")]
    NotFound(ProductId),
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

/// The change-log entry of an import too large to replay product by product: whoever reads it
/// reloads the catalog (see [`IMPORT_EVENTS_MAX`]).
pub const CATALOG_RELOAD: &str = r#"{"type":"reload"}"#;

/// The catalog and the chat log: products in ascending id order, ids never reused, codes
/// unique; messages append-only with ids that increase in commit order.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    async fn create_product(&self, new: NewProduct) -> Result<Product, StoreError>;
    /// Applies `changes`; with `expected`, only if the product is still exactly that.
    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
    ) -> Result<Product, StoreError>;
    async fn remove_product(&self, id: ProductId) -> Result<Product, StoreError>;
    /// Creates or updates (by code) every row, in one transaction: all or nothing.
    async fn import_products(&self, rows: Vec<ImportRow>) -> Result<Imported, StoreError>;
    /// Gives the draft an id and the current time, stores it and returns it.
    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError>;
    /// The last `limit` messages with an id below `before` (all when `None`), oldest first:
    /// for history pages older than what the chat view keeps in memory.
    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError>;
    /// The product frames of the changes after `since` up to `upto` (which this instance has
    /// applied), in order; `None` when the log no longer holds all of them.
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
