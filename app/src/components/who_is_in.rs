//! The part of every page's header that says who is logged in: their name and role, the
//! team's page for admins, and "Salir" (a plain form post, so it works without JavaScript).

use leptos::prelude::*;

use crate::pages::PageData;
use crate::paths::{LOGOUT, STAFF};

#[component]
pub fn WhoIsIn() -> impl IntoView {
    let access = PageData::access();
    let manages = access.can_manage_staff();
    let member = access.member()?.clone();
    Some(view! {
        <div class="who-is-in" data-testid="who-is-in">
            <span class="who" title=member.role.label()>
                <strong data-testid="who">{member.name}</strong>
                " · "
                <span class="role">{member.role.label()}</span>
            </span>
            {manages.then(|| view! { <a href=STAFF data-testid="staff-page-link">"Equipo"</a> })}
            <form method="post" action=LOGOUT>
                <button type="submit" class="link" data-testid="logout">"Salir"</button>
            </form>
        </div>
    })
}
