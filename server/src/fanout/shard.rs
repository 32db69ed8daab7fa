//! A writer shard: one task that owns the write side of many sockets and writes what each is
//! owed, so that an event costs one wake-up per shard instead of one per socket.
//!
//! Each pass walks the shard's sockets that can take data and writes to each, with one
//! vectored, non-blocking send, what it is still owed (replies, its first frame, a ping)
//! followed by the ring's events from its cursor on (see [`Peer`]).
//! A socket whose kernel buffer is full is set aside until it is writable again; if it stays
//! so for [`SEND_TIMEOUT`] it is dropped. Passes yield to the runtime every few writes, so a
//! long pass never starves accepts, readers or HTTP.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::time::{interval, Instant, MissedTickBehavior};

use super::mailbox::End;
use super::peer::{Peer, Written};
use super::{frames, Fanout, Pacing};

/// How long a socket may take nothing before it is dropped as not reading.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings; a peer silent for a whole period after a ping is dead.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Writes between two yields to the runtime during a pass.
const WRITES_PER_YIELD: usize = 64;
/// How long sockets get at shutdown to take their close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

pub(super) enum Command {
    Attach(Peer),
    /// The peer's mailbox has frames to send.
    Dirty(u64),
    /// The peer's reader ended: send what it is owed if possible, then drop it.
    Release(u64),
    ShutDown(oneshot::Sender<()>),
}

struct Shared {
    wake: Notify,
    commands: mpsc::UnboundedSender<Command>,
    next_id: AtomicU64,
    tally: Tally,
}

/// What a shard has written: frames, and the system calls it took (their ratio is how much
/// coalescing the load produced).
#[derive(Default)]
pub struct Tally {
    pub writes: AtomicU64,
    pub frames: AtomicU64,
}

/// How the fan-out and the readers reach a shard.
#[derive(Clone)]
pub struct ShardHandle(Arc<Shared>);

impl ShardHandle {
    /// New events were published.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    pub fn attach(&self, peer: Peer) {
        self.command(Command::Attach(peer));
    }

    pub fn tally(&self) -> &Tally {
        &self.0.tally
    }

    pub async fn shut_down(&self) {
        let (done, closed) = oneshot::channel();
        self.command(Command::ShutDown(done));
        let _ = closed.await;
    }

    pub(super) fn next_id(&self) -> u64 {
        self.0.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn command(&self, command: Command) {
        // The shard lives as long as the fan-out that owns it; after shutdown nobody cares.
        let _ = self.0.commands.send(command);
    }
}

pub fn spawn(fanout: Weak<Fanout>, pacing: Pacing) -> ShardHandle {
    let (commands, inbox) = mpsc::unbounded_channel();
    let handle = ShardHandle(Arc::new(Shared {
        wake: Notify::new(),
        commands,
        next_id: AtomicU64::new(0),
        tally: Tally::default(),
    }));
    let shard = Shard {
        fanout,
        pacing,
        shared: handle.0.clone(),
        inbox,
        peers: HashMap::new(),
        writable: FuturesUnordered::new(),
    };
    tokio::spawn(shard.run());
    handle
}

struct Shard {
    fanout: Weak<Fanout>,
    pacing: Pacing,
    shared: Arc<Shared>,
    inbox: mpsc::UnboundedReceiver<Command>,
    peers: HashMap<u64, Peer>,
    /// One future per blocked socket, resolving to its id when it is writable again.
    writable: FuturesUnordered<BoxFuture<'static, u64>>,
}

impl Shard {
    async fn run(mut self) {
        let mut checks = interval(Duration::from_secs(1));
        checks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut pings = interval(PING_EVERY);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        pings.reset();
        let shared = self.shared.clone();
        let mut rest_until = Instant::now();
        let done = loop {
            tokio::select! {
                command = self.inbox.recv() => match command {
                    Some(command) => {
                        if let Some(done) = self.handle(command) {
                            break Some(done);
                        }
                    }
                    None => break None,
                },
                _ = shared.wake.notified() => {}
                Some(id) = self.writable.next(), if !self.writable.is_empty() => {
                    if let Some(peer) = self.peers.get_mut(&id) {
                        peer.blocked = false;
                    }
                }
                _ = checks.tick() => self.drop_stuck_peers(),
                _ = pings.tick() => self.ping(),
            }
            // The pacing rule (see `Pacing`): after a long pass, rest before the next.
            if Instant::now() < rest_until {
                tokio::time::sleep_until(rest_until).await;
            }
            // Everything else already waiting joins this pass.
            if let Some(done) = self.handle_waiting() {
                break Some(done);
            }
            let started = Instant::now();
            self.pass().await;
            rest_until = Instant::now() + self.pacing.rest_after(started.elapsed());
        };
        if let Some(done) = done {
            self.shut_down().await;
            let _ = done.send(());
        }
    }

    /// Handles the commands already waiting; the shutdown's reply channel if one was among
    /// them.
    fn handle_waiting(&mut self) -> Option<oneshot::Sender<()>> {
        while let Ok(command) = self.inbox.try_recv() {
            if let Some(done) = self.handle(command) {
                return Some(done);
            }
        }
        None
    }

    /// Carries out one command; a shutdown is not carried out here but handed back.
    fn handle(&mut self, command: Command) -> Option<oneshot::Sender<()>> {
        match command {
            Command::Attach(peer) => {
                self.peers.insert(peer.mailbox.id, peer);
            }
            Command::Dirty(id) => {
                let flooded = self
                    .peers
                    .get_mut(&id)
                    .is_some_and(|peer| !peer.take_mailbox());
                if flooded {
                    self.close(id, End::TooManyReplies);
                }
            }
            Command::Release(id) => {
                if let Some(mut peer) = self.peers.remove(&id) {
                    peer.take_mailbox();
                    let _ = peer.write(&[], &self.shared.tally);
                }
            }
            Command::ShutDown(done) => return Some(done),
        }
        None
    }

    /// Writes every ready socket what it is owed.
    async fn pass(&mut self) {
        let Some(fanout) = self.fanout.upgrade() else {
            return;
        };
        let head = fanout.head();
        let Some(oldest) = self
            .peers
            .values()
            .filter(|peer| peer.ready(head))
            .map(|peer| peer.cursor)
            .min()
        else {
            return;
        };
        // One copy of the reference counts for the whole pass; a socket that fell behind what
        // the ring holds is resynced below.
        let (frames, head) = fanout.since(oldest);
        let base = head - frames.len() as u64;
        let mut resync: Option<(Bytes, u64)> = None;
        let mut failed = Vec::new();
        let mut writes = 0;
        for (id, peer) in self.peers.iter_mut() {
            if !peer.ready(head) {
                continue;
            }
            if peer.cursor < base {
                let (first, cursor) = resync.get_or_insert_with(|| fanout.resync());
                tracing::debug!(socket = id, "socket fell behind; resyncing");
                peer.resync(first, *cursor);
            }
            let events = frames
                .get((peer.cursor.max(base) - base) as usize..)
                .unwrap_or_default();
            match peer.write(events, &self.shared.tally) {
                Written::All => {
                    peer.owing_since = None;
                    // An idle socket keeps no buffer: most sockets are idle most of the time.
                    if peer.queue.capacity() > 4 {
                        peer.queue = VecDeque::new();
                    }
                }
                Written::Blocked => {
                    peer.blocked = true;
                    peer.owing_since.get_or_insert_with(Instant::now);
                    let (stream, id) = (peer.stream.clone(), *id);
                    self.writable.push(Box::pin(async move {
                        let _ = stream.writable().await;
                        id
                    }));
                }
                Written::Failed(problem) => failed.push((*id, End::Failed(problem))),
            }
            writes += 1;
            if writes % WRITES_PER_YIELD == 0 {
                tokio::task::yield_now().await;
            }
        }
        for (id, end) in failed {
            self.close(id, end);
        }
    }

    fn drop_stuck_peers(&mut self) {
        let stuck: Vec<u64> = self
            .peers
            .iter()
            .filter(|(_, peer)| {
                peer.owing_since
                    .is_some_and(|since| since.elapsed() >= SEND_TIMEOUT)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in stuck {
            self.close(id, End::NotReading);
        }
    }

    /// Pings every socket; one that was pinged last time and has sent nothing since is dead.
    fn ping(&mut self) {
        let mut dead = Vec::new();
        for (id, peer) in self.peers.iter_mut() {
            let heard = peer.mailbox.heard.swap(false, Ordering::Relaxed);
            if peer.pinged && !heard {
                dead.push(*id);
            } else {
                peer.pinged = true;
                peer.queue.push_back(frames::ping());
            }
        }
        for id in dead {
            self.close(id, End::NoPong);
        }
    }

    fn close(&mut self, id: u64, end: End) {
        if let Some(peer) = self.peers.remove(&id) {
            peer.shut();
            peer.mailbox.end(end);
        }
    }

    /// Sends every socket a close frame, waits up to [`CLOSE_GRACE`] for them to take it,
    /// then closes them all.
    async fn shut_down(&mut self) {
        let goodbye = frames::going_away();
        for peer in self.peers.values_mut() {
            peer.queue.push_back(goodbye.clone());
        }
        let deadline = Instant::now() + CLOSE_GRACE;
        while Instant::now() < deadline {
            let owing = self
                .peers
                .values_mut()
                .map(|peer| peer.write(&[], &self.shared.tally))
                .filter(|written| matches!(written, Written::Blocked))
                .count();
            if owing == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Each reader ends and lets go of its socket; the process exiting closes whatever is
        // left. Shutting down every socket here first would cost the restart ~30 µs per
        // socket (measured: 0.35 s for 10,000), time in which browsers find no server.
        for (_, peer) in self.peers.drain() {
            peer.mailbox.end(End::ShuttingDown);
        }
    }
}
