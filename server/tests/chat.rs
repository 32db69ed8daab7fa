//! The chat over `/ws/chat` and `/api/messages`, against the real server.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{on_each_store, TestServer};

async fn post(server: &TestServer, email: &str, text: &str) -> (u16, Value) {
    server
        .post_json("/api/messages", &json!({"email": email, "text": text}))
        .await
}

fn ids(messages: &Value) -> Vec<u64> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect()
}

on_each_store! {
    async fn a_new_socket_gets_the_last_100_messages_oldest_first() {
        let server = TestServer::start().await;
        let mut empty = server.socket("/ws/chat").await;
        let history = empty.next_json().await;
        assert_eq!(history["type"], "history");
        assert_eq!(history["messages"], json!([]));

        for n in 1..=105 {
            assert_eq!(
                post(&server, "ana@example.com", &format!("mensaje {n}"))
                    .await
                    .0,
                201
            );
        }
        let mut socket = server.socket("/ws/chat").await;
        let history = socket.next_json().await;
        assert_eq!(history["type"], "history");
        assert_eq!(ids(&history["messages"]), (6..=105).collect::<Vec<_>>());
        assert_eq!(history["messages"][99]["text"], "mensaje 105");
    }

    async fn messages_reach_every_socket_from_sockets_and_from_http() {
        let server = TestServer::start().await;
        let mut ana = server.socket("/ws/chat").await;
        let mut beto = server.socket("/ws/chat").await;
        ana.next_json().await;
        beto.next_json().await;

        ana.send_json(
            json!({"type": "send", "ref": "m1", "email": " ana@example.com ", "text": "  hola  "}),
        )
        .await;
        let frame = ana.next_json().await;
        assert_eq!(frame["type"], "message");
        let message = &frame["message"];
        assert_eq!(
            (
                message["id"].as_u64(),
                message["email"].as_str(),
                message["text"].as_str()
            ),
            (Some(1), Some("ana@example.com"), Some("hola"))
        );
        let sent_at = message["sent_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(sent_at).is_ok() && sent_at.ends_with('Z'),
            "{sent_at}"
        );
        assert_eq!(beto.next_json().await, frame);

        let (status, posted) = post(&server, "beto@example.com", "<script>alert(1)</script>").await;
        assert_eq!(status, 201);
        assert_eq!(posted["id"], 2);
        assert_eq!(
            posted["text"], "<script>alert(1)</script>",
            "stored as the text it is"
        );
        let expected = json!({"type": "message", "message": posted});
        assert_eq!(ana.next_json().await, expected);
        assert_eq!(beto.next_json().await, expected);
    }
}

on_each_store! {
    /// Messages posted at the same moment are committed together (a group commit): each request
    /// still gets its own message back, the ids leave no gap, and every socket sees each message
    /// once, in id order.
    async fn messages_posted_at_once_each_get_their_own_answer_and_reach_sockets_in_order() {
        let server = TestServer::start().await;
        let mut socket = server.socket("/ws/chat").await;
        socket.next_json().await;

        let texts: Vec<String> = (0..40).map(|n| format!("a la vez {n}")).collect();
        let answers = futures::future::join_all(
            texts
                .iter()
                .map(|text| post(&server, "ana@example.com", text)),
        )
        .await;
        let mut posted = Vec::new();
        for ((status, message), text) in answers.into_iter().zip(&texts) {
            assert_eq!(status, 201, "{message}");
            assert_eq!(message["text"], text.as_str(), "another request's message");
            posted.push(message);
        }
        posted.sort_by_key(|message| message["id"].as_u64());
        assert_eq!(ids(&json!(posted)), (1..=40).collect::<Vec<_>>());
        for message in &posted {
            let frame = socket.next_json().await;
            assert_eq!(frame, json!({"type": "message", "message": message}));
        }
    }

    async fn errors_go_to_the_sender_alone() {
        let server = TestServer::start().await;
        let mut sender = server.socket("/ws/chat").await;
        let mut other = server.socket("/ws/chat").await;
        sender.next_json().await;
        other.next_json().await;

        sender
            .send_json(json!({"type": "send", "ref": "e1", "email": "a@b", "text": "hola"}))
            .await;
        let error = sender.next_json().await;
        assert_eq!(
            (error["type"].as_str(), error["ref"].as_str()),
            (Some("error"), Some("e1"))
        );
        assert!(error["fields"]["email"].is_string());

        sender
            .send_json(json!({"type": "send", "ref": "e2", "email": "ana@example.com", "text": "   "}))
            .await;
        let error = sender.next_json().await;
        assert_eq!(error["ref"], "e2");
        assert!(error["fields"]["text"].is_string());

        let long = "x".repeat(1001);
        sender
            .send_json(json!({"type": "send", "ref": "e3", "email": "ana@example.com", "text": long}))
            .await;
        assert!(sender.next_json().await["fields"]["text"].is_string());

        for frame in ["{", r#"{"type": "shout", "ref": "e4"}"#, "42"] {
            sender.send_text(frame).await;
            assert_eq!(sender.next_json().await["type"], "error", "{frame}");
        }
        assert_eq!(other.try_next_json(Duration::from_millis(300)).await, None);

        sender
            .send_json(json!({"type": "send", "email": "ana@example.com", "text": "sigo acá"}))
            .await;
        assert_eq!(other.next_json().await["message"]["text"], "sigo acá");
        assert_eq!(
            server
                .get("/api/messages")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            1,
            "nothing else stored"
        );
    }

    async fn http_history_pages_with_limit_and_before() {
        let server = TestServer::start().await;
        for n in 1..=120 {
            post(&server, "ana@example.com", &format!("m{n}")).await;
        }
        let (status, all) = server.get("/api/messages").await;
        assert_eq!(status, 200);
        assert_eq!(
            ids(&all),
            (21..=120).collect::<Vec<_>>(),
            "default: the last 100, oldest first"
        );
        assert_eq!(
            ids(&server.get("/api/messages?limit=5").await.1),
            [116, 117, 118, 119, 120]
        );
        assert_eq!(
            ids(&server.get("/api/messages?limit=10&before=50").await.1),
            (40..=49).collect::<Vec<_>>()
        );
        assert_eq!(
            ids(&server.get("/api/messages?limit=10&before=4").await.1),
            [1, 2, 3]
        );
        assert_eq!(
            ids(&server.get("/api/messages?before=1").await.1),
            Vec::<u64>::new()
        );
        assert_eq!(
            server
                .get("/api/messages?limit=1000")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            120
        );

        for bad in [
            "limit=-1",
            "limit=x",
            "limit=0",
            "limit=1001",
            "before=abc",
            "before=-5",
        ] {
            let (status, body) = server.get(&format!("/api/messages?{bad}")).await;
            assert_eq!(status, 400, "{bad}");
            assert!(body["error"].is_string());
        }
        let (status, body) = post(&server, "no-es-un-email", "").await;
        assert_eq!(status, 400);
        assert!(
            body["fields"]["email"].is_string() && body["fields"]["text"].is_string(),
            "{body}"
        );
        let (status, _) = server.send("POST", "/api/messages", "not json").await;
        assert_eq!(status, 400);
    }

    async fn restart_keeps_every_message_and_its_id() {
        let mut server = TestServer::start().await;
        for n in 1..=3 {
            post(&server, "ana@example.com", &format!("m{n}")).await;
        }
        let before = server.get("/api/messages").await.1;

        server.restart().await;
        assert_eq!(server.get("/api/messages").await.1, before);
        assert_eq!(post(&server, "ana@example.com", "m4").await.1["id"], 4);
        let mut socket = server.socket("/ws/chat").await;
        assert_eq!(ids(&socket.next_json().await["messages"]), [1, 2, 3, 4]);
    }

    async fn presence_counts_the_open_chat_sockets_as_they_come_and_go() {
        let server = TestServer::start().await;
        let mut first = server.socket("/ws/chat").await;
        assert_eq!(first.next_json().await["type"], "history");
        assert_eq!(first.next_presence().await, 1);
        let mut second = server.socket("/ws/chat").await;
        assert_eq!(second.next_json().await["type"], "history");
        assert_eq!(first.next_presence().await, 2);
        drop(second);
        assert_eq!(first.next_presence().await, 1);
        // Product sockets are not people in the chat.
        let _products = server.socket("/ws/products").await;
        post(&server, "ana@example.com", "sigo acá").await;
        assert_eq!(first.next_json().await["message"]["text"], "sigo acá");
    }

    async fn the_nul_character_is_refused_in_messages() {
        let server = TestServer::start().await;
        for (email, text, field) in [
            ("ana@example.com", "a\u{0}b", "text"),
            ("a\u{0}na@example.com", "hola", "email"),
        ] {
            let (status, body) = post(&server, email, text).await;
            assert_eq!(status, 400, "{field}");
            assert!(body["fields"][field].is_string(), "{field}: {body}");
        }
        assert_eq!(
            server.get("/api/messages").await.1,
            serde_json::json!([]),
            "nothing stored"
        );
    }
}
