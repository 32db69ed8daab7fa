//! The catalog as this instance serves it: a persistent ordered map (`imbl`), so a change costs
//! O(log n) whatever the catalog's size, and a reader takes the whole catalog as of one change
//! by cloning the map (O(1)) instead of holding the lock while it works.

use std::ops::Bound;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use imbl::OrdMap;
use tungstenite::Utf8Bytes;

use super::view::{View, ViewState};
use crate::fanout::{encode_text, json_frame, Pacing};
use app::domain::search::Query;
use app::domain::{Product, ProductId};
use app::protocol::{ProductEvent, SocketStart};

pub type CatalogView = View<ProductList>;

/// The catalog as of one change. Cloning it is cheap (the map shares its nodes).
#[derive(Clone)]
pub struct ProductList {
    products: OrdMap<ProductId, Product>,
    /// The last change it includes (see the protocol's `seq`).
    seq: u64,
    /// The store's history this catalog belongs to.
    epoch: Arc<str>,
    /// The full `snapshot` frame, encoded once per change, and only if some socket needs it.
    snapshot: Arc<OnceLock<Bytes>>,
    /// Every product as a list, made once per change for the readers that want all of them.
    listed: Arc<OnceLock<Arc<Vec<Product>>>>,
}

impl ProductList {
    fn new(products: Vec<Product>, seq: u64, epoch: Arc<str>) -> Self {
        ProductList {
            products: products.into_iter().map(|p| (p.id, p)).collect(),
            seq,
            epoch,
            snapshot: Arc::default(),
            listed: Arc::default(),
        }
    }

    /// Marks the cached encodings stale after a change.
    fn changed(&mut self, seq: u64) {
        self.seq = self.seq.max(seq);
        self.snapshot = Arc::default();
        self.listed = Arc::default();
    }

    /// Every product, ascending by id.
    pub fn all(&self) -> Arc<Vec<Product>> {
        self.listed
            .get_or_init(|| Arc::new(self.products.values().cloned().collect()))
            .clone()
    }

    /// How many products match `query`, and the first `limit` of them (all without one) with
    /// an id above `after`, ascending by id.
    pub fn page(&self, query: &Query, after: ProductId, limit: Option<u64>) -> (u64, Vec<Product>) {
        let take = limit.map_or(usize::MAX, |n| n as usize);
        let later = self
            .products
            .range((Bound::Excluded(after), Bound::Unbounded))
            .map(|(_, p)| p);
        if query.is_empty() {
            let page = later.take(take).cloned().collect();
            return (self.products.len() as u64, page);
        }
        let total = self.products.values().filter(|p| query.matches(p)).count();
        let page = later
            .filter(|p| query.matches(p))
            .take(take)
            .cloned()
            .collect();
        (total as u64, page)
    }

    /// Every product, ascending by id, without copying the catalog.
    pub fn iter(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The `snapshot` frame of the first `limit` products (all without a limit).
    pub fn snapshot_frame(&self, limit: Option<u64>) -> Bytes {
        match limit {
            None => self.first_frame().clone(),
            Some(limit) => self.encode_snapshot(limit as usize),
        }
    }

    /// The `snapshot` frame of the first `limit` products, encoded.
    fn encode_snapshot(&self, limit: usize) -> Bytes {
        json_frame(&ProductEvent::Snapshot {
            products: self.products.values().take(limit).cloned().collect(),
            total: self.products.len() as u64,
            seq: self.seq,
            epoch: self.epoch.to_string(),
        })
    }
}

impl ViewState for ProductList {
    fn first_frame(&self) -> &Bytes {
        self.snapshot
            .get_or_init(|| self.encode_snapshot(usize::MAX))
    }

    fn first_frame_for(&self, limit: Option<u32>) -> Bytes {
        self.snapshot_frame(limit.map(u64::from))
    }
}

/// How a product socket starts, decided from the catalog as of the moment it joins.
pub enum Opening {
    /// Send this first.
    Ready(Bytes),
    /// The client resumes after `since`, and the catalog is at `upto`: the changes between
    /// must come from the store's change log (see `Catalog::join`). `catalog` answers with a
    /// snapshot if the log no longer has them.
    Replay {
        since: u64,
        upto: u64,
        catalog: ProductList,
    },
}

impl ProductList {
    /// Where a socket that asked for `start` begins.
    pub fn opening(&self, start: &SocketStart) -> Opening {
        match start.resumes(self.epoch()) {
            Some(since) if since == self.seq => Opening::Ready(resume_frame(since)),
            Some(since) if since < self.seq => Opening::Replay {
                since,
                upto: self.seq,
                catalog: self.clone(),
            },
            // No resume asked, another epoch, or a `since` from the future.
            _ => Opening::Ready(self.snapshot_frame(start.limit)),
        }
    }
}

impl View<ProductList> {
    pub fn catalog(products: Vec<Product>, seq: u64, epoch: &str, pacing: Pacing) -> Arc<Self> {
        View::new(ProductList::new(products, seq, epoch.into()), pacing)
    }

    /// The catalog as of the last change applied (cheap: see [`ProductList`]).
    pub fn current(&self) -> ProductList {
        self.read().clone()
    }

    /// Every product, ascending by id.
    pub fn products(&self) -> Arc<Vec<Product>> {
        self.current().all()
    }

    pub fn get(&self, id: ProductId) -> Option<Product> {
        self.read().products.get(&id).cloned()
    }

    /// Applies one committed change (`added`, `updated` or `removed`) and publishes `text`,
    /// the same event as the JSON every socket gets; `false` for an event that is not a change.
    pub fn apply(&self, event: &ProductEvent, text: Utf8Bytes) -> bool {
        let mut catalog = self.write();
        match event {
            ProductEvent::Added { product, seq } | ProductEvent::Updated { product, seq } => {
                catalog.products.insert(product.id, product.clone());
                catalog.changed(*seq);
            }
            ProductEvent::Removed { id, seq } => {
                catalog.products.remove(id);
                catalog.changed(*seq);
            }
            ProductEvent::Snapshot { .. }
            | ProductEvent::Resume { .. }
            | ProductEvent::Error(_) => return false,
        }
        self.publish(encode_text(&text));
        true
    }

    /// Applies a large import's products (created or updated) as one change `seq`, and sends
    /// every socket a fresh snapshot of the extent it asked for instead of an event each.
    pub fn absorb(&self, products: Vec<Product>, seq: u64) {
        let mut catalog = self.write();
        for product in products {
            catalog.products.insert(product.id, product);
        }
        catalog.changed(seq);
        self.replaced();
    }

    /// Replaces the whole catalog (after this instance lost track of some changes) and sends
    /// every socket a fresh snapshot of the extent it asked for, so none keeps a stale list and
    /// a socket opened with `limit` never gets the whole catalog.
    pub fn reset(&self, products: Vec<Product>, seq: u64) {
        let mut catalog = self.write();
        let epoch = catalog.epoch.clone();
        *catalog = ProductList::new(products, seq, epoch);
        self.replaced();
    }
}

/// `{"type":"resume","since":N}`, encoded.
pub fn resume_frame(since: u64) -> Bytes {
    json_frame(&ProductEvent::Resume { since })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACING: Pacing = Pacing { rest_ratio: 0.0 };

    fn product(id: u64) -> Product {
        Product {
            id,
            title: format!("p{id}"),
            description: "d".into(),
            code: format!("C{id}"),
            price: 1.0,
            status: true,
            stock: 1,
            category: "c".into(),
            thumbnails: vec![],
        }
    }

    fn first_json(opening: Opening) -> serde_json::Value {
        let Opening::Ready(first) = opening else {
            panic!("expected a ready opening");
        };
        // A short text frame: 2 header bytes, or 4 with a 16-bit length.
        let skip = if first[1] == 126 { 4 } else { 2 };
        serde_json::from_slice(&first[skip..]).unwrap()
    }

    fn start(limit: Option<u64>, since: Option<u64>, epoch: &str) -> SocketStart {
        SocketStart {
            limit,
            since,
            epoch: Some(epoch.into()),
        }
    }

    #[tokio::test]
    async fn snapshots_carry_total_seq_epoch_and_honour_the_limit() {
        let view = CatalogView::catalog((1..=5).map(product).collect(), 9, "e1", PACING);
        let snapshot = first_json(view.current().opening(&start(Some(2), None, "e1")));
        assert_eq!(snapshot["type"], "snapshot");
        assert_eq!(snapshot["total"], 5);
        assert_eq!(snapshot["seq"], 9);
        assert_eq!(snapshot["epoch"], "e1");
        let ids: Vec<_> = snapshot["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, vec![1, 2]);
    }

    #[tokio::test]
    async fn resume_is_decided_by_seq_and_epoch() {
        let view = CatalogView::catalog(vec![product(1)], 4, "e1", PACING);
        assert_eq!(
            first_json(view.current().opening(&start(None, Some(4), "e1")))["type"],
            "resume"
        );
        assert_eq!(
            first_json(view.current().opening(&start(None, Some(4), "other")))["type"],
            "snapshot"
        );
        assert_eq!(
            first_json(view.current().opening(&start(None, Some(5), "e1")))["type"],
            "snapshot",
            "a since from the future"
        );
        let event = ProductEvent::Removed { id: 1, seq: 6 };
        assert!(view.apply(&event, serde_json::to_string(&event).unwrap().into()));
        assert!(view.get(1).is_none());
        match view.current().opening(&start(None, Some(4), "e1")) {
            Opening::Replay { since, upto, .. } => assert_eq!((since, upto), (4, 6)),
            Opening::Ready(_) => panic!("changes were missed: they must be replayed"),
        }
    }
}
