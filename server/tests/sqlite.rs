//! What only the embedded store does: one SQLite file in `DATA_DIR`, the import of an older
//! version's data directory, and one server per directory. (The other suites run against both
//! stores; see `scripts/test.sh`.)

mod support;

use serde_json::json;
use support::{on_sqlite, product, TestServer};

/// An older version's data directory: two products (ids 3 and 7, `next_id` 50) and two
/// messages (ids 2 and 5).
fn write_old_files(server: &TestServer) {
    let products = json!({"next_id": 50, "products": [
        {"id": 7, "title": "Regla", "description": "30 cm", "code": "R-7", "price": 10.5,
         "status": true, "stock": 3, "category": "utiles", "thumbnails": []},
        {"id": 3, "title": "Escuadra", "description": "Triangular", "code": "E-3", "price": 123.45,
         "status": false, "stock": 0, "category": "utiles", "thumbnails": ["/a.png"]},
    ]});
    std::fs::write(server.data_file("products.json"), products.to_string()).unwrap();
    let chat = [
        json!({"id": 2, "email": "ana@example.com", "text": "hola", "sent_at": "2026-11-21T23:59:06.123Z"}),
        json!({"id": 5, "email": "bo@example.com", "text": "chau", "sent_at": "2026-11-22T00:00:01.000Z"}),
    ];
    let lines: String = chat.iter().map(|m| format!("{m}\n")).collect();
    std::fs::write(server.data_file("chat.jsonl"), lines).unwrap();
}

fn ids(list: &serde_json::Value) -> Vec<u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect()
}

on_sqlite! {
    async fn keeps_everything_in_one_sqlite_file() {
        let mut server = TestServer::start_on(None, &[]).await;
        server.create(&product(1)).await;
        assert!(server.data_file("tiempo-real.db").is_file());
        assert!(!server.data_file("products.json").exists());
        server.restart().await;
        assert_eq!(ids(&server.get("/api/products").await.1), [1]);
    }

    async fn an_older_data_directory_is_imported_once_with_its_ids() {
        let mut server = TestServer::new(None, &[]);
        write_old_files(&server);
        server.launch().await.expect("starts on the old files");

        let (_, products) = server.get("/api/products").await;
        assert_eq!(ids(&products), [3, 7]);
        assert_eq!(products[0]["price"], 123.45);
        assert_eq!(products[0]["status"], false);
        assert_eq!(products[0]["thumbnails"], json!(["/a.png"]));
        let (_, messages) = server.get("/api/messages").await;
        assert_eq!(ids(&messages), [2, 5]);
        assert_eq!(messages[0]["sent_at"], "2026-11-21T23:59:06.123Z");

        // New ids come after the old ones and after `next_id`.
        assert_eq!(server.create(&product(1)).await["id"], 50);
        let (status, message) = server
            .post_json(
                "/api/messages",
                &json!({"email": "ana@example.com", "text": "nuevo"}),
            )
            .await;
        assert_eq!((status, message["id"].as_u64()), (201, Some(6)));

        // The files are set aside, and a restart imports nothing again.
        for name in ["products.json", "chat.jsonl"] {
            assert!(!server.data_file(name).exists(), "{name} renamed");
            assert!(server.data_file(&format!("{name}.imported")).is_file());
        }
        server.restart().await;
        assert_eq!(ids(&server.get("/api/products").await.1), [3, 7, 50]);
        assert_eq!(ids(&server.get("/api/messages").await.1), [2, 5, 6]);
    }

    async fn a_plain_list_of_products_is_imported_too() {
        let mut server = TestServer::new(None, &[]);
        let list = json!([{"id": 4, "title": "T", "description": "D", "code": "C-4", "price": 1,
            "status": true, "stock": 1, "category": "c", "thumbnails": []}]);
        std::fs::write(server.data_file("products.json"), list.to_string()).unwrap();
        server.launch().await.expect("starts on a plain list");
        assert_eq!(ids(&server.get("/api/products").await.1), [4]);
        assert_eq!(server.create(&product(1)).await["id"], 5);
    }

    async fn a_damaged_old_file_stops_start_up_naming_it_and_imports_nothing() {
        let mut server = TestServer::new(None, &[]);
        write_old_files(&server);
        std::fs::write(
            server.data_file("products.json"),
            b"{\"next_id\": 2, \"products\": [",
        )
        .unwrap();
        let output = server
            .launch()
            .await
            .expect_err("a damaged catalog stops start-up");
        assert!(output.contains("products.json"), "names the file: {output}");
        assert!(
            server.data_file("products.json").exists(),
            "left for a person to look at"
        );
        assert!(server.data_file("chat.jsonl").exists(), "nothing imported");

        // The chat log damaged on its second line instead.
        write_old_files(&server);
        let chat = server.data_file("chat.jsonl");
        let first = std::fs::read_to_string(&chat)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        std::fs::write(&chat, format!("{first}\n{{garbage\n")).unwrap();
        let output = server
            .launch()
            .await
            .expect_err("a damaged chat log stops start-up");
        assert!(
            output.contains("chat.jsonl") && output.contains("line 2"),
            "{output}"
        );
        assert!(
            server.data_file("products.json").exists(),
            "nothing imported"
        );
    }

    async fn a_second_server_on_the_same_directory_refuses_to_start() {
        let first = TestServer::start_on(None, &[]).await;
        let mut second = TestServer::new(None, &[]);
        second.data = first.data.clone();
        let output = second.launch().await.expect_err("the directory is taken");
        assert!(
            output.contains("in use"),
            "says the directory is in use: {output}"
        );
        // The first one goes on serving.
        assert_eq!(first.create(&product(1)).await["id"], 1);
    }
}
