//! PostgreSQL for the tests: the cluster `scripts/test.sh` starts for the whole run
//! (`TEST_DATABASE_URL`), a fresh database per server, and private clusters for the tests that
//! stop or restart the database itself (so they never disturb other tests).

use sqlx::{Connection, PgConnection};

pub use server::harness::pg_cluster::PgCluster;

/// The run's cluster. Run the tests with `scripts/test.sh`, which starts it, or set
/// `TEST_DATABASE_URL` to a cluster of yours.
pub fn shared_cluster() -> PgCluster {
    let url = std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: run the tests with scripts/test.sh, which starts a \
         private PostgreSQL for them (or point it at a cluster of yours)",
    );
    PgCluster::at(&url)
}

/// A fresh, empty database on the run's cluster.
pub async fn fresh_database() -> String {
    shared_cluster()
        .fresh_database()
        .await
        .expect("a fresh database")
}

/// A cluster of the test's own, started now.
pub fn private_cluster() -> PgCluster {
    PgCluster::start("test-pg").expect("a private PostgreSQL cluster")
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
