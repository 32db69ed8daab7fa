//! Memory that does not grow with history: the server keeps only the recent chat window in
//! memory, so posting a long chat leaves its memory where it was.

mod support;

use serde_json::json;
use support::{on_each_store, TestServer};

/// The server's resident memory, in KiB, from `/proc`.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Posts `count` messages through `writers` concurrent keep-alive clients.
async fn post_messages(server: &TestServer, count: usize, writers: usize) {
    let url = server.url("/api/messages");
    let tasks: Vec<_> = (0..writers)
        .map(|writer| {
            let (url, http) = (url.clone(), reqwest::Client::new());
            tokio::spawn(async move {
                for n in (writer..count).step_by(writers) {
                    let body = json!({"email": "ana@example.com", "text": format!("mensaje {n}")});
                    let response = http.post(&url).json(&body).send().await.expect("posted");
                    assert_eq!(response.status(), 201);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

on_each_store! {
    async fn memory_stays_flat_while_200_000_messages_are_posted() {
        let server = TestServer::start().await;
        // Warm up past the in-memory window, so what follows measures growth with history alone.
        post_messages(&server, 20_000, 8).await;
        let warm = rss_kib(server.pid());
        post_messages(&server, 180_000, 8).await;
        let after = rss_kib(server.pid());
        println!("server RSS: {warm} KiB after 20,000 messages, {after} KiB after 200,000");
        assert!(
            after < warm + 16 * 1024,
            "memory grew with the chat's history: {warm} KiB -> {after} KiB"
        );
        // Everything is still there: the oldest page comes from the store.
        // (Eight writers post at once, so which message took id 1 is not known, only that it
        // is one of theirs.)
        let (_, oldest) = server.get("/api/messages?limit=2&before=3").await;
        assert_eq!(
            (oldest[0]["id"].as_u64(), oldest[1]["id"].as_u64()),
            (Some(1), Some(2))
        );
        assert!(
            oldest[0]["text"]
                .as_str()
                .is_some_and(|text| text.starts_with("mensaje ")),
            "{oldest}"
        );
        let (_, newest) = server.get("/api/messages?limit=1").await;
        assert_eq!(newest[0]["id"], 200_000);
    }
}
