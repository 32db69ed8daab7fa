//! Security headers on every response: `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: same-origin`; on HTML pages a Content-Security-Policy that lets scripts
//! run only from this site and the page's own nonce'd inline scripts (the hydration script),
//! WebAssembly compile (`'wasm-unsafe-eval'`), and no framing by any site.
//!
//! The nonce is made here, per request, and handed to the page renderer through the request's
//! extensions ([`CspNonce`]), so the header and the page agree; the cached home page takes it
//! from there too (`routes::home`), so no two responses share a nonce.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;

/// The nonce of one page response.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn new() -> Self {
        let bytes: [u8; 16] = rand::random();
        CspNonce(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// The policy for a page whose inline scripts carry `nonce`.
fn policy(nonce: &str) -> HeaderValue {
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' https: http: data:; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("a nonce is base64")
}

/// The nonce of the first nonce'd element of a rendered page.
pub fn nonce_in(html: &[u8]) -> Option<String> {
    const MARK: &[u8] = b"nonce=\"";
    let start = html.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
    let end = html[start..].iter().position(|&b| b == b'"')? + start;
    String::from_utf8(html[start..end].to_vec()).ok()
}

/// What the security headers depend on.
#[derive(Clone, Copy, Debug)]
pub struct HeaderPolicy {
    /// Whether the site is reached over HTTPS only (`COOKIE_SECURE=true`): then every response
    /// tells browsers to come back only over HTTPS (`Strict-Transport-Security`).
    pub https_only: bool,
}

/// A year: browsers remember to use HTTPS for that long after each response.
const HSTS: &str = "max-age=31536000";

pub async fn security_headers(
    State(policy_of_site): State<HeaderPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if policy_of_site.https_only {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy(&nonce.0));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nonce_of_a_page() {
        let html = br#"<html><script nonce="abc_-1">x</script></html>"#;
        assert_eq!(nonce_in(html).as_deref(), Some("abc_-1"));
        assert_eq!(nonce_in(b"<html></html>"), None);
        let value = policy("abc");
        let value = value.to_str().unwrap();
        assert!(value.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(value.contains("frame-ancestors 'none'"));
        assert!(!value.contains("script-src 'self' 'unsafe-inline'"));
    }
}
