//! The HTML document and its three pages. Home is server-rendered only; the live catalog and
//! the chat are islands, the only parts that ship to the browser as WASM and hydrate.

mod chat;
mod data;
mod home;
mod login;
mod realtime;
mod staff;

use leptos::prelude::*;

use crate::components::WhoIsIn;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

pub use chat::ChatPage;
pub use data::{CatalogPage, PageData, PageNotice, TeamList};
pub use home::HomePage;
pub use login::LoginPage;
pub use realtime::RealtimeProductsPage;
pub use staff::StaffPage;

/// The whole HTML document, rendered on the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="es">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // Replaces pictures that fail to load (see assets/picture-fallback.js).
                <script src="/picture-fallback.js"></script>
                <link rel="stylesheet" id="leptos" href="/pkg/tiempo_real.css"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                // Last in the page, like every nonce'd script: the server caches the home
                // page compressed up to its first nonce and fills in each response's own
                // (server `routes/home/template.rs`).
                <HydrationScripts options islands=true/>
            </body>
        </html>
    }
}

/// The routes. Links between pages are plain links: each page is a fresh server render.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="tiempo real"/>
        <Meta
            name="description"
            content="El catálogo de la tienda en vivo: productos con precio y stock al día, \
                     búsqueda y un chat para consultar."
        />
        <Router>
            <header class="site-header">
                <a class="brand" href="/">"tiempo real"</a>
                <nav>
                    <a href="/">"Productos"</a>
                    <a href="/realtimeproducts">"En vivo"</a>
                    <a href="/chat">"Chat"</a>
                </nav>
                <WhoIsIn/>
            </header>
            <main>
                <Routes fallback=NotFound>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("realtimeproducts") view=RealtimeProductsPage/>
                    <Route path=path!("chat") view=ChatPage/>
                    <Route path=path!("login") view=LoginPage/>
                    <Route path=path!("staff") view=StaffPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Unknown paths; the server's fallback sends this page with status 404.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <Title text="No encontrado · tiempo real"/>
        <section class="empty">
            <h1>"Página no encontrada"</h1>
            <p><a href="/">"Volver a los productos"</a></p>
        </section>
    }
}
