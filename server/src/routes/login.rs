//! `POST /login` and `POST /logout`: staff sessions (see `auth`). `GET /login` is a page of
//! the app.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::Pages;
use crate::auth::client_address;
use crate::state::AppState;

/// Where a login returns to when it does not say.
const AFTER_LOGIN: &str = "/realtimeproducts";

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The right password: 303 to `next` with the session cookie. A wrong one: the login page
/// again (401), no cookie. Too many wrong ones in a row from one client: 429 for a while.
pub async fn log_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    pages: axum::Extension<Pages>,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let Some(staff) = state.access.staff() else {
        return Redirect::to(next).into_response();
    };
    let client = client_address(peer.ip(), &headers);
    if let Some(wait) = staff.logins().locked_for(client) {
        let minutes = wait.as_secs().div_ceil(60);
        let problem = format!(
            "Demasiados intentos fallidos: esperá {minutes} minuto{} y volvé a probar",
            if minutes == 1 { "" } else { "s" }
        );
        return login_page(&pages, StatusCode::TOO_MANY_REQUESTS, &problem, next).await;
    }
    if staff.password_ok(&form.password) {
        staff.logins().succeeded(client);
        let secure = headers
            .get("x-forwarded-proto")
            .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"));
        return (staff.log_in(secure), Redirect::to(next)).into_response();
    }
    staff.logins().failed(client);
    tracing::warn!(%client, "failed staff login");
    login_page(
        &pages,
        StatusCode::UNAUTHORIZED,
        "Contraseña incorrecta",
        next,
    )
    .await
}

/// Ends the session: 303 back to the live page, as a visitor.
pub async fn log_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.access.staff() {
        Some(staff) => (staff.log_out(&headers), Redirect::to(AFTER_LOGIN)).into_response(),
        None => Redirect::to(AFTER_LOGIN).into_response(),
    }
}

async fn login_page(pages: &Pages, status: StatusCode, problem: &str, next: &str) -> Response {
    let query =
        serde_urlencoded::to_string([("error", problem), ("next", next)]).unwrap_or_default();
    let mut page = pages.get(&format!("/login?{query}")).await;
    *page.status_mut() = status;
    page
}

/// Only a path of this site: a login must never send anyone elsewhere.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        AFTER_LOGIN
    }
}
