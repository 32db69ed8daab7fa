//! What must hold when things go wrong: floods, crashes and shutdowns.

mod support;

use futures::StreamExt;
use serde_json::json;
use support::{
    acknowledged, assert_all_kept, by_id, gather_writers, on_each_store, product, Progress,
    TestServer,
};
use tokio_tungstenite::tungstenite::Message;

on_each_store! {

    async fn sigterm_closes_sockets_with_1001_and_keeps_every_acknowledged_write() {
        let mut server = TestServer::start().await;
        let mut socket = server.socket("/ws/chat").await;
        socket.next_json().await;

        let http = server.http.clone();
        let url = server.url("/api/messages");
        let progress = Progress::default();
        let done = progress.clone();
        let writer = tokio::spawn(async move {
            let mut kept = Vec::new();
            for n in 0..10_000 {
                let body = json!({"email": "ana@example.com", "text": format!("m{n}")});
                let Some(message) = acknowledged(&http, &url, &body).await else {
                    break;
                };
                kept.push(message);
                done.add(1);
            }
            kept
        });
        progress.reached(50).await;
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

    async fn kill_9_during_concurrent_writes_loses_nothing_acknowledged() {
        let mut server = TestServer::start().await;
        let mut writers = Vec::new();
        let progress = Progress::default();
        for worker in 0..4 {
            let done = progress.clone();
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
                    done.add(1);
                    let text = json!({"email": "ana@example.com", "text": format!("w{worker} n{n}")});
                    let Some(message) = acknowledged(&http, &messages, &text).await else {
                        break;
                    };
                    said.push(message);
                }
                (made, said)
            }));
        }
        progress.reached(40).await;
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
}
