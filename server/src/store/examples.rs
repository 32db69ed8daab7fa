//! The few products a brand-new data directory starts with, so the app looks alive on first
//! run. `SEED_EXAMPLES=false` starts with an empty catalog instead.

use app::domain::NewProduct;

pub fn products() -> Vec<NewProduct> {
    let example = |title: &str,
                   description: &str,
                   code: &str,
                   price: f64,
                   stock: u64,
                   category: &str,
                   picture: &str| NewProduct {
        title: title.into(),
        description: description.into(),
        code: code.into(),
        price,
        status: true,
        stock,
        category: category.into(),
        thumbnails: vec![format!("/examples/{picture}.svg")],
    };
    vec![
        example(
            "Escuadra",
            "Regla triangular de 30 cm, acrílico transparente",
            "ESC-001",
            123.45,
            10,
            "útiles",
            "escuadra",
        ),
        example(
            "Calculadora científica",
            "240 funciones, pantalla de dos líneas",
            "CAL-002",
            8999.0,
            4,
            "electrónica",
            "calculadora",
        ),
        example(
            "Cuaderno A4",
            "80 hojas rayadas, tapa dura",
            "CUA-003",
            2150.5,
            25,
            "papelería",
            "cuaderno",
        ),
    ]
}
