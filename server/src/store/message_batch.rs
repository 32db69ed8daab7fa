//! Chat messages stored together (a group commit, see `group_commit`): one transaction with a
//! fixed number of statements however many messages there are. Both stores number a batch the
//! same way, from the counters' last values, and pass its rows to SQL as one JSON array
//! (`json_each` / `jsonb_array_elements`).

use serde::Serialize;
use sqlx::types::Json;
use tungstenite::Utf8Bytes;

use crate::live::frame_bytes;
use app::domain::{ChatMessage, MessageDraft};
use app::protocol::ChatEvent;

/// Messages numbered for storing: ids and change numbers in the order they were queued.
pub struct MessageBatch {
    pub messages: Vec<ChatMessage>,
    /// Each message's socket frame, as recorded in the change log and sent to sockets.
    pub frames: Vec<Utf8Bytes>,
    /// The change number of the first message; the others follow it.
    first_seq: i64,
}

#[derive(Serialize)]
pub struct MessageRow<'a> {
    id: i64,
    email: &'a str,
    text: &'a str,
    /// RFC 3339 with milliseconds, as stored (SQLite) or parsed (PostgreSQL).
    sent_at: String,
}

#[derive(Serialize)]
pub struct ChangeRow<'a> {
    seq: i64,
    frame: &'a str,
}

impl MessageBatch {
    /// Numbers `drafts` with the ids up to `last_id` and the change numbers up to `last_seq`
    /// (the values the counters returned when a batch's worth was taken).
    pub fn new(drafts: Vec<MessageDraft>, last_id: i64, last_seq: i64) -> MessageBatch {
        let count = drafts.len() as i64;
        let sent_at = ChatMessage::now();
        let messages: Vec<ChatMessage> = drafts
            .into_iter()
            .zip(last_id - count + 1..)
            .map(|(draft, id)| ChatMessage {
                id: id as u64,
                email: draft.email,
                text: draft.text,
                sent_at,
            })
            .collect();
        let frames = messages
            .iter()
            .map(|message| {
                frame_bytes(&ChatEvent::Message {
                    message: message.clone(),
                })
            })
            .collect();
        MessageBatch {
            messages,
            frames,
            first_seq: last_seq - count + 1,
        }
    }

    /// The change number of the last message.
    pub fn last_seq(&self) -> i64 {
        self.first_seq + self.messages.len() as i64 - 1
    }

    /// The `messages` rows, as a JSON array of objects.
    pub fn message_rows(&self) -> Json<Vec<MessageRow<'_>>> {
        Json(
            self.messages
                .iter()
                .map(|message| MessageRow {
                    id: message.id as i64,
                    email: &message.email,
                    text: &message.text,
                    sent_at: message
                        .sent_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                })
                .collect(),
        )
    }

    /// The change log's rows, as a JSON array of objects.
    pub fn change_rows(&self) -> Json<Vec<ChangeRow<'_>>> {
        Json(
            self.frames
                .iter()
                .zip(self.first_seq..)
                .map(|(frame, seq)| ChangeRow {
                    seq,
                    frame: frame.as_str(),
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_numbered_in_queue_order_up_to_the_counters() {
        let drafts = ["uno", "dos", "tres"]
            .map(|text| MessageDraft::new("ana@example.com", text).unwrap())
            .to_vec();
        let batch = MessageBatch::new(drafts, 12, 40);
        let ids: Vec<u64> = batch.messages.iter().map(|m| m.id).collect();
        assert_eq!(ids, [10, 11, 12]);
        assert_eq!(batch.last_seq(), 40);
        let Json(changes) = batch.change_rows();
        let seqs: Vec<i64> = changes.iter().map(|c| c.seq).collect();
        assert_eq!(seqs, [38, 39, 40]);
        assert!(
            changes[2].frame.contains("\"tres\""),
            "{}",
            changes[2].frame
        );
        let Json(rows) = batch.message_rows();
        assert_eq!((rows[0].id, rows[0].text), (10, "uno"));
        assert!(rows[0].sent_at.ends_with('Z'), "{}", rows[0].sent_at);
    }
}
