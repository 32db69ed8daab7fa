//! A writer shard: one task that owns the write side of many sockets and writes what each is
//! owed, so that an event costs one wake-up per shard instead of one per socket.
//!
//! Each pass walks the shard's sockets that can take data and writes to each, with one
//! vectored, non-blocking send, what it is still owed (replies, its first frame, a ping)
//! followed by the ring's events from its cursor on (see [`Peer`]).
//! A socket whose kernel buffer is full is set aside until it is writable again; if it stays
//! so for [`SEND_TIMEOUT`] it is dropped. Passes yield to the runtime every few writes, so a
//! long pass never starves accepts, readers or HTTP.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{interval, Instant, MissedTickBehavior};

use super::feed::Feed;
use super::frames;
use super::link::{Command, End, Inbox, ShardHandle};
use super::pacing::Pacing;
use super::peer::{Peer, Written};

/// How long a socket may take nothing before it is dropped as not reading.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings; a peer silent for a whole period after a ping is dead.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Writes between two yields to the runtime during a pass.
const WRITES_PER_YIELD: usize = 64;
/// How long sockets get at shutdown to take their close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Starts a shard writing what `feed` publishes; the handle is how it is reached.
pub fn spawn(feed: Arc<dyn Feed>, pacing: Pacing) -> ShardHandle {
    let Inbox { commands, handle } = Inbox::new();
    let shard = Shard {
        feed,
        pacing,
        handle: handle.clone(),
        inbox: commands,
        peers: HashMap::new(),
        writable: FuturesUnordered::new(),
    };
    tokio::spawn(shard.run());
    handle
}

struct Shard {
    feed: Arc<dyn Feed>,
    pacing: Pacing,
    /// Its own handle: the wake-ups, and the counters it keeps.
    handle: ShardHandle,
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
        let handle = self.handle.clone();
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
                _ = handle.woken() => {}
                Some(id) = self.writable.next(), if !self.writable.is_empty() => {
                    if let Some(peer) = self.peers.get_mut(&id) {
                        peer.unblock();
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
            Command::Attach(arrival) => {
                let peer = Peer::new(arrival);
                self.peers.insert(peer.id(), peer);
                self.count_open();
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
                    let _ = peer.write(&[], self.handle.counters());
                }
                self.count_open();
            }
            Command::ShutDown(done) => return Some(done),
        }
        None
    }

    /// Writes every ready socket what it is owed.
    async fn pass(&mut self) {
        let feed = &self.feed;
        let head = feed.head();
        let Some(oldest) = self
            .peers
            .values()
            .filter(|peer| peer.ready(head))
            .map(Peer::cursor)
            .min()
        else {
            return;
        };
        // One copy of the reference counts for the whole pass; a socket that fell behind what
        // the ring holds is resynced below.
        let (frames, head) = feed.since(oldest);
        let base = head - frames.len() as u64;
        // Fresh first frames made in this pass, one per extent asked (most sockets ask the same).
        let mut resyncs: Vec<(Option<u32>, (Bytes, u64))> = Vec::new();
        let mut failed = Vec::new();
        let mut writes = 0;
        for (id, peer) in self.peers.iter_mut() {
            if !peer.ready(head) {
                continue;
            }
            if peer.cursor() < base {
                let limit = peer.limit();
                let at = match resyncs.iter().position(|(made, _)| *made == limit) {
                    Some(at) => at,
                    None => {
                        resyncs.push((limit, feed.resync(limit)));
                        resyncs.len() - 1
                    }
                };
                let (first, cursor) = &resyncs[at].1;
                tracing::debug!(socket = id, "socket fell behind; resyncing");
                self.handle
                    .counters()
                    .resyncs
                    .fetch_add(1, Ordering::Relaxed);
                peer.resync(first, *cursor);
            }
            let events = frames
                .get((peer.cursor().max(base) - base) as usize..)
                .unwrap_or_default();
            match peer.flush(events, self.handle.counters()) {
                Written::All => {}
                Written::Blocked => self.writable.push(peer.writable()),
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
            .filter(|(_, peer)| peer.stuck_for(SEND_TIMEOUT))
            .map(|(id, _)| *id)
            .collect();
        for id in stuck {
            self.handle
                .counters()
                .dropped
                .fetch_add(1, Ordering::Relaxed);
            self.close(id, End::NotReading);
        }
    }

    /// Publishes how many sockets the shard holds (for the metrics).
    fn count_open(&self) {
        let open = self.peers.len() as u64;
        self.handle.counters().open.store(open, Ordering::Relaxed);
    }

    /// Pings every socket; one that was pinged last time and has sent nothing since is dead.
    fn ping(&mut self) {
        let ping = frames::ping();
        let dead: Vec<u64> = self
            .peers
            .iter_mut()
            .filter_map(|(id, peer)| (!peer.ping(&ping)).then_some(*id))
            .collect();
        for id in dead {
            self.close(id, End::NoPong);
        }
    }

    fn close(&mut self, id: u64, end: End) {
        if let Some(peer) = self.peers.remove(&id) {
            peer.close(end);
        }
        self.count_open();
    }

    /// Sends every socket a close frame, waits up to [`CLOSE_GRACE`] for them to take it,
    /// then closes them all.
    async fn shut_down(&mut self) {
        let goodbye = frames::going_away();
        for peer in self.peers.values_mut() {
            peer.queue(goodbye.clone());
        }
        let deadline = Instant::now() + CLOSE_GRACE;
        while Instant::now() < deadline {
            let owing = self
                .peers
                .values_mut()
                .map(|peer| peer.write(&[], self.handle.counters()))
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
            peer.let_go(End::ShuttingDown);
        }
        self.count_open();
    }
}
