//! Staff accounts (the contract's "Staff accounts"): the `server staff` commands beside a
//! running server, logins by account, sessions the server ends, API tokens, and the roles on
//! HTTP, sockets and the plain forms.

mod support;

use serde_json::{json, Value};
use support::staff::{add_account, browser, log_in, log_in_as, shop, staff_command, PASSWORD};
use support::{on_each_store, on_postgres, pg, product, Socket, TestServer};

/// Runs one statement on `server`'s store, as an operator's SQL client would beside it.
async fn execute(server: &TestServer, statement: &str) -> u64 {
    use sqlx::Connection;
    match &server.database_url {
        Some(url) => pg::execute(url, statement).await,
        None => {
            let file = server.data_file(server::store::DATABASE_FILE);
            let mut connection =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
                    .await
                    .expect("the database file opens");
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .expect(statement)
                .rows_affected()
        }
    }
}

const ANA: &str = "ana@tienda.com";
const EVA: &str = "eva@tienda.com";
const MOD: &str = "mod@tienda.com";
const SECRET: &str = "una clave larga de verdad";

/// A server started with staff access off, then given an admin (Ana), an editor (Eva) and a
/// moderator on the command line while it runs.
async fn team() -> TestServer {
    let server = TestServer::start().await;
    add_account(&server, ANA, "admin", SECRET);
    add_account(&server, EVA, "editor", SECRET);
    add_account(&server, MOD, "moderator", SECRET);
    server
}

/// A product socket opened with `cookie`, past its snapshot.
async fn products_socket(server: &TestServer, cookie: &str) -> Socket {
    let mut socket = server
        .socket_with("/ws/products", &[("cookie", cookie)])
        .await;
    assert_eq!(socket.next_json().await["type"], "snapshot");
    socket
}

/// Asks `socket` to add product `n`: the event it gets back.
async fn add_over(socket: &mut Socket, n: usize) -> Value {
    socket
        .send_json(json!({ "type": "add", "ref": format!("r{n}"), "product": product(n) }))
        .await;
    socket.next_json().await
}

on_each_store! {
    async fn the_commands_manage_accounts_beside_a_running_server() {
        let server = TestServer::start().await;
        // Staff access is off: anyone may edit, until the first account exists.
        assert_eq!(server.post_json("/api/products", &product(1)).await.0, 201);

        let added = staff_command(&server, &["add", "Ana@Tienda.com", "--role", "admin"], &format!("{SECRET}\n"));
        assert!(added.success, "{}", added.stderr);
        assert_eq!(server.post_json("/api/products", &product(2)).await.0, 401, "staff access on at once");

        for (args, stdin, problem) in [
            (vec!["add", "ana@tienda.com", "--role", "editor"], format!("{SECRET}\n"), "exists already"),
            (vec!["add", "eva@tienda.com", "--role", "editor"], "corta\n".to_string(), "password"),
            (vec!["add", "eva@tienda.com", "--role", "owner"], format!("{SECRET}\n"), "role"),
            (vec!["add", "eva", "--role", "editor"], format!("{SECRET}\n"), "email"),
            (vec!["add", "eva@tienda.com", "--role", "editor"], String::new(), "standard input"),
            (vec!["remove", "nadie@tienda.com"], String::new(), "no account"),
            (vec!["remove", "ana@tienda.com"], String::new(), "last admin"),
            (vec!["password", "ana@tienda.com"], "corta\n".to_string(), "password"),
            (vec!["token", "nadie@tienda.com"], String::new(), "no account"),
        ] {
            let ran = staff_command(&server, &args, &stdin);
            assert!(!ran.success, "{args:?} should fail");
            assert!(ran.stderr.contains(problem), "{args:?}: {}", ran.stderr);
        }
        add_account(&server, EVA, "editor", SECRET);
        let listed = staff_command(&server, &["list"], "");
        assert!(listed.success);
        assert_eq!(listed.stdout, format!("{ANA} admin\n{EVA} editor\n"), "nothing else was stored");

        // A token, shown once on the last line, acts as its account.
        let ran = staff_command(&server, &["token", EVA], "");
        let token = ran.stdout.lines().last().unwrap().to_string();
        assert!(token.len() >= 22, "at least 128 bits: {token}");
        let (status, created) = server.send_with_token("POST", "/api/products", &product(3), &token).await;
        assert_eq!(status, 201, "{created}");
        let path = format!("/api/products/{}/history", created["id"]);
        let (_, history) = server.send_with_token("GET", &path, &Value::Null, &token).await;
        assert_eq!(history[0]["actor"], EVA);
        // A new password ends the token at once; so does a new token, for the old one.
        let ran = staff_command(&server, &["password", EVA], "otra clave larga de verdad\n");
        assert!(ran.success, "{}", ran.stderr);
        assert_eq!(server.send_with_token("POST", "/api/products", &product(4), &token).await.0, 401);
        let first = staff_command(&server, &["token", EVA], "").stdout.lines().last().unwrap().to_string();
        let second = staff_command(&server, &["token", EVA], "").stdout.lines().last().unwrap().to_string();
        assert_eq!(server.send_with_token("POST", "/api/products", &product(5), &first).await.0, 401);
        assert_eq!(server.send_with_token("POST", "/api/products", &product(5), &second).await.0, 201);
        let ran = staff_command(&server, &["remove", EVA], "");
        assert!(ran.success, "{}", ran.stderr);
        assert_eq!(server.send_with_token("POST", "/api/products", &product(6), &second).await.0, 401);
    }

    async fn a_login_is_a_session_the_server_ends() {
        let server = team().await;
        let wrong = browser()
            .post(server.url("/login"))
            .form(&[("email", EVA), ("password", "no es la clave")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert!(wrong.headers().get("set-cookie").is_none());
        let unknown = browser()
            .post(server.url("/login"))
            .form(&[("email", "nadie@tienda.com"), ("password", SECRET)])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 401);

        let cookie = log_in_as(&server, "EVA@tienda.com", SECRET).await;
        let token = cookie.split_once('=').unwrap().1;
        assert!(token.len() >= 22 && !token.contains(EVA), "only a random token: {cookie}");
        let (status, _) = server.send_with_cookie("POST", "/api/products", &product(1), &cookie).await;
        assert_eq!(status, 201);
        let page = server.page_with_cookie("/realtimeproducts", &cookie).await;
        assert!(page.contains(EVA) && page.contains("Salir"), "the header says who is in");

        let logout = browser()
            .post(server.url("/logout"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(logout.status(), 303);
        // The copied cookie is dead: the server forgot the session.
        let (status, _) = server.send_with_cookie("POST", "/api/products", &product(2), &cookie).await;
        assert_eq!(status, 401);
        assert!(!server.page_with_cookie("/realtimeproducts", &cookie).await.contains(EVA));
    }

    async fn each_role_does_its_own_work_and_no_other() {
        let server = team().await;
        let (admin, editor, moderator) = (
            log_in_as(&server, ANA, SECRET).await,
            log_in_as(&server, EVA, SECRET).await,
            log_in_as(&server, MOD, SECRET).await,
        );
        let (_, message) = server.post_json("/api/messages", &json!({ "email": "x@y.com", "text": "hola" })).await;
        let message = format!("/api/messages/{}", message["id"]);

        // No credentials: 401. Credentials without the role: 403.
        assert_eq!(server.post_json("/api/products", &product(1)).await.0, 401);
        let (status, body) = server.send_with_cookie("POST", "/api/products", &product(1), &moderator).await;
        assert_eq!(status, 403, "{body}");
        assert!(body["error"].as_str().unwrap().contains("rol"), "{body}");
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(1), &editor).await.0, 201);
        assert_eq!(server.send_with_cookie("GET", "/api/products/1/history", &Value::Null, &moderator).await.0, 403);
        assert_eq!(server.send_with_cookie("GET", "/api/products/1/history", &Value::Null, &editor).await.0, 200);
        assert_eq!(server.send_with_cookie("DELETE", &message, &Value::Null, &editor).await.0, 403);
        assert_eq!(server.send("DELETE", &message, "").await.0, 401);
        assert_eq!(server.send_with_cookie("DELETE", &message, &Value::Null, &moderator).await.0, 200);
        for cookie in [&editor, &moderator] {
            assert_eq!(server.send_with_cookie("GET", "/api/staff", &Value::Null, cookie).await.0, 403);
        }
        assert_eq!(server.get("/api/staff").await.0, 401);

        // A moderator's plain form post changes nothing.
        let form = browser()
            .post(server.url("/realtimeproducts/products"))
            .header("cookie", &moderator)
            .form(&[("title", "X"), ("code", "X-1"), ("price", "1"), ("stock", "1"), ("category", "c"), ("description", "d")])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 303);
        assert_eq!(server.count("/api/products").await, 1);

        // The admin manages the team.
        let (status, listed) = server.send_with_cookie("GET", "/api/staff", &Value::Null, &admin).await;
        assert_eq!(status, 200);
        assert_eq!(listed, json!([
            { "email": ANA, "role": "admin" },
            { "email": EVA, "role": "editor" },
            { "email": MOD, "role": "moderator" },
        ]));
        let new = json!({ "email": "Leo@Tienda.com", "role": "editor", "password": SECRET });
        let (status, added) = server.send_with_cookie("POST", "/api/staff", &new, &admin).await;
        assert_eq!((status, added), (201, json!({ "email": "leo@tienda.com", "role": "editor" })));
        assert_eq!(server.send_with_cookie("POST", "/api/staff", &new, &admin).await.0, 409);
        let bad = json!({ "email": "leo", "role": "jefe", "password": "corta" });
        let (status, refused) = server.send_with_cookie("POST", "/api/staff", &bad, &admin).await;
        assert_eq!(status, 400);
        for field in ["email", "role", "password"] {
            assert!(refused["fields"][field].is_string(), "{refused}");
        }
        assert_eq!(server.send_with_cookie("DELETE", "/api/staff/ana@tienda.com", &Value::Null, &admin).await.0, 409, "the last admin");
        assert_eq!(server.send_with_cookie("DELETE", "/api/staff/nadie@tienda.com", &Value::Null, &admin).await.0, 404);
        assert_eq!(server.send_with_cookie("DELETE", "/api/staff/EVA@tienda.com", &Value::Null, &admin).await.0, 200);
        // Removed, Eva's session ends at once.
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(2), &editor).await.0, 401);
        let page = server.page_with_cookie("/staff", &admin).await;
        assert!(page.contains("leo@tienda.com") && !page.contains(EVA), "the team page lists the accounts");
    }

    async fn a_socket_loses_its_rights_when_its_session_ends() {
        let server = team().await;
        let cookie = log_in_as(&server, EVA, SECRET).await;
        let mut socket = products_socket(&server, &cookie).await;
        assert_eq!(add_over(&mut socket, 1).await["type"], "added");
        let logout = browser().post(server.url("/logout")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(logout.status(), 303);
        let refused = add_over(&mut socket, 2).await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["ref"], "r2");

        // The same when the account is removed on the command line.
        let cookie = log_in_as(&server, EVA, SECRET).await;
        let mut socket = products_socket(&server, &cookie).await;
        assert_eq!(add_over(&mut socket, 3).await["type"], "added");
        assert!(staff_command(&server, &["remove", EVA], "").success);
        assert_eq!(add_over(&mut socket, 4).await["type"], "error");
        assert_eq!(server.count("/api/products").await, 2);
    }

    async fn a_session_in_use_ends_at_once_when_the_command_line_changes_the_password() {
        let server = team().await;
        let cookie = log_in_as(&server, EVA, SECRET).await;
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(1), &cookie).await.0, 201);
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(2), &cookie).await.0, 201);
        let ran = staff_command(&server, &["password", EVA], "otra clave larga de verdad\n");
        assert!(ran.success, "{}", ran.stderr);
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(3), &cookie).await.0, 401);
    }

    async fn a_session_ends_twelve_hours_after_its_login() {
        let server = team().await;
        let cookie = log_in_as(&server, EVA, SECRET).await;
        // Twelve hours pass, as far as the stored session knows (before its first use: a
        // server remembers what it has looked up, with the end it read then).
        let moved = execute(&server, "UPDATE staff_credentials SET expires_at = expires_at - 12 * 3600 WHERE kind = 'session'").await;
        assert_eq!(moved, 1);
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(1), &cookie).await.0, 401);
        let cookie = log_in_as(&server, EVA, SECRET).await;
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(2), &cookie).await.0, 201);
    }

    async fn the_shared_password_still_works_as_an_admin_named_staff() {
        let server = shop().await;
        add_account(&server, EVA, "editor", SECRET);
        let cookie = log_in(&server).await;
        let (status, _) = server.send_with_cookie("POST", "/api/products", &product(1), &cookie).await;
        assert_eq!(status, 201);
        let (_, history) = server.send_with_token("GET", "/api/products/1/history", &Value::Null, PASSWORD).await;
        assert_eq!(history[0]["actor"], "staff");
        assert_eq!(server.send_with_cookie("GET", "/api/staff", &Value::Null, &cookie).await.0, 200);
        let page = server.page_with_cookie("/realtimeproducts", &cookie).await;
        assert!(page.contains("Salir"));
        let logout = browser().post(server.url("/logout")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(logout.status(), 303);
        assert_eq!(server.send_with_cookie("POST", "/api/products", &product(2), &cookie).await.0, 401);
    }
}

on_postgres! {
    async fn a_logout_or_a_removal_reaches_the_sockets_of_every_instance() {
        let a = team().await;
        let b = a.sibling().await;
        let cookie = log_in_as(&a, EVA, SECRET).await;
        let mut on_b = products_socket(&b, &cookie).await;
        assert_eq!(add_over(&mut on_b, 1).await["type"], "added");
        let logout = browser().post(a.url("/logout")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(logout.status(), 303);
        assert_eq!(add_over(&mut on_b, 2).await["type"], "error", "logged out on A, refused on B");

        let cookie = log_in_as(&b, EVA, SECRET).await;
        let mut on_a = products_socket(&a, &cookie).await;
        let admin = log_in_as(&b, ANA, SECRET).await;
        assert_eq!(b.send_with_cookie("DELETE", &format!("/api/staff/{EVA}"), &Value::Null, &admin).await.0, 200);
        assert_eq!(add_over(&mut on_a, 3).await["type"], "error", "removed on B, refused on A");
        assert_eq!(a.send_with_cookie("POST", "/api/products", &product(4), &cookie).await.0, 401);
    }

}
