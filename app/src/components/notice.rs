//! The last outcome worth telling the user, with a way to dismiss it.

use leptos::prelude::*;

use crate::pages::PageNotice;

#[component]
pub fn Notice(notice: RwSignal<Option<PageNotice>>) -> impl IntoView {
    move || {
        notice.get().map(|current| {
            let (class, text) = match current {
                PageNotice::Ok(text) => ("notice ok", text),
                PageNotice::Error(text) => ("notice error", text),
            };
            view! {
                <p class=class role="alert" data-testid="notice">
                    {text}
                    <button type="button" class="dismiss" aria-label="Cerrar" on:click=move |_| notice.set(None)>
                        "×"
                    </button>
                </p>
            }
        })
    }
}
