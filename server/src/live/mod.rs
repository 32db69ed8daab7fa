//! What this instance shows: the catalog and the latest chat messages, kept in memory and
//! changed only by applying committed changes in commit order, each published to the sockets
//! as it is applied.
//!
//! Pages, API reads and joining sockets read these views and never wait for storage. The
//! views learn of changes in one place, the [`Applier`], which the store hands every committed
//! change to (see `store::Subscriber`): SQLite as it commits, PostgreSQL's follower as it reads
//! the shared change log, so that every instance applies every change, its own included, in
//! the one global order.
//!
//! Each view keeps its state behind a std lock that is held only for in-memory work (never for
//! I/O). Applying a change publishes its frame under that lock, and a joining socket takes its
//! first frame and its fan-out position under it too (see [`view`]).

mod applier;
mod catalog_view;
mod chat_view;
mod view;

use std::sync::Arc;

use crate::fanout::{Counts, Pacing};
use crate::store::Snapshot;

pub use applier::Applier;
pub use catalog_view::{resume_frame, CatalogView, Opening, ProductList};
pub use chat_view::ChatView;

/// Both views.
#[derive(Clone)]
pub struct Views {
    pub catalog: Arc<CatalogView>,
    pub chat: Arc<ChatView>,
}

impl Views {
    /// Views of what a store holds at start-up.
    pub fn new(start: Snapshot, pacing: Pacing) -> Views {
        Views {
            catalog: CatalogView::catalog(start.products, start.seq, &start.epoch, pacing),
            chat: ChatView::chat(start.latest_messages, start.complete, &start.epoch, pacing),
        }
    }

    /// Each channel's fan-out in numbers, by the channel's name.
    pub fn counts(&self) -> [(&'static str, Counts); 2] {
        [
            ("products", self.catalog.counts()),
            ("chat", self.chat.counts()),
        ]
    }
}
