//! Paging through the catalog over HTTP beside the live socket: the live page shows one page
//! at a time (the socket's `limit`), fetches more or a search with `GET /api/products`, and
//! applies the socket's events to what it shows.

use crate::domain::ProductId;
use crate::paths::encode_query_value;

/// How many products the live page asks for at a time (its socket's `limit`, each fetch's).
pub const LIVE_PAGE: usize = 60;

/// How many products match, whatever page was asked for (`GET /api/products`).
pub const TOTAL_COUNT_HEADER: &str = "x-total-count";

/// The last change (`seq`, as on the socket) the page was read at: an event with a larger
/// `seq` is newer than the page, one with a smaller or equal `seq` is already in it.
pub const SEQ_HEADER: &str = "x-catalog-seq";

/// `GET /api/products` for the products matching `query` with an id above `after`, at most
/// `limit`.
pub fn products_url(query: &str, after: ProductId, limit: usize) -> String {
    let mut url = format!("/api/products?limit={limit}");
    if after > 0 {
        url.push_str(&format!("&after={after}"));
    }
    if !query.trim().is_empty() {
        url.push_str(&format!("&q={}", encode_query_value(query.trim())));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_carries_what_is_asked_and_nothing_else() {
        assert_eq!(products_url("", 0, 60), "/api/products?limit=60");
        assert_eq!(
            products_url(" café & té ", 120, 60),
            "/api/products?limit=60&after=120&q=caf%C3%A9%20%26%20t%C3%A9"
        );
    }
}
