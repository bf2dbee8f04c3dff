//! Measuring classification and extraction against a labelled corpus (`compliance eval`).
//!
//! Pure: the caller reads the label file and runs the pipeline; this module parses the labels,
//! compares, and counts. A label gives a document's expected `doc_type` and the subset of the
//! clear extracted fields (`Fields::view(Disclosure::Clear)`) it should produce; fields not
//! labelled are not judged.
//!
//! Comparison rules, by the field's key (also for keys nested in objects):
//! - strings: equal after Unicode NFKC, lower-casing (as case folding) and collapsing whitespace;
//!   ISO dates (`invoice_date`, `date_of_birth`, ...) therefore compare exactly;
//! - `issuer`: the names match when, after dropping punctuation and legal forms (Inc, Ltd,
//!   GmbH, S.A., B.V., sp. z o.o., ...), every word of one is in the other, or at least half of
//!   the words of the longer one are shared;
//! - `names`: the same words in any order ("Anna Maria Eriksson" = "ERIKSSON ANNA MARIA");
//! - `addresses`: punctuation ignored, and one address may contain the other (a bill may add a
//!   country, a label may leave out a flat number);
//! - identifiers (`ibans`, `bics`, `leis`, `card_numbers`, `vat_ids`, `document_number`,
//!   `invoice_number`): spaces and a leading `#` ignored, otherwise exact (case-insensitive);
//! - numbers: within 0.01 (a number written as a string is read as one);
//! - booleans and null: exact (a labelled null also matches a missing key);
//! - lists: every labelled item is among the extracted items (extra items are not misses);
//! - objects: each labelled key compared by these rules, recursively.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use crate::screening::normalize::LEGAL_FORMS;

/// The invoice fields the issue's target is measured on.
pub const INVOICE_FIELDS: [&str; 5] = [
    "issuer",
    "total_amount",
    "invoice_date",
    "invoice_number",
    "currency",
];

/// The most documents one label file may list: bounds the work of one run.
pub const MAX_LABELLED_DOCUMENTS: usize = 10_000;

/// The longest expected or extracted value shown in a miss, in characters.
const MAX_SHOWN_CHARS: usize = 80;

const NUMBER_TOLERANCE: f64 = 0.01;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EvalError {
    #[error("the label file is not valid JSON: {0}")]
    Json(String),
    #[error("the label file must be an object with a `documents` object (path -> label)")]
    Shape,
    #[error("label of {document}: {problem}")]
    Label { document: String, problem: String },
    #[error("the label file lists {0} documents; at most {MAX_LABELLED_DOCUMENTS} are read")]
    TooMany(usize),
}

/// One labelled document, as read from the label file.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Path relative to the corpus folder, with `/` separators, never absolute or with `..`.
    pub document: String,
    pub doc_type: String,
    pub fields: Map<String, Value>,
    /// A file (relative to the corpus) of invoice2data's expected JSON whose invoice fields
    /// are the labels of this document: see [`invoice_fields_from_expected`].
    pub expected_json: Option<String>,
}

/// Reads a label file: `{"documents": {"path": {"doc_type": .., "fields": {..}}, ..}}`.
/// Unknown doc types are the caller's to check (it knows the classifier's vocabulary).
pub fn parse_labels(json: &str) -> Result<Vec<Label>, EvalError> {
    let root: Value = serde_json::from_str(json).map_err(|e| EvalError::Json(e.to_string()))?;
    let documents = root
        .get("documents")
        .and_then(Value::as_object)
        .ok_or(EvalError::Shape)?;
    if documents.len() > MAX_LABELLED_DOCUMENTS {
        return Err(EvalError::TooMany(documents.len()));
    }
    let mut labels = Vec::with_capacity(documents.len());
    for (document, label) in documents {
        let problem = |problem: &str| EvalError::Label {
            document: document.clone(),
            problem: problem.to_string(),
        };
        check_relative_path(document).map_err(|p| problem(&p))?;
        let doc_type = label
            .get("doc_type")
            .and_then(Value::as_str)
            .ok_or_else(|| problem("`doc_type` must be a string"))?;
        let fields = match label.get("fields") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(fields)) => fields.clone(),
            Some(_) => return Err(problem("`fields` must be an object")),
        };
        let expected_json = match label.get("expected_json") {
            None | Some(Value::Null) => None,
            Some(Value::String(path)) => {
                check_relative_path(path).map_err(|p| problem(&format!("expected_json: {p}")))?;
                Some(path.clone())
            }
            Some(_) => return Err(problem("`expected_json` must be a path")),
        };
        labels.push(Label {
            document: document.clone(),
            doc_type: doc_type.to_string(),
            fields,
            expected_json,
        });
    }
    Ok(labels)
}

/// A corpus path must stay inside the corpus folder.
fn check_relative_path(path: &str) -> Result<(), String> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.starts_with('\\')
        || path.contains(':')
        || path.split(['/', '\\']).any(|part| part == "..");
    if bad {
        Err(format!(
            "`{path}` must be a relative path inside the corpus"
        ))
    } else {
        Ok(())
    }
}

/// The labels of a real invoice from invoice2data's expected JSON (an object, or an array
/// holding one): `issuer`, `amount` as `total_amount`, `date` as `invoice_date`,
/// `invoice_number` and `currency`. An invoice number shorter than three characters is left
/// out: invoice2data's Orlen template keeps only the `F` of `F 1234K20/1234/12`, which no
/// reader of the document would call its number.
pub fn invoice_fields_from_expected(expected: &Value) -> Map<String, Value> {
    let expected = match expected {
        Value::Array(items) => items.first().unwrap_or(&Value::Null),
        other => other,
    };
    let mut fields = Map::new();
    let renames = [
        ("issuer", "issuer"),
        ("amount", "total_amount"),
        ("date", "invoice_date"),
        ("invoice_number", "invoice_number"),
        ("currency", "currency"),
    ];
    for (from, to) in renames {
        let Some(value) = expected.get(from) else {
            continue;
        };
        if from == "invoice_number" && value.as_str().is_none_or(|n| n.trim().chars().count() < 3) {
            continue;
        }
        if !value.is_null() {
            fields.insert(to.to_string(), value.clone());
        }
    }
    fields
}

/// One document's expectation and what the pipeline made of it.
#[derive(Debug, Clone)]
pub struct Case {
    pub document: String,
    pub expected_type: String,
    pub expected_fields: Map<String, Value>,
    /// The classifier's type, or a marker such as `(unreadable)` when nothing was read.
    pub got_type: String,
    pub got_fields: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub total: usize,
    pub correct: usize,
    /// correct / total; 1.0 when nothing was measured.
    pub accuracy: f64,
}

impl Score {
    fn count(&mut self, ok: bool) {
        self.total += 1;
        if ok {
            self.correct += 1;
        }
        self.accuracy = self.correct as f64 / self.total as f64;
    }
}

impl Default for Score {
    /// Nothing measured: nothing wrong either.
    fn default() -> Score {
        Score {
            total: 0,
            correct: 0,
            accuracy: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeScore {
    #[serde(flatten)]
    pub score: Score,
    /// What the documents of this type that were classified wrongly became, and how many.
    pub confused_as: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub document: String,
    /// `doc_type`, or the top-level field key.
    pub field: String,
    /// Where inside the field the first difference is (`totals.EUR`, `[0]`), empty at the top.
    pub path: String,
    /// The labelled value, shortened for display.
    pub expected: String,
    /// The extracted value, shortened for display; `(missing)` when not extracted.
    pub got: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub documents: usize,
    pub classification: Score,
    pub per_type: BTreeMap<String, TypeScore>,
    pub per_field: BTreeMap<String, Score>,
    /// The [`INVOICE_FIELDS`] of the documents labelled `invoice`, counted together.
    pub invoice_fields: Score,
    pub misses: Vec<Miss>,
}

/// Compares every case and counts: classification per type (with what the wrong ones became),
/// each labelled field, and the invoice fields together.
pub fn evaluate(cases: &[Case]) -> Report {
    let mut classification = Score::default();
    let mut per_type: BTreeMap<String, TypeScore> = BTreeMap::new();
    let mut per_field: BTreeMap<String, Score> = BTreeMap::new();
    let mut invoice_fields = Score::default();
    let mut misses = Vec::new();
    for case in cases {
        let type_ok = case.got_type == case.expected_type;
        classification.count(type_ok);
        let entry = per_type
            .entry(case.expected_type.clone())
            .or_insert_with(|| TypeScore {
                score: Score::default(),
                confused_as: BTreeMap::new(),
            });
        entry.score.count(type_ok);
        if !type_ok {
            *entry.confused_as.entry(case.got_type.clone()).or_default() += 1;
            misses.push(Miss {
                document: case.document.clone(),
                field: "doc_type".into(),
                path: String::new(),
                expected: case.expected_type.clone(),
                got: case.got_type.clone(),
            });
        }
        for (key, expected) in &case.expected_fields {
            let got = case.got_fields.get(key);
            let outcome = compare(key, expected, got);
            per_field
                .entry(key.clone())
                .or_default()
                .count(outcome.is_ok());
            if case.expected_type == "invoice" && INVOICE_FIELDS.contains(&key.as_str()) {
                invoice_fields.count(outcome.is_ok());
            }
            if let Err(difference) = outcome {
                misses.push(Miss {
                    document: case.document.clone(),
                    field: key.clone(),
                    path: difference.path,
                    expected: shown(Some(&difference.expected)),
                    got: shown(difference.got.as_ref()),
                });
            }
        }
    }
    Report {
        documents: cases.len(),
        classification,
        per_type,
        per_field,
        invoice_fields,
        misses,
    }
}

fn shown(value: Option<&Value>) -> String {
    let text = match value {
        None => return "(missing)".to_string(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > MAX_SHOWN_CHARS {
        let cut: String = text.chars().take(MAX_SHOWN_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Where a labelled value and the extracted one first differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub path: String,
    pub expected: Value,
    pub got: Option<Value>,
}

/// Compares a labelled value with the extracted one (`None`: not extracted) under the rules
/// of the module documentation, `key` choosing the rule.
pub fn compare(key: &str, expected: &Value, got: Option<&Value>) -> Result<(), Difference> {
    let differ = |path: String| Difference {
        path,
        expected: expected.clone(),
        got: got.cloned(),
    };
    match (expected, got) {
        (Value::Null, None | Some(Value::Null)) => Ok(()),
        (_, None) => Err(differ(String::new())),
        (Value::Object(labelled), Some(Value::Object(extracted))) => {
            for (sub_key, sub_expected) in labelled {
                if let Err(inner) = compare(sub_key, sub_expected, extracted.get(sub_key)) {
                    return Err(Difference {
                        path: join_path(sub_key, &inner.path),
                        ..inner
                    });
                }
            }
            Ok(())
        }
        (Value::Object(_), Some(_)) => Err(differ(String::new())),
        (Value::Array(labelled), Some(got_value)) => {
            // A single extracted value stands for a list of one.
            let extracted: Vec<&Value> = match got_value {
                Value::Array(items) => items.iter().collect(),
                single => vec![single],
            };
            for (index, item) in labelled.iter().enumerate() {
                if !extracted.iter().any(|e| scalar_matches(key, item, e)) {
                    return Err(Difference {
                        path: format!("[{index}]"),
                        expected: item.clone(),
                        got: Some(got_value.clone()),
                    });
                }
            }
            Ok(())
        }
        (labelled, Some(extracted)) => {
            if scalar_matches(key, labelled, extracted) {
                Ok(())
            } else {
                Err(differ(String::new()))
            }
        }
    }
}

fn join_path(key: &str, inner: &str) -> String {
    if inner.is_empty() {
        key.to_string()
    } else if inner.starts_with('[') {
        format!("{key}{inner}")
    } else {
        format!("{key}.{inner}")
    }
}

fn scalar_matches(key: &str, expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::Number(e), _) => {
            let got = match got {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            matches!((e.as_f64(), got), (Some(e), Some(g)) if (e - g).abs() <= NUMBER_TOLERANCE + 1e-9)
        }
        (Value::String(e), Value::String(g)) => match key {
            "issuer" => issuer_matches(e, g),
            "names" => person_name_matches(e, g),
            "addresses" => address_matches(e, g),
            "ibans" | "bics" | "leis" | "card_numbers" | "vat_ids" | "document_number"
            | "invoice_number" => identifier(e) == identifier(g),
            _ => normalise(e) == normalise(g),
        },
        (Value::Bool(e), Value::Bool(g)) => e == g,
        (Value::Null, Value::Null) => true,
        // Objects and lists inside lists: compared whole by the recursive rules, which only
        // come back here one level deeper in `expected`, so the recursion ends.
        (Value::Object(_) | Value::Array(_), _) => compare(key, expected, Some(got)).is_ok(),
        _ => false,
    }
}

/// NFKC, lower case, whitespace collapsed to single spaces.
pub fn normalise(text: &str) -> String {
    let folded: String = text.nfkc().collect::<String>().to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn identifier(text: &str) -> String {
    let compact: String = normalise(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    compact.trim_start_matches('#').to_string()
}

/// Words of a name or address: normalised, `.` and `'` dropped (so `S.A.` is `sa`), other
/// punctuation a word break.
fn words(text: &str) -> Vec<String> {
    let cleaned: String = normalise(text)
        .chars()
        .filter(|c| *c != '.' && *c != '\'' && *c != '’')
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().map(str::to_string).collect()
}

/// Legal-form words of invoices that screening's list ([`LEGAL_FORMS`]) does not hold.
const INVOICE_LEGAL_FORMS: &[&str] =
    &["pvt", "ohg", "slu", "oo", "spółka", "akcyjna", "kft", "sro"];

fn is_legal_form(word: &str) -> bool {
    LEGAL_FORMS.contains(&word) || INVOICE_LEGAL_FORMS.contains(&word)
}

pub fn issuer_matches(expected: &str, got: &str) -> bool {
    let significant = |text: &str| -> Vec<String> {
        let all = words(text);
        let kept: Vec<String> = all.iter().filter(|w| !is_legal_form(w)).cloned().collect();
        // A name that is only a legal form ("AG") keeps its words.
        if kept.is_empty() {
            all
        } else {
            kept
        }
    };
    let a = significant(expected);
    let b = significant(got);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let shared = short.iter().filter(|w| long.contains(w)).count();
    shared == short.len() || shared * 2 >= long.len()
}

fn person_name_matches(expected: &str, got: &str) -> bool {
    let mut a = words(expected);
    let mut b = words(got);
    a.sort();
    b.sort();
    !a.is_empty() && a == b
}

fn address_matches(expected: &str, got: &str) -> bool {
    let a = words(expected).join(" ");
    let b = words(got).join(" ");
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same(key: &str, expected: Value, got: Value) -> bool {
        compare(key, &expected, Some(&got)).is_ok()
    }

    #[test]
    fn strings_compare_after_nfkc_case_folding_and_whitespace() {
        assert!(same("nationality", json!("Française"), json!("FRANÇAISE")));
        // NFKC: full-width letters and the ligature are their plain forms.
        assert!(same("currency", json!("EUR"), json!("ＥＵＲ")));
        assert!(same(
            "purpose",
            json!("ﬁnance  offers"),
            json!("Finance offers")
        ));
        assert!(same("purpose", json!("a b"), json!("  a\n\tb ")));
        assert!(!same("nationality", json!("Française"), json!("Francaise")));
        assert!(!same("currency", json!("EUR"), json!("USD")));
    }

    #[test]
    fn dates_are_exact() {
        assert!(same(
            "invoice_date",
            json!("2014-08-03"),
            json!("2014-08-03")
        ));
        assert!(!same(
            "invoice_date",
            json!("2014-08-03"),
            json!("2014-03-08")
        ));
        assert!(!same(
            "invoice_date",
            json!("2014-08-03"),
            json!("03/08/2014")
        ));
    }

    #[test]
    fn numbers_match_within_a_cent() {
        assert!(same("total_amount", json!(4904.94), json!(4904.94)));
        assert!(same("total_amount", json!(4904.94), json!(4904.945)));
        assert!(same("total_amount", json!(319), json!(319.0)));
        assert!(same("total_amount", json!(316.83), json!("316.83")));
        assert!(!same("total_amount", json!(316.83), json!(316.85)));
        assert!(!same("total_amount", json!(316.83), json!("316,83 PLN")));
        assert!(!same("total_amount", json!(316.83), json!(null)));
    }

    #[test]
    fn issuer_ignores_legal_forms_and_accepts_containment() {
        assert!(issuer_matches(
            "Amazon Web Services",
            "Amazon Web Services, Inc."
        ));
        assert!(issuer_matches("Coolblue B.V.", "Coolblue"));
        assert!(issuer_matches("OYO", "OYO Rooms"));
        assert!(issuer_matches(
            "Polski Koncern Naftowy ORLEN spółka akcyjna",
            "Polski Koncern Naftowy ORLEN S.A."
        ));
        assert!(issuer_matches("Kestrel Sp. z o.o.", "KESTREL"));
        assert!(issuer_matches(
            "Sammy Maystone - For Lines testing",
            "Sammy Maystone"
        ));
        assert!(!issuer_matches("Amazon Web Services", "Flipkart"));
        assert!(!issuer_matches(
            "Holzwerk Brandt GmbH",
            "Brandt Logistik GmbH Berlin"
        ));
        assert!(!issuer_matches("Coolblue B.V.", ""));
        assert!(!issuer_matches("Coolblue B.V.", "B.V."));
    }

    #[test]
    fn names_match_in_any_word_order() {
        assert!(same(
            "names",
            json!(["Anna Maria Eriksson"]),
            json!(["ERIKSSON ANNA MARIA", "Other Person"])
        ));
        assert!(!same(
            "names",
            json!(["Anna Maria Eriksson"]),
            json!(["Anna Eriksson"])
        ));
    }

    #[test]
    fn addresses_ignore_punctuation_and_may_contain_each_other() {
        assert!(same(
            "addresses",
            json!(["Gartenstraße 17, 04179 Leipzig"]),
            json!(["Gartenstraße 17 04179 Leipzig Germany"])
        ));
        assert!(!same(
            "addresses",
            json!(["Gartenstraße 17, 04179 Leipzig"]),
            json!(["Gartenstraße 71, 04179 Leipzig"])
        ));
    }

    #[test]
    fn identifiers_ignore_spaces_and_a_leading_hash() {
        assert!(same(
            "ibans",
            json!(["GB29NWBK60161331926819"]),
            json!(["GB29 NWBK 6016 1331 9268 19"])
        ));
        assert!(same(
            "invoice_number",
            json!("#BLR_WFLD20151000982590"),
            json!("BLR_WFLD20151000982590")
        ));
        assert!(!same(
            "invoice_number",
            json!("KDS-2026-0412"),
            json!("KDS20260412")
        ));
    }

    #[test]
    fn lists_need_every_labelled_item_and_report_the_first_missing() {
        assert!(same("bics", json!(["A", "B"]), json!(["B", "C", "A"])));
        let diff = compare("bics", &json!(["A", "D"]), Some(&json!(["A", "B"])))
            .expect_err("D is not extracted");
        assert_eq!(diff.path, "[1]");
        assert_eq!(diff.expected, json!("D"));
        // One extracted value stands for a list of one.
        assert!(same("vat_ids", json!(["DE123"]), json!("DE123")));
    }

    #[test]
    fn objects_compare_each_labelled_key_recursively() {
        let got = json!({"count": 3, "totals": {"EUR": 10.0, "USD": 2.5}});
        assert!(same("transactions", json!({"count": 3}), got.clone()));
        assert!(same(
            "transactions",
            json!({"totals": {"EUR": 10.004}}),
            got.clone()
        ));
        let diff = compare(
            "transactions",
            &json!({"count": 3, "totals": {"USD": 3.5}}),
            Some(&got),
        )
        .expect_err("USD total differs");
        assert_eq!(diff.path, "totals.USD");
        assert_eq!(diff.got, Some(json!(2.5)));
        // A key inside the object keeps its own rule.
        assert!(same(
            "mrz_agreement",
            json!({"date_of_birth": false}),
            json!({"date_of_birth": false, "surname": true})
        ));
        assert!(!same(
            "mrz_agreement",
            json!({"date_of_birth": false}),
            json!({"date_of_birth": true})
        ));
        assert!(!same("consent", json!({"signed": true}), json!({})));
        assert!(same("consent", json!({"date": null}), json!({})));
    }

    #[test]
    fn missing_fields_and_wrong_shapes_are_misses() {
        assert!(compare("issuer", &json!("OYO"), None).is_err());
        assert!(!same("consent", json!({"given": true}), json!("yes")));
        assert!(!same("mrz", json!({"check_digits_ok": true}), json!(true)));
    }

    fn case(document: &str, expected: &str, got: &str, fields: Value, got_fields: Value) -> Case {
        Case {
            document: document.into(),
            expected_type: expected.into(),
            expected_fields: fields.as_object().cloned().unwrap_or_default(),
            got_type: got.into(),
            got_fields: got_fields.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn evaluate_counts_types_confusions_fields_and_invoice_fields() {
        let cases = vec![
            case(
                "a.pdf",
                "invoice",
                "invoice",
                json!({"issuer": "OYO", "total_amount": 1939.0, "currency": "INR"}),
                json!({"issuer": "OYO Rooms", "total_amount": 1939.0, "currency": "USD"}),
            ),
            case(
                "b.txt",
                "invoice",
                "bank_statement",
                json!({"invoice_date": "2026-10-14", "ibans": ["X1"]}),
                json!({"invoice_date": "2026-10-14", "ibans": ["X1"]}),
            ),
            case("c.txt", "passport", "passport", json!({}), json!({})),
            case("d.txt", "other", "(unreadable)", json!({}), json!({})),
        ];
        let report = evaluate(&cases);
        assert_eq!(report.documents, 4);
        assert_eq!(
            (report.classification.correct, report.classification.total),
            (2, 4)
        );
        assert_eq!(report.classification.accuracy, 0.5);
        let invoice = &report.per_type["invoice"];
        assert_eq!((invoice.score.correct, invoice.score.total), (1, 2));
        assert_eq!(invoice.confused_as.get("bank_statement"), Some(&1));
        assert_eq!(
            report.per_type["other"].confused_as.get("(unreadable)"),
            Some(&1)
        );
        assert_eq!(report.per_field["currency"].correct, 0);
        assert_eq!(report.per_field["issuer"].correct, 1);
        // issuer, total_amount, currency, invoice_date: 3 of 4; ibans is not an invoice field.
        assert_eq!(
            (report.invoice_fields.correct, report.invoice_fields.total),
            (3, 4)
        );
        assert_eq!(report.per_field["ibans"].total, 1);
        let missed: Vec<(&str, &str)> = report
            .misses
            .iter()
            .map(|m| (m.document.as_str(), m.field.as_str()))
            .collect();
        assert_eq!(
            missed,
            vec![
                ("a.pdf", "currency"),
                ("b.txt", "doc_type"),
                ("d.txt", "doc_type")
            ]
        );
        assert_eq!(report.misses[0].expected, "\"INR\"");
        assert_eq!(report.misses[0].got, "\"USD\"");
    }

    #[test]
    fn nothing_measured_is_not_a_failure_of_the_score() {
        let report = evaluate(&[]);
        assert_eq!(report.classification.accuracy, 1.0);
        assert_eq!(report.invoice_fields.total, 0);
    }

    #[test]
    fn labels_parse_and_bad_label_files_are_clear_errors() {
        let labels = parse_labels(
            r#"{"documents": {
                "generated/a.txt": {"doc_type": "passport", "fields": {"nationality": "UTO"}},
                "real/x.pdf": {"doc_type": "invoice", "expected_json": "real/x.json"}
            }}"#,
        )
        .expect("valid labels");
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].fields["nationality"], json!("UTO"));
        assert_eq!(labels[1].expected_json.as_deref(), Some("real/x.json"));

        assert!(matches!(parse_labels("{"), Err(EvalError::Json(_))));
        assert_eq!(parse_labels("[]"), Err(EvalError::Shape));
        let escape = parse_labels(r#"{"documents": {"../secret.txt": {"doc_type": "other"}}}"#);
        assert!(matches!(escape, Err(EvalError::Label { .. })), "{escape:?}");
        let absolute = parse_labels(r#"{"documents": {"/etc/passwd": {"doc_type": "other"}}}"#);
        assert!(matches!(absolute, Err(EvalError::Label { .. })));
        let no_type = parse_labels(r#"{"documents": {"a.txt": {"fields": {}}}}"#);
        assert!(matches!(no_type, Err(EvalError::Label { .. })));
        let bad_fields =
            parse_labels(r#"{"documents": {"a.txt": {"doc_type": "x", "fields": 3}}}"#);
        assert!(matches!(bad_fields, Err(EvalError::Label { .. })));
    }

    #[test]
    fn invoice_labels_come_from_invoice2data_expected_json() {
        let expected = json!([{
            "issuer": "Amazon Web Services",
            "amount": 4.11,
            "date": "2014-08-03",
            "invoice_number": "42183017",
            "currency": "USD",
            "lines": []
        }]);
        let fields = invoice_fields_from_expected(&expected);
        assert_eq!(fields["issuer"], json!("Amazon Web Services"));
        assert_eq!(fields["total_amount"], json!(4.11));
        assert_eq!(fields["invoice_date"], json!("2014-08-03"));
        assert_eq!(fields["invoice_number"], json!("42183017"));
        assert_eq!(fields["currency"], json!("USD"));
        assert_eq!(fields.len(), 5);
        // Orlen's template keeps only "F": not a number anyone would read off the invoice.
        let orlen = invoice_fields_from_expected(&json!({"invoice_number": "F", "amount": 1.0}));
        assert!(!orlen.contains_key("invoice_number"));
        assert_eq!(orlen["total_amount"], json!(1.0));
    }
}
