//! Another site's page cannot post to the chat through its visitors, nor sneak text that reads
//! backwards or shows nothing; API clients and the site's own pages are served as before.

mod support;

use reqwest::header::{CONTENT_TYPE, ORIGIN};
use serde_json::{json, Value};
use support::{on_each_store, TestServer};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn post_message(
    server: &TestServer,
    headers: &[(reqwest::header::HeaderName, String)],
    body: &str,
) -> (u16, Value) {
    let mut request = server
        .http
        .post(server.url("/api/messages"))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_each_store! {
    async fn another_sites_page_cannot_post_or_open_the_chat_socket() {
        let server = TestServer::start().await;
        let body = json!({"email": "ana@example.com", "text": "hola"}).to_string();
        let json = (CONTENT_TYPE, "application/json".to_string());

        // A form or fetch of another page sends text/plain without asking first: 415.
        let plain = (CONTENT_TYPE, "text/plain".to_string());
        let (status, answer) = post_message(&server, &[plain], &body).await;
        assert_eq!(status, 415, "{answer}");
        assert!(answer["error"].is_string());
        let evil = (ORIGIN, "https://evil.example".to_string());
        let (status, answer) = post_message(&server, &[evil.clone(), json.clone()], &body).await;
        assert_eq!(status, 403, "{answer}");
        assert!(answer["error"].is_string());
        let mut upgrade = server.ws_url("/ws/chat").into_client_request().unwrap();
        upgrade
            .headers_mut()
            .insert("origin", "https://evil.example".parse().unwrap());
        let socket = tokio_tungstenite::connect_async(upgrade).await;
        let refused = socket.expect_err("the upgrade is refused");
        assert!(refused.to_string().contains("403"), "{refused}");
        assert_eq!(server.count("/api/messages").await, 0, "nothing was posted");

        // The site's own page, and an API client without Origin, are served.
        let own = (ORIGIN, server.origin());
        assert_eq!(post_message(&server, &[own, json.clone()], &body).await.0, 201);
        assert_eq!(post_message(&server, &[json], &body).await.0, 201);
        let mut own_socket = server
            .socket_with("/ws/chat", &[("origin", server.origin().as_str())])
            .await;
        assert_eq!(own_socket.next_json().await["type"], "history");
    }

    async fn text_that_reads_backwards_or_shows_nothing_is_refused() {
        let server = TestServer::start().await;
        for (email, text, field) in [
            ("ana@example.com", "factura.\u{202E}fdp.exe", "text"),
            ("ana@example.com", "\u{200B}\u{200D}\u{2060}", "text"),
            ("ventas\u{202E}@mitienda.com", "hola", "email"),
        ] {
            let (status, answer) = server
                .post_json("/api/messages", &json!({"email": email, "text": text}))
                .await;
            assert_eq!(status, 400, "{text:?}: {answer}");
            assert!(answer["fields"][field].is_string(), "{answer}");
        }
        assert_eq!(server.count("/api/messages").await, 0);
    }
}
