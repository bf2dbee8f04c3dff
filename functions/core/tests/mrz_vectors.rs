//! ICAO 9303 MRZ check digits against real, third-party test vectors.
//!
//! Fixture: `tests/fixtures/mrz/mrz_cases.json`, harvested from the MIT-licensed test suites of
//! cheminfo/mrz, konstantint/PassportEye and ZeroPass/dmrtd (licences next to the fixture).
//! Its `icao_check_digits` were computed by the harvester independently of this crate, with the
//! plain ICAO 9303 part 3 rule (weights 7-3-1, `<` = 0), so they are an oracle for
//! `mrz::parse_lines`, `mrz::find` and `mrz::check_digit`.
//!
//! Every mismatch is collected and reported at once, with the case id, before the test fails.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use compliance_core::mrz::{check_digit, find, parse_lines, Mrz};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Fixture {
    cases: Vec<Case>,
    check_digit_vectors: Vec<CheckDigitVector>,
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    format: String,
    lines: Vec<String>,
    #[serde(default)]
    icao_check_digits: BTreeMap<String, bool>,
    all_check_digits_ok: Option<bool>,
    #[serde(default)]
    ocr_noisy_variant: bool,
}

#[derive(Debug, Deserialize)]
struct CheckDigitVector {
    input: String,
    expected_check_digit: String,
    source: String,
    verified: bool,
}

/// Below these counts the fixture was not read as intended and the test would prove nothing.
const MIN_MRZ_CASES: usize = 20;
const MIN_CHECK_DIGIT_VECTORS: usize = 15;

/// The fields whose check digits the fixture states.
const FIELDS: [&str; 5] = [
    "document_number",
    "birth_date",
    "expiry_date",
    "composite",
    "personal_number",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date")
}

fn fixture() -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mrz/mrz_cases.json");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&raw).expect("mrz_cases.json has the expected shape")
}

fn is_icao_case(case: &Case) -> bool {
    matches!(case.format.as_str(), "TD1" | "TD2" | "TD3") && !case.icao_check_digits.is_empty()
}

/// Compares one parsed MRZ with the expected check digits of `case`; `via` names the entry point
/// (`parse_lines` or `find`) in the messages.
fn compare(case: &Case, mrz: &Mrz, via: &str, mismatches: &mut Vec<String>) {
    if mrz.format.name() != case.format {
        mismatches.push(format!(
            "{} [{via}]: parsed as {}, expected {}",
            case.id,
            mrz.format.name(),
            case.format
        ));
    }
    for (field, expected) in &case.icao_check_digits {
        assert!(
            FIELDS.contains(&field.as_str()),
            "{}: unknown field {field:?} in the fixture",
            case.id
        );
        match mrz.check_digits.iter().find(|c| c.field == field) {
            Some(ours) if ours.ok == *expected => {}
            Some(ours) => mismatches.push(format!(
                "{} [{via}]: check digit {field}: ours ok={}, expected ok={expected}",
                case.id, ours.ok
            )),
            None => mismatches.push(format!(
                "{} [{via}]: no check digit named {field} (ours: {:?})",
                case.id,
                mrz.check_digits.iter().map(|c| c.field).collect::<Vec<_>>()
            )),
        }
    }
    if let Some(expected) = case.all_check_digits_ok {
        if mrz.all_check_digits_ok() != expected {
            mismatches.push(format!(
                "{} [{via}]: all_check_digits_ok: ours {}, expected {expected} (failed: {:?})",
                case.id,
                mrz.all_check_digits_ok(),
                mrz.failed_check_digits()
            ));
        }
    }
}

#[test]
fn icao_check_digits_of_td1_td2_td3_cases() {
    let fixture = fixture();
    let mut exercised = 0;
    let mut per_format: BTreeMap<&str, usize> = BTreeMap::new();
    let mut mismatches = Vec::new();

    for case in fixture.cases.iter().filter(|c| is_icao_case(c)) {
        let lines: Vec<&str> = case.lines.iter().map(String::as_str).collect();
        let Some(mrz) = parse_lines(&lines, today()) else {
            mismatches.push(format!(
                "{}: parse_lines returned None for {} lines {:?}",
                case.id, case.format, case.lines
            ));
            continue;
        };
        compare(case, &mrz, "parse_lines", &mut mismatches);
        exercised += 1;
        *per_format.entry(mrz.format.name()).or_default() += 1;
    }

    println!(
        "MRZ cases exercised: {exercised} (per format: {per_format:?}); mismatches: {}",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} MRZ mismatch(es):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        exercised >= MIN_MRZ_CASES,
        "only {exercised} MRZ cases exercised, expected at least {MIN_MRZ_CASES}"
    );
    for format in ["TD1", "TD2", "TD3"] {
        assert!(
            per_format.get(format).copied().unwrap_or(0) >= 3,
            "too few {format} cases exercised: {per_format:?}"
        );
    }
}

/// Cases that `mrz::find` is known to miss, with the reason. Each one still has to fail: when
/// `find` is fixed the test says so, and the entry must be removed.
///
/// `find` only accepts a line as MRZ when it contains at least one `<` (`is_mrz_line` in
/// src/mrz.rs), but ICAO 9303 lets the optional-data / personal-number field fill a line
/// completely, so a genuine MRZ line can have no filler at all. `parse_lines` handles both.
const KNOWN_FIND_FAILURES: &[(&str, &str)] = &[];

/// The same cases found in free text (as after OCR or PDF extraction) give the same verdicts.
#[test]
fn icao_cases_are_found_in_surrounding_text() {
    let fixture = fixture();
    let mut exercised = 0;
    let mut mismatches = Vec::new();
    let mut known_failures_that_pass = Vec::new();

    for case in fixture.cases.iter().filter(|c| is_icao_case(c)) {
        let text = format!(
            "Identity document scan, page 1\nHolder signature: ________\n{}\nEnd of document\n",
            case.lines.join("\n")
        );
        let known = KNOWN_FIND_FAILURES.iter().any(|(id, _)| *id == case.id);
        let mut case_mismatches = Vec::new();
        match find(&text, today()) {
            Some(mrz) => compare(case, &mrz, "find", &mut case_mismatches),
            None => case_mismatches.push(format!(
                "{} [find]: no MRZ found in text around {:?}",
                case.id, case.lines
            )),
        }
        match (known, case_mismatches.is_empty()) {
            (true, true) => known_failures_that_pass.push(case.id.clone()),
            (true, false) => {
                println!("known failure (see KNOWN_FIND_FAILURES): {case_mismatches:?}")
            }
            (false, _) => mismatches.extend(case_mismatches),
        }
        exercised += 1;
    }

    println!(
        "MRZ cases exercised through find: {exercised} ({} known failures); mismatches: {}",
        KNOWN_FIND_FAILURES.len(),
        mismatches.len()
    );
    assert!(
        known_failures_that_pass.is_empty(),
        "these cases are listed in KNOWN_FIND_FAILURES but now pass; remove them: {known_failures_that_pass:?}"
    );
    assert!(
        mismatches.is_empty(),
        "{} MRZ mismatch(es) through find:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        exercised >= MIN_MRZ_CASES,
        "only {exercised} cases exercised"
    );
}

/// OCR-noisy variants (O/0, I/1, S/5, B/8 swaps) must not pass as fully valid: the check digits
/// are what catches them.
#[test]
fn ocr_noisy_variants_fail_some_check_digit() {
    let fixture = fixture();
    let noisy: Vec<&Case> = fixture
        .cases
        .iter()
        .filter(|c| is_icao_case(c) && c.ocr_noisy_variant)
        .collect();
    assert!(!noisy.is_empty(), "the fixture has no OCR-noisy ICAO case");
    for case in noisy {
        let lines: Vec<&str> = case.lines.iter().map(String::as_str).collect();
        let mrz = parse_lines(&lines, today())
            .unwrap_or_else(|| panic!("{}: parse_lines returned None", case.id));
        assert!(
            !mrz.all_check_digits_ok(),
            "{}: OCR-noisy MRZ passed every check digit",
            case.id
        );
    }
}

#[test]
fn verified_check_digit_vectors() {
    let fixture = fixture();
    let mut exercised = 0;
    let mut mismatches = Vec::new();

    for v in fixture.check_digit_vectors.iter().filter(|v| v.verified) {
        let expected = v.expected_check_digit.as_bytes();
        assert_eq!(expected.len(), 1, "bad expected digit in {v:?}");
        let ours = check_digit(&v.input);
        if ours != Some(expected[0]) {
            mismatches.push(format!(
                "check_digit({:?}) = {:?}, expected {:?} (source: {})",
                v.input,
                ours.map(char::from),
                v.expected_check_digit,
                v.source
            ));
        }
        exercised += 1;
    }

    println!(
        "check-digit vectors exercised: {exercised}; mismatches: {}",
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} check-digit mismatch(es):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        exercised >= MIN_CHECK_DIGIT_VECTORS,
        "only {exercised} check-digit vectors exercised, expected at least {MIN_CHECK_DIGIT_VECTORS}"
    );
}

#[test]
fn check_digit_rejects_characters_outside_the_mrz_set() {
    assert_eq!(check_digit("L898902C3"), Some(b'6'));
    assert_eq!(check_digit("l898902c3"), None);
    assert_eq!(check_digit("AB 123"), None);
    assert_eq!(check_digit(""), Some(b'0'));
}
