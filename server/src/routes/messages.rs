//! `/api/messages`: read the chat history page by page, and post a message.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::rights::{Moderator, Resolved};
use crate::error::ApiError;
use crate::guard::client::Client;
use crate::params::{limit, number, Body, Params, TextFields};
use crate::state::AppState;
use crate::store::StoreError;
use app::domain::message::{CHAT_TOO_FAST, HISTORY_SIZE};
use app::domain::{ChatMessage, MessageDraft};
use axum::extract::Path;
use axum::Extension;

/// `GET /api/messages?limit=N&before=ID`: the last N (default 100) with id below `before`,
/// oldest first.
pub async fn list(
    State(state): State<AppState>,
    params: Params,
) -> Result<Json<Vec<ChatMessage>>, ApiError> {
    let limit = limit(&params)?.map_or(HISTORY_SIZE, |n| n as usize);
    let before = number(&params, "before")?;
    Ok(Json(state.chat.recent(limit, before).await?))
}

/// `DELETE /api/messages/{id}` (moderator or admin): the message is gone from the store, its log, every
/// window and every page; `{"removed": id}`.
pub async fn remove(
    moderator: Moderator,
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = raw
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(StoreError::MessageNotFound(0))?;
    state.chat.remove(id).await?;
    tracing::info!(
        id,
        by = moderator.actor.as_deref().unwrap_or("-"),
        "chat message removed"
    );
    Ok(Json(serde_json::json!({ "removed": id })))
}

/// `POST /api/messages` with `{"email": ..., "text": ...}`.
/// Sent with a staff session, it is stored under the member's email and marked as the staff's.
pub async fn create(
    State(state): State<AppState>,
    Client(client): Client,
    Extension(resolved): Extension<Resolved>,
    body: Body,
) -> Result<(StatusCode, Json<ChatMessage>), ApiError> {
    if !state.chat_limit.allow(client) {
        return Err(ApiError::too_many(CHAT_TOO_FAST));
    }
    let fields = TextFields::of(&body, "Se esperaba un objeto JSON con email y text")?;
    let draft = MessageDraft::new(fields.get("email"), fields.get("text"))?;
    let member = resolved.0.as_ref().and_then(|access| access.member());
    let message = state.chat.post(draft, member).await?;
    Ok((StatusCode::CREATED, Json(message)))
}
