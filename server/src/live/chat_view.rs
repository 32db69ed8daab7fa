//! The latest chat messages as this instance serves them: the `history` frame of every chat
//! socket, and the API's history pages that fall within them.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use tungstenite::Utf8Bytes;

use super::view::{View, ViewState};
use crate::fanout::{encode_text, frames, json_frame, Pacing};
use crate::store::CHAT_WINDOW as WINDOW;
use app::domain::message::HISTORY_SIZE;
use app::domain::ChatMessage;
use app::protocol::{ChatEvent, SocketStart, CHAT_RESUME_LIMIT as RESUME_LIMIT};

pub type ChatView = View<Window>;

pub struct Window {
    /// The latest messages, ascending by id, at most [`WINDOW`].
    messages: VecDeque<ChatMessage>,
    /// Whether `messages` is every message there is (nothing older exists).
    complete: bool,
    /// The `history` frame, encoded once per change for every socket that joins.
    history: OnceLock<Bytes>,
    /// The store's history these messages belong to.
    epoch: Arc<str>,
    /// The latest removals (at most [`REMOVALS_KEPT`]): each removed id, and the latest message
    /// id when it was removed, so a socket resuming from before it is told.
    removals: VecDeque<(u64, u64)>,
    /// The latest message id when the oldest removal no longer kept was made: a socket
    /// resuming from before it gets a fresh history instead.
    removals_forgotten: Option<u64>,
}

/// How many removals are kept for resuming sockets.
const REMOVALS_KEPT: usize = 1_000;

impl View<Window> {
    /// `latest` are the newest messages, ascending by id; `complete` says that nothing older
    /// exists.
    pub fn chat(
        latest: Vec<ChatMessage>,
        complete: bool,
        epoch: &str,
        pacing: Pacing,
    ) -> Arc<Self> {
        View::new(Window::new(latest, complete, epoch.into()), pacing)
    }

    /// Applies one committed message and publishes `text`, the same message as the JSON
    /// every socket gets.
    pub fn apply(&self, message: ChatMessage, text: Utf8Bytes) {
        let mut window = self.write();
        window.push(message);
        self.publish(encode_text(&text));
    }

    /// Takes out message `id`, which a moderator removed, and publishes `text`, the removal as
    /// the JSON every socket gets.
    pub fn remove(&self, id: u64, text: Utf8Bytes) {
        let mut window = self.write();
        window.remove(id);
        self.publish(encode_text(&text));
    }

    /// Replaces the window (after this instance lost track of some messages) and sends every
    /// socket a fresh history. The removals stay known: a socket may resume from before them.
    pub fn reset(&self, latest: Vec<ChatMessage>, complete: bool) {
        let mut window = self.write();
        let mut fresh = Window::new(latest, complete, window.epoch.clone());
        fresh.removals = std::mem::take(&mut window.removals);
        fresh.removals_forgotten = window.removals_forgotten;
        *window = fresh;
        self.replaced();
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
    /// A socket's first frames for `start`: a resume, the removals it may have missed and the
    /// messages after `since` when the window holds them all (at most [`RESUME_LIMIT`]), else
    /// the history.
    pub fn opening(&self, start: &SocketStart) -> Bytes {
        match start
            .resumes(&self.epoch)
            .filter(|since| {
                self.removals_forgotten
                    .is_none_or(|forgotten| *since > forgotten)
            })
            .and_then(|since| self.after(since))
        {
            Some((since, missed)) => {
                let resume = json_frame(&ChatEvent::Resume { since });
                // A removal made when `since` was the latest, or later, may not have reached it.
                let removed = self
                    .removals
                    .iter()
                    .filter(|(_, latest)| *latest >= since)
                    .map(|(id, _)| json_frame(&ChatEvent::MessageRemoved { id: *id }));
                let missed = missed.map(|message| {
                    json_frame(&ChatEvent::Message {
                        message: message.clone(),
                    })
                });
                frames::concat(std::iter::once(resume).chain(removed).chain(missed))
            }
            None => self.first_frame().clone(),
        }
    }

    fn remove(&mut self, id: u64) {
        if let Ok(at) = self.messages.binary_search_by_key(&id, |m| m.id) {
            self.messages.remove(at);
            self.history = OnceLock::new();
        }
        let latest = self.messages.back().map_or(0, |m| m.id).max(id);
        if self.removals.len() == REMOVALS_KEPT {
            if let Some((_, forgotten)) = self.removals.pop_front() {
                self.removals_forgotten = Some(forgotten);
            }
        }
        self.removals.push_back((id, latest));
    }

    fn new(latest: Vec<ChatMessage>, complete: bool, epoch: Arc<str>) -> Self {
        let mut messages = VecDeque::from(latest);
        let excess = messages.len().saturating_sub(WINDOW);
        messages.drain(..excess);
        Window {
            messages,
            complete: complete && excess == 0,
            history: OnceLock::new(),
            epoch,
            removals: VecDeque::new(),
            removals_forgotten: None,
        }
    }

    /// The messages after id `since` when the window can tell them all and there are at most
    /// [`RESUME_LIMIT`]: `since` must be a message it holds, or 0 when it holds every message.
    fn after(&self, since: u64) -> Option<(u64, impl Iterator<Item = &ChatMessage>)> {
        let start = if since == 0 {
            self.complete.then_some(0)?
        } else {
            let at = self.messages.partition_point(|m| m.id < since);
            (self.messages.get(at)?.id == since).then_some(at + 1)?
        };
        (self.messages.len() - start <= RESUME_LIMIT).then(|| (since, self.messages.range(start..)))
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
            json_frame(&ChatEvent::History {
                messages: self.messages.range(start..).cloned().collect(),
                epoch: self.epoch.to_string(),
            })
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
            staff: false,
        }
    }

    fn ids(messages: Option<Vec<ChatMessage>>) -> Option<Vec<u64>> {
        messages.map(|m| m.iter().map(|m| m.id).collect())
    }

    #[tokio::test]
    async fn answers_from_memory_only_what_it_holds() {
        let view = ChatView::chat(
            (1..=WINDOW as u64).map(message).collect(),
            true,
            "e",
            PACING,
        );
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
        let view = ChatView::chat((1..=3).map(message).collect(), true, "e", PACING);
        assert_eq!(ids(view.recent(100, None)), Some(vec![1, 2, 3]));
        assert_eq!(ids(view.recent(100, Some(1))), Some(vec![]));
        let partial = ChatView::chat((5..=7).map(message).collect(), false, "e", PACING);
        assert_eq!(ids(partial.recent(100, None)), None);
        assert_eq!(ids(partial.recent(3, None)), Some(vec![5, 6, 7]));
    }

    fn opened(view: &ChatView, since: u64, epoch: &str) -> Vec<serde_json::Value> {
        let start = SocketStart {
            limit: None,
            since: Some(since),
            epoch: Some(epoch.into()),
        };
        let bytes = view.read().opening(&start);
        let mut frames = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let (skip, len) = match rest[1] {
                126 => (4, u16::from_be_bytes([rest[2], rest[3]]) as usize),
                127 => panic!("frames this small"),
                len => (2, len as usize),
            };
            frames.push(serde_json::from_slice(&rest[skip..skip + len]).unwrap());
            rest = &rest[skip + len..];
        }
        frames
    }

    #[tokio::test]
    async fn resumes_by_id_within_the_window_and_epoch() {
        let view = ChatView::chat((1..=5).map(message).collect(), true, "e", PACING);
        let frames = opened(&view, 3, "e");
        assert_eq!(frames[0], serde_json::json!({"type": "resume", "since": 3}));
        let ids: Vec<_> = frames[1..]
            .iter()
            .map(|f| f["message"]["id"].clone())
            .collect();
        assert_eq!(ids, vec![4, 5]);
        assert_eq!(
            opened(&view, 5, "e").len(),
            1,
            "nothing missed: the resume alone"
        );
        assert_eq!(
            opened(&view, 0, "e").len(),
            6,
            "from the start: every message"
        );
        assert_eq!(opened(&view, 3, "other")[0]["type"], "history");
        assert_eq!(opened(&view, 9, "e")[0]["type"], "history", "not a message");
    }

    #[tokio::test]
    async fn too_many_missed_gets_a_history() {
        let view = ChatView::chat(
            (1..=WINDOW as u64).map(message).collect(),
            true,
            "e",
            PACING,
        );
        assert_eq!(
            opened(&view, 1, "e").len(),
            RESUME_LIMIT + 1,
            "exactly the limit missed"
        );
        view.apply(message(WINDOW as u64 + 1), "{}".into());
        assert_eq!(
            opened(&view, 1, "e")[0]["type"],
            "history",
            "no longer held"
        );
        assert_eq!(
            opened(&view, 0, "e")[0]["type"],
            "history",
            "no longer complete"
        );
    }

    #[tokio::test]
    async fn a_removal_leaves_the_window_and_reaches_sockets_resuming_from_before_it() {
        let view = ChatView::chat((1..=5).map(message).collect(), true, "e", PACING);
        view.remove(3, r#"{"type":"message_removed","id":3}"#.into());
        assert_eq!(ids(view.recent(10, None)), Some(vec![1, 2, 4, 5]));
        let history = opened(&view, 0, "other epoch");
        assert_eq!(history[0]["type"], "history");
        assert_eq!(history[0]["messages"].as_array().unwrap().len(), 4);
        // From 5, the latest when it was removed: told. From 2: told, then 4 and 5.
        let from_5 = opened(&view, 5, "e");
        assert_eq!(
            from_5[1],
            serde_json::json!({"type": "message_removed", "id": 3})
        );
        let from_2 = opened(&view, 2, "e");
        assert_eq!(from_2.len(), 4, "{from_2:?}");
        assert_eq!(from_2[1]["type"], "message_removed");
        // A later message: a socket that had it saw the removal before it.
        view.apply(message(6), "{}".into());
        assert_eq!(opened(&view, 6, "e").len(), 1, "the resume alone");
    }
}
