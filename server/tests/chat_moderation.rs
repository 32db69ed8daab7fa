//! Removing a chat message: gone from the store, its log, every window, every socket and
//! every page, on every instance, and across a restart.

mod support;

use serde_json::{json, Value};
use support::cluster::{joined, two_instances};
use support::staff::{shop, PASSWORD};
use support::{on_each_store, on_postgres, on_sqlite, pg, TestServer};

async fn post(server: &TestServer, text: &str) -> u64 {
    let (status, message) = server
        .post_json(
            "/api/messages",
            &json!({"email": "ana@example.com", "text": text}),
        )
        .await;
    assert_eq!(status, 201, "{message}");
    message["id"].as_u64().unwrap()
}

fn ids(messages: &Value) -> Vec<u64> {
    messages
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect()
}

on_each_store! {
    async fn a_removed_message_is_gone_from_sockets_pages_resumes_and_the_store() {
        let mut server = TestServer::start().await;
        let first = post(&server, "hola").await;
        let rude = post(&server, "mi teléfono es 555-1234").await;
        let last = post(&server, "chau").await;
        let (mut socket, history) = joined(&server, "/ws/chat").await;
        assert_eq!(ids(&history["messages"]), [first, rude, last]);
        let epoch = history["epoch"].as_str().unwrap().to_string();

        let (status, body) = server.send("DELETE", &format!("/api/messages/{rude}"), "").await;
        assert_eq!((status, body), (200, json!({ "removed": rude })));
        assert_eq!(
            socket.next_json().await,
            json!({ "type": "message_removed", "id": rude })
        );
        assert_eq!(ids(&server.get("/api/messages").await.1), [first, last]);
        let (_, fresh) = joined(&server, "/ws/chat").await;
        assert_eq!(ids(&fresh["messages"]), [first, last]);
        // A socket that resumes from before the removal is told of it.
        let mut resumed = server
            .socket(&format!("/ws/chat?since={last}&epoch={epoch}"))
            .await;
        assert_eq!(resumed.next_json().await, json!({ "type": "resume", "since": last }));
        assert_eq!(
            resumed.next_json().await,
            json!({ "type": "message_removed", "id": rude })
        );

        // Once is all: again, or no message at all, is a 404.
        assert_eq!(server.send("DELETE", &format!("/api/messages/{rude}"), "").await.0, 404);
        assert_eq!(server.send("DELETE", "/api/messages/uno", "").await.0, 404);

        server.restart().await;
        assert_eq!(ids(&server.get("/api/messages").await.1), [first, last]);
        let (_, after_restart) = joined(&server, "/ws/chat").await;
        assert_eq!(ids(&after_restart["messages"]), [first, last]);
    }

    async fn only_staff_remove_messages() {
        let server = shop().await;
        let id = post(&server, "spam").await;
        let path = format!("/api/messages/{id}");
        assert_eq!(server.send("DELETE", &path, "").await.0, 401);
        assert_eq!(server.count("/api/messages").await, 1);
        let (status, _) = server.send_with_token("DELETE", &path, &Value::Null, PASSWORD).await;
        assert_eq!(status, 200);
        assert_eq!(server.count("/api/messages").await, 0);
    }
}

on_postgres! {
    async fn a_removal_reaches_every_instance_and_leaves_no_trace_in_the_database() {
        let (a, b) = two_instances().await;
        let secret = "mi clave es secreta-4821";
        let id = post(&a, secret).await;
        let (mut on_b, history) = joined(&b, "/ws/chat").await;
        if ids(&history["messages"]).is_empty() {
            // B had not applied it yet when the socket joined: it comes as a message.
            assert_eq!(on_b.next_json().await["type"], "message");
        }
        assert_eq!(a.send("DELETE", &format!("/api/messages/{id}"), "").await.0, 200);
        assert_eq!(on_b.next_json().await, json!({ "type": "message_removed", "id": id }));
        assert_eq!(b.count("/api/messages").await, 0);
        let url = a.database_url.clone().unwrap();
        for table in ["messages", "changes"] {
            let statement = format!("SELECT 1 FROM {table} WHERE {} LIKE '%secreta-4821%'",
                if table == "messages" { "text" } else { "event" });
            assert_eq!(pg::execute(&url, &statement).await, 0, "{table} still holds it");
        }
    }
}

on_sqlite! {
    async fn a_removed_message_leaves_no_trace_in_the_data_directory() {
        let server = TestServer::start().await;
        let secret = "mi-clave-secreta-4821";
        for n in 0..20 {
            post(&server, &format!("relleno {n}")).await;
        }
        let id = post(&server, secret).await;
        post(&server, "después").await;
        assert_eq!(server.send("DELETE", &format!("/api/messages/{id}"), "").await.0, 200);
        let dir = server.data_file("");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(!found, "{} still holds the removed text", path.display());
            }
        }
    }
}
