//! Several instances on one PostgreSQL database: real server processes on a real cluster
//! (`TEST_DATABASE_URL`, started by `scripts/test.sh`). What the database going away does to
//! them is in `cluster_outages.rs`.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::json;
use support::cluster::{chat_event, collect, ids, joined, product_event, two_instances};
use support::{
    acknowledged, assert_all_kept, by_id, gather_writers, on_postgres, product, Progress,
};

on_postgres! {
    async fn changes_through_either_instance_reach_the_sockets_of_both() {
        let (a, b) = two_instances().await;
        let (mut on_a, _) = joined(&a, "/ws/products").await;
        let (mut on_b, _) = joined(&b, "/ws/products").await;
        let (mut chat_a, _) = joined(&a, "/ws/chat").await;
        let (mut chat_b, _) = joined(&b, "/ws/chat").await;

        // HTTP on A.
        let first = a.create(&product(1)).await;
        let added = json!({"type": "added", "product": first});
        assert_eq!(on_b.next_change().await, added);
        assert_eq!(on_a.next_change().await, added);
        // A socket on B.
        on_b.send_json(json!({"type": "add", "ref": "b1", "product": product(2)}))
            .await;
        let second = on_a.next_change().await;
        assert_eq!(second["type"], "added");
        assert_eq!(second["product"]["code"], "P-0002");
        assert_eq!(on_b.next_change().await, second);
        // Update through B's HTTP, removal through A's socket.
        let (status, updated) = b.send("PUT", "/api/products/1", r#"{"stock": 0}"#).await;
        assert_eq!(status, 200);
        let expected = json!({"type": "updated", "product": updated});
        assert_eq!(on_a.next_change().await, expected);
        assert_eq!(on_b.next_change().await, expected);
        on_a.send_json(json!({"type": "remove", "id": 2})).await;
        assert_eq!(
            on_b.next_change().await,
            json!({"type": "removed", "id": 2})
        );
        assert_eq!(
            on_a.next_change().await,
            json!({"type": "removed", "id": 2})
        );

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
        assert_eq!(chat_b.next_change().await, expected);
        assert_eq!(chat_a.next_change().await, expected);
        chat_b
            .send_json(json!({"type": "send", "email": "beto@example.com", "text": "chau"}))
            .await;
        let reply = chat_a.next_change().await;
        assert_eq!(reply["message"]["text"], "chau");
        assert_eq!(reply["message"]["id"], 2);
        assert_eq!(chat_b.next_change().await, reply);
        assert_eq!(ids(&b.get("/api/messages").await.1), [1, 2]);
    }

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

    async fn a_socket_joining_mid_stream_gets_its_snapshot_and_then_exactly_the_rest() {
        let (a, b) = two_instances().await;
        const TOTAL: usize = 150;
        let (http, url) = (a.http.clone(), a.url("/api/products"));
        let (chat_http, chat_url) = (a.http.clone(), a.url("/api/messages"));
        let progress = Progress::default();
        let done = progress.clone();
        let writer = tokio::spawn(async move {
            for n in 1..=TOTAL {
                let created = http.post(&url).json(&product(n)).send().await.unwrap();
                assert_eq!(created.status(), 201);
                let body = json!({"email": "ana@example.com", "text": format!("m{n}")});
                let said = chat_http.post(&chat_url).json(&body).send().await.unwrap();
                assert_eq!(said.status(), 201);
                done.add(1);
            }
        });
        // Join on the other instance while the writes go on.
        progress.reached(10).await;
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
            let event = products.next_change().await;
            assert_eq!(event["type"], "added");
            seen.push(event["product"]["id"].as_u64().unwrap());
        }
        assert_eq!(
            seen,
            (1..=TOTAL as u64).collect::<Vec<_>>(),
            "no gap, no repeat"
        );

        // The history may still be empty: the chat socket can join between a product and its
        // message reaching B.
        let mut said = ids(&history["messages"]);
        while said.last() != Some(&(TOTAL as u64)) {
            said.push(chat.next_change().await["message"]["id"].as_u64().unwrap());
        }
        let first = said[0];
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

    async fn kill_9_of_one_instance_under_write_load_loses_nothing_acknowledged() {
        let (mut a, b) = two_instances().await;
        let (mut watcher, _) = joined(&b, "/ws/products").await;
        let mut writers = Vec::new();
        let progress = Progress::default();
        for (w, server) in [&a, &a, &b, &b].into_iter().enumerate() {
            let (http, url) = (server.http.clone(), server.url("/api/products"));
            let (chat_url, on_a) = (server.url("/api/messages"), w < 2);
            let done = progress.clone();
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
                    done.add(1);
                    let body = json!({"email": "ana@example.com", "text": format!("w{w} {n}")});
                    if let Some(message) = acknowledged(&http, &chat_url, &body).await {
                        said.push(message);
                    }
                }
                (made, said)
            }));
        }
        progress.reached(40).await;
        a.kill();
        let (made, said) = gather_writers(writers).await;
        assert!(made.len() > 20, "the writers were busy: {}", made.len());

        // B has every acknowledged change, and so does A once it is back.
        let on_b = by_id(&b.get("/api/products").await.1);
        a.launch().await.expect("A starts again");
        let on_a = by_id(&a.get("/api/products").await.1);
        let messages = by_id(&b.all_messages().await);
        assert_all_kept(&made, &on_b, "product on B");
        assert_all_kept(&made, &on_a, "product on A");
        assert_all_kept(&said, &messages, "message");
        // And B's socket heard of every one of them.
        let mut heard = BTreeSet::new();
        while heard.len() < on_b.len() {
            heard.insert(
                watcher.next_change().await["product"]["id"]
                    .as_u64()
                    .unwrap(),
            );
        }
        assert_eq!(heard, on_b.keys().copied().collect());
    }

    async fn a_product_of_the_largest_valid_size_crosses_instances() {
        let (a, b) = two_instances().await;
        let (mut on_b, _) = joined(&b, "/ws/products").await;
        let wide = |n: usize| "💾".repeat(n); // four bytes per character
        let largest = json!({
            "title": wide(200), "code": wide(200), "category": wide(200),
            "description": wide(2000), "price": 1e300, "stock": u64::MAX, "status": false,
            "thumbnails": (0..10).map(|n| format!("https://example.com/{n}/{}", "x".repeat(2048 - 22))).collect::<Vec<_>>(),
        });
        let made = a.create(&largest).await;
        assert!(
            made.to_string().len() > 30_000,
            "{} bytes",
            made.to_string().len()
        );
        assert_eq!(
            on_b.next_change().await,
            json!({"type": "added", "product": made})
        );
        assert_eq!(
            b.get(&format!("/api/products/{}", made["id"])).await.1,
            made
        );
    }

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

    async fn a_socket_resumes_on_another_instance_with_exactly_what_it_missed() {
        let (a, b) = two_instances().await;
        a.create(&product(1)).await;
        let (_, first) = joined(&a, "/ws/products?limit=10").await;
        let (mut watcher_b, on_b) = joined(&b, "/ws/products").await;
        assert_eq!(first["epoch"], on_b["epoch"], "one store, one epoch");

        // Missed while away, through both instances.
        a.create(&product(2)).await;
        b.send("PUT", "/api/products/1", r#"{"stock": 42}"#).await;
        b.post_json(
            "/api/messages",
            &json!({"email": "ana@example.com", "text": "hola"}),
        )
        .await;
        a.send("DELETE", "/api/products/2", "").await;
        // B has applied all three once its own socket has them. B's follower may
        // still have been behind the first product when the watcher joined, so
        // what the resumed socket already had is skipped.
        let mut missed = Vec::new();
        while missed.len() < 3 {
            let event = watcher_b.next_json().await;
            if event["seq"].as_u64() > first["seq"].as_u64() {
                missed.push(event);
            }
        }

        let query = format!(
            "?since={}&epoch={}",
            first["seq"],
            first["epoch"].as_str().unwrap()
        );
        let mut resumed = b.socket(&format!("/ws/products{query}")).await;
        assert_eq!(
            resumed.next_json().await,
            json!({"type": "resume", "since": first["seq"]})
        );
        for expected in &missed {
            assert_eq!(&resumed.next_json().await, expected);
        }
        let live = a.create(&product(3)).await;
        assert_eq!(resumed.next_json().await["product"], live);
    }
}
