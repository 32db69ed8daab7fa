//! Socket fan-out: N clients listen on a channel (`/ws/chat` or `/ws/products`) while one more
//! client makes M changes at R per second. Each change carries a sequence number, so every
//! listener can time it from the instant it was sent until the instant it arrived.
//!
//! With several instances (`--store postgres --instances 2`) the listeners are spread over all
//! of them and the sender talks to the first: the latency then includes the trip through the
//! database's change log to the other instances. CPU and memory are the sum over instances.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::database::Cluster;
use crate::stats::{percentile, Row};
use crate::target::Target;
use crate::Options;

/// How to make change number `seq` and how to recognise it in a server frame.
struct Channel {
    path: &'static str,
    request: fn(u64) -> String,
    /// The marker that precedes the sequence number in the broadcast frame.
    marker: &'static str,
}

const CHAT: Channel = Channel {
    path: "/ws/chat",
    request: |seq| format!(r#"{{"type":"send","email":"bench@example.com","text":"bench {seq}"}}"#),
    marker: r#""text":"bench "#,
};

const PRODUCTS: Channel = Channel {
    path: "/ws/products",
    request: |seq| format!(r#"{{"type":"update","id":1,"changes":{{"stock":{seq}}}}}"#),
    marker: r#""stock":"#,
};

/// Clients whose handshakes are in flight at once.
pub const CONNECT_PARALLELISM: usize = 256;
/// How long to wait for stragglers after the last change was sent.
const GRACE: Duration = Duration::from_secs(15);

pub async fn run(kind: &str, options: &Options, cluster: Option<&Cluster>) -> Result<Row, String> {
    let channel = if kind == "chat" { &CHAT } else { &PRODUCTS };
    let targets = Target::start_all(options, cluster).await?;
    let urls: Vec<String> = targets
        .iter()
        .map(|target| format!("ws://{}{}", target.addr, channel.path))
        .collect();
    let url = &urls[0];
    let messages = options.messages as u64;

    // The servers' resident memory with no socket, after one has come and gone.
    for url in &urls {
        drop(connect(url).await?);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = sum(&targets, Target::rss_kib);

    let start = Instant::now();
    let sent_at: Arc<Vec<AtomicU64>> = Arc::new((0..messages).map(|_| AtomicU64::new(0)).collect());
    let received = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = watch::channel(false);

    // Connect every listener; each waits for its first frame before counting as connected.
    let connecting = Instant::now();
    let mut connect_times = Vec::with_capacity(options.sockets);
    let mut listeners = Vec::with_capacity(options.sockets);
    let mut pending = futures::stream::iter(0..options.sockets)
        .map(|n| {
            let url = urls[n % urls.len()].clone();
            async move {
                let began = Instant::now();
                let mut socket = connect(&url).await?;
                socket
                    .next()
                    .await
                    .ok_or("closed before its first frame")?
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>((socket, began.elapsed()))
            }
        })
        .buffer_unordered(CONNECT_PARALLELISM);
    while let Some(connected) = pending.next().await {
        let (socket, took) = connected?;
        connect_times.push(took.as_secs_f64() * 1000.0);
        listeners.push(tokio::spawn(listen(
            socket,
            channel.marker,
            start,
            sent_at.clone(),
            received.clone(),
            messages,
            stopped.clone(),
        )));
    }
    let connect_seconds = connecting.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = sum(&targets, Target::rss_kib);

    // One more client makes the changes at the given rate, on the first instance.
    let mut sender = connect(url).await?;
    sender.next().await;
    let (mut writer, mut reader) = sender.split();
    tokio::spawn(async move { while reader.next().await.is_some() {} });
    let cpu_before = sum(&targets, Target::cpu_seconds);
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / options.rate));
    for seq in 0..messages {
        ticks.tick().await;
        sent_at[seq as usize].store(start.elapsed().as_nanos() as u64, Ordering::Release);
        writer
            .send(Message::Text((channel.request)(seq).into()))
            .await
            .map_err(|e| e.to_string())?;
    }
    let expected = messages * options.sockets as u64;
    let deadline = Instant::now() + GRACE;
    while received.load(Ordering::Acquire) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cpu_after = sum(&targets, Target::cpu_seconds);
    let _ = stop.send(true);

    let mut latencies = Vec::with_capacity(expected as usize);
    for listener in listeners {
        latencies.extend(listener.await.map_err(|e| e.to_string())?);
    }
    latencies.sort_by(f64::total_cmp);
    connect_times.sort_by(f64::total_cmp);
    let delivered = latencies.len() as f64;

    let mut row = Row::default();
    row.push("sockets", options.sockets as f64, "");
    row.push("connect_all", connect_seconds, "s");
    row.push("connect_p99", percentile(&connect_times, 99.0), "ms");
    row.push("delivered", 100.0 * delivered / expected as f64, "%");
    row.push("p50", percentile(&latencies, 50.0), "ms");
    row.push("p99", percentile(&latencies, 99.0), "ms");
    row.push("max", latencies.last().copied().unwrap_or(f64::NAN), "ms");
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        row.push(
            "cpu_per_delivery",
            (after - before) * 1e6 / delivered.max(1.0),
            "us",
        );
    }
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        row.push(
            "rss_per_socket",
            (after - before) / options.sockets as f64,
            "KiB",
        );
    }
    Ok(row)
}

/// A figure summed over every instance; `None` if one cannot be read.
fn sum(targets: &[Target], figure: fn(&Target) -> Option<f64>) -> Option<f64> {
    targets.iter().map(figure).sum()
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(url: &str) -> Result<Socket, String> {
    // Small client buffers: ten thousand of these share the machine with the server.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
        .await
        .map_err(|e| format!("connect {url}: {e}"))?;
    Ok(socket)
}

/// Reads frames until every change arrived (or told to stop); returns each one's latency in ms.
async fn listen(
    mut socket: Socket,
    marker: &'static str,
    start: Instant,
    sent_at: Arc<Vec<AtomicU64>>,
    received: Arc<AtomicU64>,
    expected: u64,
    mut stop: watch::Receiver<bool>,
) -> Vec<f64> {
    let mut latencies = Vec::with_capacity(expected as usize);
    while (latencies.len() as u64) < expected {
        let frame = tokio::select! {
            frame = socket.next() => frame,
            _ = stop.changed() => break,
        };
        let Some(Ok(Message::Text(text))) = frame else {
            if frame.is_none() {
                break;
            }
            continue;
        };
        let Some(seq) = sequence(&text, marker) else {
            continue;
        };
        let Some(sent) = sent_at.get(seq as usize) else {
            continue;
        };
        let arrived = start.elapsed().as_nanos() as u64;
        let sent = sent.load(Ordering::Acquire);
        latencies.push(arrived.saturating_sub(sent) as f64 / 1e6);
        received.fetch_add(1, Ordering::Release);
    }
    latencies
}

/// The number right after `marker` in a frame, without parsing the JSON.
fn sequence(text: &str, marker: &str) -> Option<u64> {
    let from = text.find(marker)? + marker.len();
    let digits = text[from..].bytes().take_while(u8::is_ascii_digit).count();
    text[from..from + digits].parse().ok()
}
