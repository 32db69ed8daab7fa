//! Rendering a Leptos page from a handler of ours: the cached home page, and the login page
//! answered with a 401 or 429 after a failed login.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response};
use futures::future::BoxFuture;

/// The Leptos handler that renders the app's pages for a request.
#[derive(Clone)]
pub struct Pages(Arc<dyn Fn(Request<Body>) -> BoxFuture<'static, Response<Body>> + Send + Sync>);

impl Pages {
    pub fn new<F, Fut>(render: F) -> Self
    where
        F: Fn(Request<Body>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response<Body>> + Send + 'static,
    {
        Pages(Arc::new(move |request| Box::pin(render(request))))
    }

    pub async fn render(&self, request: Request<Body>) -> Response<Body> {
        (self.0)(request).await
    }

    /// The page at `uri` (a path and query), as a plain GET would get it.
    pub async fn get(&self, uri: &str) -> Response<Body> {
        let request = Request::get(uri)
            .body(Body::empty())
            .expect("a valid request");
        self.render(request).await
    }
}
