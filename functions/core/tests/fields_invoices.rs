//! Invoice fields of real vendor invoices against invoice2data's expectations.
//!
//! Fixtures: `tests/fixtures/documents/invoices/` (invoice-x/invoice2data, tests/compare, MIT;
//! see `invoice2data-MIT.md`). Each `<name>.json` holds the fields invoice2data's per-vendor
//! templates extract; this project has no vendor templates, so the five fields (issuer,
//! amount, date, invoice number, currency) must come from labels and layout alone, and at
//! least 90% of them must be right.
//!
//! How a value counts as right:
//! * issuer: the words of one name start the other's once legal forms are dropped
//!   (`Amazon Web Services, Inc.` for `Amazon Web Services`; `ORLEN S.A.` for
//!   `ORLEN spółka akcyjna`);
//! * amount: within half a cent of `total_amount`;
//! * date: `invoice_date` equal;
//! * invoice number: equal ignoring case, whitespace and a leading `#`;
//! * currency: equal ISO 4217 code.

use std::path::{Path, PathBuf};

use compliance_core::extract::{extract, Disclosure};
use compliance_core::intake::{read, IntakeLimits};
use serde::Deserialize;
use serde_json::Value;

/// The share of expected fields that must be found.
const MIN_ACCURACY: f64 = 0.90;

#[derive(Debug, Deserialize)]
struct Expected {
    issuer: Option<String>,
    amount: Option<f64>,
    date: Option<String>,
    invoice_number: Option<String>,
    currency: Option<String>,
}

fn invoices() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents/invoices");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf" || e == "txt"))
        .collect();
    files.sort();
    files
}

fn expected(path: &Path) -> Expected {
    let raw = std::fs::read_to_string(path.with_extension("json")).unwrap();
    let mut list: Vec<Expected> = serde_json::from_str(&raw).unwrap();
    list.remove(0)
}

const LEGAL_FORMS: &[&str] = &[
    "inc", "ltd", "llc", "gmbh", "bv", "b", "v", "sa", "s", "a", "spółka", "akcyjna", "pvt",
    "private", "limited", "nv", "n", "ag",
];

fn name_words(name: &str) -> Vec<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .map(str::to_string)
        .collect()
}

fn issuer_matches(expected: &str, found: &str) -> bool {
    let (e, f) = (name_words(expected), name_words(found));
    let n = e.len().min(f.len());
    n > 0 && e[..n] == f[..n]
}

fn number_key(s: &str) -> String {
    s.trim_start_matches(|c: char| c == '#' || c.is_whitespace())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

#[test]
fn invoice_fields_without_vendor_templates() {
    let files = invoices();
    assert!(files.len() >= 6, "fixtures missing: {files:?}");
    let (mut right, mut total) = (0usize, 0usize);
    let mut misses = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let doc = read(&name, &bytes, &IntakeLimits::default()).unwrap();
        let fields = extract(&doc, None, false).view(Disclosure::Clear);
        let got = |key: &str| fields.get(key).cloned().unwrap_or(Value::Null);
        let want = expected(&path);
        let mut score = |field: &str, ok: bool, shown: Value| {
            total += 1;
            if ok {
                right += 1;
            } else {
                misses.push(format!("{name}: {field} got {shown}"));
            }
        };
        if let Some(issuer) = &want.issuer {
            let found = got("issuer");
            let ok = found.as_str().is_some_and(|f| issuer_matches(issuer, f));
            score("issuer", ok, found);
        }
        if let Some(amount) = want.amount {
            let found = got("total_amount");
            let ok = found.as_f64().is_some_and(|f| (f - amount).abs() < 0.005);
            score("amount", ok, found);
        }
        if let Some(date) = &want.date {
            let found = got("invoice_date");
            score("date", found.as_str() == Some(date.as_str()), found);
        }
        if let Some(number) = &want.invoice_number {
            let found = got("invoice_number");
            let ok = found
                .as_str()
                .is_some_and(|f| number_key(f) == number_key(number));
            score("invoice_number", ok, found);
        }
        if let Some(currency) = &want.currency {
            let found = got("currency");
            score("currency", found.as_str() == Some(currency.as_str()), found);
        }
    }
    let accuracy = right as f64 / total as f64;
    println!("invoice fields: {right}/{total} = {accuracy:.3}; misses: {misses:#?}");
    assert!(
        accuracy >= MIN_ACCURACY,
        "{right}/{total} fields right ({accuracy:.3}); misses: {misses:#?}"
    );
}

#[test]
fn issuer_comparison_is_strict_enough() {
    assert!(issuer_matches(
        "Amazon Web Services",
        "Amazon Web Services, Inc."
    ));
    assert!(issuer_matches(
        "Polski Koncern Naftowy ORLEN spółka akcyjna",
        "Polski Koncern Naftowy ORLEN S.A."
    ));
    assert!(!issuer_matches("Flipkart", "WS Retail Services Pvt. Ltd."));
    assert!(!issuer_matches("Coolblue B.V.", "B.V."));
}
