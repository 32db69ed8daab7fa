//! What must hold when things go wrong: floods, crashes and shutdowns.

mod support;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::json;
use support::{acknowledged, assert_all_kept, by_id, gather_writers, product, TestServer};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn frames_past_the_budget_get_error_frames_and_a_flood_closes_the_socket_with_1008() {
    let server =
        TestServer::start_with(&[("WS_FRAMES_PER_SEC", "50"), ("WS_FRAME_BURST", "20")]).await;
    let mut flooder = server.socket("/ws/products").await;
    flooder.next_json().await;
    // A little over the budget: the excess is refused with error frames, the socket stays.
    for n in 0..30 {
        flooder
            .send_json(json!({"type": "remove", "ref": format!("f{n}"), "id": 999}))
            .await;
    }
    let mut limited = 0;
    for _ in 0..30 {
        let error = flooder.next_json().await;
        assert_eq!(error["type"], "error");
        if error["message"].as_str().unwrap().starts_with("Demasiados") {
            limited += 1;
        }
    }
    assert!(
        limited >= 5,
        "the frames past the burst are refused, got {limited}"
    );
    // After a pause the same socket is served again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    flooder
        .send_json(json!({"type": "add", "product": product(1)}))
        .await;
    assert_eq!(flooder.next_change().await["type"], "added");

    // A socket that keeps on past its budget is closed with 1008.
    for n in 0..300 {
        let sent = flooder
            .stream
            .send(Message::Text(
                json!({"type": "remove", "ref": n, "id": 999})
                    .to_string()
                    .into(),
            ))
            .await;
        if sent.is_err() {
            break;
        }
    }
    let mut close_code = None;
    while let Ok(Some(frame)) =
        tokio::time::timeout(Duration::from_secs(10), flooder.stream.next()).await
    {
        match frame {
            Ok(Message::Close(frame)) => {
                close_code = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
    assert_eq!(close_code, Some(1008));
    assert_eq!(
        server.create(&product(2)).await["id"],
        2,
        "everyone else is served"
    );
}

#[tokio::test]
async fn sigterm_closes_sockets_with_1001_and_keeps_every_acknowledged_write() {
    let mut server = TestServer::start().await;
    let mut socket = server.socket("/ws/chat").await;
    socket.next_json().await;

    let http = server.http.clone();
    let url = server.url("/api/messages");
    let writer = tokio::spawn(async move {
        let mut kept = Vec::new();
        for n in 0..10_000 {
            let body = json!({"email": "ana@example.com", "text": format!("m{n}")});
            let Some(message) = acknowledged(&http, &url, &body).await else {
                break;
            };
            kept.push(message);
        }
        kept
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.terminate();
    assert!(log.contains("cerrando"), "{log}");

    // The socket got a close frame with 1001 ("going away").
    let mut close_code = None;
    while let Some(Ok(message)) = socket.stream.next().await {
        if let Message::Close(frame) = message {
            close_code = frame.map(|f| u16::from(f.code));
            break;
        }
    }
    assert_eq!(close_code, Some(1001));

    let acknowledged = writer.await.unwrap();
    assert!(!acknowledged.is_empty());
    server.launch().await.unwrap();
    let stored = by_id(&server.all_messages().await);
    assert_all_kept(&acknowledged, &stored, "message");
}

#[tokio::test]
async fn kill_9_during_concurrent_writes_loses_nothing_acknowledged() {
    let mut server = TestServer::start().await;
    let mut writers = Vec::new();
    for worker in 0..4 {
        let http = server.http.clone();
        let products = server.url("/api/products");
        let messages = server.url("/api/messages");
        writers.push(tokio::spawn(async move {
            let (mut made, mut said) = (Vec::new(), Vec::new());
            for n in 0..100_000 {
                let mut body = product(worker * 100_000 + n);
                body["code"] = json!(format!("W{worker}-{n}"));
                let Some(created) = acknowledged(&http, &products, &body).await else {
                    break;
                };
                made.push(created);
                let text = json!({"email": "ana@example.com", "text": format!("w{worker} n{n}")});
                let Some(message) = acknowledged(&http, &messages, &text).await else {
                    break;
                };
                said.push(message);
            }
            (made, said)
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill();
    let (made, said) = gather_writers(writers).await;
    assert!(
        made.len() > 10 && said.len() > 10,
        "the writers were busy: {} {}",
        made.len(),
        said.len()
    );

    server
        .launch()
        .await
        .expect("the files left by kill -9 load");
    assert_all_kept(
        &made,
        &by_id(&server.get("/api/products").await.1),
        "product",
    );
    let messages = by_id(&server.all_messages().await);
    assert_all_kept(&said, &messages, "message");
    // And new writes carry on with fresh ids.
    let next = server.create(&product(999_999)).await;
    assert!(made.iter().all(|p| p["id"] != next["id"]));
}
