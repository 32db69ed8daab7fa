//! The add-a-product form. Without WASM it is a plain HTML form that posts to the server; once
//! the island hydrates, submitting checks the fields with the shared validation and sends an
//! `add` request over the socket instead.

use leptos::prelude::*;

use crate::domain::{product::ProductForm, FieldErrors};

/// The text of every field as typed, one signal each.
#[derive(Clone, Copy)]
pub struct FormFields {
    pub title: RwSignal<String>,
    pub description: RwSignal<String>,
    pub code: RwSignal<String>,
    pub price: RwSignal<String>,
    pub stock: RwSignal<String>,
    pub category: RwSignal<String>,
    pub thumbnails: RwSignal<String>,
    pub status: RwSignal<bool>,
    /// Problems per field, from the browser's check or from the server.
    pub errors: RwSignal<FieldErrors>,
}

impl FormFields {
    pub fn new() -> Self {
        FormFields {
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            code: RwSignal::new(String::new()),
            price: RwSignal::new(String::new()),
            stock: RwSignal::new(String::new()),
            category: RwSignal::new(String::new()),
            thumbnails: RwSignal::new(String::new()),
            status: RwSignal::new(true),
            errors: RwSignal::new(FieldErrors::new()),
        }
    }

    /// What is typed in now, as the form the domain knows how to check.
    pub fn snapshot(&self) -> ProductForm {
        ProductForm {
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            code: self.code.get_untracked(),
            price: self.price.get_untracked(),
            status: self.status.get_untracked().then(|| "on".to_string()),
            stock: self.stock.get_untracked(),
            category: self.category.get_untracked(),
            thumbnails: self.thumbnails.get_untracked(),
        }
    }

    /// Empties the form after a product was added.
    pub fn clear(&self) {
        for text in [
            self.title,
            self.description,
            self.code,
            self.price,
            self.stock,
            self.category,
            self.thumbnails,
        ] {
            text.set(String::new());
        }
        self.status.set(true);
        self.errors.set(FieldErrors::new());
    }
}

impl Default for FormFields {
    fn default() -> Self {
        Self::new()
    }
}

/// The form itself. `on_submit` runs only once hydrated; before that the browser posts the
/// form to `/realtimeproducts/products`.
#[component]
pub fn ProductFormView(
    fields: FormFields,
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
            novalidate
        >
            <h2>"Agregar producto"</h2>
            <div class="form-grid">
                <Field fields label="Título" name="title" value=fields.title/>
                <Field fields label="Código" name="code" value=fields.code/>
                <Field fields label="Precio" name="price" value=fields.price kind="number"/>
                <Field fields label="Stock" name="stock" value=fields.stock kind="number"/>
                <Field fields label="Categoría" name="category" value=fields.category/>
                <Field
                    fields
                    label="Imágenes (URL, una por línea)"
                    name="thumbnails"
                    value=fields.thumbnails
                    kind="textarea"
                />
                <Field
                    fields
                    label="Descripción"
                    name="description"
                    value=fields.description
                    kind="textarea"
                />
                <label class="check">
                    <input
                        type="checkbox"
                        name="status"
                        value="on"
                        prop:checked=move || fields.status.get()
                        on:change=move |ev| fields.status.set(event_target_checked(&ev))
                    />
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
    fields: FormFields,
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let id = format!("product-{name}");
    let error_id = format!("{id}-error");
    let error = move || fields.errors.with(|errors| errors.get(name).cloned());
    let input = move |ev| value.set(event_target_value(&ev));
    let control = if kind == "textarea" {
        view! {
            <textarea
                id=id.clone()
                name=name
                rows="3"
                prop:value=move || value.get()
                on:input=input
                aria-describedby=error_id.clone()
            ></textarea>
        }
        .into_any()
    } else {
        let step = (name == "price").then_some("0.01");
        view! {
            <input
                id=id.clone()
                name=name
                type=kind
                step=step
                min=(kind == "number").then_some("0")
                prop:value=move || value.get()
                on:input=input
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
