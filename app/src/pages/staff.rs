//! `/staff`: the team, for admins. The accounts with their roles, a form to add one (email,
//! role, first password) and "Quitar" on each. Plain forms: the page works without
//! JavaScript, and the server goes back to it with the outcome's code (`domain::notices`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::PageData;
use crate::domain::access::Role;
use crate::domain::notices::{Outcome, ERROR, OK};
use crate::domain::staff::{Account, PASSWORD_MIN};
use crate::paths::{LOGIN, STAFF, STAFF_ADD_FORM, STAFF_REMOVE_FORM};

#[component]
pub fn StaffPage() -> impl IntoView {
    let notice = use_query_map().with_untracked(|q| {
        [OK, ERROR].into_iter().find_map(|parameter| {
            let outcome = Outcome::from_query(parameter, &q.get(parameter)?)?;
            Some((outcome.is_ok(), outcome.sentence(None, &[])))
        })
    });
    let body = match PageData::team() {
        Some(accounts) if PageData::access().can_manage_staff() => view! {
            {notice.map(|(ok, sentence)| view! {
                <p class=if ok { "notice ok" } else { "notice error" } role="status" data-testid="staff-notice">
                    {sentence}
                </p>
            })}
            <Accounts accounts/>
            <AddAccount/>
        }
        .into_any(),
        _ => view! {
            <p>"Solo la administración puede ver y cambiar el equipo."</p>
            <p><a href=format!("{LOGIN}?next={STAFF}")>"Ingresar"</a></p>
        }
        .into_any(),
    };
    view! {
        <Title text="Equipo · tiempo real"/>
        <section class="staff">
            <h1>"Equipo"</h1>
            <p class="muted">
                "Cada persona entra con su email y su contraseña; su rol decide qué puede hacer."
            </p>
            {body}
        </section>
    }
}

#[component]
fn Accounts(accounts: Vec<Account>) -> impl IntoView {
    view! {
        <table class="accounts" data-testid="accounts">
            <thead><tr><th>"Email"</th><th>"Rol"</th><th></th></tr></thead>
            <tbody>
                {accounts.into_iter().map(|account| view! {
                    <tr data-testid="account">
                        <td class="email">{account.email.clone()}</td>
                        <td class="role">{account.role.label()}</td>
                        <td>
                            <form method="post" action=STAFF_REMOVE_FORM>
                                <input type="hidden" name="email" value=account.email.clone()/>
                                <button type="submit" class="danger" aria-label=format!("Quitar {}", account.email)>
                                    "Quitar"
                                </button>
                            </form>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AddAccount() -> impl IntoView {
    view! {
        <form class="add-account" method="post" action=STAFF_ADD_FORM data-testid="add-account">
            <h2>"Agregar una cuenta"</h2>
            <label for="account-email">"Email"</label>
            <input id="account-email" name="email" type="email" autocomplete="off" required/>
            <label for="account-role">"Rol"</label>
            <select id="account-role" name="role">
                {Role::ALL.into_iter().map(|role| view! {
                    <option value=role.name() selected=role == Role::Editor>{role.label()}</option>
                }).collect_view()}
            </select>
            <label for="account-password">"Primera contraseña"</label>
            <input
                id="account-password"
                name="password"
                type="password"
                autocomplete="new-password"
                minlength=PASSWORD_MIN
                required
            />
            <p class="muted">{format!("Al menos {PASSWORD_MIN} caracteres. La persona la usa para ingresar.")}</p>
            <button type="submit" class="primary">"Agregar"</button>
        </form>
    }
}
