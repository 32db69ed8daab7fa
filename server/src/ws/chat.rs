//! `/ws/chat`: the history, then every message and the presence count; `send` requests.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;

use super::connection::Channel;
use crate::chat_room::ChatRoom;
use crate::fanout::{json_frame, Mailbox};
use crate::guard::chat_limit::ChatLimit;
use crate::presence::Presence;
use app::domain::message::CHAT_TOO_FAST;
use app::domain::{Invalid, MessageDraft};
use app::protocol::{ChatEvent, ChatRequest, ErrorFrame, SocketStart};

pub struct ChatChannel {
    pub chat: Arc<ChatRoom>,
    pub presence: Arc<Presence>,
    /// What the client asked to start with (a resume).
    pub start: SocketStart,
    /// Who the socket belongs to, and how many messages such a client may send.
    pub client: IpAddr,
    pub limit: Arc<ChatLimit>,
}

impl Channel for ChatChannel {
    async fn join(&self, stream: Arc<TcpStream>) -> Arc<Mailbox> {
        self.chat.join(stream, &self.start).await
    }

    /// One more in the chat; the newcomer learns how many right after its history.
    fn joined(&self, mailbox: &Mailbox) {
        self.presence.joined();
        mailbox.send(self.presence.frame());
    }

    fn left(&self) {
        self.presence.left();
    }

    async fn handle(&self, text: &str) -> Option<Bytes> {
        let ChatRequest::Send {
            reference,
            email,
            text,
        } = match ChatRequest::parse(text) {
            Ok(request) => request,
            Err(rejected) => return Some(json_frame(&ChatEvent::Error(rejected))),
        };
        if !self.limit.allow(self.client) {
            return Some(json_frame(&ChatEvent::Error(ErrorFrame::new(
                reference,
                Invalid::new(CHAT_TOO_FAST),
            ))));
        }
        let outcome = match MessageDraft::new(&email, &text) {
            Ok(draft) => self.chat.post(draft).await.map_err(Invalid::from),
            Err(invalid) => Err(invalid),
        };
        let error = outcome.err()?;
        Some(json_frame(&ChatEvent::Error(ErrorFrame::new(
            reference, error,
        ))))
    }
}
