//! `/login`: the staff login form, an account's email and password (or the shared staff
//! password alone). `POST /login` (the server) checks them and sets the session; a failure
//! renders this page again with the problem.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::PageData;
use crate::domain::notices::{Outcome, ERROR};
use crate::domain::Access;
use crate::paths::{safe_next, REALTIME};

#[component]
pub fn LoginPage() -> impl IntoView {
    let (problem, next) = use_query_map().with_untracked(|q| {
        (
            // A code the page says in its own words; never the link's own text.
            q.get(ERROR)
                .and_then(|code| Outcome::from_query(ERROR, &code))
                .map(|outcome| outcome.sentence(None, &[])),
            safe_next(&q.get("next").unwrap_or_default()).to_string(),
        )
    });
    let body = match PageData::access() {
        Access::Open => view! {
            <p>"No hace falta ingresar: en este servidor cualquiera puede editar el catálogo."</p>
            <p><a href=REALTIME>"Ir a los productos en vivo"</a></p>
        }
        .into_any(),
        Access::Staff(member) => view! {
            <p>"Ya ingresaste como " <strong>{member.name}</strong> "."</p>
            <p><a href=next.clone()>"Volver"</a></p>
        }
        .into_any(),
        Access::Visitor => view! {
            <form class="login-form" method="post" action="/login">
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" aria-describedby="email-hint" autofocus/>
                <p id="email-hint" class="muted">"Vacío si la tienda usa una contraseña compartida."</p>
                <label for="password">"Contraseña del personal"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <input type="hidden" name="next" value=next.clone()/>
                {problem.map(|problem| view! {
                    <p class="field-error" role="alert" data-testid="login-error">{problem}</p>
                })}
                <button type="submit" class="primary">"Ingresar"</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <Title text="Ingresar · tiempo real"/>
        <section class="login">
            <h1>"Ingresar para editar"</h1>
            <p class="muted">"Solo el personal de la tienda puede cambiar el catálogo."</p>
            {body}
        </section>
    }
}
