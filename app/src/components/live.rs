//! Starting an island's live connection. The socket exists only in the browser; on the server
//! (where islands render their first HTML) there is nothing to connect, so this does nothing.

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use super::{LinkState, Outbox};
use crate::protocol::Resumable;

/// Keeps a socket to `path` open for the life of the page, handing each server frame, parsed
/// as `E`, to `on_event`. Frames that do not parse are ignored: the server only sends `E`.
/// After a reconnect it resumes from the last frame it had (see [`ResumePoint`]), so a blip in
/// which nothing changed costs one small frame instead of the whole list.
pub fn stay_connected<E: DeserializeOwned + Resumable + 'static>(
    path: &'static str,
    link: WriteSignal<LinkState>,
    outbox: Outbox,
    on_event: impl Fn(E) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        let point = StoredValue::new_local(crate::protocol::ResumePoint::default());
        let url = move || format!("{path}{}", point.with_value(|p| p.start().query()));
        crate::socket::keep_connected(url, link, outbox, move |text| {
            if let Ok(event) = serde_json::from_str::<E>(&text) {
                point.update_value(|p| p.note(&event));
                on_event(event);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (path, link, outbox, on_event);
}
