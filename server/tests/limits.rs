//! Limits against abuse, tried from the outside as an attacker would: guessing the staff
//! password, pretending to be another client, open redirects, floods, slow bodies, other
//! sites and host names. Each server here runs with the defaults of the limit it tests.

mod support;

use std::time::Duration;

use futures::SinkExt;
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use support::{product, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "clave-del-local";

/// The chat's default limits (the suites raise them; these tests must not).
const CHAT_DEFAULTS: [(&str, &str); 2] = [
    ("CHAT_MESSAGES_PER_SEC", "5"),
    ("CHAT_MESSAGES_BURST", "20"),
];

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn put_with_bearer(server: &TestServer, token: &str, forwarded_for: &str) -> (u16, Value) {
    let response = server
        .http
        .put(server.url("/api/products/1"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"stock": 3}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn login(server: &TestServer, password: &str, next: &str) -> reqwest::Response {
    browser()
        .post(server.url("/login"))
        .form(&[("password", password), ("next", next)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn wrong_bearer_tokens_and_passwords_count_together_and_lock_the_client_out() {
    let server = TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD)]).await;
    let (status, _) = put_with_bearer(&server, PASSWORD, "").await;
    assert_eq!(status, 404, "the right token works (no product 1 yet)");
    for _ in 0..3 {
        assert_eq!(put_with_bearer(&server, "guess", "").await.0, 401);
    }
    for _ in 0..2 {
        assert_eq!(login(&server, "guess", "/").await.status(), 401);
    }
    // Five failures in a row: every staff credential is refused now, the right one too.
    let (status, body) = put_with_bearer(&server, PASSWORD, "").await;
    assert_eq!(status, 429);
    assert!(body["error"].is_string(), "{body}");
    let refused = login(&server, PASSWORD, "/").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().get(SET_COOKIE).is_none());
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].is_string());
    // Reading stays open.
    assert_eq!(server.get("/api/products").await.0, 200);
}

#[tokio::test]
async fn a_made_up_x_forwarded_for_does_not_escape_the_lockout() {
    let server = TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD)]).await;
    for n in 0..5 {
        let spoofed = format!("203.0.113.{n}");
        assert_eq!(put_with_bearer(&server, "guess", &spoofed).await.0, 401);
    }
    let (status, _) = put_with_bearer(&server, PASSWORD, "198.51.100.200").await;
    assert_eq!(status, 429, "the header of an untrusted peer names nobody");

    // Behind a trusted proxy the last entry names the client, across every header line.
    let proxied = TestServer::start_with(&[
        ("STAFF_PASSWORD", PASSWORD),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    for _ in 0..5 {
        let response = proxied
            .http
            .put(proxied.url("/api/products/1"))
            .header(AUTHORIZATION, "Bearer guess")
            .header("x-forwarded-for", "198.51.100.9")
            .header("x-forwarded-for", "203.0.113.7")
            .json(&json!({"stock": 3}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    assert_eq!(
        put_with_bearer(&proxied, PASSWORD, "203.0.113.7").await.0,
        429
    );
    assert_eq!(
        put_with_bearer(&proxied, PASSWORD, "198.51.100.9").await.0,
        404,
        "another client"
    );
}

#[tokio::test]
async fn next_only_ever_leads_to_a_path_of_this_site() {
    let server = TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD)]).await;
    let hostile = [
        "//evil.example",
        "/\t/evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        " /x",
    ];
    for next in hostile {
        let response = login(&server, PASSWORD, next).await;
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(
            response.headers()[LOCATION],
            "/realtimeproducts",
            "{next:?}"
        );
    }
    let ok = login(&server, PASSWORD, "/chat?x=1").await;
    assert_eq!(ok.headers()[LOCATION], "/chat?x=1");
    let cookie = ok.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    // The page's links and hidden field, for a visitor and for staff.
    for next in hostile {
        let query = serde_urlencoded::to_string([("next", next)]).unwrap();
        for cookie in ["", cookie.as_str()] {
            let html = browser()
                .get(server.url(&format!("/login?{query}")))
                .header(COOKIE, cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                !html.contains("evil.example") && !html.contains("javascript:"),
                "{next:?}: {html}"
            );
            assert!(html.contains("/realtimeproducts"), "{next:?}");
        }
    }
}

#[tokio::test]
async fn a_chat_flood_gets_429_over_http_and_error_frames_on_a_socket() {
    let server = TestServer::start_with(&CHAT_DEFAULTS).await;
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
    let server = TestServer::start_with(&CHAT_DEFAULTS).await;
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

#[tokio::test]
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

#[tokio::test]
async fn a_body_that_does_not_arrive_gets_408_and_the_connection_closes() {
    let server = TestServer::start().await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"email\":",
        server.port
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = tokio::time::Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes within 20 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_secs(9),
        "not before the 10 s"
    );
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test]
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

#[tokio::test]
async fn a_logout_from_another_site_changes_nothing() {
    let server = TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD)]).await;
    let response = browser()
        .post(server.url("/logout"))
        .header(COOKIE, "tiempo_real_staff=whatever")
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get(SET_COOKIE).is_none());
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].is_string());
}

/// Sends a raw GET with `host` and returns the status line's code and the body.
async fn get_with_host(server: &TestServer, path: &str, host: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer[9..12].parse().unwrap();
    (status, answer)
}

#[tokio::test]
async fn only_the_allowed_host_names_are_served() {
    let server = TestServer::start().await;
    let port = server.port;
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(
            get_with_host(&server, "/api/products", &host).await.0,
            200,
            "{host}"
        );
    }
    for host in ["evil.example", "evil.example:80", "127.0.0.1.nip.example"] {
        let (status, answer) = get_with_host(&server, "/", host).await;
        assert_eq!(status, 421, "{host}");
        assert!(answer.contains("\"error\""), "{answer}");
    }
    let named = TestServer::start_with(&[("ALLOWED_HOSTS", "tienda.example, otra.example")]).await;
    assert_eq!(
        get_with_host(&named, "/api/products", "tienda.example")
            .await
            .0,
        200
    );
    assert_eq!(
        get_with_host(&named, "/api/products", "localhost").await.0,
        421
    );
}

#[tokio::test]
async fn cookie_secure_marks_the_session_cookie_secure() {
    for (secure, expected) in [("true", true), ("false", false)] {
        let server =
            TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD), ("COOKIE_SECURE", secure)])
                .await;
        let response = login(&server, PASSWORD, "/").await;
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
        assert_eq!(cookie.contains("; Secure"), expected, "{cookie}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_strict_policy() {
    let server = TestServer::start().await;
    for path in ["/api/products", "/api/nothing", "/healthz"] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
        assert_eq!(
            response.headers()["referrer-policy"],
            "same-origin",
            "{path}"
        );
    }
    for path in ["/", "/realtimeproducts", "/chat", "/login", "/?q=x"] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = response.text().await.unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        let script_src = policy
            .split(';')
            .find(|directive| directive.trim().starts_with("script-src"))
            .expect("a script-src");
        assert!(!script_src.contains("unsafe-inline") && !script_src.contains("'unsafe-eval'"));
        let nonce = script_src
            .split_whitespace()
            .find_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\''))
            .expect("a nonce");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: the page's scripts carry it"
        );
    }
}

#[tokio::test]
async fn thumbnails_are_capped() {
    let server = TestServer::start().await;
    let mut many = product(1);
    many["thumbnails"] = json!((0..11)
        .map(|n| format!("https://example.com/{n}.png"))
        .collect::<Vec<_>>());
    let (status, body) = server.post_json("/api/products", &many).await;
    assert_eq!(status, 400);
    assert!(body["fields"]["thumbnails"].is_string(), "{body}");
    let mut long = product(1);
    long["thumbnails"] = json!([format!("https://example.com/{}", "x".repeat(2030))]);
    let (status, body) = server.post_json("/api/products", &long).await;
    assert_eq!(status, 400);
    assert!(body["fields"]["thumbnails"].is_string(), "{body}");
    let mut most = product(1);
    most["thumbnails"] = json!((0..10)
        .map(|n| format!("https://example.com/{n}/{}", "x".repeat(2000)))
        .collect::<Vec<_>>());
    assert_eq!(server.post_json("/api/products", &most).await.0, 201);
}
