//! The reconnect storm: N chat sockets are connected when the server is restarted (SIGTERM,
//! then started again, as a deploy does). Every client reconnects the way the browser does
//! (`app::protocol::reconnect`: 250 ms doubling to 3 s, ±25 % jitter), and the run ends when
//! every one of them has its history again. Reported: the time from SIGTERM until the last one
//! has it, and how many connection attempts failed along the way (refused while the server was
//! down, or cut).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

use app::domain::message::HISTORY_SIZE;
use app::protocol::reconnect::{self, FIRST_RETRY};

use crate::fanout::{connect, CONNECT_PARALLELISM};
use crate::stats::{percentile, Row};
use crate::target::Target;
use crate::Options;

/// How long the storm may take before the run gives up.
const GIVE_UP: Duration = Duration::from_secs(60);

/// What the clients tell the coordinator.
#[derive(Default)]
struct StormCounts {
    /// Clients that have had a history frame since the restart began.
    back: AtomicUsize,
    attempts: AtomicU64,
    failures: AtomicU64,
    /// When each client got its history back, in ms after SIGTERM.
    back_at: std::sync::Mutex<Vec<f64>>,
    changed: Notify,
}

pub async fn run(options: &Options) -> Result<Row, String> {
    let mut target = Target::start(options, None).await?;
    let url = format!("ws://{}/ws/chat", target.addr);
    fill_history(&target.addr).await?;

    let counts = Arc::new(StormCounts::default());
    let restarted_at: Arc<std::sync::OnceLock<Instant>> = Arc::default();
    let connected = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::with_capacity(options.sockets);
    // Connect everyone first, a few hundred handshakes at a time.
    let mut connecting = futures::stream::iter(0..options.sockets)
        .map(|_| connect(&url))
        .buffer_unordered(CONNECT_PARALLELISM);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    while let Some(socket) = connecting.next().await {
        let socket = socket?;
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        clients.push(tokio::spawn(client(
            socket,
            url.clone(),
            seed,
            counts.clone(),
            restarted_at.clone(),
            connected.clone(),
        )));
    }
    while connected.load(Ordering::Acquire) < options.sockets {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let began = Instant::now();
    let _ = restarted_at.set(began);
    target.terminate()?;
    let down = began.elapsed();
    target.launch().await?;
    let up = began.elapsed();
    let everyone = async {
        loop {
            let changed = counts.changed.notified();
            if counts.back.load(Ordering::Acquire) >= options.sockets {
                return;
            }
            changed.await;
        }
    };
    let complete = tokio::time::timeout(GIVE_UP, everyone).await.is_ok();
    let took = began.elapsed();
    for client in clients {
        client.abort();
    }
    let mut back_at = counts.back_at.lock().unwrap().clone();
    back_at.sort_by(f64::total_cmp);

    let mut row = Row::default();
    row.push("sockets", options.sockets as f64, "");
    row.push("back", counts.back.load(Ordering::Acquire) as f64, "");
    row.push(
        "all_back_after",
        if complete {
            took.as_secs_f64()
        } else {
            f64::NAN
        },
        "s",
    );
    row.push(
        "median_back_after",
        percentile(&back_at, 50.0) / 1000.0,
        "s",
    );
    row.push("old_server_gone_after", down.as_secs_f64(), "s");
    row.push("new_server_up_after", up.as_secs_f64(), "s");
    row.push(
        "failed_connects",
        counts.failures.load(Ordering::Acquire) as f64,
        "",
    );
    row.push(
        "connect_attempts",
        counts.attempts.load(Ordering::Acquire) as f64,
        "",
    );
    Ok(row)
}

/// One browser: reads its socket; when the socket ends, waits as the browser does and
/// reconnects, until it has its history back after the restart.
async fn client(
    mut socket: crate::fanout::Socket,
    url: String,
    mut seed: u64,
    counts: Arc<StormCounts>,
    restarted_at: Arc<std::sync::OnceLock<Instant>>,
    connected: Arc<AtomicUsize>,
) {
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut first = true;
    let mut retry = FIRST_RETRY;
    loop {
        // Read until the socket ends; the first frame of a connection is its history.
        let mut history_seen = false;
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(_) = message {
                retry = FIRST_RETRY;
                if !history_seen {
                    history_seen = true;
                    if first {
                        first = false;
                        connected.fetch_add(1, Ordering::Release);
                    } else if let Some(began) = restarted_at.get() {
                        counts
                            .back_at
                            .lock()
                            .unwrap()
                            .push(began.elapsed().as_secs_f64() * 1000.0);
                        counts.back.fetch_add(1, Ordering::AcqRel);
                        counts.changed.notify_waiters();
                        // This client is done: keep the socket open, as a browser would.
                        while socket.next().await.is_some() {}
                        return;
                    }
                }
            }
        }
        // Dead: wait and reconnect until it works.
        loop {
            tokio::time::sleep(reconnect::jittered(retry, random())).await;
            retry = reconnect::next(retry);
            counts.attempts.fetch_add(1, Ordering::Relaxed);
            match connect(&url).await {
                Ok(next) => {
                    socket = next;
                    break;
                }
                Err(_) => {
                    counts.failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Posts [`HISTORY_SIZE`] messages so every history frame the clients get is a full one.
async fn fill_history(addr: &str) -> Result<(), String> {
    let mut socket = connect(&format!("ws://{addr}/ws/chat")).await?;
    socket.next().await;
    for n in 0..HISTORY_SIZE {
        let text = format!(
            r#"{{"type":"send","email":"tormenta@example.com","text":"mensaje {n} de la tormenta, con algo de texto para que pese"}}"#
        );
        futures::SinkExt::send(&mut socket, Message::Text(text.into()))
            .await
            .map_err(|e| e.to_string())?;
        socket.next().await;
    }
    Ok(())
}
