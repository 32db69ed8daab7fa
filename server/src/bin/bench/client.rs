//! A keep-alive HTTP/1.1 connection to the server under test, for the scenarios that send
//! requests back to back, and reading a WebSocket's text frames.

use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;

/// Connects to `addr` with no Nagle delay; the connection runs on its own task.
pub async fn connect<B>(addr: &str) -> Result<SendRequest<B>, String>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("bench: connection: {e}");
        }
    });
    Ok(sender)
}

/// Sends `request` and reads the whole answer: its status, its body, and the ms it took.
pub async fn exchange<B>(
    sender: &mut SendRequest<B>,
    request: Request<B>,
) -> Result<(StatusCode, Bytes, f64), String>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let began = Instant::now();
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body, began.elapsed().as_secs_f64() * 1000.0))
}

/// `method path` with a JSON `body`, which must answer `expected`: its body and the ms it took.
pub async fn call(
    http: &mut SendRequest<Full<Bytes>>,
    addr: &str,
    method: Method,
    path: &str,
    body: String,
    expected: u16,
) -> Result<(Bytes, f64), String> {
    let request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("host", addr)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let (status, body, ms) = exchange(http, request).await?;
    if status.as_u16() != expected {
        return Err(format!("{method} {path} answered {status}"));
    }
    Ok((body, ms))
}

/// Logs in with the shared staff `password` as the login form does; the session cookie
/// (`name=value`) the answer sets.
pub async fn log_in(addr: &str, password: &str) -> Result<String, String> {
    let mut sender = connect::<Full<Bytes>>(addr).await?;
    let form = serde_urlencoded::to_string([("password", password)]).map_err(|e| e.to_string())?;
    let request = Request::post(app::paths::LOGIN)
        .header("host", addr)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form)))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    response
        .headers()
        .get(hyper::header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| format!("the login answered {} without a session", response.status()))
}

/// POSTs a JSON `body` to `path` (with the session `cookie`, if any) and waits for the whole
/// answer, which must be `201` (acknowledged: committed); returns how long it took, in ms.
pub async fn post_created(
    sender: &mut SendRequest<Full<Bytes>>,
    addr: &str,
    path: &str,
    body: String,
    cookie: Option<&str>,
) -> Result<f64, String> {
    let mut request = Request::post(path)
        .header("host", addr)
        .header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header(hyper::header::COOKIE, cookie);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let (status, _, ms) = exchange(sender, request).await?;
    if status.as_u16() != 201 {
        return Err(format!("POST {path} answered {status}"));
    }
    Ok(ms)
}

/// A WebSocket client of the server under test.
pub type WebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The socket's next text frame, within 30 s.
pub async fn next_text(socket: &mut WebSocket) -> Result<String, String> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .map_err(|_| "no frame in 30 s".to_string())?
            .ok_or("the socket closed")?
            .map_err(|e| e.to_string())?;
        if let Message::Text(text) = message {
            return Ok(text.to_string());
        }
    }
}
