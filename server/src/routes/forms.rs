//! Plain HTML form posts from `/realtimeproducts`, for browsers without JavaScript (or before
//! the WASM has loaded). Each does what the socket request would, then redirects back to the
//! page (303, so a reload does not post again) with the outcome in the query string.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::response::Redirect;

use super::query::product_id;
use crate::state::AppState;
use app::domain::product::ProductForm;
use app::domain::Invalid;

const PAGE: &str = "/realtimeproducts";

pub async fn add_product(
    State(state): State<AppState>,
    form: Result<Form<ProductForm>, FormRejection>,
) -> Redirect {
    let Ok(Form(form)) = form else {
        return back("error", "El formulario llegó incompleto".into());
    };
    let created = match form.parse() {
        Ok(new) => state.catalog.create(new).await.map_err(Invalid::from),
        Err(invalid) => Err(invalid),
    };
    match created {
        Ok(product) => back("ok", format!("Producto agregado: {}", product.title)),
        Err(invalid) => back("error", explain(&invalid)),
    }
}

pub async fn remove_product(State(state): State<AppState>, Path(id): Path<String>) -> Redirect {
    let removed = match product_id(&id) {
        Ok(id) => state.catalog.remove(id).await.map_err(Invalid::from),
        Err(e) => Err(e.body),
    };
    match removed {
        Ok(product) => back("ok", format!("Producto eliminado: {}", product.title)),
        Err(invalid) => back("error", explain(&invalid)),
    }
}

/// The error sentence followed by each field's problem under the form's own label.
fn explain(invalid: &Invalid) -> String {
    let mut text = invalid.error.clone();
    for (field, problem) in &invalid.fields {
        let label = match field.as_str() {
            "title" => "Título",
            "description" => "Descripción",
            "code" => "Código",
            "price" => "Precio",
            "stock" => "Stock",
            "category" => "Categoría",
            "thumbnails" => "Imágenes",
            "status" => "Activo",
            other => other,
        };
        text.push_str(&format!(". {label}: {problem}"));
    }
    text
}

fn back(key: &str, text: String) -> Redirect {
    let query = serde_urlencoded::to_string([(key, text)]).unwrap_or_default();
    Redirect::to(&format!("{PAGE}?{query}"))
}
