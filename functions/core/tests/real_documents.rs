//! Intake and classification of real documents.
//!
//! Fixtures in `tests/fixtures/documents/`:
//! * `invoices/`: vendor invoices from invoice-x/invoice2data (tests/compare, MIT), each with
//!   invoice2data's expected fields (`<name>.json`). Their text layer must be read, the document
//!   classified as an invoice, and the expected invoice number and total found in the text.
//! * `tax-forms/`: blank IRS forms W-9 and 1040 (US government work, public domain), which must
//!   be read and classified as tax forms.
//!
//! Every file of both folders is a case, so a fixture added later is tested too.

use std::path::{Path, PathBuf};

use compliance_core::classify::{classify, Classification, DocType};
use compliance_core::intake::{read, DocumentText, Format, IntakeLimits};
use serde::Deserialize;

/// Documents that are known not to get their expected type, with the reason. Each must still
/// fail: when the classifier learns them, the test says so and the entry has to be removed.
const KNOWN_MISCLASSIFIED: &[(&str, &str)] = &[];

/// Form-specific signals the IRS forms must produce, beyond the type.
const TAX_FORM_SIGNALS: &[(&str, &str)] = &[
    ("fw9.pdf", "keyword:form w-9"),
    ("f1040.pdf", "keyword:form 1040"),
];

/// Fewer cases than this means the fixtures were not found or not read as intended.
const MIN_INVOICES: usize = 5;
const MIN_TAX_FORMS: usize = 2;
/// Alphanumeric characters a real one-page document has at the very least.
const MIN_ALNUM_CHARS: usize = 200;

/// The fields of invoice2data's expectations that this test uses.
#[derive(Debug, Deserialize)]
struct Expected {
    #[serde(default)]
    invoice_number: Option<String>,
    #[serde(default)]
    amount: Option<f64>,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents")
}

/// The documents of a folder (everything but the `.json` expectations), sorted.
fn documents(folder: &str) -> Vec<PathBuf> {
    let dir = fixtures().join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e == "pdf" || e == "txt")
        })
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("UTF-8 file name")
        .to_string()
}

fn expectations(path: &Path) -> Expected {
    let json = path.with_extension("json");
    let raw = std::fs::read_to_string(&json)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", json.display()));
    let mut list: Vec<Expected> = serde_json::from_str(&raw)
        .unwrap_or_else(|e| panic!("{}: unexpected shape: {e}", json.display()));
    assert_eq!(list.len(), 1, "{}: expected one invoice", json.display());
    list.remove(0)
}

fn without_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// How an amount may be printed: `4904.94`, `4,904.94`, `4904,94`, `4.904,94`, and for whole
/// amounts also `1939`. Compared with whitespace removed, so `4 904,94` is covered too.
fn amount_renderings(amount: f64) -> Vec<String> {
    let cents = (amount * 100.0).round() as i64;
    let (whole, frac) = (cents / 100, cents % 100);
    let grouped = |sep: char| {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        out
    };
    let mut renderings = vec![
        format!("{whole}.{frac:02}"),
        format!("{whole},{frac:02}"),
        format!("{}.{frac:02}", grouped(',')),
        format!("{},{frac:02}", grouped('.')),
    ];
    if frac == 0 {
        renderings.push(whole.to_string());
    }
    renderings.dedup();
    renderings
}

struct Outcome {
    name: String,
    expected: DocType,
    classification: Classification,
}

fn read_document(path: &Path, failures: &mut Vec<String>) -> Option<DocumentText> {
    let name = file_name(path);
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    let doc = match read(&name, &bytes, &IntakeLimits::default()) {
        Ok(doc) => doc,
        Err(e) => {
            failures.push(format!("{name}: intake failed: {e} ({e:?})"));
            return None;
        }
    };
    let alnum = doc.text.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum < MIN_ALNUM_CHARS {
        failures.push(format!(
            "{name}: only {alnum} alphanumeric characters extracted"
        ));
    }
    if doc.truncated {
        failures.push(format!("{name}: text truncated"));
    }
    let is_pdf = name.ends_with(".pdf");
    if is_pdf && (doc.format != Format::Pdf || doc.pages.is_none_or(|p| p < 1)) {
        failures.push(format!(
            "{name}: read as {:?} with pages {:?}",
            doc.format, doc.pages
        ));
    }
    Some(doc)
}

/// Checks the type, honouring KNOWN_MISCLASSIFIED.
fn check_type(outcome: &Outcome, failures: &mut Vec<String>) {
    let known = KNOWN_MISCLASSIFIED
        .iter()
        .find(|(n, _)| *n == outcome.name)
        .map(|(_, why)| *why);
    let got = outcome.classification.doc_type;
    match (got == outcome.expected, known) {
        (true, None) => {}
        (true, Some(_)) => failures.push(format!(
            "{}: listed in KNOWN_MISCLASSIFIED but now classified as {got}; remove it",
            outcome.name
        )),
        (false, Some(why)) => println!(
            "known misclassification: {} -> {got} (signals {:?}): {why}",
            outcome.name, outcome.classification.signals
        ),
        (false, None) => failures.push(format!(
            "{}: classified as {got} (confidence {}, signals {:?}), expected {}",
            outcome.name,
            outcome.classification.confidence,
            outcome.classification.signals,
            outcome.expected
        )),
    }
}

fn report(outcomes: &[Outcome]) {
    for o in outcomes {
        println!(
            "{:<28} expected {:<8} got {:<8} confidence {:.2} signals {:?}",
            o.name,
            o.expected.as_str(),
            o.classification.doc_type.as_str(),
            o.classification.confidence,
            o.classification.signals
        );
    }
}

#[test]
fn invoices_are_read_and_classified() {
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    let mut pdfs = 0;
    let mut field_checks = 0;

    for path in documents("invoices") {
        let name = file_name(&path);
        let Some(doc) = read_document(&path, &mut failures) else {
            continue;
        };
        if name.ends_with(".pdf") {
            pdfs += 1;
        }
        let outcome = Outcome {
            name: name.clone(),
            expected: DocType::Invoice,
            classification: classify(&doc, None),
        };
        check_type(&outcome, &mut failures);
        outcomes.push(outcome);

        // invoice2data's expected fields, found in the extracted text: proof that the text
        // layer (and not just some text) was read.
        let expected = expectations(&path);
        let text = without_whitespace(&doc.text);
        // A one- or two-character "number" (Orlen's template keeps only `F`) proves nothing.
        if let Some(number) = expected.invoice_number.filter(|n| n.trim().len() >= 3) {
            if !text.contains(&without_whitespace(&number)) {
                failures.push(format!("{name}: invoice number {number:?} not in the text"));
            }
            field_checks += 1;
        }
        if let Some(amount) = expected.amount {
            let renderings = amount_renderings(amount);
            if !renderings.iter().any(|r| text.contains(r.as_str())) {
                failures.push(format!(
                    "{name}: amount {amount} not in the text as any of {renderings:?}"
                ));
            }
            field_checks += 1;
        }
    }

    report(&outcomes);
    println!(
        "invoices: {} documents ({pdfs} PDF), {field_checks} field checks, {} known misclassified",
        outcomes.len(),
        KNOWN_MISCLASSIFIED.len()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(pdfs >= MIN_INVOICES, "only {pdfs} invoice PDFs exercised");
    assert!(
        field_checks >= 2 * MIN_INVOICES,
        "only {field_checks} field checks"
    );
}

#[test]
fn irs_forms_are_read_and_classified() {
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();

    for path in documents("tax-forms") {
        let name = file_name(&path);
        let Some(doc) = read_document(&path, &mut failures) else {
            continue;
        };
        let outcome = Outcome {
            name: name.clone(),
            expected: DocType::TaxForm,
            classification: classify(&doc, None),
        };
        check_type(&outcome, &mut failures);
        if let Some((_, signal)) = TAX_FORM_SIGNALS.iter().find(|(n, _)| *n == name) {
            if !outcome.classification.signals.iter().any(|s| s == signal) {
                failures.push(format!(
                    "{name}: signal {signal:?} missing from {:?}",
                    outcome.classification.signals
                ));
            }
        }
        outcomes.push(outcome);
    }

    report(&outcomes);
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        outcomes.len() >= MIN_TAX_FORMS,
        "only {} tax forms exercised",
        outcomes.len()
    );
    for (name, _) in TAX_FORM_SIGNALS {
        assert!(
            outcomes.iter().any(|o| o.name == *name),
            "{name} is missing from the fixtures"
        );
    }
}

#[test]
fn amount_renderings_cover_both_conventions() {
    let r = amount_renderings(4904.94);
    for s in ["4904.94", "4904,94", "4,904.94", "4.904,94"] {
        assert!(r.contains(&s.to_string()), "{s} missing from {r:?}");
    }
    assert!(amount_renderings(1939.0).contains(&"1939".to_string()));
    assert!(!amount_renderings(4.11).contains(&"4".to_string()));
}
