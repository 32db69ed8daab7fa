//! The live catalog island: the product list kept current over `/ws/products`, the add form and
//! a delete button per product.
//!
//! The list is server-rendered from `initial` for the first paint, so the page never flashes
//! empty; once hydrated, the socket's snapshot takes over and every `added`, `updated` and
//! `removed` event is applied as it comes.

use leptos::prelude::*;

use super::product_form::{FormState, ProductFormView};
use super::{next_ref, stay_connected, ConnectionBadge, LinkState, Outbox, ProductCard};
use crate::domain::{Product, ProductId};
use crate::pages::PageNotice;
use crate::protocol::{ProductEvent, ProductRequest};

/// A product on screen with a revision number, so the keyed list re-renders a card when the
/// product changes, not only when it comes or goes.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    revision: u64,
    product: Product,
}

/// The list state and what the socket's events do to it.
#[derive(Clone, Copy)]
struct Catalog {
    rows: RwSignal<Vec<Row>>,
    revision: StoredValue<u64>,
}

impl Catalog {
    fn new(initial: Vec<Product>) -> Self {
        let catalog = Catalog {
            rows: RwSignal::new(Vec::new()),
            revision: StoredValue::new(0),
        };
        catalog.replace(initial);
        catalog
    }

    fn row(&self, product: Product) -> Row {
        let revision = self.revision.get_value() + 1;
        self.revision.set_value(revision);
        Row { revision, product }
    }

    fn replace(&self, products: Vec<Product>) {
        let rows = products.into_iter().map(|p| self.row(p)).collect();
        self.rows.set(rows);
    }

    /// Inserts or replaces, keeping ascending id order.
    fn upsert(&self, product: Product) {
        let row = self.row(product);
        self.rows.update(|rows| {
            match rows.binary_search_by_key(&row.product.id, |r| r.product.id) {
                Ok(at) => rows[at] = row,
                Err(at) => rows.insert(at, row),
            }
        });
    }

    fn remove(&self, id: ProductId) {
        self.rows.update(|rows| rows.retain(|r| r.product.id != id));
    }
}

/// What the form is waiting for: the `ref` of its `add` request and the code it carried.
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
) -> impl IntoView {
    let catalog = Catalog::new(initial);
    let (link, set_link) = signal(LinkState::Connecting);
    let notice = RwSignal::new(notice);
    let form = FormState::new();
    let pending = RwSignal::new(None::<PendingAdd>);
    let outbox = Outbox::new();

    let on_event = move |event: ProductEvent| match event {
        ProductEvent::Snapshot { products } => catalog.replace(products),
        ProductEvent::Added { product } => {
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
            catalog.upsert(product);
        }
        ProductEvent::Updated { product } => catalog.upsert(product),
        ProductEvent::Removed { id } => catalog.remove(id),
        ProductEvent::Error(error) => {
            let for_form = pending.with_untracked(|p| {
                p.as_ref()
                    .is_some_and(|p| Some(&p.reference) == error.reference.as_ref())
            });
            if for_form {
                pending.set(None);
                form.errors.set(error.fields);
            }
            notice.set(Some(PageNotice::Error(error.message)));
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

    view! {
        <section class="live-catalog">
            <div class="page-intro">
                <h1>"Productos en tiempo real"</h1>
                <ConnectionBadge state=link/>
            </div>
            <Notice notice/>
            <div class="live-layout">
                <ProductFormView
                    state=form
                    on_submit=add
                    can_send=Signal::derive(move || link.get() != LinkState::Reconnecting)
                />
                <div class="live-list">
                    <p class="muted" data-testid="product-count">
                        {move || match catalog.rows.with(Vec::len) {
                            0 => "El catálogo está vacío.".to_string(),
                            1 => "1 producto".to_string(),
                            n => format!("{n} productos"),
                        }}
                    </p>
                    <ul class="product-grid" data-testid="live-product-list">
                        <For
                            each=move || catalog.rows.get()
                            key=|row| (row.product.id, row.revision)
                            children=move |row| {
                                let id = row.product.id;
                                view! {
                                    <li>
                                        <ProductCard product=row.product>
                                            <DeleteButton id on_delete=remove/>
                                        </ProductCard>
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

const OFFLINE: &str = "Sin conexión con el servidor: esperá a que se reconecte e intentá de nuevo";

/// A delete button that is a plain form post without WASM, a socket request with it.
#[component]
fn DeleteButton(
    id: ProductId,
    on_delete: impl Fn(ProductId) + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
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
    }
}

/// The last outcome worth telling the user, with a way to dismiss it.
#[component]
fn Notice(notice: RwSignal<Option<PageNotice>>) -> impl IntoView {
    move || {
        notice.get().map(|current| {
            let (class, text) = match current {
                PageNotice::Ok(text) => ("notice ok", text),
                PageNotice::Error(text) => ("notice error", text),
            };
            view! {
                <p class=class role="alert" data-testid="notice">
                    {text}
                    <button type="button" class="dismiss" on:click=move |_| notice.set(None)>
                        "×"
                    </button>
                </p>
            }
        })
    }
}
