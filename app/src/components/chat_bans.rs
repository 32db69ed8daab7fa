//! A moderator's bans on the chat's page: "Bloquear" on an author opens a form (how long, and
//! whether their messages go too), and the bans in force are listed with "Levantar". Both talk
//! to `/api/chat/bans`; what a purge removes reaches every page through the chat socket.

use leptos::prelude::*;

use crate::browser::{delete, get_json, post_json};
use crate::domain::ban::{Ban, DEFAULT_MINUTES};
use crate::paths;

/// The durations offered, in minutes, with their names.
const DURATIONS: [(u64, &str); 4] = [
    (DEFAULT_MINUTES, "1 hora"),
    (24 * 60, "1 día"),
    (7 * 24 * 60, "7 días"),
    (30 * 24 * 60, "30 días"),
];

/// The bans in force, read again after every change the page makes.
#[derive(Clone, Copy)]
pub struct Bans {
    list: RwSignal<Vec<Ban>>,
    problem: RwSignal<Option<String>>,
}

impl Bans {
    /// Empty until [`Bans::reload`] (in the browser: an effect's work, never the server's).
    pub fn new() -> Bans {
        Bans {
            list: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
        }
    }

    pub fn reload(self) {
        leptos::task::spawn_local(async move {
            if let Some(fetched) = get_json::<Vec<Ban>>(paths::CHAT_BANS, &[]).await {
                self.list.set(fetched.body);
            }
        });
    }

    fn ban(self, email: String, minutes: u64, purge: bool, done: impl Fn() + 'static) {
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "email": email, "minutes": minutes, "purge": purge });
            match post_json::<_, serde_json::Value>(paths::CHAT_BANS, &body).await {
                Ok(_) => {
                    self.problem.set(None);
                    done();
                }
                Err(why) => self.problem.set(Some(why)),
            }
            self.reload();
        });
    }

    fn lift(self, email: String) {
        leptos::task::spawn_local(async move {
            if let Err(why) = delete(&paths::chat_ban(&email)).await {
                self.problem.set(Some(why));
            }
            self.reload();
        });
    }
}

impl Default for Bans {
    fn default() -> Self {
        Bans::new()
    }
}

/// The form to ban `banning` (shown while it is `Some`).
#[component]
pub fn BanForm(banning: RwSignal<Option<String>>, bans: Bans) -> impl IntoView {
    let minutes = RwSignal::new(DEFAULT_MINUTES);
    let purge = RwSignal::new(false);
    move || {
        banning.get().map(|email| {
            let shown = email.clone();
            view! {
                <form
                    class="ban-form"
                    data-testid="ban-form"
                    on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        bans.ban(email.clone(), minutes.get_untracked(), purge.get_untracked(), move || banning.set(None));
                    }
                >
                    <strong>"Bloquear a " {shown}</strong>
                    <label>
                        "Durante "
                        <select on:change=move |ev| {
                            if let Ok(value) = event_target_value(&ev).parse() { minutes.set(value) }
                        }>
                            {DURATIONS.map(|(value, name)| view! {
                                <option value=value.to_string() selected=value == DEFAULT_MINUTES>{name}</option>
                            })}
                        </select>
                    </label>
                    <label>
                        <input type="checkbox" on:change=move |ev| purge.set(event_target_checked(&ev))/>
                        " borrar sus mensajes"
                    </label>
                    <button type="submit" class="danger">"Bloquear"</button>
                    <button type="button" class="link" on:click=move |_| banning.set(None)>"Cancelar"</button>
                </form>
            }
        })
    }
}

/// The bans in force, with "Levantar" on each.
#[component]
pub fn BanList(bans: Bans) -> impl IntoView {
    view! {
        {move || bans.problem.get().map(|problem| view! { <p class="field-error" role="alert">{problem}</p> })}
        <Show when=move || !bans.list.get().is_empty()>
            <details class="bans" data-testid="bans" open>
                <summary>"Bloqueos vigentes"</summary>
                <ul>
                    <For
                        each=move || bans.list.get()
                        key=|ban| (ban.email.clone(), ban.until)
                        children=move |ban| {
                            let email = ban.email.clone();
                            let until = ban
                                .until
                                .with_timezone(&chrono::Local)
                                .format("%d/%m/%Y %H:%M")
                                .to_string();
                            view! {
                                <li data-testid="ban">
                                    <span class="ban-email">{ban.email.clone()}</span>
                                    " hasta el " {until}
                                    " "
                                    <button type="button" class="link" on:click=move |_| bans.lift(email.clone())>
                                        "Levantar"
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
            </details>
        </Show>
    }
}
