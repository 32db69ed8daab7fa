//! The data directory of the version before SQLite: `products.json` (`{"next_id": N,
//! "products": [...]}`, or a plain array of products) and `chat.jsonl` (one message per line).
//! Both are read and checked whole before anything is imported, so a damaged file stops
//! start-up naming it and imports nothing.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sqlx::SqliteConnection;

use crate::store::rows::{MessageRow, Rows};
use crate::store::{LoadError, StoreError};
use app::domain::{ChatMessage, Product, ProductId};

pub const PRODUCTS_FILE: &str = "products.json";
pub const CHAT_FILE: &str = "chat.jsonl";
/// Appended to each file's name once its contents are in the database.
pub const IMPORTED_SUFFIX: &str = ".imported";

/// What the data directory of the earlier version holds.
#[derive(Debug, Default)]
pub struct EarlierFiles {
    /// Ascending by id, ids and codes unique.
    pub products: Vec<Product>,
    /// The next product id the old version would have given (at least 1 above every id).
    pub next_product_id: ProductId,
    /// Ascending by id.
    pub messages: Vec<ChatMessage>,
    /// The files read, to be renamed once imported.
    pub files: Vec<PathBuf>,
}

impl EarlierFiles {
    /// Reads `dir`'s old files; `None` when it has neither.
    pub fn read(dir: &Path) -> Result<Option<EarlierFiles>, LoadError> {
        let mut legacy = EarlierFiles {
            next_product_id: 1,
            ..EarlierFiles::default()
        };
        let products_path = dir.join(PRODUCTS_FILE);
        if let Some(bytes) = read_if_present(&products_path)? {
            (legacy.products, legacy.next_product_id) = parse_catalog(&products_path, &bytes)?;
            legacy.files.push(products_path);
        }
        let chat_path = dir.join(CHAT_FILE);
        if let Some(bytes) = read_if_present(&chat_path)? {
            legacy.messages = parse_chat(&chat_path, &bytes)?;
            legacy.files.push(chat_path);
        }
        Ok((!legacy.files.is_empty()).then_some(legacy))
    }

    /// Renames every file read to `NAME.imported`, so it is never imported twice.
    pub fn set_aside(&self) -> Result<(), LoadError> {
        for path in &self.files {
            let mut renamed = path.clone().into_os_string();
            renamed.push(IMPORTED_SUFFIX);
            std::fs::rename(path, &renamed).map_err(|e| LoadError::new(path, e))?;
        }
        Ok(())
    }
}

/// Carries the earlier version's data over, ids kept, in the caller's one transaction: the
/// counters go past every id carried over (and the old `next_id`), and `meta` remembers it, so a
/// crash before the files are renamed never carries them over twice. Whether it did (false:
/// done before).
pub async fn carry_over(
    tx: &mut SqliteConnection,
    earlier: &EarlierFiles,
) -> Result<bool, StoreError> {
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE name = 'imported'")
        .fetch_optional(&mut *tx)
        .await?;
    if done.is_some() {
        return Ok(false);
    }
    for product in &earlier.products {
        if let Err(e) = tx.insert_product(product).await {
            return Err(match e {
                sqlx::Error::Database(e) if e.is_unique_violation() => {
                    StoreError::DuplicateCode(product.code.clone())
                }
                other => other.into(),
            });
        }
    }
    let rows: Vec<MessageRow> = earlier
        .messages
        .iter()
        .map(|message| MessageRow::of(message, None))
        .collect();
    tx.insert_messages(&rows).await?;
    let last_product = earlier.next_product_id.saturating_sub(1);
    let last_message = earlier.messages.last().map_or(0, |m| m.id);
    for (counter, at_least) in [("product", last_product), ("message", last_message)] {
        sqlx::query("UPDATE counters SET value = MAX(value, $2) WHERE name = $1")
            .bind(counter)
            .bind(at_least as i64)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT INTO meta (name, value) VALUES ('imported', datetime('now'))")
        .execute(&mut *tx)
        .await?;
    Ok(true)
}

fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, LoadError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LoadError::new(path, e)),
    }
}

/// Either shape `products.json` had.
#[derive(Deserialize)]
#[serde(untagged)]
enum CatalogFile {
    Current {
        next_id: ProductId,
        products: Vec<Product>,
    },
    PlainList(Vec<Product>),
}

fn parse_catalog(path: &Path, bytes: &[u8]) -> Result<(Vec<Product>, ProductId), LoadError> {
    let (mut products, next_id) = match serde_json::from_slice::<CatalogFile>(bytes) {
        Ok(CatalogFile::Current { next_id, products }) => (products, next_id),
        Ok(CatalogFile::PlainList(products)) => (products, 1),
        Err(e) => return Err(LoadError::new(path, format!("not a valid catalog: {e}"))),
    };
    products.sort_by_key(|p| p.id);
    if let Some(product) = products.iter().find(|p| p.id == 0) {
        return Err(LoadError::new(
            path,
            format!("product {:?} has id 0", product.code),
        ));
    }
    if let Some(pair) = products.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(LoadError::new(
            path,
            format!("product id {} appears twice", pair[0].id),
        ));
    }
    let mut codes = std::collections::HashSet::new();
    if let Some(product) = products.iter().find(|p| !codes.insert(p.code.as_str())) {
        return Err(LoadError::new(
            path,
            format!("code {:?} appears twice", product.code),
        ));
    }
    let after_largest = products.last().map_or(1, |p| p.id + 1);
    Ok((products, next_id.max(after_largest)))
}

fn parse_chat(path: &Path, bytes: &[u8]) -> Result<Vec<ChatMessage>, LoadError> {
    let at_line = |line: usize, reason: String| LoadError {
        path: path.into(),
        line: Some(line),
        reason,
    };
    let mut messages: Vec<ChatMessage> = Vec::new();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let message: ChatMessage =
            serde_json::from_slice(line).map_err(|e| at_line(index + 1, e.to_string()))?;
        if message.id == 0 || messages.last().is_some_and(|last| last.id >= message.id) {
            return Err(at_line(
                index + 1,
                format!("message id {} is not above the one before it", message.id),
            ));
        }
        messages.push(message);
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_catalog_shapes_and_keeps_next_id() {
        let product = r#"{"id":7,"title":"t","description":"d","code":"A","price":1,"status":true,"stock":1,"category":"c","thumbnails":[]}"#;
        let current = format!(r#"{{"next_id": 20, "products": [{product}]}}"#);
        let (products, next) = parse_catalog(Path::new("p"), current.as_bytes()).unwrap();
        assert_eq!((products.len(), next), (1, 20));
        let plain = format!("[{product}]");
        let (_, next) = parse_catalog(Path::new("p"), plain.as_bytes()).unwrap();
        assert_eq!(next, 8, "after the largest id");
        let error = parse_catalog(Path::new("dir/products.json"), b"{nope").unwrap_err();
        assert!(error.to_string().contains("dir/products.json"), "{error}");
    }

    #[test]
    fn a_bad_chat_line_is_named() {
        let good =
            r#"{"id":1,"email":"a@b.co","text":"hola","sent_at":"2026-11-21T23:59:06.123Z"}"#;
        let messages = parse_chat(Path::new("c"), format!("{good}\n").as_bytes()).unwrap();
        assert_eq!(messages.len(), 1);
        let error = parse_chat(
            Path::new("chat.jsonl"),
            format!("{good}\nbroken\n").as_bytes(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("chat.jsonl (line 2)"), "{error}");
    }
}
