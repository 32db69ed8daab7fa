//! The chat service: every message, from HTTP or a socket, is appended durably and then
//! published once to every chat socket, in the order it was stored.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use crate::catalog::frame_bytes;
use crate::fanout::{Batch, Fanout};
use crate::store::{ChatStore, StoreError};
use app::domain::{ChatMessage, MessageDraft};
use app::protocol::ChatEvent;

/// How many messages a socket's `history` frame carries, and the API's default page.
pub const HISTORY_SIZE: usize = 100;

pub struct ChatRoom {
    store: Mutex<Box<dyn ChatStore>>,
    events: Arc<Fanout>,
}

impl ChatRoom {
    pub fn new(store: impl ChatStore, events: Arc<Fanout>) -> Arc<Self> {
        Arc::new(ChatRoom {
            store: Mutex::new(Box::new(store)),
            events,
        })
    }

    /// The last `limit` messages below id `before`, oldest first.
    pub fn recent(&self, limit: usize, before: Option<u64>) -> Vec<ChatMessage> {
        self.lock().recent(limit, before)
    }

    /// A `history` frame and a subscription to every message after it.
    pub fn subscribe(&self) -> (Utf8Bytes, broadcast::Receiver<Batch>) {
        let store = self.lock();
        let receiver = self.events.subscribe();
        let history = ChatEvent::History {
            messages: store.recent(HISTORY_SIZE, None),
        };
        (frame_bytes(&history), receiver)
    }

    /// A `history` frame of the latest messages.
    pub fn history_frame(&self) -> Utf8Bytes {
        frame_bytes(&ChatEvent::History {
            messages: self.recent(HISTORY_SIZE, None),
        })
    }

    /// Stores the message durably (on the blocking pool: it fsyncs), then publishes it.
    pub async fn post(self: &Arc<Self>, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = this.lock();
            let message = store.append(draft)?;
            this.events.publish(frame_bytes(&ChatEvent::Message {
                message: message.clone(),
            }));
            Ok(message)
        })
        .await
        .expect("appending a message never panics")
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn ChatStore>> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
