//! How many products a list shows, in the words both the home page and the live page use.

/// `12345` as `12.345`, the way prices and counts are written here.
pub fn thousands(n: u64) -> String {
    group_digits(&n.to_string())
}

/// A run of digits with a dot between each group of three from the right (any length: a price
/// may be larger than any integer type).
pub fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

/// "100.000 productos en el catálogo.", or for a search "3 productos coinciden con «lápiz»."
pub fn catalog_count(total: u64, search: &str) -> String {
    let search = search.trim();
    if search.is_empty() {
        match total {
            0 => "Todavía no hay productos.".to_string(),
            1 => "1 producto en el catálogo.".to_string(),
            n => format!("{} productos en el catálogo.", thousands(n)),
        }
    } else {
        match total {
            0 => format!("Ningún producto coincide con «{search}»."),
            1 => format!("1 producto coincide con «{search}»."),
            n => format!("{} productos coinciden con «{search}».", thousands(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_well() {
        assert_eq!(thousands(100000), "100.000");
        assert_eq!(thousands(999), "999");
        assert_eq!(catalog_count(0, ""), "Todavía no hay productos.");
        assert_eq!(catalog_count(1234, " "), "1.234 productos en el catálogo.");
        assert_eq!(
            catalog_count(1, " lápiz "),
            "1 producto coincide con «lápiz»."
        );
    }
}
