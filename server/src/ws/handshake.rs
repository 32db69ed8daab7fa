//! The WebSocket opening handshake (RFC 6455, section 4.2), done here rather than by axum's
//! `WebSocketUpgrade` so that the connection comes back as the plain `TcpStream`: the fan-out's
//! writer shards write shared, pre-encoded frames to it directly.

use std::future::Future;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use bytes::Bytes;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::error::ApiError;
use app::domain::Invalid;

/// A valid request to open a WebSocket.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let headers = &parts.headers;
        let is_websocket = parts.method == Method::GET
            && has_token(headers, header::CONNECTION, "upgrade")
            && has_token(headers, header::UPGRADE, "websocket")
            && headers.get(header::SEC_WEBSOCKET_VERSION) == Some(&HeaderValue::from_static("13"));
        let key = headers.get(header::SEC_WEBSOCKET_KEY).cloned();
        match (is_websocket, key, parts.extensions.remove::<OnUpgrade>()) {
            (true, Some(key), Some(on_upgrade)) => Ok(Upgrade { key, on_upgrade }),
            _ => Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                body: Invalid::new("Esta dirección solo acepta conexiones WebSocket"),
            }),
        }
    }
}

impl Upgrade {
    /// Answers 101 and, once the client has the answer, runs `serve` with the connection and
    /// whatever bytes the client already sent after its request.
    pub fn on_upgrade<F, Fut>(self, serve: F) -> Response<Body>
    where
        F: FnOnce(TcpStream, Bytes) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let accept = tungstenite::handshake::derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            match on_upgrade
                .await
                .map(|io| io.downcast::<TokioIo<TcpStream>>())
            {
                Ok(Ok(parts)) => serve(parts.io.into_inner(), parts.read_buf).await,
                Ok(Err(_)) => tracing::error!("an upgraded connection that is not TCP"),
                Err(e) => tracing::debug!(error = %e, "the client left during the handshake"),
            }
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .body(Body::empty())
            .expect("a valid response")
    }
}

/// Whether a comma-separated header holds `token` (case-insensitive).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| item.trim().eq_ignore_ascii_case(token))
}
