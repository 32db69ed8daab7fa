//! PostgreSQL for the benchmark's `--store postgres` runs: a private cluster started with
//! `scripts/pg-cluster.sh` (or the one at `--database-url`), and a fresh database per run.

pub use server::harness::pg_cluster::PgCluster as Cluster;

/// The cluster at `admin_url`, or a private one started now.
pub fn cluster(admin_url: Option<&str>) -> Result<Cluster, String> {
    match admin_url {
        Some(url) => Ok(Cluster::at(url)),
        None => Cluster::start("bench-pg"),
    }
}
