//! The real server binary as the tests run it: its own data directory (or database), a port
//! bound by the test and handed over before the server starts (`server::harness::handover`),
//! and HTTP and WebSocket clients speaking to it as any client would.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use server::harness::{handover, raised_limits};

use super::{current_store, pg, Store};

/// How long a server may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct TestServer {
    pub port: u16,
    /// The port of its `/metrics` listener, when it has one (see [`with_metrics`](Self::with_metrics)).
    metrics_port: Option<u16>,
    pub data: PathBuf,
    /// The PostgreSQL database this server keeps its data in, when not SQLite.
    pub database_url: Option<String>,
    _dir: Option<Arc<tempfile::TempDir>>,
    child: Option<Child>,
    /// Everything the running server printed so far, and the threads that read it.
    output: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    pub http: reqwest::Client,
    env: Vec<(String, String)>,
}

impl TestServer {
    /// A server with an empty catalog on the test's store (see `on_each_store!`).
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    /// A server with these settings besides the usual ones (the per-client limits raised).
    pub async fn start_with(env: &[(&str, &str)]) -> TestServer {
        Self::start_on(test_database().await, env).await
    }

    /// A server with every per-client limit at its default, for the tests of those limits.
    pub async fn start_with_default_limits(env: &[(&str, &str)]) -> TestServer {
        let mut server = Self::unstarted(test_database().await, env, false);
        server.launch().await.expect("the server starts");
        server
    }

    /// A server on the test's store that is not started yet (settings may still be added).
    pub async fn prepared(env: &[(&str, &str)]) -> TestServer {
        Self::new(test_database().await, env)
    }

    /// A server keeping its data in `database_url` (SQLite when `None`).
    pub async fn start_on(database_url: Option<String>, env: &[(&str, &str)]) -> TestServer {
        let mut server = Self::new(database_url, env);
        server.launch().await.expect("the server starts");
        server
    }

    /// A server that is not started yet; [`launch`](Self::launch) starts it.
    pub fn new(database_url: Option<String>, env: &[(&str, &str)]) -> TestServer {
        Self::unstarted(database_url, env, true)
    }

    /// With the per-client limits raised (`raise`) or at their defaults.
    fn unstarted(database_url: Option<String>, env: &[(&str, &str)], raise: bool) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        // The raised limits first: a test's own settings come after and win.
        let raised = if raise { raised_limits() } else { Vec::new() };
        let env = raised
            .into_iter()
            .chain(env.iter().copied())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TestServer {
            port: 0,
            metrics_port: None,
            data: dir.path().to_path_buf(),
            database_url,
            _dir: Some(Arc::new(dir)),
            child: None,
            output: Arc::default(),
            readers: Vec::new(),
            http: reqwest::Client::new(),
            env,
        }
    }

    /// Another instance on the same database (or data directory), with its own port.
    pub async fn sibling(&self) -> TestServer {
        let mut sibling = self.unstarted_sibling();
        sibling.launch().await.expect("the second instance starts");
        sibling
    }

    /// Another instance on the same database, not started yet.
    pub fn unstarted_sibling(&self) -> TestServer {
        TestServer {
            port: 0,
            metrics_port: None,
            data: self.data.clone(),
            database_url: self.database_url.clone(),
            _dir: self._dir.clone(),
            child: None,
            output: Arc::default(),
            readers: Vec::new(),
            http: reqwest::Client::new(),
            env: self.env.clone(),
        }
    }

    /// Serves `/metrics` on a second socket of its own, from the next launch on.
    pub fn with_metrics(mut self) -> TestServer {
        self.metrics_port = Some(0);
        self
    }

    /// Where its `/metrics` are scraped.
    pub fn metrics_url(&self) -> String {
        let port = self.metrics_port.expect("a server started with_metrics");
        format!("http://127.0.0.1:{port}/metrics")
    }

    /// One more setting, for the next [`launch`](Self::launch).
    pub fn set(&mut self, name: &str, value: &str) {
        self.env.push((name.into(), value.into()));
    }

    /// Binds its port (the same one again after the first time), starts the binary on it, and
    /// returns once the server answers. `Err` with its output if it exits first.
    pub async fn launch(&mut self) -> Result<(), String> {
        let bind = |port: u16| -> Result<(std::net::TcpListener, u16), String> {
            let listener = handover::bind_loopback(port).map_err(|e| e.to_string())?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            Ok((listener, port))
        };
        let mut listeners = Vec::new();
        let (public, port) = bind(self.port)?;
        self.port = port;
        listeners.push(public);
        if let Some(wanted) = self.metrics_port {
            let (metrics, port) = bind(wanted)?;
            self.metrics_port = Some(port);
            listeners.push(metrics);
        }
        let mut command = Command::new(server_binary());
        command
            .env("HOST", "127.0.0.1")
            .env("DATA_DIR", &self.data)
            .env("SEED_EXAMPLES", "false")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let handed = handover::hand_over(&mut command, &listeners.iter().collect::<Vec<_>>())
            .map_err(|e| e.to_string())?;
        let mut child = command.spawn().expect("the server binary runs");
        drop((handed, listeners));
        *self.output.lock().unwrap() = String::new();
        self.readers = [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ]
        .into_iter()
        .map(|stream| {
            let output = self.output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut output = output.lock().unwrap();
                    output.push_str(&line);
                    output.push('\n');
                }
            })
        })
        .collect();
        match self.answers_or_exits(&mut child).await {
            Ok(()) => {
                self.child = Some(child);
                Ok(())
            }
            Err(problem) => {
                let _ = child.kill();
                let _ = child.wait();
                self.join_readers();
                Err(format!("{problem}:\n{}", self.output()))
            }
        }
    }

    /// Waits for the server's first answer (the request waits in the socket's queue until the
    /// server accepts it), looking every 20 ms whether the process exited instead. A client of
    /// its own asks: the test's client may hold connections to the process before a restart.
    async fn answers_or_exits(&self, child: &mut Child) -> Result<(), String> {
        let probe = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            let health = probe.get(self.url("/healthz")).send();
            tokio::pin!(health);
            let answer = loop {
                tokio::select! {
                    answer = &mut health => break answer,
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {
                        if let Some(status) = child.try_wait().expect("the child's status") {
                            return Err(format!("exited with {status}"));
                        }
                        if tokio::time::Instant::now() > deadline {
                            return Err(format!("did not start in {} s", START_TIMEOUT.as_secs()));
                        }
                    }
                }
            };
            match answer {
                // Any answer will do: a server with ALLOWED_HOSTS answers this one with 421.
                Ok(_) => return Ok(()),
                // Its connection was cut (the process exiting, say): look again.
                Err(e) => {
                    if let Some(status) = child.try_wait().expect("the child's status") {
                        return Err(format!("exited with {status} ({e})"));
                    }
                    if tokio::time::Instant::now() > deadline {
                        return Err(format!(
                            "did not start in {} s: {e}",
                            START_TIMEOUT.as_secs()
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    /// Waits until the threads reading the server's output have read all of it.
    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
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

    /// This server's own address as a browser's `Origin`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no chance to flush or clean up, like a crash or a power cut.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.join_readers();
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
        self.join_readers();
        self.output()
    }

    pub async fn restart(&mut self) {
        self.terminate();
        self.launch().await.expect("the server restarts");
    }

    pub fn data_file(&self, name: &str) -> PathBuf {
        self.data.join(name)
    }
}

/// A fresh database on the run's cluster for a PostgreSQL test; none (SQLite) otherwise.
async fn test_database() -> Option<String> {
    match current_store() {
        Store::Sqlite => None,
        Store::Postgres => Some(pg::fresh_database().await),
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The server binary under test: `TEST_SERVER_BIN` when set (`scripts/test.sh` points it at
/// the release build it makes for Playwright anyway, so the suites test the binary that
/// ships), else the debug build cargo made for these tests.
pub fn server_binary() -> PathBuf {
    std::env::var_os("TEST_SERVER_BIN")
        .filter(|path| !path.is_empty())
        .map_or_else(|| env!("CARGO_BIN_EXE_server").into(), Into::into)
}
