//! The catalog service: the one path every product change takes, whether it came from HTTP,
//! a socket or a plain form post.
//!
//! A change is made durable by the store first, then published once: the event is serialized
//! a single time and the same bytes are fanned out to every subscribed socket. Publishing
//! happens while the store lock is held, so events leave in exactly the order the changes were
//! stored, and a socket that joins sees a snapshot and then precisely the events after it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use crate::fanout::{Batch, Fanout};
use crate::store::{ProductStore, StoreError};
use app::domain::{NewProduct, Product, ProductChanges, ProductId};
use app::protocol::ProductEvent;

pub struct Catalog {
    store: Mutex<Box<dyn ProductStore>>,
    /// The catalog as of the last change, for readers that must never wait for a disk write.
    current: RwLock<Arc<Vec<Product>>>,
    events: Arc<Fanout>,
}

/// Serializes a server frame once, as the bytes every socket will share.
pub fn frame_bytes(event: &impl serde::Serialize) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(event).expect("server frames always serialize"))
}

impl Catalog {
    pub fn new(store: impl ProductStore, events: Arc<Fanout>) -> Arc<Self> {
        let current = RwLock::new(Arc::new(store.products().to_vec()));
        Arc::new(Catalog {
            store: Mutex::new(Box::new(store)),
            current,
            events,
        })
    }

    /// Every product, ascending by id.
    pub fn products(&self) -> Arc<Vec<Product>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn get(&self, id: ProductId) -> Option<Product> {
        let products = self.products();
        products
            .binary_search_by_key(&id, |p| p.id)
            .ok()
            .map(|at| products[at].clone())
    }

    /// A `snapshot` frame of the catalog now and a subscription to every change after it.
    pub fn subscribe(&self) -> (Utf8Bytes, broadcast::Receiver<Batch>) {
        let _store = self.lock();
        let receiver = self.events.subscribe();
        (self.snapshot_frame(), receiver)
    }

    /// A `snapshot` frame of the catalog now.
    pub fn snapshot_frame(&self) -> Utf8Bytes {
        frame_bytes(&ProductEvent::Snapshot {
            products: self.products().to_vec(),
        })
    }

    pub async fn create(self: &Arc<Self>, new: NewProduct) -> Result<Product, StoreError> {
        self.change(move |store| {
            let product = store.create(new)?;
            Ok((product.clone(), ProductEvent::Added { product }))
        })
        .await
    }

    pub async fn update(
        self: &Arc<Self>,
        id: ProductId,
        changes: ProductChanges,
    ) -> Result<Product, StoreError> {
        self.change(move |store| {
            let product = store.update(id, changes)?;
            Ok((product.clone(), ProductEvent::Updated { product }))
        })
        .await
    }

    pub async fn remove(self: &Arc<Self>, id: ProductId) -> Result<Product, StoreError> {
        self.change(move |store| {
            let product = store.remove(id)?;
            Ok((product, ProductEvent::Removed { id }))
        })
        .await
    }

    /// Runs a store change on the blocking pool (it fsyncs), then publishes its event.
    async fn change(
        self: &Arc<Self>,
        apply: impl FnOnce(&mut dyn ProductStore) -> Result<(Product, ProductEvent), StoreError>
            + Send
            + 'static,
    ) -> Result<Product, StoreError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = this.lock();
            let (product, event) = apply(store.as_mut())?;
            *this.current.write().unwrap_or_else(PoisonError::into_inner) =
                Arc::new(store.products().to_vec());
            this.events.publish(frame_bytes(&event));
            Ok(product)
        })
        .await
        .expect("a catalog change never panics")
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn ProductStore>> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
