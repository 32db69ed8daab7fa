//! Two instances on one PostgreSQL database, and reading their sockets.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::pg;
use super::{Socket, TestServer};

/// Two instances sharing a fresh database on the run's cluster.
pub async fn two_instances() -> (TestServer, TestServer) {
    let a = TestServer::start_on(Some(pg::fresh_database().await), &[]).await;
    let b = a.sibling().await;
    (a, b)
}

/// A socket past its first frame (snapshot or history), which is returned too.
pub async fn joined(server: &TestServer, path: &str) -> (Socket, Value) {
    let mut socket = server.socket(path).await;
    let first = socket.next_json().await;
    (socket, first)
}

pub fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_u64().expect("an id"))
        .collect()
}

/// Reads `count` events, each reduced by `key` (the id, say).
pub async fn collect(socket: &mut Socket, count: usize, key: fn(&Value) -> String) -> Vec<String> {
    let mut seen = Vec::with_capacity(count);
    while seen.len() < count {
        seen.push(key(&socket.next_json().await));
    }
    seen
}

pub fn product_event(frame: &Value) -> String {
    match frame["type"].as_str() {
        Some("removed") => format!("removed {}", frame["id"]),
        Some(kind) => format!("{kind} {}", frame["product"]["id"]),
        None => panic!("not an event: {frame}"),
    }
}

pub fn chat_event(frame: &Value) -> String {
    assert_eq!(frame["type"], "message", "{frame}");
    frame["message"]["id"].to_string()
}

/// Creates `product` through `server`, retrying while the database comes back (503s), for at
/// most 20 s.
pub async fn created_eventually(server: &TestServer, product: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = server.post_json("/api/products", product).await;
        match status {
            201 => return body,
            503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            _ => panic!("create failed: {status} {body}"),
        }
    }
}
