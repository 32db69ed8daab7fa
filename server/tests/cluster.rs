//! Several instances on one PostgreSQL database: real server processes, a real cluster
//! (`TEST_DATABASE_URL`, started by `scripts/test.sh`; the tests that stop or restart the
//! database start private clusters of their own).

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::pg::{self, PgCluster};
use support::{acknowledged, by_id, product, Socket, TestServer};

/// Two instances sharing a fresh database on the run's cluster.
async fn two_instances() -> (TestServer, TestServer) {
    let url = pg::fresh_database(&pg::shared_cluster_url()).await;
    let a = TestServer::start_on(Some(url), &[]).await;
    let b = a.sibling().await;
    (a, b)
}

/// A socket past its first frame (snapshot or history), which is returned too.
async fn joined(server: &TestServer, path: &str) -> (Socket, Value) {
    let mut socket = server.socket(path).await;
    let first = socket.next_json().await;
    (socket, first)
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_u64().expect("an id"))
        .collect()
}

/// Reads `count` events, each reduced by `key` (the id, say).
async fn collect(socket: &mut Socket, count: usize, key: fn(&Value) -> String) -> Vec<String> {
    let mut seen = Vec::with_capacity(count);
    while seen.len() < count {
        seen.push(key(&socket.next_json().await));
    }
    seen
}

fn product_event(frame: &Value) -> String {
    match frame["type"].as_str() {
        Some("removed") => format!("removed {}", frame["id"]),
        Some(kind) => format!("{kind} {}", frame["product"]["id"]),
        None => panic!("not an event: {frame}"),
    }
}

fn chat_event(frame: &Value) -> String {
    assert_eq!(frame["type"], "message", "{frame}");
    frame["message"]["id"].to_string()
}

#[tokio::test]
async fn changes_through_either_instance_reach_the_sockets_of_both() {
    let (a, b) = two_instances().await;
    let (mut on_a, _) = joined(&a, "/ws/products").await;
    let (mut on_b, _) = joined(&b, "/ws/products").await;
    let (mut chat_a, _) = joined(&a, "/ws/chat").await;
    let (mut chat_b, _) = joined(&b, "/ws/chat").await;

    // HTTP on A.
    let first = a.create(&product(1)).await;
    let added = json!({"type": "added", "product": first});
    assert_eq!(on_b.next_json().await, added);
    assert_eq!(on_a.next_json().await, added);
    // A socket on B.
    on_b.send_json(json!({"type": "add", "ref": "b1", "product": product(2)}))
        .await;
    let second = on_a.next_json().await;
    assert_eq!(second["type"], "added");
    assert_eq!(second["product"]["code"], "P-0002");
    assert_eq!(on_b.next_json().await, second);
    // Update through B's HTTP, removal through A's socket.
    let (status, updated) = b.send("PUT", "/api/products/1", r#"{"stock": 0}"#).await;
    assert_eq!(status, 200);
    let expected = json!({"type": "updated", "product": updated});
    assert_eq!(on_a.next_json().await, expected);
    assert_eq!(on_b.next_json().await, expected);
    on_a.send_json(json!({"type": "remove", "id": 2})).await;
    assert_eq!(on_b.next_json().await, json!({"type": "removed", "id": 2}));
    assert_eq!(on_a.next_json().await, json!({"type": "removed", "id": 2}));

    // Every instance reads and renders the same catalog.
    assert_eq!(a.get("/api/products").await.1, json!([updated]));
    assert_eq!(b.get("/api/products").await.1, json!([updated]));
    let home = b.page("/").await;
    assert!(
        home.contains("Producto 1") && !home.contains("Producto 2"),
        "{home}"
    );

    // The chat, both ways.
    let (status, said) = a
        .post_json(
            "/api/messages",
            &json!({"email": "ana@example.com", "text": "hola"}),
        )
        .await;
    assert_eq!(status, 201);
    let expected = json!({"type": "message", "message": said});
    assert_eq!(chat_b.next_json().await, expected);
    assert_eq!(chat_a.next_json().await, expected);
    chat_b
        .send_json(json!({"type": "send", "email": "beto@example.com", "text": "chau"}))
        .await;
    let reply = chat_a.next_json().await;
    assert_eq!(reply["message"]["text"], "chau");
    assert_eq!(reply["message"]["id"], 2);
    assert_eq!(chat_b.next_json().await, reply);
    assert_eq!(ids(&b.get("/api/messages").await.1), [1, 2]);
}

#[tokio::test]
async fn concurrent_writes_on_both_instances_arrive_in_one_order_on_every_socket() {
    let (a, b) = two_instances().await;
    let mut product_sockets = Vec::new();
    let mut chat_sockets = Vec::new();
    for server in [&a, &b, &a, &b] {
        product_sockets.push(joined(server, "/ws/products").await.0);
        chat_sockets.push(joined(server, "/ws/chat").await.0);
    }
    const WRITERS: usize = 3;
    const EACH: usize = 15;
    let mut writers = Vec::new();
    for (w, server) in [&a, &b]
        .iter()
        .flat_map(|s| std::iter::repeat_n(*s, WRITERS))
        .enumerate()
    {
        let (http, products, messages) = (
            server.http.clone(),
            server.url("/api/products"),
            server.url("/api/messages"),
        );
        writers.push(tokio::spawn(async move {
            for n in 0..EACH {
                let created = http
                    .post(&products)
                    .json(&product(w * 100 + n))
                    .send()
                    .await;
                assert_eq!(created.unwrap().status(), 201);
                let body = json!({"email": "ana@example.com", "text": format!("w{w} n{n}")});
                let said = http.post(&messages).json(&body).send().await;
                assert_eq!(said.unwrap().status(), 201);
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let total = 2 * WRITERS * EACH;
    let mut product_orders = Vec::new();
    for socket in &mut product_sockets {
        product_orders.push(collect(socket, total, product_event).await);
    }
    let mut chat_orders = Vec::new();
    for socket in &mut chat_sockets {
        chat_orders.push(collect(socket, total, chat_event).await);
    }
    assert!(product_orders
        .iter()
        .all(|order| *order == product_orders[0]));
    assert!(chat_orders.iter().all(|order| *order == chat_orders[0]));
    let chat_ids: Vec<u64> = chat_orders[0]
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    assert_eq!(
        chat_ids,
        (1..=total as u64).collect::<Vec<_>>(),
        "in increasing id order"
    );
    let product_ids: Vec<String> = (1..=total).map(|id| format!("added {id}")).collect();
    assert_eq!(product_orders[0], product_ids, "ids follow commit order");
}

#[tokio::test]
async fn a_socket_joining_mid_stream_gets_its_snapshot_and_then_exactly_the_rest() {
    let (a, b) = two_instances().await;
    const TOTAL: usize = 150;
    let (http, url) = (a.http.clone(), a.url("/api/products"));
    let (chat_http, chat_url) = (a.http.clone(), a.url("/api/messages"));
    let writer = tokio::spawn(async move {
        for n in 1..=TOTAL {
            let created = http.post(&url).json(&product(n)).send().await.unwrap();
            assert_eq!(created.status(), 201);
            let body = json!({"email": "ana@example.com", "text": format!("m{n}")});
            let said = chat_http.post(&chat_url).json(&body).send().await.unwrap();
            assert_eq!(said.status(), 201);
        }
    });
    // Join on the other instance while the writes go on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut products, snapshot) = joined(&b, "/ws/products").await;
    let (mut chat, history) = joined(&b, "/ws/chat").await;
    writer.await.unwrap();

    let mut seen = ids(&snapshot["products"]);
    assert!(
        !seen.is_empty() && seen.len() < TOTAL,
        "joined mid-stream: {}",
        seen.len()
    );
    while seen.len() < TOTAL {
        let event = products.next_json().await;
        assert_eq!(event["type"], "added");
        seen.push(event["product"]["id"].as_u64().unwrap());
    }
    assert_eq!(
        seen,
        (1..=TOTAL as u64).collect::<Vec<_>>(),
        "no gap, no repeat"
    );

    let mut said = ids(&history["messages"]);
    let first = said[0];
    while said.last() != Some(&(TOTAL as u64)) {
        said.push(chat.next_json().await["message"]["id"].as_u64().unwrap());
    }
    assert_eq!(
        said,
        (first..=TOTAL as u64).collect::<Vec<_>>(),
        "no gap, no repeat"
    );
    assert_eq!(
        products.try_next_json(Duration::from_millis(300)).await,
        None
    );
}

#[tokio::test]
async fn kill_9_of_one_instance_under_write_load_loses_nothing_acknowledged() {
    let (mut a, b) = two_instances().await;
    let (mut watcher, _) = joined(&b, "/ws/products").await;
    let mut writers = Vec::new();
    for (w, server) in [&a, &a, &b, &b].into_iter().enumerate() {
        let (http, url) = (server.http.clone(), server.url("/api/products"));
        let (chat_url, on_a) = (server.url("/api/messages"), w < 2);
        writers.push(tokio::spawn(async move {
            let (mut made, mut said) = (Vec::new(), Vec::new());
            let started = Instant::now();
            // Writers on A stop at A's death; those on B go on for a while after it.
            while started.elapsed() < Duration::from_secs(3) {
                let n = made.len();
                let Some(created) = acknowledged(&http, &url, &product(w * 10_000 + n)).await
                else {
                    if on_a {
                        break;
                    }
                    continue;
                };
                made.push(created);
                let body = json!({"email": "ana@example.com", "text": format!("w{w} {n}")});
                if let Some(message) = acknowledged(&http, &chat_url, &body).await {
                    said.push(message);
                }
            }
            (made, said)
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    a.kill();
    let (mut made, mut said) = (Vec::new(), Vec::new());
    for writer in writers {
        let (m, s) = writer.await.unwrap();
        made.extend(m);
        said.extend(s);
    }
    assert!(made.len() > 20, "the writers were busy: {}", made.len());

    // B has every acknowledged change, and so does A once it is back.
    let on_b = by_id(&b.get("/api/products").await.1);
    a.launch().await.expect("A starts again");
    let on_a = by_id(&a.get("/api/products").await.1);
    let messages = by_id(&b.get("/api/messages?limit=100000").await.1);
    for product in &made {
        let id = product["id"].as_u64().unwrap();
        assert_eq!(on_b.get(&id), Some(product), "product {id} on B");
        assert_eq!(on_a.get(&id), Some(product), "product {id} on A");
    }
    for message in &said {
        let id = message["id"].as_u64().unwrap();
        assert_eq!(messages.get(&id), Some(message), "message {id}");
    }
    // And B's socket heard of every one of them.
    let mut heard = BTreeSet::new();
    while heard.len() < on_b.len() {
        heard.insert(watcher.next_json().await["product"]["id"].as_u64().unwrap());
    }
    assert_eq!(heard, on_b.keys().copied().collect());
}

#[tokio::test]
async fn cut_database_connections_leave_no_socket_deaf_and_no_change_missing() {
    let (a, b) = two_instances().await;
    let database = a.database_url.clone().unwrap();
    let mut sockets = Vec::new();
    for server in [&a, &b] {
        sockets.push(joined(server, "/ws/products").await.0);
    }
    for round in 0..3 {
        let cut = pg::execute(
            &database,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
        assert!(cut >= 2, "each instance had its own connections: {cut}");
        // Writes through both instances right after the cut succeed...
        let mut made = Vec::new();
        for (n, server) in [&a, &b, &a, &b].into_iter().enumerate() {
            made.push(created_eventually(server, &product(round * 10 + n)).await);
        }
        // ...and every socket hears all of them, in one order.
        let expected: Vec<String> = made.iter().map(|p| format!("added {}", p["id"])).collect();
        for socket in &mut sockets {
            assert_eq!(collect(socket, made.len(), product_event).await, expected);
        }
    }
}

#[tokio::test]
async fn a_database_restart_leaves_no_socket_deaf_and_no_change_missing() {
    let cluster = PgCluster::start();
    let url = pg::fresh_database(&cluster.admin_url).await;
    let a = TestServer::start_on(Some(url), &[]).await;
    let b = a.sibling().await;
    let (mut on_a, _) = joined(&a, "/ws/products").await;
    let (mut on_b, _) = joined(&b, "/ws/chat").await;

    cluster.stop();
    cluster.start_again();
    let made = created_eventually(&b, &product(1)).await;
    assert_eq!(
        on_a.next_json().await,
        json!({"type": "added", "product": made})
    );
    let body = json!({"email": "ana@example.com", "text": "de nuevo"});
    let (status, said) = a.post_json("/api/messages", &body).await;
    assert_eq!(status, 201, "{said}");
    assert_eq!(
        on_b.next_json().await,
        json!({"type": "message", "message": said})
    );
}

#[tokio::test]
async fn the_database_stopped_gives_503s_then_everything_recovers_by_itself() {
    let cluster = PgCluster::start();
    let url = pg::fresh_database(&cluster.admin_url).await;
    let a = TestServer::start_on(Some(url), &[]).await;
    let b = a.sibling().await;
    let before = a.create(&product(1)).await;
    let (mut on_a, _) = joined(&a, "/ws/products").await;
    let (mut on_b, _) = joined(&b, "/ws/products").await;
    let (mut chat_b, _) = joined(&b, "/ws/chat").await;

    cluster.stop();
    let asked = Instant::now();
    let (status, body) = a.post_json("/api/products", &product(2)).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    let (status, _) = b
        .post_json(
            "/api/messages",
            &json!({"email": "ana@example.com", "text": "hola"}),
        )
        .await;
    assert_eq!(status, 503);
    // Reads need no database; a socket's request gets an error frame and the socket stays.
    assert_eq!(b.get("/api/products").await.1, json!([before]));
    on_b.send_json(json!({"type": "add", "ref": "down", "product": product(3)}))
        .await;
    let refused = on_b.next_json().await;
    assert_eq!(
        (refused["type"].as_str(), refused["ref"].as_str()),
        (Some("error"), Some("down"))
    );

    cluster.start_again();
    let made = created_eventually(&a, &product(4)).await;
    let added = json!({"type": "added", "product": made});
    assert_eq!(on_a.next_json().await, added);
    assert_eq!(on_b.next_json().await, added);
    let (status, said) = a
        .post_json(
            "/api/messages",
            &json!({"email": "ana@example.com", "text": "volvió"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(chat_b.next_json().await["message"], said);
}

#[tokio::test]
async fn a_product_of_the_largest_valid_size_crosses_instances() {
    let (a, b) = two_instances().await;
    let (mut on_b, _) = joined(&b, "/ws/products").await;
    let wide = |n: usize| "💾".repeat(n); // four bytes per character
    let largest = json!({
        "title": wide(200), "code": wide(200), "category": wide(200),
        "description": wide(2000), "price": 1e300, "stock": u64::MAX, "status": false,
        "thumbnails": (0..20).map(|n| format!("https://example.com/{n}/{}.png", "x".repeat(80))).collect::<Vec<_>>(),
    });
    let made = a.create(&largest).await;
    assert!(
        made.to_string().len() > 12_000,
        "{} bytes",
        made.to_string().len()
    );
    assert_eq!(
        on_b.next_json().await,
        json!({"type": "added", "product": made})
    );
    assert_eq!(
        b.get(&format!("/api/products/{}", made["id"])).await.1,
        made
    );
}

#[tokio::test]
async fn an_instance_that_missed_pruned_changes_gets_a_fresh_snapshot_and_history() {
    let (a, b) = two_instances().await;
    let database = a.database_url.clone().unwrap();
    let (mut products, _) = joined(&b, "/ws/products").await;
    let (mut chat, _) = joined(&b, "/ws/chat").await;
    let first = a.create(&product(1)).await;
    assert_eq!(
        products.next_json().await,
        json!({"type": "added", "product": first})
    );

    b.signal("STOP");
    for n in 2..=4 {
        a.create(&product(n)).await;
    }
    a.post_json(
        "/api/messages",
        &json!({"email": "ana@example.com", "text": "perdido"}),
    )
    .await;
    pg::execute(&database, "DELETE FROM changes").await;
    b.signal("CONT");

    let snapshot = products.next_json().await;
    assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
    assert_eq!(ids(&snapshot["products"]), [1, 2, 3, 4]);
    let history = chat.next_json().await;
    assert_eq!(history["type"], "history", "{history}");
    assert_eq!(history["messages"][0]["text"], "perdido");
    // And it follows the log again.
    let made = a.create(&product(5)).await;
    assert_eq!(
        products.next_json().await,
        json!({"type": "added", "product": made})
    );
}

#[tokio::test]
async fn a_bad_or_unreachable_database_stops_start_up_with_a_clear_message() {
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let admin = pg::shared_cluster_url();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let cases = [
        ("mysql://nobody@127.0.0.1/x".to_string(), "DATABASE_URL"),
        (
            "postgres://nobody@127.0.0.1:port/x".to_string(),
            "DATABASE_URL",
        ),
        (
            format!("postgres://postgres@127.0.0.1:{closed_port}/x"),
            "refused",
        ),
        (format!("{base}/no_such_database"), "does not exist"),
    ];
    for (url, named) in cases {
        let started = Instant::now();
        let output = TestServer::new(Some(url.clone()), &[])
            .launch()
            .await
            .expect_err("start-up must fail");
        assert!(
            output.contains(named),
            "{url}: the message names the problem:\n{output}"
        );
        assert!(!output.contains("panicked"), "{url}: no panic:\n{output}");
        assert!(output.contains("exited with exit status: 1"), "{output}");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{url}: {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn presence_counts_the_chat_sockets_of_every_instance() {
    let (a, b) = two_instances().await;
    let (mut on_a, _) = joined(&a, "/ws/chat").await;
    let (mut on_b, _) = joined(&b, "/ws/chat").await;
    // Each instance reports its own count and reads the others' every couple of seconds.
    let mut seen = 0;
    while seen != 2 {
        seen = on_a.next_presence().await;
    }
    let mut seen = 0;
    while seen != 2 {
        seen = on_b.next_presence().await;
    }
    let (second_on_b, _) = joined(&b, "/ws/chat").await;
    while on_a.next_presence().await != 3 {}
    drop(second_on_b);
    while on_a.next_presence().await != 2 {}
}

/// Creates `product` through `server`, retrying while the database comes back (503s), for at
/// most 20 s.
async fn created_eventually(server: &TestServer, product: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = server.post_json("/api/products", product).await;
        match status {
            201 => return body,
            503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            _ => panic!("create failed: {status} {body}"),
        }
    }
}
