//! What the live page says after a change of the catalog: the same sentence whether the
//! browser saw its own request through (JavaScript on) or the server redirects back after a
//! plain form post (JavaScript off).

pub fn added(title: &str) -> String {
    format!("Producto agregado: {title}")
}

pub fn updated(title: &str) -> String {
    format!("Producto actualizado: {title}")
}

pub fn removed(title: &str) -> String {
    format!("Producto eliminado: {title}")
}
