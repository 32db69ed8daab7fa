//! The two WebSocket endpoints. Both share one connection life ([`connection`]); what differs
//! is the [`Channel`](connection::Channel) each one serves: its first frame, its fan-out, and
//! how it handles a client request.

mod chat;
mod connection;
mod handshake;
mod products;
mod rate;

use axum::extract::State;
use axum::response::Response;

use crate::state::AppState;
use handshake::Upgrade;

pub async fn products(upgrade: Upgrade, State(state): State<AppState>) -> Response {
    let (channel, limits) = (products::ProductsChannel(state.catalog), state.sockets);
    upgrade.on_upgrade(move |stream, already_read| {
        connection::serve(stream, already_read, "products", channel, limits)
    })
}

pub async fn chat(upgrade: Upgrade, State(state): State<AppState>) -> Response {
    let (channel, limits) = (chat::ChatChannel(state.chat), state.sockets);
    upgrade.on_upgrade(move |stream, already_read| {
        connection::serve(stream, already_read, "chat", channel, limits)
    })
}
