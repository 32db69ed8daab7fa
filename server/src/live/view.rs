//! What both views share: state behind a lock held only for in-memory work, the ring of the
//! events its changes published, and the writers that send them. A joining socket takes its
//! first frame and its ring position under that lock, so it gets the state as of some change
//! N and exactly the changes after N.
//!
//! The state and the ring are built first (with the first frame every socket gets) and
//! handed to the writers, which hold them strongly; [`View::join`] is the only way a socket
//! gets in.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use tokio::net::TcpStream;

use crate::fanout::{Counts, Feed, Mailbox, Pacing, Ring, Writers};

/// A view's state: what it shows, and the frame a joining socket gets first.
pub trait ViewState: Send + Sync + 'static {
    /// The encoded `snapshot` or `history` frame of this state (made once, then shared).
    fn first_frame(&self) -> &Bytes;

    /// The first frame for a socket that asked for its first `limit` items only; the state
    /// decides what that means (a chat history has one size for everyone).
    fn first_frame_for(&self, limit: Option<u32>) -> Bytes {
        let _ = limit;
        self.first_frame().clone()
    }
}

/// The state and its events, shared by the view and its writers.
struct Shared<S> {
    state: RwLock<S>,
    ring: Mutex<Ring>,
}

impl<S> Shared<S> {
    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) -> RwLockReadGuard<'_, S> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: ViewState> Feed for Shared<S> {
    fn head(&self) -> u64 {
        self.ring().head()
    }

    fn since(&self, cursor: u64) -> (Vec<Bytes>, u64) {
        let ring = self.ring();
        ring.since(cursor).unwrap_or_else(|| ring.held())
    }

    fn resync(&self, limit: Option<u32>) -> (Bytes, u64) {
        let state = self.read();
        (state.first_frame_for(limit), self.head())
    }
}

pub struct View<S> {
    shared: Arc<Shared<S>>,
    writers: Writers,
}

impl<S: ViewState> View<S> {
    pub fn new(state: S, pacing: Pacing) -> Arc<Self> {
        let shared = Arc::new(Shared {
            state: RwLock::new(state),
            ring: Mutex::new(Ring::new()),
        });
        let writers = Writers::spawn(shared.clone(), pacing);
        Arc::new(View { shared, writers })
    }

    /// Lets a socket in: `open` decides, from the state now, what the socket gets first (a
    /// snapshot, a history, a resume; it may still have to read the store, hence the future),
    /// and the socket then gets every event published after that state. Returns the mailbox
    /// its reader sends replies with. `limit` is the extent of the first frame it asked for,
    /// kept for the fresh one it gets if it falls behind or the state is replaced.
    pub async fn join<F>(
        &self,
        stream: Arc<TcpStream>,
        limit: Option<u32>,
        open: impl FnOnce(&S) -> F,
    ) -> Arc<Mailbox>
    where
        F: Future<Output = Bytes>,
    {
        let (first, cursor) = self.with_head(open);
        let first = first.await;
        self.writers.attach(stream, first, cursor, limit)
    }

    /// `f` of the state now, and the ring position of the first change after it, taken under
    /// one lock: a socket that gets what `f` made, then every event from that position,
    /// misses nothing and gets nothing twice.
    fn with_head<T>(&self, f: impl FnOnce(&S) -> T) -> (T, u64) {
        let state = self.read();
        (f(&state), self.shared.head())
    }

    /// Publishes an event that is not a change of the state (presence), to every socket.
    pub fn announce(&self, frame: Bytes) {
        self.publish(frame);
    }

    /// Closes every socket with code 1001 and returns when all are closed.
    pub async fn shut_down(&self) {
        self.writers.shut_down().await;
    }

    /// Its fan-out in numbers: events published, frames written, sockets open...
    pub fn counts(&self) -> Counts {
        Counts {
            published: self.shared.head(),
            ..self.writers.counts()
        }
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, S> {
        self.shared.read()
    }

    /// The state, to change it: whoever changes it publishes the change while holding this, so
    /// events enter the ring in the order the changes were applied.
    pub(super) fn write(&self) -> RwLockWriteGuard<'_, S> {
        self.shared
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// After the state was replaced as a whole (under [`write`](Self::write)): every socket
    /// gets a fresh first frame of its own extent instead of the events it was owed.
    pub(super) fn replaced(&self) {
        self.shared.ring().cut();
        self.writers.wake();
    }

    /// Appends one encoded event to the ring and wakes the writers.
    pub(super) fn publish(&self, encoded: Bytes) {
        self.shared.ring().push(encoded);
        self.writers.wake();
    }
}
