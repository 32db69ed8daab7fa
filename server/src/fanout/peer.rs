//! A socket as its writer shard sees it: what it is owed, where it stands in the ring, and the
//! one vectored `send` that writes it.

use std::collections::VecDeque;
use std::io::{ErrorKind, IoSlice};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use futures::future::BoxFuture;
use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::link::{Arrival, Counters, End, Mailbox};

/// The most bytes a socket may be owed besides the shared events (its replies, a partial
/// frame, its first frame): a client that sends requests without reading the answers is
/// closed before they take more memory than this, plus its first frame.
pub const MAX_QUEUED: usize = 256 * 1024;

/// Buffers handed to one vectored write.
const SLICES_PER_WRITE: usize = 64;

/// A socket as its shard sees it.
pub struct Peer {
    stream: Arc<TcpStream>,
    /// The position of the next event to queue.
    cursor: u64,
    /// The extent of its first frames (see `Feed::resync`).
    limit: Option<u32>,
    /// Bytes owed, in order. The front may be the rest of a partly written frame.
    queue: VecDeque<Bytes>,
    /// Whether the front of `queue` is a partly written frame (it must be finished).
    partial_front: bool,
    /// Set aside until writable.
    blocked: bool,
    /// Since when what it is owed has not drained.
    owing_since: Option<Instant>,
    /// Whether it was pinged and has not been heard from since.
    pinged: bool,
    mailbox: Arc<Mailbox>,
}

impl Peer {
    pub fn new(arrival: Arrival) -> Self {
        Peer {
            stream: arrival.stream,
            cursor: arrival.cursor,
            limit: arrival.limit,
            queue: VecDeque::from([arrival.first]),
            partial_front: false,
            blocked: false,
            owing_since: None,
            pinged: false,
            mailbox: arrival.mailbox,
        }
    }

    pub fn id(&self) -> u64 {
        self.mailbox.id()
    }

    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    pub fn limit(&self) -> Option<u32> {
        self.limit
    }

    /// Whether a pass should write to it: it can take data and is owed some.
    pub fn ready(&self, head: u64) -> bool {
        !self.blocked && (self.cursor < head || !self.queue.is_empty())
    }

    /// Replaces what it was owed (but a partly written frame) with a fresh first frame.
    pub fn resync(&mut self, first: &Bytes, cursor: u64) {
        let keep = usize::from(self.partial_front);
        self.queue.truncate(keep);
        self.queue.push_back(first.clone());
        self.cursor = cursor;
    }

    /// Moves the replies its reader queued into what it is owed; `false` when that is more
    /// than [`MAX_QUEUED`] (beyond its first frame): it is not reading.
    pub fn take_mailbox(&mut self) -> bool {
        self.queue.extend(self.mailbox.take_outgoing());
        let owed: usize = self.queue.iter().skip(1).map(Bytes::len).sum();
        owed <= MAX_QUEUED
    }

    /// Queues a frame of the shard's own (a ping, a close) behind what it is owed.
    pub fn queue(&mut self, frame: Bytes) {
        self.queue.push_back(frame);
    }

    /// A ping is due: `false` when the last one went unanswered (the peer is gone), else the
    /// ping is queued.
    pub fn ping(&mut self, ping: &Bytes) -> bool {
        let heard = self.mailbox.heard_since_asked();
        if self.pinged && !heard {
            return false;
        }
        self.pinged = true;
        self.queue(ping.clone());
        true
    }

    /// Whether it has owed something for `timeout` without taking it.
    pub fn stuck_for(&self, timeout: std::time::Duration) -> bool {
        self.owing_since
            .is_some_and(|since| since.elapsed() >= timeout)
    }

    /// It can take data again.
    pub fn unblock(&mut self) {
        self.blocked = false;
    }

    /// Writes what it is owed, with `events` (the ring's frames from its cursor on) after it,
    /// and keeps the books: an idle socket keeps no buffer; a full one is set aside, and
    /// [`writable`](Self::writable) says when it can take more.
    pub fn flush(&mut self, events: &[Bytes], counters: &Counters) -> Written {
        let written = self.write(events, counters);
        match written {
            Written::All => {
                self.owing_since = None;
                // Most sockets are idle most of the time: they should hold no buffer.
                if self.queue.capacity() > 4 {
                    self.queue = VecDeque::new();
                }
            }
            Written::Blocked => {
                self.blocked = true;
                self.owing_since.get_or_insert_with(Instant::now);
            }
            Written::Failed(_) => {}
        }
        written
    }

    /// Resolves to its id once the socket can take data again.
    pub fn writable(&self) -> BoxFuture<'static, u64> {
        let (stream, id) = (self.stream.clone(), self.id());
        Box::pin(async move {
            let _ = stream.writable().await;
            id
        })
    }

    /// Writes what the socket is owed (its queue, then `events`) as far as it takes them
    /// without blocking, and moves the cursor past the events written. An event written in
    /// part leaves its rest at the front of the queue. Events the socket did not take stay in
    /// the ring, not here: a socket that falls behind holds no more than one partial frame and
    /// its replies, and the ring tells when it fell too far behind.
    pub fn write(&mut self, events: &[Bytes], counters: &Counters) -> Written {
        let mut next_event = 0;
        loop {
            let slices: Vec<IoSlice<'_>> = self
                .queue
                .iter()
                .chain(&events[next_event..])
                .take(SLICES_PER_WRITE)
                .map(|frame| IoSlice::new(frame))
                .collect();
            if slices.is_empty() {
                return Written::All;
            }
            // send(2) rather than write(2): a socket needs none of the file-system layer's work
            // (vfs_writev and fdget_pos were 6 % of the kernel's samples in a profile). Through
            // `try_io`, so that tokio learns when the socket is full and `writable()` waits.
            let socket = socket2::SockRef::from(&*self.stream);
            let result = self.stream.try_io(Interest::WRITABLE, || {
                if slices.len() == 1 {
                    socket.send(&slices[0])
                } else {
                    socket.send_vectored(&slices)
                }
            });
            let mut written = match result {
                Ok(0) => return Written::Failed("the socket took nothing".into()),
                Ok(written) => written,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Written::Blocked,
                Err(e) => return Written::Failed(e.to_string()),
            };
            counters.writes.fetch_add(1, Ordering::Relaxed);
            while written > 0 {
                if let Some(front) = self.queue.front_mut() {
                    if written < front.len() {
                        *front = front.slice(written..);
                        self.partial_front = true;
                        break;
                    }
                    written -= front.len();
                    self.queue.pop_front();
                } else {
                    let event = &events[next_event];
                    next_event += 1;
                    self.cursor += 1;
                    if written < event.len() {
                        self.queue.push_back(event.slice(written..));
                        self.partial_front = true;
                        break;
                    }
                    written -= event.len();
                }
                self.partial_front = false;
                counters.frames.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Closes the socket and tells its reader why.
    pub fn close(self, end: End) {
        let _ = socket2::SockRef::from(&*self.stream).shutdown(std::net::Shutdown::Both);
        self.mailbox.end(end);
    }

    /// Lets go of the socket at shutdown (its reader ends, and with it the socket).
    pub fn let_go(self, end: End) {
        self.mailbox.end(end);
    }
}

pub enum Written {
    All,
    Blocked,
    Failed(String),
}
