//! Lighthouse (npm `lighthouse` 12.2.3, in Debian's Chromium, headless) on `/` and
//! `/realtimeproducts` of the release server with its example catalog: the four category
//! scores of each page, out of 100. Lighthouse is installed on first use into
//! `target/lighthouse` (from the npm registry), never into the project's own packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::stats::Row;
use crate::target::Target;
use crate::Options;

const VERSION: &str = "12.2.3";
const CATEGORIES: [&str; 4] = ["performance", "accessibility", "best-practices", "seo"];
/// The pages audited, and the names of their four scores in the printed row.
const PAGES: [(&str, [&str; 4]); 2] = [
    (
        "/",
        ["home_perf", "home_a11y", "home_practices", "home_seo"],
    ),
    (
        "/realtimeproducts",
        ["live_perf", "live_a11y", "live_practices", "live_seo"],
    ),
];

pub async fn run(options: &Options) -> Result<Row, String> {
    let cli = install()?;
    let chromium = which("chromium")
        .or_else(|| which("chromium-browser"))
        .ok_or("Chromium not found (scripts/setup.sh installs Debian's)")?;
    let target = Target::start(options, None).await?;
    let mut row = Row::default();
    for (path, names) in PAGES {
        let url = format!("http://{}{path}", target.addr);
        let scores = audit(&cli, &chromium, &url)?;
        for (name, score) in names.into_iter().zip(scores) {
            row.push(name, score, "");
        }
    }
    Ok(row)
}

/// Lighthouse's command-line entry, installed if missing.
fn install() -> Result<PathBuf, String> {
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/lighthouse");
    let cli = prefix.join("node_modules/lighthouse/cli/index.js");
    let installed = prefix.join("node_modules/lighthouse/package.json");
    let wanted = format!("\"version\": \"{VERSION}\"");
    if std::fs::read_to_string(&installed).is_ok_and(|json| json.contains(&wanted)) {
        return Ok(cli);
    }
    eprintln!(
        "bench: installing lighthouse {VERSION} into {}",
        prefix.display()
    );
    std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(format!("lighthouse@{VERSION}"))
        .status()
        .map_err(|e| format!("npm: {e}"))?;
    if !status.success() {
        return Err(format!("npm install lighthouse@{VERSION} failed"));
    }
    Ok(cli)
}

/// The four category scores of `url`, in the order of [`CATEGORIES`].
fn audit(cli: &Path, chromium: &Path, url: &str) -> Result<Vec<f64>, String> {
    let output = Command::new("node")
        .arg(cli)
        .arg(url)
        .args([
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ])
        .env("CHROME_PATH", chromium)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "lighthouse {url} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("lighthouse report: {e}"))?;
    CATEGORIES
        .iter()
        .map(|category| {
            report["categories"][category]["score"]
                .as_f64()
                .map(|score| (score * 100.0).round())
                .ok_or_else(|| format!("no {category} score for {url}"))
        })
        .collect()
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|path| path.is_file())
}
