//! The guard against "CSV injection" (OWASP): a text cell a spreadsheet would run as a formula
//! is written behind a `'`, and reading takes exactly that `'` away again.

/// What a spreadsheet takes as the start of a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, written as it is, would run as a formula: it starts with a formula's
/// character, or with `'`s in front of one (so that the guard of a text that already starts
/// with `'` is taken away exactly once).
fn needs_guard(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A text cell as written: behind a `'` when it would run as a formula.
pub fn guarded(text: &str) -> String {
    if needs_guard(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A text cell as read: without the guard [`guarded`] put in front of it.
pub fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}
