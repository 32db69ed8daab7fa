//! Write throughput: W clients, each on its own keep-alive connection, POST new products (or
//! chat messages) back to back for a fixed time. Only acknowledged writes count (201: durable
//! on disk, or committed in PostgreSQL, before the answer). With `--staff-session` the server
//! has staff access on and every write carries a staff session, looked up at each request.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::Full;
use hyper::body::Bytes;

use crate::client::{connect, log_in, post_created};
use crate::database::Cluster;
use crate::stats::{percentile, Row};
use crate::target::Target;
use crate::Options;

/// What is written: product creates or chat messages.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Products,
    Messages,
}

pub async fn run(
    kind: Kind,
    writers: usize,
    options: &Options,
    cluster: Option<&Cluster>,
) -> Result<Row, String> {
    let mut single = options.clone();
    single.instances = 1;
    let targets = Target::start_all(&single, cluster).await?;
    let target = &targets[0];
    let cookie = match &target.staff_password {
        Some(password) => Some(log_in(&target.addr, password).await?),
        None => None,
    };
    let duration = Duration::from_secs_f64(options.seconds);
    let started = Instant::now();
    let until = started + duration;
    // Product codes are unique per run, so runs against one server (`--addr`) do not collide.
    let run_tag = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis());
    let workers: Vec<_> = (0..writers)
        .map(|w| {
            let (addr, cookie) = (target.addr.clone(), cookie.clone());
            tokio::spawn(writer(addr, cookie, kind, (run_tag, w), until))
        })
        .collect();
    // Every writer is awaited, failed or not: one left running would load the next scenario.
    let mut latencies = Vec::new();
    let mut failure = None;
    for worker in workers {
        match worker
            .await
            .map_err(|e| e.to_string())
            .and_then(|done| done)
        {
            Ok(done) => latencies.extend(done),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let mut row = Row::default();
    row.push("writers", writers as f64, "");
    row.push("writes_per_s", latencies.len() as f64 / elapsed, "");
    row.push("p50", percentile(&latencies, 50.0), "ms");
    row.push("p99", percentile(&latencies, 99.0), "ms");
    Ok(row)
}

/// One keep-alive connection writing until `until`; each acknowledged write's latency in ms.
async fn writer(
    addr: String,
    cookie: Option<String>,
    kind: Kind,
    (run, w): (u128, usize),
    until: Instant,
) -> Result<Vec<f64>, String> {
    let mut sender = connect::<Full<Bytes>>(&addr).await?;
    let mut latencies = Vec::new();
    for n in 0.. {
        let (path, body) = match kind {
            Kind::Products => (
                "/api/products",
                format!(
                    r#"{{"title":"Bench {w}-{n}","description":"d","code":"B-{run}-{w}-{n}","price":1.5,"stock":1,"category":"bench"}}"#
                ),
            ),
            Kind::Messages => (
                "/api/messages",
                format!(r#"{{"email":"bench@example.com","text":"bench {w}-{n}"}}"#),
            ),
        };
        latencies.push(post_created(&mut sender, &addr, path, body, cookie.as_deref()).await?);
        if Instant::now() >= until {
            break;
        }
    }
    Ok(latencies)
}
