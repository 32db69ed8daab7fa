//! The home page under load: C keep-alive HTTP/1.1 connections request `/` back to back for
//! a fixed time; requests per second and latency percentiles.

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;

use crate::client::connect;
use crate::stats::{percentile, Row};
use crate::target::Target;
use crate::Options;

pub async fn run(options: &Options) -> Result<Row, String> {
    let target = Target::start(options, None).await?;
    let duration = Duration::from_secs_f64(options.seconds);
    // Warm up: one request, so start-up work is not timed.
    client(&target.addr, Instant::now() + Duration::from_millis(200)).await?;

    let started = Instant::now();
    let until = started + duration;
    let cpu_before = target.cpu_seconds();
    let workers: Vec<_> = (0..options.connections)
        .map(|_| tokio::spawn(client(target.addr.clone(), until)))
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = target.cpu_seconds();
    latencies.sort_by(f64::total_cmp);

    let mut row = Row::default();
    row.push("connections", options.connections as f64, "");
    row.push("requests_per_s", latencies.len() as f64 / elapsed, "");
    row.push("p50", percentile(&latencies, 50.0), "ms");
    row.push("p99", percentile(&latencies, 99.0), "ms");
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        row.push("server_cpu", (after - before) / elapsed * 100.0, "%");
    }
    Ok(row)
}

/// One keep-alive connection requesting `/` until `until`; each request's latency in ms.
async fn client(addr: impl AsRef<str>, until: Instant) -> Result<Vec<f64>, String> {
    let addr = addr.as_ref();
    let mut sender = connect::<Empty<Bytes>>(addr).await?;
    let mut latencies = Vec::new();
    loop {
        let began = Instant::now();
        let request = Request::get("/")
            .header("host", addr)
            .header("accept-encoding", "br")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        // A keep-alive connection takes the next request only once the last one is done.
        sender.ready().await.map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("GET / answered {}", response.status()));
        }
        response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        latencies.push(began.elapsed().as_secs_f64() * 1000.0);
        if Instant::now() >= until {
            return Ok(latencies);
        }
    }
}
