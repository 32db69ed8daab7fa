//! Editing a product in place, in its card: every field, the shared validation, the server's
//! per-field errors, and what others did meanwhile (see [`Editing`]). Saving sends an `update`
//! that expects the product as the form showed it, so nobody's change is silently overwritten.
//! Without JavaScript the same form posts to the server.

use leptos::prelude::*;

use super::editing::{Conflict, Editing};
use super::live_list::Event;
use super::product_form::{FormMode, FormState, ProductFormView};
use super::{next_ref, Outbox, OFFLINE};
use crate::domain::ProductChanges;
use crate::paths;
use crate::protocol::ProductRequest;

#[component]
pub fn ProductEditor(
    /// The open form's state (see `LiveList`), read here and changed through `dispatch`.
    editing: RwSignal<Option<Editing>>,
    dispatch: impl Fn(Event) + Send + Sync + Copy + 'static,
    outbox: Outbox,
    #[prop(into)] can_send: Signal<bool>,
) -> impl IntoView {
    // Drawn afresh when the form opens on another product or reloads newer data.
    let drawn =
        Memo::new(move |_| editing.with(|e| e.as_ref().map(|e| (e.original.clone(), e.version))));
    move || {
        let (original, _) = drawn.get()?;
        let form = FormState::new();
        // The problems per field, from the browser's check or the server's answer.
        Effect::new(move |_| {
            form.errors
                .set(editing.with(|e| e.as_ref().map(|e| e.fields.clone()).unwrap_or_default()))
        });
        let save = move || {
            let Some(current) = editing.get_untracked() else {
                return;
            };
            match form.read().parse() {
                Err(invalid) => dispatch(Event::Unsaved {
                    problem: invalid.error,
                    fields: invalid.fields,
                }),
                Ok(all) => {
                    let changes = ProductChanges::from(all);
                    let reference = next_ref("edit");
                    let request = ProductRequest::Update {
                        reference: Some(reference.clone()),
                        id: current.id(),
                        changes: changes.clone(),
                        expected: Some(current.original.clone()),
                    };
                    if outbox.send(&request) {
                        dispatch(Event::Saving { reference, changes });
                    } else {
                        dispatch(Event::Unsaved {
                            problem: OFFLINE.into(),
                            fields: Default::default(),
                        });
                    }
                }
            }
        };
        let conflict = move || editing.with(|e| e.as_ref().and_then(|e| e.conflict.clone()));
        let problem = move || editing.with(|e| e.as_ref().and_then(|e| e.problem.clone()));
        let removed = move || conflict() == Some(Conflict::Removed);
        Some(view! {
            <ProductFormView
                state=form
                mode=FormMode::Edit(original)
                on_submit=save
                can_send=Signal::derive(move || can_send.get() && !removed())
                notices=Box::new(move || view! {
                {move || conflict().map(|conflict| match conflict {
                    Conflict::Changed(_) => view! {
                        <div class="conflict" role="alert" data-testid="edit-conflict">
                            <p>"Otra persona cambió este producto mientras lo editabas."</p>
                            <button type="button" on:click=move |_| dispatch(Event::Reload)>
                                "Cargar los datos actuales"
                            </button>
                        </div>
                    }.into_any(),
                    Conflict::Removed => view! {
                        <div class="conflict" role="alert" data-testid="edit-conflict">
                            <p>"Alguien eliminó este producto mientras lo editabas: ya no se puede guardar."</p>
                        </div>
                    }.into_any(),
                })}
                {move || problem().map(|problem| view! {
                    <p class="field-error" role="alert" data-testid="edit-problem">{problem}</p>
                })}
                }.into_any())
                actions=Box::new(move || view! {
                    // A link, so that it also closes the form without JavaScript.
                    <a class="button secondary" href=paths::REALTIME on:click=move |ev| {
                        ev.prevent_default();
                        dispatch(Event::Close);
                    }>"Cancelar"</a>
                }.into_any())
            />
        })
    }
}
