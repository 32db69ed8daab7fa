//! What this instance shows: the catalog and the latest chat messages, kept in memory and
//! changed only by applying committed changes in commit order, each published to the sockets
//! as it is applied.
//!
//! Pages, API reads and joining sockets read these views and never wait for storage. Who
//! applies a change depends on the store: the file store right after its fsync, the
//! PostgreSQL follower after reading the shared change log (so that every instance applies
//! every change, its own included, in the one global order).
//!
//! Each view keeps its state behind a std lock that is held only for in-memory work (never for
//! I/O). Applying a change publishes its frame under that lock, and a joining socket takes its
//! first frame and its fan-out position under it too (see [`view`]).

mod catalog_view;
mod chat_view;
mod view;

use std::sync::Arc;

use tungstenite::Utf8Bytes;

use crate::fanout::{Counts, Pacing};
use app::domain::{ChatMessage, Product};

pub use catalog_view::{resume_frame, CatalogView, Opening, ProductList};
pub use chat_view::{ChatView, WINDOW as CHAT_WINDOW};

/// Serializes a server frame once, as the bytes every socket will share.
pub fn frame_bytes(event: &impl serde::Serialize) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(event).expect("server frames always serialize"))
}

/// Both views, as handed to a store that applies changes to them.
#[derive(Clone)]
pub struct Views {
    pub catalog: Arc<CatalogView>,
    pub chat: Arc<ChatView>,
}

impl Views {
    /// Each channel's fan-out in numbers, by the channel's name.
    pub fn tallies(&self) -> [(&'static str, Counts); 2] {
        [
            ("products", self.catalog.tally()),
            ("chat", self.chat.tally()),
        ]
    }

    /// Views of what a store holds at start-up.
    pub fn new(start: Loaded, pacing: Pacing) -> Views {
        Views {
            catalog: CatalogView::catalog(start.products, start.seq, &start.epoch, pacing),
            chat: ChatView::chat(start.latest_messages, start.complete, &start.epoch, pacing),
        }
    }
}

/// What a store hands `main` at start-up to build the views from.
pub struct Loaded {
    /// Every product.
    pub products: Vec<Product>,
    /// The newest messages, ascending by id, at most [`CHAT_WINDOW`].
    pub latest_messages: Vec<ChatMessage>,
    /// Whether `latest_messages` is every message there is.
    pub complete: bool,
    /// The last change in the store's log.
    pub seq: u64,
    /// The name of the store's history (see the protocol's `epoch`).
    pub epoch: String,
}
