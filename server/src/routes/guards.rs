//! Who every request acts as, and the lockout of clients that guess staff credentials (see
//! `guard::credentials`).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::rights::Resolved;
use crate::auth::Credentials;
use crate::error::ApiError;
use crate::guard::client::client_of;
use crate::state::AppState;
use app::domain::Access;

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

/// Middleware: decides who the request acts as, once, from its headers (see `auth`), and
/// hands that on as [`Resolved`] to the rights check, the extractors and the pages. A request
/// with `Authorization: Bearer` from a client locked out gets `429` (the right token
/// included); otherwise a wrong token counts as a failure and a right one clears the count.
pub async fn resolve_access(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let credentials = Credentials::of(&parts.headers);
    let client = client_of(&parts, &state.clients);
    let bearer = credentials.bearer().is_some();
    if bearer {
        if let Some(wait) = state.access.failures().locked_for(client) {
            return locked_out(wait).into_response();
        }
    }
    let access = match state.access.access(&credentials).await {
        Ok(access) => Some(access),
        Err(e) => {
            tracing::warn!(error = %e, "who a request acts as could not be looked up");
            None
        }
    };
    match &access {
        Some(Access::Staff(_)) if bearer => state.access.failures().succeeded(client),
        Some(Access::Visitor) if bearer => {
            state.access.failures().failed(client);
            tracing::warn!(%client, "wrong staff bearer token");
        }
        _ => {}
    }
    parts.extensions.insert(Resolved(access));
    next.run(Request::from_parts(parts, body)).await
}
