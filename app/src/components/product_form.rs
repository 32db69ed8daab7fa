//! The add-a-product form. Without WASM it is a plain HTML form that posts to the server; once
//! the island hydrates, submitting checks the fields with the shared validation and sends an
//! `add` request over the socket instead.
//!
//! The inputs are left to the browser (uncontrolled): the values are read from the form when it
//! is submitted. Whatever a person typed before the WASM arrived is therefore never lost.

use leptos::html;
use leptos::prelude::*;

use crate::domain::{product::ProductForm, FieldErrors};

/// The form element and the problems to show next to its fields.
#[derive(Clone, Copy)]
pub struct FormState {
    form: NodeRef<html::Form>,
    /// Problems per field, from the browser's check or from the server.
    pub errors: RwSignal<FieldErrors>,
}

impl FormState {
    pub fn new() -> Self {
        FormState {
            form: NodeRef::new(),
            errors: RwSignal::new(FieldErrors::new()),
        }
    }

    /// What is typed in now, as the form the domain knows how to check.
    pub fn read(&self) -> ProductForm {
        #[cfg(feature = "hydrate")]
        if let Some(form) = self.form.get_untracked() {
            if let Ok(data) = web_sys::FormData::new_with_form(&form) {
                let text = |name: &str| data.get(name).as_string().unwrap_or_default();
                return ProductForm {
                    title: text("title"),
                    description: text("description"),
                    code: text("code"),
                    price: text("price"),
                    status: data.has("status").then(|| text("status")),
                    stock: text("stock"),
                    category: text("category"),
                    thumbnails: text("thumbnails"),
                };
            }
        }
        ProductForm::default()
    }

    /// Empties the form (back to its defaults) after a product was added.
    pub fn clear(&self) {
        if let Some(form) = self.form.get_untracked() {
            form.reset();
        }
        self.errors.set(FieldErrors::new());
    }
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

/// The form itself. `on_submit` runs only once hydrated; before that the browser posts the
/// form to `/realtimeproducts/products`.
#[component]
pub fn ProductFormView(
    state: FormState,
    on_submit: impl Fn() + Send + Sync + 'static,
    /// False while there is no connection: the button says so instead of failing silently.
    #[prop(into)]
    can_send: Signal<bool>,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit();
    };
    view! {
        <form
            class="product-form"
            method="post"
            action="/realtimeproducts/products"
            on:submit=submit
            node_ref=state.form
            novalidate
        >
            <h2>"Agregar producto"</h2>
            <div class="form-grid">
                <Field state label="Título" name="title"/>
                <Field state label="Descripción" name="description" kind="textarea"/>
                <Field state label="Código" name="code"/>
                <Field state label="Precio" name="price" kind="number"/>
                <Field state label="Stock" name="stock" kind="number"/>
                <Field state label="Categoría" name="category"/>
                <Field state label="Imágenes (URL, una por línea)" name="thumbnails" kind="textarea"/>
                <label class="check">
                    <input type="checkbox" name="status" value="on" checked/>
                    "Activo (disponible para la venta)"
                </label>
            </div>
            <button type="submit" class="primary" disabled=move || !can_send.get()>
                "Agregar"
            </button>
        </form>
    }
}

/// One labelled input with its error line under it.
#[component]
fn Field(
    state: FormState,
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let id = format!("product-{name}");
    let error_id = format!("{id}-error");
    let error = move || state.errors.with(|errors| errors.get(name).cloned());
    let control = if kind == "textarea" {
        view! { <textarea id=id.clone() name=name rows="3" aria-describedby=error_id.clone()></textarea> }
            .into_any()
    } else {
        let number = kind == "number";
        view! {
            <input
                id=id.clone()
                name=name
                type=kind
                step=number.then_some(if name == "price" { "0.01" } else { "1" })
                min=number.then_some("0")
                aria-describedby=error_id.clone()
            />
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{label}</label>
            {control}
            <p class="field-error" id=error_id data-field=name>{error}</p>
        </div>
    }
}
