//! Staff logins as a browser does them, for the suites about staff access and its limits.

use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

use super::TestServer;

/// The staff password the shops of these tests use.
pub const PASSWORD: &str = "clave-del-local";

/// A server of a shop with staff access (`STAFF_PASSWORD`).
pub async fn shop() -> TestServer {
    TestServer::start_with(&[("STAFF_PASSWORD", PASSWORD)]).await
}

/// A client that shows redirects instead of following them, as the tests look at them.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Posts the login form with `password` and `next`.
pub async fn login(server: &TestServer, password: &str, next: &str) -> reqwest::Response {
    browser()
        .post(server.url("/login"))
        .form(&[("password", password), ("next", next)])
        .send()
        .await
        .unwrap()
}

/// Logs in through the form; the session cookie as a browser would send it back.
pub async fn log_in(server: &TestServer) -> String {
    let response = login(server, PASSWORD, "/realtimeproducts").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/realtimeproducts");
    session_cookie(&response)
}

/// The `name=value` of the cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> String {
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_string()
}
