//! The visible state of a live connection, so nobody mistakes a stale page for a live one.

use leptos::prelude::*;

/// Where a socket connection stands, as shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Rendered on the server, or the first connection is still being made.
    Connecting,
    /// The first frame arrived: the data on screen is live.
    Live,
    /// The connection dropped; the next try comes after a short wait.
    Reconnecting,
}

#[component]
pub fn ConnectionBadge(state: ReadSignal<LinkState>) -> impl IntoView {
    let label = move || match state.get() {
        LinkState::Connecting => "Conectando…",
        LinkState::Live => "En vivo",
        LinkState::Reconnecting => "Sin conexión, reintentando…",
    };
    let class = move || match state.get() {
        LinkState::Connecting => "link-state connecting",
        LinkState::Live => "link-state live",
        LinkState::Reconnecting => "link-state down",
    };
    view! {
        <span class=class role="status" data-testid="connection-state">
            <span class="dot" aria-hidden="true"></span>
            {label}
        </span>
    }
}
