//! Chat messages stored together (a group commit, see `group_commit`): one transaction with a
//! fixed number of statements however many messages there are. A batch is numbered from the
//! counters' last values, the same way in both stores, and its rows go to SQL as one JSON
//! array.

use super::change::{Change, Channel};
use super::rows::MessageRow;
use app::domain::{ChatMessage, MessageDraft};
use app::protocol::ChatEvent;

/// Messages numbered for storing: ids and change numbers in the order they were queued.
pub struct MessageBatch {
    pub messages: Vec<ChatMessage>,
    /// Each message's change, as recorded in the log and handed to the subscriber.
    pub changes: Vec<Change>,
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
                staff: draft.staff,
            })
            .collect();
        let changes = messages
            .iter()
            .zip(last_seq - count + 1..)
            .map(|(message, seq)| {
                let event = ChatEvent::Message {
                    message: message.clone(),
                };
                Change::new(seq as u64, Channel::Chat, &event)
            })
            .collect();
        MessageBatch { messages, changes }
    }

    /// The `messages` rows, each with the number of its change.
    pub fn rows(&self) -> Vec<MessageRow<'_>> {
        self.messages
            .iter()
            .zip(&self.changes)
            .map(|(message, change)| MessageRow::of(message, Some(change.seq)))
            .collect()
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
        let seqs: Vec<u64> = batch.changes.iter().map(|c| c.seq).collect();
        assert_eq!(seqs, [38, 39, 40]);
        assert!(
            batch.changes[2].event.contains("\"tres\""),
            "{}",
            batch.changes[2].event
        );
        let rows = batch.rows();
        assert_eq!(
            (rows[0].id, rows[0].seq, rows[0].text),
            (10, Some(38), "uno")
        );
        assert!(rows[0].sent_at.ends_with('Z'), "{}", rows[0].sent_at);
    }
}
