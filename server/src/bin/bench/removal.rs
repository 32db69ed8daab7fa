//! A moderator's removal at scale: with `--stored-messages` in the store (default 1,000,000)
//! and 100 chat sockets open, messages spread over the whole chat are removed one at a time
//! over HTTP:
//! - `delete_ms`: the `DELETE /api/messages/{id}` answer (the store's write, committed), p50;
//! - `reach_p50`/`reach_p99`: from sending the request to each socket reading the
//!   `message_removed` frame;
//! - then one author's [`PURGED`] newest messages are purged with a ban (`"purge": true`):
//!   `purge_ms`, the ban's answer (every message gone, committed), `purge_heard_ms` until every
//!   socket read the last removal it is told of, `chat_p99_during` the delivery latency of
//!   another client's messages (one every 10 ms, for 1.5 s around the purge) to a socket of its
//!   own, p99, and the server's `rss_mb` after it.

use std::time::Instant;

use http_body_util::{Empty, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};

use crate::client::{call, connect, exchange, next_text, post_created};
use crate::database::Cluster;
use crate::growth;
use crate::stats::{percentile, Row};
use crate::Options;

/// Chat sockets listening.
const LISTENERS: usize = 100;
/// Removals measured.
const REMOVALS: u64 = 20;
/// Messages of the author whose ban purges them.
const PURGED: usize = 10_000;

pub async fn run(options: &Options, cluster: Option<&Cluster>) -> Result<Row, String> {
    let messages = options.stored_messages;
    if messages < REMOVALS {
        return Err(format!("removal needs at least {REMOVALS} stored messages"));
    }
    let (target, _) = growth::filled(10, messages, options, cluster).await?;
    let addr = target.addr.clone();
    let mut listeners = Vec::with_capacity(LISTENERS);
    for _ in 0..LISTENERS {
        let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/chat"))
            .await
            .map_err(|e| e.to_string())?;
        next_text(&mut socket).await?; // the history
        listeners.push(socket);
    }
    let mut http = connect::<Empty<Bytes>>(&addr).await?;
    let (mut answers, mut reaches) = (Vec::new(), Vec::new());
    for n in 0..REMOVALS {
        // Spread over the chat: most of them long out of every window.
        let id = n * (messages / REMOVALS) + 1;
        let request = Request::delete(app::paths::message(id))
            .header("host", &addr)
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let sent = Instant::now();
        let (status, _, ms) = exchange(&mut http, request).await?;
        if status.as_u16() != 200 {
            return Err(format!("DELETE message {id} answered {status}"));
        }
        answers.push(ms);
        let wanted = format!(r#"{{"type":"message_removed","id":{id}}}"#);
        for socket in &mut listeners {
            loop {
                if next_text(socket).await? == wanted {
                    reaches.push(sent.elapsed().as_secs_f64() * 1000.0);
                    break;
                }
            }
        }
    }
    answers.sort_by(f64::total_cmp);
    reaches.sort_by(f64::total_cmp);
    let mut row = Row::default();
    row.push("messages", messages as f64, "");
    row.push("delete_ms", percentile(&answers, 50.0), "ms");
    row.push("reach_p50", percentile(&reaches, 50.0), "ms");
    row.push("reach_p99", percentile(&reaches, 99.0), "ms");

    // One author's newest messages, then a ban that purges them.
    let mut poster = connect::<Full<Bytes>>(&addr).await?;
    for n in 0..PURGED {
        let body = format!(r#"{{"email":"{SPAMMER}","text":"oferta {n}"}}"#);
        post_created(&mut poster, &addr, app::paths::MESSAGES_API, body, None).await?;
    }
    // Every socket has read them (so what it reads next is the purge).
    for socket in &mut listeners {
        let mut seen = 0;
        while seen < PURGED {
            if next_text(socket).await?.contains(SPAMMER) {
                seen += 1;
            }
        }
    }
    // While the purge runs, another client chats; a socket of its own times each message.
    let probes = tokio::spawn(probe_during(addr.clone()));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let sent = Instant::now();
    let ban = format!(r#"{{"email":"{SPAMMER}","purge":true}}"#);
    let (body, purge_ms) = call(
        &mut poster,
        &addr,
        Method::POST,
        app::paths::CHAT_BANS,
        ban,
        201,
    )
    .await?;
    let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if answer["purged"].as_u64() != Some(PURGED as u64) {
        return Err(format!("the ban purged {}", answer["purged"]));
    }
    // The last removal a socket is told of is the newest message's.
    let newest = format!(r#""id":{}}}"#, messages + PURGED as u64);
    for socket in &mut listeners {
        while !next_text(socket).await?.contains(&newest) {}
    }
    let heard_ms = sent.elapsed().as_secs_f64() * 1000.0;
    let mut delivered = probes.await.map_err(|e| e.to_string())??;
    delivered.sort_by(f64::total_cmp);
    row.push("purged", PURGED as f64, "");
    row.push("purge_ms", purge_ms, "ms");
    row.push("purge_heard_ms", heard_ms, "ms");
    row.push("chat_p99_during", percentile(&delivered, 99.0), "ms");
    if let Some(rss) = target.rss_kib() {
        row.push("rss_mb", rss / 1024.0, "MB");
    }
    Ok(row)
}

/// Posts a message every 10 ms for [`PROBE_FOR`] and times each one until a chat socket of its
/// own reads it: the chat's delivery latencies in ms while the purge runs.
async fn probe_during(addr: String) -> Result<Vec<f64>, String> {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/chat"))
        .await
        .map_err(|e| e.to_string())?;
    next_text(&mut socket).await?; // the history
    let mut poster = connect::<Full<Bytes>>(&addr).await?;
    let began = Instant::now();
    let mut latencies = Vec::new();
    let mut n = 0;
    while began.elapsed() < PROBE_FOR {
        let text = format!("sonda {n}");
        let sent = Instant::now();
        let body = format!(r#"{{"email":"sonda@bench.example","text":"{text}"}}"#);
        post_created(&mut poster, &addr, app::paths::MESSAGES_API, body, None).await?;
        while !next_text(&mut socket)
            .await?
            .contains(&format!("\"{text}\""))
        {}
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        n += 1;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    Ok(latencies)
}

/// How long the chat is probed around the purge.
const PROBE_FOR: std::time::Duration = std::time::Duration::from_millis(1500);

/// The author whose messages the ban purges.
const SPAMMER: &str = "oferta@bench.example";
