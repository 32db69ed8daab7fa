//! The chat's bans over HTTP (moderators and admins): `POST /api/chat/bans` bans an email for
//! a while (and with `"purge": true` removes every message of it), `GET` lists the bans in
//! force, `DELETE /api/chat/bans/{email}` lifts one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::rights::Moderator;
use crate::error::ApiError;
use crate::params::{json_body, Body};
use crate::state::AppState;
use app::domain::ban::{Ban, BanRequest};

/// `POST /api/chat/bans` with `{"email", "minutes"?, "purge"?}`: 201 with the ban and how many
/// messages the purge removed.
pub async fn ban(
    moderator: Moderator,
    State(state): State<AppState>,
    body: Body,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let request = BanRequest::from_json(&json_body(&body)?)?;
    let (ban, purged) = state.chat.ban(request, moderator.actor.as_deref()).await?;
    tracing::info!(email = %ban.email, until = %ban.until, by = ban.by.as_deref().unwrap_or("-"), purged, "chat ban");
    let mut answer = serde_json::to_value(&ban).unwrap_or_default();
    answer["purged"] = purged.into();
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `GET /api/chat/bans`: `[{"email", "until", "by"}]`, by email.
pub async fn list(_: Moderator, State(state): State<AppState>) -> Result<Json<Vec<Ban>>, ApiError> {
    Ok(Json(state.chat.bans().await?))
}

/// `DELETE /api/chat/bans/{email}`: 200, or 404 when no ban of it is in force.
pub async fn lift(
    _: Moderator,
    State(state): State<AppState>,
    Path(email): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if !state.chat.lift(&email).await? {
        return Err(ApiError::not_found("Ese email no está bloqueado"));
    }
    Ok(Json(
        serde_json::json!({ "lifted": email.trim().to_lowercase() }),
    ))
}
