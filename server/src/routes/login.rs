//! `POST /login` and `POST /logout`: staff sessions, kept in the store (see `auth`).
//! `GET /login` is a page of the app.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::guards::locked_out;
use super::pages::Pages;
use crate::auth::{ended_session_cookie, session_cookie, Credentials};
use crate::error::ApiError;
use crate::guard::client::Client;
use crate::state::AppState;
use crate::store::{AccountError, StoreError};
use app::domain::notices::{Outcome, ERROR};
use app::paths::safe_next;

/// Where a logout returns to.
const AFTER_LOGIN: &str = app::paths::REALTIME;

#[derive(Deserialize)]
pub struct LoginForm {
    /// An account's email; empty for the shared password.
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The right email and password (or the shared password alone): 303 to `next` with the
/// session cookie. A wrong one: the login page again (401), no cookie. Too many wrong ones in a
/// row from one client: 429 for a while.
pub async fn log_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Client(client): Client,
    headers: HeaderMap,
    pages: axum::Extension<Pages>,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let policy = &state.access;
    match policy.staff_on().await {
        Ok(true) => {}
        Ok(false) => return Redirect::to(next).into_response(),
        Err(e) => return unavailable(&pages, e, next).await,
    }
    if let Some(wait) = policy.failures().locked_for(client) {
        let refusal = locked_out(wait);
        if !wants_html(&headers) {
            return refusal.into_response();
        }
        return login_page(
            &pages,
            StatusCode::TOO_MANY_REQUESTS,
            Outcome::LockedOut,
            next,
        )
        .await;
    }
    match policy.log_in(&form.email, &form.password).await {
        Ok(Some(login)) => {
            policy.failures().succeeded(client);
            tracing::info!(who = %login.member.name, role = login.member.role.name(), "staff login");
            // Behind a trusted proxy that terminated HTTPS, the cookie is Secure too.
            let behind_https = state.clients.via_trusted_proxy(peer.ip())
                && headers
                    .get("x-forwarded-proto")
                    .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"));
            let secure = state.cookie_secure || behind_https;
            (session_cookie(login.token, secure), Redirect::to(next)).into_response()
        }
        Ok(None) => {
            policy.failures().failed(client);
            tracing::warn!(%client, "failed staff login");
            login_page(
                &pages,
                StatusCode::UNAUTHORIZED,
                Outcome::WrongPassword,
                next,
            )
            .await
        }
        Err(e) => unavailable(&pages, e, next).await,
    }
}

/// Ends the session on every instance (it is deleted from the store) and removes the cookie:
/// 303 back to the live page, as a visitor. (A post from a page of another site never gets
/// here: see `cross_site`.)
pub async fn log_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = state.access.log_out(&Credentials::of(&headers)).await {
        tracing::warn!(error = %e, "a session could not be ended");
        return ApiError::from(StoreError::Unavailable(e.to_string())).into_response();
    }
    (ended_session_cookie(), Redirect::to(AFTER_LOGIN)).into_response()
}

/// The login page saying the store cannot be reached (503).
async fn unavailable(pages: &Pages, e: AccountError, next: &str) -> Response {
    tracing::warn!(error = %e, "a login could not be checked");
    login_page(
        pages,
        StatusCode::SERVICE_UNAVAILABLE,
        Outcome::Unavailable,
        next,
    )
    .await
}

/// Whether the client is a browser that wants a page rather than the JSON error body.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The login page again, saying `problem` (by its code: the page has the sentence).
async fn login_page(pages: &Pages, status: StatusCode, problem: Outcome, next: &str) -> Response {
    let query =
        serde_urlencoded::to_string([(ERROR, problem.code()), ("next", next)]).unwrap_or_default();
    let mut page = pages.get(&format!("/login?{query}")).await;
    *page.status_mut() = status;
    page
}
