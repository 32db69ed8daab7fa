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
//!
//! The shape, like mini-redis's shared state: a channel's owner (a view: its state and its
//! ring) is built first, with its first frame, and handed to the [`Writers`] as their
//! [`Feed`], which the shard tasks hold strongly; nothing points back. Inside, modules import
//! one way: `mod` → `shard` → `peer` → `link` (the mailbox and the shard's handle), with
//! `feed`, `ring`, `frames` and `pacing` as leaves, and each type's fields are changed only
//! by its own methods.

mod feed;
pub mod frames;
mod link;
mod pacing;
mod peer;
mod ring;
mod shard;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpStream;

pub use feed::Feed;
pub use frames::{encode_text, json_frame};
use link::ShardHandle;
pub use link::{End, Mailbox};
pub use pacing::Pacing;
pub use ring::Ring;

/// A channel's writers: the shards that write its events to its sockets. They read the
/// events, and the first frames of sockets that fell behind, from the [`Feed`] they are given
/// at construction and hold for as long as they run.
pub struct Writers {
    shards: Vec<ShardHandle>,
    next_shard: AtomicUsize,
}

impl Writers {
    /// Starts the writers of `feed`. Must be called inside the tokio runtime (the shards are
    /// tasks).
    pub fn spawn(feed: Arc<dyn Feed>, pacing: Pacing) -> Writers {
        // One writer per two cores: a pass is mostly the kernel's work for each write, and
        // the readers, HTTP and the kernel's receive side need the other core. Measured on 2
        // cores with 10,000 sockets: one writer, p99 205 ms; two, 243 to 269 ms.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let writers = (cores / 2).max(1);
        Writers {
            shards: (0..writers)
                .map(|_| shard::spawn(feed.clone(), pacing))
                .collect(),
            next_shard: AtomicUsize::new(0),
        }
    }

    /// New events are in the feed: every writer gets to them.
    pub fn wake(&self) {
        for shard in &self.shards {
            shard.wake();
        }
    }

    /// Hands a new socket to a writer: it first gets `first` (its encoded snapshot or history),
    /// then every event from `cursor` on. Returns the mailbox its reader uses to send replies.
    pub fn attach(
        &self,
        stream: Arc<TcpStream>,
        first: Bytes,
        cursor: u64,
        limit: Option<u32>,
    ) -> Arc<Mailbox> {
        let at = self.next_shard.fetch_add(1, Ordering::Relaxed) % self.shards.len();
        self.shards[at].attach(stream, first, cursor, limit)
    }

    /// Closes every socket with code 1001 ("going away"), giving each a moment to take what it
    /// was still owed, and returns when all are closed.
    pub async fn shut_down(&self) {
        let closing: Vec<_> = self.shards.iter().map(ShardHandle::shut_down).collect();
        futures::future::join_all(closing).await;
    }

    /// What the writers have done so far, summed over them.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for shard in &self.shards {
            let counters = shard.counters();
            counts.frames += counters.frames.load(Ordering::Relaxed);
            counts.writes += counters.writes.load(Ordering::Relaxed);
            counts.resyncs += counters.resyncs.load(Ordering::Relaxed);
            counts.dropped += counters.dropped.load(Ordering::Relaxed);
            counts.open += counters.open.load(Ordering::Relaxed);
        }
        counts
    }
}

/// A channel's fan-out in numbers (for the log at shutdown and the metrics).
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// Events published (the ring's head).
    pub published: u64,
    /// Frames written, and the system calls that wrote them.
    pub frames: u64,
    pub writes: u64,
    /// Sockets resynced after falling behind, and dropped for not reading.
    pub resyncs: u64,
    pub dropped: u64,
    /// Sockets open now.
    pub open: u64,
}
