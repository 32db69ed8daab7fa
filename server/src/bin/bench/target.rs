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
    data_dir: Option<std::path::PathBuf>,
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
                data_dir: None,
            });
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let data_dir =
            std::env::temp_dir().join(format!("tiempo-real-bench-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
        let child = Command::new(&options.server)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATA_DIR", &data_dir)
            .env("DATABASE_URL", database.unwrap_or_default())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {} (build it with cargo leptos build --release): {e}",
                    options.server
                )
            })?;
        let target = Target {
            addr: format!("127.0.0.1:{port}"),
            pid: Some(child.id()),
            child: Some(child),
            data_dir: Some(data_dir),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(&target.addr).await.is_ok() {
                return Ok(target);
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
        if let Some(dir) = self.data_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
