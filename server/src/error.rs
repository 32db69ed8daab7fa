//! Failures of HTTP requests, as the JSON body every client can rely on:
//! `{"error": "readable sentence", "fields": {"price": "..."}}`.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::store::{AccountError, StoreError};
use app::domain::access::{NOT_YOUR_ROLE, STAFF_ONLY};
use app::domain::ban::banned_until;
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

    /// A body over its route's limit of `megabytes`.
    pub fn too_large(megabytes: usize) -> Self {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            body: Invalid::new(format!(
                "El cuerpo de la solicitud es demasiado grande (máximo {megabytes} MB)"
            )),
        }
    }

    /// Too many of something from one client.
    pub fn too_many(sentence: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: Invalid::new(sentence),
        }
    }

    /// A catalog change without staff rights.
    pub fn staff_only() -> Self {
        Self::generic(StatusCode::UNAUTHORIZED)
    }

    /// Staff credentials whose role does not allow the request.
    pub fn not_your_role() -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            body: Invalid::new(NOT_YOUR_ROLE),
        }
    }

    /// The error body for a status when nothing more specific was said: for the framework's
    /// own rejections, which must not reach a client as plain English text.
    pub fn generic(status: StatusCode) -> Self {
        let sentence = match status {
            StatusCode::NOT_FOUND => "No existe esa ruta de la API",
            StatusCode::METHOD_NOT_ALLOWED => "Método no permitido en esta ruta",
            StatusCode::PAYLOAD_TOO_LARGE => "El cuerpo de la solicitud es demasiado grande",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "El cuerpo debe ser JSON",
            StatusCode::UNAUTHORIZED => STAFF_ONLY,
            StatusCode::REQUEST_TIMEOUT => "La solicitud tardó demasiado en llegar",
            StatusCode::TOO_MANY_REQUESTS => "Demasiadas solicitudes seguidas: esperá un momento",
            StatusCode::FORBIDDEN => "Otro sitio no puede hacer esto en tu nombre",
            s if s.is_server_error() => "Error interno del servidor; intentá de nuevo",
            _ => "La solicitud no es válida",
        };
        ApiError {
            status,
            body: Invalid::new(sentence),
        }
    }
}

/// Middleware for the API: an error response that is not JSON (a rejection of the framework,
/// say) is replaced by the contract's JSON body for its status.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        return ApiError::generic(status).into_response();
    }
    response
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
            StoreError::MessageNotFound(id) => {
                ApiError::not_found(format!("No existe un mensaje con id {id}"))
            }
            StoreError::Reserved => ApiError {
                status: StatusCode::FORBIDDEN,
                body: Invalid::fields(
                    "Ese email es de una persona del equipo: escribí con el tuyo",
                    FieldErrors::from([("email".into(), "es de una cuenta del equipo".into())]),
                ),
            },
            StoreError::Banned(until) => ApiError {
                status: StatusCode::FORBIDDEN,
                body: Invalid::fields(
                    banned_until(until),
                    FieldErrors::from([("email".into(), "está bloqueado en el chat".into())]),
                ),
            },
            StoreError::UnknownChange(id, seq) => ApiError::not_found(format!(
                "El producto {id} no tiene un cambio número {seq} en su historial"
            )),
            StoreError::DuplicateCode(code) => ApiError {
                status: StatusCode::CONFLICT,
                body: Invalid::fields(
                    format!("Ya existe un producto con el código \"{code}\""),
                    FieldErrors::from([("code".into(), "ya lo usa otro producto".into())]),
                ),
            },
            StoreError::ChangedMeanwhile(_) => ApiError {
                status: StatusCode::CONFLICT,
                body: Invalid::new(
                    "Otra persona cambió este producto mientras lo editabas: revisá los datos \
                     nuevos y volvé a guardar",
                ),
            },
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

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Taken => ApiError {
                status: StatusCode::CONFLICT,
                body: Invalid::fields(
                    "Ya hay una cuenta con ese email",
                    FieldErrors::from([("email".into(), "ya tiene una cuenta".into())]),
                ),
            },
            AccountError::NotFound => ApiError::not_found("No hay una cuenta con ese email"),
            AccountError::LastAdmin => ApiError {
                status: StatusCode::CONFLICT,
                body: Invalid::new("No se puede quitar la última cuenta de administración"),
            },
            AccountError::Unavailable(problem) => StoreError::Unavailable(problem).into(),
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
        let mut response: Response<Body> = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tiempo real\""),
            );
        }
        response
    }
}
