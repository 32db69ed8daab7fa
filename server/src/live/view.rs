//! What both views share: state behind a lock held only for in-memory work, and the fan-out
//! its changes are published to. A joining socket takes its first frame and its fan-out
//! position under that lock, so it gets the state as of some change N and exactly the changes
//! after N.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

use bytes::Bytes;

use crate::fanout::{Fanout, Pacing};

/// A view's state: what it shows, and the frame a joining socket gets first.
pub trait ViewState: Send + Sync + 'static {
    /// The encoded `snapshot` or `history` frame of this state (made once, then shared).
    fn first_frame(&self) -> &Bytes;
}

pub struct View<S> {
    state: RwLock<S>,
    events: Arc<Fanout>,
}

impl<S: ViewState> View<S> {
    pub fn new(state: S, pacing: Pacing) -> Arc<Self> {
        Arc::new_cyclic(|view: &Weak<View<S>>| {
            let events = Fanout::new(pacing);
            let view = view.clone();
            // The fan-out resyncs a socket that fell behind with a fresh first frame.
            events.set_first_frame(Box::new(move || {
                view.upgrade()
                    .map(|view| view.first_frame())
                    .expect("a view outlives its fan-out's sockets")
            }));
            View {
                state: RwLock::new(state),
                events,
            }
        })
    }

    /// The fan-out of this view's events, which joining sockets attach to.
    pub fn events(&self) -> &Fanout {
        &self.events
    }

    /// The first frame of the state now, and the fan-out position of the first change after
    /// it: a socket gets the one, then every event from the other.
    pub fn first_frame(&self) -> (Bytes, u64) {
        let state = self.read();
        (state.first_frame().clone(), self.events.head())
    }

    /// `f` of the state now, and the fan-out position of the first change after it, taken
    /// under one lock: a socket that gets what `f` made, then every event from that position,
    /// misses nothing and gets nothing twice.
    pub fn with_head<T>(&self, f: impl FnOnce(&S) -> T) -> (T, u64) {
        let state = self.read();
        (f(&state), self.events.head())
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, S> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn write(&self) -> RwLockWriteGuard<'_, S> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}
