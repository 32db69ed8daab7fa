//! The load benchmark: `cargo run --release -p server --bin bench -- [chat|products|home|all] [options]`.
//!
//! It starts the release server with a fresh data directory (or measures one already running,
//! with `--addr`), drives it over loopback only, and stops by itself. Each run prints one
//! table row; `--runs N` repeats a scenario and prints the median of each figure.
//!
//! Options (defaults in brackets): `--sockets` [10000], `--messages` [400], `--rate` per
//! second [20], `--connections` for the home page [50], `--seconds` for the home page [10],
//! `--runs` [3], `--server` binary [target/release/server], `--addr` host:port of a running
//! server (then the server's CPU and memory are read only if `--pid` is given).

mod fanout;
mod home;
mod stats;
mod target;

use std::collections::HashMap;
use std::process::ExitCode;

use stats::median;

#[derive(Clone, Debug)]
pub struct Options {
    pub sockets: usize,
    pub messages: usize,
    pub rate: f64,
    pub connections: usize,
    pub seconds: f64,
    pub runs: usize,
    pub server: String,
    pub addr: Option<String>,
    pub pid: Option<u32>,
}

fn parse(args: &[String]) -> Result<(String, Options), String> {
    let mut scenario = "all".to_string();
    let mut values: HashMap<String, String> = HashMap::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if let Some(name) = word.strip_prefix("--") {
            let value = words.next().ok_or(format!("--{name} needs a value"))?;
            values.insert(name.to_string(), value.clone());
        } else {
            scenario = word.clone();
        }
    }
    let number = |name: &str, default: f64| -> Result<f64, String> {
        values.get(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| format!("--{name}: {v}"))
        })
    };
    let options = Options {
        sockets: number("sockets", 10_000.0)? as usize,
        messages: number("messages", 400.0)? as usize,
        rate: number("rate", 20.0)?,
        connections: number("connections", 50.0)? as usize,
        seconds: number("seconds", 10.0)?,
        runs: number("runs", 3.0)?.max(1.0) as usize,
        server: values
            .get("server")
            .cloned()
            .unwrap_or_else(|| "target/release/server".into()),
        addr: values.get("addr").cloned(),
        pid: values
            .get("pid")
            .map(|p| p.parse())
            .transpose()
            .map_err(|_| "--pid")?,
    };
    Ok((scenario, options))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (scenario, options) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(problem) => {
            eprintln!("bench: {problem}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("bench: cannot raise the open-file limit: {e}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let scenarios: &[&str] = match scenario.as_str() {
        "all" => &["chat", "products", "home"],
        "chat" => &["chat"],
        "products" => &["products"],
        "home" => &["home"],
        other => {
            eprintln!("bench: unknown scenario {other} (chat, products, home or all)");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "machine: {} cores, load generator and server on the same machine",
        cores()
    );
    let mut failed = false;
    for name in scenarios {
        let mut rows = Vec::new();
        for run in 1..=options.runs {
            let row = runtime.block_on(async {
                match *name {
                    "home" => home::run(&options).await,
                    kind => fanout::run(kind, &options).await,
                }
            });
            match row {
                Ok(row) => {
                    println!("{name} run {run}: {}", row.line());
                    rows.push(row);
                }
                Err(problem) => {
                    eprintln!("{name} run {run} failed: {problem}");
                    failed = true;
                }
            }
        }
        if !rows.is_empty() {
            println!("{name} median of {}: {}", rows.len(), median(&rows).line());
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
