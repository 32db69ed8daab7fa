//! Growth, as people see it: the home page, the catalog as a CSV file out and in, and the live
//! page in Chromium (through `end2end/bench/live-page.mjs`), with the catalog `growth` filled.

use std::path::Path;
use std::process::Command;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::Request;

use crate::client::{connect, exchange, post_created};
use crate::stats::{percentile, Row};

/// Home pages measured per run, as they are and right after a change.
const SAMPLES: usize = 20;
/// Live page loads in Chromium per run.
const BROWSER_RUNS: usize = 5;

/// `home_ms` and `home_changed_ms`: the median time of `GET /` (brotli, as a browser asks),
/// as it is and right after a product was created.
pub async fn home(addr: &str, row: &mut Row) -> Result<(), String> {
    let mut sender = connect::<Full<Bytes>>(addr).await?;
    let mut steady = Vec::new();
    for _ in 0..SAMPLES {
        steady.push(get(&mut sender, addr, "/").await?.0);
    }
    let mut changed = Vec::new();
    for n in 0..SAMPLES {
        let body = format!(
            r#"{{"title":"Home {n}","description":"d","code":"HOME-{n}","price":1,"stock":1,"category":"c"}}"#
        );
        post_created(&mut sender, addr, "/api/products", body, None).await?;
        changed.push(get(&mut sender, addr, "/").await?.0);
    }
    for (name, mut times) in [("home_ms", steady), ("home_changed_ms", changed)] {
        times.sort_by(f64::total_cmp);
        row.push(name, percentile(&times, 50.0), "ms");
    }
    Ok(())
}

/// `export_s`: `GET /api/products.csv`, the whole catalog.
pub async fn export(addr: &str, row: &mut Row) -> Result<(), String> {
    let mut sender = connect::<Full<Bytes>>(addr).await?;
    let (ms, bytes) = get(&mut sender, addr, "/api/products.csv").await?;
    row.push("export_s", ms / 1000.0, "s");
    row.push("export_mb", bytes as f64 / 1_048_576.0, "MB");
    Ok(())
}

/// `import_s`: `POST /api/products/import` of `rows` new products, until answered.
pub async fn import(addr: &str, rows: u64, row: &mut Row) -> Result<(), String> {
    let mut csv = String::from("code,title,description,price,stock,category,status\n");
    for n in 1..=rows {
        csv.push_str(&format!(
            "IMP-{n},Importado {n},Descripción del importado {n},{n}.25,{},importados,true\n",
            n % 100
        ));
    }
    let mut sender = connect::<Full<Bytes>>(addr).await?;
    let request = Request::post("/api/products/import")
        .header("host", addr)
        .header("content-type", "text/csv")
        .body(Full::new(Bytes::from(csv)))
        .map_err(|e| e.to_string())?;
    let (status, body, ms) = exchange(&mut sender, request).await?;
    if status.as_u16() != 200 {
        return Err(format!(
            "import answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    row.push("import_s", ms / 1000.0, "s");
    Ok(())
}

/// `live_ms`, `heap_mb`, `search_ms`, `added_ms`: the live page in Chromium (see the script).
pub fn browser(addr: &str, products: u64, row: &mut Row) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/bench/live-page.mjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg(products.to_string())
        .arg(BROWSER_RUNS.to_string())
        .current_dir(script.parent().unwrap_or(Path::new(".")))
        .output()
        .map_err(|e| format!("node: {e} (scripts/setup.sh --browser installs what it needs)"))?;
    if !output.status.success() {
        return Err(format!(
            "live-page.mjs: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let figures: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("live-page.mjs: {e}"))?;
    for (name, unit) in [
        ("live_ms", "ms"),
        ("heap_mb", "MB"),
        ("search_ms", "ms"),
        ("added_ms", "ms"),
    ] {
        row.push(name, figures[name].as_f64().unwrap_or(f64::NAN), unit);
    }
    Ok(())
}

/// GETs `path` (asking for brotli) and reads the whole answer: ms taken, bytes received.
async fn get(
    sender: &mut SendRequest<Full<Bytes>>,
    addr: &str,
    path: &str,
) -> Result<(f64, usize), String> {
    let request = Request::get(path)
        .header("host", addr)
        .header("accept-encoding", "br")
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let (status, body, ms) = exchange(sender, request).await?;
    if status.as_u16() != 200 {
        return Err(format!("GET {path} answered {status}"));
    }
    Ok((ms, body.len()))
}
