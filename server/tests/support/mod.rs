//! Starts the real server binary on a free port with its own data directory, and talks to it
//! over HTTP and WebSockets, as any client would.
#![allow(dead_code)] // each test file uses its own part of this

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio_tungstenite::MaybeTlsStream;

pub mod cluster;
pub mod pg;
mod socket;

pub use socket::Socket;

/// Settings that lift the chat's per-client limit, for tests that post more than a person
/// would (every test client is the same client, 127.0.0.1).
pub const NO_CHAT_LIMIT: &[(&str, &str)] = &[
    ("CHAT_MESSAGES_PER_SEC", "1000000"),
    ("CHAT_MESSAGES_BURST", "1000000"),
];

pub struct TestServer {
    pub port: u16,
    pub data: PathBuf,
    /// The PostgreSQL database this server keeps its data in, when not files.
    pub database_url: Option<String>,
    _dir: Option<Arc<tempfile::TempDir>>,
    child: Option<Child>,
    /// Everything the running server printed so far.
    output: Arc<Mutex<String>>,
    pub http: reqwest::Client,
    extra_env: Vec<(String, String)>,
}

/// Which store the suites run against: files, unless `TEST_STORE=postgres`, in which case
/// every server gets a fresh database on the cluster at `TEST_DATABASE_URL`.
pub async fn default_database() -> Option<String> {
    match std::env::var("TEST_STORE").as_deref() {
        Ok("postgres") => Some(pg::fresh_database(&pg::shared_cluster_url()).await),
        _ => None,
    }
}

impl TestServer {
    /// A server with an empty catalog, on files in a fresh temporary directory (or on a fresh
    /// database; see [`default_database`]).
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    pub async fn start_with(env: &[(&str, &str)]) -> TestServer {
        Self::start_on(default_database().await, env).await
    }

    /// A server keeping its data in `database_url` (files when `None`).
    pub async fn start_on(database_url: Option<String>, env: &[(&str, &str)]) -> TestServer {
        let mut server = Self::new(database_url, env);
        server.launch().await.expect("the server starts");
        server
    }

    /// A server that is not started yet; [`launch`](Self::launch) starts it.
    pub fn new(database_url: Option<String>, env: &[(&str, &str)]) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        TestServer {
            port: 0,
            data: dir.path().to_path_buf(),
            database_url,
            _dir: Some(Arc::new(dir)),
            child: None,
            output: Arc::default(),
            http: reqwest::Client::new(),
            extra_env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Another instance on the same database (or data directory), with its own port.
    pub async fn sibling(&self) -> TestServer {
        let mut sibling = TestServer {
            port: 0,
            data: self.data.clone(),
            database_url: self.database_url.clone(),
            _dir: self._dir.clone(),
            child: None,
            output: Arc::default(),
            http: reqwest::Client::new(),
            extra_env: self.extra_env.clone(),
        };
        sibling.launch().await.expect("the second instance starts");
        sibling
    }

    /// Starts the binary on a port the server picks itself (port 0: no race for a free
    /// port), and waits for the line that announces where it listens. `Err` with its output
    /// if it exits first.
    pub async fn launch(&mut self) -> Result<(), String> {
        let mut command = Command::new(server_binary());
        command
            .env("HOST", "127.0.0.1")
            .env("PORT", "0")
            .env("DATA_DIR", &self.data)
            .env("SEED_EXAMPLES", "false")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            // The suites post faster than a person: the chat's per-client limit is raised
            // here, never in the defaults; the tests of the limits set their own.
            .env("CHAT_MESSAGES_PER_SEC", "100000")
            .env("CHAT_MESSAGES_BURST", "100000")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        for (key, value) in &self.extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the server binary runs");
        *self.output.lock().unwrap() = String::new();
        let (lines, mut announced) = tokio::sync::mpsc::unbounded_channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = self.output.clone();
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = lines.send(line.clone());
                    let mut output = output.lock().unwrap();
                    output.push_str(&line);
                    output.push('\n');
                }
            });
        }
        drop(lines);
        let started = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = announced.recv().await {
                if let Some(port) = line
                    .split("escuchando en http://")
                    .nth(1)
                    .and_then(|address| address.rsplit(':').next())
                    .and_then(|port| port.trim().parse().ok())
                {
                    return Some(port);
                }
            }
            None // both streams closed: the server exited
        })
        .await;
        match started {
            Ok(Some(port)) => {
                self.port = port;
                self.child = Some(child);
                Ok(())
            }
            Ok(None) => {
                let status = child.wait().expect("the exited server's status");
                // The reader threads may still be appending the last lines.
                std::thread::sleep(Duration::from_millis(50));
                Err(format!("exited with {status}:\n{}", self.output()))
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("did not start in 30 s:\n{}", self.output()))
            }
        }
    }

    /// What the server printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server runs").id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    /// SIGKILL: no chance to flush or clean up, like a crash or a power cut.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends a signal (`STOP`, `CONT`, ...) to the running server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// SIGTERM and wait; returns what the server printed.
    pub fn terminate(&mut self) -> String {
        let Some(mut child) = self.child.take() else {
            return String::new();
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        child.wait().expect("the server exits");
        std::thread::sleep(Duration::from_millis(50));
        self.output()
    }

    pub async fn restart(&mut self) {
        self.terminate();
        self.launch().await.expect("the server restarts");
    }

    pub fn data_file(&self, name: &str) -> PathBuf {
        self.data.join(name)
    }

    /// The body of a page (HTML), as a browser without JavaScript gets it.
    pub async fn page(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.expect("GET");
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
}

impl TestServer {
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

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// POSTs `body`; what the server acknowledged with a 201, else `None` (the server was killed
/// mid-request, say).
pub async fn acknowledged(http: &reqwest::Client, url: &str, body: &Value) -> Option<Value> {
    let response = http.post(url).json(body).send().await.ok()?;
    if response.status() != 201 {
        return None;
    }
    response.json().await.ok()
}

/// A valid product, distinguished by `n`.
pub fn product(n: usize) -> Value {
    json!({
        "title": format!("Producto {n}"),
        "description": format!("Descripción {n}"),
        "code": format!("P-{n:04}"),
        "price": 10.5 + n as f64,
        "stock": n,
        "category": "pruebas",
        "thumbnails": [format!("https://example.com/{n}.png")]
    })
}

/// A JSON array of objects with an `id`, keyed by id.
pub fn by_id(list: &Value) -> HashMap<u64, Value> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|item| (item["id"].as_u64().expect("an id"), item.clone()))
        .collect()
}

/// Every item a client was told is stored (201) is stored, exactly as acknowledged.
pub fn assert_all_kept(acknowledged: &[Value], stored: &HashMap<u64, Value>, what: &str) {
    for item in acknowledged {
        let id = item["id"].as_u64().unwrap();
        assert_eq!(
            stored.get(&id),
            Some(item),
            "acknowledged {what} {id} lost or changed"
        );
    }
}

/// Waits for writer tasks, each returning the products and the messages acknowledged to it,
/// and puts their lists together.
pub async fn gather_writers(
    writers: Vec<tokio::task::JoinHandle<(Vec<Value>, Vec<Value>)>>,
) -> (Vec<Value>, Vec<Value>) {
    let (mut made, mut said) = (Vec::new(), Vec::new());
    for writer in writers {
        let (m, s) = writer.await.unwrap();
        made.extend(m);
        said.extend(s);
    }
    (made, said)
}

/// Lines of a file, for checks on what is on disk.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The server binary under test: `TEST_SERVER_BIN` when set (`scripts/test.sh` points it at
/// the release build it makes for Playwright anyway, so the suites test the binary that
/// ships), else the debug build cargo made for these tests.
pub fn server_binary() -> std::path::PathBuf {
    std::env::var_os("TEST_SERVER_BIN")
        .filter(|path| !path.is_empty())
        .map_or_else(|| env!("CARGO_BIN_EXE_server").into(), Into::into)
}
