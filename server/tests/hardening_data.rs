//! What the server keeps on its machine, as an operator sets it up: the files and directories
//! it creates in `DATA_DIR` are readable by its own user only, and the staff password can come
//! from a file (`STAFF_PASSWORD_FILE`, its first line), which must exist and may not be given
//! together with `STAFF_PASSWORD`.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use reqwest::header::{AUTHORIZATION, LOCATION, SET_COOKIE};
use serde_json::json;
use support::staff::login;
use support::{on_each_store, on_sqlite, product, TestServer};

/// The permission bits of `path`.
fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file and directory under `dir`, with its permission bits.
fn modes_under(dir: &Path) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push((path.display().to_string(), mode(&path)));
        if path.is_dir() {
            found.extend(modes_under(&path));
        }
    }
    found
}

/// Writes a product and a message, so the database and its journal hold something.
async fn write_something(server: &TestServer) {
    server.create(&product(1)).await;
    let message = json!({"email": "ana@example.com", "text": "hola"});
    assert_eq!(server.post_json("/api/messages", &message).await.0, 201);
}

on_sqlite! {
    async fn the_data_dir_and_the_files_the_server_creates_are_its_users_alone() {
        let parent = tempfile::tempdir().unwrap();
        let shop = parent.path().join("tienda");
        let dir = shop.join("datos");
        let server = TestServer::start_with(&[("DATA_DIR", dir.to_str().unwrap())]).await;
        write_something(&server).await;
        for made in [&shop, &dir] {
            assert_eq!(mode(made), 0o700, "{}", made.display());
        }
        let found = modes_under(&dir);
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert!(
            found.len() >= 3 && names.iter().any(|name| name.ends_with("-wal")),
            "the database, its journal and the lock at least: {names:?}"
        );
        for (name, bits) in &found {
            let wanted = if Path::new(name).is_dir() { 0o700 } else { 0o600 };
            assert_eq!(*bits, wanted, "{name}: {bits:o}");
        }

        // A directory that exists already keeps its mode; what the server creates in it is
        // still its own.
        let existing = parent.path().join("existente");
        std::fs::create_dir(&existing).unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o755)).unwrap();
        let server = TestServer::start_with(&[("DATA_DIR", existing.to_str().unwrap())]).await;
        write_something(&server).await;
        assert_eq!(mode(&existing), 0o755);
        let found = modes_under(&existing);
        assert!(found.len() >= 3, "{found:?}");
        for (name, bits) in &found {
            let wanted = if Path::new(name).is_dir() { 0o700 } else { 0o600 };
            assert_eq!(*bits, wanted, "{name}: {bits:o}");
        }
    }
}

on_each_store! {
    async fn the_first_line_of_staff_password_file_is_the_password() {
        let secrets = tempfile::tempdir().unwrap();
        let path = secrets.path().join("staff_password");
        // As a secret is often written: a line end (CRLF here), and maybe more after it.
        std::fs::write(&path, "secreto-del-archivo\r\notra-linea\n").unwrap();
        let server =
            TestServer::start_with(&[("STAFF_PASSWORD_FILE", path.to_str().unwrap())]).await;

        let anonymous = server.post_json("/api/products", &product(1)).await.0;
        assert_eq!(anonymous, 401, "staff access is on");
        for (token, expected) in [
            ("otra-linea", 401),
            ("secreto-del-archivo otra-linea", 401),
            ("secreto-del-archivo", 201),
        ] {
            let response = server
                .http
                .post(server.url("/api/products"))
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .json(&product(1))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), expected, "Bearer {token:?}");
        }
        let wrong = login(&server, "otra-linea", "/chat").await;
        assert_eq!(wrong.status(), 401);
        assert!(wrong.headers().get(SET_COOKIE).is_none());
        let right = login(&server, "secreto-del-archivo", "/chat").await;
        assert_eq!(right.status(), 303);
        assert_eq!(right.headers()[LOCATION], "/chat");
        assert!(right.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("tiempo_real_staff="));
    }
}

/// Starts a server with `env` that must not start: what it printed, with how it exited.
async fn refused_start(env: &[(&str, &str)]) -> String {
    let mut server = TestServer::prepared(env).await;
    server
        .launch()
        .await
        .expect_err("the server must not start")
}

on_sqlite! {
    async fn a_missing_or_empty_password_file_or_two_passwords_stop_the_start_with_exit_code_2() {
        let secrets = tempfile::tempdir().unwrap();
        let missing = secrets.path().join("no-existe");
        let output = refused_start(&[("STAFF_PASSWORD_FILE", missing.to_str().unwrap())]).await;
        assert!(output.contains("exited with exit status: 2"), "{output}");
        assert!(output.contains("STAFF_PASSWORD_FILE"), "names the setting: {output}");
        assert!(!output.contains("panicked"), "{output}");

        // A secret mounted empty does not open the catalog to everyone.
        let empty = secrets.path().join("vacio");
        std::fs::write(&empty, "\n").unwrap();
        let output = refused_start(&[("STAFF_PASSWORD_FILE", empty.to_str().unwrap())]).await;
        assert!(output.contains("exited with exit status: 2"), "{output}");
        assert!(output.contains("STAFF_PASSWORD_FILE"), "names the setting: {output}");

        let present = secrets.path().join("clave");
        std::fs::write(&present, "clave-del-archivo\n").unwrap();
        let output = refused_start(&[
            ("STAFF_PASSWORD", "otra-clave"),
            ("STAFF_PASSWORD_FILE", present.to_str().unwrap()),
        ])
        .await;
        assert!(output.contains("exited with exit status: 2"), "{output}");
        assert!(output.contains("STAFF_PASSWORD_FILE"), "names the setting: {output}");
        assert!(!output.contains("panicked"), "{output}");
    }
}
