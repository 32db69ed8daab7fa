//! Staff access (`STAFF_PASSWORD`): what visitors and staff may do, over HTTP, sockets and the
//! plain forms, against the real server.

mod support;

use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use serde_json::{json, Value};
use support::staff::{browser, log_in, shop, PASSWORD};
use support::{current_store, on_each_store, product, Store, TestServer};

/// Posts the login form with `password`, as the client `forwarded_for` names (through a proxy
/// on this machine) or as the test itself.
async fn attempt_login(
    server: &TestServer,
    password: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = browser()
        .post(server.url("/login"))
        .form(&[("password", password), ("next", "/realtimeproducts")]);
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    request.send().await.unwrap()
}

async fn create_with(
    server: &TestServer,
    headers: &[(reqwest::header::HeaderName, &str)],
) -> (u16, Value) {
    let mut request = server
        .http
        .post(server.url("/api/products"))
        .json(&product(1));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

on_each_store! {
    async fn visitors_read_and_chat_but_cannot_change_the_catalog_over_http() {
        let server = shop().await;
        for (method, path) in [
            ("POST", "/api/products"),
            ("PUT", "/api/products/1"),
            ("DELETE", "/api/products/1"),
        ] {
            let (status, body) = server.send(method, path, &product(1).to_string()).await;
            assert_eq!(status, 401, "{method} {path}: {body}");
            assert!(
                body["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("personal")),
                "{body}"
            );
        }
        let response = server
            .http
            .post(server.url("/api/products"))
            .json(&product(1))
            .send()
            .await
            .unwrap();
        assert!(response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        // Reading, the pages and the chat stay open.
        assert_eq!(server.get("/api/products").await, (200, json!([])));
        let (status, _) = server
            .post_json(
                "/api/messages",
                &json!({"email": "ana@example.com", "text": "hola"}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(
            server
                .http
                .get(server.url("/realtimeproducts"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }

    async fn the_bearer_password_lets_an_api_client_change_the_catalog() {
        let server = shop().await;
        let bearer = format!("Bearer {PASSWORD}");
        let (status, made) = create_with(&server, &[(AUTHORIZATION, &bearer)]).await;
        assert_eq!(status, 201, "{made}");
        let (status, _) = create_with(&server, &[(AUTHORIZATION, "Bearer no-es-esta")]).await;
        assert_eq!(status, 401);
        let response = server
            .http
            .delete(server.url("/api/products/1"))
            .header(AUTHORIZATION, &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    async fn a_login_sets_a_session_that_works_until_logout_and_only_from_this_site() {
        let server = shop().await;
        let cookie = log_in(&server).await;
        let own_site = server.origin();
        let (status, _) = create_with(&server, &[(COOKIE, &cookie), (ORIGIN, &own_site)]).await;
        assert_eq!(status, 201, "the session, from this site");
        let (status, _) = create_with(
            &server,
            &[(COOKIE, &cookie), (ORIGIN, "https://otro-sitio.example")],
        )
        .await;
        assert_eq!(status, 401, "the same cookie from another site's page");

        // The plain forms follow the same rule: a foreign page's post changes nothing.
        let form = [
            ("title", "Regla"),
            ("description", "d"),
            ("code", "FORM-1"),
            ("price", "1"),
            ("stock", "1"),
            ("category", "c"),
        ];
        let foreign = browser()
            .post(server.url("/realtimeproducts/products"))
            .header(COOKIE, &cookie)
            .header(ORIGIN, "https://otro-sitio.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 303);
        assert!(foreign.headers()[LOCATION]
            .to_str()
            .unwrap()
            .contains("error="));
        assert_eq!(server.count("/api/products").await, 1);
        let own = browser()
            .post(server.url("/realtimeproducts/products"))
            .header(COOKIE, &cookie)
            .header(ORIGIN, &own_site)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(own.headers()[LOCATION].to_str().unwrap().contains("ok="));
        assert_eq!(server.count("/api/products").await, 2);

        // Logout tells the browser to drop the cookie.
        let out = browser()
            .post(server.url("/logout"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), 303);
        let removal = out.headers()[SET_COOKIE].to_str().unwrap();
        assert!(
            removal.starts_with("tiempo_real_staff=") && removal.contains("Max-Age=0"),
            "{removal}"
        );
    }

    async fn a_wrong_password_sets_no_cookie_and_many_in_a_row_get_429() {
        // Behind a trusted proxy on this machine, which names each client.
        let server = TestServer::start_with(&[
            ("STAFF_PASSWORD", PASSWORD),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ])
        .await;
        let guesser = Some("198.51.100.1");
        for attempt in 1..=5 {
            let response = attempt_login(&server, "adivinanza", guesser).await;
            assert_eq!(response.status(), 401, "attempt {attempt}");
            assert!(response.headers().get(SET_COOKIE).is_none());
            assert!(response
                .text()
                .await
                .unwrap()
                .contains("Contraseña incorrecta"));
        }
        // Locked out now: even the right password waits.
        let locked = attempt_login(&server, PASSWORD, guesser).await;
        assert_eq!(locked.status(), 429);
        assert!(locked.headers().get(SET_COOKIE).is_none());
        // Another client is not.
        let elsewhere = attempt_login(&server, PASSWORD, Some("203.0.113.50")).await;
        assert_eq!(elsewhere.status(), 303);
    }

    async fn product_sockets_need_staff_rights_for_changes_and_stay_open_without_them() {
        let server = shop().await;
        let mut visitor = server.socket("/ws/products").await;
        visitor.next_json().await;
        visitor
            .send_json(json!({"type": "add", "ref": "v1", "product": product(1)}))
            .await;
        let refused = visitor.next_json().await;
        assert_eq!(
            (refused["type"].as_str(), refused["ref"].as_str()),
            (Some("error"), Some("v1"))
        );
        assert!(refused["message"].as_str().unwrap().contains("personal"));
        assert_eq!(server.count("/api/products").await, 0);

        let cookie = log_in(&server).await;
        let own_site = server.origin();
        let mut staff = server
            .socket_with(
                "/ws/products",
                &[("cookie", &cookie), ("origin", &own_site)],
            )
            .await;
        staff.next_json().await;
        staff
            .send_json(json!({"type": "add", "ref": "s1", "product": product(2)}))
            .await;
        let added = staff.next_json().await;
        assert_eq!(added["type"], "added", "{added}");
        // The visitor's socket is still open and live.
        assert_eq!(visitor.next_json().await, added);

        let mut foreign = server
            .socket_with(
                "/ws/products",
                &[
                    ("cookie", &cookie),
                    ("origin", "https://otro-sitio.example"),
                ],
            )
            .await;
        foreign.next_json().await;
        foreign
            .send_json(json!({"type": "remove", "ref": "f1", "id": 1}))
            .await;
        assert_eq!(foreign.next_json().await["ref"], "f1");
        assert_eq!(server.count("/api/products").await, 1);
    }

    async fn a_session_holds_on_every_instance_and_across_restarts_until_the_password_changes() {
        let mut a = shop().await;
        let cookie = log_in(&a).await;
        if matches!(current_store(), Store::Postgres) {
            let b = a.sibling().await;
            let (status, body) = b.send_with_cookie("POST", "/api/products", &product(2), &cookie).await;
            assert_eq!(status, 201, "another instance: {body}");
        }
        a.restart().await;
        assert_eq!(create_with(&a, &[(COOKIE, &cookie)]).await.0, 201, "after a restart");
        a.terminate();
        a.set("STAFF_PASSWORD", "otra-clave-del-local");
        a.launch().await.unwrap();
        assert_eq!(create_with(&a, &[(COOKIE, &cookie)]).await.0, 401, "a new password ends it");
    }

    async fn without_a_password_the_catalog_is_open_and_login_is_not_needed() {
        let server = TestServer::start().await;
        assert_eq!(create_with(&server, &[]).await.0, 201);
        let login = attempt_login(&server, "lo-que-sea", None).await;
        assert_eq!(login.status(), 303);
        assert!(login.headers().get(SET_COOKIE).is_none());
    }

    async fn the_edit_form_of_a_product_beyond_the_first_page_opens_without_javascript() {
        let server = shop().await;
        let bearer = format!("Bearer {PASSWORD}");
        for n in 1..=70 {
            let response = server
                .http
                .post(server.url("/api/products"))
                .header(AUTHORIZATION, &bearer)
                .json(&product(n))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
        let cookie = log_in(&server).await;
        let page = server
            .page_with_cookie("/realtimeproducts?edit=70", &cookie)
            .await;
        // The list starts at product 70 (the first page holds 1 to 60), its form open.
        assert!(
            page.contains(r#"action="/realtimeproducts/products/70""#),
            "no edit form for 70"
        );
        assert!(page.contains("product-form editing"));
        assert!(
            !page.contains(r#"id="product-1""#),
            "the list starts further down"
        );
    }
}
