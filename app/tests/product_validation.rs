//! Every product rule, both sides of every limit, counted in characters.

use app::domain::product::{DESCRIPTION_MAX, SHORT_TEXT_MAX};
use app::domain::product_form::ProductForm;
use app::domain::{NewProduct, Product, ProductChanges};
use serde_json::{json, Value};

fn valid() -> Value {
    json!({
        "title": "Escuadra", "description": "Regla triangular de 30 cm", "code": "ESC-001",
        "price": 123.45, "status": true, "stock": 10, "category": "utiles",
        "thumbnails": ["https://example.com/escuadra.png"]
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut product = valid();
    product[field] = value;
    product
}

fn without(field: &str) -> Value {
    let mut product = valid();
    product.as_object_mut().unwrap().remove(field);
    product
}

fn problem_fields(value: &Value) -> Vec<String> {
    match NewProduct::from_json(value) {
        Ok(_) => vec![],
        Err(invalid) => invalid.fields.keys().cloned().collect(),
    }
}

#[test]
fn the_contract_example_is_valid() {
    let product = NewProduct::from_json(&valid()).unwrap();
    assert_eq!(product.title, "Escuadra");
    assert_eq!(product.price, 123.45);
    assert_eq!(product.stock, 10);
    assert_eq!(product.thumbnails, ["https://example.com/escuadra.png"]);
}

#[test]
fn required_fields_are_named_when_missing() {
    for field in ["title", "description", "code", "price", "stock", "category"] {
        assert_eq!(
            problem_fields(&without(field)),
            [field],
            "{field} is required"
        );
    }
}

#[test]
fn status_and_thumbnails_have_defaults() {
    let product = NewProduct::from_json(&without("status")).unwrap();
    assert!(product.status);
    let product = NewProduct::from_json(&without("thumbnails")).unwrap();
    assert!(product.thumbnails.is_empty());
    let product = NewProduct::from_json(&with("status", json!(false))).unwrap();
    assert!(!product.status);
}

#[test]
fn short_texts_are_trimmed_non_empty_and_at_most_200_characters() {
    for field in ["title", "code", "category"] {
        assert_eq!(problem_fields(&with(field, json!(""))), [field]);
        assert_eq!(problem_fields(&with(field, json!(" \t\n "))), [field]);
        let at_limit = "ñ".repeat(SHORT_TEXT_MAX); // 400 bytes, 200 characters
        assert!(
            problem_fields(&with(field, json!(at_limit))).is_empty(),
            "{field}: 200 chars ok"
        );
        let over = "ñ".repeat(SHORT_TEXT_MAX + 1);
        assert_eq!(
            problem_fields(&with(field, json!(over))),
            [field],
            "{field}: 201 chars too many"
        );
        // Blanks around do not count towards the limit and are not stored.
        let padded = format!("  {}  ", "a".repeat(SHORT_TEXT_MAX));
        let product = NewProduct::from_json(&with(field, json!(padded))).unwrap();
        let stored = serde_json::to_value(&product).unwrap()[field].clone();
        assert_eq!(stored, json!("a".repeat(SHORT_TEXT_MAX)));
        assert_eq!(
            problem_fields(&with(field, json!(12))),
            [field],
            "{field} must be text"
        );
    }
}

#[test]
fn description_is_non_empty_and_at_most_2000_characters() {
    assert_eq!(
        problem_fields(&with("description", json!("  "))),
        ["description"]
    );
    assert!(problem_fields(&with("description", json!("é".repeat(DESCRIPTION_MAX)))).is_empty());
    assert_eq!(
        problem_fields(&with("description", json!("é".repeat(DESCRIPTION_MAX + 1)))),
        ["description"]
    );
}

#[test]
fn price_is_a_number_at_least_zero() {
    assert!(problem_fields(&with("price", json!(0))).is_empty());
    assert!(problem_fields(&with("price", json!(0.0))).is_empty());
    assert!(problem_fields(&with("price", json!(1e9))).is_empty());
    assert_eq!(problem_fields(&with("price", json!(-0.01))), ["price"]);
    assert_eq!(problem_fields(&with("price", json!("10"))), ["price"]);
    assert_eq!(problem_fields(&with("price", json!(null))), ["price"]);
}

#[test]
fn stock_is_an_integer_at_least_zero() {
    assert!(problem_fields(&with("stock", json!(0))).is_empty());
    assert_eq!(problem_fields(&with("stock", json!(-1))), ["stock"]);
    assert_eq!(problem_fields(&with("stock", json!(2.5))), ["stock"]);
    assert_eq!(problem_fields(&with("stock", json!("3"))), ["stock"]);
}

#[test]
fn status_is_boolean_and_thumbnails_a_list_of_strings() {
    assert_eq!(problem_fields(&with("status", json!("true"))), ["status"]);
    assert_eq!(problem_fields(&with("status", json!(1))), ["status"]);
    assert_eq!(
        problem_fields(&with("thumbnails", json!("a.png"))),
        ["thumbnails"]
    );
    assert_eq!(
        problem_fields(&with("thumbnails", json!(["a.png", 3]))),
        ["thumbnails"]
    );
    assert!(problem_fields(&with("thumbnails", json!([]))).is_empty());
}

#[test]
fn every_problem_is_reported_at_once() {
    let value = json!({"title": "", "price": -1, "stock": "x"});
    assert_eq!(
        problem_fields(&value),
        ["category", "code", "description", "price", "stock", "title"]
    );
    assert!(NewProduct::from_json(&json!([1])).is_err(), "not an object");
}

#[test]
fn changes_check_only_the_fields_present_and_ignore_the_id() {
    let changes = ProductChanges::from_json(&json!({"price": 5, "id": 99})).unwrap();
    assert_eq!(
        changes,
        ProductChanges {
            price: Some(5.0),
            ..Default::default()
        }
    );
    let invalid = ProductChanges::from_json(&json!({"title": " ", "stock": -2})).unwrap_err();
    assert_eq!(
        invalid.fields.keys().collect::<Vec<_>>(),
        ["stock", "title"]
    );
    assert_eq!(
        ProductChanges::from_json(&json!({})).unwrap(),
        ProductChanges::default()
    );

    let mut product: Product = serde_json::from_value(
        json!({"id": 3, "status": true, "thumbnails": [], "title": "A",
            "description": "B", "code": "C", "price": 1.0, "stock": 1, "category": "D"}),
    )
    .unwrap();
    ProductChanges::from_json(&json!({"title": "  Nuevo ", "status": false}))
        .unwrap()
        .apply_to(&mut product);
    assert_eq!(
        (
            product.id,
            product.title.as_str(),
            product.status,
            product.price
        ),
        (3, "Nuevo", false, 1.0)
    );
}

#[test]
fn the_html_form_is_checked_by_the_same_rules() {
    let form = ProductForm {
        title: " Compás ".into(),
        description: "Metálico".into(),
        code: "COM-1".into(),
        price: "12,50".into(),
        status: None,
        stock: "3".into(),
        category: "útiles".into(),
        thumbnails: "https://a.test/1.png\n\nhttps://a.test/2.png".into(),
    };
    let product = form.parse().unwrap();
    assert_eq!(product.title, "Compás");
    assert_eq!(product.price, 12.5);
    assert!(
        !product.status,
        "an unticked checkbox is absent from the post"
    );
    assert_eq!(
        product.thumbnails,
        ["https://a.test/1.png", "https://a.test/2.png"]
    );

    let bad = ProductForm {
        price: "-1".into(),
        stock: "2.5".into(),
        ..form.clone()
    };
    let invalid = bad.parse().unwrap_err();
    assert_eq!(
        invalid.fields.keys().collect::<Vec<_>>(),
        ["price", "stock"]
    );
    let blank = ProductForm::default().parse().unwrap_err();
    assert_eq!(blank.fields.len(), 6);
    // The typed path agrees with the JSON path.
    assert_eq!(product.clone().validated().unwrap(), product);
}
