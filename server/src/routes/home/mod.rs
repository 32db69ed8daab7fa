//! `/`, served from a cache. The home page's first page depends on nothing but the catalog, so
//! it is rendered (100 products) once per catalog change and compressed once with brotli and
//! gzip; every request until the next change gets those bytes, completed with its own CSP
//! nonce (`template`). Rendering and compressing on every request would cap the page at a few
//! thousand requests per second. A search (`/?q=...`) is rendered for its request, and so is
//! every later page (`/?after=ID`), and the page of a logged-in member of the staff (its
//! header names them).
mod template;

use std::sync::{Arc, PoisonError, RwLock};

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;

use super::pages::Pages;
use super::rights::Resolved;
use crate::catalog::Catalog;
use crate::guard::headers::{nonce_in, CspNonce};
use app::domain::Access;
use template::{Encoding, Template};

/// The rendered page for one state of the catalog.
struct Rendered {
    /// The last catalog change it shows; another number means the catalog changed since.
    seq: u64,
    /// The page, compressed, waiting for each response's nonce.
    template: Template,
}

pub struct HomeCache {
    catalog: Arc<Catalog>,
    pages: Pages,
    current: RwLock<Option<Arc<Rendered>>>,
}

impl HomeCache {
    pub fn new(catalog: Arc<Catalog>, pages: Pages) -> Arc<Self> {
        Arc::new(HomeCache {
            catalog,
            pages,
            current: RwLock::new(None),
        })
    }

    pub async fn serve(&self, request: Request<Body>) -> Response<Body> {
        let personal = request
            .extensions()
            .get::<Resolved>()
            .is_some_and(|resolved| matches!(resolved.0, Some(Access::Staff(_))));
        if personal || request.uri().query().is_some_and(|query| !query.is_empty()) {
            return self.pages.render(request).await;
        }
        let headers = request.headers();
        let page = match self.fresh() {
            Some(page) => page,
            None => match self.render_now().await {
                Ok(page) => page,
                Err(response) => return response,
            },
        };
        let accepts = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let encoding = if accepts.contains("br") {
            Encoding::Brotli
        } else if accepts.contains("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        };
        // The nonce `guard::headers` made for this response and names in its policy.
        let nonce = request
            .extensions()
            .get::<CspNonce>()
            .map_or("", |CspNonce(nonce)| nonce.as_str());
        let body = page.template.complete(nonce, encoding);
        let mut response = (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::VARY, HeaderValue::from_static("accept-encoding")),
            ],
            body,
        )
            .into_response();
        let encoding = match encoding {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        };
        if let Some(encoding) = encoding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    }

    fn fresh(&self) -> Option<Arc<Rendered>> {
        let seq = self.catalog.current().seq();
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().filter(|page| page.seq == seq).cloned()
    }

    async fn render_now(&self) -> Result<Arc<Rendered>, Response<Body>> {
        // Taken before rendering: if the catalog changes meanwhile, the next request renders again.
        let seq = self.catalog.current().seq();
        let response = self.pages.get("/").await;
        if response.status() != StatusCode::OK {
            return Err(response);
        }
        let html = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
        let page = Arc::new(Rendered {
            template: Template::new(&html, nonce_in(&html).as_deref()),
            seq,
        });
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(page.clone());
        Ok(page)
    }
}
