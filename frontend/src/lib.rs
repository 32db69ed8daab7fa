//! The browser entry point. Only the islands (the live catalog and the chat) hydrate; the rest
//! of every page stays the server's HTML.

// Linking the app crate is what brings its `#[island]` components into this bundle.
pub use app::components::{ChatBox, LiveCatalog};

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
