//! `compliance rules validate|show`, and a rules file change changing a decision without a
//! rebuild: the same binary, the same document, another rules file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{assert_exit, compliance, describe, stderr, stdout, TempDir, BIN, DOCUMENTS};

const CASH_DOCUMENT: &str = "cash-transactions-2026-10.csv";
const CASH_RULE: &str = "transaction.cash_threshold";

fn workspace_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn invalid_fixture(name: &str) -> String {
    workspace_file("functions/core/tests/fixtures/rules/invalid")
        .join(name)
        .display()
        .to_string()
}

fn default_rules_path() -> String {
    workspace_file("config/rules.toml").display().to_string()
}

fn default_version() -> String {
    compliance_core::rules::RuleSet::default_rules()
        .expect("built-in rules")
        .version
}

/// The only stdout line, as JSON.
fn json_object(output: &std::process::Output) -> Value {
    let out = stdout(output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON line\n{}", describe(output));
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", lines[0]))
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

// ---------------------------------------------------------------------------------------------
// validate

#[test]
fn the_default_rules_file_is_valid() {
    let path = default_rules_path();
    let output = compliance(&["rules", "validate", &path]);
    assert_exit(&output, 0, "validate config/rules.toml");
    let out = stdout(&output);
    assert!(
        out.starts_with(&format!("{path}: valid (version {}, ", default_version())),
        "{}",
        describe(&output)
    );
    assert!(stderr(&output).is_empty(), "{}", describe(&output));

    let output = compliance(&["rules", "validate", &path, "--json"]);
    assert_exit(&output, 0, "validate --json config/rules.toml");
    let value = json_object(&output);
    assert_eq!(
        keys(&value),
        ["file", "problems", "schema_version", "valid", "version"]
    );
    assert_eq!(value["file"], path.as_str());
    assert_eq!(value["valid"], true);
    assert_eq!(value["version"], default_version().as_str());
    assert_eq!(value["problems"], serde_json::json!([]));
}

#[test]
fn an_invalid_file_lists_every_problem_with_line_and_column_and_exits_1() {
    let path = invalid_fixture("parameter-wrong-type.toml");
    let output = compliance(&["rules", "validate", &path]);
    assert_exit(&output, 1, "validate an invalid file");
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "a summary and three problems\n{err}");
    assert!(
        lines[0].starts_with(&format!("error: rules file {path} is invalid")),
        "{err}"
    );
    assert_eq!(
        lines[1],
        format!(
            "{path}:15:28: rule `transaction.cash_threshold`: parameter `threshold_usd` must be a number, not a string"
        )
    );
    assert!(lines[2].starts_with(&format!("{path}:24:35: rule `kyc.document_expiry`: ")));
    assert!(lines[3].starts_with(&format!("{path}:33:32: rule `kyc.minimum_age`: ")));
}

#[test]
fn an_invalid_file_with_json_prints_one_object_with_the_problems() {
    let path = invalid_fixture("unknown-parameter.toml");
    let output = compliance(&["rules", "validate", "--json", &path]);
    assert_exit(&output, 1, "validate --json an invalid file");
    let value = json_object(&output);
    assert_eq!(
        keys(&value),
        ["file", "problems", "schema_version", "valid", "version"]
    );
    assert_eq!(value["file"], path.as_str());
    assert_eq!(value["valid"], false);
    assert_eq!(value["version"], "test-1");
    let problems = value["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{value:#}");
    for p in problems {
        assert_eq!(keys(p), ["column", "line", "message"]);
    }
    assert_eq!(problems[0]["line"], 14);
    assert_eq!(problems[0]["column"], 12);
    assert!(problems[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unknown parameter `threshold`")));
    assert_eq!(problems[1]["line"], 22);
    // The same problems on stderr, for a human.
    assert!(stderr(&output).contains(&format!("{path}:22:12: rule `gdpr.consent`")));
}

#[test]
fn a_syntax_error_is_reported_at_its_position() {
    let path = invalid_fixture("syntax-unclosed-table.toml");
    let output = compliance(&["rules", "validate", &path]);
    assert_exit(&output, 1, "validate a broken file");
    assert!(
        stderr(&output).contains(&format!("{path}:5:16: invalid TOML")),
        "{}",
        describe(&output)
    );
}

#[test]
fn an_unreadable_file_exits_1() {
    let dir = TempDir::new("rules-missing");
    let path = dir.path().join("missing.toml").display().to_string();
    let output = compliance(&["rules", "validate", &path]);
    assert_exit(&output, 1, "validate a missing file");
    assert!(
        stderr(&output).contains("cannot read"),
        "{}",
        describe(&output)
    );

    let output = compliance(&["rules", "validate", &path, "--json"]);
    assert_exit(&output, 1, "validate --json a missing file");
    let value = json_object(&output);
    assert_eq!(value["valid"], false);
    assert_eq!(value["version"], Value::Null);
    assert_eq!(value["problems"][0]["line"], Value::Null);
    assert!(value["problems"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("cannot read")));
}

#[test]
fn standard_input_is_read_for_a_dash() {
    let text = std::fs::read_to_string(invalid_fixture("unknown-category.toml")).expect("read");
    let mut child = Command::new(BIN)
        .args(["rules", "validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run compliance");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    assert_exit(&output, 1, "validate - with an invalid file");
    assert!(
        stderr(&output).contains("<stdin>:8:12: rule `pii.card_numbers`: unknown category"),
        "{}",
        describe(&output)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_exit(
        &compliance(&["rules", "validate"]),
        2,
        "validate without FILE",
    );
    assert_exit(
        &compliance(&["rules", "validate", "x.toml", "--strict"]),
        2,
        "unknown flag",
    );
    assert_exit(&compliance(&["rules", "lint"]), 2, "unknown subcommand");
}

// ---------------------------------------------------------------------------------------------
// show

#[test]
fn show_prints_the_built_in_rules() {
    let output = compliance(&["rules", "show"]);
    assert_exit(&output, 0, "rules show");
    let out = stdout(&output);
    assert!(out.starts_with("rules "), "{out}");
    assert!(
        out.contains(&format!(
            "version                        {}\n",
            default_version()
        )),
        "{out}"
    );
    let built_in = compliance_core::rules::RuleSet::default_rules().expect("built-in rules");
    for rule in &built_in.rules {
        let id = &rule.id;
        let shown = if rule.enabled {
            format!("\n{id}\n")
        } else {
            format!("\n{id}  (disabled)\n")
        };
        assert!(out.contains(&shown), "{id} missing:\n{out}");
    }
    assert!(out.contains("  on_fail      manual_review\n"), "{out}");
    assert!(
        out.contains("customer.required              identity document: passport or national_id or driving_licence\n"),
        "{out}"
    );
    assert!(out.contains("    threshold_usd = "), "{out}");

    let output = compliance(&["rules", "show", "--json"]);
    assert_exit(&output, 0, "rules show --json");
    let value = json_object(&output);
    assert_eq!(
        keys(&value),
        [
            "classification",
            "customer",
            "file",
            "rules",
            "schema_version",
            "transactions",
            "version"
        ]
    );
    assert_eq!(value["file"], Value::Null);
    assert_eq!(value["version"], default_version().as_str());
    let rules = value["rules"].as_array().expect("rules");
    let cash = rules
        .iter()
        .find(|r| r["id"] == CASH_RULE)
        .expect("cash rule");
    assert_eq!(
        keys(cash),
        [
            "applies_to",
            "category",
            "description",
            "enabled",
            "id",
            "on_fail",
            "params",
            "severity",
            "version"
        ]
    );
    assert_eq!(cash["category"], "transaction");
    assert_eq!(cash["on_fail"], "manual_review");
    assert!(cash["params"]["threshold_usd"].is_number());
}

#[test]
fn show_reads_a_file_and_refuses_an_invalid_one() {
    let valid = workspace_file("functions/core/tests/fixtures/rules/valid/every-field.toml")
        .display()
        .to_string();
    let output = compliance(&["rules", "show", &valid]);
    assert_exit(&output, 0, "rules show FILE");
    let out = stdout(&output);
    assert!(out.contains("version                        every-field-1\n"));
    assert!(out.contains("transactions.timezone          Europe/Berlin\n"));
    assert!(
        out.contains("transaction.cash_threshold  (disabled)\n"),
        "{out}"
    );
    assert!(
        out.contains("  applies_to   * (every document type)\n"),
        "{out}"
    );
    assert!(out.contains("    expiring_within_days = 16\n"), "{out}");

    let output = compliance(&["rules", "show", &valid, "--json"]);
    assert_exit(&output, 0, "rules show FILE --json");
    let value = json_object(&output);
    assert_eq!(value["file"], valid.as_str());
    assert_eq!(value["transactions"]["usd_rates"]["EUR"], 1.08);
    assert_eq!(value["rules"][0]["enabled"], false);

    let invalid = invalid_fixture("unknown-category.toml");
    let output = compliance(&["rules", "show", &invalid]);
    assert_exit(&output, 1, "rules show an invalid file");
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains(&format!("{invalid}:8:12: ")));
}

// ---------------------------------------------------------------------------------------------
// A rules change changes a decision, no rebuild

/// The shipped rules with the cash rule changed by `edit` (given the rule's own lines) and
/// another version.
fn edited_rules(dir: &Path, name: &str, version: &str, edit: impl Fn(&str) -> String) -> String {
    let text = compliance_core::rules::DEFAULT_RULES;
    let top_version = format!("version = \"{}\"", default_version());
    assert!(text.contains(&top_version), "the rules file's version line");
    let text = text.replacen(&top_version, &format!("version = \"{version}\""), 1);
    let start = text
        .find(&format!("id = \"{CASH_RULE}\""))
        .expect("the cash rule in the shipped rules");
    let end = text[start..]
        .find("[[rule]]")
        .map_or(text.len(), |i| start + i);
    let text = format!(
        "{}{}{}",
        &text[..start],
        edit(&text[start..end]),
        &text[end..]
    );
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write rules");
    let path = path.display().to_string();
    let output = compliance(&["rules", "validate", &path]);
    assert_exit(&output, 0, "the edited rules file is valid");
    path
}

fn scan_cash_document(rules: Option<&str>) -> Value {
    let document = format!("{DOCUMENTS}/{CASH_DOCUMENT}");
    let mut args = vec!["scan", &document, "--json", "--no-store", "--quiet"];
    if let Some(rules) = rules {
        args.extend(["--rules", rules]);
    }
    let output = compliance(&args);
    assert_exit(&output, 0, "scan the cash transactions");
    json_object(&output)
}

fn cash_check(record: &Value) -> Option<&Value> {
    record["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == CASH_RULE))
}

fn failed_checks(record: &Value) -> Vec<&str> {
    record["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .filter_map(|c| c["id"].as_str())
        .collect()
}

#[test]
fn changing_the_rules_file_changes_the_decision_without_a_rebuild() {
    let dir = TempDir::new("rules-change");

    let default = scan_cash_document(None);
    assert_eq!(default["decision"], "manual_review", "{default:#}");
    assert_eq!(default["rules_version"], default_version().as_str());
    assert_eq!(cash_check(&default).expect("cash check")["status"], "fail");
    // What else fails on this document under the shipped rules: the cash rule changes below
    // leave those as they are.
    let others: Vec<&str> = failed_checks(&default)
        .into_iter()
        .filter(|id| *id != CASH_RULE)
        .collect();
    let without_cash = if others.is_empty() {
        "approved"
    } else {
        "manual_review"
    };

    // The same rules as a file: the same decision.
    let copy = scan_cash_document(Some(&default_rules_path()));
    assert_eq!(copy["decision"], "manual_review");
    assert_eq!(copy["rules_version"], default_version().as_str());

    // A cash failure now rejects the document.
    let rejecting = edited_rules(dir.path(), "rejecting.toml", "test-cash-rejects", |rule| {
        rule.replacen("on_fail = \"manual_review\"", "on_fail = \"rejected\"", 1)
    });
    let record = scan_cash_document(Some(&rejecting));
    assert_eq!(record["decision"], "rejected", "{record:#}");
    assert_eq!(record["rules_version"], "test-cash-rejects");

    // The cash rule disabled: it does not run.
    let disabled = edited_rules(dir.path(), "disabled.toml", "test-cash-disabled", |rule| {
        rule.replacen('\n', "\nenabled = false\n", 1)
    });
    let record = scan_cash_document(Some(&disabled));
    assert_eq!(record["decision"], without_cash, "{record:#}");
    assert_eq!(record["rules_version"], "test-cash-disabled");
    assert!(
        cash_check(&record).is_none(),
        "a disabled rule does not run"
    );
    assert_eq!(failed_checks(&record), others);

    // The threshold raised above every amount and daily total: the rule runs and passes.
    let raised = edited_rules(dir.path(), "raised.toml", "test-cash-raised", |rule| {
        let at = rule
            .find("threshold_usd = ")
            .expect("threshold_usd in the cash rule")
            + "threshold_usd = ".len();
        let digits = rule[at..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rule.len() - at);
        format!("{}1000000.0{}", &rule[..at], &rule[at + digits..])
    });
    let record = scan_cash_document(Some(&raised));
    assert_eq!(record["decision"], without_cash, "{record:#}");
    assert_eq!(record["rules_version"], "test-cash-raised");
    let check = cash_check(&record).expect("cash check");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(failed_checks(&record), others);
}

#[test]
fn scan_refuses_an_invalid_rules_file_before_judging_anything() {
    let invalid = invalid_fixture("unknown-parameter.toml");
    let document = format!("{DOCUMENTS}/{CASH_DOCUMENT}");
    let output = compliance(&[
        "scan",
        &document,
        "--json",
        "--no-store",
        "--rules",
        &invalid,
    ]);
    assert_exit(&output, 1, "scan with an invalid rules file");
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
    assert!(stderr(&output).contains(&format!("{invalid}:14:12: ")));
}
