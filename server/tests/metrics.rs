//! `/metrics` as an operator's Prometheus scrapes it: on `METRICS_ADDR` only, counters that
//! move with the load (sockets open, deliveries, the write histogram, refusals), and with
//! PostgreSQL the follower's lag back to 0 after a burst.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;
use support::cluster::{joined, two_instances};
use support::{on_each_store, on_postgres, product, TestServer};

/// One scrape: every sample by its name with labels, as written.
async fn scrape(url: &str) -> HashMap<String, f64> {
    let response = reqwest::get(url).await.expect("a scrape");
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// The status of `path` on the server's public port.
async fn public_status(server: &TestServer, path: &str) -> u16 {
    let response = server.http.get(server.url(path)).send().await.unwrap();
    response.status().as_u16()
}

fn sample(samples: &HashMap<String, f64>, name: &str) -> f64 {
    samples.get(name).copied().unwrap_or(0.0)
}

on_each_store! {
    async fn metrics_move_with_sockets_writes_and_refusals() {
        let mut server =
            TestServer::prepared(&[("CHAT_MESSAGES_PER_SEC", "1"), ("CHAT_MESSAGES_BURST", "2")])
                .await
                .with_metrics();
        server.launch().await.expect("the server starts");
        let url = server.metrics_url();
        assert_eq!(
            public_status(&server, "/metrics").await,
            404,
            "the metrics are not on the public port"
        );

        let mut sockets = Vec::new();
        for _ in 0..20 {
            sockets.push(joined(&server, "/ws/products").await.0);
        }
        let before = scrape(&url).await;
        assert_eq!(
            sample(&before, r#"tiempo_real_sockets_open{channel="products"}"#),
            20.0
        );
        for n in 0..10 {
            server.create(&product(n)).await;
        }
        for socket in &mut sockets {
            for _ in 0..10 {
                socket.next_change().await;
            }
        }
        let chat = json!({"email": "ana@example.com", "text": "hola"});
        let mut refused = 0;
        for _ in 0..5 {
            if server.post_json("/api/messages", &chat).await.0 == 429 {
                refused += 1;
            }
        }
        assert!(refused >= 1, "the chat limit refused some");

        let after = scrape(&url).await;
        let delivered = sample(
            &after,
            r#"tiempo_real_deliveries_total{channel="products"}"#,
        ) - sample(
            &before,
            r#"tiempo_real_deliveries_total{channel="products"}"#,
        );
        assert!(delivered >= 200.0, "10 events to 20 sockets: {delivered}");
        assert_eq!(
            sample(
                &after,
                r#"tiempo_real_events_published_total{channel="products"}"#
            ),
            10.0
        );
        assert_eq!(
            sample(
                &after,
                r#"tiempo_real_store_write_seconds_count{op="create_product"}"#
            ),
            10.0
        );
        assert!(sample(&after, r#"tiempo_real_http_requests_total{status="201"}"#) >= 10.0);
        assert!(sample(&after, r#"tiempo_real_http_requests_total{status="429"}"#) >= 1.0);
        assert_eq!(
            sample(&after, r#"tiempo_real_rate_limited_total{kind="chat"}"#),
            refused as f64
        );

        drop(sockets);
        let deadline = Instant::now() + Duration::from_secs(10);
        while sample(
            &scrape(&url).await,
            r#"tiempo_real_sockets_open{channel="products"}"#,
        ) > 0.0
        {
            assert!(
                Instant::now() < deadline,
                "closed sockets still counted open"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn without_metrics_addr_nothing_is_served() {
        let server = TestServer::start().await;
        assert_eq!(public_status(&server, "/metrics").await, 404);
    }
}

on_postgres! {
    async fn the_follower_lag_returns_to_zero_after_a_burst() {
        let (a, _) = two_instances().await;
        let mut b = a.unstarted_sibling().with_metrics();
        b.launch().await.expect("B starts");
        let url = b.metrics_url();
        let products: Vec<_> = (0..100).map(product).collect();
        futures::future::join_all(products.iter().map(|p| a.create(p))).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let samples = scrape(&url).await;
            if samples.get("tiempo_real_follower_lag_changes") == Some(&0.0)
                && b.count("/api/products").await == 100
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "B's follower never caught up: {samples:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
