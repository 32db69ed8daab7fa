//! Failures of HTTP requests, as the JSON body every client can rely on:
//! `{"error": "readable sentence", "fields": {"price": "..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::store::StoreError;
use app::domain::{FieldErrors, Invalid};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Invalid,
}

impl ApiError {
    pub fn bad_request(body: Invalid) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            body: Invalid::new(what),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(body: Invalid) -> Self {
        ApiError::bad_request(body)
    }
}

impl From<StoreError> for ApiError {
    /// The sentences people read: a store reports what happened, the edge says it in Spanish.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(id) => {
                ApiError::not_found(format!("No existe un producto con id {id}"))
            }
            StoreError::DuplicateCode(code) => ApiError {
                status: StatusCode::CONFLICT,
                body: Invalid::fields(
                    format!("Ya existe un producto con el código \"{code}\""),
                    FieldErrors::from([("code".into(), "ya lo usa otro producto".into())]),
                ),
            },
            StoreError::Io(e) => {
                tracing::error!(error = %e, "storage failure");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    body: Invalid::new("No se pudo guardar el cambio; intentá de nuevo"),
                }
            }
            StoreError::Unavailable(problem) => {
                tracing::error!(error = %problem, "database unavailable");
                ApiError {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    body: Invalid::new(
                        "La base de datos no está disponible; intentá de nuevo en unos segundos",
                    ),
                }
            }
        }
    }
}

impl From<StoreError> for Invalid {
    /// The same sentence and fields a socket client gets in its error frame.
    fn from(error: StoreError) -> Self {
        ApiError::from(error).body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
