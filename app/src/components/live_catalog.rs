//! The live catalog island: the product list kept current over `/ws/products`, a search box
//! that filters it as you type, and, for whoever may edit, the add form and Edit and Delete on
//! each product.
//!
//! The list is server-rendered from `initial` for the first paint, so the page never flashes
//! empty; once hydrated, the socket's snapshot takes over and every `added`, `updated` and
//! `removed` event is applied as it comes. Whether the page offers edit controls is decided by
//! the server (`access`); the server refuses changes from anyone else all the same.

use leptos::prelude::*;

use super::editing::{Editing, Outcome};
use super::live_rows::LiveRows;
use super::notice::Notice;
use super::product_editor::ProductEditor;
use super::product_form::{FormMode, FormState, ProductFormView};
use super::{next_ref, stay_connected, ConnectionBadge, LinkState, Outbox, ProductCard, OFFLINE};
use crate::domain::search::Query;
use crate::domain::{Access, Product, ProductId};
use crate::pages::PageNotice;
use crate::protocol::{ProductEvent, ProductRequest};

/// What the add form is waiting for: the `ref` of its `add` request and the code it carried.
#[derive(Clone, Debug, PartialEq)]
struct PendingAdd {
    reference: String,
    code: String,
}

#[island]
pub fn LiveCatalog(
    /// The catalog at render time, for the first paint.
    initial: Vec<Product>,
    /// The outcome of a plain form post (JavaScript off), shown once.
    notice: Option<PageNotice>,
    /// Whether this page may edit (decided by the server for the request).
    access: Access,
    /// The product whose edit form is open (`?edit=ID`, the no-JavaScript way to open it).
    edit: Option<ProductId>,
) -> impl IntoView {
    let live = LiveRows::new(initial);
    let editing = RwSignal::new(edit.and_then(|id| live.get(id)).map(Editing::new));
    let (link, set_link) = signal(LinkState::Connecting);
    let notice = RwSignal::new(notice);
    let form = FormState::new();
    let pending = RwSignal::new(None::<PendingAdd>);
    let outbox = Outbox::new();
    let search = RwSignal::new(String::new());
    let can_edit = access.can_edit();
    let connected = Signal::derive(move || link.get() != LinkState::Reconnecting);

    // What an event means for the open edit form, if any.
    let tell_editor = move |product: Option<&Product>, id: ProductId| {
        let mut saved = None;
        editing.update(|open| {
            let Some(open) = open.as_mut().filter(|e| e.id() == id) else {
                return;
            };
            let outcome = match product {
                Some(product) => open.arrived(product),
                None => open.removed(),
            };
            if outcome == Outcome::Saved {
                saved = product.cloned();
            }
        });
        if let Some(product) = saved {
            editing.set(None);
            notice.set(Some(PageNotice::Ok(format!(
                "Producto actualizado: {}",
                product.title
            ))));
        }
    };

    // The open form's row stays as drawn, so what is typed in it survives others' changes
    // (the form tells of them); rows are redrawn only when the form opens or closes.
    let open_id = Memo::new(move |_| editing.with(|e| e.as_ref().map(Editing::id)));
    Effect::new(move |_| live.freeze(open_id.get()));

    let on_event = move |event: ProductEvent| match event {
        ProductEvent::Snapshot { products, .. } => {
            if let Some(id) = open_id.get_untracked() {
                tell_editor(products.iter().find(|p| p.id == id), id);
            }
            live.replace(products);
        }
        ProductEvent::Added { product, .. } => {
            let mine =
                pending.with_untracked(|p| p.as_ref().is_some_and(|p| p.code == product.code));
            if mine {
                pending.set(None);
                form.clear();
                notice.set(Some(PageNotice::Ok(format!(
                    "Producto agregado: {}",
                    product.title
                ))));
            }
            live.upsert(product);
        }
        ProductEvent::Updated { product, .. } => {
            tell_editor(Some(&product), product.id);
            live.upsert(product);
        }
        ProductEvent::Removed { id, .. } => {
            tell_editor(None, id);
            live.remove(id);
        }
        // What was missed follows as ordinary events.
        ProductEvent::Resume { .. } => {}
        ProductEvent::Error(error) => {
            let for_form = pending.with_untracked(|p| {
                p.as_ref()
                    .is_some_and(|p| Some(&p.reference) == error.reference.as_ref())
            });
            if for_form {
                pending.set(None);
                form.errors.set(error.fields);
                notice.set(Some(PageNotice::Error(error.message)));
                return;
            }
            let mut for_editor = false;
            editing.update(|open| {
                if let Some(open) = open {
                    for_editor = open.refused(
                        error.reference.as_ref(),
                        error.message.clone(),
                        error.fields.clone(),
                    );
                }
            });
            if !for_editor {
                notice.set(Some(PageNotice::Error(error.message)));
            }
        }
    };

    Effect::new(move |_| stay_connected("/ws/products", set_link, outbox, on_event));

    let add = move || match form.read().parse() {
        Err(invalid) => {
            form.errors.set(invalid.fields);
            notice.set(Some(PageNotice::Error(invalid.error)));
        }
        Ok(product) => {
            form.errors.set(Default::default());
            let reference = next_ref("add");
            let code = product.code.clone();
            if outbox.send(&ProductRequest::Add {
                reference: Some(reference.clone()),
                product,
            }) {
                pending.set(Some(PendingAdd { reference, code }));
            } else {
                notice.set(Some(PageNotice::Error(OFFLINE.to_string())));
            }
        }
    };

    let remove = move |id: ProductId| {
        let request = ProductRequest::Remove {
            reference: Some(next_ref("remove")),
            id,
        };
        if !outbox.send(&request) {
            notice.set(Some(PageNotice::Error(OFFLINE.to_string())));
        }
    };

    let open_editor = move |id: ProductId| {
        if let Some(product) = live.get(id) {
            editing.set(Some(Editing::new(product)));
        }
    };

    let shown = Memo::new(move |_| {
        let query = Query::new(&search.get());
        live.rows.with(|rows| {
            rows.iter()
                .filter(|row| query.matches(&row.product))
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    view! {
        <section class="live-catalog">
            <div class="page-intro">
                <h1>"Productos en tiempo real"</h1>
                <ConnectionBadge state=link/>
                <StaffLink access/>
            </div>
            <Notice notice/>
            <div class="live-layout" class:readonly=!can_edit>
                {can_edit.then(|| view! {
                    <ProductFormView state=form mode=FormMode::Add on_submit=add can_send=connected/>
                })}
                <div class="live-list">
                    <div class="list-tools">
                        <input
                            type="search"
                            class="search-box"
                            placeholder="Buscar por título, código o categoría"
                            aria-label="Buscar productos"
                            data-testid="live-search"
                            on:input=move |ev| search.set(event_target_value(&ev))
                        />
                        <p class="muted" data-testid="product-count">
                            {move || {
                                let total = live.rows.with(Vec::len);
                                let showing = shown.with(Vec::len);
                                match (total, showing) {
                                    (0, _) => "El catálogo está vacío.".to_string(),
                                    (_, 0) => "Ningún producto coincide con la búsqueda.".to_string(),
                                    (t, s) if s < t => format!("{s} de {t} productos"),
                                    (1, _) => "1 producto".to_string(),
                                    (t, _) => format!("{t} productos"),
                                }
                            }}
                        </p>
                    </div>
                    <ul class="product-grid" data-testid="live-product-list">
                        <For
                            each=move || shown.get()
                            key=|row| (row.product.id, row.revision)
                            children=move |row| {
                                let id = row.product.id;
                                let product = row.product;
                                let is_open = move || open_id.get() == Some(id);
                                view! {
                                    <li>
                                        {move || if is_open() {
                                            view! { <ProductEditor editing outbox can_send=connected/> }.into_any()
                                        } else {
                                            let product = product.clone();
                                            view! {
                                                <ProductCard product>
                                                    {can_edit.then(|| view! {
                                                        <CardActions id on_edit=open_editor on_delete=remove/>
                                                    })}
                                                </ProductCard>
                                            }.into_any()
                                        }}
                                    </li>
                                }
                            }
                        />
                    </ul>
                </div>
            </div>
        </section>
    }
}

/// "Ingresar para editar" for a visitor, "Salir del modo edición" for staff, nothing when the
/// catalog is open to everyone.
#[component]
fn StaffLink(access: Access) -> impl IntoView {
    match access {
        Access::Open => None,
        Access::Visitor => Some(
            view! {
                <a class="staff-link" href="/login?next=/realtimeproducts" data-testid="login-link">
                    "Ingresar para editar"
                </a>
            }
            .into_any(),
        ),
        Access::Staff => Some(
            view! {
                <form class="staff-link" method="post" action="/logout">
                    <button type="submit" class="link" data-testid="logout">"Salir del modo edición"</button>
                </form>
            }
            .into_any(),
        ),
    }
}

/// Edit and Delete on a card. Without WASM, Edit is a link that opens the form on the server's
/// page and Delete a plain form post; with it, both act at once.
#[component]
fn CardActions(
    id: ProductId,
    on_edit: impl Fn(ProductId) + Send + Sync + Copy + 'static,
    on_delete: impl Fn(ProductId) + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <div class="card-actions">
            <a
                class="button secondary"
                href=format!("/realtimeproducts?edit={id}#product-{id}")
                on:click=move |ev| {
                    ev.prevent_default();
                    on_edit(id);
                }
            >
                "Editar"
            </a>
            <form
                class="delete-form"
                method="post"
                action=format!("/realtimeproducts/products/{id}/delete")
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    on_delete(id);
                }
            >
                <button type="submit" class="danger">"Eliminar"</button>
            </form>
        </div>
    }
}
