//! Reading the query-string, path and body values of requests (the API's and the sockets'
//! upgrades), with the JSON error each bad one gets.

use std::collections::HashMap;

use app::domain::{FieldErrors, Invalid};
use app::protocol::MAX_LIMIT;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;

use crate::error::ApiError;

pub type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// An optional non-negative integer parameter, like `limit` or `before`.
pub fn number(params: &Params, name: &str) -> Result<Option<u64>, ApiError> {
    let Ok(Query(params)) = params else {
        return Err(invalid_query());
    };
    match params.get(name) {
        None => Ok(None),
        Some(raw) => raw.trim().parse::<u64>().map(Some).map_err(|_| {
            ApiError::bad_request(Invalid::fields(
                format!("El parámetro \"{name}\" debe ser un número entero mayor o igual a 0"),
                FieldErrors::from([(
                    name.to_string(),
                    format!("\"{raw}\" no es un entero válido"),
                )]),
            ))
        }),
    }
}

/// `limit`: an integer from 1 to [`MAX_LIMIT`], or absent.
pub fn limit(params: &Params) -> Result<Option<u64>, ApiError> {
    let bad = |raw: &str| {
        ApiError::bad_request(Invalid::fields(
            format!("El parámetro \"limit\" debe ser un entero de 1 a {MAX_LIMIT}"),
            FieldErrors::from([(
                "limit".to_string(),
                format!("\"{raw}\" no es un entero de 1 a {MAX_LIMIT}"),
            )]),
        ))
    };
    let Ok(Query(values)) = params else {
        return Err(invalid_query());
    };
    match values.get("limit") {
        None => Ok(None),
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(Some(n)),
            _ => Err(bad(raw)),
        },
    }
}

/// A text parameter, when present and not blank.
pub fn text(params: &Params, name: &str) -> Option<String> {
    let Ok(Query(values)) = params else {
        return None;
    };
    values.get(name).filter(|v| !v.trim().is_empty()).cloned()
}

fn invalid_query() -> ApiError {
    ApiError::bad_request(Invalid::new("La consulta (query string) no es válida"))
}

/// The `{id}` of a product path. Its rejection is already the API's error: anything that is
/// not an id (even bytes that are not UTF-8) names no product, hence a JSON 404.
pub struct ProductIdPath(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for ProductIdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(raw)) => product_id(&raw).map(ProductIdPath),
            Err(_) => Err(ApiError::not_found("No existe un producto con ese id")),
        }
    }
}

/// A product id from the path; anything that is not one names no product, hence 404.
pub fn product_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("No existe un producto con id {raw}")))
}

/// A request body as received; a body that could not be read (too large, say) is kept as the
/// rejection, so that it too gets a JSON error.
pub type Body = Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>;

/// A JSON object body read as text fields: what a form of the API sends (`{"email": ...}`).
pub struct TextFields(serde_json::Map<String, serde_json::Value>);

impl TextFields {
    /// The body's fields; a body that is not a JSON object is a 400 saying `expected`.
    pub fn of(body: &Body, expected: &str) -> Result<TextFields, ApiError> {
        match json_body(body)? {
            serde_json::Value::Object(fields) => Ok(TextFields(fields)),
            _ => Err(Invalid::new(expected).into()),
        }
    }

    /// Field `name`'s text; empty when it is absent or not a string (the domain's rules then
    /// name it).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|value| value.as_str())
            .unwrap_or_default()
    }
}

/// Parses a JSON request body, with a JSON 400 for anything that is not JSON (and the
/// rejection's own status, such as 413, for a body that could not be read).
pub fn json_body(body: &Body) -> Result<serde_json::Value, ApiError> {
    let body = body
        .as_ref()
        .map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::generic(StatusCode::PAYLOAD_TOO_LARGE),
            status => ApiError {
                status,
                body: Invalid::new("No se pudo leer el cuerpo de la solicitud"),
            },
        })?;
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(Invalid::new(format!("El cuerpo no es JSON válido: {e}")))
    })
}
