//! `/realtimeproducts`: the live catalog with its form, and the chat under it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{PageData, PageNotice};
use crate::components::{ChatBox, LiveCatalog};
use crate::domain::search::Query;
use crate::protocol::paging::LIVE_PAGE;

#[component]
pub fn RealtimeProductsPage() -> impl IntoView {
    let query = use_query_map();
    let (notice, edit) = query.with_untracked(|q| {
        let notice = q
            .get("error")
            .map(PageNotice::Error)
            .or_else(|| q.get("ok").map(PageNotice::Ok));
        (notice, q.get("edit").and_then(|id| id.parse().ok()))
    });
    let first = PageData::page(&Query::default(), 0, LIVE_PAGE);
    view! {
        <Title text="Productos en tiempo real · tiempo real"/>
        <LiveCatalog initial=first.products total=first.total notice access=PageData::access() edit/>
        <section class="chat-section">
            <h2>"Centro de mensajes"</h2>
            <ChatBox/>
        </section>
    }
    .into_any()
}
