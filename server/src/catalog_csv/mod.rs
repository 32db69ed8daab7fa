//! Catalog files, the way shop teams move catalogs between platforms: CSV (UTF-8, comma,
//! RFC 4180 quoting) with the header `id,title,description,code,price,status,stock,category,
//! thumbnails`, `status` as `true`/`false`, thumbnails separated by single spaces.
//!
//! Reading checks every row with the product rules before anything changes, and reports the
//! rows at fault by line as a spreadsheet numbers them (the header is line 1; a row is numbered
//! by the line it starts on, whatever its line endings and however many lines its quoted
//! fields span), so a file is taken whole or not at all. It reads the file row by row and keeps
//! at most [`FAULTS_LISTED`] faults, so what it holds is bounded by the file's size whatever the
//! file holds.
//!
//! Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) are written behind a `'`, which reading takes away again (OWASP's
//! "CSV injection"), so an exported file imports back to the same products.

mod formula;
mod lines;

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::store::ImportRow;
use app::domain::counting::thousands;
use app::domain::{FieldErrors, Invalid, NewProduct, Product, RowFault};
use formula::{guarded, unguarded};
use lines::Lines;

/// The columns, in the order the export writes them.
pub const COLUMNS: [&str; 9] = [
    "id",
    "title",
    "description",
    "code",
    "price",
    "status",
    "stock",
    "category",
    "thumbnails",
];
/// Columns an import must have; `id` is ignored, `status` and `thumbnails` may be absent.
const REQUIRED: [&str; 6] = ["title", "description", "code", "price", "stock", "category"];
/// Rows at fault listed in one answer; a file with more says how many in all.
const FAULTS_LISTED: usize = 1000;
/// The most rows one file may hold: a catalog of a few hundred thousand products still fits,
/// and the memory a file of tiny rows asks for stays bounded.
pub const ROWS_MAX: usize = 250_000;

/// Writes `products` as the catalog file.
pub fn write<'a>(products: impl Iterator<Item = &'a Product>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS).expect("writing to memory");
    for p in products {
        writer
            .write_record([
                p.id.to_string(),
                guarded(&p.title),
                guarded(&p.description),
                guarded(&p.code),
                p.price.to_string(),
                p.status.to_string(),
                p.stock.to_string(),
                guarded(&p.category),
                guarded(&p.thumbnails.join(" ")),
            ])
            .expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// Reads and checks a whole catalog file.
pub fn read(body: &[u8]) -> Result<Vec<ImportRow>, Invalid> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Invalid::new(format!("No se pudo leer el encabezado del CSV: {e}")))?
        .iter()
        .map(|name| {
            name.trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|c| column(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Invalid::new(format!(
            "Al CSV le faltan columnas: {} (la primera fila debe nombrarlas)",
            missing.join(", ")
        )));
    }
    let (status_at, thumbnails_at) = (column("status"), column("thumbnails"));
    let mut rows = Vec::new();
    let mut faults = Faults::default();
    let mut lines = Lines::new(body);
    let mut first_line_of_code: HashMap<String, u64> = HashMap::new();
    for (read, record) in reader.records().enumerate() {
        if read == ROWS_MAX {
            return Err(Invalid::new(format!(
                "El CSV tiene más de {} filas: dividilo en archivos más chicos",
                thousands(ROWS_MAX as u64)
            )));
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                faults.push(RowFault {
                    line,
                    fields: FieldErrors::from([("row".into(), unreadable(&e))]),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        let cell =
            |at: Option<usize>| unguarded(at.and_then(|at| record.get(at)).unwrap_or_default());
        let mut object = Map::new();
        let mut fields = FieldErrors::new();
        for name in ["title", "description", "code", "category"] {
            object.insert(name.into(), Value::String(cell(column(name)).into()));
        }
        match parse_price(cell(column("price"))) {
            Some(price) => {
                object.insert("price".into(), price);
            }
            None => {
                fields.insert(
                    "price".into(),
                    "debe ser un número mayor o igual a 0".into(),
                );
            }
        }
        match cell(column("stock")).trim().parse::<u64>() {
            Ok(stock) => {
                object.insert("stock".into(), stock.into());
            }
            Err(_) => {
                fields.insert(
                    "stock".into(),
                    "debe ser un número entero mayor o igual a 0".into(),
                );
            }
        }
        if status_at.is_some() {
            match parse_status(cell(status_at)) {
                Some(status) => {
                    object.insert("status".into(), status.into());
                }
                None => {
                    fields.insert("status".into(), "debe ser true o false".into());
                }
            }
        }
        let thumbnails: Vec<Value> = cell(thumbnails_at)
            .split_whitespace()
            .map(|t| Value::String(t.into()))
            .collect();
        object.insert("thumbnails".into(), Value::Array(thumbnails));
        let product = match NewProduct::from_json(&Value::Object(object)) {
            Ok(product) if fields.is_empty() => Some(product),
            Ok(_) => None,
            Err(invalid) => {
                fields.extend(invalid.fields);
                None
            }
        };
        if let Some(product) = &product {
            if let Some(first) = first_line_of_code.insert(product.code.clone(), line) {
                fields.insert(
                    "code".into(),
                    format!("el código se repite: ya está en la línea {first}"),
                );
            }
        }
        match product {
            // Once a row is at fault nothing is imported: the good rows are not kept.
            Some(product) if fields.is_empty() && faults.total == 0 => rows.push(ImportRow {
                product,
                has_status: status_at.is_some(),
                has_thumbnails: thumbnails_at.is_some(),
            }),
            Some(_) if fields.is_empty() => {}
            _ => {
                rows = Vec::new();
                faults.push(RowFault { line, fields });
            }
        }
    }
    if faults.total == 0 {
        return Ok(rows);
    }
    let Faults { total, listed } = faults;
    let error = match total {
        1 => "Una fila del CSV no es válida; no se importó nada".to_string(),
        n if n > FAULTS_LISTED => format!(
            "{n} filas del CSV no son válidas (se listan las primeras {FAULTS_LISTED}); no se importó nada"
        ),
        n => format!("{n} filas del CSV no son válidas; no se importó nada"),
    };
    Err(Invalid {
        rows: listed,
        ..Invalid::new(error)
    })
}

/// The rows at fault: how many, and the first [`FAULTS_LISTED`] of them.
#[derive(Default)]
struct Faults {
    total: usize,
    listed: Vec<RowFault>,
}

impl Faults {
    fn push(&mut self, fault: RowFault) {
        self.total += 1;
        if self.listed.len() < FAULTS_LISTED {
            self.listed.push(fault);
        }
    }
}

/// Why a row cannot be read, in the file's terms.
fn unreadable(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("tiene {len} columnas y el encabezado {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "no está en UTF-8".to_string(),
        _ => "no se pudo leer".to_string(),
    }
}

/// A price as exported (`1234.5`), or as a Spanish spreadsheet writes it (`1234,5`).
fn parse_price(raw: &str) -> Option<Value> {
    let raw = raw.trim();
    let parsed = raw
        .parse::<f64>()
        .ok()
        .or_else(|| raw.replace(',', ".").parse::<f64>().ok())?;
    serde_json::Number::from_f64(parsed).map(Value::Number)
}

fn parse_status(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "1" | "sí" | "si" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
