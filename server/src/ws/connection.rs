//! One socket's life, the same for every channel: it joins its channel's fan-out (which from
//! then on writes to it: its first frame, then every event), and this task reads what the
//! client sends, answers requests, and notices when the socket ends.
//!
//! Reading happens only when the socket is readable, so an idle socket costs no wake-up when
//! events go out; a flood of frames is refused with error frames past the socket's frame
//! budget; a message over [`MAX_MESSAGE`] closes that socket only.

use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;
use tungstenite::protocol::{Role, WebSocketConfig, WebSocketContext};
use tungstenite::Message;

use crate::config::SocketLimits;
use crate::fanout::{frames, json_frame, End, Mailbox};
use crate::guard::bucket::{Bucket, Rate};
use crate::guard::sockets::SocketSlot;
use app::domain::Invalid;
use app::protocol::Refusal;

/// The biggest client frame or message accepted; a larger one closes that socket only.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// The read buffer each socket starts with: requests are small (a chat message, a product);
/// a larger one grows it. Ten thousand idle sockets hold ten thousand of these.
const READ_BUFFER: usize = 256;

/// What a socket endpoint serves.
pub trait Channel: Send + Sync + 'static {
    /// Lets the socket in: from then on it is written its first frames (snapshot or history,
    /// or a resume and what was missed), then every event. Returns its mailbox.
    fn join(&self, stream: Arc<TcpStream>) -> impl Future<Output = Arc<Mailbox>> + Send;
    /// Carries out one client frame; returns the error frame for this client alone, if any.
    fn handle(&self, text: &str) -> impl Future<Output = Option<Bytes>> + Send;
    /// The socket joined (after its first frame was queued).
    fn joined(&self, _mailbox: &Mailbox) {}
    /// The socket ended.
    fn left(&self) {}
}

/// What a socket's task holds besides its stream, boxed: a future keeps an async fn's
/// arguments twice (as given, and as the locals they are moved into), and the closure that
/// starts it once more, so one pointer instead of these values saves about 300 bytes on each
/// of ten thousand idle sockets (measured with the bench: 4.73 KiB per socket before).
pub struct Socket<C> {
    /// The endpoint's name, for the log.
    pub name: &'static str,
    pub channel: C,
    pub limits: SocketLimits,
    /// Held for as long as the socket is open (see `guard::sockets`).
    #[expect(
        dead_code,
        reason = "held, never read: dropping it frees the client's slot"
    )]
    pub slot: SocketSlot,
}

pub async fn serve(stream: TcpStream, already_read: Bytes, socket: Box<Socket<impl Channel>>) {
    tracing::info!(socket = socket.name, "cliente conectado");
    // Made before the first wait, so the future holds the context and not those bytes too.
    let mut context = websocket(already_read);
    let stream = Arc::new(stream);
    let channel = &socket.channel;
    let mailbox = channel.join(stream.clone()).await;
    channel.joined(&mailbox);
    let end = read(&stream, &mut context, &mailbox, &socket).await;
    mailbox.release();
    channel.left();
    tracing::info!(socket = socket.name, reason = ?end, "cliente desconectado");
}

/// The server side of a WebSocket whose client already sent `already_read`. Those bytes may
/// be a slice of the HTTP connection's whole read buffer: they are copied, and that buffer is
/// let go rather than held for the life of the socket.
fn websocket(already_read: Bytes) -> WebSocketContext {
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    WebSocketContext::from_partially_read(already_read.to_vec(), Role::Server, Some(config))
}

async fn read(
    stream: &TcpStream,
    context: &mut WebSocketContext,
    mailbox: &Mailbox,
    socket: &Socket<impl Channel>,
) -> End {
    let (channel, limits) = (&socket.channel, socket.limits);
    let mut io = Io { stream, mailbox };
    let mut budget = Bucket::new(Rate {
        per_sec: limits.frames_per_sec,
        burst: limits.burst,
    });
    // Frames refused in a row: past the burst, the socket is closed with 1008.
    let mut refused_in_a_row = 0u32;
    let closed_by_server = mailbox.closed_by_server();
    tokio::pin!(closed_by_server);
    loop {
        // Everything the socket holds now, then wait for more.
        loop {
            let message = match context.read(&mut io) {
                Ok(message) => message,
                Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::WouldBlock => break,
                Err(tungstenite::Error::ConnectionClosed) => return End::ClientClosed,
                Err(tungstenite::Error::Capacity(_)) => return End::TooLarge,
                Err(e) => return End::Failed(e.to_string()),
            };
            mailbox.heard();
            // Every frame counts toward the budget, whatever its kind.
            if !budget.take() {
                crate::telemetry::rate_limited("frames");
                refused_in_a_row += 1;
                if refused_in_a_row > limits.burst as u32 {
                    mailbox.send(frames::policy_violation("demasiados mensajes seguidos"));
                    return End::Flooding;
                }
                mailbox.send(refusal(
                    "Demasiados mensajes seguidos: esperá un momento antes de enviar más",
                ));
                continue;
            }
            refused_in_a_row = 0;
            let reply = match message {
                // Boxed: an idle socket's task then holds a pointer, not the largest request.
                Message::Text(text) => Box::pin(channel.handle(text.as_str())).await,
                Message::Binary(_) => Some(refusal("Solo se aceptan mensajes de texto con JSON")),
                Message::Close(_) => {
                    // Sends the close reply tungstenite queued.
                    let _ = context.flush(&mut io);
                    return End::ClientClosed;
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
            };
            if let Some(reply) = reply {
                mailbox.send(reply);
            }
            // A client that sends without pause must not keep this worker thread to itself.
            tokio::task::consume_budget().await;
        }
        tokio::select! {
            ready = stream.readable() => {
                if let Err(e) = ready {
                    return End::Failed(e.to_string());
                }
            }
            end = &mut closed_by_server => return end,
        }
    }
}

/// The socket as tungstenite sees it: reads come from the TCP stream without blocking, and
/// what tungstenite writes (pongs, the close reply) goes to the socket's writer.
struct Io<'a> {
    stream: &'a TcpStream,
    mailbox: &'a Mailbox,
}

impl Read for Io<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.stream.try_read(buf)
    }
}

impl Write for Io<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.mailbox.send(Bytes::copy_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An error frame not tied to any request (the same on every channel).
fn refusal(message: &str) -> Bytes {
    json_frame(&Refusal::new(Invalid::new(message)))
}
