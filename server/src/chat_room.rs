//! The chat service: every message, from HTTP or a socket, goes to the store, which returns
//! once it is durable and applied to the chat view (and so published to every chat socket, in
//! id order). History comes from the view, and from the store only for pages older than the
//! view keeps.

use std::sync::Arc;

use bytes::Bytes;

use crate::fanout::Fanout;
use crate::live::ChatView;
use crate::store::{Store, StoreError};
use app::domain::{ChatMessage, MessageDraft};
use app::protocol::SocketStart;

pub struct ChatRoom {
    store: Arc<dyn Store>,
    view: Arc<ChatView>,
}

impl ChatRoom {
    pub fn new(store: Arc<dyn Store>, view: Arc<ChatView>) -> Arc<Self> {
        Arc::new(ChatRoom { store, view })
    }

    /// The last `limit` messages below id `before`, oldest first.
    pub async fn recent(
        &self,
        limit: usize,
        before: Option<u64>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        match self.view.recent(limit, before) {
            Some(messages) => Ok(messages),
            None => self.store.messages(limit, before).await,
        }
    }

    /// A socket's first frames for `start` (a history, or a resume and what it missed) and
    /// the fan-out position they are as of.
    pub fn open(&self, start: &SocketStart) -> (Bytes, u64) {
        self.view.open(start)
    }

    /// The fan-out every socket of this channel joins.
    pub fn events(&self) -> &Fanout {
        self.view.events()
    }

    pub async fn post(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        self.store.post_message(draft).await
    }
}
