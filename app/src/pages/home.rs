//! `/`: every product, rendered on the server. No island, so no WASM runs and no socket opens.

use leptos::prelude::*;
use leptos_meta::Title;

use super::PageData;
use crate::components::ProductCard;

#[component]
pub fn HomePage() -> impl IntoView {
    let products = PageData::products();
    let count = products.len();
    view! {
        <Title text="Productos · tiempo real"/>
        <section class="page-intro">
            <h1>"Productos"</h1>
            <p class="muted">
                {match count {
                    0 => "Todavía no hay productos.".to_string(),
                    1 => "1 producto en el catálogo.".to_string(),
                    n => format!("{n} productos en el catálogo."),
                }}
                " "
                <a href="/realtimeproducts">"Ver y editar en vivo →"</a>
            </p>
        </section>
        {if products.is_empty() {
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
