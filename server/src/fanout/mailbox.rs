//! A socket's link between its reader task and its writer shard: replies to send, a sign of
//! life from the peer, and (the other way) why the shard closed the socket.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use tokio::sync::Notify;

use super::shard::{Command, ShardHandle};

/// Why a socket ended, for the log.
#[derive(Debug, Clone)]
pub enum End {
    ClientClosed,
    NotReading,
    NoPong,
    ShuttingDown,
    TooLarge,
    /// It kept sending past its frame budget (closed with 1008).
    Flooding,
    /// Its replies piled up past [`MAX_QUEUED`](super::peer::MAX_QUEUED) (closed with 1008).
    TooManyReplies,
    #[allow(dead_code)] // read by the Debug impl, in the log
    Failed(String),
}

/// A socket's link between its reader task and its shard: replies to send, a sign of life
/// from the peer, and (the other way) why the shard closed it.
pub struct Mailbox {
    pub(super) id: u64,
    shard: ShardHandle,
    pub(super) outgoing: Mutex<Vec<Bytes>>,
    pub(super) heard: AtomicBool,
    ended_by_server: Mutex<Option<End>>,
    closed: Notify,
}

impl Mailbox {
    pub fn new(shard: ShardHandle) -> Self {
        Mailbox {
            id: shard.next_id(),
            shard,
            outgoing: Mutex::default(),
            heard: AtomicBool::new(true),
            ended_by_server: Mutex::default(),
            closed: Notify::new(),
        }
    }

    /// Queues an encoded frame for this socket alone (a reply, a pong, a close).
    pub fn send(&self, frame: Bytes) {
        lock(&self.outgoing).push(frame);
        self.shard.command(Command::Dirty(self.id));
    }

    /// The peer sent something: it is alive.
    pub fn heard(&self) {
        self.heard.store(true, Ordering::Relaxed);
    }

    /// The reader is done with the socket: whatever is queued goes out if it can, then the
    /// shard lets go of it.
    pub fn release(&self) {
        self.shard.command(Command::Release(self.id));
    }

    /// Resolves when the shard closed the socket, with the reason.
    pub async fn closed_by_server(&self) -> End {
        loop {
            let notified = self.closed.notified();
            if let Some(end) = lock(&self.ended_by_server).clone() {
                return end;
            }
            notified.await;
        }
    }

    pub(super) fn end(&self, end: End) {
        *lock(&self.ended_by_server) = Some(end);
        self.closed.notify_waiters();
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
