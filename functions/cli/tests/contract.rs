//! The machine contract of the `compliance` command, on real outputs: every `--json` line of
//! every command validates against its schema under `schemas/`, stdout carries nothing else,
//! and the exit codes are the documented ones.

use compliance_contract::{Contract, Output as Schema};
use serde_json::Value;

mod common;
use common::{assert_exit, compliance, describe, stderr, stdout, TempDir, DOCUMENTS};

fn contract() -> Contract {
    Contract::load().unwrap_or_else(|e| panic!("{e}"))
}

/// Every stdout line is one JSON object that conforms to `schema`.
fn conforming_lines(output: &std::process::Output, schema: Schema) -> Vec<Value> {
    let contract = contract();
    let out = stdout(output);
    assert!(
        out.ends_with('\n'),
        "output ends with a newline\n{}",
        describe(output)
    );
    out.lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            assert!(value.is_object(), "one object per line: {line}");
            if let Err(e) = contract.validate(schema, &value) {
                panic!("{e}\nline: {line}");
            }
            value
        })
        .collect()
}

fn sample_count() -> usize {
    // Every visible file, recursively, as `scan` walks the folder.
    let mut count = 0;
    let mut stack = vec![std::path::PathBuf::from(DOCUMENTS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                count += 1;
            }
        }
    }
    count
}

#[test]
fn scan_json_conforms_masked_and_in_clear() {
    let masked = compliance(&["scan", DOCUMENTS, "--json", "--no-store"]);
    assert_exit(&masked, 0, "scan --json");
    let lines = conforming_lines(&masked, Schema::Scan);
    assert_eq!(lines.len(), sample_count(), "one line per document");
    assert!(lines.iter().all(|l| l["pii_masked"] == true));
    // Alerts went to stderr, not into the JSON stream.
    assert!(stderr(&masked).contains("ALERT"), "{}", describe(&masked));
    assert!(!stdout(&masked).contains("ALERT"));

    let clear = compliance(&["scan", DOCUMENTS, "--json", "--no-store", "--show-pii"]);
    assert_exit(&clear, 0, "scan --json --show-pii");
    let lines = conforming_lines(&clear, Schema::Scan);
    let passport = lines
        .iter()
        .find(|l| {
            l["document"]
                .as_str()
                .is_some_and(|d| d.ends_with("passport-lindqvist.txt"))
        })
        .expect("passport line");
    assert_eq!(passport["pii_masked"], false);
    assert_eq!(passport["fields"]["names"][0], "Martina Sofia Lindqvist");
    assert_eq!(passport["fields"]["document_number"], "X4R7T2K91");
}

#[test]
fn scan_document_is_the_path_as_given_and_sha256_the_bytes_read() {
    let file = format!("{DOCUMENTS}/consent-form-signed.txt");
    let output = compliance(&["scan", &file, "--json", "--no-store", "--quiet"]);
    let lines = conforming_lines(&output, Schema::Scan);
    assert_eq!(lines[0]["document"], file.as_str());
    let bytes = std::fs::read(&file).expect("sample");
    assert_eq!(
        lines[0]["sha256"],
        compliance_core::audit::sha256_hex(&bytes).as_str()
    );
}

#[test]
fn extract_json_conforms_for_readable_and_unreadable_documents() {
    let output = compliance(&["extract", DOCUMENTS, "--json"]);
    assert_exit(&output, 0, "extract --json");
    let lines = conforming_lines(&output, Schema::Extract);
    assert_eq!(lines.len(), sample_count());
    let unreadable = lines.iter().filter(|l| l["readable"] == false).count();
    assert_eq!(unreadable, 4, "the four unreadable samples");
    let pdf = lines
        .iter()
        .find(|l| {
            l["document"]
                .as_str()
                .is_some_and(|d| d.ends_with("invoice-aws.pdf"))
        })
        .expect("invoice line");
    assert_eq!(pdf["format"], "pdf");
    assert!(pdf["pages"].as_u64().is_some_and(|p| p >= 1));
    assert!(pdf["characters"].as_u64().is_some_and(|c| c > 100));

    let clear = compliance(&["extract", DOCUMENTS, "--json", "--show-pii"]);
    let clear_lines = conforming_lines(&clear, Schema::Extract);
    assert!(stdout(&clear).contains("Lindqvist"));
    assert!(!stdout(&output).contains("Lindqvist"));
    assert_eq!(clear_lines.len(), lines.len());
}

/// (arguments, expected kind, expected validity)
const IDENTIFIERS: &[(&[&str], &str, bool)] = &[
    // ICAO 9303 part 4 specimen: check digits right, document long expired.
    (
        &[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ],
        "mrz",
        true,
    ),
    // The same with the document number's check digit altered.
    (
        &[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C37UTO7408122F1204159ZE184226B<<<<<10",
        ],
        "mrz",
        false,
    ),
    // ICAO 9303 part 5 TD1 specimen.
    (
        &[
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ],
        "mrz",
        true,
    ),
    (&["GB82 WEST 1234 5698 7654 32"], "iban", true),
    (&["GB82WEST12345698765431"], "iban", false),
    (&["DEUTDEFF500"], "bic", true),
    (&["5493001KJTIIGC8Y1R12"], "lei", true),
    (&["5493001KJTIIGC8Y1R13"], "lei", false),
    (&["4111-1111-1111-1111"], "card", true),
    (&["4111-1111-1111-1112"], "card", false),
];

#[test]
fn check_id_json_conforms_and_valid_means_check_digits_only() {
    for (values, kind, valid) in IDENTIFIERS {
        let mut args = vec!["check-id", "--json"];
        args.extend_from_slice(values);
        let output = compliance(&args);
        assert_exit(&output, 0, "check-id completes whatever the verdict");
        let lines = conforming_lines(&output, Schema::CheckId);
        assert_eq!(lines.len(), 1, "{values:?}");
        let verdict = &lines[0];
        assert_eq!(verdict["kind"], *kind, "{values:?}: {verdict}");
        assert_eq!(verdict["valid"], *valid, "{values:?}: {verdict}");
        // The identifier itself is masked unless --show-pii (BIC and LEI are public).
        if matches!(*kind, "mrz" | "iban" | "card") {
            let compact: String = values.concat().replace([' ', '-'], "");
            assert!(
                !stdout(&output).contains(&compact),
                "{kind} printed in clear: {verdict}"
            );
        }
    }
    let expired = compliance(&[
        "check-id",
        "--json",
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ]);
    let verdict = &conforming_lines(&expired, Schema::CheckId)[0];
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["expired"], true);
    assert_eq!(verdict["expires_on"], "2012-04-15");
}

#[test]
fn check_id_exit_codes() {
    let undetectable = compliance(&["check-id", "hello"]);
    assert_exit(&undetectable, 2, "an identifier of no known kind");
    assert!(stdout(&undetectable).is_empty());

    let bad_kind = compliance(&["check-id", "--kind", "ssn", "123"]);
    assert_exit(&bad_kind, 2, "unknown --kind");

    let invalid = compliance(&["check-id", "GB82WEST12345698765431"]);
    assert_exit(&invalid, 0, "an invalid IBAN without --fail-on-invalid");
    let gated = compliance(&["check-id", "--fail-on-invalid", "GB82WEST12345698765431"]);
    assert_exit(&gated, 3, "an invalid IBAN with --fail-on-invalid");
    let passing = compliance(&["check-id", "--fail-on-invalid", "GB82WEST12345698765432"]);
    assert_exit(&passing, 0, "a valid IBAN with --fail-on-invalid");
}

#[test]
fn records_json_are_audit_records() {
    let dir = TempDir::new("contract-records");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8 temp path");
    let scan = compliance(&["scan", DOCUMENTS, "--store", store, "--quiet"]);
    assert_exit(&scan, 0, "scan into a store");
    let records = compliance(&["records", "--json", "--store", store, "--limit", "100"]);
    assert_exit(&records, 0, "records --json");
    let lines = conforming_lines(&records, Schema::AuditRecord);
    assert_eq!(lines.len(), sample_count());
}

#[test]
fn unusable_store_is_an_operational_failure() {
    let dir = TempDir::new("contract-store");
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"a file where the store's folder should be").expect("write");
    let store = blocker.join("audit.sqlite3");
    let output = compliance(&[
        "scan",
        DOCUMENTS,
        "--json",
        "--store",
        store.to_str().expect("UTF-8 temp path"),
    ]);
    assert_exit(&output, 1, "scan with a store that cannot be created");
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
    assert!(
        stderr(&output).starts_with("error:"),
        "{}",
        describe(&output)
    );
}

#[test]
fn rules_json_outputs_conform() {
    let shown = compliance(&["rules", "show", "--json"]);
    assert_exit(&shown, 0, "rules show --json");
    let lines = conforming_lines(&shown, Schema::RulesShow);
    assert_eq!(lines.len(), 1);
    assert!(lines[0]["rules"].as_array().is_some_and(|r| r.len() >= 10));

    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/rules.toml");
    let valid = compliance(&["rules", "validate", rules, "--json"]);
    assert_exit(&valid, 0, "rules validate of the default rules");
    let verdict = &conforming_lines(&valid, Schema::RulesValidate)[0];
    assert_eq!(verdict["valid"], true);

    let dir = TempDir::new("contract-rules");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = \"x\"\n[classification]\nmin_confidence = 3\n",
    )
    .expect("write rules");
    let invalid = compliance(&["rules", "validate", bad.to_str().expect("UTF-8"), "--json"]);
    assert_exit(&invalid, 1, "rules validate of an invalid file");
    let verdict = &conforming_lines(&invalid, Schema::RulesValidate)[0];
    assert_eq!(verdict["valid"], false);
    let problems = verdict["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["line"] == 3 && p["column"] == 18),
        "min_confidence reported at 3:18: {verdict}"
    );
}
