//! Where products and messages are kept. Everything the server changes goes through one
//! [`Store`], implemented twice: files in `DATA_DIR` (the default, nothing to install) and
//! PostgreSQL (`DATABASE_URL`, which lets several instances share one catalog and one chat).
//!
//! A mutating method returns `Ok` only once the change is durable (fsynced, or committed) and
//! applied to this instance's [`Views`](crate::live::Views), so a read that follows a write
//! sees it, and every socket of this instance was handed its event, in commit order. Callers
//! acknowledge a change only after that `Ok`.

mod examples;
pub mod files;
pub mod postgres;

use std::path::PathBuf;

use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};

pub use files::FileStore;
pub use postgres::PgStore;

/// Why a change was refused or failed. The sentences for people are chosen at the edge
/// (`crate::error`), not here.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no product has id {0}")]
    NotFound(ProductId),
    #[error("code {0:?} is taken")]
    DuplicateCode(String),
    /// An update that expected the product as it was is refused: it has changed since.
    #[error("product {0} changed since the client read it")]
    ChangedMeanwhile(ProductId),
    /// The disk refused a write.
    #[error("disk write failed: {0}")]
    Io(#[from] std::io::Error),
    /// The database cannot be reached or did not answer in time. The change may not have
    /// happened; it was not acknowledged.
    #[error("database unavailable: {0}")]
    Unavailable(String),
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
    /// Gives the draft an id and the current time, stores it and returns it.
    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError>;
    /// The last `limit` messages with an id below `before` (all when `None`), oldest first:
    /// for history pages older than what the chat view keeps in memory.
    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError>;
    /// Reports that this instance has `here` chat sockets open and returns how many are open
    /// on every instance sharing the store.
    async fn presence(&self, here: u64) -> Result<u64, StoreError>;
}
