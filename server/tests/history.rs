//! The record of changes: every catalog change on record with who made it, a product's
//! history, the removed products, and restores that reach every socket.

mod support;

use serde_json::{json, Value};
use support::staff::{shop, PASSWORD};
use support::{on_each_store, product, TestServer};

fn kinds(history: &Value) -> Vec<&str> {
    entries(history)
        .iter()
        .map(|entry| entry["kind"].as_str().expect("a kind"))
        .collect()
}

fn entries(history: &Value) -> &Vec<Value> {
    history.as_array().expect("a JSON array")
}

/// `GET` with the shared staff password as bearer token.
async fn get_as_staff(server: &TestServer, path: &str) -> (u16, Value) {
    server
        .send_with_token("GET", path, &Value::Null, PASSWORD)
        .await
}

/// A request with a JSON body and the shared staff password as bearer token.
async fn send_as_staff(
    server: &TestServer,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    server.send_with_token(method, path, body, PASSWORD).await
}

on_each_store! {
    async fn every_change_is_on_record_newest_first_and_an_earlier_version_comes_back() {
        let mut server = TestServer::start().await;
        let created = server.create(&product(1)).await;
        for price in [20.0, 30.0] {
            let (status, _) = server
                .send("PUT", "/api/products/1", &json!({ "price": price }).to_string())
                .await;
            assert_eq!(status, 200);
        }
        let (status, history) = server.get("/api/products/1/history").await;
        assert_eq!(status, 200, "{history}");
        assert_eq!(kinds(&history), ["updated", "updated", "created"]);
        let seqs: Vec<u64> = entries(&history).iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        assert!(seqs.windows(2).all(|pair| pair[0] > pair[1]), "newest first: {seqs:?}");
        let prices: Vec<f64> = entries(&history)
            .iter()
            .map(|e| e["product"]["price"].as_f64().unwrap())
            .collect();
        assert_eq!(prices, [30.0, 20.0, created["price"].as_f64().unwrap()]);
        for entry in entries(&history) {
            assert_eq!(entry["actor"], Value::Null, "staff access off: nobody");
            let at = entry["at"].as_str().expect("a time");
            chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339");
        }
        assert_eq!(server.get("/api/products/1/history?limit=1").await.1.as_array().unwrap().len(), 1);

        // Kept across a restart.
        server.restart().await;
        assert_eq!(server.get("/api/products/1/history").await.1, history);

        // Back to what it was when created: a change of its own, on every socket.
        let mut socket = server.socket("/ws/products").await;
        assert_eq!(socket.next_json().await["type"], "snapshot");
        let first = seqs[2];
        let (status, restored) = server
            .post_json("/api/products/1/restore", &json!({ "seq": first }))
            .await;
        assert_eq!((status, &restored), (200, &created));
        assert_eq!(
            socket.next_change().await,
            json!({ "type": "updated", "product": created })
        );
        assert_eq!(server.get("/api/products/1").await.1, created);
        let (_, history) = server.get("/api/products/1/history").await;
        assert_eq!(kinds(&history), ["restored", "updated", "updated", "created"]);
        assert_eq!(history[0]["product"], created);
        assert!(history[0]["seq"].as_u64().unwrap() > seqs[0]);
    }
}

on_each_store! {
    async fn a_removed_product_is_listed_and_comes_back_with_its_id() {
        let server = TestServer::start().await;
        let first = server.create(&product(1)).await;
        let second = server.create(&product(2)).await;
        assert_eq!(server.get("/api/products/removed").await, (200, json!([])));
        server.send("DELETE", "/api/products/1", "").await;
        server.send("DELETE", "/api/products/2", "").await;

        let (status, removed) = server.get("/api/products/removed").await;
        assert_eq!(status, 200, "{removed}");
        let products: Vec<&Value> = entries(&removed).iter().map(|r| &r["product"]).collect();
        assert_eq!(products, [&second, &first], "newest removal first, as it was");
        assert_eq!(removed[0]["actor"], Value::Null);
        chrono::DateTime::parse_from_rfc3339(removed[0]["at"].as_str().unwrap()).unwrap();
        assert_eq!(server.count("/api/products/removed?limit=1").await, 1);

        let (_, history) = server.get("/api/products/1/history").await;
        assert_eq!(kinds(&history), ["removed", "created"]);
        assert_eq!(history[0]["product"], first, "a removal records the product before it");

        let mut socket = server.socket("/ws/products").await;
        socket.next_json().await;
        let seq = history[0]["seq"].as_u64().unwrap();
        assert_eq!(removed[1]["seq"], seq, "the removal to restore");
        let (status, back) = server
            .post_json("/api/products/1/restore", &json!({ "seq": seq }))
            .await;
        assert_eq!((status, &back), (200, &first), "back with its id");
        assert_eq!(socket.next_change().await, json!({ "type": "added", "product": first }));
        assert_eq!(server.get("/api/products/1").await.1, first);
        let (_, removed) = server.get("/api/products/removed").await;
        assert_eq!(entries(&removed).len(), 1, "only the other one: {removed}");
        assert_eq!(removed[0]["product"], second);
        // Ids are still never reused: a new product comes after every earlier one.
        assert_eq!(server.create(&product(3)).await["id"], 3);
    }
}

on_each_store! {
    async fn restores_that_cannot_be_done_say_why() {
        let server = TestServer::start().await;
        let original = server.create(&product(1)).await;
        let (_, history) = server.get("/api/products/1/history").await;
        let seq = history[0]["seq"].as_u64().unwrap();

        let (status, body) = server.post_json("/api/products/99/restore", &json!({ "seq": seq })).await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = server.post_json("/api/products/1/restore", &json!({ "seq": seq + 1000 })).await;
        assert_eq!(status, 404, "{body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
        let (status, body) = server.post_json("/api/products/1/restore", &json!({ "seq": "uno" })).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["fields"]["seq"].is_string(), "{body}");
        assert_eq!(server.get("/api/products/99/history").await.0, 404, "never existed");

        // Its code was taken meanwhile by another product: 409, and nothing changes.
        server.send("DELETE", "/api/products/1", "").await;
        let other = server.create(&json!({
            "title": "Otro", "description": "d", "code": original["code"], "price": 1, "stock": 1, "category": "c"
        })).await;
        let (_, history) = server.get("/api/products/1/history").await;
        let removal = history[0]["seq"].as_u64().unwrap();
        let (status, body) = server.post_json("/api/products/1/restore", &json!({ "seq": removal })).await;
        assert_eq!(status, 409, "{body}");
        assert!(body["fields"]["code"].is_string(), "{body}");
        assert_eq!(server.get("/api/products/1").await.0, 404);
        assert_eq!(server.get(&format!("/api/products/{}", other["id"])).await.1, other);
        assert_eq!(kinds(&server.get("/api/products/1/history").await.1), ["removed", "created"]);
    }
}

on_each_store! {
    async fn the_record_names_staff_and_is_for_staff_only() {
        let server = shop().await;
        let (status, created) = send_as_staff(&server, "POST", "/api/products", &product(1)).await;
        assert_eq!(status, 201, "{created}");
        let csv = "code,title,description,price,stock,category\nP-0001,Renombrado,d,5,5,c\nN-1,Nuevo,d,1,1,c\n";
        let response = server
            .http
            .post(server.url("/api/products/import"))
            .bearer_auth(PASSWORD)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);

        let (status, history) = get_as_staff(&server, "/api/products/1/history").await;
        assert_eq!(status, 200, "{history}");
        assert_eq!(kinds(&history), ["imported", "created"]);
        assert!(entries(&history).iter().all(|e| e["actor"] == "staff"), "{history}");
        assert_eq!(history[0]["product"]["title"], "Renombrado");
        let (_, new) = get_as_staff(&server, "/api/products/2/history").await;
        assert_eq!(kinds(&new), ["imported"]);

        // A visitor reads neither the record nor the removed products, and restores nothing.
        assert_eq!(server.get("/api/products/1/history").await.0, 401);
        assert_eq!(server.get("/api/products/removed").await.0, 401);
        let seq = history[1]["seq"].as_u64().unwrap();
        let (status, _) = server.post_json("/api/products/1/restore", &json!({ "seq": seq })).await;
        assert_eq!(status, 401);
        let (status, restored) =
            send_as_staff(&server, "POST", "/api/products/1/restore", &json!({ "seq": seq })).await;
        assert_eq!((status, &restored), (200, &created));
        let (_, history) = get_as_staff(&server, "/api/products/1/history").await;
        assert_eq!(history[0]["actor"], "staff");
    }
}
