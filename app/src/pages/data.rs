//! What the server hands the pages while rendering. The app crate cannot see the server's
//! store, so the server provides these through Leptos context for each request.

use std::sync::Arc;

use crate::domain::Product;

/// Read access to the current catalog, for server rendering.
#[derive(Clone)]
pub struct PageData {
    pub products: Arc<dyn Fn() -> Vec<Product> + Send + Sync>,
}

impl PageData {
    /// The catalog now, ascending by id; empty when rendered without a server (never in practice).
    pub fn products() -> Vec<Product> {
        leptos::prelude::use_context::<PageData>()
            .map(|data| (data.products)())
            .unwrap_or_default()
    }
}

/// A one-line outcome of a plain HTML form post (JavaScript off), carried back to the page in
/// the query string after the redirect: `?ok=...` or `?error=...`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PageNotice {
    Ok(String),
    Error(String),
}
