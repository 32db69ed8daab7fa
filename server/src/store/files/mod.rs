//! The embedded default: the catalog in `DATA_DIR/products.json`, the chat in
//! `DATA_DIR/chat.jsonl`, for one instance alone.
//!
//! Writes of each kind are serialized by an async lock that is held across the file write and
//! its fsync (on the blocking pool); the change is applied to the views while that lock is
//! still held, so the views see changes in exactly the order they reached the disk. Nothing
//! else ever takes those locks: pages, reads and joining sockets use the views.

mod catalog_file;
mod chat_file;
mod durable;

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use tokio::sync::Mutex;

use super::{LoadError, Store, StoreError};
use crate::fanout::Pacing;
use crate::live::{frame_bytes, Views, CHAT_WINDOW};
use app::domain::{ChatMessage, MessageDraft, NewProduct, Product, ProductChanges, ProductId};
use app::protocol::{ChatEvent, ProductEvent};
use catalog_file::FileProductStore;
use chat_file::FileChatStore;

pub struct FileStore {
    catalog: Arc<Mutex<FileProductStore>>,
    chat: Arc<Mutex<FileChatStore>>,
    /// Every message, ascending by id, for history pages older than the chat view keeps.
    /// In memory only: the file is read once, at start-up.
    messages: Arc<RwLock<Vec<ChatMessage>>>,
    views: Views,
}

impl FileStore {
    /// Opens (or creates) the files in `dir` and builds the views from them. A brand-new
    /// catalog starts with the example products when `seed_examples`.
    pub fn open(
        dir: &Path,
        seed_examples: bool,
        pacing: Pacing,
    ) -> Result<(FileStore, Views), LoadError> {
        std::fs::create_dir_all(dir).map_err(|e| LoadError::new(dir, e))?;
        let catalog = FileProductStore::open(dir, seed_examples)?;
        let (chat, messages) = FileChatStore::open(dir)?;
        // The chat view keeps only the latest messages; older pages are read from `messages`.
        let older = messages.len().saturating_sub(CHAT_WINDOW);
        let latest = messages[older..].to_vec();
        let views = Views::new(catalog.products().to_vec(), latest, older == 0, pacing);
        let store = FileStore {
            catalog: Arc::new(Mutex::new(catalog)),
            chat: Arc::new(Mutex::new(chat)),
            messages: Arc::new(RwLock::new(messages)),
            views: views.clone(),
        };
        Ok((store, views))
    }

    /// Runs one catalog change on the blocking pool (it fsyncs) and applies its event to the
    /// catalog view while the write lock is held.
    async fn change_catalog(
        &self,
        change: impl FnOnce(&mut FileProductStore) -> Result<(Product, ProductEvent), StoreError>
            + Send
            + 'static,
    ) -> Result<Product, StoreError> {
        let mut catalog = self.catalog.clone().lock_owned().await;
        let view = self.views.catalog.clone();
        tokio::task::spawn_blocking(move || {
            let (product, event) = change(&mut catalog)?;
            view.apply(&event, frame_bytes(&event));
            Ok(product)
        })
        .await
        .expect("a catalog change never panics")
    }
}

#[async_trait::async_trait]
impl Store for FileStore {
    async fn create_product(&self, new: NewProduct) -> Result<Product, StoreError> {
        self.change_catalog(move |catalog| {
            let product = catalog.create(new)?;
            Ok((product.clone(), ProductEvent::Added { product }))
        })
        .await
    }

    async fn update_product(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
    ) -> Result<Product, StoreError> {
        self.change_catalog(move |catalog| {
            let product = catalog.update(id, changes, expected.as_ref())?;
            Ok((product.clone(), ProductEvent::Updated { product }))
        })
        .await
    }

    async fn remove_product(&self, id: ProductId) -> Result<Product, StoreError> {
        self.change_catalog(move |catalog| {
            let product = catalog.remove(id)?;
            Ok((product, ProductEvent::Removed { id }))
        })
        .await
    }

    async fn post_message(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        let mut chat = self.chat.clone().lock_owned().await;
        let messages = self.messages.clone();
        let view = self.views.chat.clone();
        tokio::task::spawn_blocking(move || {
            let message = chat.append(draft)?;
            messages
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .push(message.clone());
            let frame = frame_bytes(&ChatEvent::Message {
                message: message.clone(),
            });
            view.apply(message.clone(), frame);
            Ok(message)
        })
        .await
        .expect("appending a message never panics")
    }

    async fn messages(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let messages = self.messages.read().unwrap_or_else(PoisonError::into_inner);
        let end = match before {
            Some(before) => messages.partition_point(|m| m.id < before),
            None => messages.len(),
        };
        Ok(messages[end.saturating_sub(limit)..end].to_vec())
    }

    /// Files mean one instance: its count is the total.
    async fn presence(&self, here: u64) -> Result<u64, StoreError> {
        Ok(here)
    }
}
