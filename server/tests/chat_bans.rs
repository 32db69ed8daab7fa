//! Chat bans (the contract's "Chat moderation"): a banned email is refused over HTTP and
//! sockets until the ban ends or is lifted, on every instance and across restarts; with a
//! purge, every stored message of it goes as removals.

mod support;

use serde_json::{json, Value};
use support::cluster::{joined, two_instances};
use support::staff::{add_account, log_in_as, shop, PASSWORD};
use support::{on_each_store, on_postgres, TestServer};

const SPAM: &str = "spam@ejemplo.com";

async fn post(server: &TestServer, email: &str, text: &str) -> (u16, Value) {
    server
        .post_json("/api/messages", &json!({ "email": email, "text": text }))
        .await
}

/// Bans with the shared staff password (an admin).
async fn ban(server: &TestServer, body: Value) -> (u16, Value) {
    server
        .send_with_token("POST", "/api/chat/bans", &body, PASSWORD)
        .await
}

fn texts(messages: &Value) -> Vec<&str> {
    messages
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect()
}

on_each_store! {
    async fn a_banned_email_is_refused_until_the_ban_is_lifted_also_after_a_restart() {
        let mut server = shop().await;
        assert_eq!(post(&server, SPAM, "compren ya").await.0, 201);
        assert_eq!(server.post_json("/api/chat/bans", &json!({ "email": SPAM })).await.0, 401);

        let (status, banned) = ban(&server, json!({ "email": "Spam@Ejemplo.com", "minutes": 5 })).await;
        assert_eq!(status, 201, "{banned}");
        assert_eq!((banned["email"].as_str(), banned["by"].as_str(), banned["purged"].as_u64()), (Some(SPAM), Some("staff"), Some(0)));
        let until = chrono::DateTime::parse_from_rfc3339(banned["until"].as_str().unwrap()).unwrap();
        let minutes = (until.timestamp() - chrono::Utc::now().timestamp()) as f64 / 60.0;
        assert!((4.5..=5.1).contains(&minutes), "five minutes: {minutes}");

        let (status, refused) = post(&server, "SPAM@ejemplo.com", "otra vez").await;
        assert_eq!(status, 403, "{refused}");
        assert!(refused["fields"]["email"].is_string(), "{refused}");
        let (mut socket, _) = joined(&server, "/ws/chat").await;
        socket.send_json(json!({ "type": "send", "ref": "b1", "email": SPAM, "text": "por el socket" })).await;
        let frame = socket.next_json().await;
        assert_eq!((frame["type"].as_str(), frame["ref"].as_str()), (Some("error"), Some("b1")), "{frame}");
        assert_eq!(post(&server, "ana@ejemplo.com", "hola").await.0, 201, "others still post");
        assert_eq!(texts(&server.get("/api/messages").await.1), ["compren ya", "hola"], "no purge: kept");

        let (status, bans) = server.send_with_token("GET", "/api/chat/bans", &Value::Null, PASSWORD).await;
        assert_eq!(status, 200);
        assert_eq!(bans, json!([{ "email": SPAM, "until": banned["until"], "by": "staff" }]));
        assert_eq!(server.get("/api/chat/bans").await.0, 401);

        server.restart().await;
        assert_eq!(post(&server, SPAM, "tras reiniciar").await.0, 403, "bans survive a restart");
        let lift = format!("/api/chat/bans/{SPAM}");
        assert_eq!(server.send_with_token("DELETE", &lift, &Value::Null, PASSWORD).await.0, 200);
        assert_eq!(server.send_with_token("DELETE", &lift, &Value::Null, PASSWORD).await.0, 404);
        assert_eq!(post(&server, SPAM, "perdón").await.0, 201);
    }

    async fn a_purge_removes_every_message_of_the_email_and_every_socket_hears_it() {
        let server = shop().await;
        let mut spam_ids = Vec::new();
        for n in 0..3 {
            spam_ids.push(post(&server, SPAM, &format!("spam {n}")).await.1["id"].as_u64().unwrap());
            assert_eq!(post(&server, "ana@ejemplo.com", &format!("hola {n}")).await.0, 201);
        }
        let (mut socket, _) = joined(&server, "/ws/chat").await;
        let (status, banned) = ban(&server, json!({ "email": SPAM, "purge": true })).await;
        assert_eq!(status, 201, "{banned}");
        assert_eq!(banned["purged"], 3);
        let mut heard = Vec::new();
        for _ in 0..3 {
            let frame = socket.next_json().await;
            assert_eq!(frame["type"], "message_removed", "{frame}");
            heard.push(frame["id"].as_u64().unwrap());
        }
        assert_eq!(heard, spam_ids);
        assert_eq!(texts(&server.get("/api/messages").await.1), ["hola 0", "hola 1", "hola 2"]);
        let (_, fresh) = joined(&server, "/ws/chat").await;
        assert_eq!(texts(&fresh["messages"]), ["hola 0", "hola 1", "hola 2"]);
    }

    async fn only_moderators_and_admins_ban_and_a_bad_ban_names_its_fields() {
        let server = TestServer::start().await;
        add_account(&server, "mod@tienda.com", "moderator", "una clave larga de verdad");
        add_account(&server, "eva@tienda.com", "editor", "una clave larga de verdad");
        let moderator = log_in_as(&server, "mod@tienda.com", "una clave larga de verdad").await;
        let editor = log_in_as(&server, "eva@tienda.com", "una clave larga de verdad").await;
        let body = json!({ "email": SPAM, "minutes": 10 });
        assert_eq!(server.send_with_cookie("POST", "/api/chat/bans", &body, &editor).await.0, 403);
        let (status, banned) = server.send_with_cookie("POST", "/api/chat/bans", &body, &moderator).await;
        assert_eq!(status, 201);
        assert_eq!(banned["by"], "mod@tienda.com");
        let bad = json!({ "email": "nadie", "minutes": 43201, "purge": "sí" });
        let (status, refused) = server.send_with_cookie("POST", "/api/chat/bans", &bad, &moderator).await;
        assert_eq!(status, 400);
        for field in ["email", "minutes", "purge"] {
            assert!(refused["fields"][field].is_string(), "{refused}");
        }
    }
}

on_postgres! {
    async fn a_ban_and_its_purge_hold_on_every_instance() {
        // Staff access off: anyone moderates, as anyone edits (the classroom case).
        let (a, b) = two_instances().await;
        assert_eq!(post(&b, SPAM, "spam").await.0, 201);
        let (mut on_b, _) = joined(&b, "/ws/chat").await;
        let (status, banned) = a.post_json("/api/chat/bans", &json!({ "email": SPAM, "purge": true })).await;
        assert_eq!(status, 201, "{banned}");
        assert_eq!(banned["by"], Value::Null);
        assert_eq!(b.get("/api/chat/bans").await.1[0]["email"], SPAM);
        assert_eq!(on_b.next_json().await["type"], "message_removed");
        assert_eq!(post(&b, SPAM, "otra vez").await.0, 403, "banned on A, refused on B");
        assert_eq!(b.count("/api/messages").await, 0);
    }
}

on_each_store! {
    async fn a_members_messages_are_the_staffs_and_their_emails_are_reserved() {
        let server = TestServer::start().await;
        add_account(&server, "mod@tienda.com", "moderator", "una clave larga de verdad");
        let cookie = log_in_as(&server, "mod@tienda.com", "una clave larga de verdad").await;
        // Sent with the session, under whatever email: stored as the member's, marked.
        let body = json!({ "email": "otro@ejemplo.com", "text": "Hola, soy del equipo" });
        let (status, sent) = server.send_with_cookie("POST", "/api/messages", &body, &cookie).await;
        assert_eq!(status, 201, "{sent}");
        assert_eq!((sent["email"].as_str(), sent["staff"].as_bool()), (Some("mod@tienda.com"), Some(true)));
        // Anyone else with that email: 403; with their own, unmarked.
        let (status, refused) = post(&server, "MOD@tienda.com", "soy el moderador").await;
        assert_eq!(status, 403, "{refused}");
        assert!(refused["fields"]["email"].is_string());
        let (status, plain) = post(&server, "ana@ejemplo.com", "hola").await;
        assert_eq!(status, 201);
        assert!(plain.get("staff").is_none(), "unmarked messages read as before: {plain}");

        // Over a socket opened with the session, the same; a socket without it is refused.
        let mut staff_socket = server.socket_with("/ws/chat", &[("cookie", &cookie)]).await;
        staff_socket.next_json().await;
        staff_socket.send_json(json!({ "type": "send", "ref": "s1", "email": "x@ejemplo.com", "text": "por el socket" })).await;
        let frame = loop {
            let frame = staff_socket.next_json().await;
            if frame["type"] == "message" { break frame; }
        };
        assert_eq!((frame["message"]["email"].as_str(), frame["message"]["staff"].as_bool()), (Some("mod@tienda.com"), Some(true)));
        let (mut visitor, _) = joined(&server, "/ws/chat").await;
        visitor.send_json(json!({ "type": "send", "ref": "v1", "email": "mod@tienda.com", "text": "finjo" })).await;
        let frame = loop {
            let frame = visitor.next_json().await;
            if frame["type"] == "error" || frame["type"] == "message" { break frame; }
        };
        assert_eq!((frame["type"].as_str(), frame["ref"].as_str()), (Some("error"), Some("v1")), "{frame}");

        let stored = server.get("/api/messages").await.1;
        let staff: Vec<bool> = stored.as_array().unwrap().iter().map(|m| m["staff"] == true).collect();
        assert_eq!(staff, [true, false, true], "{stored}");
    }
}
