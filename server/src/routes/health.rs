//! Liveness and readiness, for load balancers and service managers: `/healthz` says the
//! process answers; `/readyz` says this instance can serve writes now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::NotReady;
use app::domain::Invalid;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// 200 when the store answers and this instance is caught up with the change log; else 503
/// with the reason, so that a balancer sends writes elsewhere until it recovers by itself.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    match state.catalog.readiness().await {
        Ok(()) => Ok(Json(serde_json::json!({"status": "ready"}))),
        Err(not_ready) => {
            let why = match not_ready {
                // The driver's own words go to the log only: they name hosts and users.
                NotReady::Database(problem) => {
                    tracing::warn!(error = %problem, "not ready: the database does not answer");
                    "La base de datos no responde".to_string()
                }
                NotReady::Behind(behind) => format!(
                    "Esta instancia no se pone al día con los cambios desde hace {} s",
                    behind.as_secs()
                ),
            };
            tracing::warn!(reason = %why, "not ready");
            Err(ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                body: Invalid::new(why),
            })
        }
    }
}
