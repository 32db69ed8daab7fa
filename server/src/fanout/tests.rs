//! The fan-out with real loopback sockets: what it writes, when, and in how many system calls.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tungstenite::Utf8Bytes;

use super::{encode_text, Feed, Mailbox, Pacing, Ring, Writers};

const EAGER: Pacing = Pacing { rest_ratio: 0.0 };

/// The test's stand-in for a view: a ring of events, and "resync" for a snapshot.
struct Events {
    ring: Mutex<Ring>,
}

impl Feed for Events {
    fn head(&self) -> u64 {
        self.ring.lock().unwrap().head()
    }

    fn since(&self, cursor: u64) -> (Vec<Bytes>, u64) {
        let ring = self.ring.lock().unwrap();
        ring.since(cursor).unwrap_or_else(|| ring.held())
    }

    fn resync(&self, limit: Option<u32>) -> (Bytes, u64) {
        let frame = match limit {
            None => "resync".to_string(),
            Some(n) => format!("resync {n}"),
        };
        (encode_text(&Utf8Bytes::from(frame)), self.head())
    }
}

/// A channel as a view makes one: its events, handed to its writers at their start.
struct Fanout {
    events: Arc<Events>,
    writers: Writers,
}

impl Fanout {
    fn publish(&self, frame: &Utf8Bytes) {
        self.events.ring.lock().unwrap().push(encode_text(frame));
        self.writers.wake();
    }

    fn written(&self) -> (u64, u64) {
        let counts = self.writers.counts();
        (counts.frames, counts.writes)
    }
}

fn fanout(pacing: Pacing) -> Fanout {
    let events = Arc::new(Events {
        ring: Mutex::new(Ring::new()),
    });
    let writers = Writers::spawn(events.clone(), pacing);
    Fanout { events, writers }
}

/// A connected pair: the server's end attached to `fanout` (first frame "first"), and the
/// client's end, optionally with a tiny receive buffer.
async fn attached(fanout: &Fanout, small_buffer: bool) -> (Client, Arc<Mailbox>) {
    attached_with_limit(fanout, small_buffer, None).await
}

/// The same, for a socket whose first frame holds only `limit` items.
async fn attached_with_limit(
    fanout: &Fanout,
    small_buffer: bool,
    limit: Option<u32>,
) -> (Client, Arc<Mailbox>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if small_buffer {
        socket.set_recv_buffer_size(4096).unwrap();
    }
    let client = socket
        .connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let first = encode_text(&Utf8Bytes::from_static("first"));
    let mailbox = fanout
        .writers
        .attach(Arc::new(server), first, fanout.events.head(), limit);
    let client = Client {
        stream: client,
        buffer: Vec::new(),
    };
    (client, mailbox)
}

/// The client's end, reading whole unmasked text frames.
struct Client {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Client {
    /// Reads until at least `count` frames arrived; their payloads (all that arrived).
    async fn frames(&mut self, count: usize) -> Vec<String> {
        let mut payloads = Vec::new();
        loop {
            while let Some((payload, used)) = parse(&self.buffer) {
                payloads.push(payload);
                self.buffer.drain(..used);
            }
            if payloads.len() >= count {
                return payloads;
            }
            let mut chunk = [0u8; 65536];
            let read = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut chunk))
                .await
                .expect("frames within 10 s")
                .unwrap();
            assert!(read > 0, "the server closed the socket");
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }
}

/// One text frame from the start of `bytes`: its payload and its length on the wire.
fn parse(bytes: &[u8]) -> Option<(String, usize)> {
    if bytes.len() < 2 {
        return None;
    }
    assert_eq!(bytes[0], 0x81, "a final text frame");
    let (length, header) = match bytes[1] {
        126 => (
            u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        short => (short as usize, 2),
    };
    let payload = bytes.get(header..header + length)?;
    Some((
        String::from_utf8(payload.to_vec()).unwrap(),
        header + length,
    ))
}

fn text(value: impl ToString) -> Utf8Bytes {
    Utf8Bytes::from(value.to_string())
}

#[tokio::test]
async fn an_idle_fan_out_writes_each_event_at_once_in_its_own_write() {
    let fanout = fanout(Pacing { rest_ratio: 1.0 });
    let (mut client, _mailbox) = attached(&fanout, false).await;
    assert_eq!(client.frames(1).await, ["first"]);
    for n in 0..5 {
        let sent = tokio::time::Instant::now();
        fanout.publish(&text(n));
        assert_eq!(client.frames(1).await, [n.to_string()]);
        assert!(
            sent.elapsed() < Duration::from_millis(50),
            "no added delay: {:?}",
            sent.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (frames, writes) = fanout.written();
    assert_eq!(
        (frames, writes),
        (6, 6),
        "one frame per write when nothing piles up"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn events_that_pile_up_go_out_together_in_order() {
    let fanout = fanout(EAGER);
    let (mut client, _mailbox) = attached(&fanout, false).await;
    assert_eq!(client.frames(1).await, ["first"]);
    // Published with no await in between: the writer (on this same thread) cannot run
    // before all of them are in, as under a load that keeps it busy.
    for n in 0..100 {
        fanout.publish(&text(n));
    }
    let expected: Vec<String> = (0..100).map(|n| n.to_string()).collect();
    assert_eq!(client.frames(100).await, expected, "in order");
    let (frames, writes) = fanout.written();
    assert_eq!(frames, 101);
    assert!(writes <= 3, "coalesced: {frames} frames in {writes} writes");
}

#[tokio::test]
async fn replies_go_to_their_socket_alone_among_the_events() {
    let fanout = fanout(EAGER);
    let (mut asking, mailbox) = attached(&fanout, false).await;
    let (mut other, _) = attached(&fanout, false).await;
    fanout.publish(&text("event 1"));
    mailbox.send(encode_text(&text("reply")));
    fanout.publish(&text("event 2"));
    let mut got = asking.frames(4).await;
    got.sort();
    assert_eq!(got, ["event 1", "event 2", "first", "reply"]);
    assert_eq!(other.frames(3).await, ["first", "event 1", "event 2"]);
}

#[tokio::test]
async fn a_socket_that_fell_behind_the_ring_is_resynced_then_follows_again() {
    let fanout = fanout(EAGER);
    let (mut stalled, _mailbox) = attached(&fanout, true).await;
    // Big events, more than the ring keeps, and more than the kernel's buffers (up to 4 MB)
    // take for a socket that does not read.
    let filler = "x".repeat(30_000);
    for n in 0..super::ring::CAPACITY + 300 {
        fanout.publish(&text(format!("{n:05} {filler}")));
        if n % 64 == 0 {
            tokio::task::yield_now().await;
        }
    }
    // Now it reads: the events it had taken before stalling, then a resync (which stands for
    // everything it missed), then it follows the events again.
    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("resync") {
        seen.extend(stalled.frames(1).await);
    }
    let numbers: Vec<usize> = seen[1..seen.len() - 1]
        .iter()
        .map(|f| f[..5].parse().unwrap())
        .collect();
    assert!(
        !numbers.is_empty(),
        "it had taken some events before stalling"
    );
    assert!(
        numbers.windows(2).all(|w| w[1] == w[0] + 1),
        "in order, without gaps"
    );
    assert!(
        numbers.len() < 300,
        "the resync replaced what it missed: {} events before it",
        numbers.len()
    );
    fanout.publish(&text("after"));
    assert_eq!(stalled.frames(1).await, ["after"]);
}

#[tokio::test(start_paused = true)]
async fn a_socket_that_takes_nothing_for_the_send_timeout_is_dropped() {
    let fanout = fanout(EAGER);
    let (_stalled, mailbox) = attached(&fanout, true).await;
    let (mut reading, _) = attached(&fanout, false).await;
    let filler = "y".repeat(60_000);
    for n in 0..200 {
        fanout.publish(&text(format!("{n} {filler}")));
        tokio::task::yield_now().await;
    }
    // The reading socket is served throughout.
    assert_eq!(reading.frames(201).await.len(), 201);
    let ended = tokio::time::timeout(
        super::shard::SEND_TIMEOUT + Duration::from_secs(3),
        mailbox.closed_by_server(),
    )
    .await
    .expect("dropped within the send timeout and a check");
    assert!(matches!(ended, super::End::NotReading), "{ended:?}");
}

#[test]
fn encoded_frames_are_shared_not_copied() {
    let frame = encode_text(&text("hola"));
    let copy: Bytes = frame.clone();
    assert_eq!(frame.as_ptr(), copy.as_ptr());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_load_a_paced_writer_rests_and_sends_what_piled_up_together() {
    // Passes over this many sockets take milliseconds: long enough for the rest after them
    // (twenty times as long) to span the next events.
    const SOCKETS: usize = 200;
    let fanout = fanout(Pacing { rest_ratio: 20.0 });
    let mut clients = Vec::new();
    for _ in 0..SOCKETS {
        clients.push(attached(&fanout, false).await.0);
    }
    for client in &mut clients {
        assert_eq!(client.frames(1).await, ["first"]);
    }
    let (_, writes_before) = fanout.written();
    for n in 0..11 {
        fanout.publish(&text(n));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let expected: Vec<String> = (0..11).map(|n| n.to_string()).collect();
    for client in &mut clients {
        assert_eq!(client.frames(11).await, expected, "every event, in order");
    }
    let (_, writes_after) = fanout.written();
    let per_socket = (writes_after - writes_before) as f64 / SOCKETS as f64;
    assert!(
        per_socket <= 3.0,
        "11 events in {per_socket:.1} writes per socket: the first at once, the rest together"
    );
}

#[test]
fn the_rest_after_a_pass_is_proportional_to_it() {
    let pacing = Pacing { rest_ratio: 0.5 };
    assert_eq!(
        pacing.rest_after(Duration::from_millis(40)),
        Duration::from_millis(20)
    );
    assert_eq!(
        pacing.rest_after(Duration::ZERO),
        Duration::ZERO,
        "nothing when idle"
    );
    let eager = Pacing { rest_ratio: 0.0 };
    assert_eq!(eager.rest_after(Duration::from_secs(1)), Duration::ZERO);
}

#[tokio::test]
async fn a_state_replaced_as_a_whole_gives_each_socket_a_first_frame_of_its_own_extent() {
    let fanout = fanout(EAGER);
    let (mut all, _a) = attached_with_limit(&fanout, false, None).await;
    let (mut sixty, _b) = attached_with_limit(&fanout, false, Some(60)).await;
    fanout.publish(&text("before"));
    assert_eq!(all.frames(2).await, ["first", "before"]);
    assert_eq!(sixty.frames(2).await, ["first", "before"]);
    fanout.events.ring.lock().unwrap().cut();
    fanout.writers.wake();
    assert_eq!(all.frames(1).await, ["resync"]);
    assert_eq!(sixty.frames(1).await, ["resync 60"]);
    fanout.publish(&text("after"));
    assert_eq!(all.frames(1).await, ["after"]);
    assert_eq!(sixty.frames(1).await, ["after"]);
}
