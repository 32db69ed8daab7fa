//! The two WebSocket endpoints. Both share one connection life ([`connection`]); what differs
//! is the [`Channel`](connection::Channel) each one serves: its first frame, its fan-out, and
//! how it handles a client request.

mod chat;
mod connection;
mod handshake;
mod products;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::auth::Credentials;
use crate::error::ApiError;
use crate::guard::client::Client;
use crate::guard::sockets::SocketSlot;
use crate::params::{limit, number, text, Params};
use crate::state::AppState;
use app::protocol::SocketStart;
use connection::{Channel, Socket};
use handshake::Upgrade;

/// The socket keeps the credentials of its upgrade request (its cookie unless from a page of
/// another site, a bearer token) and is allowed each change it asks for by them.
pub async fn products(
    headers: HeaderMap,
    params: Params,
    Client(client): Client,
    upgrade: Upgrade,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let slot = socket_slot(&state, client)?;
    let channel = products::ProductsChannel {
        policy: state.access.clone(),
        credentials: Credentials::of(&headers),
        catalog: state.catalog,
        start: socket_start(&params)?,
    };
    Ok(serve(
        upgrade,
        Socket {
            name: "products",
            channel,
            limits: state.sockets,
            slot,
        },
    ))
}

pub async fn chat(
    headers: HeaderMap,
    params: Params,
    Client(client): Client,
    upgrade: Upgrade,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let slot = socket_slot(&state, client)?;
    let channel = chat::ChatChannel {
        chat: state.chat,
        presence: state.presence,
        start: socket_start(&params)?,
        client,
        limit: state.chat_limit,
        policy: state.access.clone(),
        credentials: Credentials::of(&headers),
    };
    Ok(serve(
        upgrade,
        Socket {
            name: "chat",
            channel,
            limits: state.sockets,
            slot,
        },
    ))
}

/// Answers the upgrade and serves the socket once it is open. `socket` is boxed before the
/// closure takes it, so the socket's task holds one pointer to it (see `connection::Socket`).
fn serve(upgrade: Upgrade, socket: Socket<impl Channel>) -> Response {
    let socket = Box::new(socket);
    upgrade.on_upgrade(move |stream, already_read| connection::serve(stream, already_read, socket))
}

/// One more open socket for `client`, or `429` when it holds `MAX_SOCKETS_PER_CLIENT`.
fn socket_slot(state: &AppState, client: std::net::IpAddr) -> Result<SocketSlot, ApiError> {
    state.socket_slots.take(client).ok_or_else(|| {
        crate::telemetry::rate_limited("sockets");
        ApiError::too_many("Demasiadas conexiones abiertas desde tu dirección: cerrá alguna")
    })
}

/// `limit`, `since` and `epoch` from a socket's URL, with a JSON 400 for a bad one.
fn socket_start(params: &Params) -> Result<SocketStart, ApiError> {
    Ok(SocketStart {
        limit: limit(params)?,
        since: number(params, "since")?,
        epoch: text(params, "epoch"),
    })
}
