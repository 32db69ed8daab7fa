//! The two WebSocket endpoints. Both share one connection loop ([`connection`]); what differs
//! is the [`Channel`](connection::Channel) each one serves: its first frame, its resync frame,
//! and how it handles a client request.

mod chat;
mod connection;
mod products;
mod rate;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::Response;

use crate::state::AppState;

/// The biggest client frame or message accepted; a larger one closes that socket only.
const MAX_MESSAGE: usize = 64 * 1024;

/// Small buffers: the axum defaults (128 KiB read + 128 KiB write) cost over 130 KiB per
/// idle socket; these keep an idle socket to a few KiB.
fn configure(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
}

pub async fn products(upgrade: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    let channel = products::ProductsChannel(state.catalog.clone());
    configure(upgrade)
        .on_upgrade(move |socket| connection::serve(socket, "products", channel, state))
}

pub async fn chat(upgrade: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    let channel = chat::ChatChannel(state.chat.clone());
    configure(upgrade).on_upgrade(move |socket| connection::serve(socket, "chat", channel, state))
}
