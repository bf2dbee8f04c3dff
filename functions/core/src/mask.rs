//! Masking of personal data before it leaves the pipeline (audit record fields, alerts, logs).

/// Keeps the first and last `keep` characters of an identifier: `L898902C3` -> `L8*****C3`.
pub fn identifier(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = if chars.len() >= 8 { 2 } else { 1 };
    if chars.len() <= keep * 2 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep || i >= chars.len() - keep || !c.is_alphanumeric() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A card number shows only its last four digits (PCI DSS allows no more in an alert).
pub fn card(number: &str) -> String {
    let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    let last4 = &digits[digits.len().saturating_sub(4)..];
    format!("****{last4}")
}

/// Each word keeps its first letter: `Anna Maria Eriksson` -> `A*** M**** E*******`.
pub fn name(value: &str) -> String {
    value
        .split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => {
                    let rest = chars.count();
                    format!("{first}{}", "*".repeat(rest))
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An address keeps the first character of each word; digits (house numbers, postcodes) are
/// hidden: `12 Harbour Street` -> `1* H****** S*****`.
pub fn address(value: &str) -> String {
    name(value)
}

/// A date of birth keeps its year only.
pub fn birth_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-**-**", date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(identifier("L898902C3"), "L8*****C3");
        assert_eq!(card("4111 1111 1111 1111"), "****1111");
        assert_eq!(name("Anna Maria ERIKSSON"), "A*** M**** E*******");
        assert_eq!(identifier("AB"), "**");
    }
}
