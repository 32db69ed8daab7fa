//! What joins a socket's reader task, the fan-out and the socket's writer shard: the socket's
//! [`Mailbox`] (replies to send, a sign of life from the peer, and, the other way, why the
//! shard closed it) and the [`ShardHandle`] everyone uses to reach a shard.
//!
//! Everything here is plain data and channels: the shard and its peers build on it, and it
//! knows nothing of them, so the fan-out's modules import one way (mod → shard → peer → link).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Notify};

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

/// A socket's link between its reader task and its shard.
pub struct Mailbox {
    id: u64,
    shard: ShardHandle,
    outgoing: Mutex<Vec<Bytes>>,
    heard: AtomicBool,
    ended_by_server: Mutex<Option<End>>,
    closed: Notify,
}

impl Mailbox {
    fn new(id: u64, shard: ShardHandle) -> Self {
        Mailbox {
            id,
            shard,
            outgoing: Mutex::default(),
            heard: AtomicBool::new(true),
            ended_by_server: Mutex::default(),
            closed: Notify::new(),
        }
    }

    /// The socket's number within its shard.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Queues an encoded frame for this socket alone (a reply, a pong, a close).
    pub fn send(&self, frame: Bytes) {
        lock(&self.outgoing).push(frame);
        self.shard.command(Command::Dirty(self.id));
    }

    /// Takes the frames queued by [`send`](Self::send) (the shard does, to write them).
    pub fn take_outgoing(&self) -> Vec<Bytes> {
        std::mem::take(&mut *lock(&self.outgoing))
    }

    /// The peer sent something: it is alive.
    pub fn heard(&self) {
        self.heard.store(true, Ordering::Relaxed);
    }

    /// Whether the peer sent anything since the last call (the shard asks at each ping).
    pub fn heard_since_asked(&self) -> bool {
        self.heard.swap(false, Ordering::Relaxed)
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

    /// The shard closed the socket: tells its reader why.
    pub fn end(&self, end: End) {
        *lock(&self.ended_by_server) = Some(end);
        self.closed.notify_waiters();
    }
}

/// A socket handed to a shard: the stream, the first frame it is owed, the ring position of
/// the first event after that frame, and its mailbox.
pub struct Arrival {
    pub stream: Arc<TcpStream>,
    pub first: Bytes,
    pub cursor: u64,
    /// The extent of its first frame, kept for a fresh one (see `Feed::resync`).
    pub limit: Option<u32>,
    pub mailbox: Arc<Mailbox>,
}

/// What a shard is asked to do, in the order asked.
pub enum Command {
    Attach(Arrival),
    /// The socket's mailbox has frames to send.
    Dirty(u64),
    /// The socket's reader ended: send what it is owed if possible, then drop it.
    Release(u64),
    ShutDown(oneshot::Sender<()>),
}

/// What a shard has written: frames, and the system calls it took (their ratio is how much
/// coalescing the load produced).
#[derive(Default)]
pub struct Counters {
    pub writes: AtomicU64,
    pub frames: AtomicU64,
    /// Sockets resynced with a fresh first frame after falling behind the ring.
    pub resyncs: AtomicU64,
    /// Sockets dropped for taking nothing for the send timeout.
    pub dropped: AtomicU64,
    /// Sockets the shard holds now.
    pub open: AtomicU64,
}

/// How the fan-out and the readers reach a shard: its wake-up, its commands, its counters.
#[derive(Clone)]
pub struct ShardHandle(Arc<HandleShared>);

struct HandleShared {
    wake: Notify,
    commands: mpsc::UnboundedSender<Command>,
    next_id: AtomicU64,
    counters: Counters,
}

/// The shard's end of a [`ShardHandle`]: its commands and wake-ups.
pub struct Inbox {
    pub commands: mpsc::UnboundedReceiver<Command>,
    pub handle: ShardHandle,
}

impl Inbox {
    /// A shard's inbox, and the handle that sends to it.
    pub fn new() -> Inbox {
        let (commands, receiver) = mpsc::unbounded_channel();
        Inbox {
            commands: receiver,
            handle: ShardHandle(Arc::new(HandleShared {
                wake: Notify::new(),
                commands,
                next_id: AtomicU64::new(0),
                counters: Counters::default(),
            })),
        }
    }
}

impl ShardHandle {
    /// New events were published.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// Resolves at the next [`wake`](Self::wake) (or at once if one is pending).
    pub async fn woken(&self) {
        self.0.wake.notified().await;
    }

    /// Hands the shard a socket; returns the mailbox its reader uses.
    pub fn attach(
        &self,
        stream: Arc<TcpStream>,
        first: Bytes,
        cursor: u64,
        limit: Option<u32>,
    ) -> Arc<Mailbox> {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        let mailbox = Arc::new(Mailbox::new(id, self.clone()));
        self.command(Command::Attach(Arrival {
            stream,
            first,
            cursor,
            limit,
            mailbox: mailbox.clone(),
        }));
        mailbox
    }

    pub fn counters(&self) -> &Counters {
        &self.0.counters
    }

    /// Asks the shard to close its sockets with 1001, and waits until it has.
    pub async fn shut_down(&self) {
        let (done, closed) = oneshot::channel();
        self.command(Command::ShutDown(done));
        let _ = closed.await;
    }

    fn command(&self, command: Command) {
        // The shard lives as long as the fan-out that owns it; after shutdown nobody cares.
        let _ = self.0.commands.send(command);
    }
}

pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
