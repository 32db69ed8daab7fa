//! What the server hands the pages while rendering. The app crate cannot see the server's
//! store, so the server provides these through Leptos context for each request.

use std::sync::Arc;

use crate::domain::search::Query;
use crate::domain::staff::Account;
use crate::domain::{Access, Product, ProductId};

/// How the server answers [`PageData::page`].
pub type PageSource = Arc<dyn Fn(&Query, ProductId, usize) -> CatalogPage + Send + Sync>;

/// One page of a list of products, and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogPage {
    pub total: u64,
    pub products: Vec<Product>,
}

/// Read access to the current catalog, and what the request may do with it, for server
/// rendering.
#[derive(Clone)]
pub struct PageData {
    /// One page of the catalog: the products matching a search, after an id, at most a
    /// limit; and how many match in all.
    pub page: PageSource,
    /// What the request being rendered may do, and who makes it.
    pub access: Access,
    /// The staff accounts, when the page shows them (`/staff`, for an admin).
    pub team: Option<TeamList>,
}

/// The staff accounts the server read for the page it renders.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TeamList(pub Vec<Account>);

impl PageData {
    /// The products matching `query` with an id above `after`, at most `limit`.
    pub fn page(query: &Query, after: ProductId, limit: usize) -> CatalogPage {
        leptos::prelude::use_context::<PageData>()
            .map(|data| (data.page)(query, after, limit))
            .unwrap_or_default()
    }

    /// The staff accounts the server read for this page, if any.
    pub fn team() -> Option<Vec<Account>> {
        leptos::prelude::use_context::<PageData>()
            .and_then(|data| data.team.map(|TeamList(accounts)| accounts))
    }

    /// What the request being rendered may do; a visitor's rights when unknown.
    pub fn access() -> Access {
        leptos::prelude::use_context::<PageData>()
            .map_or(Access::Visitor, |data| data.access.clone())
    }
}

/// A one-line outcome of a plain HTML form post (JavaScript off), carried back to the page in
/// the query string after the redirect: `?ok=...` or `?error=...`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PageNotice {
    Ok(String),
    Error(String),
}
