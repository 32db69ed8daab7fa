//! `/ws/chat`: the history, then every message; `send` requests.

use std::sync::Arc;

use bytes::Bytes;
use tungstenite::Utf8Bytes;

use super::connection::Channel;
use crate::chat_room::ChatRoom;
use crate::fanout::Fanout;
use crate::live::frame_bytes;
use app::domain::{Invalid, MessageDraft};
use app::protocol::{ChatEvent, ChatRequest, ErrorFrame};

pub struct ChatChannel(pub Arc<ChatRoom>);

impl Channel for ChatChannel {
    fn first_frame(&self) -> (Bytes, u64) {
        self.0.first_frame()
    }

    fn events(&self) -> &Fanout {
        self.0.events()
    }

    async fn handle(&self, text: &str) -> Option<Utf8Bytes> {
        let ChatRequest::Send {
            reference,
            email,
            text,
        } = match ChatRequest::parse(text) {
            Ok(request) => request,
            Err(rejected) => return Some(frame_bytes(&ChatEvent::Error(rejected))),
        };
        let outcome = match MessageDraft::new(&email, &text) {
            Ok(draft) => self.0.post(draft).await.map_err(Invalid::from),
            Err(invalid) => Err(invalid),
        };
        let error = outcome.err()?;
        Some(frame_bytes(&ChatEvent::Error(ErrorFrame::new(
            reference, error,
        ))))
    }
}
