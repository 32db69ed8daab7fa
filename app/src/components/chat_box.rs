//! The message center island: log in with an email, then read and send messages live over
//! `/ws/chat`.
//!
//! Before login nothing is connected. The email is remembered in `localStorage`, so a returning
//! visitor is logged straight back in. Every message is shown as
//! **email** [DD/MM/YYYY HH:MM:SS] : *text*, in the viewer's own time zone, and always as text.

use leptos::html;
use leptos::prelude::*;

use super::chat_bans::{BanForm, BanList, Bans};
use super::chat_log::{ChatLog, ChatUpdate, OLDER_PAGE};
use super::{next_ref, ConnectionBadge, LinkState, Outbox};
use crate::browser::{delete, get_json, stay_connected, storage};
use crate::domain::message::{validate_email, validate_text, TEXT_MAX};
use crate::domain::Access;
use crate::domain::ChatMessage;
use crate::paths;
use crate::protocol::{ChatEvent, ChatRequest};

/// The `localStorage` key under which the logged-in email is remembered.
const EMAIL_KEY: &str = "tiempo-real.email";

/// The time as the viewer reads it: `DD/MM/YYYY HH:MM:SS` in their own time zone.
pub fn local_time(message: &ChatMessage) -> String {
    message
        .sent_at
        .with_timezone(&chrono::Local)
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

#[island]
pub fn ChatBox(
    /// What the request may do (decided by the server): moderators may remove messages.
    access: Access,
) -> impl IntoView {
    let moderates = access.moderates_in_page();
    let email = RwSignal::new(None::<String>);
    let log = StoredValue::new(ChatLog::default());
    let messages = RwSignal::new(Vec::<ChatMessage>::new());
    let more_before = RwSignal::new(false);
    let online = RwSignal::new(None::<u64>);
    let (link, set_link) = signal(LinkState::Connecting);
    let outbox = Outbox::new();
    let error = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let list = NodeRef::<html::Ol>::new();
    // Set when the latest message is to come into view once the list is drawn.
    let to_latest = StoredValue::new(false);
    let unseen = RwSignal::new(0usize);
    // A moderator's bans: whom the ban form is for, and the bans in force.
    let banning = RwSignal::new(None::<String>);
    let bans = moderates.then(Bans::new);
    Effect::new(move |_| {
        if let Some(bans) = bans {
            bans.reload();
        }
    });

    // The one way the chat's state changes: the reducer, then the signals it says changed.
    let dispatch = move |update: ChatUpdate| {
        let Some(changed) = log.try_update_value(|log| log.apply(update)) else {
            return;
        };
        if changed.messages {
            to_latest.set_value(changed.to_latest);
            log.with_value(|log| {
                messages.set(log.messages().to_vec());
                more_before.set(log.more_before());
            });
        } else if changed.to_latest {
            scroll_to_latest(list);
        }
        if changed.unseen {
            unseen.set(log.with_value(ChatLog::unseen));
        }
        if changed.online {
            online.set(log.with_value(ChatLog::online));
        }
        if let Some(text) = changed.give_back {
            if draft.get_untracked().is_empty() {
                draft.set(text);
            }
        }
        if changed.error.is_some() {
            error.set(changed.error);
        }
    };
    let on_event = move |event: ChatEvent| dispatch(ChatUpdate::Socket(event));

    // Connect once, the first time someone is logged in (from the form or from storage).
    let connected = StoredValue::new(false);
    Effect::new(move |_| {
        if email.get().is_some() && !connected.get_value() {
            connected.set_value(true);
            stay_connected(paths::CHAT_SOCKET, None, set_link, outbox, on_event);
        }
    });

    // A remembered email logs the visitor back in.
    Effect::new(move |_| {
        if let Some(saved) = storage::load(EMAIL_KEY) {
            if let Ok(valid) = validate_email(&saved) {
                email.set(Some(valid));
            }
        }
    });

    // The newest message in view once drawn, when the reader follows the latest (a reader
    // scrolled up keeps their place; see `ChatLog`).
    Effect::new(move |_| {
        messages.track();
        if to_latest.get_value() {
            to_latest.set_value(false);
            scroll_to_latest(list);
        }
    });

    let send = move || {
        let Some(from) = email.get_untracked() else {
            return;
        };
        let text = draft.get_untracked();
        if let Err(problem) = validate_text(&text) {
            error.set(Some(format!("El mensaje {problem}")));
            return;
        }
        let reference = next_ref("send");
        let request = ChatRequest::Send {
            reference: Some(reference.clone()),
            email: from,
            text: text.clone(),
        };
        if outbox.send(&request) {
            dispatch(ChatUpdate::Sent { reference, text });
            draft.set(String::new());
            error.set(None);
        } else {
            error.set(Some(
                "Sin conexión con el servidor: reintentando…".to_string(),
            ));
        }
    };

    // A moderator's "Borrar": the socket's removal takes the message off every page.
    let remove = move |id: u64| {
        leptos::task::spawn_local(async move {
            if let Err(why) = delete(&paths::message(id)).await {
                error.set(Some(why));
            }
        });
    };

    let load_older = move || {
        let Some(oldest) = log.with_value(ChatLog::oldest) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let url = format!("{}?limit={OLDER_PAGE}&before={oldest}", paths::MESSAGES_API);
            dispatch(match get_json::<Vec<ChatMessage>>(&url, &[]).await {
                Some(fetched) => ChatUpdate::Older(fetched.body),
                None => ChatUpdate::OlderFailed,
            });
        });
    };

    view! {
        <div class="chat-box" data-testid="chat">
            <Show
                when=move || email.get().is_some()
                fallback=move || view! { <Login email error/> }
            >
                <div class="chat-head">
                    <p class="welcome" data-testid="welcome">
                        "Bienvenido " <strong>{move || email.get().unwrap_or_default()}</strong>
                    </p>
                    <ConnectionBadge state=link/>
                    <span class="presence" data-testid="presence">
                        {move || online.get().map(|n| match n {
                            1 => "1 conectado".to_string(),
                            n => format!("{n} conectados"),
                        })}
                    </span>
                    <button
                        type="button"
                        class="secondary"
                        on:click=move |_| {
                            storage::forget(EMAIL_KEY);
                            email.set(None);
                            error.set(None);
                        }
                    >
                        "Salir"
                    </button>
                </div>
                {bans.map(|bans| view! {
                    <BanList bans/>
                    <BanForm banning bans/>
                })}
                <Show when=move || more_before.get()>
                    <button type="button" class="link older" on:click=move |_| load_older()>
                        "ver anteriores"
                    </button>
                </Show>
                <ol
                    class="messages"
                    node_ref=list
                    data-testid="messages"
                    aria-live="polite"
                    on:scroll=move |_| dispatch(ChatUpdate::Scrolled { at_latest: at_latest(list) })
                >
                    <For
                        each=move || messages.get()
                        key=|message| message.id
                        children=move |message| view! { <MessageLine message moderates remove banning/> }
                    />
                </ol>
                {move || (unseen.get() > 0).then(|| view! {
                    <button
                        type="button"
                        class="new-messages"
                        data-testid="new-messages"
                        on:click=move |_| dispatch(ChatUpdate::ToLatest)
                    >
                        {unseen_line(unseen.get())}
                    </button>
                })}
                <form
                    class="chat-send"
                    on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        send();
                    }
                >
                    <input
                        type="text"
                        name="text"
                        placeholder="Escribí un mensaje…"
                        aria-label="Mensaje"
                        autocomplete="off"
                        maxlength=TEXT_MAX.to_string()
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    />
                    <button type="submit" class="primary">"Enviar"</button>
                </form>
                <ChatError error/>
            </Show>
        </div>
    }
}

/// How far from the bottom a reader still counts as at the latest message, in pixels.
const NEAR_LATEST: i32 = 24;

/// Whether the list is scrolled to (near) its bottom.
fn at_latest(list: NodeRef<html::Ol>) -> bool {
    list.get_untracked().is_none_or(|list| {
        list.scroll_top() + list.client_height() >= list.scroll_height() - NEAR_LATEST
    })
}

/// Scrolls the list to its bottom, once the browser has drawn what just changed (the list's
/// own effects may run after the one that asks).
fn scroll_to_latest(list: NodeRef<html::Ol>) {
    request_animation_frame(move || {
        if let Some(list) = list.get_untracked() {
            list.set_scroll_top(list.scroll_height());
        }
    });
}

/// The button's words: "1 mensaje nuevo", "3 mensajes nuevos".
fn unseen_line(count: usize) -> String {
    match count {
        1 => "1 mensaje nuevo ↓".to_string(),
        n => format!("{n} mensajes nuevos ↓"),
    }
}

/// One message: email in bold blue, the time in brown, the text in italic green.
#[component]
fn MessageLine(
    message: ChatMessage,
    /// Moderators see "Borrar" and "Bloquear".
    moderates: bool,
    remove: impl Fn(u64) + Copy + Send + Sync + 'static,
    /// Whom the ban form is for.
    banning: RwSignal<Option<String>>,
) -> impl IntoView {
    let time = local_time(&message);
    let id = message.id;
    let author = message.email.clone();
    view! {
        <li class="message" data-message-id=message.id>
            {moderates.then(|| view! {
                <button type="button" class="link remove-message" on:click=move |_| remove(id)>
                    "Borrar"
                </button>
                " "
                <button type="button" class="link ban-author" on:click=move |_| banning.set(Some(author.clone()))>
                    "Bloquear"
                </button>
                " "
            })}
            <strong class="msg-email">{message.email}</strong>
            " "
            {message.staff.then(|| view! {
                <span class="staff-mark" title="Un mensaje del equipo de la tienda">"equipo"</span>
                " "
            })}
            <span class="msg-time">"[" {time} "]"</span>
            " "
            <span class="msg-colon">":"</span>
            " "
            <em class="msg-text">{message.text}</em>
        </li>
    }
}

/// The email form shown until someone logs in. Its button stays disabled until the island has
/// hydrated: before that, there is nothing to log in to (the chat needs the WASM).
#[component]
fn Login(email: RwSignal<Option<String>>, error: RwSignal<Option<String>>) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Read from the element itself: text typed before hydration counts too.
        let typed = input
            .get_untracked()
            .map(|input| input.value())
            .unwrap_or_default();
        match validate_email(&typed) {
            Ok(valid) => {
                storage::save(EMAIL_KEY, &valid);
                error.set(None);
                email.set(Some(valid));
            }
            Err(problem) => error.set(Some(format!("El email {problem}"))),
        }
    };
    view! {
        <form class="chat-login" on:submit=submit novalidate>
            <label for="chat-email">"Ingresá tu email para chatear"</label>
            <div class="row">
                <input
                    id="chat-email"
                    type="email"
                    name="email"
                    required
                    placeholder="nombre@dominio.com"
                    autocomplete="email"
                    node_ref=input
                />
                <button type="submit" class="primary" disabled=move || !hydrated.get()>
                    "Ingresar"
                </button>
            </div>
            <noscript>
                <p class="muted">"El chat necesita JavaScript activado."</p>
            </noscript>
            <ChatError error/>
        </form>
    }
}

#[component]
fn ChatError(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <p class="chat-error" role="alert" data-testid="chat-error">
            {move || error.get()}
        </p>
    }
}
