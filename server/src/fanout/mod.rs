//! Delivering events to every socket of a channel, fast at every load.
//!
//! An event is encoded once, as the complete WebSocket frame (server frames are unmasked, so
//! the bytes are the same for every socket), and appended to the channel's [`Ring`]. The
//! sockets' write sides are owned by a few writer [`shard`]s (one per two cores) rather than
//! by a task per socket: publishing wakes the shards, and each one walks its sockets writing, for
//! each, everything between that socket's cursor and the ring's head in one system call.
//!
//! That is coalescing without a timer (Nagle's idea without the delay, like uWebSockets'
//! corked publishes): on an idle machine a pass starts at once and carries one event per
//! write; when passes take longer than events take to arrive, whatever piled up during a pass
//! goes out together in the next one, so batches grow exactly as much as the load requires.
//!
//! Rules kept from the task-per-socket design: order (a cursor only moves forward through one
//! ring); a socket that falls further behind than the ring holds is resynced with a fresh
//! first frame (snapshot or history) instead of being left deaf; a socket that takes nothing
//! for [`SEND_TIMEOUT`](shard::SEND_TIMEOUT) is dropped without slowing anyone else; pings
//! find dead peers; on shutdown every socket gets a close frame with code 1001.

pub mod frames;
mod mailbox;
mod peer;
mod ring;
mod shard;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use tokio::net::TcpStream;
use tungstenite::Utf8Bytes;

pub use frames::encode_text;
pub use mailbox::{End, Mailbox};
use peer::Peer;
use ring::Ring;
use shard::ShardHandle;

/// Produces a socket's first frame (snapshot or history, encoded) and the ring position it is
/// as of, taken atomically: the shards call it to resync a socket that fell behind.
pub type FirstFrame = Box<dyn Fn() -> (Bytes, u64) + Send + Sync>;

/// How hard the writers may work under load. After each pass a writer rests for
/// `rest_ratio` times as long as the pass took, so it is busy at most `1 / (1 + rest_ratio)`
/// of the time. When passes are short against the spacing of events (an idle or ordinary
/// machine) the rest has ended before the next event arrives and costs nothing; when they are
/// long (many sockets, many events) the events that arrive during work and rest go out
/// together, so each write carries more of them and costs less per delivery.
#[derive(Clone, Copy, Debug)]
pub struct Pacing {
    pub rest_ratio: f64,
}

impl Pacing {
    /// How long a writer rests after a pass that took `pass`.
    pub fn rest_after(&self, pass: std::time::Duration) -> std::time::Duration {
        pass.mul_f64(self.rest_ratio)
    }
}

pub struct Fanout {
    ring: std::sync::Mutex<Ring>,
    shards: Vec<ShardHandle>,
    next_shard: AtomicUsize,
    first_frame: OnceLock<FirstFrame>,
}

impl Fanout {
    /// A channel's fan-out with its writer shards. Must be called inside the tokio runtime
    /// (the shards are tasks).
    pub fn new(pacing: Pacing) -> Arc<Fanout> {
        // One writer per two cores: a pass is mostly the kernel's work for each write, and
        // the readers, HTTP and the kernel's receive side need the other core. Measured on 2
        // cores with 10,000 sockets: one writer, p99 205 ms; two, 243 to 269 ms.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let writers = (cores / 2).max(1);
        Arc::new_cyclic(|fanout| Fanout {
            ring: std::sync::Mutex::new(Ring::new()),
            shards: (0..writers)
                .map(|_| shard::spawn(fanout.clone(), pacing))
                .collect(),
            next_shard: AtomicUsize::new(0),
            first_frame: OnceLock::new(),
        })
    }

    /// Tells the fan-out how to produce a fresh first frame (the view that owns it does this
    /// once, right after creating it).
    pub fn set_first_frame(&self, first_frame: FirstFrame) {
        let _ = self.first_frame.set(first_frame);
    }

    /// Appends one event, as the shared bytes of its frame, and wakes the writers. Callers
    /// publish while holding their view's lock, so events enter the ring in the order the
    /// changes were applied.
    pub fn publish(&self, frame: &Utf8Bytes) {
        self.publish_encoded(encode_text(frame));
    }

    /// [`publish`](Self::publish) for a frame already encoded.
    pub fn publish_encoded(&self, encoded: Bytes) {
        mailbox::lock(&self.ring).push(encoded);
        for shard in &self.shards {
            shard.wake();
        }
    }

    /// The position the next event will take. A socket that joins under its view's lock with
    /// this cursor gets exactly the events published after its first frame.
    pub fn head(&self) -> u64 {
        mailbox::lock(&self.ring).head()
    }

    /// Hands a new socket to a writer: it first gets `first` (its encoded snapshot or history),
    /// then every event from `cursor` on. Returns the mailbox its reader uses to send replies.
    pub fn attach(&self, stream: Arc<TcpStream>, first: Bytes, cursor: u64) -> Arc<Mailbox> {
        let at = self.next_shard.fetch_add(1, Ordering::Relaxed) % self.shards.len();
        let shard = &self.shards[at];
        let mailbox = Arc::new(Mailbox::new(shard.clone()));
        shard.attach(Peer::new(stream, first, cursor, mailbox.clone()));
        mailbox
    }

    /// Closes every socket with code 1001 ("going away"), giving each a moment to take what it
    /// was still owed, and returns when all are closed.
    pub async fn shut_down(&self) {
        let closing: Vec<_> = self.shards.iter().map(ShardHandle::shut_down).collect();
        futures::future::join_all(closing).await;
    }

    /// Frames written so far, and the system calls that wrote them.
    pub fn written(&self) -> (u64, u64) {
        self.shards.iter().fold((0, 0), |(frames, writes), shard| {
            let tally = shard.tally();
            (
                frames + tally.frames.load(Ordering::Relaxed),
                writes + tally.writes.load(Ordering::Relaxed),
            )
        })
    }

    /// The frames from `cursor` to the head, and the head; or, when the ring no longer holds
    /// the oldest of them, all it holds. Clones only reference counts.
    fn since(&self, cursor: u64) -> (Vec<Bytes>, u64) {
        let ring = mailbox::lock(&self.ring);
        ring.since(cursor).unwrap_or_else(|| ring.held())
    }

    fn resync(&self) -> (Bytes, u64) {
        let first_frame = self
            .first_frame
            .get()
            .expect("the view sets its first frame before any socket joins");
        first_frame()
    }
}
