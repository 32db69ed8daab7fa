//! The catalog as a spreadsheet: what an import answers, shared by the server that writes it
//! and the live page that shows it.

use serde::{Deserialize, Serialize};

use crate::domain::counting::thousands;

/// The body's type for `POST /api/products/import`.
pub const CSV_TYPE: &str = "text/csv";

/// What an import did: `200` with `{"created": N, "updated": M}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub created: u64,
    pub updated: u64,
}

impl Imported {
    /// "1.234 creados, 56 actualizados".
    pub fn summary(&self) -> String {
        let word = |n: u64, one: &str, many: &str| {
            format!("{} {}", thousands(n), if n == 1 { one } else { many })
        };
        format!(
            "{}, {}",
            word(self.created, "creado", "creados"),
            word(self.updated, "actualizado", "actualizados")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_reads_as_a_shop_team_says_it() {
        let done = Imported {
            created: 1234,
            updated: 56,
        };
        assert_eq!(done.summary(), "1.234 creados, 56 actualizados");
        let one = Imported {
            created: 1,
            updated: 1,
        };
        assert_eq!(one.summary(), "1 creado, 1 actualizado");
    }
}
