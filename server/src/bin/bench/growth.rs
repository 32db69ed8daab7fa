//! Growth: what a write, a page, a join and a reconnect cost when the store is large. For each
//! catalog size (`--sizes`, default 1000,10000,100000) with `--stored-messages` chat messages
//! (default 1,000,000), it fills a fresh store through the server's own store code (the
//! server stopped: an import of the products, the messages posted as the chat posts them),
//! starts the server on it and measures:
//! - `startup`: from spawning the server to its port answering;
//! - `write_p50`/`write_p99`: product creates over HTTP, one at a time (acknowledged: committed);
//! - `join_ms`/`join_kb`: the first frame of `/ws/products?limit=60`, median of 20 joins;
//! - `resume_b`: the first frame of a resume in which nothing was missed, in bytes;
//! - `old_page_ms`: `GET /api/messages?limit=100&before=101` (the oldest page), median of 20;
//! - `rss_mb`: the server's resident memory after the writes;
//! - then the pages (see `growth_pages`): `home_ms`, `home_changed_ms`, the live page in
//!   Chromium (`live_ms`, `heap_mb`, `search_ms`, `added_ms`), `export_s` of the whole catalog
//!   and `import_s` of as many new products as the catalog holds.

use std::time::{Duration, Instant};

use futures::stream;
use futures::StreamExt;
use http_body_util::{Empty, Full};
use hyper::body::Bytes;
use hyper::Request;
use server::store::{self, ImportRow, Location, Nobody};

use app::domain::{MessageDraft, NewProduct};

use crate::client::{connect, exchange, next_text, post_created};
use crate::database::Cluster;
use crate::growth_pages;
use crate::stats::{percentile, Row};
use crate::target::Target;
use crate::Options;

/// Product writes measured per run.
const WRITES: usize = 200;
/// Joins and old pages measured per run.
const SAMPLES: usize = 20;

pub async fn run(
    products: u64,
    options: &Options,
    cluster: Option<&Cluster>,
) -> Result<Row, String> {
    let (target, startup) = filled(products, options.stored_messages, options, cluster).await?;
    let startup = startup.as_secs_f64();

    let mut row = Row::default();
    row.push("products", products as f64, "");
    row.push("startup", startup * 1000.0, "ms");
    let latencies = writes(&target.addr).await?;
    row.push("write_p50", percentile(&latencies, 50.0), "ms");
    row.push("write_p99", percentile(&latencies, 99.0), "ms");
    let (join_ms, join_bytes, first) = joins(&target.addr).await?;
    row.push("join_ms", join_ms, "ms");
    row.push("join_kb", join_bytes as f64 / 1024.0, "KB");
    row.push(
        "resume_b",
        resume_bytes(&target.addr, &first).await? as f64,
        "B",
    );
    row.push("old_page_ms", old_page(&target.addr).await?, "ms");
    row.push(
        "rss_mb",
        target.rss_kib().unwrap_or(f64::NAN) / 1024.0,
        "MB",
    );
    growth_pages::home(&target.addr, &mut row).await?;
    growth_pages::browser(&target.addr, products, &mut row)?;
    growth_pages::export(&target.addr, &mut row).await?;
    growth_pages::import(&target.addr, products, &mut row).await?;
    Ok(row)
}

/// A server started on a store holding `products` products and `messages` messages (filled
/// with the server stopped), and how long it took from its start to its port answering.
pub async fn filled(
    products: u64,
    messages: u64,
    options: &Options,
    cluster: Option<&Cluster>,
) -> Result<(Target, Duration), String> {
    let mut single = options.clone();
    single.instances = 1;
    let mut targets = Target::start_all(&single, cluster).await?;
    let mut target = targets.remove(0);
    target.terminate()?;
    fill(&target, products, messages)?;
    let began = Instant::now();
    target.launch().await?;
    Ok((target, began.elapsed()))
}

/// How many messages wait to be stored at once while filling (the chat's group commit stores
/// them in batches).
const FILLING: usize = 4096;

/// Puts `products` products (instead of the examples) and `messages` messages into the stopped
/// server's store, through the server's own store code, on a runtime of its own: when it ends
/// it takes the store's tasks with it, and with them its hold on the data directory.
fn fill(target: &Target, products: u64, messages: u64) -> Result<(), String> {
    let location = match (target.database(), target.data_dir()) {
        (Some(url), _) => Location::Database(url.to_string()),
        (None, Some(dir)) => Location::DataDir(dir.to_path_buf()),
        (None, None) => return Err("not a server this benchmark started".into()),
    };
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
        runtime.block_on(fill_store(location, products, messages))
    })
    .join()
    .map_err(|_| "filling the store panicked".to_string())?
}

async fn fill_store(location: Location, products: u64, messages: u64) -> Result<(), String> {
    let (opened, held) = store::open(&location, false)
        .await
        .map_err(|e| e.to_string())?;
    let store = opened.serve(std::sync::Arc::new(Nobody));
    for example in held.products {
        store
            .remove_product(example.id, None)
            .await
            .map_err(|e| e.to_string())?;
    }
    let rows = (1..=products)
        .map(|i| ImportRow {
            product: NewProduct {
                title: format!("Producto {i}"),
                description: format!("Descripción del producto {i}"),
                code: format!("GEN-{i}"),
                price: i as f64 * 1.5,
                status: true,
                stock: i % 100,
                category: format!("categoría {}", i % 20),
                thumbnails: Vec::new(),
            },
            has_status: true,
            has_thumbnails: true,
        })
        .collect();
    store
        .import_products(rows, None)
        .await
        .map_err(|e| e.to_string())?;
    let drafts = (1..=messages).map(|i| {
        MessageDraft::new(
            &format!("user{}@example.com", i % 50),
            &format!("mensaje {i}"),
        )
        .map_err(|e| e.to_string())
    });
    let mut posted = stream::iter(drafts)
        .map(|draft| {
            let store = store.clone();
            async move { store.post_message(draft?).await.map_err(|e| e.to_string()) }
        })
        .buffered(FILLING);
    while let Some(message) = posted.next().await {
        message?;
    }
    Ok(())
}

/// [`WRITES`] product creates, one after another; each one's latency in ms, sorted.
async fn writes(addr: &str) -> Result<Vec<f64>, String> {
    let mut sender = connect::<Full<Bytes>>(addr).await?;
    let mut latencies = Vec::with_capacity(WRITES);
    for n in 0..WRITES {
        let body = format!(
            r#"{{"title":"Nuevo {n}","description":"d","code":"GROWTH-{n}","price":1.5,"stock":1,"category":"c"}}"#
        );
        latencies.push(post_created(&mut sender, addr, "/api/products", body, None).await?);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

/// The first frame of a socket to `path`, and how long it took from the connect.
async fn first_frame(addr: &str, path: &str) -> Result<(f64, String), String> {
    let began = Instant::now();
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}{path}"))
        .await
        .map_err(|e| e.to_string())?;
    let frame = next_text(&mut socket).await?;
    Ok((began.elapsed().as_secs_f64() * 1000.0, frame))
}

/// The median time to the first frame of `/ws/products?limit=60`, its size, and the frame.
async fn joins(addr: &str) -> Result<(f64, usize, String), String> {
    let mut times = Vec::new();
    let mut last = String::new();
    for _ in 0..SAMPLES {
        let (ms, frame) = first_frame(addr, "/ws/products?limit=60").await?;
        times.push(ms);
        last = frame;
    }
    times.sort_by(f64::total_cmp);
    Ok((percentile(&times, 50.0), last.len(), last))
}

/// The bytes of a resume from `snapshot` when nothing changed since.
async fn resume_bytes(addr: &str, snapshot: &str) -> Result<usize, String> {
    let snapshot: serde_json::Value = serde_json::from_str(snapshot).map_err(|e| e.to_string())?;
    let path = format!(
        "/ws/products?since={}&epoch={}",
        snapshot["seq"],
        snapshot["epoch"].as_str().unwrap_or_default()
    );
    let (_, frame) = first_frame(addr, &path).await?;
    if !frame.contains("\"resume\"") {
        return Err(format!("expected a resume, got {} bytes", frame.len()));
    }
    Ok(frame.len())
}

/// The median time of the oldest page of the chat.
async fn old_page(addr: &str) -> Result<f64, String> {
    let mut sender = connect::<Empty<Bytes>>(addr).await?;
    let mut times = Vec::new();
    for _ in 0..SAMPLES {
        let request = Request::get("/api/messages?limit=100&before=101")
            .header("host", addr)
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        times.push(exchange(&mut sender, request).await?.2);
    }
    times.sort_by(f64::total_cmp);
    Ok(percentile(&times, 50.0))
}
