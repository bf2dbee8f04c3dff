//! The rules file: every invalid fixture under `tests/fixtures/rules/invalid` is rejected whole
//! with exactly the problems its `# expect: LINE:COLUMN fragment` lines state, the valid
//! fixtures and the shipped default parse, and the limits hold.
//!
//! Every mismatch over all fixtures is collected and reported at once before the test fails.

use std::path::{Path, PathBuf};

use compliance_core::rules::{RuleProblem, RuleSet, Severity, DEFAULT_RULES, MAX_RULES_BYTES};
use compliance_core::CoreError;

fn fixtures(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(kind)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "bin")))
        .collect();
    files.sort();
    files
}

/// `(line, column, fragment)` from the `# expect: L:C fragment` lines.
fn expectations(text: &str) -> Vec<(usize, usize, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|rest| {
            let (at, fragment) = rest.split_once(' ').expect("`L:C fragment`");
            let (line, column) = at.split_once(':').expect("`LINE:COLUMN`");
            (
                line.parse().expect("line number"),
                column.parse().expect("column number"),
                fragment.to_string(),
            )
        })
        .collect()
}

#[test]
fn every_invalid_fixture_reports_exactly_its_expected_problems() {
    let dir = fixtures("invalid");
    let files = files(&dir);
    assert!(files.len() >= 15, "fixtures missing in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(path).expect("read fixture");
        let expected = expectations(&String::from_utf8_lossy(&bytes));
        if expected.is_empty() {
            failures.push(format!("{name}: no `# expect:` lines"));
            continue;
        }
        let problems: Vec<RuleProblem> = match RuleSet::parse_bytes(&bytes, &name) {
            Ok(_) => {
                failures.push(format!("{name}: accepted, expected {expected:?}"));
                continue;
            }
            Err(CoreError::RulesInvalid {
                origin, problems, ..
            }) => {
                assert_eq!(origin, name);
                problems
            }
            Err(other) => {
                failures.push(format!("{name}: unexpected error kind: {other}"));
                continue;
            }
        };
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        if problems.len() != expected.len() {
            failures.push(format!(
                "{name}: {} problem(s), expected {}:\n    {}",
                problems.len(),
                expected.len(),
                shown.join("\n    ")
            ));
            continue;
        }
        for (p, (line, column, fragment)) in problems.iter().zip(&expected) {
            if (p.line, p.column) != (*line, *column) || !p.message.contains(fragment.as_str()) {
                failures.push(format!(
                    "{name}: expected {line}:{column} containing `{fragment}`, got {p}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_error_lists_every_problem_as_origin_line_column_message() {
    let path = fixtures("invalid").join("parameter-wrong-type.toml");
    let err = RuleSet::from_file(&path).expect_err("invalid");
    let text = err.to_string();
    let mut lines = text.lines();
    let summary = lines.next().expect("summary line");
    assert!(
        summary.contains("is invalid and was not applied (3 problems)"),
        "{text}"
    );
    let origin = path.display().to_string();
    let rest: Vec<&str> = lines.collect();
    assert_eq!(rest.len(), 3, "{text}");
    assert!(rest[0].starts_with(&format!(
        "{origin}:15:28: rule `transaction.cash_threshold`"
    )));
    assert!(rest[1].starts_with(&format!("{origin}:24:35: ")));
    assert!(rest[2].starts_with(&format!("{origin}:33:32: ")));
}

#[test]
fn an_invalid_file_still_reports_its_version() {
    let err = RuleSet::from_file(&fixtures("invalid").join("unknown-category.toml"))
        .expect_err("invalid");
    match err {
        CoreError::RulesInvalid { version, .. } => assert_eq!(version.as_deref(), Some("test-1")),
        other => panic!("{other}"),
    }
}

#[test]
fn valid_fixtures_parse_with_their_values() {
    for path in files(&fixtures("valid")) {
        RuleSet::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    }
    let minimal = RuleSet::from_file(&fixtures("valid").join("minimal.toml")).expect("valid");
    assert_eq!(minimal.version, "minimal-1");
    assert_eq!(minimal.transactions.timezone, "America/New_York");
    let rule = &minimal.rules[0];
    assert!(rule.enabled && rule.applies_to.is_empty() && rule.params.is_empty());

    let every = RuleSet::from_file(&fixtures("valid").join("every-field.toml")).expect("valid");
    assert_eq!(every.version, "every-field-1");
    assert_eq!(every.classification.min_confidence, 1.0);
    assert_eq!(every.transactions.timezone, "Europe/Berlin");
    assert_eq!(every.transactions.usd_rates["CHF"], 1.0);
    let cash = &every.rules[0];
    assert!(!cash.enabled);
    assert_eq!(cash.severity, Severity::Critical);
    assert_eq!(cash.param_f64("threshold_usd", 0.0), 15_000.0);
    assert!(
        every.rule("transaction.cash_threshold").is_none(),
        "disabled"
    );
    assert_eq!(every.rules[1].param_i64("expiring_within_days", 0), 16);
    assert_eq!(every.rules[2].param_i64("minimum_age_years", 0), 21);
}

#[test]
fn the_shipped_rules_file_is_the_built_in_one_and_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/rules.toml");
    let from_disk = RuleSet::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let built_in = RuleSet::default_rules().expect("built-in rules");
    assert_eq!(from_disk.version, built_in.version);
    assert!(!built_in.version.trim().is_empty());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), DEFAULT_RULES);
}

#[test]
fn unreadable_and_oversized_files_are_rejected() {
    let missing = fixtures("invalid").join("no-such-file.toml");
    match RuleSet::from_file(&missing) {
        Err(CoreError::Rules { path, detail }) => {
            assert_eq!(path, missing.display().to_string());
            assert!(detail.contains("cannot read"), "{detail}");
        }
        other => panic!("{other:?}"),
    }

    let mut big = DEFAULT_RULES.to_string();
    while big.len() <= MAX_RULES_BYTES {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    match RuleSet::parse(&big, "big.toml") {
        Err(CoreError::RulesInvalid { problems, .. }) => {
            assert_eq!(problems.len(), 1);
            assert!(
                problems[0].message.contains("over 1048576 bytes"),
                "{problems:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
