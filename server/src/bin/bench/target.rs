//! The server under test: started fresh for a run, or one already running; and what its
//! process costs, read from /proc.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::database::Cluster;
use crate::Options;

pub struct Target {
    pub addr: String,
    pub pid: Option<u32>,
    child: Option<Child>,
    launch: Option<Launch>,
}

/// How to start the server this benchmark runs.
struct Launch {
    server: String,
    port: u16,
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
        for _ in 0..options.instances.max(1) {
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
                child: None,
                launch: None,
            });
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let data_dir =
            std::env::temp_dir().join(format!("tiempo-real-bench-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
        let mut target = Target {
            addr: format!("127.0.0.1:{port}"),
            pid: None,
            child: None,
            launch: Some(Launch {
                server: options.server.clone(),
                port,
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

    /// Starts the server (again) on the same port and data, and waits until it listens.
    pub async fn launch(&mut self) -> Result<(), String> {
        let launch = self
            .launch
            .as_ref()
            .ok_or("not a server this benchmark started")?;
        let child = Command::new(&launch.server)
            .env("HOST", "127.0.0.1")
            .env("PORT", launch.port.to_string())
            .env("DATA_DIR", &launch.data_dir)
            .env(
                "DATABASE_URL",
                launch.database.as_deref().unwrap_or_default(),
            )
            .env("RUST_LOG", "warn")
            // The load is many clients from one address: the per-client limits are raised
            // for the benchmark, never in the defaults.
            .env("CHAT_MESSAGES_PER_SEC", "1000000")
            .env("CHAT_MESSAGES_BURST", "1000000")
            .env("MAX_SOCKETS_PER_CLIENT", "1000000")
            .env("WS_FRAMES_PER_SEC", "1000000")
            .env("WS_FRAME_BURST", "1000000")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {} (build it with scripts/build-site.sh): {e}",
                    launch.server
                )
            })?;
        self.pid = Some(child.id());
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(&self.addr).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err("the server did not start listening in 20 s".into())
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
