//! The product API over real HTTP against the real server binary.

mod support;

use serde_json::{json, Value};
use support::{on_each_store, product, TestServer};

on_each_store! {
    async fn create_read_list_update_delete() {
        let server = TestServer::start().await;
        let (status, list) = server.get("/api/products").await;
        assert_eq!((status, list), (200, json!([])));

        let created = server.create(&product(1)).await;
        assert_eq!(created["id"], 1);
        assert_eq!(created["status"], true, "status defaults to true");
        assert_eq!(created["thumbnails"], json!(["https://example.com/1.png"]));
        let second = server.create(&json!({
            "title": "Gratis", "description": "d", "code": "FREE", "price": 0, "stock": 0, "category": "c"
        }))
        .await;
        assert_eq!(second["id"], 2);
        assert_eq!(second["price"], 0.0, "price 0 is valid");
        assert_eq!(second["thumbnails"], json!([]), "thumbnails default to []");

        let (status, one) = server.get("/api/products/1").await;
        assert_eq!((status, &one), (200, &created));

        let (status, list) = server.get("/api/products").await;
        assert_eq!(status, 200);
        assert_eq!(
            list.as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone())
                .collect::<Vec<_>>(),
            [json!(1), json!(2)]
        );
        let (status, limited) = server.get("/api/products?limit=1").await;
        assert_eq!((status, limited), (200, json!([created.clone()])));

        // Partial update: only the fields sent change, and the id never does.
        let (status, updated) = server
            .send("PUT", "/api/products/1", r#"{"price": 99.5, "id": 77}"#)
            .await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["id"], 1);
        assert_eq!(updated["price"], 99.5);
        assert_eq!(updated["title"], created["title"]);
        assert_eq!(server.get("/api/products/1").await.1, updated);
        assert_eq!(server.get("/api/products/77").await.0, 404);

        let (status, removed) = server.send("DELETE", "/api/products/1", "").await;
        assert_eq!((status, &removed), (200, &updated));
        assert_eq!(server.get("/api/products/1").await.0, 404);
        // Ids are never reused.
        assert_eq!(server.create(&product(3)).await["id"], 3);
    }
}

fn error_fields(body: &Value) -> Vec<String> {
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "readable error: {body}"
    );
    body["fields"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default()
}

on_each_store! {
    async fn invalid_input_gets_json_400_with_the_fields_at_fault() {
        let server = TestServer::start().await;
        let (status, body) = server.post_json("/api/products", &json!({})).await;
        assert_eq!(status, 400);
        assert_eq!(
            error_fields(&body),
            ["category", "code", "description", "price", "stock", "title"],
            "every missing field is named"
        );

        let cases = [
            (json!({"price": -1}), "price"),
            (json!({"price": "12"}), "price"),
            (json!({"stock": -1}), "stock"),
            (json!({"stock": 1.5}), "stock"),
            (json!({"title": "   "}), "title"),
            (json!({"code": "x".repeat(201)}), "code"),
            (json!({"category": 5}), "category"),
            (json!({"description": "d".repeat(2001)}), "description"),
            (json!({"status": "yes"}), "status"),
            (json!({"thumbnails": "a.png"}), "thumbnails"),
            (json!({"thumbnails": [1]}), "thumbnails"),
        ];
        for (change, field) in cases {
            let mut body = product(1);
            body.as_object_mut()
                .unwrap()
                .extend(change.as_object().unwrap().clone());
            let (status, answer) = server.post_json("/api/products", &body).await;
            assert_eq!(status, 400, "{body} should be refused");
            assert_eq!(error_fields(&answer), [field], "{body}");
        }

        let (status, body) = server.send("POST", "/api/products", "{not json").await;
        assert_eq!(status, 400);
        assert!(body["error"].is_string());
        let (status, _) = server.send("POST", "/api/products", "[1, 2]").await;
        assert_eq!(status, 400);

        for bad in ["-1", "abc", "1.5", "", "0", "1001"] {
            let (status, body) = server.get(&format!("/api/products?limit={bad}")).await;
            assert_eq!(status, 400, "limit={bad}");
            assert!(body["error"].is_string());
        }
        // Nothing was created by any of that.
        assert_eq!(server.get("/api/products").await.1, json!([]));
    }

    async fn missing_products_are_404_and_duplicate_codes_409() {
        let server = TestServer::start().await;
        for (method, path) in [
            ("GET", "/api/products/1"),
            ("PUT", "/api/products/1"),
            ("DELETE", "/api/products/1"),
            ("GET", "/api/products/abc"),
            ("DELETE", "/api/products/0"),
        ] {
            let (status, body) = server.send(method, path, r#"{"price": 1}"#).await;
            assert_eq!(status, 404, "{method} {path}");
            assert!(body["error"].is_string());
        }

        // Unknown API paths and methods get JSON errors too.
        let (status, body) = server.get("/api/nothing/here").await;
        assert_eq!(status, 404);
        assert!(body["error"].is_string());
        let (status, body) = server.send("PATCH", "/api/products", "{}").await;
        assert_eq!(status, 405);
        assert!(body["error"].is_string());

        let first = server.create(&product(1)).await;
        let other = server.create(&product(2)).await;
        let mut duplicate = product(3);
        duplicate["code"] = first["code"].clone();
        let (status, body) = server.post_json("/api/products", &duplicate).await;
        assert_eq!(status, 409);
        assert_eq!(error_fields(&body), ["code"]);

        // Taking another product's code in an update conflicts too; keeping one's own does not.
        let path = format!("/api/products/{}", other["id"]);
        let (status, _) = server
            .send("PUT", &path, &json!({"code": first["code"]}).to_string())
            .await;
        assert_eq!(status, 409);
        let (status, _) = server
            .send("PUT", &path, &json!({"code": other["code"]}).to_string())
            .await;
        assert_eq!(status, 200);
        let (status, body) = server.send("PUT", &path, r#"{"price": -3}"#).await;
        assert_eq!(
            (status, error_fields(&body)),
            (400, vec!["price".to_string()])
        );
    }

    async fn restart_keeps_every_product_with_its_id_and_never_reuses_ids() {
        let mut server = TestServer::start().await;
        for n in 1..=3 {
            server.create(&product(n)).await;
        }
        server.send("DELETE", "/api/products/3", "").await;
        let before = server.get("/api/products").await.1;

        server.restart().await;
        assert_eq!(server.get("/api/products").await.1, before);
        assert_eq!(
            server.create(&product(4)).await["id"],
            4,
            "id 3 was deleted, not free"
        );
    }

    async fn fifty_concurrent_creates_get_fifty_distinct_ids() {
        let server = TestServer::start().await;
        let bodies: Vec<_> = (0..50).map(product).collect();
        let creates = bodies
            .iter()
            .map(|body| server.post_json("/api/products", body));
        let results = futures::future::join_all(creates).await;
        let mut ids: Vec<u64> = results
            .iter()
            .map(|(status, body)| {
                assert_eq!(*status, 201);
                body["id"].as_u64().unwrap()
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 50);
        assert_eq!(server.count("/api/products").await, 50);
    }

    async fn twenty_concurrent_creates_with_one_code_give_one_201() {
        let server = TestServer::start().await;
        let body = product(7);
        let results =
            futures::future::join_all((0..20).map(|_| server.post_json("/api/products", &body))).await;
        let created = results.iter().filter(|(status, _)| *status == 201).count();
        let conflicts = results.iter().filter(|(status, _)| *status == 409).count();
        assert_eq!((created, conflicts), (1, 19));
        assert_eq!(server.count("/api/products").await, 1);
    }

    async fn a_fresh_data_directory_starts_with_examples_unless_told_otherwise() {
        let server = TestServer::start_with(&[("SEED_EXAMPLES", "true")]).await;
        let (_, list) = server.get("/api/products").await;
        assert!(
            !list.as_array().unwrap().is_empty(),
            "examples make the first run look alive"
        );
    }

    async fn home_page_is_server_rendered_and_health_answers() {
        let server = TestServer::start().await;
        server.create(&json!({
            "title": "<script>alert(1)</script>", "description": "d", "code": "X1", "price": 1, "stock": 1, "category": "c"
        }))
        .await;
        let html = server.page("/").await;
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "user text is escaped"
        );
        assert!(!html.contains("<script>alert(1)"));
        assert_eq!(server.get("/healthz").await.0, 200);
        assert_eq!(
            server.get("/readyz").await,
            (200, serde_json::json!({"status": "ready"})),
            "the store answers: ready"
        );
        let missing = server
            .http
            .get(server.url("/no-such-page"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 404);
    }

    async fn responses_are_compressed_when_the_client_accepts_it() {
        let server = TestServer::start_with(&[("SEED_EXAMPLES", "true")]).await;
        let response = server
            .http
            .get(server.url("/"))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("br")
        );
    }

    async fn the_nul_character_is_refused_in_every_text_field() {
        let server = TestServer::start().await;
        for field in ["title", "description", "code", "category"] {
            let mut bad = product(1);
            bad[field] = serde_json::json!("a\u{0}b");
            let (status, body) = server.post_json("/api/products", &bad).await;
            assert_eq!(status, 400, "{field}");
            assert!(body["fields"][field].is_string(), "{field}: {body}");
        }
        let mut bad = product(1);
        bad["thumbnails"] = serde_json::json!(["https://example.com/a\u{0}.png"]);
        let (status, body) = server.post_json("/api/products", &bad).await;
        assert_eq!(status, 400);
        assert!(body["fields"]["thumbnails"].is_string(), "{body}");
        server.create(&product(1)).await;
        let (status, body) = server
            .send("PUT", "/api/products/1", r#"{"title": "x\u0000y"}"#)
            .await;
        assert_eq!(status, 400);
        assert!(body["fields"]["title"].is_string(), "{body}");
        assert_eq!(server.count("/api/products").await, 1);
    }
}

on_each_store! {
    async fn thumbnails_are_capped() {
        let server = TestServer::start().await;
        let mut many = product(1);
        many["thumbnails"] = json!((0..11)
            .map(|n| format!("https://example.com/{n}.png"))
            .collect::<Vec<_>>());
        let (status, body) = server.post_json("/api/products", &many).await;
        assert_eq!(status, 400);
        assert!(body["fields"]["thumbnails"].is_string(), "{body}");
        let mut long = product(1);
        long["thumbnails"] = json!([format!("https://example.com/{}", "x".repeat(2030))]);
        let (status, body) = server.post_json("/api/products", &long).await;
        assert_eq!(status, 400);
        assert!(body["fields"]["thumbnails"].is_string(), "{body}");
        let mut most = product(1);
        most["thumbnails"] = json!((0..10)
            .map(|n| format!("https://example.com/{n}/{}", "x".repeat(2000)))
            .collect::<Vec<_>>());
        assert_eq!(server.post_json("/api/products", &most).await.0, 201);
    }
}
