//! What a page says after something was done: the same sentence whether the browser saw its
//! own request through (JavaScript on) or the server redirects back after a plain form post
//! (JavaScript off).
//!
//! After a form post the outcome travels in the link back as a code (`?ok=added&id=7`,
//! `?error=invalid&fields=price,stock`), never as a sentence: a page shows only sentences of
//! its own, so a link someone else wrote cannot put words of theirs under the site's name. An
//! unknown code shows nothing; a product is named by looking its id up in the catalog.

use super::access::STAFF_ONLY;
use super::product_form::field_label;
use super::Product;

pub fn added(title: &str) -> String {
    format!("Producto agregado: {title}")
}

pub fn updated(title: &str) -> String {
    format!("Producto actualizado: {title}")
}

pub fn removed(title: &str) -> String {
    format!("Producto eliminado: {title}")
}

/// The query parameter of a good outcome's code.
pub const OK: &str = "ok";
/// The query parameter of a failure's code.
pub const ERROR: &str = "error";
/// The query parameter naming the product an outcome is about (by id).
pub const PRODUCT: &str = "id";
/// The query parameter naming the form's fields at fault (comma-separated names).
pub const FIELDS: &str = "fields";

/// The outcome of a plain form post (or of a login), as its code says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
    Removed,
    StaffOnly,
    Incomplete,
    Invalid,
    DuplicateCode,
    ChangedMeanwhile,
    NotFound,
    Unavailable,
    WrongPassword,
    LockedOut,
    AccountAdded,
    AccountRemoved,
    AccountTaken,
    AccountInvalid,
    LastAdmin,
    NoSuchAccount,
}

const ALL: [Outcome; 18] = [
    Outcome::Added,
    Outcome::Updated,
    Outcome::Removed,
    Outcome::StaffOnly,
    Outcome::Incomplete,
    Outcome::Invalid,
    Outcome::DuplicateCode,
    Outcome::ChangedMeanwhile,
    Outcome::NotFound,
    Outcome::Unavailable,
    Outcome::WrongPassword,
    Outcome::LockedOut,
    Outcome::AccountAdded,
    Outcome::AccountRemoved,
    Outcome::AccountTaken,
    Outcome::AccountInvalid,
    Outcome::LastAdmin,
    Outcome::NoSuchAccount,
];

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Added => "added",
            Outcome::Updated => "updated",
            Outcome::Removed => "removed",
            Outcome::StaffOnly => "staff_only",
            Outcome::Incomplete => "incomplete",
            Outcome::Invalid => "invalid",
            Outcome::DuplicateCode => "duplicate_code",
            Outcome::ChangedMeanwhile => "changed_meanwhile",
            Outcome::NotFound => "not_found",
            Outcome::Unavailable => "unavailable",
            Outcome::WrongPassword => "wrong_password",
            Outcome::LockedOut => "locked_out",
            Outcome::AccountAdded => "account_added",
            Outcome::AccountRemoved => "account_removed",
            Outcome::AccountTaken => "account_taken",
            Outcome::AccountInvalid => "account_invalid",
            Outcome::LastAdmin => "last_admin",
            Outcome::NoSuchAccount => "no_such_account",
        }
    }

    /// Whether it is a good outcome (`?ok=`) rather than a failure (`?error=`).
    pub fn is_ok(self) -> bool {
        matches!(
            self,
            Outcome::Added
                | Outcome::Updated
                | Outcome::Removed
                | Outcome::AccountAdded
                | Outcome::AccountRemoved
        )
    }

    /// The query parameter its code travels in.
    pub fn parameter(self) -> &'static str {
        if self.is_ok() {
            OK
        } else {
            ERROR
        }
    }

    /// The outcome a link's `parameter=code` names; `None` for anything else.
    pub fn from_query(parameter: &str, code: &str) -> Option<Outcome> {
        ALL.into_iter()
            .find(|outcome| outcome.code() == code && outcome.parameter() == parameter)
    }

    /// The page's own sentence: `product` is the product the outcome is about (looked up in
    /// the catalog by the id in the link), `fields` the names of the fields at fault.
    pub fn sentence(self, product: Option<&Product>, fields: &[&str]) -> String {
        let named = |sentence: fn(&str) -> String, plain: &str| {
            product.map_or_else(|| plain.to_string(), |p| sentence(&p.title))
        };
        let mut text = match self {
            Outcome::Added => named(added, "Producto agregado"),
            Outcome::Updated => named(updated, "Producto actualizado"),
            Outcome::Removed => "Producto eliminado".to_string(),
            Outcome::StaffOnly => STAFF_ONLY.to_string(),
            Outcome::Incomplete => "El formulario llegó incompleto".to_string(),
            Outcome::Invalid => "El producto no es válido: revisá los campos".to_string(),
            Outcome::DuplicateCode => match product {
                Some(taken) => format!(
                    "Ya existe un producto con el código {}: {}",
                    taken.code, taken.title
                ),
                None => "Ya existe un producto con ese código".to_string(),
            },
            Outcome::ChangedMeanwhile => "Otra persona cambió este producto mientras lo \
                                          editabas: revisá los datos nuevos y volvé a guardar"
                .to_string(),
            Outcome::NotFound => "Ese producto ya no existe".to_string(),
            Outcome::Unavailable => {
                "La base de datos no está disponible; intentá de nuevo en unos segundos".to_string()
            }
            Outcome::WrongPassword => "Contraseña incorrecta".to_string(),
            Outcome::LockedOut => "Demasiados intentos fallidos: esperá unos minutos y volvé a \
                                   probar"
                .to_string(),
            Outcome::AccountAdded => "Cuenta agregada".to_string(),
            Outcome::AccountRemoved => {
                "Cuenta quitada: sus sesiones y su token terminaron".to_string()
            }
            Outcome::AccountTaken => "Ya hay una cuenta con ese email".to_string(),
            Outcome::AccountInvalid => format!(
                "La cuenta no es válida: hace falta un email, un rol y una contraseña de al \
                 menos {} caracteres",
                super::staff::PASSWORD_MIN
            ),
            Outcome::LastAdmin => {
                "No se puede quitar la última cuenta de administración".to_string()
            }
            Outcome::NoSuchAccount => "Esa cuenta ya no existe".to_string(),
        };
        let labels: Vec<&str> = fields.iter().filter_map(|f| field_label(f)).collect();
        if !labels.is_empty() {
            text.push_str(&format!(" ({})", labels.join(", ")));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_its_outcome_and_nothing_else_does() {
        for outcome in ALL {
            assert_eq!(
                Outcome::from_query(outcome.parameter(), outcome.code()),
                Some(outcome)
            );
        }
        assert_eq!(
            Outcome::from_query(ERROR, "added"),
            None,
            "a good code as an error"
        );
        assert_eq!(
            Outcome::from_query(ERROR, "Tu clave venció: ingresá en evil.example"),
            None
        );
    }

    #[test]
    fn a_sentence_names_the_product_and_the_fields_with_the_pages_own_words() {
        let escuadra = Product {
            id: 7,
            title: "Escuadra".into(),
            description: String::new(),
            code: "ESC-30".into(),
            price: 1.0,
            status: true,
            stock: 1,
            category: String::new(),
            thumbnails: Vec::new(),
        };
        assert_eq!(
            Outcome::Added.sentence(Some(&escuadra), &[]),
            "Producto agregado: Escuadra"
        );
        assert_eq!(
            Outcome::DuplicateCode.sentence(Some(&escuadra), &["code"]),
            "Ya existe un producto con el código ESC-30: Escuadra (Código)"
        );
        assert_eq!(Outcome::Added.sentence(None, &[]), "Producto agregado");
        let invalid = Outcome::Invalid.sentence(None, &["price", "stock", "<script>"]);
        assert!(invalid.ends_with("(Precio, Stock)"), "{invalid}");
    }
}
