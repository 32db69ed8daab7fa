//! The HTTP surface: the JSON API, the sockets, the plain form posts, login, health, and the
//! Leptos pages with their static files.

mod bans;
mod catalog_files;
mod cross_site;
mod forms;
mod guards;
mod health;
mod history;
mod home;
mod login;
mod messages;
mod pages;
mod products;
mod rights;
mod staff;

use std::sync::Arc;

use app::paths;
use axum::http::request::Parts;
use axum::routing::{any, delete, get, post};
use axum::{Extension, Router};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use axum::middleware::{from_fn, from_fn_with_state};

use crate::error::{json_errors, ApiError};
use crate::guard::body::read_body_in_time;
use crate::guard::headers::{security_headers, CspNonce, HeaderPolicy};
use crate::guard::hosts::{check_host, AllowedHosts};
use crate::state::AppState;
use crate::ws;
use app::domain::Access;
use app::pages::{CatalogPage, PageData};
use pages::Pages;
use rights::Resolved;

pub fn router(state: AppState, hosts: AllowedHosts) -> Router {
    let page_data = {
        let catalog = state.catalog.clone();
        move || {
            let catalog = catalog.clone();
            let parts = use_context::<Parts>();
            // The page's inline scripts carry the nonce its Content-Security-Policy names.
            if let Some(CspNonce(nonce)) = parts.as_ref().and_then(|p| p.extensions.get()) {
                provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
            }
            // The request being rendered (Leptos provides it): staff see edit controls.
            let access = parts.as_ref().map_or(Access::Visitor, Resolved::of_page);
            let team = parts
                .as_ref()
                .and_then(|parts| parts.extensions.get().cloned());
            provide_context(PageData {
                team,
                page: Arc::new(move |query, after, limit| {
                    let (total, products) =
                        catalog.current().page(query, after, Some(limit as u64));
                    CatalogPage { total, products }
                }),
                access,
            });
        }
    };
    let leptos = state.leptos.clone();
    let shell = move || app::shell(leptos.clone());
    let pages = Pages::new(leptos_axum::render_app_to_stream_with_context(
        page_data.clone(),
        shell.clone(),
    ));
    let home = home::HomeCache::new(state.catalog.clone(), pages.clone());
    // `/` is served from its cache and `/staff` reads the accounts first; Leptos renders the
    // other pages per request.
    let leptos_pages: Vec<_> = generate_route_list(app::App)
        .into_iter()
        .filter(|route| route.path() != "/" && route.path() != paths::STAFF)
        .collect();
    Router::new()
        .route(
            "/",
            get(move |request| {
                let home = home.clone();
                async move { home.serve(request).await }
            }),
        )
        .merge(api())
        .route(paths::ADD_FORM, post(forms::add_product))
        .route(&paths::edit_form_route(), post(forms::edit_product))
        .route(&paths::delete_form_route(), post(forms::remove_product))
        .route(paths::STAFF, get(staff::page))
        .route(paths::STAFF_ADD_FORM, post(staff::add_form))
        .route(paths::STAFF_REMOVE_FORM, post(staff::remove_form))
        .route(paths::LOGIN, post(login::log_in))
        .route(paths::LOGOUT, post(login::log_out))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .leptos_routes_with_context(&state, leptos_pages, page_data, shell)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(Extension(pages))
        // Each route's body limit is decided and enforced as the body arrives, in one place
        // (`guard::body`); the extractors take the body as read there.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(from_fn(read_body_in_time))
        // Rights are decided from the headers, before the body is read.
        .layer(from_fn(rights::refuse_without_rights))
        .layer(from_fn_with_state(state.clone(), guards::resolve_access))
        // Another site's posts are refused before anything is looked up or counted.
        .layer(from_fn(cross_site::refuse_cross_site))
        .layer(from_fn_with_state(hosts, check_host))
        // Outside the host check, so its refusals carry the security headers too.
        .layer(from_fn_with_state(
            HeaderPolicy {
                https_only: state.cookie_secure,
            },
            security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(from_fn(crate::telemetry::track_http))
        .with_state(state)
}

/// The JSON API and the sockets: every failure answers the contract's JSON body, the
/// framework's own rejections included.
fn api() -> Router<AppState> {
    Router::new()
        .route(
            paths::PRODUCTS_API,
            get(products::list)
                .post(products::create)
                .fallback(method_not_allowed),
        )
        .route(
            paths::PRODUCTS_CSV,
            get(catalog_files::export).fallback(method_not_allowed),
        )
        .route(
            paths::PRODUCTS_IMPORT,
            post(catalog_files::import).fallback(method_not_allowed),
        )
        .route(
            paths::PRODUCTS_REMOVED,
            get(history::removed).fallback(method_not_allowed),
        )
        .route(
            &paths::product_history("{id}"),
            get(history::history).fallback(method_not_allowed),
        )
        .route(
            &paths::product_restore("{id}"),
            post(history::restore).fallback(method_not_allowed),
        )
        .route(
            "/api/products/{id}",
            get(products::show)
                .put(products::update)
                .delete(products::remove)
                .fallback(method_not_allowed),
        )
        .route(
            paths::MESSAGES_API,
            get(messages::list)
                .post(messages::create)
                .fallback(method_not_allowed),
        )
        .route(
            &paths::message("{id}"),
            delete(messages::remove).fallback(method_not_allowed),
        )
        .route(
            paths::CHAT_BANS,
            get(bans::list).post(bans::ban).fallback(method_not_allowed),
        )
        .route(
            &paths::chat_ban("{email}"),
            delete(bans::lift).fallback(method_not_allowed),
        )
        .route(
            paths::STAFF_API,
            get(staff::list)
                .post(staff::add)
                .fallback(method_not_allowed),
        )
        .route(
            &paths::staff_account("{email}"),
            delete(staff::remove).fallback(method_not_allowed),
        )
        .route(
            "/api/{*rest}",
            any(|| async { ApiError::generic(axum::http::StatusCode::NOT_FOUND) }),
        )
        .route(paths::PRODUCTS_SOCKET, get(ws::products))
        .route(paths::CHAT_SOCKET, get(ws::chat))
        .layer(axum::middleware::map_response(json_errors))
}

/// A JSON 405 for a method an API path does not take, like every other API failure.
async fn method_not_allowed() -> ApiError {
    ApiError::generic(axum::http::StatusCode::METHOD_NOT_ALLOWED)
}
