//! Long lists: the API pages through the catalog by id with a search and a total, and the home
//! page does the same with `rel="next"` links, with JavaScript off. Runs on both stores.

mod support;

use std::collections::BTreeSet;

use serde_json::{json, Value};
use support::{on_each_store, product, TestServer};

/// `GET` with its `X-Total-Count`.
async fn listed(server: &TestServer, query: &str) -> (u64, Vec<u64>) {
    let response = server
        .http
        .get(server.url(&format!("/api/products{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{query}");
    let total = response.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let list: Value = response.json().await.unwrap();
    let ids = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    (total, ids)
}

on_each_store! {
    async fn pages_by_id_with_a_search_and_a_total() {
        let server = TestServer::start().await;
        for n in 1..=7 {
            let mut item = product(n);
            if n % 2 == 0 {
                item["category"] = json!("Electrónica");
            }
            server.create(&item).await;
        }
        assert_eq!(listed(&server, "").await, (7, vec![1, 2, 3, 4, 5, 6, 7]));
        assert_eq!(listed(&server, "?limit=3").await, (7, vec![1, 2, 3]));
        assert_eq!(
            listed(&server, "?limit=3&after=3").await,
            (7, vec![4, 5, 6])
        );
        assert_eq!(listed(&server, "?after=6").await, (7, vec![7]));
        assert_eq!(
            listed(&server, "?q=ELECTRONICA").await,
            (3, vec![2, 4, 6]),
            "accents and case ignored"
        );
        assert_eq!(
            listed(&server, "?q=electr%C3%B3nica&limit=1&after=2").await,
            (3, vec![4])
        );
        assert_eq!(listed(&server, "?q=P-0005").await, (1, vec![5]), "by code");
        assert_eq!(listed(&server, "?q=nada").await, (0, vec![]));
        for bad in ["after=x", "after=-1"] {
            assert_eq!(
                server.get(&format!("/api/products?{bad}")).await.0,
                400,
                "{bad}"
            );
        }
    }

    async fn a_page_says_which_change_it_was_read_at_as_the_socket_numbers_them() {
        let server = TestServer::start().await;
        let seq_now = || async {
            let response = server
                .http
                .get(server.url("/api/products?limit=1"))
                .send()
                .await
                .unwrap();
            response.headers()["x-catalog-seq"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        let before = seq_now().await;
        let mut socket = server.socket("/ws/products?limit=1").await;
        assert_eq!(socket.next_json().await["seq"], before);
        server.create(&product(1)).await;
        let added = socket.next_json().await;
        assert_eq!(added["type"], "added");
        assert!(added["seq"].as_u64().unwrap() > before);
        assert_eq!(seq_now().await, added["seq"].as_u64().unwrap());
    }

    async fn paging_sees_every_product_once_while_products_come_and_go() {
        let server = TestServer::start().await;
        for n in 1..=60 {
            server.create(&product(n)).await;
        }
        let mut seen = BTreeSet::new();
        let mut removed = BTreeSet::new();
        let mut after = 0;
        let mut extra = 1000;
        loop {
            let (_, page) = listed(&server, &format!("?limit=7&after={after}")).await;
            let Some(&last) = page.last() else { break };
            for id in &page {
                assert!(seen.insert(*id), "product {id} listed twice");
            }
            after = last;
            // Meanwhile, while the original products are being paged: one added (after
            // everything listed) and one not yet listed removed.
            if after > 60 {
                continue;
            }
            extra += 1;
            server.create(&product(extra)).await;
            let ahead = after + 3;
            if ahead <= 60 && removed.insert(ahead) {
                server
                    .send("DELETE", &format!("/api/products/{ahead}"), "")
                    .await;
            }
        }
        // Every product that was there all along was seen once.
        for id in 1..=60u64 {
            assert!(
                removed.contains(&id) || seen.contains(&id),
                "product {id} was missed"
            );
            assert!(
                !(removed.contains(&id) && seen.contains(&id)),
                "product {id} seen after removal"
            );
        }
    }
}

/// The `href` of the page's `rel="next"` link, if it has one.
fn next_link(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..at + html[at..].find('>')?];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&amp;", "&"))
}

fn product_codes(html: &str) -> Vec<String> {
    html.split("data-code=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(String::from)
        .collect()
}

on_each_store! {
    async fn the_home_page_chain_of_next_links_visits_every_product_once() {
        let server = TestServer::start().await;
        for n in 1..=230 {
            let mut item = product(n);
            if n % 3 == 0 {
                item["title"] = json!(format!("Ñandú {n}"));
            }
            server.create(&item).await;
        }
        for (start, expected, summary) in [
            ("/", 230, "230 productos en el catálogo"),
            ("/?q=nandu", 76, "76 productos coinciden"),
        ] {
            let mut codes = Vec::new();
            let mut path = Some(start.to_string());
            let mut pages = 0;
            while let Some(current) = path {
                let html = server.page(&current).await;
                if pages == 0 {
                    assert!(html.contains(summary), "{start}: the page says how many");
                }
                let on_page = product_codes(&html);
                assert!(on_page.len() <= 100, "at most 100 a page");
                codes.extend(on_page);
                path = next_link(&html);
                pages += 1;
            }
            let unique: BTreeSet<_> = codes.iter().collect();
            assert_eq!(codes.len(), expected, "{start}: every product");
            assert_eq!(unique.len(), expected, "{start}: each once");
            assert_eq!(pages, expected.div_ceil(100), "{start}");
        }
    }
}
