//! What the HTTP layer does with clients that misbehave: slow or silent connections, bodies over
//! the limit, paths that are not UTF-8. Every refusal of the API is the contract's JSON.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{product, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; how long that took, and what it sent.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (started.elapsed(), received),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("still open after {limit:?}"),
        }
    }
}

/// Reads one response: its head, then as many body bytes as its `content-length` says.
async fn whole_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&received).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .expect("an answer within 10 s")
            .unwrap();
        assert!(read > 0, "closed before a whole response: {text}");
        received.extend_from_slice(&buffer[..read]);
    }
}

#[tokio::test]
async fn connections_that_send_half_a_request_or_nothing_are_closed_after_10_s() {
    let server = TestServer::start().await;
    let address = format!("127.0.0.1:{}", server.port);
    let mut silent = TcpStream::connect(&address).await.unwrap();
    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(b"GET /api/products HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    // A socket stays open across the same stretch, and still gets events.
    let mut socket = server.socket("/ws/products").await;
    socket.next_change().await;

    let (silent_after, half_after) = tokio::join!(
        until_closed(&mut silent, Duration::from_secs(20)),
        until_closed(&mut half, Duration::from_secs(20)),
    );
    for (what, (after, _)) in [("silent", silent_after), ("half a header", half_after)] {
        assert!(
            after >= Duration::from_secs(9) && after < Duration::from_secs(13),
            "{what}: closed after {after:?}"
        );
    }
    let made = server.create(&product(1)).await;
    assert_eq!(
        socket.next_change().await,
        json!({"type": "added", "product": made})
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_a_json_413_in_spanish() {
    let server = TestServer::start().await;
    let mut stream = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    // Announced, not sent: the server answers without reading 3 MB it would refuse anyway.
    stream
        .write_all(
            b"POST /api/products HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Content-Length: 3000000\r\n\r\n{\"title\":",
        )
        .await
        .unwrap();
    let response = whole_response(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        body,
        json!({"error": "El cuerpo de la solicitud es demasiado grande (máximo 2 MB)"})
    );
    assert_eq!(
        server.count("/api/products").await,
        0,
        "and the server goes on"
    );
}

#[tokio::test]
async fn paths_that_are_not_utf8_and_unknown_routes_get_json_errors() {
    let server = TestServer::start().await;
    for path in [
        "/api/products/%FF",
        "/api/products/%C3%28",
        "/api/%FF%FE",
        "/api/nada",
    ] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("No existe")),
            "{path}: {body}"
        );
    }
    let (status, body) = server.send("PATCH", "/api/products/1", "{}").await;
    assert_eq!(
        (status, body),
        (405, json!({"error": "Método no permitido en esta ruta"}))
    );
    let response = server
        .http
        .get(server.url("/ws/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "a plain GET on a socket path");
    assert!(response.json::<Value>().await.unwrap()["error"].is_string());
}
