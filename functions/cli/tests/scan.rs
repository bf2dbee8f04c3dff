//! End-to-end tests of `compliance scan` and `compliance records` over the sample documents in
//! `events/documents`, judged against `events/expected-decisions.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{assert_exit, compliance, describe, stderr, stdout, TempDir, DOCUMENTS};
const EXPECTATIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../events/expected-decisions.json"
);

const DECISIONS: [&str; 4] = ["approved", "manual_review", "rejected", "unreadable"];

/// Keys of every `scan --json` line.
const SCAN_KEYS: [&str; 17] = [
    "schema_version",
    "document",
    "document_id",
    "sha256",
    "size_bytes",
    "doc_type",
    "confidence",
    "signals",
    "decision",
    "reasons",
    "fields",
    "pii_masked",
    "checks",
    "rules_version",
    "lists",
    "processed_at",
    "processor_version",
];

/// Keys of every entry of `checks`.
const CHECK_KEYS: [&str; 6] = [
    "id",
    "category",
    "status",
    "severity",
    "message",
    "rule_version",
];

/// Personal data as it appears in the sample documents: (sample file, value in clear). Each
/// value is checked to be in the file (for text files), so the list cannot silently go stale.
const PERSONAL_DATA: &[(&str, &str)] = &[
    ("kyc-application-moreno.txt", "Daniel Moreno"),
    ("kyc-application-moreno.txt", "Moreno"),
    ("kyc-application-moreno.txt", "12 Oct 1972"),
    ("kyc-application-moreno.txt", "14 Front Street"),
    ("kyc-application-okafor.txt", "Chidinma Okafor"),
    ("kyc-application-okafor.txt", "Chidinma"),
    ("kyc-application-okafor.txt", "Okafor"),
    ("kyc-application-okafor.txt", "02 Feb 1991"),
    ("kyc-application-okafor.txt", "8 Marina Road"),
    ("passport-lindqvist.txt", "LINDQVIST"),
    ("passport-lindqvist.txt", "MARTINA SOFIA"),
    ("passport-lindqvist.txt", "X4R7T2K91"),
    ("passport-lindqvist.txt", "14 Mar 1988"),
    ("passport-lindqvist.txt", "P<UTOLINDQVIST<<MARTINA<SOFIA"),
    ("passport-lindqvist.txt", "X4R7T2K916UTO8803148F3406304"),
    ("id-card-altered-mrz.txt", "NOORDHUIS"),
    ("id-card-altered-mrz.txt", "PIETER JAN"),
    ("id-card-altered-mrz.txt", "D23145890"),
    ("id-card-altered-mrz.txt", "18.07.1985"),
    ("id-card-altered-mrz.txt", "NOORDHUIS<<PIETER<JAN"),
    // The ICAO 9303 specimen, a PDF with a compressed text layer.
    ("passport-specimen-expired.pdf", "ERIKSSON"),
    ("passport-specimen-expired.pdf", "ANNA MARIA"),
    ("passport-specimen-expired.pdf", "L898902C3"),
    ("passport-specimen-expired.pdf", "ZE184226B"),
    ("passport-specimen-expired.pdf", "P<UTOERIKSSON<<ANNA<MARIA"),
    ("consent-form-signed.txt", "Grace Liu"),
    ("consent-form-unsigned.txt", "Samuel Osei"),
    ("card-payments-2026-10.csv", "Grace Liu"),
    ("card-payments-2026-10.csv", "Samuel Osei"),
    ("cash-transactions-2026-10.csv", "Evelyn Hart"),
    ("cash-transactions-2026-10.csv", "Tomas Reyes"),
    ("invoice-with-card-number.txt", "4111 1111 1111 1111"),
    ("passport-deu-brandt.txt", "BRANDT"),
    ("passport-deu-brandt.txt", "C01X00T47"),
    ("passport-nld-number-format.txt", "VAN DER BERG"),
    ("passport-nld-number-format.txt", "14 Feb 1990"),
    ("passport-printed-dob-mismatch.txt", "ABERNATHY"),
    ("passport-printed-dob-mismatch.txt", "K7T2Q9R41"),
    ("bank-statement-valid-iban.txt", "NL91 ABNA 0417 1643 00"),
    ("bank-statement-invalid-iban.txt", "NL91 ABNA 0417 1643 01"),
    ("consent-form-bundled-terms.txt", "Priya Raman"),
    ("kyc-application-minor.txt", "Mateo Castellanos"),
    ("kyc-application-minor.txt", "03 Jun 2010"),
];

/// Other spellings of the same data that must not appear either: the unspaced card number,
/// names as a sanctions list spells them, dates of birth in ISO form.
const DERIVED_PERSONAL_DATA: &[&str] = &[
    "4111111111111111",
    "4111-1111-1111-1111",
    "MORENO",
    "DANIEL MORENO",
    "Daniel Gonzalo",
    "OKAFOR",
    "Lindqvist",
    "Noordhuis",
    "Eriksson",
    "1972-10-12",
    "1991-02-02",
    "1988-03-14",
    "1985-07-18",
    "NL91ABNA0417164300",
    "NL91ABNA0417164301",
    "1990-02-14",
    "2010-06-03",
    "1974-08-12",
];

// ---------------------------------------------------------------------------------------------
// Helpers

#[derive(Debug)]
struct Expected {
    doc_type: String,
    decision: String,
    failed_checks: BTreeSet<String>,
    /// Text one of the reasons must contain (how an unreadable file is explained).
    reason_contains: Option<String>,
}

fn expectations() -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(EXPECTATIONS)
        .unwrap_or_else(|e| panic!("cannot read {EXPECTATIONS}: {e}"));
    let json: Value = serde_json::from_str(&text).expect("expected-decisions.json is JSON");
    let object = json
        .as_object()
        .expect("expected-decisions.json is an object");
    object
        .iter()
        .map(|(name, v)| {
            let field = |key: &str| {
                v[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: `{key}` is not a string"))
                    .to_string()
            };
            let failed_checks = v["failed_checks"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: `failed_checks` is not an array"))
                .iter()
                .map(|c| c.as_str().expect("check id is a string").to_string())
                .collect();
            let expected = Expected {
                doc_type: field("doc_type"),
                decision: field("decision"),
                failed_checks,
                reason_contains: v["reason_contains"].as_str().map(str::to_string),
            };
            (name.clone(), expected)
        })
        .collect()
}

/// Visible files in the samples folder (recursively, as `scan` walks it), by path relative to it.
fn sample_files() -> BTreeSet<String> {
    let root = Path::new(DOCUMENTS);
    let mut found = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read samples folder") {
            let entry = entry.expect("read samples folder entry");
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("under the samples folder");
                found.insert(relative.to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// The sample's name (path relative to the samples folder) from a record's `document`.
fn sample_name(document: &str) -> String {
    let prefix = format!("{DOCUMENTS}/");
    match document.strip_prefix(&prefix) {
        Some(rest) => rest.to_string(),
        None => panic!("document `{document}` is not under {DOCUMENTS}"),
    }
}

/// Parses `scan --json` output: every line must be one JSON object, nothing else on stdout.
fn json_lines(out: &str) -> Vec<Value> {
    assert!(
        out.is_empty() || out.ends_with('\n'),
        "stdout does not end with a newline:\n{out}"
    );
    out.lines()
        .enumerate()
        .map(|(i, line)| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("stdout line {} is not JSON ({e}): {line:?}", i + 1));
            assert!(value.is_object(), "stdout line {} is not an object", i + 1);
            value
        })
        .collect()
}

/// SHA-256 of each file, by `sha256sum` (or `shasum -a 256` where that is what there is).
fn sha256_of(paths: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    let run = |program: &str, pre: &[&str]| {
        Command::new(program)
            .args(pre)
            .args(paths)
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    let output = run("sha256sum", &[])
        .or_else(|| run("shasum", &["-a", "256"]))
        .expect("neither sha256sum nor shasum could hash the samples");
    let text = String::from_utf8(output.stdout).expect("sha256sum output is UTF-8");
    let hashes: Vec<String> = text
        .lines()
        .map(|line| {
            let hash = line.split_whitespace().next().unwrap_or_default();
            assert_eq!(hash.len(), 64, "unexpected sha256sum line: {line}");
            hash.to_lowercase()
        })
        .collect();
    assert_eq!(hashes.len(), paths.len(), "one hash per file:\n{text}");
    paths.iter().cloned().zip(hashes).collect()
}

fn failed_checks(record: &Value) -> BTreeSet<String> {
    record["checks"]
        .as_array()
        .expect("checks is an array")
        .iter()
        .filter(|c| matches!(c["status"].as_str(), Some("fail") | Some("error")))
        .map(|c| c["id"].as_str().expect("check id").to_string())
        .collect()
}

/// The personal data of [`PERSONAL_DATA`], checked to be in the (text) samples.
fn document_personal_data() -> BTreeSet<&'static str> {
    for (file, value) in PERSONAL_DATA {
        let path = Path::new(DOCUMENTS).join(file);
        if path.extension().is_some_and(|e| e == "pdf") {
            continue; // compressed text layer
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            text.contains(value),
            "{file} no longer contains `{value}`: update PERSONAL_DATA"
        );
    }
    PERSONAL_DATA.iter().map(|(_, v)| *v).collect()
}

/// Every spelling of personal data that must not appear in scan output or alerts.
fn all_personal_data() -> BTreeSet<&'static str> {
    let mut all = document_personal_data();
    all.extend(DERIVED_PERSONAL_DATA.iter().copied());
    all
}

fn assert_no_personal_data(what: &str, text: &str, forbidden: &BTreeSet<&str>) {
    let leaks: Vec<String> = forbidden
        .iter()
        .filter_map(|s| {
            let at = text.find(s)?;
            // Show a little context, on char boundaries.
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(60)
                .map_or(0, |(i, _)| i);
            let to = text[at..]
                .char_indices()
                .nth(s.len() + 60)
                .map_or(text.len(), |(i, _)| at + i);
            Some(format!("`{s}` in: ...{}...", &text[from..to]))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "{what} contains personal data in clear:\n{}",
        leaks.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// a. The decisions on the samples

#[test]
fn samples_get_the_expected_decisions() {
    let expected = expectations();
    let files = sample_files();

    // Every sample is judged by the table, and the table names no sample that is gone.
    let untested: Vec<&String> = files
        .iter()
        .filter(|f| !expected.contains_key(*f))
        .collect();
    assert!(
        untested.is_empty(),
        "samples without an entry in events/expected-decisions.json: {untested:?}"
    );
    let missing: Vec<&String> = expected.keys().filter(|f| !files.contains(*f)).collect();
    assert!(
        missing.is_empty(),
        "events/expected-decisions.json names samples that do not exist: {missing:?}"
    );
    for decision in DECISIONS {
        assert!(
            expected.values().any(|e| e.decision == decision),
            "no sample is expected to be {decision}"
        );
    }

    let output = compliance(&["scan", DOCUMENTS, "--json", "--no-store", "--quiet"]);
    assert_exit(&output, 0, "scan of the samples");
    let records = json_lines(&stdout(&output));
    assert_eq!(
        records.len(),
        files.len(),
        "one JSON line per sample\n{}",
        describe(&output)
    );
    assert!(
        stderr(&output).contains(&format!("{} document(s)", files.len())),
        "stderr has no summary\n{}",
        describe(&output)
    );

    let paths: Vec<PathBuf> = files.iter().map(|f| Path::new(DOCUMENTS).join(f)).collect();
    let hashes = sha256_of(&paths);

    let mut seen: BTreeMap<String, &Value> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for record in &records {
        for key in SCAN_KEYS {
            assert!(
                record.get(key).is_some(),
                "a record lacks `{key}`: {record}"
            );
        }
        for check in record["checks"].as_array().expect("checks is an array") {
            for key in CHECK_KEYS {
                assert!(check.get(key).is_some(), "a check lacks `{key}`: {check}");
            }
        }
        let document = record["document"].as_str().expect("document is a string");
        let name = sample_name(document);
        if let Some(previous) = seen.insert(name.clone(), record) {
            panic!("{name} reported twice:\n{previous}\n{record}");
        }
        let Some(exp) = expected.get(&name) else {
            panic!("{name} is not a sample");
        };

        let path = Path::new(DOCUMENTS).join(&name);
        assert_eq!(
            record["sha256"].as_str(),
            Some(hashes[&path].as_str()),
            "{name}: sha256 is not the SHA-256 of the file"
        );
        let size = std::fs::metadata(&path).expect("sample metadata").len();
        assert_eq!(
            record["size_bytes"].as_u64(),
            Some(size),
            "{name}: size_bytes"
        );

        let doc_type = record["doc_type"].as_str().unwrap_or("?");
        let decision = record["decision"].as_str().unwrap_or("?");
        let failed = failed_checks(record);
        let reasons = record["reasons"].to_string();
        let reason_ok = exp
            .reason_contains
            .as_ref()
            .is_none_or(|r| reasons.contains(r.as_str()));
        if doc_type != exp.doc_type
            || decision != exp.decision
            || failed != exp.failed_checks
            || !reason_ok
        {
            mismatches.push(format!(
                "{name}: expected {} / {} / {:?} / reason containing {:?}, got {doc_type} / \
                 {decision} / {failed:?} (reasons: {reasons})",
                exp.doc_type, exp.decision, exp.failed_checks, exp.reason_contains
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "decisions differ from events/expected-decisions.json:\n{}",
        mismatches.join("\n")
    );
    let not_reported: Vec<&String> = files.iter().filter(|f| !seen.contains_key(*f)).collect();
    assert!(
        not_reported.is_empty(),
        "samples missing from the output: {not_reported:?}"
    );
    for decision in DECISIONS {
        assert!(
            records.iter().any(|r| r["decision"] == decision),
            "no sample got {decision}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// b. Personal data is masked

#[test]
fn personal_data_is_masked_in_output_and_alerts() {
    let forbidden = all_personal_data();
    // Without --quiet, so that the alerts on stderr are checked too.
    let output = compliance(&["scan", DOCUMENTS, "--json", "--no-store"]);
    assert_exit(&output, 0, "scan of the samples");
    let err = stderr(&output);
    assert!(
        err.contains("ALERT"),
        "expected alerts on stderr\n{}",
        describe(&output)
    );
    json_lines(&stdout(&output));
    assert_no_personal_data("scan --json stdout", &stdout(&output), &forbidden);
    assert_no_personal_data("scan stderr", &err, &forbidden);

    // The table shows reasons too.
    let output = compliance(&["scan", DOCUMENTS, "--no-store"]);
    assert_exit(&output, 0, "table scan of the samples");
    assert_no_personal_data("scan table stdout", &stdout(&output), &forbidden);
    assert_no_personal_data("scan table stderr", &stderr(&output), &forbidden);
}

// ---------------------------------------------------------------------------------------------
// c. The audit store

#[test]
fn store_appends_on_every_scan() {
    let dir = TempDir::new("store");
    let store = dir.path().join("audit.sqlite3");
    let store_arg = store.to_str().expect("temp path is UTF-8");
    let documents = sample_files().len();

    for run in 1..=2 {
        let output = compliance(&["scan", DOCUMENTS, "--json", "--store", store_arg, "--quiet"]);
        assert_exit(&output, 0, &format!("scan #{run} into the store"));
        assert_eq!(json_lines(&stdout(&output)).len(), documents);
        assert!(
            stderr(&output).contains(store_arg),
            "stderr does not name the store {store_arg}\n{}",
            describe(&output)
        );
    }
    assert!(store.is_file(), "no store at {}", store.display());

    // `records` shows 20 by default; ask for all of them.
    let output = compliance(&["records", "--json", "--limit", "1000", "--store", store_arg]);
    assert_exit(&output, 0, "records --json");
    let out = stdout(&output);
    let records = json_lines(&out);
    assert_eq!(
        records.len(),
        2 * documents,
        "two scans of {documents} documents append {} records\n{}",
        2 * documents,
        describe(&output)
    );
    let mut per_document: BTreeMap<String, usize> = BTreeMap::new();
    for record in &records {
        let name = sample_name(record["document"].as_str().expect("document"));
        *per_document.entry(name).or_default() += 1;
    }
    assert!(
        per_document.values().all(|&n| n == 2),
        "each sample stored twice: {per_document:?}"
    );
    // The stored records hold the sanctions evidence, with the listed name as the list spells
    // it (public list data); the document's own spellings must still be masked.
    assert_no_personal_data("records --json", &out, &document_personal_data());
}

// ---------------------------------------------------------------------------------------------
// d. Exit codes

#[test]
fn fail_on_a_decision_that_occurs_exits_3() {
    let output = compliance(&[
        "scan",
        DOCUMENTS,
        "--no-store",
        "--quiet",
        "--fail-on",
        "rejected",
    ]);
    assert_exit(&output, 3, "--fail-on rejected over the samples");
}

#[test]
fn fail_on_matches_only_the_named_decisions() {
    let approved = format!("{DOCUMENTS}/passport-lindqvist.txt");
    let rejected = format!("{DOCUMENTS}/passport-specimen-expired.pdf");
    let args = |path: &str| {
        compliance(&[
            "scan",
            path,
            "--json",
            "--no-store",
            "--quiet",
            "--fail-on",
            "approved",
        ])
    };

    let output = args(&approved);
    assert_exit(&output, 3, "--fail-on approved over an approved passport");
    let records = json_lines(&stdout(&output));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["decision"], "approved");

    let output = args(&rejected);
    assert_exit(&output, 0, "--fail-on approved over a rejected passport");
    let records = json_lines(&stdout(&output));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["decision"], "rejected");

    let output = compliance(&[
        "scan",
        &approved,
        "--no-store",
        "--quiet",
        "--fail-on",
        "rejected,unreadable",
    ]);
    assert_exit(
        &output,
        0,
        "--fail-on rejected,unreadable over an approved passport",
    );
}

#[test]
fn unknown_fail_on_decision_is_a_usage_error() {
    let output = compliance(&[
        "scan",
        DOCUMENTS,
        "--no-store",
        "--quiet",
        "--fail-on",
        "denied",
    ]);
    assert_exit(&output, 2, "--fail-on denied");
    assert!(
        stderr(&output).contains("denied"),
        "the error names the value\n{}",
        describe(&output)
    );
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
}

#[test]
fn invalid_rules_file_is_an_operational_failure() {
    let dir = TempDir::new("rules");
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        r#"version = "test-1"

[classification]
min_confidence = 0.5

[[rule]]
id = "kyc.no_such_check"
category = "kyc"
version = "1.0.0"
description = "A check this build does not implement"
severity = "high"
on_fail = "rejected"
applies_to = ["passport"]
"#,
    )
    .expect("write rules file");

    let output = compliance(&[
        "scan",
        DOCUMENTS,
        "--json",
        "--no-store",
        "--quiet",
        "--rules",
        rules.to_str().expect("temp path is UTF-8"),
    ]);
    assert_exit(&output, 1, "scan with an unknown rule");
    assert!(
        stderr(&output).contains("kyc.no_such_check"),
        "the error names the rule\n{}",
        describe(&output)
    );
    assert!(
        stdout(&output).is_empty(),
        "nothing is judged with bad rules\n{}",
        describe(&output)
    );
}

#[test]
fn missing_path_yields_an_unreadable_record() {
    let dir = TempDir::new("missing");
    let missing = dir.path().join("does-not-exist.pdf");
    let missing_arg = missing.to_str().expect("temp path is UTF-8");

    let output = compliance(&["scan", missing_arg, "--json", "--no-store", "--quiet"]);
    assert_exit(&output, 0, "scan of a missing file");
    let records = json_lines(&stdout(&output));
    assert_eq!(records.len(), 1, "{}", describe(&output));
    assert_eq!(records[0]["document"], missing_arg);
    assert_eq!(records[0]["decision"], "unreadable");
    assert!(
        stderr(&output).contains("1 document(s)"),
        "{}",
        describe(&output)
    );

    // Next to real documents it is not dropped either.
    let lindqvist = format!("{DOCUMENTS}/passport-lindqvist.txt");
    let output = compliance(&[
        "scan",
        &lindqvist,
        missing_arg,
        "--json",
        "--no-store",
        "--quiet",
    ]);
    assert_exit(&output, 0, "scan of a real and a missing file");
    let decisions: Vec<String> = json_lines(&stdout(&output))
        .iter()
        .map(|r| r["decision"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(
        decisions,
        ["approved", "unreadable"],
        "{}",
        describe(&output)
    );
}

// ---------------------------------------------------------------------------------------------
// e. The table

#[test]
fn table_has_a_header_and_one_row_per_document() {
    let expected = expectations();
    let output = compliance(&["scan", DOCUMENTS, "--no-store", "--quiet"]);
    assert_exit(&output, 0, "table scan of the samples");
    let out = stdout(&output);
    let mut lines = out.lines();
    let header = lines.next().expect("a header line");
    assert!(
        header.starts_with("DOCUMENT"),
        "header: {header:?}\n{}",
        describe(&output)
    );
    for column in ["TYPE", "CONF", "DECISION"] {
        assert!(header.contains(column), "header lacks {column}: {header:?}");
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.len(),
        sample_files().len(),
        "one row per document\n{}",
        describe(&output)
    );

    let prefix = format!("{DOCUMENTS}/");
    let mut seen = BTreeSet::new();
    for row in rows {
        let rest = row
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("row does not start with a document: {row:?}"));
        let mut cells = rest.split_whitespace();
        let name = cells.next().expect("document cell");
        let doc_type = cells.next().expect("type cell");
        let confidence = cells.next().expect("confidence cell");
        let decision = cells.next().expect("decision cell");
        let exp = expected
            .get(name)
            .unwrap_or_else(|| panic!("row for an unknown document: {row:?}"));
        assert_eq!(doc_type, exp.doc_type, "{row}");
        assert_eq!(decision, exp.decision, "{row}");
        assert!(
            confidence.parse::<f64>().is_ok(),
            "confidence is a number: {row}"
        );
        for check in &exp.failed_checks {
            assert!(
                row.contains(check.as_str()),
                "row lacks failed check {check}: {row}"
            );
        }
        assert!(seen.insert(name.to_string()), "{name} listed twice");
    }
}

// ---------------------------------------------------------------------------------------------
// Every rule is exercised both ways by the samples

#[test]
fn every_rule_passes_on_one_sample_and_fails_on_another() {
    let rules = compliance_core::rules::RuleSet::default_rules().expect("default rules");
    let output = compliance(&["scan", DOCUMENTS, "--json", "--no-store", "--quiet"]);
    assert_exit(&output, 0, "scan of the samples");
    let records = json_lines(&stdout(&output));
    let mut missing = Vec::new();
    for rule in rules.rules.iter().filter(|r| r.enabled) {
        for status in ["pass", "fail"] {
            let seen = records.iter().any(|r| {
                r["checks"].as_array().is_some_and(|checks| {
                    checks
                        .iter()
                        .any(|c| c["id"] == rule.id.as_str() && c["status"] == status)
                })
            });
            if !seen {
                missing.push(format!("{} never gets status {status}", rule.id));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add samples to events/documents so that every rule is shown both ways:\n{}",
        missing.join("\n")
    );
}
