//! Several instances on PostgreSQL when the database goes away: connections cut, the database
//! restarted or stopped, changes pruned from the log, and bad URLs at start-up. The tests that
//! stop or restart the database start private clusters of their own.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::cluster::{collect, created_eventually, ids, joined, product_event, two_instances};
use support::pg;
use support::{on_postgres, product, TestServer};

on_postgres! {
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

    async fn a_database_restart_leaves_no_socket_deaf_and_no_change_missing() {
        let cluster = pg::private_cluster();
        let url = cluster.fresh_database().await.unwrap();
        let a = TestServer::start_on(Some(url), &[]).await;
        let b = a.sibling().await;
        let (mut on_a, _) = joined(&a, "/ws/products").await;
        let (mut on_b, _) = joined(&b, "/ws/chat").await;

        cluster.stop().unwrap();
        cluster.start_again().unwrap();
        let made = created_eventually(&b, &product(1)).await;
        assert_eq!(
            on_a.next_change().await,
            json!({"type": "added", "product": made})
        );
        let body = json!({"email": "ana@example.com", "text": "de nuevo"});
        let (status, said) = a.post_json("/api/messages", &body).await;
        assert_eq!(status, 201, "{said}");
        assert_eq!(
            on_b.next_change().await,
            json!({"type": "message", "message": said})
        );
    }

    async fn the_database_stopped_gives_503s_then_everything_recovers_by_itself() {
        let cluster = pg::private_cluster();
        let url = cluster.fresh_database().await.unwrap();
        let a = TestServer::start_on(Some(url), &[]).await;
        let b = a.sibling().await;
        let before = a.create(&product(1)).await;
        let (mut on_a, _) = joined(&a, "/ws/products").await;
        let (mut on_b, snapshot) = joined(&b, "/ws/products").await;
        if snapshot["products"] != json!([before]) {
            // B's follower had not applied it yet when the socket joined: it comes as an event.
            let added = json!({"type": "added", "product": before});
            assert_eq!(on_b.next_change().await, added);
        }
        let (mut chat_b, _) = joined(&b, "/ws/chat").await;
        assert_eq!(a.get("/readyz").await.0, 200);

        cluster.stop().unwrap();
        let stopped = Instant::now();
        let body = b.readyz_until(503).await;
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "not ready within 10 s of the database stopping: {:?}",
            stopped.elapsed()
        );
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
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
        let refused = on_b.next_change().await;
        assert_eq!(
            (refused["type"].as_str(), refused["ref"].as_str()),
            (Some("error"), Some("down"))
        );

        cluster.start_again().unwrap();
        a.readyz_until(200).await;
        b.readyz_until(200).await;
        let made = created_eventually(&a, &product(4)).await;
        let added = json!({"type": "added", "product": made});
        assert_eq!(on_a.next_change().await, added);
        assert_eq!(on_b.next_change().await, added);
        let (status, said) = a
            .post_json(
                "/api/messages",
                &json!({"email": "ana@example.com", "text": "volvió"}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(chat_b.next_change().await["message"], said);
    }
}

on_postgres! {
    async fn an_instance_that_missed_pruned_changes_gets_a_fresh_snapshot_and_history() {
        let (a, b) = two_instances().await;
        let database = a.database_url.clone().unwrap();
        let (mut products, _) = joined(&b, "/ws/products").await;
        let (mut chat, _) = joined(&b, "/ws/chat").await;
        let first = a.create(&product(1)).await;
        assert_eq!(
            products.next_change().await,
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

        let snapshot = products.next_change().await;
        assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
        assert_eq!(ids(&snapshot["products"]), [1, 2, 3, 4]);
        let history = chat.next_change().await;
        assert_eq!(history["type"], "history", "{history}");
        assert_eq!(history["messages"][0]["text"], "perdido");
        // And it follows the log again.
        let made = a.create(&product(5)).await;
        assert_eq!(
            products.next_change().await,
            json!({"type": "added", "product": made})
        );
    }

    async fn a_bad_or_unreachable_database_stops_start_up_with_a_clear_message() {
        let closed_port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let admin = pg::shared_cluster().admin_url.clone();
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
}
