//! Starting an island's live connection. The socket exists only in the browser; on the server
//! (where islands render their first HTML) there is nothing to connect, so this does nothing.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use super::{LinkState, Outbox};

/// Keeps a socket to `path` open for the life of the page, handing each server frame, parsed
/// as `E`, to `on_event`. Frames that do not parse are ignored: the server only sends `E`.
pub fn stay_connected<E: DeserializeOwned + 'static>(
    path: &'static str,
    link: WriteSignal<LinkState>,
    outbox: Outbox,
    on_event: impl Fn(E) + 'static,
) {
    #[cfg(feature = "hydrate")]
    crate::socket::keep_connected(path, link, outbox, move |text| {
        if let Ok(event) = serde_json::from_str::<E>(&text) {
            on_event(event);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (path, link, outbox, on_event);
}
