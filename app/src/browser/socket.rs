//! The browser's side of a live connection: open a WebSocket to the server with gloo-net, hand
//! every text frame to the island, and when the socket dies, reconnect by itself.
//!
//! gloo-net has no reconnect and no heartbeat, so this loop supplies both halves: the read side
//! ending (close, error, server gone) is what marks a socket dead, and reconnecting backs off
//! from 250 ms to 3 s with jitter, so a restarted server is not hit by every browser at once.
//! After each reconnect the server's first frame (a resume followed by what was missed, or a
//! snapshot or history that replaces what the page shows) means nothing missed while offline
//! stays missing.

use std::time::Duration;

use futures::{channel::mpsc, future, SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{LinkState, Outbox};
use crate::protocol::reconnect::{self, FIRST_RETRY};

/// Keeps a socket to `path()` (like `/ws/products?since=4&epoch=e`, asked anew before every
/// connection) open for the life of the page.
pub fn keep_connected(
    path: impl Fn() -> String + 'static,
    state: WriteSignal<LinkState>,
    outbox: Outbox,
    on_frame: impl Fn(String) + 'static,
) {
    spawn_local(async move {
        let mut retry = FIRST_RETRY;
        loop {
            if let Ok(socket) = WebSocket::open(&socket_url(&path())) {
                let (mut write, mut read) = socket.split();
                let (sender, mut queue) = mpsc::unbounded::<String>();
                outbox.attach(Some(sender));
                let writing = async {
                    while let Some(text) = queue.next().await {
                        if write.send(Message::Text(text)).await.is_err() {
                            break;
                        }
                    }
                };
                let reading = async {
                    while let Some(Ok(message)) = read.next().await {
                        if let Message::Text(text) = message {
                            state.set(LinkState::Live);
                            retry = FIRST_RETRY;
                            on_frame(text);
                        }
                    }
                };
                futures::pin_mut!(writing, reading);
                future::select(writing, reading).await;
                outbox.attach(None);
            }
            state.set(LinkState::Reconnecting);
            sleep(reconnect::jittered(retry, js_sys::Math::random())).await;
            retry = reconnect::next(retry);
        }
    });
}

/// `ws://` or `wss://` to this page's own host.
fn socket_url(path: &str) -> String {
    let location = window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss",
        _ => "ws",
    };
    let host = location.host().unwrap_or_default();
    format!("{scheme}://{host}{path}")
}

async fn sleep(duration: Duration) {
    let millis = duration.as_millis() as i32;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
