//! The catalog as this instance serves it.

use std::sync::{Arc, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

use bytes::Bytes;
use tungstenite::Utf8Bytes;

use super::frame_bytes;
use crate::fanout::{encode_text, Fanout, Pacing};
use app::domain::{Product, ProductId};
use app::protocol::ProductEvent;

pub struct CatalogView {
    state: RwLock<State>,
    events: Arc<Fanout>,
}

struct State {
    /// Replaced (never mutated in place) on every change: a reader keeps the `Arc` it got, and
    /// a different `Arc` tells the home page cache that the catalog changed.
    products: Arc<Vec<Product>>,
    /// The `snapshot` frame of `products`, encoded once for every socket that joins.
    snapshot: OnceLock<Bytes>,
}

impl State {
    fn new(products: Arc<Vec<Product>>) -> Self {
        State {
            products,
            snapshot: OnceLock::new(),
        }
    }

    fn snapshot(&self) -> &Bytes {
        self.snapshot.get_or_init(|| {
            encode_text(&frame_bytes(&ProductEvent::Snapshot {
                products: self.products.to_vec(),
            }))
        })
    }
}

impl CatalogView {
    pub fn new(products: Vec<Product>, pacing: Pacing) -> Arc<Self> {
        Arc::new_cyclic(|view: &Weak<CatalogView>| {
            let events = Fanout::new(pacing);
            let view = view.clone();
            events.set_first_frame(Box::new(move || {
                view.upgrade()
                    .map(|view| view.first_frame())
                    .expect("a view outlives its fan-out's sockets")
            }));
            CatalogView {
                state: RwLock::new(State::new(Arc::new(sorted(products)))),
                events,
            }
        })
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
        let mut state = self.write();
        let mut products = state.products.as_ref().clone();
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
        *state = State::new(Arc::new(products));
        self.events.publish(&frame);
    }

    /// Replaces the whole catalog (after this instance lost track of some changes) and sends
    /// every socket a fresh snapshot, so none keeps a stale list.
    pub fn reset(&self, products: Vec<Product>) {
        let mut state = self.write();
        *state = State::new(Arc::new(sorted(products)));
        self.events.publish_encoded(state.snapshot().clone());
    }

    /// The fan-out of this view's events, which joining sockets attach to.
    pub fn events(&self) -> &Fanout {
        &self.events
    }

    /// A `snapshot` frame of the catalog now, and the fan-out position of the first change
    /// after it: a socket gets the one, then every event from the other.
    pub fn first_frame(&self) -> (Bytes, u64) {
        let state = self.read();
        (state.snapshot().clone(), self.events.head())
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

fn sorted(mut products: Vec<Product>) -> Vec<Product> {
    products.sort_by_key(|p| p.id);
    products
}
