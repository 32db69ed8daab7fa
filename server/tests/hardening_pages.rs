//! What the pages take from their requests: every HTML response carries a nonce of its own
//! (the cached home page included, in every encoding it is sent in) that its inline scripts
//! carry too; and a page shows the outcome of a form post only as its own sentence for a code
//! it knows, never text from its link.

mod support;

use std::collections::HashSet;
use std::io::Read;

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, LOCATION};
use support::staff::{browser, shop};
use support::{on_each_store, product, TestServer};

/// A page as a browser that accepts `encoding` gets it: the nonce its policy names, and its
/// HTML decoded. The page must come in the encoding asked for.
async fn nonce_and_page(
    server: &TestServer,
    path: &str,
    encoding: Option<&str>,
) -> (String, String) {
    let mut request = server.http.get(server.url(path));
    if let Some(encoding) = encoding {
        request = request.header(ACCEPT_ENCODING, encoding);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = policy
        .split(';')
        .find(|directive| directive.trim().starts_with("script-src"))
        .and_then(|directive| {
            directive
                .split_whitespace()
                .find_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\''))
        })
        .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
        .to_string();
    let sent_as = response
        .headers()
        .get(CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap().to_string());
    assert_eq!(sent_as.as_deref(), encoding, "{path}");
    let bytes = response.bytes().await.unwrap();
    let mut html = String::new();
    let decoded = match encoding {
        None => {
            html = String::from_utf8(bytes.to_vec()).expect("UTF-8");
            Ok(html.len())
        }
        Some("gzip") => flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut html),
        Some("br") => brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut html),
        Some(other) => panic!("not an encoding of these tests: {other}"),
    };
    decoded.unwrap_or_else(|e| panic!("{path} as {encoding:?} does not decode: {e}"));
    (nonce, html)
}

/// Every `nonce="..."` value in `html`.
fn nonces_in(html: &str) -> Vec<&str> {
    html.split("nonce=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default())
        .collect()
}

/// The text of the element marked `data-testid="{test_id}"` (its tags taken out, and the
/// notice's dismiss button), if the page has one.
fn shown(html: &str, test_id: &str) -> Option<String> {
    let marker = format!("data-testid=\"{test_id}\"");
    let after = &html[html.find(&marker)? + marker.len()..];
    let inner = &after[after.find('>')? + 1..];
    let inner = &inner[..inner.find("</p>")?];
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.trim_end_matches('×').trim().to_string())
}

/// A link to `path` whose query says `parameter=value`.
fn link(path: &str, parameter: &str, value: &str) -> String {
    let query = serde_urlencoded::to_string([(parameter, value)]).unwrap();
    format!("{path}?{query}")
}

/// Text someone else wrote into a link, to be passed off as the site's.
const FREE_TEXT: &str = "Tu clave venció: ingresá en evil.example";

/// Whether any of [`FREE_TEXT`] made it into a page.
fn shows_free_text(html: &str) -> bool {
    html.contains("evil.example") || html.contains("Tu clave")
}

on_each_store! {
    async fn every_page_response_has_a_nonce_of_its_own_which_its_scripts_carry() {
        let server = TestServer::start().await;
        server.create(&product(1)).await;
        let mut seen = HashSet::new();
        // `/` comes from its cache after the first request; the others are rendered each time.
        for path in ["/", "/", "/?q=Producto", "/realtimeproducts", "/chat", "/login"] {
            for encoding in [None, Some("gzip"), Some("br")] {
                let (nonce, html) = nonce_and_page(&server, path, encoding).await;
                assert!(nonce.len() >= 16, "{path}: a nonce too short to be unguessable: {nonce}");
                assert!(seen.insert(nonce.clone()), "{path} {encoding:?}: the nonce {nonce} again");
                let in_page = nonces_in(&html);
                assert!(!in_page.is_empty(), "{path} {encoding:?}: no nonce'd script");
                assert!(
                    in_page.iter().all(|n| *n == nonce),
                    "{path} {encoding:?}: the page's {in_page:?}, the policy's {nonce}"
                );
                if !matches!(path, "/chat" | "/login") {
                    assert!(html.contains("Producto 1"), "{path} {encoding:?}: the whole page");
                }
            }
        }
        // After a change the home page is rendered again, still with a nonce per response.
        server.create(&product(2)).await;
        for encoding in [None, Some("gzip"), Some("br")] {
            let (nonce, html) = nonce_and_page(&server, "/", encoding).await;
            assert!(seen.insert(nonce.clone()), "{encoding:?}: the nonce {nonce} again");
            assert!(nonces_in(&html).iter().all(|n| *n == nonce), "{encoding:?}");
            assert!(html.contains("Producto 2"), "{encoding:?}: the fresh page");
        }
    }

    async fn the_login_page_says_only_its_own_sentences() {
        let server = shop().await;
        for (parameter, value) in [
            ("error", FREE_TEXT),
            ("ok", FREE_TEXT),
            ("error", "<b>evil.example</b>"),
            // A known code, but a good one, and one of another page.
            ("error", "added"),
            ("ok", "wrong_password"),
        ] {
            let html = server.page(&link("/login", parameter, value)).await;
            assert!(!shows_free_text(&html), "{parameter}={value}");
            assert_eq!(shown(&html, "login-error"), None, "{parameter}={value}");
        }
        for (code, sentence) in [
            ("wrong_password", "Contraseña incorrecta"),
            ("locked_out", "Demasiados intentos fallidos"),
        ] {
            let html = server.page(&link("/login", "error", code)).await;
            let said = shown(&html, "login-error").unwrap_or_else(|| panic!("{code}: nothing"));
            assert!(said.starts_with(sentence), "{code}: {said}");
        }
    }

    async fn the_live_page_words_a_form_posts_outcome_itself_and_ignores_free_text() {
        let server = TestServer::start().await;
        // A plain form post comes back with a code; the page words it, naming the product.
        let posted = browser()
            .post(server.url("/realtimeproducts/products"))
            .form(&[
                ("title", "Regla de 30 cm"),
                ("description", "d"),
                ("code", "R-30"),
                ("price", "1"),
                ("stock", "1"),
                ("category", "c"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 303);
        let back = posted.headers()[LOCATION].to_str().unwrap().to_string();
        assert!(back.contains("ok=added") && !back.contains("Regla"), "{back}");
        let html = server.page(&back).await;
        assert_eq!(
            shown(&html, "notice").as_deref(),
            Some("Producto agregado: Regla de 30 cm")
        );
        let html = server.page("/realtimeproducts?error=staff_only").await;
        assert_eq!(
            shown(&html, "notice").as_deref(),
            Some("Solo el personal puede cambiar el catálogo: ingresá para editar")
        );
        // Field names are turned into the form's labels; anything else in the list is dropped.
        let html = server
            .page("/realtimeproducts?error=invalid&fields=price,evil.example")
            .await;
        let said = shown(&html, "notice").expect("the invalid notice");
        assert!(said.starts_with("El producto no es válido") && said.ends_with("(Precio)"), "{said}");
        assert!(!shows_free_text(&html));

        for (parameter, value) in [
            ("error", FREE_TEXT),
            ("ok", FREE_TEXT),
            ("ok", "<script>alert('evil.example')</script>"),
            ("error", "added"),
            ("ok", "staff_only"),
        ] {
            let html = server.page(&link("/realtimeproducts", parameter, value)).await;
            assert!(!shows_free_text(&html), "{parameter}={value}");
            assert_eq!(shown(&html, "notice"), None, "{parameter}={value}");
        }
        // A product named by id is looked up: a link cannot name it otherwise.
        let html = server
            .page("/realtimeproducts?ok=updated&id=1&title=evil.example")
            .await;
        assert_eq!(
            shown(&html, "notice").as_deref(),
            Some("Producto actualizado: Regla de 30 cm")
        );
        assert!(!shows_free_text(&html));
    }
}
