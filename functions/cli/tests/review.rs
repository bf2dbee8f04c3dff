//! `compliance review`: reviewer decisions on the cases of real sample documents, on the local
//! store: every move a case allows, the refusals (with their exit code), a false positive
//! remembered for the customer's next document, and the customer's view following a reviewer.

mod common;

use common::{assert_exit, compliance, describe, stderr, stdout, TempDir, DOCUMENTS};
use compliance_contract::{Contract, Output as Schema};
use serde_json::Value;

/// The exit code of a refused review (EXIT_HELP).
const REFUSED: i32 = 4;

fn doc(relative: &str) -> String {
    format!("{DOCUMENTS}/{relative}")
}

fn contract() -> Contract {
    Contract::load().unwrap_or_else(|e| panic!("{e}"))
}

fn scan(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["scan", "--json", "--quiet"];
    all.extend_from_slice(args);
    let out = compliance(&all);
    assert_exit(&out, 0, "scan");
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn review_output(store: &str, case: &str, decision: &str, extra: &[&str]) -> std::process::Output {
    let mut argv = vec![
        "review",
        case,
        "--decision",
        decision,
        "--reason",
        "checked against the original",
        "--reviewer",
        "ana.reviewer",
        "--json",
        "--store",
        store,
    ];
    argv.extend_from_slice(extra);
    compliance(&argv)
}

/// A review that must be accepted: its outcome, checked against the contract.
fn review(store: &str, case: &str, decision: &str, extra: &[&str]) -> Value {
    let out = review_output(store, case, decision, extra);
    assert_exit(&out, 0, &format!("review --decision {decision}"));
    let outcome: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    if let Err(e) = contract().validate(Schema::ReviewOutcome, &outcome) {
        panic!("{e}\n{outcome:#}");
    }
    outcome
}

fn open_case_ids(store: &str) -> Vec<String> {
    let out = compliance(&[
        "audit", "list", "--open", "--json", "--limit", "1000", "--store", store,
    ]);
    assert_exit(&out, 0, "audit list --open");
    stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON");
            v["case_id"].as_str().expect("case id").to_string()
        })
        .collect()
}

fn show(store: &str, id: &str) -> Value {
    let out = compliance(&["audit", "show", id, "--json", "--store", store]);
    assert_exit(&out, 0, "audit show");
    let file: Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    if let Err(e) = contract().validate(Schema::DocumentFile, &file) {
        panic!("{e}\n{file:#}");
    }
    file
}

fn sanctions(line: &Value) -> Value {
    line["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "aml.sanctions_screening")
        .cloned()
        .expect("sanctions check")
}

#[test]
fn approve_reopen_escalate_and_the_refusals() {
    let dir = TempDir::new("review-flow");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let lines = scan(&["--store", store, &doc("consent-form-unsigned.txt")]);
    assert_eq!(lines[0]["decision"], "manual_review");
    let case = lines[0]["document_id"].as_str().expect("id");
    assert_eq!(open_case_ids(store), vec![case.to_string()]);

    let approved = review(store, case, "approve", &[]);
    let file = &approved["case_file"];
    assert_eq!(file["case"]["status"], "closed");
    assert_eq!(file["case"]["resolution"], "approved");
    assert_eq!(file["case"]["revision"], 1);
    assert_eq!(file["events"][0]["action"], "approve");
    assert_eq!(file["events"][0]["reviewer"], "ana.reviewer");
    assert_eq!(file["events"][0]["from"], "open");
    assert_eq!(file["events"][0]["to"], "closed");
    assert!(open_case_ids(store).is_empty(), "a closed case is not open");

    // A closed case is not decided again without being reopened.
    let again = review_output(store, case, "approve", &[]);
    assert_exit(&again, REFUSED, "approving a closed case");
    assert!(
        stderr(&again).contains("reopen it first"),
        "{}",
        describe(&again)
    );
    assert!(stdout(&again).is_empty());
    let reject = review_output(store, case, "reject", &[]);
    assert_exit(&reject, REFUSED, "rejecting a closed case");

    let reopened = review(store, case, "reopen", &[]);
    assert_eq!(reopened["case_file"]["case"]["status"], "open");
    assert_eq!(open_case_ids(store), vec![case.to_string()]);
    let reopen_again = review_output(store, case, "reopen", &[]);
    assert_exit(&reopen_again, REFUSED, "reopening an open case");

    let escalated = review(store, case, "escalate", &[]);
    assert_eq!(escalated["case_file"]["case"]["status"], "escalated");
    assert_eq!(
        open_case_ids(store),
        vec![case.to_string()],
        "escalated is still open"
    );
    let twice = review_output(store, case, "escalate", &[]);
    assert_exit(&twice, REFUSED, "escalating twice");
    assert!(stderr(&twice).contains("already escalated"));

    let rejected = review(store, case, "reject", &[]);
    assert_eq!(rejected["case_file"]["case"]["resolution"], "rejected");

    // The whole history, oldest first; the audit record itself is unchanged.
    let file = show(store, case);
    let actions: Vec<&str> = file["case"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["approve", "reopen", "escalate", "reject"]);
    assert_eq!(file["record"]["decision"], "manual_review");
    let text = compliance(&["audit", "show", case, "--store", store]);
    assert!(stdout(&text).contains("#4"), "{}", describe(&text));

    // The human-readable outcome.
    let text = compliance(&[
        "review",
        case,
        "--decision",
        "reopen",
        "--reason",
        "new information",
        "--reviewer",
        "lead",
        "--store",
        store,
    ]);
    assert_exit(&text, 0, "review");
    assert!(
        stdout(&text).contains("reopen recorded by lead"),
        "{}",
        describe(&text)
    );

    // Malformed requests.
    let empty_reason = compliance(&[
        "review",
        case,
        "--decision",
        "approve",
        "--reason",
        " ",
        "--reviewer",
        "ana",
        "--store",
        store,
    ]);
    assert_exit(&empty_reason, REFUSED, "an empty reason");
    let unknown = review_output(store, "0123456789abcdef0123456789abcdef", "approve", &[]);
    assert_exit(&unknown, 1, "an unknown case");
    let bad = review_output(store, case, "maybe", &[]);
    assert_exit(&bad, 2, "an unknown decision");
    let half = review_output(store, case, "false-positive", &["--list", "ofac_sdn"]);
    assert_exit(&half, 2, "--list without --entry");
    let misplaced = review_output(store, case, "approve", &["--list", "a", "--entry", "b"]);
    assert_exit(&misplaced, 2, "a hit on an approval");
    // The help documents the code.
    let help = compliance(&["review", "--help"]);
    assert!(stdout(&help).contains("4  review refused"));
}

#[test]
fn a_false_positive_suppresses_the_hit_on_the_customer_s_next_document() {
    let dir = TempDir::new("review-false-positive");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let application = doc("kyc-application-moreno.txt");
    let first = scan(&["--store", store, "--customer", "C-FP", &application]);
    assert_eq!(sanctions(&first[0])["status"], "fail");
    let case = first[0]["document_id"].as_str().expect("id");
    let file = show(store, case);
    let hits = file["case"]["case"]["hits"]
        .as_array()
        .expect("hits")
        .clone();
    assert!(!hits.is_empty(), "{file:#}");
    let list = hits[0]["list"].as_str().expect("list");
    let entry = hits[0]["entry_id"].as_str().expect("entry");

    let cleared = review(
        store,
        case,
        "false-positive",
        &["--list", list, "--entry", entry],
    );
    let event = &cleared["case_file"]["events"][0];
    assert_eq!(event["action"], "false_positive");
    assert_eq!(event["hit"]["entry_id"], entry);
    // The case stays open: the document is still to be approved or rejected.
    assert_eq!(cleared["case_file"]["case"]["status"], "open");
    let wrong = review_output(
        store,
        case,
        "false-positive",
        &["--list", list, "--entry", "no-such-entry"],
    );
    assert_exit(&wrong, REFUSED, "a hit the case does not have");

    // The same customer's document with the same hit: suppressed.
    let again = scan(&["--store", store, "--customer", "C-FP", &application]);
    let check = sanctions(&again[0]);
    if hits.len() == 1 {
        assert_eq!(check["status"], "pass", "{check:#}");
    }
    assert!(
        check["message"]
            .as_str()
            .unwrap_or("")
            .contains("suppressed"),
        "{check:#}"
    );
    // Another customer's is not.
    let other = scan(&["--store", store, "--customer", "C-OTHER", &application]);
    assert_eq!(sanctions(&other[0])["status"], "fail");

    // A case without a customer cannot remember a false positive.
    let anonymous_store = dir.path().join("anonymous.sqlite3");
    let anonymous_store = anonymous_store.to_str().expect("UTF-8");
    let anonymous = scan(&["--store", anonymous_store, &application]);
    let refused = review_output(
        anonymous_store,
        anonymous[0]["document_id"].as_str().expect("id"),
        "false-positive",
        &["--list", list, "--entry", entry],
    );
    assert_exit(&refused, REFUSED, "a false positive without a customer");
}

#[test]
fn the_customer_view_follows_a_reviewer_s_approval() {
    let dir = TempDir::new("review-customer");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let lines = scan(&[
        "--store",
        store,
        "--customer",
        "C-R",
        &doc("passport-nld-number-format.txt"),
    ]);
    assert_eq!(lines[0]["decision"], "manual_review");
    let case = lines[0]["document_id"].as_str().expect("id");
    let customer = |store: &str| {
        let out = compliance(&["customer", "show", "C-R", "--json", "--store", store]);
        assert_exit(&out, 0, "customer show");
        let view: Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
        if let Err(e) = contract().validate(Schema::Customer, &view) {
            panic!("{e}\n{view:#}");
        }
        view
    };
    let before = customer(store);
    assert_eq!(before["status"], "needs_review", "{before:#}");
    assert_eq!(before["documents"][0]["decision"], "manual_review");

    let outcome = review(store, case, "approve", &[]);
    assert_eq!(outcome["customer"]["customer_id"], "C-R", "{outcome:#}");
    let after = customer(store);
    assert_eq!(after["documents"][0]["decision"], "approved", "{after:#}");
    assert_ne!(after["status"], "needs_review", "{after:#}");
    assert!(after["revision"].as_u64() > before["revision"].as_u64());

    // Scanning the same file again finds the closed case: the reviewer's decision still
    // stands for the customer.
    let rescan = scan(&[
        "--store",
        store,
        "--customer",
        "C-R",
        &doc("passport-nld-number-format.txt"),
    ]);
    assert_eq!(rescan[0]["document_id"].as_str(), Some(case));
    let rescanned = customer(store);
    assert_eq!(
        rescanned["documents"][0]["decision"], "approved",
        "{rescanned:#}"
    );
    assert_eq!(rescanned["status"], after["status"]);

    // Reopened, the pipeline's decision stands again.
    review(store, case, "reopen", &[]);
    let reopened = customer(store);
    assert_eq!(reopened["documents"][0]["decision"], "manual_review");
    assert_eq!(reopened["status"], "needs_review");
}
