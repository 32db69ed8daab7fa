//! The add-a-product form. Without WASM it is a plain HTML form that posts to the server; once
//! the island hydrates, submitting checks the fields with the shared validation and sends an
//! `add` request over the socket instead.
//!
//! The inputs are left to the browser (uncontrolled): the values are read from the form when it
//! is submitted. Whatever a person typed before the WASM arrived is therefore never lost.

use leptos::html;
use leptos::prelude::*;

use crate::domain::product_form::{field_label, ProductForm};
use crate::domain::{FieldErrors, Product};
use crate::paths;

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
        crate::browser::read_form(&self.form).unwrap_or_default()
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

/// What the form does: add a new product, or edit one (shown as it was when the form opened).
#[derive(Clone, Debug, PartialEq)]
pub enum FormMode {
    Add,
    Edit(Product),
}

/// The form itself. `on_submit` runs only once hydrated; before that the browser posts the
/// form to the server (`/realtimeproducts/products` to add, `.../products/{id}` to edit).
#[component]
pub fn ProductFormView(
    state: FormState,
    mode: FormMode,
    on_submit: impl Fn() + Send + Sync + 'static,
    /// False while there is no connection: the button says so instead of failing silently.
    #[prop(into)]
    can_send: Signal<bool>,
    /// Notices under the fields (the edit form's news of changes by others, say).
    #[prop(optional)]
    notices: Option<Children>,
    /// More buttons beside the main one (the edit form's Cancel).
    #[prop(optional)]
    actions: Option<Children>,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit();
    };
    let (action, heading, button, prefix, shown) = match &mode {
        FormMode::Add => (
            paths::ADD_FORM.to_string(),
            "Agregar producto",
            "Agregar",
            "product".to_string(),
            None,
        ),
        FormMode::Edit(product) => (
            paths::edit_form(product.id),
            "Editar producto",
            "Guardar",
            format!("edit-{}", product.id),
            Some(product.clone()),
        ),
    };
    let value = |pick: fn(&Product) -> String| shown.as_ref().map(pick).unwrap_or_default();
    let active = shown.as_ref().is_none_or(|product| product.status);
    let original = shown
        .as_ref()
        .map(|product| serde_json::to_string(product).unwrap_or_default());
    let class = match mode {
        FormMode::Add => "product-form",
        FormMode::Edit(_) => "product-form editing",
    };
    view! {
        <form class=class method="post" action=action on:submit=submit node_ref=state.form novalidate>
            <h2>{heading}</h2>
            {original.map(|original| view! { <input type="hidden" name="original" value=original/> })}
            <div class="form-grid">
                <Field state prefix=prefix.clone() name="title" value=value(|p| p.title.clone())/>
                <Field state prefix=prefix.clone() name="description" kind="textarea"
                    value=value(|p| p.description.clone())/>
                <Field state prefix=prefix.clone() name="code" value=value(|p| p.code.clone())/>
                <Field state prefix=prefix.clone() name="price" kind="number"
                    value=value(|p| p.price.to_string())/>
                <Field state prefix=prefix.clone() name="stock" kind="number"
                    value=value(|p| p.stock.to_string())/>
                <Field state prefix=prefix.clone() name="category" value=value(|p| p.category.clone())/>
                <Field state prefix=prefix.clone() name="thumbnails" hint=" (URL, una por línea)" kind="textarea"
                    value=value(|p| p.thumbnails.join("\n"))/>
                <label class="check">
                    <input type="checkbox" name="status" value="on" checked=active/>
                    {field_label("status")}" (disponible para la venta)"
                </label>
            </div>
            {notices.map(|notices| notices())}
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || !can_send.get()>{button}</button>
                {actions.map(|actions| actions())}
            </div>
        </form>
    }
}

/// One labelled input with its error line under it.
#[component]
fn Field(
    state: FormState,
    /// Makes the ids unique when several forms are on the page.
    prefix: String,
    name: &'static str,
    /// Said after the field's label (see [`field_label`]).
    #[prop(optional)]
    hint: &'static str,
    #[prop(default = "text")] kind: &'static str,
    /// The initial value (the product's, in an edit form).
    #[prop(optional)]
    value: String,
) -> impl IntoView {
    let label = field_label(name);
    let id = format!("{prefix}-{name}");
    let error_id = format!("{id}-error");
    let error = move || state.errors.with(|errors| errors.get(name).cloned());
    let control = if kind == "textarea" {
        view! { <textarea id=id.clone() name=name rows="3" aria-describedby=error_id.clone()>{value}</textarea> }
            .into_any()
    } else {
        let number = kind == "number";
        view! {
            <input
                id=id.clone()
                name=name
                type=kind
                value=value
                step=number.then_some(if name == "price" { "0.01" } else { "1" })
                min=number.then_some("0")
                aria-describedby=error_id.clone()
            />
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{label}{hint}</label>
            {control}
            <p class="field-error" id=error_id data-field=name>{error}</p>
        </div>
    }
}
