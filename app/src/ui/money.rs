//! Money as shoppers read it. VND has no minor unit: prices are whole dong.

/// Formats whole dong the Vietnamese way: `45000` → `"45.000 ₫"`.
pub fn format_vnd(amount: i64) -> String {
    format!("{} ₫", group_thousands(amount))
}

/// A whole number with dots between thousands, as Vietnamese writes it: `2000` → `"2.000"`.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{grouped}")
}

#[cfg(test)]
mod tests {
    use super::format_vnd;

    #[test]
    fn groups_thousands_with_dots_and_puts_the_dong_sign_last() {
        assert_eq!(format_vnd(45_000), "45.000 ₫");
        assert_eq!(format_vnd(1_250_000), "1.250.000 ₫");
        assert_eq!(format_vnd(120_000_000_000), "120.000.000.000 ₫");
    }

    #[test]
    fn small_amounts_have_no_separator() {
        assert_eq!(format_vnd(0), "0 ₫");
        assert_eq!(format_vnd(999), "999 ₫");
        assert_eq!(format_vnd(1_000), "1.000 ₫");
    }

    #[test]
    fn negative_amounts_keep_their_sign() {
        assert_eq!(format_vnd(-15_500), "-15.500 ₫");
    }
}
