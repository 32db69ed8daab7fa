//! `/ws/products` with real WebSocket clients against the real server.

mod support;

use std::time::Duration;

use futures::SinkExt;
use serde_json::json;
use support::{on_each_store, product, TestServer};
use tokio_tungstenite::tungstenite::Message;

on_each_store! {
    async fn a_new_socket_gets_the_catalog_first() {
        let server = TestServer::start().await;
        let first = server.create(&product(1)).await;
        let mut socket = server.socket("/ws/products").await;
        let snapshot = socket.next_change().await;
        assert_eq!(snapshot["type"], "snapshot");
        assert_eq!(snapshot["products"], json!([first]));
        assert_eq!(snapshot["total"], 1);
    }

    async fn every_client_sees_changes_from_sockets_and_from_http() {
        let mut server = TestServer::start().await;
        let mut alice = server.socket("/ws/products").await;
        let mut bob = server.socket("/ws/products").await;
        assert_eq!(alice.next_change().await["products"], json!([]));
        assert_eq!(bob.next_change().await["products"], json!([]));

        // Added through a socket.
        alice
            .send_json(json!({"type": "add", "ref": "a1", "product": product(1)}))
            .await;
        let added = alice.next_change().await;
        assert_eq!(added["type"], "added");
        assert_eq!(added["product"]["id"], 1);
        assert_eq!(added["product"]["code"], "P-0001");
        assert_eq!(bob.next_change().await, added);

        // Added, updated and removed through HTTP: the same frames.
        let over_http = server.create(&product(2)).await;
        let expected = json!({"type": "added", "product": over_http});
        assert_eq!(alice.next_change().await, expected);
        assert_eq!(bob.next_change().await, expected);

        let (status, updated) = server
            .send("PUT", "/api/products/2", r#"{"stock": 0}"#)
            .await;
        assert_eq!(status, 200);
        let expected = json!({"type": "updated", "product": updated});
        assert_eq!(alice.next_change().await, expected);
        assert_eq!(bob.next_change().await, expected);

        // Updated and removed through a socket.
        bob.send_json(json!({"type": "update", "id": 1, "changes": {"title": "Nuevo"}}))
            .await;
        let expected = alice.next_change().await;
        assert_eq!(expected["type"], "updated");
        assert_eq!(expected["product"]["title"], "Nuevo");
        assert_eq!(bob.next_change().await, expected);

        bob.send_json(json!({"type": "remove", "ref": "r", "id": 1}))
            .await;
        assert_eq!(
            alice.next_change().await,
            json!({"type": "removed", "id": 1})
        );
        assert_eq!(bob.next_change().await, json!({"type": "removed", "id": 1}));
        server.send("DELETE", "/api/products/2", "").await;
        assert_eq!(
            alice.next_change().await,
            json!({"type": "removed", "id": 2})
        );
        assert_eq!(bob.next_change().await, json!({"type": "removed", "id": 2}));

        let log = server.terminate();
        assert_eq!(
            log.matches("cliente conectado").count(),
            2,
            "one line per socket:\n{log}"
        );
    }

    async fn errors_go_to_the_sender_alone_and_the_socket_stays_open() {
        let server = TestServer::start().await;
        server.create(&product(1)).await;
        let mut sender = server.socket("/ws/products").await;
        let mut other = server.socket("/ws/products").await;
        sender.next_change().await;
        other.next_change().await;

        let mut invalid = product(2);
        invalid["price"] = json!(-5);
        sender
            .send_json(json!({"type": "add", "ref": "bad-price", "product": invalid}))
            .await;
        let error = sender.next_change().await;
        assert_eq!(error["type"], "error");
        assert_eq!(error["ref"], "bad-price");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(error["fields"]["price"].is_string(), "{error}");

        sender
            .send_json(json!({"type": "add", "ref": "dup", "product": product(1)}))
            .await;
        let error = sender.next_change().await;
        assert_eq!(
            (error["type"].as_str(), error["ref"].as_str()),
            (Some("error"), Some("dup"))
        );
        assert!(error["fields"]["code"].is_string());

        sender
            .send_json(json!({"type": "remove", "ref": "gone", "id": 999}))
            .await;
        assert_eq!(sender.next_change().await["ref"], "gone");
        sender
            .send_json(json!({"type": "update", "ref": "u", "id": 1, "changes": {"stock": -1}}))
            .await;
        let error = sender.next_change().await;
        assert_eq!(error["ref"], "u");
        assert!(error["fields"]["stock"].is_string());

        for frame in [
            "not json",
            "[]",
            r#"{"type": "launch", "ref": "x"}"#,
            r#"{"ref": "no-type"}"#,
            r#"{"type":"remove"}"#,
        ] {
            sender.send_text(frame).await;
            let error = sender.next_change().await;
            assert_eq!(error["type"], "error", "{frame}");
            assert!(error["message"].is_string());
        }
        sender
            .stream
            .send(Message::Binary(vec![1, 2, 3].into()))
            .await
            .unwrap();
        assert_eq!(sender.next_change().await["type"], "error");

        // The other client heard none of it, and the sender's socket still works.
        assert_eq!(other.try_next_json(Duration::from_millis(300)).await, None);
        sender
            .send_json(json!({"type": "add", "ref": "ok", "product": product(3)}))
            .await;
        assert_eq!(sender.next_change().await["type"], "added");
        assert_eq!(other.next_change().await["type"], "added");
    }

    async fn a_2_mb_frame_closes_only_that_socket() {
        let server = TestServer::start().await;
        let mut bystander = server.socket("/ws/products").await;
        bystander.next_change().await;
        let mut flooder = server.socket("/ws/products").await;
        flooder.next_change().await;

        let mut huge = product(1);
        huge["description"] = json!("x".repeat(2 * 1024 * 1024));
        // The server may reset the connection before the whole frame is even sent.
        let frame = json!({"type": "add", "product": huge}).to_string();
        let _ = flooder.stream.send(Message::Text(frame.into())).await;
        assert_eq!(
            flooder.try_next_json(Duration::from_secs(5)).await,
            None,
            "that socket is closed"
        );

        // Nothing was added, the server still serves, and the other socket is still live.
        assert_eq!(server.get("/api/products").await.1, json!([]));
        server.create(&product(2)).await;
        assert_eq!(bystander.next_change().await["type"], "added");
    }

    async fn a_client_that_never_reads_does_not_delay_one_that_does() {
        let server = TestServer::start().await;
        // Connected with a tiny receive window, and never reads a byte: the server's writes to it
        // block once a few MB are queued (well before the 4.6 MB this test sends).
        let _stalled = server.stalled_socket("/ws/products").await;
        let mut reader = server.socket("/ws/products").await;
        reader.next_change().await;

        server.create(&product(1)).await;
        reader.next_change().await;
        let listening = tokio::spawn(async move {
            let mut seen = Vec::new();
            while seen.len() < 2000 {
                let event = reader.next_change().await;
                seen.push(event["product"]["description"].as_str().unwrap()[..4].to_string());
            }
            seen
        });
        let big = "y".repeat(1990);
        for n in 0..2000 {
            let changes = json!({"description": format!("{n:04}{big}")});
            let (status, _) = server
                .send("PUT", "/api/products/1", &changes.to_string())
                .await;
            assert_eq!(status, 200);
        }
        let seen = tokio::time::timeout(Duration::from_secs(10), listening)
            .await
            .expect("the reader got every event while the other socket was stuck")
            .unwrap();
        let expected: Vec<String> = (0..2000).map(|n| format!("{n:04}")).collect();
        assert_eq!(seen, expected, "every event, in order");
    }

    async fn frames_larger_than_the_read_buffer_are_read_whole() {
        let server = TestServer::start().await;
        let mut socket = server.socket("/ws/products").await;
        socket.next_change().await;
        let mut long = product(1);
        long["description"] = json!("ñ".repeat(2000)); // 4000 bytes, the longest description
        long["thumbnails"] = json!((0..10)
            .map(|n| format!("https://example.com/{n}/{}.png", "x".repeat(100)))
            .collect::<Vec<_>>());
        socket
            .send_json(json!({"type": "add", "product": long}))
            .await;
        let added = socket.next_change().await;
        assert_eq!(added["type"], "added", "{added}");
        assert_eq!(added["product"]["description"], long["description"]);
    }

    async fn an_update_that_expects_a_product_someone_changed_meanwhile_is_refused() {
        let server = TestServer::start().await;
        let seen = server.create(&product(1)).await;
        let mut editor = server.socket("/ws/products").await;
        editor.next_change().await;
        // Someone else changes the price while the form is open.
        let (_, changed) = server
            .send("PUT", "/api/products/1", r#"{"price": 99}"#)
            .await;
        assert_eq!(editor.next_change().await["product"], changed);

        editor
            .send_json(json!({"type": "update", "ref": "e1", "id": 1, "changes": {"stock": 5}, "expected": seen}))
            .await;
        let refused = editor.next_change().await;
        assert_eq!(
            (refused["type"].as_str(), refused["ref"].as_str()),
            (Some("error"), Some("e1"))
        );
        assert!(
            refused["message"].as_str().unwrap().contains("cambió"),
            "{refused}"
        );
        assert_eq!(
            server.get("/api/products/1").await.1,
            changed,
            "nothing overwritten"
        );

        // Expecting the product as it is now, the same update goes through.
        editor
            .send_json(json!({"type": "update", "ref": "e2", "id": 1, "changes": {"stock": 5}, "expected": changed}))
            .await;
        let updated = editor.next_change().await;
        assert_eq!(
            (
                updated["type"].as_str(),
                updated["product"]["stock"].as_u64()
            ),
            (Some("updated"), Some(5))
        );
        // And one expecting a product that is gone hears so.
        server.send("DELETE", "/api/products/1", "").await;
        editor.next_change().await;
        editor
            .send_json(json!({"type": "update", "ref": "e3", "id": 1, "changes": {"stock": 6}, "expected": updated["product"]}))
            .await;
        let gone = editor.next_change().await;
        assert_eq!(gone["ref"], "e3");
        assert!(
            gone["message"].as_str().unwrap().contains("No existe"),
            "{gone}"
        );
    }
}
