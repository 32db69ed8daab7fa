//! What only the file store does: the files' format on disk, and how start-up treats damaged
//! files. (The other suites run against both stores; see `scripts/test.sh`.)

mod support;

use std::io::Write;

use support::{lines, product, TestServer};

async fn post(server: &TestServer, email: &str, text: &str) -> (u16, serde_json::Value) {
    server
        .post_json(
            "/api/messages",
            &serde_json::json!({"email": email, "text": text}),
        )
        .await
}

fn ids(list: &serde_json::Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_corrupt_catalog_stops_start_up_naming_the_file() {
    let mut server = TestServer::start_on(None, &[]).await;
    server.create(&product(1)).await;
    server.terminate();
    let path = server.data_file("products.json");
    std::fs::write(&path, b"{\"next_id\": 2, \"products\": [").unwrap();
    let output = server
        .launch()
        .await
        .expect_err("start-up must refuse a corrupt catalog");
    assert!(
        output.contains("products.json"),
        "the message names the file: {output}"
    );
    // The damaged file is left as it was, for a person to look at.
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"next_id\": 2, \"products\": ["
    );
}

#[tokio::test]
async fn a_torn_last_line_is_repaired_and_reported() {
    let mut server = TestServer::start_on(None, &[]).await;
    post(&server, "ana@example.com", "entera").await;
    post(&server, "ana@example.com", "también entera").await;
    server.kill();
    // A crash in the middle of writing the third message.
    let path = server.data_file("chat.jsonl");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(br#"{"id":3,"email":"ana@example.com","te"#)
        .unwrap();

    server
        .launch()
        .await
        .expect("a torn last line does not stop start-up");
    assert_eq!(ids(&server.get("/api/messages").await.1), [1, 2]);
    assert_eq!(lines(&path).len(), 2, "the torn line is gone from the file");
    assert_eq!(post(&server, "ana@example.com", "después").await.1["id"], 3);
    assert_eq!(lines(&path).len(), 3);
    let log = server.terminate();
    assert!(log.contains("torn"), "the repair is reported:\n{log}");
}

#[tokio::test]
async fn corruption_before_the_last_line_stops_start_up_naming_file_and_line() {
    let mut server = TestServer::start_on(None, &[]).await;
    for text in ["uno", "dos", "tres"] {
        post(&server, "ana@example.com", text).await;
    }
    server.terminate();
    let path = server.data_file("chat.jsonl");
    let mut content = lines(&path);
    content[1] = "{garbage".into();
    std::fs::write(&path, content.join("\n") + "\n").unwrap();

    let output = server
        .launch()
        .await
        .expect_err("corruption must stop start-up");
    assert!(
        output.contains("chat.jsonl") && output.contains("line 2"),
        "{output}"
    );
}
