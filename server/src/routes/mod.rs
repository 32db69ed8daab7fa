//! The HTTP surface: the JSON API, the sockets, the plain form posts, health, and the
//! Leptos pages with their static files.

mod forms;
mod home;
mod messages;
mod products;
mod query;

use axum::routing::{any, get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;
use crate::ws;
use app::pages::PageData;

pub fn router(state: AppState) -> Router {
    let page_data = {
        let catalog = state.catalog.clone();
        move || {
            let catalog = catalog.clone();
            provide_context(PageData {
                products: std::sync::Arc::new(move || catalog.products().to_vec()),
            });
        }
    };
    let leptos = state.leptos.clone();
    let shell = move || app::shell(leptos.clone());
    let home = home::HomeCache::new(
        state.catalog.clone(),
        leptos_axum::render_app_to_stream_with_context(page_data.clone(), shell.clone()),
    );
    // `/` is served from its cache; Leptos renders the other pages per request.
    let pages: Vec<_> = generate_route_list(app::App)
        .into_iter()
        .filter(|route| route.path() != "/")
        .collect();
    Router::new()
        .route(
            "/",
            get(move |headers| {
                let home = home.clone();
                async move { home.serve(headers).await }
            }),
        )
        .route(
            "/api/products",
            get(products::list)
                .post(products::create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/products/{id}",
            get(products::show)
                .put(products::update)
                .delete(products::remove)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/messages",
            get(messages::list)
                .post(messages::create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/{*rest}",
            any(|| async { ApiError::not_found("No existe esa ruta de la API") }),
        )
        .route("/ws/products", get(ws::products))
        .route("/ws/chat", get(ws::chat))
        .route("/realtimeproducts/products", post(forms::add_product))
        .route(
            "/realtimeproducts/products/{id}/delete",
            post(forms::remove_product),
        )
        .route(
            "/healthz",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .leptos_routes_with_context(&state, pages, page_data, shell)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A JSON 405 for a method an API path does not take, like every other API failure.
async fn method_not_allowed() -> ApiError {
    ApiError {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        body: app::domain::Invalid::new("Método no permitido en esta ruta"),
    }
}
