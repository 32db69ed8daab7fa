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

/// What a `server staff ...` command did.
pub struct Ran {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `server staff ARGS` against `server`'s store (its data directory or database), with
/// `stdin` as standard input, as an operator would beside the running server.
pub fn staff_command(server: &TestServer, args: &[&str], stdin: &str) -> Ran {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut command = Command::new(super::server::server_binary());
    command
        .arg("staff")
        .args(args)
        .env("DATA_DIR", &server.data)
        .env_remove("DATABASE_URL")
        .env_remove("STAFF_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = &server.database_url {
        command.env("DATABASE_URL", url);
    }
    let mut child = command.spawn().expect("the server binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("the command ends");
    Ran {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Adds an account with the command line; panics if it is refused.
pub fn add_account(server: &TestServer, email: &str, role: &str, password: &str) {
    let ran = staff_command(
        server,
        &["add", email, "--role", role],
        &format!("{password}\n"),
    );
    assert!(ran.success, "staff add {email}: {}", ran.stderr);
}

/// Logs in as an account through the form; the session cookie as a browser sends it back.
pub async fn log_in_as(server: &TestServer, email: &str, password: &str) -> String {
    let response = browser()
        .post(server.url("/login"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "login of {email}");
    session_cookie(&response)
}
