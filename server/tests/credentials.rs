//! Staff credentials tried from the outside as an attacker would: guessing the password or
//! the token, pretending to be another client, open redirects through `next`, a login or a
//! logout posted from another site, and the session cookie's `Secure`.

mod support;

use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use serde_json::{json, Value};
use support::staff::{browser, login, shop, PASSWORD};
use support::{on_each_store, TestServer};

async fn put_with_bearer(server: &TestServer, token: &str, forwarded_for: &str) -> (u16, Value) {
    let response = server
        .http
        .put(server.url("/api/products/1"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"stock": 3}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

on_each_store! {
    async fn wrong_bearer_tokens_and_passwords_count_together_and_lock_the_client_out() {
        let server = shop().await;
        let (status, _) = put_with_bearer(&server, PASSWORD, "").await;
        assert_eq!(status, 404, "the right token works (no product 1 yet)");
        for _ in 0..3 {
            assert_eq!(put_with_bearer(&server, "guess", "").await.0, 401);
        }
        for _ in 0..2 {
            assert_eq!(login(&server, "guess", "/").await.status(), 401);
        }
        // Five failures in a row: every staff credential is refused now, the right one too.
        let (status, body) = put_with_bearer(&server, PASSWORD, "").await;
        assert_eq!(status, 429);
        assert!(body["error"].is_string(), "{body}");
        let refused = login(&server, PASSWORD, "/").await;
        assert_eq!(refused.status(), 429);
        assert!(refused.headers().get(SET_COOKIE).is_none());
        let body: Value = refused.json().await.unwrap();
        assert!(body["error"].is_string());
        // Reading stays open.
        assert_eq!(server.get("/api/products").await.0, 200);
    }

    async fn a_made_up_x_forwarded_for_does_not_escape_the_lockout() {
        let server = shop().await;
        for n in 0..5 {
            let spoofed = format!("203.0.113.{n}");
            assert_eq!(put_with_bearer(&server, "guess", &spoofed).await.0, 401);
        }
        let (status, _) = put_with_bearer(&server, PASSWORD, "198.51.100.200").await;
        assert_eq!(status, 429, "the header of an untrusted peer names nobody");

        // Behind a trusted proxy the last entry names the client, across every header line.
        let proxied = TestServer::start_with(&[
            ("STAFF_PASSWORD", PASSWORD),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ])
        .await;
        for _ in 0..5 {
            let response = proxied
                .http
                .put(proxied.url("/api/products/1"))
                .header(AUTHORIZATION, "Bearer guess")
                .header("x-forwarded-for", "198.51.100.9")
                .header("x-forwarded-for", "203.0.113.7")
                .json(&json!({"stock": 3}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401);
        }
        assert_eq!(
            put_with_bearer(&proxied, PASSWORD, "203.0.113.7").await.0,
            429
        );
        assert_eq!(
            put_with_bearer(&proxied, PASSWORD, "198.51.100.9").await.0,
            404,
            "another client"
        );
    }

    async fn next_only_ever_leads_to_a_path_of_this_site() {
        let server = shop().await;
        let hostile = [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            " /x",
        ];
        for next in hostile {
            let response = login(&server, PASSWORD, next).await;
            assert_eq!(response.status(), 303, "{next:?}");
            assert_eq!(
                response.headers()[LOCATION],
                "/realtimeproducts",
                "{next:?}"
            );
        }
        let ok = login(&server, PASSWORD, "/chat?x=1").await;
        assert_eq!(ok.headers()[LOCATION], "/chat?x=1");
        let cookie = ok.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();

        // The page's links and hidden field, for a visitor and for staff.
        for next in hostile {
            let query = serde_urlencoded::to_string([("next", next)]).unwrap();
            for cookie in ["", cookie.as_str()] {
                let html = server
                    .page_with_cookie(&format!("/login?{query}"), cookie)
                    .await;
                assert!(
                    !html.contains("evil.example") && !html.contains("javascript:"),
                    "{next:?}: {html}"
                );
                assert!(html.contains("/realtimeproducts"), "{next:?}");
            }
        }
    }

    async fn a_logout_from_another_site_changes_nothing() {
        let server = shop().await;
        let response = browser()
            .post(server.url("/logout"))
            .header(COOKIE, "tiempo_real_staff=whatever")
            .header(ORIGIN, "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.headers().get(SET_COOKIE).is_none());
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string());
    }

    async fn a_login_from_another_site_is_refused_unread_and_not_counted() {
        let server = shop().await;
        let from_elsewhere = |password: &'static str| {
            browser()
                .post(server.url("/login"))
                .header(ORIGIN, "https://evil.example")
                .form(&[("password", password), ("next", "/")])
                .send()
        };
        // The right password from another site's page: no session.
        let response = from_elsewhere(PASSWORD).await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.headers().get(SET_COOKIE).is_none());
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
        // Wrong ones from another site lock nobody out: the staff's own login still works.
        for _ in 0..8 {
            assert_eq!(from_elsewhere("guess").await.unwrap().status(), 403);
        }
        let own = browser()
            .post(server.url("/login"))
            .header(ORIGIN, server.origin())
            .form(&[("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), 303);
        assert!(own.headers().get(SET_COOKIE).is_some());
    }

    async fn cookie_secure_marks_the_session_cookie_secure() {
        for (secure, expected) in [("true", true), ("false", false)] {
            let server =
                TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD), ("COOKIE_SECURE", secure)])
                    .await;
            let response = login(&server, PASSWORD, "/").await;
            let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
            assert_eq!(cookie.contains("; Secure"), expected, "{cookie}");
        }
    }
}
