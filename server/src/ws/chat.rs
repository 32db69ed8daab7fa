//! `/ws/chat`: the history, then every message and the presence count; `send` requests.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;

use super::connection::Channel;
use crate::auth::{Credentials, Policy};
use crate::chat_room::ChatRoom;
use crate::fanout::{json_frame, Mailbox};
use crate::guard::chat_limit::ChatLimit;
use crate::presence::Presence;
use crate::store::StoreError;
use app::domain::access::Member;
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
    /// What the socket was opened with: a staff session sends as the member (looked up at
    /// each message, so a logout ends it at once).
    pub policy: Arc<Policy>,
    pub credentials: Credentials,
}

impl ChatChannel {
    /// The member of the staff the socket's credentials stand for now, if any.
    async fn member(&self) -> Result<Option<Member>, StoreError> {
        if self.credentials.session().is_none() && self.credentials.bearer().is_none() {
            return Ok(None);
        }
        let access = self
            .policy
            .access(&self.credentials)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(access.member().cloned())
    }
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
            Ok(draft) => match self.member().await {
                Ok(member) => self
                    .chat
                    .post(draft, member.as_ref())
                    .await
                    .map_err(Invalid::from),
                Err(unavailable) => Err(Invalid::from(unavailable)),
            },
            Err(invalid) => Err(invalid),
        };
        let error = outcome.err()?;
        Some(json_frame(&ChatEvent::Error(ErrorFrame::new(
            reference, error,
        ))))
    }
}
