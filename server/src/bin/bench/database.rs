//! PostgreSQL for the benchmark's `--store postgres` runs: a private cluster started with
//! `scripts/pg-cluster.sh` (or the one at `--database-url`), and a fresh database per run.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, PgConnection};

pub struct Cluster {
    admin_url: String,
    /// Set when this benchmark started the cluster, which it then stops.
    dir: Option<PathBuf>,
}

impl Cluster {
    /// The cluster at `admin_url`, or a private one started now.
    pub fn start(admin_url: Option<&str>) -> Result<Cluster, String> {
        if let Some(url) = admin_url {
            return Ok(Cluster {
                admin_url: url.to_string(),
                dir: None,
            });
        }
        let dir = std::env::temp_dir().join(format!("tiempo-real-bench-pg-{}", std::process::id()));
        let admin_url = script("start", &dir)?;
        Ok(Cluster {
            admin_url,
            dir: Some(dir),
        })
    }

    /// An empty database of its own, for one run.
    pub async fn fresh_database(&self) -> Result<String, String> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "bench_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.admin_url))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .map_err(|e| e.to_string())?;
        let (base, _) = self.admin_url.rsplit_once('/').ok_or("bad admin URL")?;
        Ok(format!("{base}/{name}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = script("stop", &dir);
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn script(command: &str, dir: &PathBuf) -> Result<String, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pg-cluster.sh");
    let output = Command::new(script)
        .arg(command)
        .arg(dir)
        .output()
        .map_err(|e| format!("{script}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "pg-cluster.sh {command}: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}
