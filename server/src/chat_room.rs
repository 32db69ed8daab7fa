//! The chat service: every message, from HTTP or a socket, goes to the store, which returns
//! once it is durable and applied to the chat view (and so published to every chat socket, in
//! id order). History comes from the view, and from the store only for pages older than the
//! view keeps.

use std::sync::Arc;

use tokio::net::TcpStream;

use crate::fanout::Mailbox;
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

    /// Lets a socket in: a history, or a resume and what it missed, then every message.
    pub async fn join(&self, stream: Arc<TcpStream>, start: &SocketStart) -> Arc<Mailbox> {
        self.view
            .join(stream, None, |window| {
                std::future::ready(window.opening(start))
            })
            .await
    }

    /// Removes message `id` everywhere: the store (its change log included), then every
    /// instance's window and every chat socket, through the applier.
    pub async fn remove(&self, id: u64) -> Result<(), StoreError> {
        self.store.remove_message(id).await
    }

    pub async fn post(&self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        self.store.post_message(draft).await
    }
}
