//! PostgreSQL for the tests: the cluster `scripts/test.sh` starts for the whole run
//! (`TEST_DATABASE_URL`), a fresh database per server, and private clusters for the tests that
//! stop or restart the database itself (so they never disturb other tests).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, PgConnection};

/// The admin URL of the run's cluster. The tests of several instances need one: run them with
/// `scripts/test.sh`, which starts it, or set `TEST_DATABASE_URL` yourself.
pub fn shared_cluster_url() -> String {
    std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: run the tests with scripts/test.sh, which starts a \
         private PostgreSQL for them (or point it at a cluster of yours)",
    )
}

/// Creates an empty database on the cluster at `admin_url` and returns its URL.
pub async fn fresh_database(admin_url: &str) -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "test_{}_{}_{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("the test cluster answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("a fresh database");
    let (base, _) = admin_url.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{name}")
}

/// Runs one statement on `url` (as a test's own client, not through the servers).
pub async fn execute(url: &str, statement: &str) -> u64 {
    let mut connection = PgConnection::connect(url)
        .await
        .expect("the database answers");
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"))
        .rows_affected()
}

/// A cluster of a test's own, started with `scripts/pg-cluster.sh`, stopped when dropped.
pub struct PgCluster {
    dir: tempfile::TempDir,
    pub admin_url: String,
}

impl PgCluster {
    pub fn start() -> PgCluster {
        let dir = tempfile::Builder::new()
            .prefix("tiempo-real-pg-")
            .tempdir_in("/tmp")
            .expect("a directory for the cluster");
        let admin_url = cluster_script("start", &dir.path().to_path_buf());
        PgCluster { dir, admin_url }
    }

    /// Stops the database at once, like a crash of the database server.
    pub fn stop(&self) {
        cluster_script("stop", &self.dir.path().to_path_buf());
    }

    /// Starts it again after [`stop`](Self::stop), on the same port with the same data.
    pub fn start_again(&self) {
        cluster_script("start", &self.dir.path().to_path_buf());
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn cluster_script(command: &str, dir: &PathBuf) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/pg-cluster.sh");
    let output = Command::new(script)
        .arg(command)
        .arg(dir)
        .output()
        .expect("scripts/pg-cluster.sh runs");
    assert!(
        output.status.success(),
        "pg-cluster.sh {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}
