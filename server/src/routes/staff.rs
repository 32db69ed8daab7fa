//! The staff accounts over HTTP, for admins: `GET/POST /api/staff`, `DELETE /api/staff/{email}`
//! (the contract's "Staff accounts"), and the `/staff` page with its plain form posts, which
//! work without JavaScript and go back to the page with the outcome's code.

use axum::extract::{Form, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::pages::Pages;
use super::rights::{Admin, Resolved};
use crate::error::ApiError;
use crate::params::{Body, TextFields};
use crate::state::AppState;
use crate::store::AccountError;
use app::domain::notices::Outcome;
use app::domain::staff::{Account, NewAccount};
use app::domain::Access;
use app::pages::TeamList;
use app::paths;

/// `GET /api/staff`: every account, by email.
pub async fn list(_: Admin, State(state): State<AppState>) -> Result<Json<Vec<Account>>, ApiError> {
    Ok(Json(state.team.list().await?))
}

/// `POST /api/staff` with `{"email", "role", "password"}`: 201 with the account.
pub async fn add(
    _: Admin,
    State(state): State<AppState>,
    body: Body,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    let fields = TextFields::of(
        &body,
        "Se esperaba un objeto JSON con email, role y password",
    )?;
    let new = NewAccount::new(
        fields.get("email"),
        fields.get("role"),
        fields.get("password"),
    )?;
    let account = state.team.add(new).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// `DELETE /api/staff/{email}`: 200, its sessions and token ended everywhere.
pub async fn remove(
    _: Admin,
    State(state): State<AppState>,
    Path(email): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state.team.remove(&email).await?;
    Ok(Json(
        serde_json::json!({ "removed": email.trim().to_lowercase() }),
    ))
}

/// `GET /staff`: the page, with the accounts for an admin (read here: the page renders from
/// what the request carries).
pub async fn page(
    State(state): State<AppState>,
    Extension(pages): Extension<Pages>,
    mut request: Request,
) -> Response {
    let admin = request
        .extensions()
        .get::<Resolved>()
        .and_then(|resolved| resolved.0.as_ref())
        .is_some_and(Access::can_manage_staff);
    if admin {
        match state.team.list().await {
            Ok(accounts) => {
                request.extensions_mut().insert(TeamList(accounts));
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    pages.render(request).await
}

/// The page's form to add an account.
#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

/// `POST /staff/accounts`: adds the account and goes back to the page saying how it went.
pub async fn add_form(
    admin: Result<Admin, ApiError>,
    State(state): State<AppState>,
    Form(form): Form<AddForm>,
) -> Redirect {
    if admin.is_err() {
        return to_login();
    }
    let outcome = match NewAccount::new(&form.email, &form.role, &form.password) {
        Ok(new) => match state.team.add(new).await {
            Ok(_) => Outcome::AccountAdded,
            Err(e) => failure(e),
        },
        Err(_) => Outcome::AccountInvalid,
    };
    back(outcome)
}

/// The page's form to remove an account.
#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    email: String,
}

/// `POST /staff/accounts/remove`: removes the account and goes back to the page.
pub async fn remove_form(
    admin: Result<Admin, ApiError>,
    State(state): State<AppState>,
    Form(form): Form<RemoveForm>,
) -> Redirect {
    if admin.is_err() {
        return to_login();
    }
    back(match state.team.remove(&form.email).await {
        Ok(()) => Outcome::AccountRemoved,
        Err(e) => failure(e),
    })
}

fn failure(error: AccountError) -> Outcome {
    match error {
        AccountError::Taken => Outcome::AccountTaken,
        AccountError::NotFound => Outcome::NoSuchAccount,
        AccountError::LastAdmin => Outcome::LastAdmin,
        AccountError::Unavailable(_) => Outcome::Unavailable,
    }
}

fn back(outcome: Outcome) -> Redirect {
    Redirect::to(&format!(
        "{}?{}={}",
        paths::STAFF,
        outcome.parameter(),
        outcome.code()
    ))
}

fn to_login() -> Redirect {
    Redirect::to(&format!("{}?next={}", paths::LOGIN, paths::STAFF))
}
