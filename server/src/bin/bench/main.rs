//! The load benchmark:
//! `cargo run --release -p server --bin bench -- [chat|products|home|writes|storm|growth|lighthouse|all]
//! [options]`.
//!
//! It starts the release server with a fresh data directory (or database), or measures one
//! already running (`--addr`), drives it over loopback only, and stops by itself. Each run
//! prints one table row; `--runs N` repeats a scenario and prints the median of each figure.
//!
//! Options (defaults in brackets): `--sockets` [10000], `--messages` [400], `--rate` per
//! second [20], `--connections` for the home page [50], `--seconds` for the home page and the
//! writes [10], `--runs` [3], `--server` binary [target/release/server], `--addr` host:port of
//! a running server (then the server's CPU and memory are read only if `--pid` is given),
//! `--store` sqlite or postgres [sqlite], `--database-url` an admin URL of the PostgreSQL to use
//! [a private cluster started for the benchmark], `--instances` servers sharing the database in
//! the fan-out scenarios [1], `--sizes` catalog sizes for `growth` [1000,10000,100000],
//! `--stored-messages` chat messages in the store for `growth` [1000000].

mod client;
mod database;
mod fanout;
mod growth;
mod growth_pages;
mod home;
mod lighthouse;
mod stats;
mod storm;
mod target;
mod writes;

use std::collections::HashMap;
use std::process::ExitCode;

use database::Cluster;
use stats::median;
use writes::Kind;

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
    /// PostgreSQL instead of SQLite.
    pub postgres: bool,
    pub database_url: Option<String>,
    pub instances: usize,
    /// Catalog sizes for `growth`.
    pub sizes: Vec<u64>,
    /// Chat messages in the store for `growth`.
    pub stored_messages: u64,
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
        postgres: match values.get("store").map(String::as_str) {
            None | Some("sqlite") => false,
            Some("postgres") => true,
            Some(other) => return Err(format!("--store: sqlite or postgres, not {other}")),
        },
        database_url: values.get("database-url").cloned(),
        instances: number("instances", 1.0)?.max(1.0) as usize,
        sizes: values
            .get("sizes")
            .map_or("1000,10000,100000", String::as_str)
            .split(',')
            .map(|n| n.trim().parse().map_err(|_| format!("--sizes: {n}")))
            .collect::<Result<_, _>>()?,
        stored_messages: number("stored-messages", 1_000_000.0)? as u64,
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
    let scenarios: Vec<Scenario> = match scenario.as_str() {
        "all" => vec![
            Scenario::Fanout("chat"),
            Scenario::Fanout("products"),
            Scenario::Home,
        ],
        "chat" => vec![Scenario::Fanout("chat")],
        "products" => vec![Scenario::Fanout("products")],
        "home" => vec![Scenario::Home],
        "storm" => vec![Scenario::Storm],
        "lighthouse" => vec![Scenario::Lighthouse],
        "growth" => options.sizes.iter().map(|&n| Scenario::Growth(n)).collect(),
        "writes" => [Kind::Products, Kind::Messages]
            .into_iter()
            .flat_map(|kind| [1, 8].map(|writers| Scenario::Writes(kind, writers)))
            .collect(),
        other => {
            eprintln!(
                "bench: unknown scenario {other} (chat, products, home, writes, storm, growth, lighthouse or all)"
            );
            return ExitCode::FAILURE;
        }
    };
    let cluster = if options.postgres {
        match Cluster::start(options.database_url.as_deref()) {
            Ok(cluster) => Some(cluster),
            Err(problem) => {
                eprintln!("bench: {problem}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    println!(
        "machine: {} cores, load generator and server on the same machine; store: {}",
        cores(),
        if options.postgres {
            "PostgreSQL"
        } else {
            "sqlite"
        }
    );
    let mut failed = false;
    for scenario in scenarios {
        let name = scenario.name();
        let mut rows = Vec::new();
        for run in 1..=options.runs {
            let row = runtime.block_on(async {
                match scenario {
                    Scenario::Home => home::run(&options).await,
                    Scenario::Storm => storm::run(&options).await,
                    Scenario::Lighthouse => lighthouse::run(&options).await,
                    Scenario::Growth(products) => {
                        growth::run(products, &options, cluster.as_ref()).await
                    }
                    Scenario::Fanout(kind) => fanout::run(kind, &options, cluster.as_ref()).await,
                    Scenario::Writes(kind, writers) => {
                        writes::run(kind, writers, &options, cluster.as_ref()).await
                    }
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

#[derive(Clone, Copy)]
enum Scenario {
    Fanout(&'static str),
    Home,
    Storm,
    Writes(Kind, usize),
    Growth(u64),
    Lighthouse,
}

impl Scenario {
    fn name(&self) -> String {
        match self {
            Scenario::Fanout(kind) => kind.to_string(),
            Scenario::Home => "home".into(),
            Scenario::Storm => "storm".into(),
            Scenario::Growth(products) => format!("growth {products}"),
            Scenario::Lighthouse => "lighthouse".into(),
            Scenario::Writes(Kind::Products, writers) => format!("writes products x{writers}"),
            Scenario::Writes(Kind::Messages, writers) => format!("writes messages x{writers}"),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
