//! The catalog as this instance serves it.

use std::sync::{Arc, PoisonError, RwLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use super::frame_bytes;
use crate::fanout::{Batch, Fanout};
use app::domain::{Product, ProductId};
use app::protocol::ProductEvent;

pub struct CatalogView {
    /// Replaced (never mutated in place) on every change: a reader keeps the `Arc` it got, and a
    /// different `Arc` tells the home page cache that the catalog changed.
    products: RwLock<Arc<Vec<Product>>>,
    events: Arc<Fanout>,
}

impl CatalogView {
    pub fn new(products: Vec<Product>, events: Arc<Fanout>) -> Self {
        CatalogView {
            products: RwLock::new(Arc::new(sorted(products))),
            events,
        }
    }

    /// Every product, ascending by id.
    pub fn products(&self) -> Arc<Vec<Product>> {
        self.products
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

    /// Applies one committed change (`added`, `updated` or `removed`) and publishes `frame`,
    /// the same event as the bytes every socket gets.
    pub fn apply(&self, event: &ProductEvent, frame: Utf8Bytes) {
        let mut current = self
            .products
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut products = current.as_ref().clone();
        match event {
            ProductEvent::Added { product } | ProductEvent::Updated { product } => {
                match products.binary_search_by_key(&product.id, |p| p.id) {
                    Ok(at) => products[at] = product.clone(),
                    Err(at) => products.insert(at, product.clone()),
                }
            }
            ProductEvent::Removed { id } => products.retain(|p| p.id != *id),
            ProductEvent::Snapshot { .. } | ProductEvent::Error(_) => {
                debug_assert!(false, "not a change: {event:?}");
                return;
            }
        }
        *current = Arc::new(products);
        self.events.publish(frame);
    }

    /// Replaces the whole catalog (after this instance lost track of some changes) and sends
    /// every socket a fresh snapshot, so none keeps a stale list.
    pub fn reset(&self, products: Vec<Product>) {
        let mut current = self
            .products
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *current = Arc::new(sorted(products));
        self.events.publish(snapshot(&current));
    }

    /// A `snapshot` frame of the catalog now and a subscription to every change after it.
    pub fn join(&self) -> (Utf8Bytes, broadcast::Receiver<Batch>) {
        let current = self.products.read().unwrap_or_else(PoisonError::into_inner);
        let receiver = self.events.subscribe();
        (snapshot(&current), receiver)
    }

    /// A `snapshot` frame of the catalog now.
    pub fn snapshot_frame(&self) -> Utf8Bytes {
        snapshot(&self.products())
    }
}

fn snapshot(products: &[Product]) -> Utf8Bytes {
    frame_bytes(&ProductEvent::Snapshot {
        products: products.to_vec(),
    })
}

fn sorted(mut products: Vec<Product>) -> Vec<Product> {
    products.sort_by_key(|p| p.id);
    products
}
