//! How many people are in the chat: the open chat sockets, of this instance or (with
//! PostgreSQL) of every instance. A change is published to every chat socket as
//! `{"type":"presence","online":N}`, at most about once a second: a thousand browsers
//! reconnecting at once must not become a thousand presence frames to each of them.
//!
//! With several instances, each one keeps its own count in the database with a heartbeat, and
//! the total counts only the instances heard from recently, so an instance that dies stops
//! being counted by itself (see [`Store::presence`](crate::store::Store::presence)).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::fanout::json_frame;
use crate::live::ChatView;
use crate::store::Store;
use app::protocol::ChatEvent;

/// Changes within this time are published together: when ten thousand browsers reconnect at
/// once, each gets about one presence frame a second, not one per newcomer.
const SETTLE: Duration = Duration::from_secs(1);
/// How often an instance reports its count (and reads the others'), even without a change.
const HEARTBEAT: Duration = Duration::from_secs(2);

pub struct Presence {
    /// Open chat sockets on this instance.
    here: AtomicU64,
    /// The last total published.
    online: AtomicU64,
    changed: Notify,
}

impl Presence {
    /// Starts counting; publishes to the chat view's sockets through `store` (which adds the
    /// other instances' counts, if there are any) until `shutdown`.
    pub fn start(
        store: Arc<dyn Store>,
        chat: Arc<ChatView>,
        shutdown: CancellationToken,
    ) -> Arc<Presence> {
        let presence = Arc::new(Presence {
            here: AtomicU64::new(0),
            online: AtomicU64::new(0),
            changed: Notify::new(),
        });
        tokio::spawn(publish(presence.clone(), store, chat, shutdown));
        presence
    }

    pub fn joined(&self) {
        self.here.fetch_add(1, Ordering::AcqRel);
        self.changed.notify_one();
    }

    pub fn left(&self) {
        self.here.fetch_sub(1, Ordering::AcqRel);
        self.changed.notify_one();
    }

    /// The presence frame as of now, for a socket that just joined.
    pub fn frame(&self) -> Bytes {
        let online = self
            .online
            .load(Ordering::Acquire)
            .max(self.here.load(Ordering::Acquire));
        json_frame(&ChatEvent::Presence { online })
    }
}

async fn publish(
    presence: Arc<Presence>,
    store: Arc<dyn Store>,
    chat: Arc<ChatView>,
    shutdown: CancellationToken,
) {
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            _ = presence.changed.notified() => tokio::time::sleep(SETTLE).await,
            _ = heartbeat.tick() => {}
            _ = shutdown.cancelled() => {
                let _ = store.presence(0).await;
                return;
            }
        }
        let here = presence.here.load(Ordering::Acquire);
        let online = match store.presence(here).await {
            Ok(total) => total,
            Err(e) => {
                tracing::debug!(error = %e, "presence not reported; counting this instance only");
                here
            }
        };
        if presence.online.swap(online, Ordering::AcqRel) != online {
            chat.announce(json_frame(&ChatEvent::Presence { online }));
        }
    }
}
