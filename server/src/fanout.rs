//! Publishing events to every subscribed socket, as shared bytes and in batches.
//!
//! A service (catalog or chat) hands each event here already serialized, once. Events are
//! published as batches: the first event after a quiet spell goes out at once, and events that
//! follow within `window` of the last publication are gathered and go out together when the
//! window ends. Each socket then writes a whole batch with one system call instead of one per
//! event, which is most of what a delivery costs; the window bounds the delay this adds.
//! With a zero window every event is published on its own, at once.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, Notify};
use tokio::time::Instant;

/// Events published together, in order.
pub type Batch = Arc<[Utf8Bytes]>;

/// How many batches a slow socket may fall behind before it is resynced.
const BACKLOG: usize = 1024;

pub struct Fanout {
    pending: Mutex<Vec<Utf8Bytes>>,
    wake: Notify,
    events: broadcast::Sender<Batch>,
    window: Duration,
}

impl Fanout {
    /// Must be called inside the tokio runtime: a non-zero window runs a publishing task.
    pub fn new(window: Duration) -> Arc<Self> {
        let (events, _) = broadcast::channel(BACKLOG);
        let fanout = Arc::new(Fanout {
            pending: Mutex::new(Vec::new()),
            wake: Notify::new(),
            events,
            window,
        });
        if !window.is_zero() {
            tokio::spawn(publish_in_windows(fanout.clone()));
        }
        fanout
    }

    /// Queues one event. Callers publish while holding their store's lock, so events are
    /// queued in exactly the order the changes were stored.
    pub fn publish(&self, frame: Utf8Bytes) {
        if self.window.is_zero() {
            let _ = self.events.send(Arc::from([frame]));
            return;
        }
        self.lock().push(frame);
        self.wake.notify_one();
    }

    /// A subscription to every event published after this call. Whatever is still queued is
    /// published first, so the caller's snapshot (taken under the same store lock) already
    /// contains everything the new subscriber will not be sent.
    pub fn subscribe(&self) -> broadcast::Receiver<Batch> {
        self.flush();
        self.events.subscribe()
    }

    /// Publishes whatever is queued; `false` when nothing was.
    fn flush(&self) -> bool {
        let queued = std::mem::take(&mut *self.lock());
        if queued.is_empty() {
            return false;
        }
        // No subscribers is fine: the changes are stored either way.
        let _ = self.events.send(Arc::from(queued));
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Utf8Bytes>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Publishes what is queued at most once per window, and at once after a quiet spell.
async fn publish_in_windows(fanout: Arc<Fanout>) {
    let mut last_published: Option<Instant> = None;
    loop {
        // A notification sent while this task was busy is kept as a permit, so none is lost.
        fanout.wake.notified().await;
        if let Some(last) = last_published {
            tokio::time::sleep_until(last + fanout.window).await;
        }
        if fanout.flush() {
            last_published = Some(Instant::now());
        }
    }
}
