//! The latest chat messages as this instance serves them: the `history` frame of every chat
//! socket, and the API's history pages that fall within them.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use tungstenite::Utf8Bytes;

use super::frame_bytes;
use super::view::{View, ViewState};
use crate::fanout::{encode_text, Pacing};
use app::domain::message::HISTORY_SIZE;
use app::domain::ChatMessage;
use app::protocol::ChatEvent;

/// How many of the latest messages are kept in memory. Older pages come from the store.
pub const WINDOW: usize = 1000;

pub type ChatView = View<Window>;

pub struct Window {
    /// The latest messages, ascending by id, at most [`WINDOW`].
    messages: VecDeque<ChatMessage>,
    /// Whether `messages` is every message there is (nothing older exists).
    complete: bool,
    /// The `history` frame, encoded once per change for every socket that joins.
    history: OnceLock<Bytes>,
}

impl View<Window> {
    /// `latest` are the newest messages, ascending by id; `complete` says that nothing older
    /// exists.
    pub fn chat(latest: Vec<ChatMessage>, complete: bool, pacing: Pacing) -> Arc<Self> {
        View::new(Window::new(latest, complete), pacing)
    }

    /// Applies one committed message and publishes `frame`, the same message as the bytes
    /// every socket gets.
    pub fn apply(&self, message: ChatMessage, frame: Utf8Bytes) {
        let mut window = self.write();
        window.push(message);
        self.events().publish(&frame);
    }

    /// Replaces the window (after this instance lost track of some messages) and sends every
    /// socket a fresh history.
    pub fn reset(&self, latest: Vec<ChatMessage>, complete: bool) {
        let mut window = self.write();
        *window = Window::new(latest, complete);
        self.events().publish_encoded(window.first_frame().clone());
    }

    /// The last `limit` messages with an id below `before` (all when `None`), oldest first, or
    /// `None` when the window cannot tell (older messages may exist that it does not hold).
    pub fn recent(&self, limit: usize, before: Option<u64>) -> Option<Vec<ChatMessage>> {
        let window = self.read();
        let end = match before {
            Some(before) => window.messages.partition_point(|m| m.id < before),
            None => window.messages.len(),
        };
        if end < limit && !window.complete {
            return None;
        }
        Some(
            window
                .messages
                .range(end.saturating_sub(limit)..end)
                .cloned()
                .collect(),
        )
    }
}

impl Window {
    fn new(latest: Vec<ChatMessage>, complete: bool) -> Self {
        let mut messages = VecDeque::from(latest);
        let excess = messages.len().saturating_sub(WINDOW);
        messages.drain(..excess);
        Window {
            messages,
            complete: complete && excess == 0,
            history: OnceLock::new(),
        }
    }

    fn push(&mut self, message: ChatMessage) {
        if self
            .messages
            .back()
            .is_some_and(|last| last.id >= message.id)
        {
            debug_assert!(false, "message {} applied out of order", message.id);
            return;
        }
        if self.messages.len() == WINDOW {
            self.messages.pop_front();
            self.complete = false;
        }
        self.messages.push_back(message);
        self.history = OnceLock::new();
    }
}

impl ViewState for Window {
    fn first_frame(&self) -> &Bytes {
        self.history.get_or_init(|| {
            let start = self.messages.len().saturating_sub(HISTORY_SIZE);
            encode_text(&frame_bytes(&ChatEvent::History {
                messages: self.messages.range(start..).cloned().collect(),
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACING: Pacing = Pacing { rest_ratio: 0.0 };

    fn message(id: u64) -> ChatMessage {
        ChatMessage {
            id,
            email: "ana@example.com".into(),
            text: format!("m{id}"),
            sent_at: ChatMessage::now(),
        }
    }

    fn ids(messages: Option<Vec<ChatMessage>>) -> Option<Vec<u64>> {
        messages.map(|m| m.iter().map(|m| m.id).collect())
    }

    #[tokio::test]
    async fn answers_from_memory_only_what_it_holds() {
        let view = ChatView::chat((1..=WINDOW as u64).map(message).collect(), true, PACING);
        assert_eq!(ids(view.recent(2, Some(3))), Some(vec![1, 2]));
        // One more message pushes the first out: the window no longer holds everything.
        view.apply(message(WINDOW as u64 + 1), "{}".into());
        assert_eq!(ids(view.recent(2, Some(4))), Some(vec![2, 3]));
        assert_eq!(
            ids(view.recent(5, Some(4))),
            None,
            "id 1 is only in the store"
        );
        assert_eq!(
            ids(view.recent(2, None)),
            Some(vec![WINDOW as u64, WINDOW as u64 + 1])
        );
    }

    #[tokio::test]
    async fn a_complete_window_answers_short_pages() {
        let view = ChatView::chat((1..=3).map(message).collect(), true, PACING);
        assert_eq!(ids(view.recent(100, None)), Some(vec![1, 2, 3]));
        assert_eq!(ids(view.recent(100, Some(1))), Some(vec![]));
        let partial = ChatView::chat((5..=7).map(message).collect(), false, PACING);
        assert_eq!(ids(partial.recent(100, None)), None);
        assert_eq!(ids(partial.recent(3, None)), Some(vec![5, 6, 7]));
    }
}
