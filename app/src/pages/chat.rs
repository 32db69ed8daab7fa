//! `/chat`: the chat alone.

use leptos::prelude::*;
use leptos_meta::Title;

use super::PageData;
use crate::components::ChatBox;

#[component]
pub fn ChatPage() -> impl IntoView {
    view! {
        <Title text="Chat · tiempo real"/>
        <section class="chat-section">
            <h1>"Centro de mensajes"</h1>
            <ChatBox access=PageData::access()/>
        </section>
    }
}
