//! Prometheus metrics, served on `METRICS_ADDR` only (off without it, so they are never
//! public by accident), through the `metrics` facade and its Prometheus exporter. Without the
//! exporter installed every recording below is a no-op.
//!
//! The fan-out's hot path records nothing per delivery: its writers already count frames,
//! writes, resyncs and drops in atomics, which a scrape copies into the counters.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::fanout::Counts;

/// Each channel's fan-out in numbers, by the channel's name, read at every scrape.
pub type ChannelCounts = Arc<dyn Fn() -> [(&'static str, Counts); 2] + Send + Sync>;

/// Histogram buckets, in seconds: a write takes a fraction of a millisecond when all is well,
/// seconds when the database struggles.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Installs the Prometheus recorder and serves `/metrics` on `listener` until `shutdown`.
pub fn serve(listener: TcpListener, counts: ChannelCounts, shutdown: CancellationToken) {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
        .and_then(PrometheusBuilder::install_recorder)
        .expect("the metrics recorder is installed once, with valid buckets");
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state((handle, counts));
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the metrics endpoint stopped");
        }
    });
}

/// Where `/metrics` listens, for the log.
pub fn announce(addr: SocketAddr) {
    tracing::info!("métricas en http://{addr}/metrics");
}

async fn scrape(State((handle, counts)): State<(PrometheusHandle, ChannelCounts)>) -> String {
    for (channel, counts) in counts() {
        gauge!("tiempo_real_sockets_open", "channel" => channel).set(counts.open as f64);
        counter!("tiempo_real_events_published_total", "channel" => channel)
            .absolute(counts.published);
        counter!("tiempo_real_deliveries_total", "channel" => channel).absolute(counts.frames);
        counter!("tiempo_real_socket_writes_total", "channel" => channel).absolute(counts.writes);
        counter!("tiempo_real_resyncs_total", "channel" => channel).absolute(counts.resyncs);
        counter!("tiempo_real_slow_client_drops_total", "channel" => channel)
            .absolute(counts.dropped);
    }
    handle.render()
}

/// A refusal by one of the limits against abuse (`chat`, `credentials`, `sockets`, `frames`).
pub fn rate_limited(kind: &'static str) {
    counter!("tiempo_real_rate_limited_total", "kind" => kind).increment(1);
}

/// One store write (`op` names it): how long it took, and whether it failed because the
/// database was unavailable.
pub fn store_write(op: &'static str, took: Duration, unavailable: bool) {
    histogram!("tiempo_real_store_write_seconds", "op" => op).record(took.as_secs_f64());
    if unavailable {
        counter!("tiempo_real_store_errors_total").increment(1);
    }
}

/// How many changes of the shared log this instance's follower has still to apply
/// (PostgreSQL).
pub fn follower_lag_changes(changes: i64) {
    gauge!("tiempo_real_follower_lag_changes").set(changes as f64);
}

/// How long since the follower last had every change of the log applied (PostgreSQL).
pub fn follower_lag_seconds(seconds: f64) {
    gauge!("tiempo_real_follower_lag_seconds").set(seconds);
}

/// Middleware: every HTTP answer by status, and how long it took.
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    counter!("tiempo_real_http_requests_total", "status" => response.status().as_u16().to_string())
        .increment(1);
    histogram!("tiempo_real_http_request_seconds").record(started.elapsed().as_secs_f64());
    response
}

/// A new client turned away by a per-client limit whose table is full (`chat`,
/// `credentials`, `sockets`).
pub fn client_table_full(kind: &'static str) {
    counter!("tiempo_real_client_table_full_total", "kind" => kind).increment(1);
}
