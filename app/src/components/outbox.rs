//! The sending side of a live connection, shared by an island's event handlers.

use futures::channel::mpsc::UnboundedSender;
use leptos::prelude::*;
use serde::Serialize;

/// What a page says when a request cannot go out because the socket is reconnecting.
pub const OFFLINE: &str =
    "Sin conexión con el servidor: esperá a que se reconecte e intentá de nuevo";

/// Frames queued here go out on the island's current socket. Empty while disconnected, so a
/// send then fails visibly instead of vanishing into a dead socket.
#[derive(Clone, Copy)]
pub struct Outbox(RwSignal<Option<UnboundedSender<String>>>);

impl Outbox {
    pub fn new() -> Self {
        Outbox(RwSignal::new(None))
    }

    /// Queues one request; `false` when there is no open connection to take it.
    pub fn send(&self, request: &impl Serialize) -> bool {
        let Ok(text) = serde_json::to_string(request) else {
            return false;
        };
        self.0.with_untracked(|sender| match sender {
            Some(sender) => sender.unbounded_send(text).is_ok(),
            None => false,
        })
    }

    /// Installs (or, with `None`, removes) the channel of the current connection.
    pub fn attach(&self, sender: Option<UnboundedSender<String>>) {
        self.0.set(sender);
    }
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

/// A request reference unique within this page, so error frames can be matched to the
/// request that caused them.
pub fn next_ref(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    format!("{prefix}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}
