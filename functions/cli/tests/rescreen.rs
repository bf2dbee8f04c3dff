//! `compliance rescreen` on the local store: documents scanned against one version of a
//! watchlist, then the parties they named re-screened against the entries the next version
//! adds or changes. Real sample documents; the watchlist is the bank's own CSV format.

mod common;

use std::path::Path;

use common::{assert_exit, compliance, describe, stderr, stdout, TempDir, DOCUMENTS};
use compliance_contract::{Contract, Output as Schema};
use serde_json::Value;

const HEADER: &str = "id,name,type,aliases,date_of_birth,nationality\n";
const UNRELATED: &str = "W-1,Ivan Petrovich Sidorov,individual,,1960,\n";
const LINDQVIST: &str = "W-2,Martina Sofia Lindqvist,individual,,1988,\n";
const LINDQVIST_CHANGED: &str = "W-2,Martina Sofia Lindqvist,individual,M. S. Lindqvist,1988,\n";

fn write_list(dir: &Path, rows: &[&str]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("watchlist.csv"),
        format!("{HEADER}{}", rows.concat()),
    )
    .expect("write list");
}

fn rescreen(store: &str, lists: &Path, expected_exit: i32) -> Value {
    let out = compliance(&[
        "rescreen",
        "--json",
        "--quiet",
        "--store",
        store,
        "--lists",
        lists.to_str().expect("UTF-8"),
    ]);
    assert_exit(&out, expected_exit, "rescreen");
    let value: Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}", describe(&out)));
    let contract = Contract::load().unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = contract.validate(Schema::Rescreen, &value) {
        panic!("{e}\n{value:#}");
    }
    value
}

fn record(store: &str, id: &str) -> Value {
    let out = compliance(&["audit", "show", id, "--json", "--store", store]);
    assert_exit(&out, 0, "audit show");
    serde_json::from_str(stdout(&out).trim()).expect("JSON")
}

#[test]
fn a_new_entry_matching_a_past_customer_is_recorded_and_alerted_once() {
    let dir = TempDir::new("rescreen");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let lists = dir.path().join("lists");
    write_list(&dir.path().join("lists.previous"), &[UNRELATED]);
    write_list(&lists, &[UNRELATED]);

    // Two customers' documents, screened against the first version: both approved.
    for (customer, file) in [
        ("C-7", "passport-lindqvist.txt"),
        ("C-8", "kyc-application-okafor.txt"),
    ] {
        let out = compliance(&[
            "scan",
            "--json",
            "--quiet",
            "--store",
            store,
            "--lists",
            lists.to_str().expect("UTF-8"),
            "--customer",
            customer,
            &format!("{DOCUMENTS}/{file}"),
        ]);
        assert_exit(&out, 0, "scan");
        let scanned: Value =
            serde_json::from_str(stdout(&out).lines().next().expect("a line")).expect("JSON");
        assert_eq!(scanned["decision"], "approved", "{scanned:#}");
    }

    // Nothing changed: nothing to screen, nothing recorded.
    let unchanged = rescreen(store, &lists, 0);
    assert_eq!(unchanged["changed_entries"], 0, "{unchanged:#}");
    assert_eq!(unchanged["hits"], 0);

    // The update adds W-2, who is the passport's holder.
    std::fs::rename(&lists, dir.path().join("lists.previous")).ok();
    std::fs::remove_dir_all(dir.path().join("lists.previous")).expect("rm");
    write_list(&dir.path().join("lists.previous"), &[UNRELATED]);
    write_list(&lists, &[UNRELATED, LINDQVIST]);
    let first = rescreen(store, &lists, 3);
    assert_eq!(first["changed_entries"], 1, "{first:#}");
    assert_eq!(first["subjects"], 2, "both documents' parties");
    assert_eq!(first["hits"], 1);
    assert_eq!(first["new_records"], 1);
    assert_eq!(first["alerts_published"], 1);
    let id = first["records"][0].as_str().expect("record id").to_string();
    let hit = record(store, &id);
    let stored = &hit["record"];
    let contract = Contract::load().unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = contract.validate(Schema::AuditRecord, stored) {
        panic!("{e}\n{stored:#}");
    }
    assert_eq!(stored["decision"], "manual_review", "{stored:#}");
    assert_eq!(stored["customer"]["id"], "C-7");
    assert_eq!(stored["rescreen"]["changed_entries"], 1);
    assert!(stored["lists"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["id"] == "custom:watchlist"));
    assert_eq!(hit["case"]["case"]["status"], "open", "{hit:#}");
    // The document's reading stays masked (the list's own entry names itself in the evidence).
    let names = stored["fields"]["names"].to_string();
    assert!(
        names.contains("M****") && !names.contains("Lindqvist"),
        "{names}"
    );

    // Run again for the same lists: found, not recorded or alerted again.
    let again = rescreen(store, &lists, 0);
    assert_eq!(again["hits"], 1, "{again:#}");
    assert_eq!(again["new_records"], 0);
    assert_eq!(again["alerts_published"], 0);

    // The reviewer clears W-2 for C-7; W-2 then changes: the clearance still holds.
    let out = compliance(&[
        "customer",
        "false-positive",
        "C-7",
        "--store",
        store,
        "--list",
        "custom:watchlist",
        "--entry",
        "W-2",
        "--reviewer",
        "analyst@bank.example",
        "--reason",
        "different person: date of birth and nationality differ on file",
    ]);
    assert_exit(&out, 0, "false-positive");
    std::fs::remove_dir_all(dir.path().join("lists.previous")).expect("rm");
    std::fs::rename(&lists, dir.path().join("lists.previous")).expect("mv");
    write_list(&lists, &[UNRELATED, LINDQVIST_CHANGED]);
    let cleared = rescreen(store, &lists, 0);
    assert_eq!(cleared["changed_entries"], 1, "{cleared:#}");
    assert_eq!(cleared["hits"], 0, "suppressed: {cleared:#}");
}

#[test]
fn without_previous_lists_it_says_what_to_pass() {
    let dir = TempDir::new("rescreen-no-previous");
    let lists = dir.path().join("lists");
    write_list(&lists, &[UNRELATED]);
    let store = dir.path().join("audit.sqlite3");
    let out = compliance(&[
        "rescreen",
        "--store",
        store.to_str().unwrap(),
        "--lists",
        lists.to_str().unwrap(),
    ]);
    assert_exit(&out, 2, "rescreen without previous lists");
    assert!(stderr(&out).contains("--previous"), "{}", describe(&out));
}
