//! The two WebSocket endpoints. Both share one connection life ([`connection`]); what differs
//! is the [`Channel`](connection::Channel) each one serves: its first frame, its fan-out, and
//! how it handles a client request.

mod chat;
mod connection;
mod handshake;
mod products;
mod rate;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::state::AppState;
use handshake::Upgrade;

/// The socket's right to change the catalog is decided once, from the upgrade request (its
/// cookie and `Origin`: a page of another site gets none).
pub async fn products(
    headers: HeaderMap,
    upgrade: Upgrade,
    State(state): State<AppState>,
) -> Response {
    let channel = products::ProductsChannel {
        may_edit: state.access.access(&headers).can_edit(),
        catalog: state.catalog,
    };
    let limits = state.sockets;
    upgrade.on_upgrade(move |stream, already_read| {
        connection::serve(stream, already_read, "products", channel, limits)
    })
}

pub async fn chat(upgrade: Upgrade, State(state): State<AppState>) -> Response {
    let channel = chat::ChatChannel {
        chat: state.chat,
        presence: state.presence,
    };
    let limits = state.sockets;
    upgrade.on_upgrade(move |stream, already_read| {
        connection::serve(stream, already_read, "chat", channel, limits)
    })
}
