//! tiempo real's server: the product catalog and the chat, over HTTP, WebSockets and
//! server-rendered pages. See `settings` for its flags and environment variables (`--help`).

// Leptos views are deeply nested types; the page tree needs more than the default 128.
#![recursion_limit = "256"]

mod auth;
mod catalog;
mod catalog_csv;
mod chat_room;
mod config;
mod error;
mod fanout;
mod guard;
mod http;
mod live;
mod presence;
mod routes;
mod settings;
mod start_error;
mod state;
mod store;
mod telemetry;
mod ws;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

use crate::catalog::Catalog;
use crate::chat_room::ChatRoom;
use crate::config::Config;
use crate::guard::chat_limit::ChatLimit;
use crate::guard::client::ClientAddress;
use crate::guard::hosts::AllowedHosts;
use crate::guard::sockets::SocketSlots;
use crate::live::Views;
use crate::presence::Presence;
use crate::settings::{LogFormat, Settings};
use crate::start_error::StartError;
use crate::state::AppState;
use crate::store::{PgStore, SqliteStore, Store};

fn main() -> ExitCode {
    // Before any thread starts (it may change the environment); exits 2 on a bad value.
    let settings = Settings::from_args_and_env();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    match settings.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    match runtime.block_on(run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            tracing::error!("{problem}");
            eprintln!("error: {problem}");
            problem.exit_code()
        }
    }
}

async fn run(settings: Settings) -> Result<(), StartError> {
    let config = Config::new(settings).map_err(StartError::Settings)?;
    // Every socket is a file descriptor: the usual soft limit of 1024 would cap the clients.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
    let (store, views) = open_store(&config).await?;

    let (addr, listener) = listen(&config.host, config.port).await?;
    let mut leptos = config.leptos;
    leptos.site_addr = addr;

    let shutdown = CancellationToken::new();
    if config.staff_password.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(
            "sin STAFF_PASSWORD, cualquiera que llegue a http://{addr} puede cambiar el \
             catálogo: definila para que solo el personal pueda hacerlo"
        );
    }
    let state = AppState {
        catalog: Catalog::new(store.clone(), views.catalog.clone()),
        presence: Presence::start(store.clone(), views.chat.clone(), shutdown.child_token()),
        chat: ChatRoom::new(store, views.chat.clone()),
        access: auth::Policy::new(config.staff_password.as_deref()),
        leptos,
        sockets: config.sockets,
        clients: ClientAddress::new(config.limits.trusted_proxies.clone()),
        chat_limit: Arc::new(ChatLimit::new(config.limits.chat)),
        socket_slots: SocketSlots::new(config.limits.sockets_per_client),
        cookie_secure: config.limits.cookie_secure,
    };
    if let Some(metrics_addr) = config.metrics_addr {
        let (addr, listener) = listen(&metrics_addr.ip().to_string(), metrics_addr.port()).await?;
        telemetry::announce(addr);
        telemetry::serve(listener, views.clone(), shutdown.child_token());
    }
    let hosts = AllowedHosts::new(config.limits.allowed_hosts.clone(), addr.ip().is_loopback());
    tracing::info!("tiempo real escuchando en http://{addr}");
    let signalled = shutdown.clone();
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("cerrando: se terminan las escrituras en curso y se cierran los sockets");
        signalled.cancel();
    });
    // Returns once the signal came and the requests in flight finished.
    http::serve(listener, routes::router(state, hosts), shutdown).await;
    views.catalog.shut_down().await;
    views.chat.shut_down().await;
    for (name, counts) in views.tallies() {
        let (frames, writes) = (counts.frames, counts.writes);
        tracing::info!(
            socket = name,
            frames,
            writes,
            "fan-out: frames written, in system calls"
        );
    }
    Ok(())
}

/// A listener on `host:port`, and the address it got (port 0: any free one).
async fn listen(host: &str, port: u16) -> Result<(SocketAddr, TcpListener), StartError> {
    http::bind(host, port)
        .await
        .and_then(|listener| Ok((listener.local_addr()?, listener)))
        .map_err(|source| StartError::Listen {
            addr: format!("{host}:{port}"),
            source,
        })
}

/// PostgreSQL when `DATABASE_URL` is set, else SQLite in `DATA_DIR`. The store hands over
/// what it holds, the views are built from it, and the store then applies every change to them.
async fn open_store(config: &Config) -> Result<(Arc<dyn Store>, Views), StartError> {
    match &config.database_url {
        Some(url) => {
            let (opened, loaded) = PgStore::connect(url, config.seed_examples)
                .await
                .map_err(StartError::Database)?;
            let views = Views::new(loaded, config.pacing);
            tracing::info!("datos en PostgreSQL (DATABASE_URL)");
            Ok((Arc::new(opened.serve(views.clone())), views))
        }
        None => {
            let (opened, loaded) =
                SqliteStore::open(&config.data_dir, config.seed_examples).await?;
            let views = Views::new(loaded, config.pacing);
            tracing::info!(data_dir = %config.data_dir.display(), "datos en SQLite");
            Ok((Arc::new(opened.serve(views.clone())), views))
        }
    }
}

/// SIGTERM (what service managers send) or Ctrl-C.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM can be watched");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
