//! `/`: the catalog a page at a time, rendered on the server, and `/?q=...`: those products
//! whose title, code or category contain the search, accents and case ignored. Pages are keyed
//! by id (`?after=ID`), and a `rel="next"` link leads to the next one, so following it from `/`
//! visits every product once, with JavaScript off. No island, so no WASM runs and no socket
//! opens: the search is a plain form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{CatalogPage, PageData};
use crate::components::ProductCard;
use crate::domain::counting::catalog_count;
use crate::domain::search::Query;
use crate::paths::{self, encode_query_value};

#[component]
pub fn HomePage() -> impl IntoView {
    let (typed, after) = use_query_map().with_untracked(|q| {
        let after = q.get("after").and_then(|a| a.parse::<u64>().ok());
        (q.get("q").unwrap_or_default(), after.unwrap_or(0))
    });
    let query = Query::new(&typed);
    // One more than a page tells whether another page follows.
    let CatalogPage {
        total,
        mut products,
    } = PageData::page(&query, after, HOME_PAGE_SIZE + 1);
    let more = products.len() > HOME_PAGE_SIZE;
    products.truncate(HOME_PAGE_SIZE);
    let next = more.then(|| {
        let last = products.last().map_or(after, |p| p.id);
        next_page_href(typed.trim(), last)
    });
    let summary = catalog_count(total, &typed);
    let searching = !query.is_empty();
    let first_page = after == 0;
    view! {
        <Title text="Productos · tiempo real"/>
        <section class="page-intro">
            <h1>"Productos"</h1>
            <p class="muted" data-testid="summary">
                {summary}
                " "
                <a href=paths::REALTIME>"Ver y editar en vivo →"</a>
            </p>
        </section>
        <form class="search" method="get" action="/" role="search">
            <input
                type="search"
                name="q"
                value=typed.trim().to_string()
                placeholder="Buscar por título, código o categoría"
                aria-label="Buscar productos"
            />
            <button type="submit">"Buscar"</button>
            {searching.then(|| view! { <a class="clear" href="/">"Ver todos"</a> })}
        </form>
        {if products.is_empty() && !searching && first_page {
            view! {
                <section class="empty">
                    <p>"El catálogo está vacío."</p>
                    <p><a href=paths::REALTIME>"Agregá el primer producto"</a></p>
                </section>
            }
            .into_any()
        } else {
            view! {
                <ul class="product-grid" data-testid="product-list">
                    {products
                        .into_iter()
                        .map(|product| view! { <li><ProductCard product/></li> })
                        .collect_view()}
                </ul>
                <nav class="pager" aria-label="Páginas del catálogo">
                    {(!first_page).then(|| view! {
                        <a href=first_page_href(typed.trim())>"← Primera página"</a>
                    })}
                    {next.map(|href| view! {
                        <a rel="next" href=href data-testid="next-page">"Siguientes →"</a>
                    })}
                </nav>
            }
            .into_any()
        }}
    }
}

/// How many products one page of the home shows.
pub const HOME_PAGE_SIZE: usize = 100;

fn next_page_href(search: &str, after: u64) -> String {
    let mut pairs = vec![("after", after.to_string())];
    if !search.is_empty() {
        pairs.insert(0, ("q", search.to_string()));
    }
    format!("/?{}", encode_pairs(&pairs))
}

fn first_page_href(search: &str) -> String {
    if search.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", encode_pairs(&[("q", search.to_string())]))
    }
}

/// `key=value&...` with the values percent-encoded.
fn encode_pairs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_search_and_counts_read_well() {
        assert_eq!(next_page_href("", 100), "/?after=100");
        assert_eq!(
            next_page_href("ñandú 2", 7),
            "/?q=%C3%B1and%C3%BA%202&after=7"
        );
        assert_eq!(first_page_href(""), "/");
    }
}
