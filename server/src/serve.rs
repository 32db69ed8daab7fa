//! Starting and stopping the server: settings, logs, the store and its views, the
//! listeners, and the shutdown on SIGTERM.

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
use crate::live::{Applier, Views};
use crate::presence::Presence;
use crate::settings::{Command, LogFormat, Settings};
use crate::start_error::StartError;
use crate::state::AppState;
use crate::store::{Accounts, Bans, Location, Store};
use crate::team::Team;
use crate::{auth, commands, http, routes, telemetry};

/// The server binary's `main`.
pub fn main() -> ExitCode {
    // Before any thread starts (it may change the environment); exits 2 on a bad value.
    let mut settings = Settings::from_args_and_env();
    if let Some(Command::Staff(command)) = settings.command.take() {
        return commands::run(
            command,
            location(&settings.data_dir, &settings.database_url),
        );
    }
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    match settings.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    if settings.password_on_command_line {
        tracing::warn!(
            "--staff-password on the command line can be read by every local user (ps): use \
             STAFF_PASSWORD or STAFF_PASSWORD_FILE instead"
        );
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
    let Storage {
        store,
        views,
        accounts,
        bans,
    } = open_store(&config).await?;

    let handed = handed_over()?;
    let (addr, listener) = listen_or(handed.public, &config.host, config.port).await?;
    let mut leptos = config.leptos;
    leptos.site_addr = addr;

    let shutdown = CancellationToken::new();
    let staff_on = config.staff_password.is_some() || accounts.any().await.unwrap_or(true);
    if !staff_on && !addr.ip().is_loopback() {
        tracing::warn!(
            "sin STAFF_PASSWORD, cualquiera que llegue a http://{addr} puede cambiar el \
             catálogo: definila para que solo el personal pueda hacerlo"
        );
    }
    let policy = Arc::new(auth::Policy::new(
        config.staff_password.as_deref(),
        accounts.clone(),
    ));
    let team = Arc::new(Team::new(accounts, policy.passwords().clone()));
    let state = AppState {
        catalog: Catalog::new(store.clone(), views.catalog.clone()),
        presence: Presence::start(store.clone(), views.chat.clone(), shutdown.child_token()),
        chat: ChatRoom::new(store, views.chat.clone(), bans),
        access: policy,
        team,
        leptos,
        sockets: config.sockets,
        clients: ClientAddress::new(config.limits.trusted_proxies.clone()),
        chat_limit: Arc::new(ChatLimit::new(config.limits.chat)),
        socket_slots: SocketSlots::new(config.limits.sockets_per_client),
        cookie_secure: config.limits.cookie_secure,
    };
    let metrics = match (handed.metrics, config.metrics_addr) {
        (Some(listener), _) => Some(listen_or(Some(listener), "", 0).await?),
        (None, Some(at)) => Some(listen(&at.ip().to_string(), at.port()).await?),
        (None, None) => None,
    };
    if let Some((addr, listener)) = metrics {
        telemetry::announce(addr);
        let counted = views.clone();
        telemetry::serve(
            listener,
            Arc::new(move || counted.counts()),
            shutdown.child_token(),
        );
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
    for (name, counts) in views.counts() {
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

/// The sockets a service manager handed over (systemd's socket activation, `LISTEN_FDS`:
/// restarts refuse no connection, and the tests bind their ports before the server starts):
/// the public one, and a second one for `/metrics`.
struct Handed {
    public: Option<TcpListener>,
    metrics: Option<TcpListener>,
}

fn handed_over() -> Result<Handed, StartError> {
    let mut fds = listenfd::ListenFd::from_env();
    let mut take = |index| {
        fds.take_tcp_listener(index)
            .and_then(|listener| listener.map(adopt).transpose())
            .map_err(|source| StartError::Listen {
                addr: format!("the socket handed over as LISTEN_FDS number {}", index + 1),
                source,
            })
    };
    Ok(Handed {
        public: take(0)?,
        metrics: take(1)?,
    })
}

/// `handed`, or a listener on `host:port`; with the address it listens on.
async fn listen_or(
    handed: Option<TcpListener>,
    host: &str,
    port: u16,
) -> Result<(SocketAddr, TcpListener), StartError> {
    match handed {
        Some(listener) => {
            let addr = listener.local_addr().map_err(|source| StartError::Listen {
                addr: "the socket handed over".into(),
                source,
            })?;
            Ok((addr, listener))
        }
        None => listen(host, port).await,
    }
}

/// A listening socket of the standard library's, for tokio.
fn adopt(listener: std::net::TcpListener) -> std::io::Result<TcpListener> {
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
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
/// what it holds, the views are built from it, and the store then hands every change it
/// commits to them (through the [`Applier`]).
async fn open_store(config: &Config) -> Result<Storage, StartError> {
    let location = location(&config.data_dir, &config.database_url);
    let (opened, snapshot) = crate::store::open(&location, config.seed_examples).await?;
    match &location {
        Location::Database(_) => tracing::info!("datos en PostgreSQL (DATABASE_URL)"),
        Location::DataDir(dir) => tracing::info!(data_dir = %dir.display(), "datos en SQLite"),
    }
    let views = Views::new(snapshot, config.pacing);
    let (accounts, bans) = (opened.accounts(), opened.bans());
    let store = opened.serve(Arc::new(Applier::new(views.clone())));
    Ok(Storage {
        store,
        views,
        accounts,
        bans,
    })
}

/// What [`open_store`] opens: the store, its views, and the staff's tables beside it.
struct Storage {
    store: Arc<dyn Store>,
    views: Views,
    accounts: Arc<dyn Accounts>,
    bans: Arc<dyn Bans>,
}

/// PostgreSQL when `DATABASE_URL` is set, else SQLite in `DATA_DIR`.
fn location(data_dir: &std::path::Path, database_url: &Option<String>) -> Location {
    match database_url {
        Some(url) => Location::Database(url.clone()),
        None => Location::DataDir(data_dir.to_path_buf()),
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
