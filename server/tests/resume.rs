//! Resumed sockets: a client that reconnects with the last `seq`/`epoch` (products) or message
//! id (chat) it had gets only what it missed, or an ordinary snapshot/history when the server
//! can no longer tell. Runs on both stores (see `scripts/test.sh`).

mod support;

use serde_json::{json, Value};
use sqlx::Connection;
use support::{on_each_store, product, Socket, TestServer};

/// The first frame of a product socket and its `seq` and `epoch`.
async fn snapshot(server: &TestServer, query: &str) -> (Socket, Value) {
    let mut socket = server.socket(&format!("/ws/products{query}")).await;
    let first = socket.next_json().await;
    assert_eq!(first["type"], "snapshot", "{first}");
    (socket, first)
}

fn resume_query(first: &Value) -> String {
    format!(
        "?since={}&epoch={}",
        first["seq"],
        first["epoch"].as_str().expect("an epoch")
    )
}

on_each_store! {
    async fn snapshots_carry_seq_epoch_total_and_honour_limit() {
        let server = TestServer::start().await;
        for n in 1..=5 {
            server.create(&product(n)).await;
        }
        let (_, first) = snapshot(&server, "?limit=2").await;
        assert_eq!(first["total"], 5);
        let ids: Vec<_> = first["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect();
        assert_eq!(ids, [json!(1), json!(2)]);
        assert!(
            first["seq"].as_u64().unwrap() >= 5,
            "five changes were made: {first}"
        );
        assert!(!first["epoch"].as_str().unwrap().is_empty());

        let (_, all) = snapshot(&server, "").await;
        assert_eq!(all["products"].as_array().unwrap().len(), 5);
        assert_eq!(
            (all["seq"].clone(), all["epoch"].clone()),
            (first["seq"].clone(), first["epoch"].clone())
        );

        for bad in ["0", "1001", "x", "-1"] {
            let refused =
                tokio_tungstenite::connect_async(server.ws_url(&format!("/ws/products?limit={bad}")))
                    .await;
            match refused {
                Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                    assert_eq!(response.status(), 400, "limit={bad}")
                }
                other => panic!("limit={bad} must be refused, got {:?}", other.map(|_| ())),
            }
        }
    }

    async fn events_carry_increasing_seqs() {
        let server = TestServer::start().await;
        let (mut socket, first) = snapshot(&server, "").await;
        let created = server.create(&product(1)).await;
        server
            .send("PUT", "/api/products/1", r#"{"stock": 9}"#)
            .await;
        server.send("DELETE", "/api/products/1", "").await;
        let mut last = first["seq"].as_u64().unwrap();
        for kind in ["added", "updated", "removed"] {
            let event = socket.next_json().await;
            assert_eq!(event["type"], kind);
            let seq = event["seq"].as_u64().expect("a seq");
            assert!(seq > last, "{seq} after {last}");
            last = seq;
        }
        assert_eq!(created["id"], 1);
    }

    async fn a_resume_with_nothing_missed_is_one_small_frame() {
        let server = TestServer::start().await;
        server.create(&product(1)).await;
        let (_, first) = snapshot(&server, "").await;
        let mut resumed = server
            .socket(&format!("/ws/products{}", resume_query(&first)))
            .await;
        let frame = resumed.next_json().await;
        assert_eq!(frame, json!({"type": "resume", "since": first["seq"]}));
        assert!(frame.to_string().len() < 300);
        // Then live events, and nothing before them.
        let created = server.create(&product(2)).await;
        let next = resumed.next_json().await;
        assert_eq!(
            (next["type"].clone(), next["product"].clone()),
            (json!("added"), created)
        );
    }

    async fn a_resume_gets_exactly_what_was_missed_in_order_then_live_events() {
        let server = TestServer::start().await;
        server.create(&product(1)).await;
        let (mut watcher, first) = snapshot(&server, "?limit=1").await;
        // Missed while away: an addition, an update, a removal, and chat (which is not a product
        // change).
        server.create(&product(2)).await;
        server
            .send("PUT", "/api/products/1", r#"{"title": "Cambiado"}"#)
            .await;
        server
            .post_json(
                "/api/messages",
                &json!({"email": "ana@example.com", "text": "hola"}),
            )
            .await;
        server.send("DELETE", "/api/products/2", "").await;
        let mut missed = Vec::new();
        for _ in 0..3 {
            missed.push(watcher.next_json().await);
        }

        let mut resumed = server
            .socket(&format!("/ws/products{}", resume_query(&first)))
            .await;
        assert_eq!(
            resumed.next_json().await,
            json!({"type": "resume", "since": first["seq"]})
        );
        for expected in &missed {
            assert_eq!(&resumed.next_json().await, expected);
        }
        let created = server.create(&product(3)).await;
        let live = resumed.next_json().await;
        assert_eq!(
            (live["type"].clone(), live["product"].clone()),
            (json!("added"), created)
        );
        assert_eq!(live, watcher.next_json().await);
    }

    async fn another_epoch_or_a_future_seq_gets_a_snapshot() {
        let server = TestServer::start().await;
        server.create(&product(1)).await;
        let (_, first) = snapshot(&server, "").await;
        let seq = first["seq"].as_u64().unwrap();
        let epoch = first["epoch"].as_str().unwrap();
        for query in [
            format!("?since={seq}&epoch=not-{epoch}"),
            format!("?since={}&epoch={epoch}", seq + 5),
            format!("?since={seq}"),
        ] {
            let mut socket = server.socket(&format!("/ws/products{query}")).await;
            let frame = socket.next_json().await;
            assert_eq!(frame["type"], "snapshot", "{query}");
            assert_eq!(frame["products"].as_array().unwrap().len(), 1);
        }
    }

    async fn a_resume_from_before_what_the_log_holds_gets_a_snapshot() {
        let server = TestServer::start().await;
        server.create(&product(1)).await;
        let (_, first) = snapshot(&server, "").await;
        server.create(&product(2)).await;
        server.create(&product(3)).await;
        // The log loses the first change after `first` (as pruning would).
        let since = first["seq"].as_i64().unwrap();
        forget_changes_up_to(&server, since + 1).await;
        let mut socket = server
            .socket(&format!("/ws/products{}", resume_query(&first)))
            .await;
        let frame = socket.next_json().await;
        assert_eq!(frame["type"], "snapshot");
        assert_eq!(frame["products"].as_array().unwrap().len(), 3);
    }
}

/// Deletes the change log's rows up to `seq`, in whichever store the server uses.
async fn forget_changes_up_to(server: &TestServer, seq: i64) {
    let statement = "DELETE FROM changes WHERE seq <= $1";
    match &server.database_url {
        Some(url) => {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(statement)
                .bind(seq)
                .execute(&mut connection)
                .await
                .unwrap();
        }
        None => {
            let path = server.data_file("tiempo-real.db");
            let url = format!("sqlite://{}", path.display());
            let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(statement)
                .bind(seq)
                .execute(&mut connection)
                .await
                .unwrap();
        }
    }
}

/// Posts a message and returns it.
async fn post(server: &TestServer, text: &str) -> Value {
    let (status, message) = server
        .post_json(
            "/api/messages",
            &json!({"email": "ana@example.com", "text": text}),
        )
        .await;
    assert_eq!(status, 201);
    message
}

on_each_store! {
    async fn a_chat_socket_resumes_by_message_id() {
        let server = TestServer::start().await;
        let first = post(&server, "uno").await;
        let mut socket = server.socket("/ws/chat").await;
        let history = socket.next_json().await;
        assert_eq!(history["type"], "history");
        let epoch = history["epoch"]
            .as_str()
            .expect("history carries the epoch")
            .to_string();
        let second = post(&server, "dos").await;
        let third = post(&server, "tres").await;

        let mut resumed = server
            .socket(&format!("/ws/chat?since={}&epoch={epoch}", first["id"]))
            .await;
        assert_eq!(
            resumed.next_json().await,
            json!({"type": "resume", "since": first["id"]})
        );
        for expected in [&second, &third] {
            assert_eq!(
                resumed.next_json().await,
                json!({"type": "message", "message": expected})
            );
        }
        let fourth = post(&server, "cuatro").await;
        assert_eq!(resumed.next_json().await["message"], fourth);

        // From the very start (0), nothing missed, another epoch, an unknown id.
        let mut from_start = server
            .socket(&format!("/ws/chat?since=0&epoch={epoch}"))
            .await;
        assert_eq!(from_start.next_json().await["type"], "resume");
        assert_eq!(from_start.next_json().await["message"], first);
        let mut caught_up = server
            .socket(&format!("/ws/chat?since={}&epoch={epoch}", fourth["id"]))
            .await;
        assert_eq!(caught_up.next_json().await["type"], "resume");
        let fifth = post(&server, "cinco").await;
        assert_eq!(caught_up.next_json().await["message"], fifth);
        for query in [
            format!("since=1&epoch=x{epoch}"),
            format!("since=999&epoch={epoch}"),
        ] {
            let mut socket = server.socket(&format!("/ws/chat?{query}")).await;
            assert_eq!(socket.next_json().await["type"], "history", "{query}");
        }
    }

    async fn a_chat_socket_that_missed_too_many_gets_the_history() {
        let server = TestServer::start().await;
        let first = post(&server, "primero").await;
        let mut socket = server.socket("/ws/chat").await;
        let epoch = socket.next_json().await["epoch"]
            .as_str()
            .unwrap()
            .to_string();
        for n in 0..1001 {
            post(&server, &format!("m{n}")).await;
        }
        let mut resumed = server
            .socket(&format!("/ws/chat?since={}&epoch={epoch}", first["id"]))
            .await;
        let frame = resumed.next_json().await;
        assert_eq!(frame["type"], "history");
        assert_eq!(frame["messages"].as_array().unwrap().len(), 100);
    }
}
