//! Catalog files, the way shop teams move catalogs between platforms: CSV (UTF-8, comma,
//! RFC 4180 quoting) with the header `id,title,description,code,price,status,stock,category,
//! thumbnails`, `status` as `true`/`false`, thumbnails separated by single spaces.
//!
//! Reading checks every row with the product rules before anything changes, and reports every
//! row at fault by line (the header is line 1), so a file is taken whole or not at all.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::store::ImportRow;
use app::domain::{FieldErrors, Invalid, NewProduct, Product, RowFault};

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

/// Writes `products` as the catalog file.
pub fn write<'a>(products: impl Iterator<Item = &'a Product>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS).expect("writing to memory");
    for p in products {
        writer
            .write_record([
                p.id.to_string(),
                p.title.clone(),
                p.description.clone(),
                p.code.clone(),
                p.price.to_string(),
                p.status.to_string(),
                p.stock.to_string(),
                p.category.clone(),
                p.thumbnails.join(" "),
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
    let mut faults = Vec::new();
    let mut first_line_of_code: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                faults.push(RowFault {
                    line,
                    fields: FieldErrors::from([("row".into(), format!("no se pudo leer: {e}"))]),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |at: Option<usize>| at.and_then(|at| record.get(at)).unwrap_or_default();
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
            Some(product) if fields.is_empty() => rows.push(ImportRow {
                product,
                has_status: status_at.is_some(),
                has_thumbnails: thumbnails_at.is_some(),
            }),
            _ => faults.push(RowFault { line, fields }),
        }
    }
    if faults.is_empty() {
        return Ok(rows);
    }
    let total = faults.len();
    faults.truncate(FAULTS_LISTED);
    let error = match total {
        1 => "Una fila del CSV no es válida; no se importó nada".to_string(),
        n if n > FAULTS_LISTED => format!(
            "{n} filas del CSV no son válidas (se listan las primeras {FAULTS_LISTED}); no se importó nada"
        ),
        n => format!("{n} filas del CSV no son válidas; no se importó nada"),
    };
    Err(Invalid {
        rows: faults,
        ..Invalid::new(error)
    })
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
mod tests {
    use super::*;

    fn product(id: u64, code: &str) -> Product {
        Product {
            id,
            title: "Regla, \"grande\"".into(),
            description: "dos\nlíneas".into(),
            code: code.into(),
            price: 1234.5,
            status: false,
            stock: 3,
            category: "útiles".into(),
            thumbnails: vec!["/a.png".into(), "https://b.example/b.png".into()],
        }
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let written = write([product(1, "A"), product(2, "B")].iter());
        let text = String::from_utf8(written.clone()).unwrap();
        assert!(
            text.starts_with("id,title,description,code,price,status,stock,category,thumbnails\n")
        );
        assert!(text.contains("\"Regla, \"\"grande\"\"\""), "{text}");
        let rows = read(&written).unwrap();
        assert_eq!(rows.len(), 2);
        let expected = product(1, "A");
        assert_eq!(rows[0].product.title, expected.title);
        assert_eq!(rows[0].product.description, expected.description);
        assert_eq!(rows[0].product.price, 1234.5);
        assert!(!rows[0].product.status);
        assert_eq!(rows[0].product.thumbnails, expected.thumbnails);
        assert!(rows[0].has_status && rows[0].has_thumbnails);
    }

    #[test]
    fn columns_in_any_order_and_optional_ones_absent() {
        let file = "code,price,stock,category,description,title\nX-1,\"12,5\",4,c,d,t\n";
        let rows = read(file.as_bytes()).unwrap();
        assert_eq!(rows[0].product.code, "X-1");
        assert_eq!(rows[0].product.price, 12.5);
        assert!(rows[0].product.status, "a new product's default");
        assert!(!rows[0].has_status && !rows[0].has_thumbnails);
    }

    #[test]
    fn every_row_at_fault_is_named_by_line() {
        let file = "title,description,code,price,stock,category\n\
                    ok,d,A,1,1,c\n\
                    ,d,B,-1,x,c\n\
                    dup,d,A,1,1,c\n";
        let invalid = read(file.as_bytes()).unwrap_err();
        assert_eq!(invalid.rows.len(), 2, "{invalid:?}");
        assert_eq!(invalid.rows[0].line, 3);
        let fields: Vec<_> = invalid.rows[0].fields.keys().cloned().collect();
        assert_eq!(fields, ["price", "stock", "title"]);
        assert_eq!(invalid.rows[1].line, 4);
        assert!(invalid.rows[1].fields["code"].contains("línea 2"));
        let missing = read(b"title,code\nx,y\n").unwrap_err();
        assert!(missing.error.contains("description"), "{}", missing.error);
    }
}
