//! The live catalog island: a window of the catalog kept current over `/ws/products`, a search
//! answered by the server as you type, more pages as you scroll, and, for whoever may edit, the
//! add form, Edit and Delete on each product, and the catalog as a CSV file in and out.
//!
//! The first page is server-rendered, so the page never flashes empty; once hydrated, the
//! socket (opened with the page's `limit`, so a catalog of 100,000 costs one page) keeps it
//! current. Every rule about what is shown lives in [`LiveList`], a plain reducer; this file
//! only turns what it says changed into signals, fetches and notices. Whether the page offers
//! edit controls is decided by the server (`access`); the server refuses changes from anyone
//! else all the same.

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;

use super::catalog_files::CatalogFiles;
use super::change_record::{RecordPanel, RecordView};
use super::editing::Editing;
use super::live_list::{Changed, Count, Event, Fetch, LiveList, Row};
use super::notice::Notice;
use super::product_editor::ProductEditor;
use super::product_form::{FormMode, FormState, ProductFormView};
use super::{next_ref, ConnectionBadge, LinkState, Outbox, ProductCard, OFFLINE};
use crate::browser::{get_json, keep_in_place, stay_connected, when_visible};
use crate::domain::counting::catalog_count;
use crate::domain::{Access, Product, ProductId};
use crate::pages::PageNotice;
use crate::paths;
use crate::protocol::paging::{products_url, LIVE_PAGE, SEQ_HEADER, TOTAL_COUNT_HEADER};
use crate::protocol::ProductRequest;

/// How long typing must pause before the search goes to the server.
const SEARCH_PAUSE: Duration = Duration::from_millis(120);

/// The rows on screen (first those just added, marked new, then the window) and whether more
/// lie before or after them.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    rows: Vec<(Row, bool)>,
    earlier: bool,
    more: bool,
}

impl Shown {
    fn of(list: &LiveList) -> Self {
        let fresh = list.fresh().into_iter().map(|row| (row.clone(), true));
        let window = list.window().into_iter().map(|row| (row.clone(), false));
        Shown {
            rows: fresh.chain(window).collect(),
            earlier: list.has_earlier(),
            more: list.has_more(),
        }
    }
}

#[island]
pub fn LiveCatalog(
    /// The catalog's first page at render time, for the first paint.
    initial: Vec<Product>,
    /// How many products there were at render time.
    total: u64,
    /// The id `initial` starts after: 0 for the top of the catalog.
    after: ProductId,
    /// The outcome of a plain form post (JavaScript off), shown once.
    notice: Option<PageNotice>,
    /// Whether this page may edit (decided by the server for the request).
    access: Access,
    /// The product whose edit form is open (`?edit=ID`, the no-JavaScript way to open it).
    edit: Option<ProductId>,
) -> impl IntoView {
    let mut list = LiveList::new(initial, total, after);
    if let Some(id) = edit {
        list.apply(Event::Open(id));
    }
    let shown = RwSignal::new(Shown::of(&list));
    let count = RwSignal::new(list.count());
    let editing = RwSignal::new(list.editing().cloned());
    let list = StoredValue::new(list);
    let (link, set_link) = signal(LinkState::Connecting);
    let notice = RwSignal::new(notice);
    let form = FormState::new();
    let outbox = Outbox::new();
    let wanted = RwSignal::new(None::<Fetch>);
    let can_edit = access.can_edit();
    let connected = Signal::derive(move || link.get() != LinkState::Reconnecting);

    // The one way the state changes: the reducer, then the signals it says changed.
    let dispatch = move |event: Event| {
        let Some(changed) = list.try_update_value(|list| list.apply(event)) else {
            return;
        };
        let Changed {
            rows,
            count: counted,
            editing: edited,
            added,
            notice: said,
            add_errors,
            fetch,
            anchor,
        } = changed;
        if let Some(id) = anchor {
            keep_in_place(id);
        }
        list.with_value(|list| {
            if rows {
                shown.set(Shown::of(list));
            }
            if counted {
                count.set(list.count());
            }
            if edited {
                editing.set(list.editing().cloned());
            }
        });
        if added {
            form.clear();
        }
        if let Some(errors) = add_errors {
            form.errors.set(errors);
        }
        if said.is_some() {
            notice.set(said);
        }
        if fetch.is_some() {
            wanted.set(fetch);
        }
    };

    // Pages asked for by the reducer, fetched over HTTP and handed back to it.
    Effect::new(move |_| {
        let Some(fetch) = wanted.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let url = products_url(&fetch.query, fetch.after, fetch.limit);
            let headers = [TOTAL_COUNT_HEADER, SEQ_HEADER];
            dispatch(match get_json::<Vec<Product>>(&url, &headers).await {
                Some(page) => Event::Page {
                    fetch,
                    products: page.body,
                    total: page.headers[0],
                    seq: page.headers[1],
                },
                None => Event::FetchFailed(fetch),
            });
        });
    });

    Effect::new(move |_| {
        stay_connected(
            paths::PRODUCTS_SOCKET,
            Some(LIVE_PAGE as u64),
            set_link,
            outbox,
            move |event| dispatch(Event::Socket(event)),
        )
    });

    // The next page when the end of the rows comes near.
    let end = NodeRef::<html::Div>::new();
    let watch = when_visible(end, 800, move || dispatch(Event::More));
    // A page that did not push the end out of view (a tall screen) asks for the next one.
    Effect::new(move |_| {
        shown.track();
        watch.again();
    });

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
                dispatch(Event::AddSent { reference, code });
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

    let open_editor = move |id: ProductId| dispatch(Event::Open(id));
    // The record of changes (editors): a product's history, or the removed products.
    let record = RwSignal::new(None::<RecordPanel>);
    let open_history = move |id: ProductId| {
        let title = list.with_value(|list| list.get(id).map(|p| p.title.clone()));
        record.set(title.map(|title| RecordPanel::History(id, title)));
    };
    let open_id = Memo::new(move |_| editing.with(|e| e.as_ref().map(Editing::id)));
    let mut search = debounce(SEARCH_PAUSE, move |text: String| {
        dispatch(Event::Search(text))
    });

    view! {
        <section class="live-catalog">
            <div class="page-intro">
                <h1>"Productos en tiempo real"</h1>
                <ConnectionBadge state=link/>
                <StaffLink access/>
            </div>
            <Notice notice/>
            {move || record.get().map(|panel| view! {
                <RecordView
                    panel
                    on_close=move || record.set(None)
                    on_notice=move |said| notice.set(Some(said))
                />
            })}
            {can_edit.then(|| view! { <CatalogFiles/> })}
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
                            on:input=move |ev| search(event_target_value(&ev))
                        />
                        <p class="muted" data-testid="product-count">
                            {move || count_line(&count.read())}
                        </p>
                        {can_edit.then(|| view! {
                            <button type="button" class="secondary" data-testid="show-removed"
                                on:click=move |_| record.set(Some(RecordPanel::Removed))>
                                "Eliminados"
                            </button>
                        })}
                    </div>
                    {move || shown.with(|s| s.earlier).then(|| view! {
                        <button type="button" class="secondary more" data-testid="show-earlier"
                            on:click=move |_| dispatch(Event::Earlier)>
                            "Mostrar anteriores"
                        </button>
                    })}
                    <ul class="product-grid" data-testid="live-product-list">
                        <For
                            each=move || shown.with(|s| s.rows.clone())
                            key=|(row, fresh)| (row.product.id, row.revision, *fresh)
                            children=move |(row, fresh)| {
                                let id = row.product.id;
                                let product = row.product;
                                let is_open = move || open_id.get() == Some(id);
                                let on_event = move |event| dispatch(event);
                                view! {
                                    <li>
                                        {move || if is_open() {
                                            view! { <ProductEditor editing dispatch=on_event outbox can_send=connected/> }.into_any()
                                        } else {
                                            let product = product.clone();
                                            view! {
                                                <ProductCard product fresh>
                                                    {can_edit.then(|| view! {
                                                        <CardActions id on_edit=open_editor on_delete=remove on_history=open_history/>
                                                    })}
                                                </ProductCard>
                                            }.into_any()
                                        }}
                                    </li>
                                }
                            }
                        />
                    </ul>
                    <div node_ref=end class="list-end">
                        {move || shown.with(|s| s.more).then(|| view! {
                            <button type="button" class="secondary more" data-testid="show-more"
                                on:click=move |_| dispatch(Event::More)>
                                "Mostrar más"
                            </button>
                        })}
                    </div>
                </div>
            </div>
        </section>
    }
}

/// The line above the list: how many products there are or match, or that a search is out.
fn count_line(count: &Count) -> String {
    if count.searching {
        "Buscando…".to_string()
    } else {
        catalog_count(count.total, &count.query)
    }
}

/// "Ingresar para editar" for a visitor; nothing for staff (the page's header says who is
/// logged in and offers "Salir") or when the catalog is open to everyone.
#[component]
fn StaffLink(access: Access) -> impl IntoView {
    (access == Access::Visitor).then(|| {
        view! {
            <a class="staff-link" href=paths::login_then_live() data-testid="login-link">
                "Ingresar para editar"
            </a>
        }
    })
}

/// Edit and Delete on a card. Without WASM, Edit is a link that opens the form on the server's
/// page and Delete a plain form post; with it, both act at once.
#[component]
fn CardActions(
    id: ProductId,
    on_edit: impl Fn(ProductId) + Send + Sync + Copy + 'static,
    on_delete: impl Fn(ProductId) + Send + Sync + Copy + 'static,
    on_history: impl Fn(ProductId) + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <div class="card-actions">
            <a
                class="button secondary"
                href=paths::edit_page(id)
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
                action=paths::delete_form(id)
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    on_delete(id);
                }
            >
                <button type="submit" class="danger">"Eliminar"</button>
            </form>
            // The record is read over HTTP by the page's script: without it, nothing to show.
            <button type="button" class="secondary history-button" on:click=move |_| on_history(id)>
                "Historial"
            </button>
        </div>
    }
}
