//! Which picture addresses a page may load. A thumbnail is any string a client sent; only
//! `http(s)://host/...` and site-relative `/path` addresses ever reach an `<img src>`, so
//! `javascript:`, `data:` or protocol-relative `//elsewhere` strings never do.

/// The address to put in `src`, or `None` (show the placeholder instead).
pub fn safe_src(address: &str) -> Option<&str> {
    let address = address.trim();
    let lower = address.get(..8).unwrap_or(address).to_ascii_lowercase();
    let host_after = if lower.starts_with("https://") {
        Some(8)
    } else if lower.starts_with("http://") {
        Some(7)
    } else {
        None
    };
    let acceptable = match host_after {
        Some(start) => address[start..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '['),
        None => {
            address.starts_with('/') && !address.starts_with("//") && !address.starts_with("/\\")
        }
    };
    let clean = !address.chars().any(|c| c.is_control() || c.is_whitespace());
    (acceptable && clean).then_some(address)
}

#[cfg(test)]
mod tests {
    use super::safe_src;

    #[test]
    fn only_web_and_site_relative_addresses_are_loaded() {
        for good in [
            "https://example.com/a.png",
            "HTTP://example.com/a.png",
            "http://[::1]:8080/a.png",
            "/assets/escuadra.png",
            "  https://example.com/a.png  ",
        ] {
            assert!(safe_src(good).is_some(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "//evil.example/a.png",
            "/\\evil.example",
            "escuadra.png",
            "https://",
            "https:// spaced.example/a.png",
            "ftp://example.com/a.png",
            "",
        ] {
            assert_eq!(safe_src(bad), None, "{bad}");
        }
    }
}
