//! The check of staff credentials every request goes through (see `guard::credentials`).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::StaffAccess;
use crate::error::ApiError;
use crate::guard::client::client_of;
use crate::state::AppState;

/// The refusal of a client locked out after too many failed staff credentials (every refusal
/// is made here, so it is counted here for the metrics).
pub fn locked_out(wait: std::time::Duration) -> ApiError {
    crate::telemetry::rate_limited("credentials");
    let minutes = wait.as_secs().div_ceil(60).max(1);
    ApiError::too_many(format!(
        "Demasiados intentos fallidos con la contraseña del personal: esperá {minutes} minuto{} \
         y volvé a probar",
        if minutes == 1 { "" } else { "s" }
    ))
}

/// Middleware: a request with `Authorization: Bearer` from a client locked out gets `429`
/// (the right token included); otherwise a wrong token counts as a failure and a right one
/// clears the count. What the request may then do is decided as usual (see `auth`).
pub async fn check_staff_credentials(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(staff) = state.access.staff() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Some(token) = StaffAccess::bearer(&parts.headers) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let client = client_of(&parts, &state.clients);
    if let Some(wait) = staff.failures().locked_for(client) {
        return locked_out(wait).into_response();
    }
    if staff.password_ok(token) {
        staff.failures().succeeded(client);
    } else {
        staff.failures().failed(client);
        tracing::warn!(%client, "wrong staff bearer token");
    }
    next.run(Request::from_parts(parts, body)).await
}
