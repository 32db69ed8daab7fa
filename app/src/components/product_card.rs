//! One product, as shown on the home page and in the live list. Every user-supplied string is
//! inserted as text (Leptos escapes it), never as HTML.

use leptos::prelude::*;

use crate::domain::Product;

/// Formats a price the way the shop writes it: `$ 1234.50`.
pub fn format_price(price: f64) -> String {
    format!("$ {price:.2}")
}

#[component]
pub fn ProductCard(
    product: Product,
    /// Extra content at the bottom of the card (the delete button on the live page).
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
    let image = thumbnails.first().cloned();
    let code_attribute = code.clone();
    let alt = title.clone();
    view! {
        <article class="product-card" data-product-id=id data-code=code_attribute>
            {image.map(|src| view! { <img class="thumb" src=src alt=alt.clone() loading="lazy"/> })}
            <div class="product-body">
                <h3 class="product-title">{title.clone()}</h3>
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
