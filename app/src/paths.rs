//! The site's paths that both the server and the browser name, defined once.

/// The live catalog with the chat under it.
pub const REALTIME: &str = "/realtimeproducts";
/// The staff password form.
pub const LOGIN: &str = "/login";
/// Where staff log out (a form post).
pub const LOGOUT: &str = "/logout";
/// The staff accounts, for admins (a page).
pub const STAFF: &str = "/staff";
/// Where the page's form adds an account (a form post).
pub const STAFF_ADD_FORM: &str = "/staff/accounts";
/// Where the page's form removes an account (a form post with its `email`).
pub const STAFF_REMOVE_FORM: &str = "/staff/accounts/remove";
/// The staff accounts, as JSON (admins).
pub const STAFF_API: &str = "/api/staff";
/// Staff account `email` (`"{email}"` gives the router's pattern).
pub fn staff_account(email: impl std::fmt::Display) -> String {
    format!("{STAFF_API}/{email}")
}
/// The chat alone.
pub const CHAT: &str = "/chat";
/// The live catalog's socket.
pub const PRODUCTS_SOCKET: &str = "/ws/products";
/// The chat's socket.
pub const CHAT_SOCKET: &str = "/ws/chat";
/// The products, as JSON (paged: see `protocol::paging`).
pub const PRODUCTS_API: &str = "/api/products";
/// The chat's messages, as JSON.
pub const MESSAGES_API: &str = "/api/messages";
/// Chat message `id` (`"{id}"` gives the router's pattern).
pub fn message(id: impl std::fmt::Display) -> String {
    format!("{MESSAGES_API}/{id}")
}
/// The chat's bans in force (moderators).
pub const CHAT_BANS: &str = "/api/chat/bans";
/// The ban of `email` (`"{email}"` gives the router's pattern).
pub fn chat_ban(email: impl std::fmt::Display) -> String {
    format!("{CHAT_BANS}/{email}")
}
/// The whole catalog as a CSV file.
pub const PRODUCTS_CSV: &str = "/api/products.csv";
/// A CSV file of products to create or update.
pub const PRODUCTS_IMPORT: &str = "/api/products/import";
/// The products removed and not restored (the record of changes).
pub const PRODUCTS_REMOVED: &str = "/api/products/removed";
/// The record of product `id`'s changes (`"{id}"` gives the router's pattern).
pub fn product_history(id: impl std::fmt::Display) -> String {
    format!("{PRODUCTS_API}/{id}/history")
}

/// Where product `id` is restored to an earlier change (`"{id}"` gives the router's pattern).
pub fn product_restore(id: impl std::fmt::Display) -> String {
    format!("{PRODUCTS_API}/{id}/restore")
}

/// Where the add form posts without JavaScript.
pub const ADD_FORM: &str = "/realtimeproducts/products";

/// Where the edit form for product `id` posts without JavaScript.
pub fn edit_form(id: u64) -> String {
    format!("{ADD_FORM}/{id}")
}

/// The router's pattern of [`edit_form`].
pub fn edit_form_route() -> String {
    format!("{ADD_FORM}/{{id}}")
}

/// The router's pattern of [`delete_form`].
pub fn delete_form_route() -> String {
    format!("{ADD_FORM}/{{id}}/delete")
}

/// Where the delete button of product `id` posts without JavaScript.
pub fn delete_form(id: u64) -> String {
    format!("{ADD_FORM}/{id}/delete")
}

/// The live page with the edit form of product `id` open (the way without JavaScript).
pub fn edit_page(id: u64) -> String {
    format!("{REALTIME}?edit={id}#product-{id}")
}

/// The login page, leading back to the live page.
pub fn login_then_live() -> String {
    format!("{LOGIN}?next={REALTIME}")
}

/// Where a login (or its page's links) may lead: `next` when it is a path of this site, else
/// [`REALTIME`]. Anything that a browser could read as another site or a script is refused:
/// another host (`//host`, `/\host`, `https://host`), a scheme (`javascript:`), and any
/// whitespace, control character or backslash (browsers drop tabs and newlines from URLs and
/// read `\` as `/`, so `/\t/evil` is `//evil`).
pub fn safe_next(next: &str) -> &str {
    let acceptable = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    if acceptable {
        next
    } else {
        REALTIME
    }
}

/// Percent-encodes what is not unreserved in a query value (epochs are plain, but be safe).
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_kept() {
        for good in ["/", "/realtimeproducts", "/chat?x=1", "/a/b#c", "/ñandú"] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            " /realtimeproducts",
            "/%0a",
            "/\u{0}x",
            "/\u{a0}x",
        ] {
            let expected = if bad == "/%0a" { bad } else { REALTIME };
            assert_eq!(safe_next(bad), expected, "{bad:?}");
        }
    }
}
