//! `compliance scan --customer` / `--customer-pattern` and `compliance customer show |
//! false-positive` on the local store, with the real sample documents.

mod common;

use common::{assert_exit, compliance, describe, stdout, TempDir, DOCUMENTS};
use compliance_contract::{Contract, Output as Schema};
use serde_json::Value;

fn doc(relative: &str) -> String {
    format!("{DOCUMENTS}/{relative}")
}

fn show(store: &str, id: &str) -> Value {
    let out = compliance(&["customer", "show", id, "--json", "--store", store]);
    assert_exit(&out, 0, "customer show");
    let view: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    let contract = Contract::load().unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = contract.validate(Schema::Customer, &view) {
        panic!("{e}\n{view:#}");
    }
    view
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

#[test]
fn passport_bill_and_consent_make_a_complete_customer_and_a_stranger_s_bill_needs_review() {
    let dir = TempDir::new("customer-complete");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let passport = doc("passport-lindqvist.txt");
    let bill = doc("customers/lindqvist-utility-bill.txt");
    let consent = doc("customers/lindqvist-consent.txt");
    let other_bill = doc("customers/okafor-utility-bill.txt");

    // One document at a time, as uploads arrive: the status follows.
    scan(&["--store", store, "--customer", "C-100", &passport]);
    let view = show(store, "C-100");
    assert_eq!(view["status"], "incomplete", "{view:#}");
    scan(&["--store", store, "--customer", "C-100", &bill, &consent]);
    let view = show(store, "C-100");
    assert_eq!(view["status"], "complete", "{view:#}");
    assert!(view["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .all(|r| r["state"] == "satisfied"));
    let names = view["agreement"]
        .as_array()
        .expect("agreement")
        .iter()
        .find(|a| a["attribute"] == "name")
        .expect("name agreement");
    assert_eq!(names["result"], "agrees");
    assert_eq!(names["documents"], 3);

    // The same documents, but the proof of address names someone else.
    let lines = scan(&[
        "--store",
        store,
        "--customer",
        "C-200",
        &passport,
        &other_bill,
        &consent,
    ]);
    assert!(lines.iter().all(|l| l["customer"]["id"] == "C-200"));
    let view = show(store, "C-200");
    assert_eq!(view["status"], "needs_review", "{view:#}");
    let reasons = view["reasons"].to_string();
    assert!(reasons.contains("name differs"), "{reasons}");
    // Reasons and stored views carry no personal data in clear.
    let stored = view.to_string();
    for clear in [
        "Lindqvist",
        "LINDQVIST",
        "Okafor",
        "Storgatan",
        "Marina Road",
    ] {
        assert!(!stored.contains(clear), "{clear} in the customer view");
    }

    // The human-readable view says the same.
    let text = compliance(&["customer", "show", "C-200", "--store", store]);
    assert_exit(&text, 0, "customer show");
    assert!(
        stdout(&text).contains("customer C-200: needs_review"),
        "{}",
        describe(&text)
    );
    assert!(stdout(&text).contains("DIFFERS"), "{}", describe(&text));

    // An unknown customer is an error, not an empty view.
    let unknown = compliance(&["customer", "show", "C-999", "--store", store]);
    assert_exit(&unknown, 1, "customer show of an unknown customer");
    let invalid = compliance(&["customer", "show", "a/b", "--store", store]);
    assert_exit(&invalid, 2, "customer show of an invalid id");
}

#[test]
fn the_folder_pattern_names_the_customer() {
    let dir = TempDir::new("customer-pattern");
    let uploads = dir.path().join("uploads");
    for (customer, file) in [
        ("C-7", "passport-lindqvist.txt"),
        ("C-7", "customers/lindqvist-utility-bill.txt"),
        ("C-8", "customers/lindqvist-consent.txt"),
    ] {
        let target = uploads.join(customer);
        std::fs::create_dir_all(&target).expect("mkdir");
        let name = std::path::Path::new(file).file_name().expect("name");
        std::fs::copy(doc(file), target.join(name)).expect("copy sample");
    }
    std::fs::write(uploads.join("loose.txt"), "Name: Nobody In Particular\n").expect("write");
    let store = dir.path().join("audit.sqlite3");
    let lines = scan(&[
        "--store",
        store.to_str().expect("UTF-8"),
        "--customer-pattern",
        "{customer_id}/{file}",
        uploads.to_str().expect("UTF-8"),
    ]);
    let customer_of = |suffix: &str| {
        lines
            .iter()
            .find(|l| l["document"].as_str().is_some_and(|d| d.ends_with(suffix)))
            .map(|l| l["customer"].clone())
            .unwrap_or_else(|| panic!("no line for {suffix}"))
    };
    assert_eq!(customer_of("passport-lindqvist.txt")["id"], "C-7");
    assert_eq!(
        customer_of("passport-lindqvist.txt")["source"],
        "key_pattern"
    );
    assert_eq!(customer_of("lindqvist-consent.txt")["id"], "C-8");
    // A file outside the pattern is processed and recorded, with no customer.
    assert!(customer_of("loose.txt").get("id").is_none());
    let store = store.to_str().expect("UTF-8");
    assert_eq!(
        show(store, "C-7")["documents"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        show(store, "C-8")["documents"].as_array().map(Vec::len),
        Some(1)
    );

    let bad = compliance(&[
        "scan",
        "--no-store",
        "--customer-pattern",
        "{file}",
        DOCUMENTS,
    ]);
    assert_exit(&bad, 2, "a pattern without {customer_id}");
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
fn two_customers_with_the_same_name_keep_separate_false_positive_memories() {
    let dir = TempDir::new("customer-false-positive");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let application = doc("kyc-application-moreno.txt");

    let first = scan(&["--store", store, "--customer", "C-A", &application]);
    assert_eq!(sanctions(&first[0])["status"], "fail");
    scan(&["--store", store, "--customer", "C-B", &application]);

    // The entry that matched, from the stored record (the scan line has no evidence).
    let records = compliance(&["records", "--json", "--limit", "1", "--store", store]);
    let record: Value = serde_json::from_str(stdout(&records).trim()).expect("record");
    let evidence = record["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "aml.sanctions_screening")
        .expect("sanctions check")["evidence"][0]
        .clone();
    let list = evidence["list"].as_str().expect("list");
    let entry = evidence["entry_id"].as_str().expect("entry");

    let cleared = compliance(&[
        "customer",
        "false-positive",
        "C-A",
        "--list",
        list,
        "--entry",
        entry,
        "--reviewer",
        "ana.reviewer",
        "--reason",
        "different person: other date of birth on the passport",
        "--store",
        store,
    ]);
    assert_exit(&cleared, 0, "customer false-positive");

    let again_a = scan(&["--store", store, "--customer", "C-A", &application]);
    let check = sanctions(&again_a[0]);
    assert_eq!(check["status"], "pass", "{check:#}");
    assert!(check["message"]
        .as_str()
        .unwrap_or("")
        .contains("suppressed"));
    let again_b = scan(&["--store", store, "--customer", "C-B", &application]);
    assert_eq!(sanctions(&again_b[0])["status"], "fail");
    // Without a customer nothing is suppressed either.
    let anonymous = scan(&["--store", store, &application]);
    assert_eq!(sanctions(&anonymous[0])["status"], "fail");

    // The decision is kept: the store refuses to change or delete it.
    let conn_check = compliance(&["customer", "show", "C-A", "--json", "--store", store]);
    assert_exit(&conn_check, 0, "customer show after the false positive");
}

#[test]
fn where_the_rules_require_a_customer_a_document_without_one_goes_to_review() {
    let dir = TempDir::new("customer-required");
    let rules = dir.path().join("rules.toml");
    let default_rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/rules.toml"
    ))
    .expect("default rules");
    let required = default_rules.replace(
        "# Enable once every upload carries a customer id: a document without one then goes to review.\nenabled = false",
        "enabled = true",
    );
    assert_ne!(required, default_rules, "the rule's switch was not found");
    std::fs::write(&rules, required).expect("write rules");
    let rules = rules.to_str().expect("UTF-8");
    let passport = doc("passport-lindqvist.txt");

    let without = scan(&["--no-store", "--rules", rules, &passport]);
    assert_eq!(without[0]["decision"], "manual_review", "{:#}", without[0]);
    let check = without[0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "kyc.customer_identified")
        .cloned()
        .expect("customer check");
    assert_eq!(check["status"], "fail");

    let with = scan(&[
        "--no-store",
        "--rules",
        rules,
        "--customer",
        "C-1",
        &passport,
    ]);
    assert_eq!(with[0]["decision"], "approved", "{:#}", with[0]);
    let invalid = compliance(&["scan", "--no-store", "--customer", "C 1", &passport]);
    assert_exit(&invalid, 2, "an invalid --customer");
}
