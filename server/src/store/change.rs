//! What a store hands over once a change is committed, and to whom.
//!
//! Like a broker in centrifuge's design, a store knows nothing of the views that show its data
//! or of the sockets behind them: it commits, then hands every committed change to one
//! [`Subscriber`] (in this server, `live::Applier`), in commit order. SQLite does it with its
//! writing connection still held; PostgreSQL's follower does it as it reads the shared change
//! log, for every instance's changes alike. The subscriber gets the same [`Change`]s either way.

use serde::Serialize;

use app::domain::{ChatMessage, Product};

/// The stream a change belongs to, as recorded in the change log's `channel` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Products,
    Chat,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Products => "products",
            Channel::Chat => "chat",
        }
    }

    pub fn from_name(name: &str) -> Option<Channel> {
        match name {
            "products" => Some(Channel::Products),
            "chat" => Some(Channel::Chat),
            _ => None,
        }
    }
}

/// One committed change as the log records it: its number, its channel, and its event as the
/// JSON every socket gets (`{"type":"added",...}`), serialized once, when it was committed.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub seq: u64,
    pub channel: Channel,
    pub event: String,
}

impl Change {
    /// `event` serialized as the log keeps it.
    pub fn new(seq: u64, channel: Channel, event: &impl Serialize) -> Change {
        Change {
            seq,
            channel,
            event: serde_json::to_string(event).expect("events always serialize"),
        }
    }
}

/// The log's entry for an import too large to replay product by product: whoever reads it
/// reloads the catalog (see `IMPORT_EVENTS_MAX`).
pub const CATALOG_RELOAD: &str = r#"{"type":"reload"}"#;

/// Everything a store holds that this instance shows, as of change `seq`: what the views
/// start from, and what replaces them when an instance lost track of the log.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Every product, ascending by id.
    pub products: Vec<Product>,
    /// The newest messages, ascending by id, at most `CHAT_WINDOW`.
    pub latest_messages: Vec<ChatMessage>,
    /// Whether `latest_messages` is every message there is.
    pub complete: bool,
    /// The last change in the store's log.
    pub seq: u64,
    /// The name of the store's history (see the protocol's `epoch`).
    pub epoch: String,
}

/// What a store hands its subscriber, in commit order.
#[derive(Debug)]
pub enum Publication {
    /// Changes committed one after another (one transaction's, or a batch the follower read).
    Changes(Vec<Change>),
    /// A large import, committed as the one change `seq` that says "reload": the products it
    /// created or updated (SQLite, which has them at hand).
    Absorbed { seq: u64, products: Vec<Product> },
    /// The whole state, read again (PostgreSQL, after a gap in the log or a large import).
    Reset(Snapshot),
}

/// A change the subscriber could not read: the store must hand over a fresh [`Snapshot`].
#[derive(Debug, thiserror::Error)]
#[error("change {seq} cannot be read")]
pub struct Unreadable {
    pub seq: u64,
}

/// Who a store hands its committed changes to.
pub trait Subscriber: Send + Sync + 'static {
    fn publish(&self, publication: Publication) -> Result<(), Unreadable>;
}

/// A subscriber that shows nothing: for a store opened by a command (the benchmark's seeding,
/// the staff commands) rather than by a serving server.
pub struct Nobody;

impl Subscriber for Nobody {
    fn publish(&self, _: Publication) -> Result<(), Unreadable> {
        Ok(())
    }
}
