//! Where products and messages live. Each kind of data sits behind a small trait so the rest of
//! the server does not care how it is kept; the file implementations are the default.
//!
//! Every mutating method returns only after the change is durable on disk: callers acknowledge
//! and broadcast a change only once it returned `Ok`.

mod catalog_file;
mod chat_file;
mod durable;
mod examples;

use std::path::PathBuf;

use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};

pub use catalog_file::FileProductStore;
pub use chat_file::FileChatStore;

/// Why a change was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("No existe un producto con id {0}")]
    NotFound(ProductId),
    #[error("Ya existe un producto con el código \"{0}\"")]
    DuplicateCode(String),
    #[error("No se pudo guardar el cambio en disco: {0}")]
    Io(#[from] std::io::Error),
}

/// Why start-up could not read the stored data. Never papered over with an empty store.
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

/// The catalog's storage: products in ascending id order, ids never reused, codes unique.
pub trait ProductStore: Send + 'static {
    /// Every product, ascending by id.
    fn products(&self) -> &[Product];
    fn create(&mut self, new: NewProduct) -> Result<Product, StoreError>;
    fn update(&mut self, id: ProductId, changes: ProductChanges) -> Result<Product, StoreError>;
    fn remove(&mut self, id: ProductId) -> Result<Product, StoreError>;
}

/// The chat's storage: an append-only log of messages with increasing ids.
pub trait ChatStore: Send + 'static {
    /// Gives the draft an id and the current time, stores it durably and returns it.
    fn append(&mut self, draft: MessageDraft) -> Result<ChatMessage, StoreError>;
    /// The last `limit` messages with an id below `before` (all when `None`), oldest first.
    fn recent(&self, limit: usize, before: Option<u64>) -> Vec<ChatMessage>;
}
