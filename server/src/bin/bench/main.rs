//! The load benchmark: `cargo run --release -p server --bin bench -- [SCENARIO] [OPTIONS]`
//! (`bench --help` lists them with their defaults; an unknown one is refused).
//!
//! It starts the release server with a fresh data directory (or database), or measures one
//! already running (`--addr`), drives it over loopback only, and stops by itself. Each run
//! prints one table row; `--runs N` repeats a scenario and prints the median of each figure.
//! Servers it starts get their listening socket from it (`server::harness::handover`), and
//! stores it fills are filled through the server's own store code (`growth`).

mod client;
mod database;
mod fanout;
mod growth;
mod growth_pages;
mod history;
mod home;
mod lighthouse;
mod removal;
mod stats;
mod storm;
mod target;
mod writes;

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use stats::median;
use writes::Kind;

/// The load benchmark of tiempo real: starts the release server (or measures one running),
/// drives it over loopback, prints a row per run and the median of the runs.
#[derive(Parser, Clone, Debug)]
#[command(name = "bench")]
pub struct Options {
    /// What to measure.
    #[arg(value_enum, default_value_t = Scenarios::All)]
    pub scenario: Scenarios,
    /// Sockets listening (chat, products, storm).
    #[arg(long, default_value_t = 10_000)]
    pub sockets: usize,
    /// Messages or changes sent (chat, products).
    #[arg(long, default_value_t = 400)]
    pub messages: usize,
    /// Messages or changes per second.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Keep-alive connections asking for the home page.
    #[arg(long, default_value_t = 50)]
    pub connections: usize,
    /// How long the home page and the writes are measured.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Runs of each scenario.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// The server binary to run.
    #[arg(long, default_value = "target/release/server")]
    pub server: String,
    /// host:port of a server already running, measured instead of starting one.
    #[arg(long)]
    pub addr: Option<String>,
    /// The process id of the server at --addr, to read its CPU and memory.
    #[arg(long, requires = "addr")]
    pub pid: Option<u32>,
    /// The store the servers started keep their data in.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    pub store: StoreKind,
    /// An admin URL of the PostgreSQL to use (default: a private cluster started for the run).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Servers sharing the database in the fan-out scenarios.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub instances: u64,
    /// Catalog sizes for `growth`.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    pub sizes: Vec<u64>,
    /// Chat messages in the store for `growth`.
    #[arg(long, default_value_t = 1_000_000)]
    pub stored_messages: u64,
    /// writes: the server has staff access on (a shared password) and every write carries a
    /// staff session, as a logged-in editor's do.
    #[arg(long)]
    pub staff_session: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenarios {
    /// chat, products and home.
    All,
    Chat,
    Products,
    Home,
    Writes,
    Storm,
    Growth,
    /// The record of changes: a product's history of 1,000 changes, restores, removed list.
    History,
    /// A moderator's removals with `--stored-messages` in the store and 100 sockets.
    Removal,
    Lighthouse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl Options {
    pub fn postgres(&self) -> bool {
        self.store == StoreKind::Postgres
    }
}

fn main() -> ExitCode {
    let options = Options::parse();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("bench: cannot raise the open-file limit: {e}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let scenarios: Vec<Scenario> = match options.scenario {
        Scenarios::All => vec![
            Scenario::Fanout("chat"),
            Scenario::Fanout("products"),
            Scenario::Home,
        ],
        Scenarios::Chat => vec![Scenario::Fanout("chat")],
        Scenarios::Products => vec![Scenario::Fanout("products")],
        Scenarios::Home => vec![Scenario::Home],
        Scenarios::Storm => vec![Scenario::Storm],
        Scenarios::Lighthouse => vec![Scenario::Lighthouse],
        Scenarios::Growth => options.sizes.iter().map(|&n| Scenario::Growth(n)).collect(),
        Scenarios::Removal => vec![Scenario::Removal],
        Scenarios::History => {
            let largest = options.sizes.iter().copied().max().unwrap_or(100_000);
            vec![Scenario::History(largest)]
        }
        Scenarios::Writes => [Kind::Products, Kind::Messages]
            .into_iter()
            .flat_map(|kind| [1, 8].map(|writers| Scenario::Writes(kind, writers)))
            .collect(),
    };
    let cluster = if options.postgres() {
        match database::cluster(options.database_url.as_deref()) {
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
        if options.postgres() {
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
                    Scenario::Removal => removal::run(&options, cluster.as_ref()).await,
                    Scenario::History(products) => {
                        history::run(products, &options, cluster.as_ref()).await
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
    History(u64),
    Removal,
    Lighthouse,
}

impl Scenario {
    fn name(&self) -> String {
        match self {
            Scenario::Fanout(kind) => kind.to_string(),
            Scenario::Home => "home".into(),
            Scenario::Storm => "storm".into(),
            Scenario::Growth(products) => format!("growth {products}"),
            Scenario::History(products) => format!("history {products}"),
            Scenario::Removal => "removal".into(),
            Scenario::Lighthouse => "lighthouse".into(),
            Scenario::Writes(Kind::Products, writers) => format!("writes products x{writers}"),
            Scenario::Writes(Kind::Messages, writers) => format!("writes messages x{writers}"),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
