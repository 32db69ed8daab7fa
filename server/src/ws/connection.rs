//! One socket's life, the same for every channel: send the first frame, then at once relay
//! every broadcast event, answer the client's requests, and keep an eye on the peer.
//!
//! - Events are relayed as the shared bytes the service serialized once; several waiting
//!   events are fed to the socket together and flushed with one write.
//! - A socket that falls behind the broadcast backlog is resynced with a fresh first frame
//!   (snapshot or history) instead of being left deaf.
//! - A client that stops reading is dropped after [`SEND_TIMEOUT`]; a peer that answers no
//!   ping for [`PING_EVERY`] is dropped as dead. Neither slows any other socket.
//! - A flood of frames is refused with error frames past the socket's frame budget.
//! - On shutdown the socket is closed with code 1001 ("going away").

use std::future::Future;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::SinkExt;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{interval_at, timeout, Instant};

use super::rate::FrameBudget;
use crate::fanout::Batch;
use crate::live::frame_bytes;
use crate::state::AppState;
use app::domain::Invalid;
use app::protocol::{ErrorFrame, ProductEvent};

/// How long one write may wait for a client that is not reading.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings; a peer silent for a whole period after a ping is dead.
const PING_EVERY: Duration = Duration::from_secs(30);
/// The most batches written before one flush.
const BATCHES_PER_FLUSH: usize = 16;

/// What a socket endpoint serves.
pub trait Channel: Send + Sync + 'static {
    /// The first frame and a subscription to everything after it, taken atomically.
    fn join(&self) -> (Utf8Bytes, broadcast::Receiver<Batch>);
    /// A fresh first frame, for a socket that fell behind.
    fn resync(&self) -> Utf8Bytes;
    /// Carries out one client frame; returns the error frame for this client alone, if any.
    fn handle(&self, text: &str) -> impl Future<Output = Option<Utf8Bytes>> + Send;
}

/// Why the loop ended, for the log.
#[derive(Debug)]
enum End {
    ClientClosed,
    NotReading,
    NoPong,
    ShuttingDown,
    #[allow(dead_code)] // read by the Debug impl, in the log
    Failed(String),
}

pub async fn serve(
    mut socket: WebSocket,
    name: &'static str,
    channel: impl Channel,
    state: AppState,
) {
    tracing::info!(socket = name, "cliente conectado");
    let end = relay(&mut socket, &channel, &state).await;
    if matches!(end, End::ShuttingDown) {
        let close = CloseFrame {
            code: 1001,
            reason: "el servidor se está reiniciando".into(),
        };
        let _ = timeout(
            Duration::from_secs(1),
            socket.send(Message::Close(Some(close))),
        )
        .await;
    }
    tracing::info!(socket = name, reason = ?end, "cliente desconectado");
}

async fn relay(socket: &mut WebSocket, channel: &impl Channel, state: &AppState) -> End {
    let (first, mut events) = channel.join();
    if let Err(end) = send(socket, Message::Text(first)).await {
        return end;
    }
    let mut budget = FrameBudget::new(state.sockets);
    let mut pings = interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let mut heard_since_ping = true;
    // Created once: re-creating it on every wake-up would register and drop a waiter each time.
    let shutdown = state.shutdown.cancelled();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                heard_since_ping = true;
                let reply = match incoming {
                    Some(Ok(Message::Text(text))) if budget.take() => channel.handle(text.as_str()).await,
                    Some(Ok(Message::Text(_))) => Some(error_frame(
                        "Demasiados mensajes seguidos: esperá un momento antes de enviar más",
                    )),
                    Some(Ok(Message::Binary(_))) => {
                        Some(error_frame("Solo se aceptan mensajes de texto con JSON"))
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                    Some(Ok(Message::Close(_))) | None => return End::ClientClosed,
                    Some(Err(e)) => return End::Failed(e.to_string()),
                };
                if let Some(reply) = reply {
                    if let Err(end) = send(socket, Message::Text(reply)).await {
                        return end;
                    }
                }
            }
            event = events.recv() => {
                let written = match event {
                    Ok(first) => send_batch(socket, first, &mut events).await,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "socket fell behind; resyncing");
                        send(socket, Message::Text(channel.resync())).await
                    }
                    Err(RecvError::Closed) => return End::ShuttingDown,
                };
                if let Err(end) = written {
                    return end;
                }
            }
            _ = pings.tick() => {
                if !heard_since_ping {
                    return End::NoPong;
                }
                heard_since_ping = false;
                if let Err(end) = send(socket, Message::Ping(Default::default())).await {
                    return end;
                }
            }
            _ = &mut shutdown => return End::ShuttingDown,
        }
    }
}

/// Writes the batch `first` and whatever else is already waiting, then flushes once: one
/// system call for all of it.
async fn send_batch(
    socket: &mut WebSocket,
    first: Batch,
    events: &mut broadcast::Receiver<Batch>,
) -> Result<(), End> {
    let write = async {
        let mut batch = first;
        for _ in 0..BATCHES_PER_FLUSH {
            for frame in batch.iter() {
                socket.feed(Message::Text(frame.clone())).await?;
            }
            match events.try_recv() {
                Ok(next) => batch = next,
                // Lagging or empty: the next `recv` in the loop deals with it.
                Err(_) => break,
            }
        }
        socket.flush().await
    };
    finish(timeout(SEND_TIMEOUT, write).await)
}

async fn send(socket: &mut WebSocket, message: Message) -> Result<(), End> {
    finish(timeout(SEND_TIMEOUT, socket.send(message)).await)
}

fn finish(
    outcome: Result<Result<(), axum::Error>, tokio::time::error::Elapsed>,
) -> Result<(), End> {
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(End::Failed(e.to_string())),
        Err(_) => Err(End::NotReading),
    }
}

/// An error frame not tied to any request (it has the same shape on every channel).
fn error_frame(message: &str) -> Utf8Bytes {
    frame_bytes(&ProductEvent::Error(ErrorFrame::new(
        None,
        Invalid::new(message),
    )))
}
