//! Hardening at the HTTP layer, as a client meets it: a catalog change without staff rights is
//! answered from its headers alone, before any of its body is sent; `COOKIE_SECURE` puts
//! `Strict-Transport-Security` on every response; `/readyz` says why it is not ready in words
//! of its own, never the database driver's; and an IPv6 client is its /64 network in every
//! per-client limit (an IPv4 address written as IPv6 is that IPv4 client).

mod support;

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, STRICT_TRANSPORT_SECURITY};
use serde_json::{json, Value};
use support::staff::{browser, shop, PASSWORD};
use support::{on_each_store, on_postgres, pg, product, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a refusal from the headers may take: far below the 10 s a body may take to
/// arrive, so an answer that waited for the body cannot pass.
const FROM_THE_HEADERS: Duration = Duration::from_secs(5);

/// Sends `head` (a request line and headers announcing a body, none of which is sent) and
/// reads the answer until the server closes the connection; fails if that takes longer than
/// [`FROM_THE_HEADERS`].
async fn answer_to_head(server: &TestServer, head: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let deadline = tokio::time::Instant::now() + FROM_THE_HEADERS;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&received).into_owned(),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => panic!(
                "no answer and close within {FROM_THE_HEADERS:?} of the headers: {:?}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
}

/// The status code of a raw HTTP/1.1 answer.
fn status_of(answer: &str) -> u16 {
    answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.1 answer: {answer:?}"))
}

/// The value of the header `name` of a raw answer.
fn header_of(answer: &str, name: &str) -> Option<String> {
    let head = answer.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

on_each_store! {
    async fn an_import_without_rights_is_refused_as_soon_as_its_headers_arrive() {
        let server = shop().await;
        // 60 MB announced (under the import's 64 MB limit), not one byte of it sent: only an
        // answer decided from the headers comes back before the body's 10 s are up.
        let head = format!(
            "POST /api/products/import HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Type: text/csv\r\nContent-Length: 60000000\r\n\r\n",
            server.port
        );
        let answer = answer_to_head(&server, &head).await;
        assert_eq!(status_of(&answer), 401, "{answer}");
        assert!(answer.contains("\"error\""), "the contract's JSON: {answer}");
        assert_eq!(
            header_of(&answer, "connection").as_deref(),
            Some("close"),
            "{answer}"
        );

        // Staff still import, their body read as usual.
        let response = server
            .http
            .post(server.url("/api/products/import"))
            .header(AUTHORIZATION, format!("Bearer {PASSWORD}"))
            .header("content-type", "text/csv")
            .body("title,description,code,price,stock,category\nT,D,C-1,1,1,c\n")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"created": 1, "updated": 0})
        );
    }

    async fn a_form_post_without_rights_goes_back_saying_staff_only_before_its_body() {
        let server = shop().await;
        for path in [
            "/realtimeproducts/products",
            "/realtimeproducts/products/1",
            "/realtimeproducts/products/1/delete",
        ] {
            // A body the form's 2 MB limit would take, announced and never sent.
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
                server.port
            );
            let answer = answer_to_head(&server, &head).await;
            assert_eq!(status_of(&answer), 303, "{path}: {answer}");
            assert_eq!(
                header_of(&answer, "location").as_deref(),
                Some("/realtimeproducts?error=staff_only"),
                "{path}: {answer}"
            );
        }
        assert_eq!(server.count("/api/products").await, 0);
    }

    async fn cookie_secure_puts_strict_transport_security_on_every_response() {
        for secure in [true, false] {
            let server = TestServer::start_with(&[
                ("STAFF_PASSWORD", PASSWORD),
                ("COOKIE_SECURE", if secure { "true" } else { "false" }),
            ])
            .await;
            let client = browser();
            let requests = [
                ("the home page", client.get(server.url("/"))),
                ("a page", client.get(server.url("/realtimeproducts"))),
                ("the login page", client.get(server.url("/login"))),
                ("a page that does not exist", client.get(server.url("/no-existe"))),
                ("the API", client.get(server.url("/api/products"))),
                ("the catalog file", client.get(server.url("/api/products.csv"))),
                ("an API 404", client.get(server.url("/api/nada"))),
                ("an API 405", client.patch(server.url("/api/products/1"))),
                ("healthz", client.get(server.url("/healthz"))),
                (
                    "a change without rights (401)",
                    client.post(server.url("/api/products")).json(&product(1)),
                ),
                (
                    "a form post without rights (303)",
                    client
                        .post(server.url("/realtimeproducts/products"))
                        .form(&[("title", "x")]),
                ),
                (
                    "a login (303 with the cookie)",
                    client
                        .post(server.url("/login"))
                        .form(&[("password", PASSWORD), ("next", "/")]),
                ),
            ];
            for (what, request) in requests {
                let response = request.send().await.unwrap();
                let status = response.status();
                let hsts = response
                    .headers()
                    .get(STRICT_TRANSPORT_SECURITY)
                    .map(|value| value.to_str().unwrap().to_string());
                if secure {
                    let max_age = hsts.as_deref().and_then(|value| {
                        value.split(';').find_map(|directive| {
                            directive.trim().strip_prefix("max-age=")?.parse::<u64>().ok()
                        })
                    });
                    assert!(
                        max_age.is_some_and(|seconds| seconds > 0),
                        "{what} ({status}): {hsts:?}"
                    );
                } else {
                    assert_eq!(hsts, None, "{what} ({status}), without COOKIE_SECURE");
                }
            }
        }
    }
}

on_postgres! {
    async fn readyz_says_why_in_its_own_words_and_the_driver_s_text_goes_to_the_log() {
        let cluster = pg::private_cluster();
        let url = cluster.fresh_database().await.unwrap();
        let server = TestServer::start_on(Some(url), &[]).await;
        assert_eq!(server.get("/readyz").await.0, 200);

        cluster.stop().unwrap();
        let body = server.readyz_until(503).await;
        let object = body.as_object().expect("a JSON object");
        assert_eq!(
            object.keys().collect::<Vec<_>>(),
            ["error"],
            "nothing beside the sentence: {body}"
        );
        let why = body["error"].as_str().expect("a sentence");
        assert!(
            why.starts_with("La base de datos") || why.starts_with("Esta instancia"),
            "the server's own words: {why}"
        );
        let lower = why.to_lowercase();
        for driver in [
            "refused",
            "os error",
            "error communicating",
            "connection",
            "pool",
            "timed out",
            "postgres",
            "sqlx",
            "127.0.0.1",
            "localhost",
            "socket",
        ] {
            assert!(!lower.contains(driver), "{driver:?} in {why:?}");
        }
        assert!(
            server.output().contains("not ready"),
            "the reason is logged for the operator:\n{}",
            server.output()
        );
    }
}

type WebSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// Posts a chat message as the client `client`, named by a trusted proxy on this machine.
async fn say_as(server: &TestServer, client: &str) -> u16 {
    let response = server
        .http
        .post(server.url("/api/messages"))
        .header("x-forwarded-for", client)
        .json(&json!({"email": "ana@example.com", "text": "hola"}))
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

/// Opens a chat socket as `client` (named by a trusted proxy on this machine); the refusal's
/// status when it is refused.
async fn socket_as(server: &TestServer, client: &str) -> Result<WebSocket, u16> {
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Error};
    let mut request = server.ws_url("/ws/chat").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("x-forwarded-for", client.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok((stream, _)) => Ok(stream),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("{client}: {e}"),
    }
}

on_each_store! {
    async fn ipv6_clients_share_the_chat_budget_of_their_64_and_mapped_ipv4_is_ipv4() {
        // Two messages per client, and no more for a quarter of an hour.
        let server = TestServer::start_with(&[
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("CHAT_MESSAGES_BURST", "2"),
            ("CHAT_MESSAGES_PER_SEC", "0.001"),
        ])
        .await;
        assert_eq!(say_as(&server, "2001:db8:1:2::1").await, 201);
        assert_eq!(say_as(&server, "2001:db8:1:2::ffff").await, 201);
        for neighbour in [
            "2001:db8:1:2::1",
            "2001:db8:1:2::ffff",
            "2001:db8:1:2:ffff:aaaa:1234:5678",
        ] {
            assert_eq!(say_as(&server, neighbour).await, 429, "{neighbour}");
        }
        // The next /64 is another client, with a budget of its own.
        assert_eq!(say_as(&server, "2001:db8:1:3::1").await, 201);
        assert_eq!(say_as(&server, "2001:db8:1:3::2").await, 201);
        assert_eq!(say_as(&server, "2001:db8:1:3::3").await, 429);
        // An IPv4 address written as IPv6 is that IPv4 client, either way round.
        assert_eq!(say_as(&server, "192.0.2.7").await, 201);
        assert_eq!(say_as(&server, "::ffff:192.0.2.7").await, 201);
        assert_eq!(say_as(&server, "192.0.2.7").await, 429);
        assert_eq!(say_as(&server, "::ffff:198.51.100.4").await, 201);
        assert_eq!(say_as(&server, "198.51.100.4").await, 201);
        assert_eq!(say_as(&server, "::ffff:198.51.100.4").await, 429);
        assert_eq!(say_as(&server, "192.0.2.8").await, 201, "a neighbour of IPv4 is not");
    }

    async fn the_staff_lockout_and_the_socket_limit_count_an_ipv6_64_as_one_client() {
        let server = TestServer::start_with(&[
            ("STAFF_PASSWORD", PASSWORD),
            ("TRUSTED_PROXIES", "127.0.0.1"),
            ("MAX_SOCKETS_PER_CLIENT", "2"),
        ])
        .await;
        let put_as = |token: &'static str, client: String| {
            server
                .http
                .put(server.url("/api/products/1"))
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .header("x-forwarded-for", client)
                .json(&json!({"stock": 3}))
                .send()
        };
        // Five wrong guesses, each from another address of one /64.
        for n in 1..=5 {
            let response = put_as("guess", format!("2001:db8:5:6::{n}")).await.unwrap();
            assert_eq!(response.status(), 401, "guess {n}");
        }
        let locked = put_as(PASSWORD, "2001:db8:5:6:abcd::99".into()).await.unwrap();
        assert_eq!(locked.status(), 429, "the whole /64 is locked out");
        let elsewhere = put_as(PASSWORD, "2001:db8:5:7::1".into()).await.unwrap();
        assert_eq!(elsewhere.status(), 404, "another /64 is not (no product 1)");

        let mut open = Vec::new();
        for client in ["2001:db8:7:8::1", "2001:db8:7:8::2"] {
            open.push(socket_as(&server, client).await.expect("a socket"));
        }
        assert_eq!(socket_as(&server, "2001:db8:7:8::3").await.err(), Some(429));
        assert!(
            socket_as(&server, "2001:db8:7:9::1").await.is_ok(),
            "another /64"
        );
    }
}
