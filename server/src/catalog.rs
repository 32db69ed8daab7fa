//! The catalog service: the one path every product change takes, whether it came from HTTP,
//! a socket or a plain form post, and where every read of the catalog is answered.
//!
//! Changes go to the store, which returns once the change is durable and applied to the
//! catalog view (and so published to every socket, in commit order). Reads and joining
//! sockets use the view alone: they never wait for a write.

use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;
use tungstenite::Utf8Bytes;

use crate::fanout::{encode_text, frames, Mailbox};
use crate::live::{resume_frame, CatalogView, Opening, ProductList};
use crate::store::{ImportRow, Imported, NotReady, Store, StoreError};
use app::domain::history::{Actor, HistoryEntry, RemovedProduct};
use app::domain::{NewProduct, Product, ProductChanges, ProductId};
use app::protocol::SocketStart;

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

    /// Lets a socket in: it gets a snapshot, or a resume with the changes the client missed
    /// (read from the store's change log, never waiting for a write), or a snapshot when the
    /// log no longer has them; then every change after.
    pub async fn join(&self, stream: Arc<TcpStream>, start: &SocketStart) -> Arc<Mailbox> {
        let store = self.store.clone();
        self.view
            .join(stream, start.limit.map(clamp_u32), |catalog| {
                let opening = catalog.opening(start);
                async move {
                    match opening {
                        Opening::Ready(first) => first,
                        Opening::Replay {
                            since,
                            upto,
                            catalog,
                        } => replay(&*store, since, upto, &catalog, start.limit).await,
                    }
                }
            })
            .await
    }

    /// The catalog as of the last change applied here.
    pub fn current(&self) -> ProductList {
        self.view.current()
    }

    /// Whether changes can be made through this instance now (see `/readyz`).
    pub async fn readiness(&self) -> Result<(), NotReady> {
        self.store.readiness().await
    }

    /// Creates `new`; like every change below, it names who made it (`actor`) for the record
    /// of changes.
    pub async fn create(&self, new: NewProduct, actor: Actor) -> Result<Product, StoreError> {
        self.store.create_product(new, actor).await
    }

    /// Applies `changes`; with `expected`, only if nobody changed the product since the client
    /// saw it as `expected`.
    pub async fn update(
        &self,
        id: ProductId,
        changes: ProductChanges,
        expected: Option<Product>,
        actor: Actor,
    ) -> Result<Product, StoreError> {
        self.store
            .update_product(id, changes, expected, actor)
            .await
    }

    /// Creates or updates (by code) every row of a catalog file, all in one change.
    pub async fn import(&self, rows: Vec<ImportRow>, actor: Actor) -> Result<Imported, StoreError> {
        self.store.import_products(rows, actor).await
    }

    pub async fn remove(&self, id: ProductId, actor: Actor) -> Result<Product, StoreError> {
        self.store.remove_product(id, actor).await
    }

    /// Makes product `id` again what it was right after its change `seq`.
    pub async fn restore(
        &self,
        id: ProductId,
        seq: u64,
        actor: Actor,
    ) -> Result<Product, StoreError> {
        self.store.restore_product(id, seq, actor).await
    }

    /// The record of product `id`'s changes, newest first (at most `limit`); `NotFound` for an
    /// id that never existed. A product older than the record has an empty one.
    pub async fn history(
        &self,
        id: ProductId,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let entries = self.store.history(id, limit).await?;
        if entries.is_empty() && self.get(id).is_none() {
            return Err(StoreError::NotFound(id));
        }
        Ok(entries)
    }

    /// The products removed and not back since, newest removal first.
    pub async fn removed(&self, limit: usize) -> Result<Vec<RemovedProduct>, StoreError> {
        self.store.removed(limit).await
    }
}

/// The resume frame and the changes after `since` up to `upto`, from the store's change log;
/// a snapshot when the log no longer has them (or cannot be read).
async fn replay(
    store: &dyn Store,
    since: u64,
    upto: u64,
    catalog: &ProductList,
    limit: Option<u64>,
) -> Bytes {
    match store.product_changes(since, upto).await {
        Ok(Some(missed)) => {
            let missed = missed.into_iter().map(|f| encode_text(&Utf8Bytes::from(f)));
            frames::concat(std::iter::once(resume_frame(since)).chain(missed))
        }
        Ok(None) => catalog.snapshot_frame(limit),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the changes to resume a socket; sending a snapshot");
            catalog.snapshot_frame(limit)
        }
    }
}

/// A socket's `limit` (1 to 1000 once validated) as the fan-out keeps it.
fn clamp_u32(limit: u64) -> u32 {
    u32::try_from(limit).unwrap_or(u32::MAX)
}
