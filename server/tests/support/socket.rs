//! A WebSocket client speaking the JSON frames of the contract.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

pub struct Socket {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    pub async fn send_json(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("socket send");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.to_string().into()))
            .await
            .expect("socket send");
    }

    /// The next JSON text frame, failing the test after 10 s (generous: CI machines are busy).
    /// `presence` frames are skipped, as the contract tells clients to do with frames they do
    /// not follow; [`next_presence`](Self::next_presence) reads those.
    pub async fn next_json(&mut self) -> Value {
        self.try_next_json(Duration::from_secs(10))
            .await
            .expect("a frame within 10 s")
    }

    /// The next frame, with the `seq` of a change event (`added`, `updated`, `removed`) checked
    /// to be a positive number and then taken out, for comparing with the change alone.
    pub async fn next_change(&mut self) -> Value {
        let mut frame = self.next_json().await;
        if matches!(
            frame["type"].as_str(),
            Some("added" | "updated" | "removed")
        ) {
            let seq = frame
                .as_object_mut()
                .and_then(|f| f.remove("seq"))
                .and_then(|seq| seq.as_u64());
            assert!(seq.is_some_and(|seq| seq > 0), "a change carries its seq");
        }
        frame
    }

    /// The next JSON text frame within `wait` (`presence` frames skipped), or `None` if none
    /// came or the socket ended.
    pub async fn try_next_json(&mut self, wait: Duration) -> Option<Value> {
        self.next_matching(wait, |frame| frame["type"] != "presence")
            .await
    }

    /// The next `presence` frame's count, failing the test after 10 s.
    pub async fn next_presence(&mut self) -> u64 {
        let frame = self
            .next_matching(Duration::from_secs(10), |frame| frame["type"] == "presence")
            .await
            .expect("a presence frame within 10 s");
        frame["online"].as_u64().expect("a count")
    }

    async fn next_matching(&mut self, wait: Duration, wanted: fn(&Value) -> bool) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??;
            // A reset or a close both mean the server ended this socket.
            match message.ok()? {
                Message::Text(text) => {
                    let frame: Value = serde_json::from_str(&text).expect("JSON frame");
                    if wanted(&frame) {
                        return Some(frame);
                    }
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }
}
