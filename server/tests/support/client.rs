//! Speaking to a [`TestServer`] as any client would: pages, the JSON API, and sockets.

use serde_json::Value;
use tokio_tungstenite::MaybeTlsStream;

use super::{Socket, TestServer};

impl TestServer {
    /// The body of a page (HTML), as a browser without JavaScript gets it.
    pub async fn page(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        response.text().await.expect("a body")
    }

    /// The body of a page as a browser that sends `cookie` gets it.
    pub async fn page_with_cookie(&self, path: &str, cookie: &str) -> String {
        let response = self
            .http
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("GET");
        response.text().await.expect("a body")
    }

    /// The catalog file (`GET /api/products.csv`), as a spreadsheet user downloads it.
    pub async fn catalog_file(&self) -> String {
        let response = self
            .http
            .get(self.url(app::paths::PRODUCTS_CSV))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200);
        let content_type = &response.headers()[reqwest::header::CONTENT_TYPE];
        assert!(content_type.to_str().unwrap().starts_with("text/csv"));
        response.text().await.expect("a body")
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
        read(response).await
    }

    pub async fn send(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = self
            .http
            .request(method, self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        read(response).await
    }

    /// A request with `token` as its bearer credential and `body` as JSON (none when null).
    pub async fn send_with_token(
        &self,
        method: &str,
        path: &str,
        body: &Value,
        token: &str,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if !body.is_null() {
            request = request.json(body);
        }
        read(request.send().await.expect("request")).await
    }

    /// A request as a browser holding `cookie` sends it (same site), `body` as JSON (none when
    /// null).
    pub async fn send_with_cookie(
        &self,
        method: &str,
        path: &str,
        body: &Value,
        cookie: &str,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, self.url(path))
            .header(reqwest::header::COOKIE, cookie);
        if !body.is_null() {
            request = request.json(body);
        }
        read(request.send().await.expect("request")).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send("POST", path, &body.to_string()).await
    }

    /// Every message, read page by page (a page holds at most 1,000), oldest first.
    pub async fn all_messages(&self) -> Value {
        let mut all: Vec<Value> = Vec::new();
        let mut before = String::new();
        loop {
            let (status, page) = self.get(&format!("/api/messages?limit=1000{before}")).await;
            assert_eq!(status, 200, "{page}");
            let page = page.as_array().expect("a JSON array").clone();
            let Some(oldest) = page.first() else { break };
            before = format!("&before={}", oldest["id"]);
            let full = page.len() == 1000;
            all.splice(0..0, page);
            if !full {
                break;
            }
        }
        Value::Array(all)
    }

    /// Asks `/readyz` until it answers `status` (within 30 s): the body of that answer.
    pub async fn readyz_until(&self, status: u16) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let (got, body) = self.get("/readyz").await;
            if got == status {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "/readyz still {got}: {body}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub async fn count(&self, path: &str) -> usize {
        self.get(path)
            .await
            .1
            .as_array()
            .expect("a JSON array")
            .len()
    }

    pub async fn create(&self, product: &Value) -> Value {
        let (status, body) = self.post_json("/api/products", product).await;
        assert_eq!(status, 201, "create failed: {body}");
        body
    }

    pub async fn socket(&self, path: &str) -> Socket {
        self.socket_with(path, &[]).await
    }

    /// A socket opened with extra request headers (a cookie, an `Origin`).
    pub async fn socket_with(&self, path: &str, headers: &[(&str, &str)]) -> Socket {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = self.ws_url(path).into_client_request().unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .unwrap(),
                value.parse().unwrap(),
            );
        }
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("socket connects");
        Socket { stream }
    }

    /// A socket with a 4 KiB receive buffer, for a client that never reads.
    pub async fn stalled_socket(&self, path: &str) -> Socket {
        let tcp = tokio::net::TcpSocket::new_v4().unwrap();
        tcp.set_recv_buffer_size(4096).unwrap();
        let stream = tcp
            .connect(([127, 0, 0, 1], self.port).into())
            .await
            .unwrap();
        let (stream, _) =
            tokio_tungstenite::client_async(self.ws_url(path), MaybeTlsStream::Plain(stream))
                .await
                .expect("socket connects");
        Socket { stream }
    }
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}
