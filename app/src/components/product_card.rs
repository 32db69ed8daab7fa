//! One product, as shown on the home page and in the live list. Every user-supplied string is
//! inserted as text (Leptos escapes it), never as HTML.

use leptos::prelude::*;

use crate::domain::image::safe_src;
use crate::domain::price::format_price;
use crate::domain::Product;

#[component]
pub fn ProductCard(
    product: Product,
    /// Added while the page is open (the live list shows it first): marked "Nuevo".
    #[prop(optional)]
    fresh: bool,
    /// Extra content at the bottom of the card (the edit and delete buttons on the live page).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let Product {
        id,
        title,
        description,
        code,
        price,
        status,
        stock,
        category,
        thumbnails,
    } = product;
    let code_attribute = code.clone();
    view! {
        <article class="product-card" class:fresh=fresh id=format!("product-{id}") data-product-id=id data-code=code_attribute>
            <Thumbnail address=thumbnails.first().cloned()/>
            <div class="product-body">
                {fresh.then(|| view! { <span class="badge fresh" data-testid="fresh">"Nuevo"</span> })}
                // h2: on every page a card sits right under the page's h1.
                <h2 class="product-title">{title}</h2>
                <p class="product-description">{description}</p>
                <dl class="product-facts">
                    <dt>"Precio"</dt>
                    <dd class="product-price">{format_price(price)}</dd>
                    <dt>"Stock"</dt>
                    <dd class="product-stock">{stock}</dd>
                    <dt>"Código"</dt>
                    <dd class="product-code">{code}</dd>
                    <dt>"Categoría"</dt>
                    <dd class="product-category">{category}</dd>
                </dl>
                <span class=if status { "badge active" } else { "badge inactive" }>
                    {if status { "Activo" } else { "Inactivo" }}
                </span>
                {children.map(|children| children())}
            </div>
        </article>
    }
}

/// The product's first picture in a box of fixed proportions, over a neutral placeholder that
/// shows when there is no picture, when its address is not one a page may load, or when it
/// fails to load (the image removes itself; with scripts off a broken image with an empty
/// `alt` draws nothing, so the placeholder shows just the same).
#[component]
fn Thumbnail(address: Option<String>) -> impl IntoView {
    let src = address.as_deref().and_then(safe_src).map(str::to_string);
    view! {
        <div class="thumb">
            <span class="thumb-placeholder" aria-hidden="true">"Sin imagen"</span>
            {src.map(|src| view! {
                <img src=src alt="" loading="lazy" decoding="async"/>
            })}
        </div>
    }
}
