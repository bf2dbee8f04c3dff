//! Amounts of money with their currency, in the locale formats documents use: `1,234.56`,
//! `1.234,56`, `1 234,56`, `1'234.56`, with a symbol or ISO 4217 code before or after.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// An amount written with a currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    pub amount: f64,
    /// ISO 4217, upper case.
    pub currency: Option<String>,
}

/// An amount found in text, with its byte range.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FoundMoney {
    pub money: Money,
    pub start: usize,
    pub end: usize,
}

/// ISO 4217 codes recognised when written as a code.
const CODES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "PLN", "INR", "JPY", "CNY", "CAD", "AUD", "NZD", "SEK", "NOK",
    "DKK", "CZK", "HUF", "RON", "BGN", "TRY", "ZAR", "BRL", "MXN", "SGD", "HKD", "AED", "SAR",
    "RUB", "ILS", "KRW",
];

/// The ISO 4217 code of a currency marker as printed (`€`, `US$`, `Rs.`, `zł`, `eur`).
pub fn currency_code(marker: &str) -> Option<&'static str> {
    let marker = marker.trim().trim_end_matches('.');
    let code = match marker {
        "€" => "EUR",
        "$" | "US$" => "USD",
        "CA$" | "C$" => "CAD",
        "AU$" | "A$" => "AUD",
        "£" => "GBP",
        "₹" | "Rs" => "INR",
        "¥" => "JPY",
        "zł" => "PLN",
        other => {
            let upper = other.to_ascii_uppercase();
            return CODES.iter().copied().find(|c| *c == upper);
        }
    };
    Some(code)
}

/// Symbols and codes, longest first so that `US$` wins over `$`.
const MARKER: &str = r"(?:US\$|CA\$|AU\$|A\$|C\$|\$|€|£|₹|¥|\bRs\b\.?|\bzł|\b(?:EUR|USD|GBP|CHF|PLN|INR|JPY|CNY|CAD|AUD|NZD|SEK|NOK|DKK|CZK|HUF|RON|BGN|TRY|ZAR|BRL|MXN|SGD|HKD|AED|SAR|RUB|ILS|KRW)\b)";
/// A number with optional thousands groups (`,` `.` space, no-break space, apostrophe) and
/// one or two decimals.
const NUMBER: &str =
    r"-?\b(?:\d{1,3}(?:[,. \u{00A0}\u{202F}'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)\b";

static PREFIXED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // A symbol alone on its line before the number (`€\n4.904,94`) is a layout of PDF tables,
    // so a short run of whitespace may hold a line break.
    super::compile(&format!(
        r"(?P<marker>{MARKER})\s{{0,6}}(?P<number>{NUMBER})"
    ))
});

static SUFFIXED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::compile(&format!(
        r"(?P<number>{NUMBER})[ \u{{00A0}}]{{0,2}}(?P<marker>{MARKER})"
    ))
});

/// A number without a currency, believed to be money only with exactly two decimals.
static BARE_DECIMAL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::compile(r"-?\b(?:\d{1,3}(?:[,. \u{00A0}\u{202F}'’]\d{3})+|\d+)[.,]\d{2}\b")
});

/// The value of a number as printed in any of the usual locales. The last `.` or `,` is the
/// decimal separator when one or two digits follow it; every other separator groups thousands.
pub fn parse_money_number(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let negative = raw.starts_with('-');
    let body: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    if !body.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let decimal_at = body
        .rfind(['.', ','])
        .filter(|&i| (1..=2).contains(&(body.len() - i - 1)));
    let mut normalised = String::with_capacity(body.len() + 1);
    if negative {
        normalised.push('-');
    }
    for (i, c) in body.char_indices() {
        if c.is_ascii_digit() {
            normalised.push(c);
        } else if Some(i) == decimal_at {
            normalised.push('.');
        }
    }
    normalised
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| (v * 100.0).round() / 100.0)
}

/// Amounts written with a currency marker, in order of position.
pub(crate) fn find_money(text: &str) -> Vec<FoundMoney> {
    let mut found: Vec<FoundMoney> = Vec::new();
    let mut scan = |re: &LazyLock<Option<Regex>>, suffixed: bool| {
        let Some(re) = re.as_ref() else {
            return;
        };
        for c in re.captures_iter(text) {
            let (Some(whole), Some(number), Some(marker)) =
                (c.get(0), c.name("number"), c.name("marker"))
            else {
                continue;
            };
            // In `2 $10.00` the `$` belongs to the number after it, not to the `2`.
            let rest = text[whole.end()..].trim_start_matches([' ', '\u{00A0}']);
            let marker_leads_next = rest.starts_with(|ch: char| ch.is_ascii_digit());
            let overlaps = found
                .iter()
                .any(|f| whole.start() < f.end && f.start < whole.end());
            if (suffixed && marker_leads_next) || overlaps {
                continue;
            }
            if let Some(amount) = parse_money_number(number.as_str()) {
                found.push(FoundMoney {
                    money: Money {
                        amount,
                        currency: currency_code(marker.as_str()).map(str::to_string),
                    },
                    start: whole.start(),
                    end: whole.end(),
                });
            }
        }
    };
    scan(&PREFIXED, false);
    scan(&SUFFIXED, true);
    found.sort_by_key(|f| f.start);
    found
}

/// Numbers with two decimals and no currency (`319.00`), for totals printed without one.
pub(crate) fn find_bare_decimals(text: &str) -> Vec<FoundMoney> {
    let Some(re) = BARE_DECIMAL.as_ref() else {
        return Vec::new();
    };
    re.find_iter(text)
        .filter_map(|m| {
            Some(FoundMoney {
                money: Money {
                    amount: parse_money_number(m.as_str())?,
                    currency: None,
                },
                start: m.start(),
                end: m.end(),
            })
        })
        .collect()
}

/// The currency written most often with an amount; ties go to the one seen first.
pub(crate) fn dominant_currency(found: &[FoundMoney]) -> Option<String> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, f) in found.iter().enumerate() {
        if let Some(c) = &f.money.currency {
            let entry = counts.entry(c.as_str()).or_insert((0, i));
            entry.0 += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map(|(c, _)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_formats() {
        for (raw, value) in [
            ("1,234.56", 1234.56),
            ("1.234,56", 1234.56),
            ("1 234,56", 1234.56),
            ("1\u{00A0}234,56", 1234.56),
            ("1'234.56", 1234.56),
            ("4.904,94", 4904.94),
            ("1939", 1939.0),
            ("99,99", 99.99),
            ("1.234", 1234.0),
            ("1,234,567.8", 1234567.8),
            ("-40.00", -40.0),
        ] {
            assert_eq!(parse_money_number(raw), Some(value), "{raw}");
        }
        assert_eq!(parse_money_number("n/a"), None);
    }

    fn found(text: &str) -> Vec<(f64, Option<String>)> {
        find_money(text)
            .into_iter()
            .map(|f| (f.money.amount, f.money.currency))
            .collect()
    }

    #[test]
    fn symbols_and_codes_either_side() {
        let eur = Some("EUR".to_string());
        assert_eq!(found("Total: € 1.234,56"), vec![(1234.56, eur.clone())]);
        assert_eq!(found("Totaal\n€  \n4.904,94"), vec![(4904.94, eur.clone())]);
        assert_eq!(found("1 234,56 €"), vec![(1234.56, eur)]);
        assert_eq!(
            found("Amount due $4.11, paid US$ 2,000.00"),
            vec![
                (4.11, Some("USD".to_string())),
                (2000.0, Some("USD".to_string()))
            ]
        );
        assert_eq!(
            found("ogółem: 316,83 PLN"),
            vec![(316.83, Some("PLN".into()))]
        );
        assert_eq!(found("razem 12,50 zł"), vec![(12.5, Some("PLN".into()))]);
        assert_eq!(
            found("Rs 1939 x 1 Night"),
            vec![(1939.0, Some("INR".into()))]
        );
        assert_eq!(found("Rs. -40.00"), vec![(-40.0, Some("INR".into()))]);
        assert_eq!(found("₹ 500"), vec![(500.0, Some("INR".into()))]);
        assert_eq!(found("£12.00"), vec![(12.0, Some("GBP".into()))]);
        assert_eq!(found("CHF 1'250.00"), vec![(1250.0, Some("CHF".into()))]);
    }

    #[test]
    fn codes_inside_words_are_not_currencies() {
        assert!(found("EUROPE 2014, customers 12").is_empty());
        assert!(found("Users 100").is_empty());
        assert_eq!(found("Qty 2 $10.00"), vec![(10.0, Some("USD".into()))]);
    }

    #[test]
    fn dominant_currency_counts() {
        let f = find_money("$1.00 €2.00 €3.00");
        assert_eq!(dominant_currency(&f), Some("EUR".to_string()));
    }
}
