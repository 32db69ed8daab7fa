//! The catalog as this instance serves it.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use tungstenite::Utf8Bytes;

use super::frame_bytes;
use super::view::{View, ViewState};
use crate::fanout::{encode_text, Pacing};
use app::domain::{Product, ProductId};
use app::protocol::ProductEvent;

pub type CatalogView = View<ProductList>;

pub struct ProductList {
    /// Replaced (never mutated in place) on every change: a reader keeps the `Arc` it got, and
    /// a different `Arc` tells the home page cache that the catalog changed.
    products: Arc<Vec<Product>>,
    /// The `snapshot` frame of `products`, encoded once for every socket that joins.
    snapshot: OnceLock<Bytes>,
}

impl ProductList {
    fn new(mut products: Vec<Product>) -> Self {
        products.sort_by_key(|p| p.id);
        ProductList {
            products: Arc::new(products),
            snapshot: OnceLock::new(),
        }
    }
}

impl ViewState for ProductList {
    fn first_frame(&self) -> &Bytes {
        self.snapshot.get_or_init(|| {
            encode_text(&frame_bytes(&ProductEvent::Snapshot {
                products: self.products.to_vec(),
            }))
        })
    }
}

impl View<ProductList> {
    pub fn catalog(products: Vec<Product>, pacing: Pacing) -> Arc<Self> {
        View::new(ProductList::new(products), pacing)
    }

    /// Every product, ascending by id.
    pub fn products(&self) -> Arc<Vec<Product>> {
        self.read().products.clone()
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
        let mut catalog = self.write();
        let mut products = catalog.products.as_ref().clone();
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
        *catalog = ProductList::new(products);
        self.events().publish(&frame);
    }

    /// Replaces the whole catalog (after this instance lost track of some changes) and sends
    /// every socket a fresh snapshot, so none keeps a stale list.
    pub fn reset(&self, products: Vec<Product>) {
        let mut catalog = self.write();
        *catalog = ProductList::new(products);
        self.events().publish_encoded(catalog.first_frame().clone());
    }
}
