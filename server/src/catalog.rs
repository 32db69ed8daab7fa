//! The catalog service: the one path every product change takes, whether it came from HTTP,
//! a socket or a plain form post, and where every read of the catalog is answered.
//!
//! Changes go to the store, which returns once the change is durable and applied to the
//! catalog view (and so published to every socket, in commit order). Reads and joining
//! sockets use the view alone: they never wait for a write.

use std::sync::Arc;

use bytes::Bytes;

use crate::fanout::Fanout;
use crate::live::CatalogView;
use crate::store::{Store, StoreError};
use app::domain::{NewProduct, Product, ProductChanges, ProductId};

pub struct Catalog {
    store: Arc<dyn Store>,
    view: Arc<CatalogView>,
}

impl Catalog {
    pub fn new(store: Arc<dyn Store>, view: Arc<CatalogView>) -> Arc<Self> {
        Arc::new(Catalog { store, view })
    }

    /// Every product, ascending by id.
    pub fn products(&self) -> Arc<Vec<Product>> {
        self.view.products()
    }

    pub fn get(&self, id: ProductId) -> Option<Product> {
        self.view.get(id)
    }

    /// A socket's first frame and the fan-out position it is as of.
    pub fn first_frame(&self) -> (Bytes, u64) {
        self.view.first_frame()
    }

    /// The fan-out every socket of this channel joins.
    pub fn events(&self) -> &Fanout {
        self.view.events()
    }

    pub async fn create(&self, new: NewProduct) -> Result<Product, StoreError> {
        self.store.create_product(new).await
    }

    /// Applies `changes`; with `expected`, only if nobody changed the product since the client
    /// saw it as `expected`.
    pub async fn update(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
    ) -> Result<Product, StoreError> {
        self.store.update_product(id, changes, expected).await
    }

    pub async fn remove(&self, id: ProductId) -> Result<Product, StoreError> {
        self.store.remove_product(id).await
    }
}
