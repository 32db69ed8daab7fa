//! What one client may ask of the sockets and the chat: messages per second (HTTP and sockets
//! together), open sockets, frames per second, and replies it does not read. Each server here
//! runs with the defaults of the limit it tests.

mod support;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::json;
use support::{on_each_store, product, TestServer};
use tokio_tungstenite::tungstenite::Message;

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

on_each_store! {
    async fn a_chat_flood_gets_429_over_http_and_error_frames_on_a_socket() {
        let server = TestServer::start_with_default_limits(&[]).await;
        let message = json!({"email": "ana@example.com", "text": "hola"});
        for n in 0..20 {
            assert_eq!(
                server.post_json("/api/messages", &message).await.0,
                201,
                "message {n}"
            );
        }
        let (status, body) = server.post_json("/api/messages", &message).await;
        assert_eq!(status, 429);
        assert!(body["error"].is_string());

        // Another server, the flood over one socket: the excess gets error frames, the socket
        // stays open, and HTTP shares the same budget.
        let server = TestServer::start_with_default_limits(&[]).await;
        let mut socket = server.socket("/ws/chat").await;
        assert_eq!(socket.next_json().await["type"], "history");
        for n in 0..25 {
            socket
                .send_json(json!({"type": "send", "ref": format!("m{n}"), "email": "ana@example.com", "text": format!("m{n}")}))
                .await;
        }
        let (mut delivered, mut refused) = (0, 0);
        while delivered + refused < 25 {
            let frame = socket.next_json().await;
            match frame["type"].as_str() {
                Some("message") => delivered += 1,
                Some("error") => refused += 1,
                _ => panic!("unexpected {frame}"),
            }
        }
        assert_eq!((delivered, refused), (20, 5));
        assert_eq!(
            server.post_json("/api/messages", &message).await.0,
            429,
            "one budget"
        );
        socket.send_json(json!({"type": "nonsense"})).await;
        assert_eq!(
            socket.next_json().await["type"],
            "error",
            "the socket is still open"
        );
    }

    async fn a_client_may_hold_only_so_many_sockets() {
        let server = TestServer::start_with(&[("MAX_SOCKETS_PER_CLIENT", "3")]).await;
        let mut open = Vec::new();
        for _ in 0..3 {
            open.push(server.socket("/ws/products").await);
        }
        match tokio_tungstenite::connect_async(server.ws_url("/ws/chat")).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 429)
            }
            other => panic!("the fourth socket must be refused: {:?}", other.map(|_| ())),
        }
        // Closing one frees its place (once the server has seen the close).
        let mut first = open.remove(0);
        first.stream.close(None).await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio_tungstenite::connect_async(server.ws_url("/ws/chat")).await {
                Ok(_) => break,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(e) => panic!("the freed place was not given back: {e}"),
            }
        }
    }

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
        // Once the budget refills, the same socket is served again.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            flooder
                .send_json(json!({"type": "add", "product": product(1)}))
                .await;
            let answer = flooder.next_change().await;
            if answer["type"] == "added" {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "still refused: {answer}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

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

    async fn a_socket_that_floods_without_reading_is_closed_and_memory_stays_bounded() {
        let server = TestServer::start().await;
        let before = rss_kib(server.pid());
        let mut flooder = server.stalled_socket("/ws/products").await;
        // Requests that each earn an error reply, as fast as the socket takes them, without ever
        // reading a reply.
        let frame = json!({"type": "remove", "id": 999_999_999}).to_string();
        let mut sent = 0;
        let mut closed = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while tokio::time::Instant::now() < deadline {
            let send = flooder.stream.send(Message::Text(frame.clone().into()));
            match tokio::time::timeout(Duration::from_secs(2), send).await {
                Ok(Ok(())) => sent += 1,
                // The server closed or reset the socket: done.
                Ok(Err(_)) => {
                    closed = true;
                    break;
                }
                // The server stopped reading: its side is full. It must close us soon.
                Err(_) => {}
            }
        }
        let after = rss_kib(server.pid());
        println!("flooder sent {sent} frames; server RSS {before} KiB -> {after} KiB");
        assert!(closed, "the flooding socket was closed");
        assert!(
            after < before + 32 * 1024,
            "memory grew: {before} -> {after} KiB"
        );
        // Everyone else is served.
        assert_eq!(server.create(&product(1)).await["id"], 1);
    }
}
