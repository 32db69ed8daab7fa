//! Private PostgreSQL clusters for the tests and the benchmark (`scripts/pg-cluster.sh`: a
//! directory of its own, a free port on 127.0.0.1), and fresh databases on them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, PgConnection};

/// A cluster started with `scripts/pg-cluster.sh`, stopped (and its directory removed) when
/// dropped; or, with [`PgCluster::at`], one that runs already and is left alone.
pub struct PgCluster {
    pub admin_url: String,
    /// Set when this process started the cluster.
    dir: Option<PathBuf>,
}

impl PgCluster {
    /// Starts a cluster in a new directory under `/tmp` (not a private temporary root: the
    /// cluster may run as another user).
    pub fn start(name: &str) -> Result<PgCluster, String> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let dir = PathBuf::from(format!(
            "/tmp/tiempo-real-{name}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let admin_url = script("start", &dir)?;
        Ok(PgCluster {
            admin_url,
            dir: Some(dir),
        })
    }

    /// The cluster running at `admin_url`.
    pub fn at(admin_url: &str) -> PgCluster {
        PgCluster {
            admin_url: admin_url.to_string(),
            dir: None,
        }
    }

    /// Stops the database at once, like a crash of the database server.
    pub fn stop(&self) -> Result<(), String> {
        script("stop", self.own_dir()?).map(drop)
    }

    /// Starts it again after [`stop`](Self::stop), on the same port with the same data.
    pub fn start_again(&self) -> Result<(), String> {
        script("start", self.own_dir()?).map(drop)
    }

    fn own_dir(&self) -> Result<&Path, String> {
        self.dir
            .as_deref()
            .ok_or_else(|| "a cluster this process did not start".to_string())
    }

    /// Creates an empty database and returns its URL.
    pub async fn fresh_database(&self) -> Result<String, String> {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "db_{}_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.admin_url))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .map_err(|e| format!("cannot create a database: {e}"))?;
        let (base, _) = self
            .admin_url
            .rsplit_once('/')
            .ok_or("an admin URL without a database")?;
        Ok(format!("{base}/{name}"))
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = script("stop", &dir);
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn script(command: &str, dir: &Path) -> Result<String, String> {
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
