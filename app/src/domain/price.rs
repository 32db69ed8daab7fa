//! Prices as an Argentine shop writes them: `$ 8.999,00`, with dots between thousands and a
//! decimal comma. Only for people: the API keeps plain numbers.

use super::counting::group_digits;

/// `price` (finite, >= 0, as validated) in the es-AR format, always with two decimals.
pub fn format_price(price: f64) -> String {
    let fixed = format!("{:.2}", price.max(0.0));
    let (whole, cents) = fixed.split_once('.').unwrap_or((&fixed, "00"));
    format!("$ {},{cents}", group_digits(whole))
}

#[cfg(test)]
mod tests {
    use super::format_price;

    #[test]
    fn thousands_take_dots_and_decimals_a_comma() {
        assert_eq!(format_price(8999.0), "$ 8.999,00");
        assert_eq!(format_price(0.0), "$ 0,00");
        assert_eq!(format_price(123.45), "$ 123,45");
        assert_eq!(format_price(1_234_567.891), "$ 1.234.567,89");
        assert_eq!(format_price(999.999), "$ 1.000,00", "rounded to cents");
        assert_eq!(format_price(100.0), "$ 100,00");
        assert_eq!(format_price(1000.5), "$ 1.000,50");
    }
}
