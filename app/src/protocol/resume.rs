//! Where a socket starts (a `limit`, a resume after `since` in an `epoch`) and what a client
//! remembers of the frames it got so that it can ask for exactly that after a reconnect.

use serde::{Deserialize, Serialize};

use super::{ChatEvent, ProductEvent};
use crate::paths::encode_query_value;

/// Where a socket starts, from its URL's query (`/ws/products?limit=60&since=41&epoch=e`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketStart {
    /// Products: the snapshot holds only the first `limit` (1 to [`MAX_LIMIT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The last change (products) or message id (chat) the client has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
    /// The epoch that `since` belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// The largest `limit` a list request or a socket may ask for.
pub const MAX_LIMIT: u64 = 1000;

/// How many messages a resumed chat socket may have missed and still get them one by one
/// (more, and it gets a fresh `history`).
pub const CHAT_RESUME_LIMIT: usize = 1000;

impl SocketStart {
    /// The query string for a socket URL (empty when there is nothing to say).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(limit) = self.limit {
            parts.push(format!("limit={limit}"));
        }
        if let (Some(since), Some(epoch)) = (self.since, &self.epoch) {
            parts.push(format!("since={since}"));
            parts.push(format!("epoch={}", encode_query_value(epoch)));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// The `since` to resume from when it belongs to `epoch`.
    pub fn resumes(&self, epoch: &str) -> Option<u64> {
        match (&self.since, &self.epoch) {
            (Some(since), Some(wanted)) if wanted == epoch => Some(*since),
            _ => None,
        }
    }
}

/// What a client remembers of a socket's frames so that, after a reconnect, it asks for only
/// what it missed: the last change (products) or message id (chat) and the epoch they belong
/// to. A snapshot or a history sets both; every change moves `since` on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumePoint {
    since: Option<u64>,
    epoch: Option<String>,
}

impl ResumePoint {
    /// Takes note of one frame the server sent.
    pub fn note(&mut self, frame: &impl Resumable) {
        frame.advance(self);
    }

    /// The query a reconnecting socket sends.
    pub fn start(&self) -> SocketStart {
        SocketStart {
            limit: None,
            since: self.since,
            epoch: self.epoch.clone(),
        }
    }
}

/// A server frame that moves a [`ResumePoint`].
pub trait Resumable {
    fn advance(&self, point: &mut ResumePoint);
}

impl Resumable for ProductEvent {
    fn advance(&self, point: &mut ResumePoint) {
        match self {
            ProductEvent::Snapshot { seq, epoch, .. } => {
                point.since = Some(*seq);
                point.epoch = Some(epoch.clone());
            }
            ProductEvent::Added { seq, .. }
            | ProductEvent::Updated { seq, .. }
            | ProductEvent::Removed { seq, .. } => point.since = Some(*seq),
            ProductEvent::Resume { .. } | ProductEvent::Error(_) => {}
        }
    }
}

impl Resumable for ChatEvent {
    fn advance(&self, point: &mut ResumePoint) {
        match self {
            ChatEvent::History { messages, epoch } => {
                point.since = Some(messages.last().map_or(0, |m| m.id));
                point.epoch = Some(epoch.clone());
            }
            ChatEvent::Message { message } => point.since = Some(message.id),
            // A removal moves nothing: the resume point stays the last message seen.
            ChatEvent::Resume { .. }
            | ChatEvent::MessageRemoved { .. }
            | ChatEvent::Presence { .. }
            | ChatEvent::Error(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnecting_client_asks_for_what_follows_its_last_frame() {
        let mut point = ResumePoint::default();
        assert_eq!(
            point.start().query(),
            "",
            "nothing seen yet: a plain socket"
        );
        point.note(&ProductEvent::Snapshot {
            products: vec![],
            total: 0,
            seq: 7,
            epoch: "e 1".into(),
        });
        assert_eq!(point.start().query(), "?since=7&epoch=e%201");
        point.note(&ProductEvent::Removed { id: 3, seq: 9 });
        point.note(&ProductEvent::Resume { since: 2 });
        assert_eq!(point.start().resumes("e 1"), Some(9));
        assert_eq!(point.start().resumes("another"), None);

        let mut chat = ResumePoint::default();
        chat.note(&ChatEvent::History {
            messages: vec![],
            epoch: "c".into(),
        });
        assert_eq!(chat.start().query(), "?since=0&epoch=c");
    }
}
