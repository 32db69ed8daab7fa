//! Catalog files: `GET /api/products.csv` and `POST /api/products/import`, on both stores.

mod support;

use serde_json::{json, Value};
use support::{on_each_store, product, TestServer};

async fn import(server: &TestServer, csv: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = server
        .http
        .post(server.url("/api/products/import"))
        .header("content-type", "text/csv")
        .body(csv.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_each_store! {
    async fn export_then_import_is_a_round_trip() {
        let server = TestServer::start().await;
        let mut tricky = product(1);
        tricky["title"] = json!("Regla, \"grande\"");
        tricky["description"] = json!("dos\nlíneas");
        tricky["thumbnails"] = json!(["/a.png", "https://b.example/b.png"]);
        let first = server.create(&tricky).await;
        let second = server.create(&product(2)).await;
        let file = server.catalog_file().await;
        assert!(file.starts_with("id,title,description,code,price,status,stock,category,thumbnails\n"));

        // Into an empty server: the same products (with its own ids).
        let other = TestServer::start().await;
        assert_eq!(
            import(&other, &file, &[]).await,
            (200, json!({"created": 2, "updated": 0}))
        );
        let (_, copied) = other.get("/api/products").await;
        for (copy, original) in copied.as_array().unwrap().iter().zip([&first, &second]) {
            let mut copy = copy.clone();
            copy["id"] = original["id"].clone();
            assert_eq!(&copy, original);
        }
        // Into the same server again: every code is known, so every product is updated in place.
        assert_eq!(
            import(&server, &file, &[]).await,
            (200, json!({"created": 0, "updated": 2}))
        );
        assert_eq!(server.get("/api/products").await.1, json!([first, second]));
    }

    async fn an_import_creates_unknown_codes_and_updates_known_ones_with_columns_in_any_order() {
        let server = TestServer::start().await;
        let kept = server.create(&product(1)).await;
        let mut socket = server.socket("/ws/products").await;
        socket.next_json().await;
        let csv = "price,code,stock,title,category,description\n\
                   99.5,P-0001,7,Nuevo título,c,d\n\
                   10,NUEVO-1,1,Otro,c,d\n";
        assert_eq!(
            import(&server, csv, &[]).await,
            (200, json!({"created": 1, "updated": 1}))
        );
        let (_, updated) = server.get("/api/products/1").await;
        assert_eq!(updated["title"], "Nuevo título");
        assert_eq!(updated["price"], 99.5);
        assert_eq!(updated["status"], kept["status"], "no status column: kept");
        assert_eq!(
            updated["thumbnails"], kept["thumbnails"],
            "no thumbnails column: kept"
        );
        let (_, created) = server.get("/api/products/2").await;
        assert_eq!(
            (created["code"].clone(), created["status"].clone()),
            (json!("NUEVO-1"), json!(true))
        );
        // The open socket hears both changes as events.
        assert_eq!(socket.next_json().await["type"], "updated");
        let added = socket.next_json().await;
        assert_eq!(
            (added["type"].clone(), added["product"].clone()),
            (json!("added"), created)
        );
    }

    async fn a_file_with_any_invalid_row_changes_nothing_and_names_lines_and_fields() {
        let server = TestServer::start().await;
        let csv = "title,description,code,price,stock,category,status\n\
                   Bien,d,A-1,1,1,c,true\n\
                   ,d,A-2,-3,1,c,quizás\n\
                   Repetido,d,A-1,1,1,c,false\n";
        let (status, body) = import(&server, csv, &[]).await;
        assert_eq!(status, 400);
        assert!(body["error"].is_string());
        let rows = body["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{body}");
        assert_eq!(rows[0]["line"], 3);
        for field in ["title", "price", "status"] {
            assert!(rows[0]["fields"][field].is_string(), "{field}: {body}");
        }
        assert_eq!(rows[1]["line"], 4);
        assert!(rows[1]["fields"]["code"].is_string());
        assert_eq!(server.count("/api/products").await, 0, "nothing imported");

        let (status, body) = import(&server, "title,code\nx,y\n", &[]).await;
        assert_eq!(status, 400, "missing columns: {body}");
    }

    async fn only_staff_may_import_and_anyone_may_export() {
        let server = TestServer::start_with(&[("STAFF_PASSWORD", "clave")]).await;
        let csv = "title,description,code,price,stock,category\nT,D,C-1,1,1,c\n";
        let (status, body) = import(&server, csv, &[]).await;
        assert_eq!(status, 401);
        assert!(body["error"].is_string());
        assert_eq!(server.count("/api/products").await, 0);
        let (status, _) = import(&server, csv, &[("authorization", "Bearer clave")]).await;
        assert_eq!(status, 200);
        assert!(server.catalog_file().await.contains("C-1"));
    }

    async fn a_large_import_reaches_open_sockets_as_one_fresh_snapshot() {
        let server = TestServer::start().await;
        let mut socket = server.socket("/ws/products").await;
        let first = socket.next_json().await;
        // The live page's kind of socket: its snapshot after the import holds its first 60 only.
        let mut paged = server.socket("/ws/products?limit=60").await;
        paged.next_json().await;
        let mut csv = String::from("title,description,code,price,stock,category\n");
        for n in 0..1500 {
            csv.push_str(&format!(
                "Producto {n},Descripción,COD-{n},{n}.5,{n},varios\n"
            ));
        }
        assert_eq!(
            import(&server, &csv, &[]).await,
            (200, json!({"created": 1500, "updated": 0}))
        );
        let snapshot = socket.next_json().await;
        assert_eq!(snapshot["type"], "snapshot");
        assert_eq!(snapshot["products"].as_array().unwrap().len(), 1500);
        assert_eq!(snapshot["total"], 1500);
        let snapshot = paged.next_json().await;
        assert_eq!(snapshot["type"], "snapshot");
        assert_eq!(snapshot["products"].as_array().unwrap().len(), 60);
        assert_eq!(snapshot["products"][59]["code"], "COD-59");
        assert_eq!(snapshot["total"], 1500);
        // A socket resuming from before the import is sent a snapshot too.
        let query = format!(
            "?since={}&epoch={}",
            first["seq"],
            first["epoch"].as_str().unwrap()
        );
        let mut resumed = server
            .socket(&format!("/ws/products{query}&limit=10"))
            .await;
        let frame = resumed.next_json().await;
        assert_eq!(frame["type"], "snapshot");
        assert_eq!(frame["total"], 1500);
    }
}
