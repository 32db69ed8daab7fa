//! The HTTP server: the accept loop and each connection's HTTP/1.1, served by hyper directly
//! (rather than `axum::serve`) for three reasons:
//! - a listen backlog sized for bursts of connects (the default of 128 drops SYNs when
//!   thousands of browsers reconnect at once, and each dropped SYN costs its client 1 s);
//! - request headers must arrive within [`HEADER_TIMEOUT`] or the connection is closed, which
//!   also closes idle keep-alive connections: a client cannot hold a connection by sending
//!   half a request, or nothing at all;
//! - an upgraded connection comes back as the plain `TcpStream`, so the fan-out's writers can
//!   write shared, pre-encoded frames to it (see `ws::handshake`).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long a client has to send a request's headers (and an idle connection stays open).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections the kernel queues before they are accepted.
const BACKLOG: u32 = 4096;
/// How long in-flight requests get to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `host:port` with a backlog sized for bursts.
pub async fn bind(host: &str, port: u16) -> std::io::Result<TcpListener> {
    let mut last_error = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        match bind_one(addr) {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no address to listen on")))
}

fn bind_one(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Serves `router` on `listener` until `shutdown`; then stops accepting, lets requests in
/// flight finish (for at most [`DRAIN_TIMEOUT`]) and returns.
pub async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    let connections = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let _ = stream.set_nodelay(true);
        // Handlers that need the client's address (the login limit) find it here.
        let service = TowerToHyperService::new(
            tower::ServiceBuilder::new()
                .map_request(move |mut request: axum::extract::Request<_>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                })
                .service(router.clone()),
        );
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = shutdown.cancelled() => {}
            }
            // Finish the request in flight (if any), then close.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    connections.close();
    if tokio::time::timeout(DRAIN_TIMEOUT, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still running at shutdown");
    }
}
