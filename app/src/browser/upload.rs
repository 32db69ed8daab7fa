//! Sending a file with the progress of its upload: `fetch` cannot report how much of a request
//! body went out, `XMLHttpRequest` can.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{ProgressEvent, XmlHttpRequest};

/// POSTs the file chosen in `input` to `url` as `content_type`, calling `progress` with the
/// share sent so far (0.0 to 1.0) and `done` with the answer's status and body (status 0: the
/// request failed). `false` when no file is chosen or the request could not start.
pub fn upload(
    url: &str,
    content_type: &str,
    input: &NodeRef<html::Input>,
    progress: impl Fn(f64) + 'static,
    done: impl FnOnce(u16, String) + 'static,
) -> bool {
    let Some(file) = input
        .get_untracked()
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return false;
    };
    let Ok(request) = XmlHttpRequest::new() else {
        return false;
    };
    if request.open("POST", url).is_err()
        || request
            .set_request_header("Content-Type", content_type)
            .is_err()
    {
        return false;
    }
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress(event.loaded() / event.total());
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let answered = request.clone();
    let done = std::cell::Cell::new(Some(done));
    let on_end = Closure::<dyn Fn()>::new(move || {
        if let Some(done) = done.take() {
            let status = answered.status().unwrap_or(0);
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            done(status, body);
        }
    });
    // `loadend` comes once, after success, error or abort alike.
    request.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    let sent = request.send_with_opt_blob(Some(&file)).is_ok();
    // The browser holds the request until it ends; the handlers live as long (a few per
    // import, never per frame), so they are handed over to it.
    on_progress.forget();
    on_end.forget();
    sent
}
