//! The record of changes on the live page, for whoever may edit: a product's "Historial" (who,
//! when, each field that changed, before and after) and the products "Eliminados", each with
//! "Restaurar". A restore is an ordinary change: every open page hears it over its socket.

use leptos::prelude::*;

use crate::browser::{get_json, post_json};
use crate::domain::history::{
    actor_label, local_time, what_changed, ChangeKind, FieldChange, HistoryEntry, RemovedProduct,
    RestoreRequest,
};
use crate::domain::price::format_price;
use crate::domain::{Product, ProductId};
use crate::pages::PageNotice;
use crate::paths;

/// Which part of the record is open.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordPanel {
    /// The history of a product (its id and title).
    History(ProductId, String),
    /// The products removed and not restored.
    Removed,
}

/// How many entries a panel asks for.
const SHOWN: usize = 100;

/// The open panel, over the page; "Cerrar" closes it. A restore is told in the page's notice.
#[component]
pub fn RecordView(
    panel: RecordPanel,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
    on_notice: impl Fn(PageNotice) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let heading = match &panel {
        RecordPanel::History(_, title) => format!("Historial de «{title}»"),
        RecordPanel::Removed => "Productos eliminados".to_string(),
    };
    let problem = RwSignal::new(None::<String>);
    // Bumped after a restore, so the panel reads the record again.
    let version = RwSignal::new(0u32);
    let restore = move |id: ProductId, seq: u64| {
        leptos::task::spawn_local(async move {
            let answer: Result<Product, String> =
                post_json(&paths::product_restore(id), &RestoreRequest { seq }).await;
            match answer {
                Ok(product) => {
                    problem.set(None);
                    on_notice(PageNotice::Ok(format!(
                        "Producto restaurado: {}",
                        product.title
                    )));
                    version.update(|v| *v += 1);
                }
                Err(why) => problem.set(Some(why)),
            }
        });
    };
    let body = match panel {
        RecordPanel::History(id, _) => view! { <HistoryList id version restore/> }.into_any(),
        RecordPanel::Removed => view! { <RemovedList version restore/> }.into_any(),
    };
    view! {
        <section class="record-panel" role="dialog" aria-labelledby="record-heading" data-testid="record-panel">
            <div class="record-head">
                <h2 id="record-heading">{heading}</h2>
                <button type="button" class="secondary" on:click=move |_| on_close()>"Cerrar"</button>
            </div>
            {move || problem.get().map(|why| view! { <p class="notice error" role="alert">{why}</p> })}
            {body}
        </section>
    }
}

/// What a list of the record holds: not read yet, read, or not readable.
#[derive(Clone)]
enum Loaded<T> {
    Loading,
    Ready(Vec<T>),
    Failed,
}

/// Reads `url` into `into` now and each time `version` changes.
fn load<T>(url: String, version: RwSignal<u32>, into: RwSignal<Loaded<T>>)
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    Effect::new(move |_| {
        version.track();
        let url = url.clone();
        leptos::task::spawn_local(async move {
            into.set(match get_json::<Vec<T>>(&url, &[]).await {
                Some(page) => Loaded::Ready(page.body),
                None => Loaded::Failed,
            });
        });
    });
}

#[component]
fn HistoryList(
    id: ProductId,
    version: RwSignal<u32>,
    restore: impl Fn(ProductId, u64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let entries = RwSignal::new(Loaded::<HistoryEntry>::Loading);
    load(
        format!("{}?limit={SHOWN}", paths::product_history(id)),
        version,
        entries,
    );
    move || match entries.get() {
        Loaded::Loading => view! { <p class="muted">"Cargando…"</p> }.into_any(),
        Loaded::Failed => failed().into_any(),
        Loaded::Ready(list) if list.is_empty() => {
            view! { <p class="muted">"Sin cambios registrados."</p> }.into_any()
        }
        Loaded::Ready(list) => {
            let changed = what_changed(&list);
            let rows = list
                .into_iter()
                .zip(changed)
                .enumerate()
                .map(|(at, (entry, fields))| {
                    // The newest entry is the product as it is (unless it was removed).
                    let current = at == 0 && entry.kind != ChangeKind::Removed;
                    view! { <HistoryRow entry fields current restore/> }
                })
                .collect_view();
            view! { <ol class="record-list" data-testid="history">{rows}</ol> }.into_any()
        }
    }
}

#[component]
fn HistoryRow(
    entry: HistoryEntry,
    fields: Vec<FieldChange>,
    current: bool,
    restore: impl Fn(ProductId, u64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let HistoryEntry {
        seq,
        at,
        actor,
        kind,
        product,
    } = entry;
    let id = product.id;
    let summary = fields.is_empty().then(|| {
        format!(
            "{} · {} · Stock {}",
            product.code,
            format_price(product.price),
            product.stock
        )
    });
    view! {
        <li class="record-entry" data-kind=kind.name()>
            <p class="record-when">
                <strong>{kind.label()}</strong>
                " · " {local_time(at)} " · " {actor_label(&actor).to_string()}
            </p>
            {summary.map(|text| view! { <p class="muted">{text}</p> })}
            <ul class="field-changes">
                {fields.into_iter().map(|change| view! {
                    <li>
                        {change.label} ": "
                        <del>{change.before}</del> " → " <ins>{change.after}</ins>
                    </li>
                }).collect_view()}
            </ul>
            {(!current).then(|| view! {
                <button type="button" class="secondary" on:click=move |_| restore(id, seq)>
                    "Restaurar"
                </button>
            })}
        </li>
    }
}

#[component]
fn RemovedList(
    version: RwSignal<u32>,
    restore: impl Fn(ProductId, u64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let removed = RwSignal::new(Loaded::<RemovedProduct>::Loading);
    load(
        format!("{}?limit={SHOWN}", paths::PRODUCTS_REMOVED),
        version,
        removed,
    );
    move || match removed.get() {
        Loaded::Loading => view! { <p class="muted">"Cargando…"</p> }.into_any(),
        Loaded::Failed => failed().into_any(),
        Loaded::Ready(list) if list.is_empty() => {
            view! { <p class="muted">"No hay productos eliminados."</p> }.into_any()
        }
        Loaded::Ready(list) => {
            let rows = list
                .into_iter()
                .map(|RemovedProduct { seq, product, at, actor }| {
                    let Product { id, title, code, .. } = product;
                    let code_attribute = code.clone();
                    view! {
                        <li class="record-entry" data-code=code_attribute>
                            <p><strong>{title}</strong> " (" {code} ")"</p>
                            <p class="record-when muted">
                                "Eliminado " {local_time(at)} " · " {actor_label(&actor).to_string()}
                            </p>
                            <button type="button" class="secondary" on:click=move |_| restore(id, seq)>
                                "Restaurar"
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="record-list" data-testid="removed">{rows}</ol> }.into_any()
        }
    }
}

fn failed() -> impl IntoView {
    view! {
        <p class="notice error" role="alert">
            "No se pudo leer el historial: intentá de nuevo"
        </p>
    }
}
