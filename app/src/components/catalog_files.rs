//! "Exportar CSV" and "Importar CSV" for staff: the export is a plain link; the import uploads
//! the chosen file with a progress bar, then shows the answer (how many were created and
//! updated, or the rows at fault by line). Every open page hears the import over its socket.

use leptos::html;
use leptos::prelude::*;

use crate::browser::upload;
use crate::domain::product_form::field_label;
use crate::domain::Invalid;
use crate::paths;
use crate::protocol::catalog_file::CSV_TYPE;
use crate::protocol::Imported;

/// Where an import stands.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportState {
    Idle,
    /// The share of the file sent so far.
    Uploading(f64),
    Done(Imported),
    /// The server refused the file (nothing changed): why, and the rows at fault.
    Refused(Invalid),
    /// The request failed (offline, the server gone).
    Failed,
}

impl ImportState {
    /// The server's answer (`status` 0: no answer at all).
    pub fn answered(status: u16, body: &str) -> Self {
        match status {
            200 => serde_json::from_str(body).map_or(ImportState::Failed, ImportState::Done),
            400..=599 => serde_json::from_str(body).map_or(ImportState::Failed, Self::Refused),
            _ => ImportState::Failed,
        }
    }

    fn busy(&self) -> bool {
        matches!(self, ImportState::Uploading(_))
    }
}

#[component]
pub fn CatalogFiles() -> impl IntoView {
    let state = RwSignal::new(ImportState::Idle);
    let input = NodeRef::<html::Input>::new();
    let start = move |_| {
        if state.with_untracked(ImportState::busy) {
            return;
        }
        state.set(ImportState::Uploading(0.0));
        let started = upload(
            paths::PRODUCTS_IMPORT,
            CSV_TYPE,
            &input,
            move |share| state.set(ImportState::Uploading(share)),
            move |status, body| {
                state.set(ImportState::answered(status, &body));
                if let Some(input) = input.get_untracked() {
                    input.set_value("");
                }
            },
        );
        if !started {
            state.set(ImportState::Idle);
        }
    };
    view! {
        <div class="catalog-files" data-testid="catalog-files">
            <label class="button secondary file-button">
                "Importar CSV"
                <input
                    type="file"
                    accept=".csv,text/csv"
                    node_ref=input
                    data-testid="import-file"
                    on:change=start
                    prop:disabled=move || state.with(ImportState::busy)
                />
            </label>
            <a class="button secondary" href=paths::PRODUCTS_CSV download="catalogo.csv">
                "Exportar CSV"
            </a>
            <div class="import-status" role="status" aria-live="polite" data-testid="import-status">
                {move || match state.get() {
                    ImportState::Idle => None,
                    ImportState::Uploading(share) if share < 1.0 => Some(view! {
                        <progress max="1" value=share.to_string() aria-label="Subiendo el CSV"></progress>
                        <span>{format!("Subiendo… {:.0} %", share * 100.0)}</span>
                    }.into_any()),
                    ImportState::Uploading(_) => Some(view! {
                        <progress aria-label="Importando"></progress>
                        <span>"Importando…"</span>
                    }.into_any()),
                    ImportState::Done(done) => Some(view! {
                        <span class="ok" data-testid="import-result">
                            {format!("Importado: {}", done.summary())}
                        </span>
                    }.into_any()),
                    ImportState::Refused(invalid) => Some(view! {
                        <div class="field-error" data-testid="import-result">
                            <p>{invalid.error.clone()}</p>
                            <ul class="import-faults">
                                {invalid.rows.iter().map(|row| {
                                    let fields = row.fields.iter()
                                        .map(|(field, problem)| format!("{}: {problem}", field_label(field).unwrap_or(field)))
                                        .collect::<Vec<_>>()
                                        .join("; ");
                                    view! { <li>{format!("Línea {}: {fields}", row.line)}</li> }
                                }).collect_view()}
                            </ul>
                        </div>
                    }.into_any()),
                    ImportState::Failed => Some(view! {
                        <span class="field-error" data-testid="import-result">
                            "No se pudo importar: sin conexión con el servidor. Intentá de nuevo."
                        </span>
                    }.into_any()),
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_read_as_a_result_or_the_rows_at_fault() {
        assert_eq!(
            ImportState::answered(200, r#"{"created":3,"updated":1}"#),
            ImportState::Done(Imported {
                created: 3,
                updated: 1
            })
        );
        let refused = ImportState::answered(
            400,
            r#"{"error":"2 filas","rows":[{"line":3,"fields":{"price":"no es un número"}}]}"#,
        );
        let ImportState::Refused(invalid) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(
            (invalid.rows[0].line, invalid.error.as_str()),
            (3, "2 filas")
        );
        assert_eq!(ImportState::answered(0, ""), ImportState::Failed);
        assert_eq!(ImportState::answered(502, "<html>"), ImportState::Failed);
    }
}
