//! The chat island's state as a plain reducer: the messages shown, whether older ones exist,
//! how many are online, the message in flight (given back if the server refuses it), and
//! where the reader is: at the latest message (new ones scroll into view) or scrolled up to
//! read (they keep their place, and the new ones are counted for "N mensajes nuevos").
//! [`ChatLog::apply`] says what changed; the island turns that into signals. Tested without a
//! browser or a reactive owner.

use crate::domain::message::HISTORY_SIZE;
use crate::domain::ChatMessage;
use crate::protocol::ChatEvent;

/// How many older messages "ver anteriores" loads at a time.
pub const OLDER_PAGE: usize = 50;

/// The most messages kept as they arrive: a page left open for months does not grow without
/// end; the oldest go (and "ver anteriores" brings them back).
pub const MAX_KEPT: usize = 1_000;

#[derive(Clone, Debug, PartialEq)]
pub enum ChatUpdate {
    /// A frame of `/ws/chat`.
    Socket(ChatEvent),
    /// This page sent a message with this `ref` and text.
    Sent {
        reference: String,
        text: String,
    },
    /// The older messages asked for ("ver anteriores"), oldest first.
    Older(Vec<ChatMessage>),
    OlderFailed,
    /// The reader scrolled: to the latest message (`true`) or away from it.
    Scrolled {
        at_latest: bool,
    },
    /// "N mensajes nuevos": to the latest message.
    ToLatest,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatChanged {
    pub messages: bool,
    /// Messages were added at the top: the list must not jump to its bottom.
    pub prepended: bool,
    pub online: bool,
    pub error: Option<String>,
    /// The refused message's text, to give back to the box if it is empty.
    pub give_back: Option<String>,
    /// Bring the latest message into view.
    pub to_latest: bool,
    /// The count of new messages below the reader changed.
    pub unseen: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ChatLog {
    messages: Vec<ChatMessage>,
    more_before: bool,
    online: Option<u64>,
    in_flight: Option<(String, String)>,
    /// The reader scrolled up, away from the latest message.
    reading_back: bool,
    /// Messages that arrived below while reading back.
    unseen: usize,
}

impl ChatLog {
    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    /// Whether older messages than the first shown exist.
    pub fn more_before(&self) -> bool {
        self.more_before
    }

    /// How many are in the chat (on every instance), as the server last said.
    pub fn online(&self) -> Option<u64> {
        self.online
    }

    /// Messages that arrived below the reader while they were reading back.
    pub fn unseen(&self) -> usize {
        self.unseen
    }

    /// The id before which "ver anteriores" asks.
    pub fn oldest(&self) -> Option<u64> {
        self.messages.first().map(|m| m.id)
    }

    pub fn apply(&mut self, update: ChatUpdate) -> ChatChanged {
        let mut changed = ChatChanged::default();
        match update {
            ChatUpdate::Socket(ChatEvent::History { messages, .. }) => {
                self.more_before = messages.len() >= HISTORY_SIZE;
                self.messages = messages;
                changed.messages = true;
                self.follow(&mut changed);
            }
            ChatUpdate::Socket(ChatEvent::Message { message }) => {
                if self.messages.last().is_none_or(|last| last.id < message.id) {
                    self.messages.push(message);
                    if self.messages.len() > MAX_KEPT {
                        self.messages.drain(..self.messages.len() - MAX_KEPT);
                        self.more_before = true;
                    }
                    changed.messages = true;
                    if self.reading_back {
                        self.unseen += 1;
                        changed.unseen = true;
                    } else {
                        changed.to_latest = true;
                    }
                }
            }
            ChatUpdate::Socket(ChatEvent::MessageRemoved { id }) => {
                if let Some(at) = self.messages.iter().position(|m| m.id == id) {
                    self.messages.remove(at);
                    changed.messages = true;
                }
            }
            ChatUpdate::Socket(ChatEvent::Presence { online }) => {
                self.online = Some(online);
                changed.online = true;
            }
            // What was missed follows as ordinary messages.
            ChatUpdate::Socket(ChatEvent::Resume { .. }) => {}
            ChatUpdate::Socket(ChatEvent::Error(frame)) => {
                if let Some((reference, text)) = self.in_flight.take() {
                    if frame.reference.as_ref() == Some(&reference) {
                        changed.give_back = Some(text);
                    } else {
                        self.in_flight = Some((reference, text));
                    }
                }
                let detail = frame.fields.values().cloned().collect::<Vec<_>>();
                changed.error = Some(if detail.is_empty() {
                    frame.message
                } else {
                    format!("{}: {}", frame.message, detail.join(", "))
                });
            }
            // Who sends wants to see their message arrive.
            ChatUpdate::Sent { reference, text } => {
                self.in_flight = Some((reference, text));
                self.follow(&mut changed);
            }
            ChatUpdate::Scrolled { at_latest } => {
                if at_latest {
                    if self.reading_back {
                        self.reading_back = false;
                        self.unseen = 0;
                        changed.unseen = true;
                    }
                } else {
                    self.reading_back = true;
                }
            }
            ChatUpdate::ToLatest => self.follow(&mut changed),
            ChatUpdate::Older(older) => {
                self.more_before = older.len() >= OLDER_PAGE;
                let oldest = self.oldest().unwrap_or(u64::MAX);
                let older: Vec<_> = older.into_iter().filter(|m| m.id < oldest).collect();
                self.messages.splice(0..0, older);
                changed.messages = true;
                changed.prepended = true;
            }
            ChatUpdate::OlderFailed => {
                changed.error = Some("No se pudieron cargar los mensajes anteriores".into());
            }
        }
        changed
    }

    /// Back to the latest message, with nothing left unseen.
    fn follow(&mut self, changed: &mut ChatChanged) {
        self.reading_back = false;
        changed.to_latest = true;
        if self.unseen > 0 {
            self.unseen = 0;
            changed.unseen = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldErrors;
    use crate::protocol::ErrorFrame;

    fn message(id: u64) -> ChatMessage {
        ChatMessage {
            id,
            email: "ana@example.com".into(),
            text: format!("mensaje {id}"),
            sent_at: chrono::DateTime::UNIX_EPOCH,
            staff: false,
        }
    }

    fn history(ids: std::ops::RangeInclusive<u64>) -> ChatUpdate {
        ChatUpdate::Socket(ChatEvent::History {
            messages: ids.map(message).collect(),
            epoch: "e".into(),
        })
    }

    fn arrived(id: u64) -> ChatUpdate {
        ChatUpdate::Socket(ChatEvent::Message {
            message: message(id),
        })
    }

    fn ids(log: &ChatLog) -> Vec<u64> {
        log.messages().iter().map(|m| m.id).collect()
    }

    #[test]
    fn messages_arrive_once_in_order_and_older_ones_go_on_top() {
        let mut log = ChatLog::default();
        log.apply(history(101..=200));
        assert!(log.more_before(), "a full history: older ones exist");
        log.apply(arrived(201));
        assert!(!log.apply(arrived(201)).messages, "a repeat is ignored");
        let changed = log.apply(ChatUpdate::Older((51..=100).map(message).collect()));
        assert!(changed.prepended);
        assert_eq!(ids(&log)[..2], [51, 52]);
        assert_eq!(ids(&log).len(), 151);
        assert_eq!(log.oldest(), Some(51));
    }

    #[test]
    fn a_page_open_for_months_keeps_a_bounded_number_of_messages() {
        let mut log = ChatLog::default();
        log.apply(history(1..=10));
        for id in 11..=5_000 {
            log.apply(arrived(id));
        }
        assert_eq!(log.messages().len(), MAX_KEPT);
        assert_eq!(ids(&log).last(), Some(&5_000));
        assert!(log.more_before(), "the dropped ones can be loaded again");
    }

    #[test]
    fn a_refused_message_is_given_back_with_the_reason() {
        let mut log = ChatLog::default();
        log.apply(ChatUpdate::Sent {
            reference: "send-1".into(),
            text: "hola".into(),
        });
        let changed = log.apply(ChatUpdate::Socket(ChatEvent::Error(ErrorFrame {
            reference: Some("send-1".into()),
            message: "Mensaje inválido".into(),
            fields: FieldErrors::from([("text".to_string(), "es muy largo".to_string())]),
        })));
        assert_eq!(changed.give_back.as_deref(), Some("hola"));
        assert_eq!(
            changed.error.as_deref(),
            Some("Mensaje inválido: es muy largo")
        );
        let presence = log.apply(ChatUpdate::Socket(ChatEvent::Presence { online: 3 }));
        assert!(presence.online);
        assert_eq!(log.online(), Some(3));
    }

    #[test]
    fn a_reader_scrolled_up_keeps_the_place_and_counts_what_arrives() {
        let mut log = ChatLog::default();
        assert!(log.apply(history(1..=10)).to_latest);
        assert!(log.apply(arrived(11)).to_latest, "at the latest: follow");
        log.apply(ChatUpdate::Scrolled { at_latest: false });
        for id in 12..=14 {
            let changed = log.apply(arrived(id));
            assert!(changed.messages && changed.unseen && !changed.to_latest);
        }
        assert_eq!(log.unseen(), 3);
        // "3 mensajes nuevos" brings the reader down, and the count goes.
        let changed = log.apply(ChatUpdate::ToLatest);
        assert!(changed.to_latest && changed.unseen);
        assert_eq!(log.unseen(), 0);
        assert!(log.apply(arrived(15)).to_latest);
        // Scrolling down by hand counts as reading them.
        log.apply(ChatUpdate::Scrolled { at_latest: false });
        log.apply(arrived(16));
        log.apply(ChatUpdate::Scrolled { at_latest: true });
        assert_eq!(log.unseen(), 0);
        // Sending brings one down to see the message arrive.
        log.apply(ChatUpdate::Scrolled { at_latest: false });
        log.apply(arrived(17));
        let sent = log.apply(ChatUpdate::Sent {
            reference: "send-1".into(),
            text: "hola".into(),
        });
        assert!(sent.to_latest && log.unseen() == 0);
    }

    #[test]
    fn a_removed_message_leaves_the_page() {
        let mut log = ChatLog::default();
        log.apply(history(1..=3));
        let removed = ChatUpdate::Socket(ChatEvent::MessageRemoved { id: 2 });
        let changed = log.apply(removed.clone());
        assert!(
            changed.messages && !changed.to_latest,
            "the reader stays where they are"
        );
        assert_eq!(ids(&log), [1, 3]);
        assert!(!log.apply(removed).messages, "once is enough");
    }
}
