//! `/`: every product, rendered on the server, and `/?q=...`: those whose title, code or
//! category contain the search, accents and case ignored. No island, so no WASM runs and no
//! socket opens: the search is a plain form that works with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::PageData;
use crate::components::ProductCard;
use crate::domain::search::Query;

#[component]
pub fn HomePage() -> impl IntoView {
    let typed = use_query_map().with_untracked(|q| q.get("q").unwrap_or_default());
    let query = Query::new(&typed);
    let all = PageData::products();
    let total = all.len();
    let products: Vec<_> = all.into_iter().filter(|p| query.matches(p)).collect();
    let summary = if query.is_empty() {
        match total {
            0 => "Todavía no hay productos.".to_string(),
            1 => "1 producto en el catálogo.".to_string(),
            n => format!("{n} productos en el catálogo."),
        }
    } else {
        match products.len() {
            0 => format!("Ningún producto coincide con «{}».", typed.trim()),
            1 => format!("1 producto coincide con «{}».", typed.trim()),
            n => format!("{n} productos coinciden con «{}».", typed.trim()),
        }
    };
    let searching = !query.is_empty();
    view! {
        <Title text="Productos · tiempo real"/>
        <section class="page-intro">
            <h1>"Productos"</h1>
            <p class="muted" data-testid="summary">
                {summary}
                " "
                <a href="/realtimeproducts">"Ver y editar en vivo →"</a>
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
        {if products.is_empty() && !searching {
            view! {
                <section class="empty">
                    <p>"El catálogo está vacío."</p>
                    <p><a href="/realtimeproducts">"Agregá el primer producto"</a></p>
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
            }
            .into_any()
        }}
    }
}
