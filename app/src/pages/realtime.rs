//! `/realtimeproducts`: the live catalog with its form, and the chat under it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use super::{CatalogPage, PageData, PageNotice};
use crate::components::{ChatBox, LiveCatalog};
use crate::domain::notices::{Outcome, ERROR, FIELDS, OK, PRODUCT};
use crate::domain::search::Query;
use crate::domain::{Product, ProductId};
use crate::protocol::paging::LIVE_PAGE;

#[component]
pub fn RealtimeProductsPage() -> impl IntoView {
    let query = use_query_map();
    let (notice, edit) =
        query.with_untracked(|q| (notice(q), q.get("edit").and_then(|id| id.parse().ok())));
    let (after, first) = first_page(edit);
    view! {
        <Title text="Productos en tiempo real · tiempo real"/>
        <LiveCatalog initial=first.products total=first.total after notice access=PageData::access() edit/>
        <section class="chat-section">
            <h2>"Centro de mensajes"</h2>
            <ChatBox access=PageData::access()/>
        </section>
    }
    .into_any()
}

/// The outcome of a plain form post, as the link back names it by code, in this page's own
/// words (see `domain::notices`); nothing for a code it does not know.
fn notice(query: &ParamsMap) -> Option<PageNotice> {
    let (parameter, code) = [OK, ERROR]
        .into_iter()
        .find_map(|parameter| Some((parameter, query.get(parameter)?)))?;
    let outcome = Outcome::from_query(parameter, &code)?;
    let product = query
        .get(PRODUCT)
        .and_then(|id| id.parse().ok())
        .and_then(product);
    let fields = query.get(FIELDS).unwrap_or_default();
    let fields: Vec<&str> = fields.split(',').collect();
    let text = outcome.sentence(product.as_ref(), &fields);
    Some(if outcome.is_ok() {
        PageNotice::Ok(text)
    } else {
        PageNotice::Error(text)
    })
}

/// Product `id`, as the catalog has it now.
fn product(id: ProductId) -> Option<Product> {
    let page = PageData::page(&Query::default(), id.checked_sub(1)?, 1);
    page.products.into_iter().find(|product| product.id == id)
}

/// The page the live list starts with: the top of the catalog, or, when a link opens the edit
/// form of a product further down (`?edit=ID`, the way without JavaScript), the page that
/// starts with that product; and the id it starts after.
fn first_page(edit: Option<ProductId>) -> (ProductId, CatalogPage) {
    let all = Query::default();
    let top = PageData::page(&all, 0, LIVE_PAGE);
    let wanted = edit.filter(|id| !top.products.iter().any(|p| p.id == *id));
    let Some((id, after)) = wanted.and_then(|id| Some((id, id.checked_sub(1)?))) else {
        return (0, top);
    };
    let there = PageData::page(&all, after, LIVE_PAGE);
    if there.products.first().is_some_and(|p| p.id == id) {
        (after, there)
    } else {
        (0, top)
    }
}
