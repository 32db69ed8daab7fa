//! Which host names the server answers to. A server bound to a loopback address without
//! `ALLOWED_HOSTS` answers only `localhost`, `127.0.0.1` and `[::1]` (any port), so a web page
//! cannot reach it through DNS rebinding (a name of the attacker's that resolves to
//! 127.0.0.1); with `ALLOWED_HOSTS` only those names. Anything else gets `421`.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use app::domain::Invalid;

/// The names a loopback server answers to when `ALLOWED_HOSTS` is not set.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedHosts {
    /// Every name (a server bound to a public address, without `ALLOWED_HOSTS`).
    Any,
    /// Only these names, lower case, without ports.
    Only(Vec<String>),
}

impl AllowedHosts {
    /// The rule for a server bound to `loopback`-ness with `ALLOWED_HOSTS` = `listed`.
    pub fn new(listed: Option<Vec<String>>, loopback: bool) -> Self {
        match listed {
            Some(names) => {
                AllowedHosts::Only(names.iter().map(|n| n.to_ascii_lowercase()).collect())
            }
            None if loopback => AllowedHosts::Only(LOOPBACK_NAMES.map(String::from).to_vec()),
            None => AllowedHosts::Any,
        }
    }

    /// Whether a request with this `Host` header is answered.
    pub fn allows(&self, host: Option<&str>) -> bool {
        match self {
            AllowedHosts::Any => true,
            AllowedHosts::Only(names) => host
                .map(|host| name_of(host).to_ascii_lowercase())
                .is_some_and(|name| names.contains(&name)),
        }
    }
}

/// `host` without its port: `localhost:8080` is `localhost`, `[::1]:80` is `[::1]`.
fn name_of(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// The middleware: `421` with the JSON error body for a host name not allowed.
pub async fn check_host(
    State(allowed): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if allowed.allows(host) {
        return next.run(request).await;
    }
    ApiError {
        status: StatusCode::MISDIRECTED_REQUEST,
        body: Invalid::new("Este servidor no atiende ese nombre de host (ALLOWED_HOSTS)"),
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_only_unless_told() {
        let loopback = AllowedHosts::new(None, true);
        for host in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:8080",
            "[::1]",
            "LOCALHOST",
        ] {
            assert!(loopback.allows(Some(host)), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "localhost.evil",
        ] {
            assert!(!loopback.allows(Some(host)), "{host}");
        }
        assert!(!loopback.allows(None));
        let listed = AllowedHosts::new(Some(vec!["shop.example".into()]), true);
        assert!(listed.allows(Some("shop.example:443")));
        assert!(!listed.allows(Some("localhost")));
        assert!(AllowedHosts::new(None, false).allows(Some("anything")));
    }
}
