//! The server under test: started fresh for a run, or one already running; and what its
//! process costs, read from /proc.
//!
//! A server this benchmark starts gets its listening socket from it, bound first and kept for
//! the server's whole life as a service manager does (`server::harness::handover`): a restart
//! refuses no connection, they wait in the socket's queue for the new process.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use server::harness::{handover, raised_limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::database::Cluster;
use crate::Options;

/// The staff password of a server started with `--staff-session`.
const STAFF_PASSWORD: &str = "bench-staff-password";

pub struct Target {
    pub addr: String,
    pub pid: Option<u32>,
    /// The shared staff password it was started with (`--staff-session`).
    pub staff_password: Option<String>,
    child: Option<Child>,
    launch: Option<Launch>,
}

/// How to start the server this benchmark runs.
struct Launch {
    server: String,
    listener: TcpListener,
    data_dir: std::path::PathBuf,
    database: Option<String>,
}

impl Target {
    /// The servers a run measures: one, or with `--store postgres` `--instances` of them on one
    /// fresh database. All of them when `--addr` names a running server.
    pub async fn start_all(
        options: &Options,
        cluster: Option<&Cluster>,
    ) -> Result<Vec<Target>, String> {
        let database = match cluster {
            Some(cluster) => Some(cluster.fresh_database().await?),
            None => None,
        };
        let mut targets = Vec::new();
        for _ in 0..options.instances {
            targets.push(Target::start(options, database.as_deref()).await?);
        }
        Ok(targets)
    }

    /// Starts the release server on a free loopback port with a fresh data directory, or on
    /// `database` (either way with the three example products), or names the one at `--addr`.
    pub async fn start(options: &Options, database: Option<&str>) -> Result<Target, String> {
        if let Some(addr) = &options.addr {
            return Ok(Target {
                addr: addr.clone(),
                pid: options.pid,
                staff_password: None,
                child: None,
                launch: None,
            });
        }
        let listener = handover::bind_loopback(0).map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let data_dir =
            std::env::temp_dir().join(format!("tiempo-real-bench-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
        let mut target = Target {
            addr: format!("127.0.0.1:{port}"),
            pid: None,
            staff_password: options.staff_session.then(|| STAFF_PASSWORD.to_string()),
            child: None,
            launch: Some(Launch {
                server: options.server.clone(),
                listener,
                data_dir,
                database: database.map(str::to_string),
            }),
        };
        target.launch().await?;
        Ok(target)
    }

    /// Stops the server with SIGTERM, as a service manager does, and waits for it to exit.
    pub fn terminate(&mut self) -> Result<(), String> {
        let mut child = self
            .child
            .take()
            .ok_or("not a server this benchmark started")?;
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .map_err(|e| e.to_string())?;
        child.wait().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Starts the server (again) on the same socket and data, and waits until it answers.
    pub async fn launch(&mut self) -> Result<(), String> {
        let launch = self
            .launch
            .as_ref()
            .ok_or("not a server this benchmark started")?;
        let mut command = Command::new(&launch.server);
        command
            .env("HOST", "127.0.0.1")
            .env("DATA_DIR", &launch.data_dir)
            .env(
                "DATABASE_URL",
                launch.database.as_deref().unwrap_or_default(),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // The load is many clients from one address: the per-client limits are raised for the
        // benchmark, never in the defaults.
        for (name, value) in raised_limits() {
            command.env(name, value);
        }
        if let Some(password) = &self.staff_password {
            command.env("STAFF_PASSWORD", password);
        }
        let handed =
            handover::hand_over(&mut command, &[&launch.listener]).map_err(|e| e.to_string())?;
        let child = command.spawn().map_err(|e| {
            format!(
                "cannot start {} (build it with scripts/build-site.sh): {e}",
                launch.server
            )
        })?;
        drop(handed);
        self.pid = Some(child.id());
        self.child = Some(child);
        self.answers().await
    }

    /// Returns once the server answers a request (which waits in the socket's queue until the
    /// server accepts it), or says why not.
    async fn answers(&mut self) -> Result<(), String> {
        let request = format!(
            "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        let asked = async {
            let mut stream = tokio::net::TcpStream::connect(&self.addr).await?;
            stream.write_all(request.as_bytes()).await?;
            let mut first = [0u8; 12];
            stream.read_exact(&mut first).await.map(drop)
        };
        match tokio::time::timeout(Duration::from_secs(20), asked).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("the server did not answer: {e}")),
            Err(_) => Err("the server did not answer in 20 s".into()),
        }
    }

    /// User plus system CPU time of the server so far, in seconds.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid?)).ok()?;
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / clock_ticks_per_second())
    }

    /// The data directory of a server this benchmark started.
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.launch.as_ref().map(|l| l.data_dir.as_path())
    }

    /// The database of a server this benchmark started on PostgreSQL.
    pub fn database(&self) -> Option<&str> {
        self.launch.as_ref()?.database.as_deref()
    }

    /// Resident memory of the server, in KiB.
    pub fn rss_kib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

/// The kernel's USER_HZ; 100 on every Linux this runs on.
fn clock_ticks_per_second() -> f64 {
    100.0
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(launch) = &self.launch {
            let _ = std::fs::remove_dir_all(&launch.data_dir);
        }
    }
}
