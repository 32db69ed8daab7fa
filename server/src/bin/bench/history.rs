//! The record of changes at scale: in a store of `--sizes`' largest catalog (default 100,000
//! products), its first product is changed 1,000 times and the 1,000 after it are removed,
//! over HTTP;
//! then, one request at a time on a keep-alive connection:
//! - `update_p50`: those 1,000 changes (each writes its record row too);
//! - `history_ms`: `GET /api/products/{id}/history?limit=1000` (all 1,000 entries), median of
//!   20;
//! - `restore_ms`: `POST /api/products/{id}/restore` of an earlier version, median of 20;
//! - `removed_ms`: `GET /api/products/removed?limit=100`, median of 20.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::Method;
use serde_json::Value;

use crate::client::{call, connect};
use crate::database::Cluster;
use crate::growth;
use crate::stats::{percentile, Row};
use crate::Options;

/// Changes of the one product, and removals of others.
const CHANGES: usize = 1000;
/// Reads and restores measured.
const SAMPLES: usize = 20;

pub async fn run(
    products: u64,
    options: &Options,
    cluster: Option<&Cluster>,
) -> Result<Row, String> {
    if products <= CHANGES as u64 + 1 {
        return Err(format!("history needs more than {} products", CHANGES + 1));
    }
    let (target, _) = growth::filled(products, 0, options, cluster).await?;
    let addr = target.addr.clone();
    let mut http = connect::<Full<Bytes>>(&addr).await?;
    // The filled store's ids follow those of the examples it never showed.
    let (first, _) = call(
        &mut http,
        &addr,
        Method::GET,
        "/api/products?limit=1",
        String::new(),
        200,
    )
    .await?;
    let first: Vec<Value> = serde_json::from_slice(&first).map_err(|e| e.to_string())?;
    let id = first
        .first()
        .and_then(|product| product["id"].as_u64())
        .ok_or("an empty catalog")?;
    let product = format!("/api/products/{id}");

    let mut updates = Vec::with_capacity(CHANGES);
    for n in 0..CHANGES {
        let body = format!(r#"{{"price": {n}.5}}"#);
        updates.push(
            call(&mut http, &addr, Method::PUT, &product, body, 200)
                .await?
                .1,
        );
    }
    for other in (id + 1)..=(id + CHANGES as u64) {
        let path = format!("/api/products/{other}");
        call(&mut http, &addr, Method::DELETE, &path, String::new(), 200).await?;
    }

    let history_path = format!("{}?limit={CHANGES}", app::paths::product_history(id));
    let mut reads = Vec::with_capacity(SAMPLES);
    let mut seqs = Vec::new();
    for _ in 0..SAMPLES {
        let (body, ms) = call(
            &mut http,
            &addr,
            Method::GET,
            &history_path,
            String::new(),
            200,
        )
        .await?;
        let entries: Vec<Value> = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if entries.len() != CHANGES {
            return Err(format!(
                "the history held {} entries, not {CHANGES}",
                entries.len()
            ));
        }
        seqs = entries
            .iter()
            .filter_map(|entry| entry["seq"].as_u64())
            .collect();
        reads.push(ms);
    }
    let mut restores = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES {
        let seq = seqs[(n * 37 + 500) % seqs.len()];
        let body = format!(r#"{{"seq": {seq}}}"#);
        let path = app::paths::product_restore(id);
        restores.push(
            call(&mut http, &addr, Method::POST, &path, body, 200)
                .await?
                .1,
        );
    }
    let mut removed = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let path = format!("{}?limit=100", app::paths::PRODUCTS_REMOVED);
        removed.push(
            call(&mut http, &addr, Method::GET, &path, String::new(), 200)
                .await?
                .1,
        );
    }
    for samples in [&mut updates, &mut reads, &mut restores, &mut removed] {
        samples.sort_by(f64::total_cmp);
    }
    let mut row = Row::default();
    row.push("products", products as f64, "");
    row.push("update_p50", percentile(&updates, 50.0), "ms");
    row.push("history_ms", percentile(&reads, 50.0), "ms");
    row.push("restore_ms", percentile(&restores, 50.0), "ms");
    row.push("removed_ms", percentile(&removed, 50.0), "ms");
    Ok(row)
}
