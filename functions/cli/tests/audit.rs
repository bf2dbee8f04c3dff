//! `compliance audit list|show|export` on the local store, over the sample documents scanned
//! with the built binary. Every expectation is derived from the `scan --json` output.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{assert_exit, compliance, describe, stderr, stdout, TempDir, DOCUMENTS};
use compliance_contract::{Contract, Output as Schema};
use serde_json::Value;

fn doc(relative: &str) -> String {
    format!("{DOCUMENTS}/{relative}")
}

fn contract() -> Contract {
    Contract::load().unwrap_or_else(|e| panic!("{e}"))
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn scan(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["scan", "--json", "--quiet"];
    all.extend_from_slice(args);
    let out = compliance(&all);
    assert_exit(&out, 0, "scan");
    json_lines(&stdout(&out))
}

/// A row of the audit trail: one scan of one document version.
type Row = (String, String);

fn row(v: &Value) -> Row {
    (
        v["document_id"].as_str().expect("document_id").to_string(),
        v["processed_at"]
            .as_str()
            .expect("processed_at")
            .to_string(),
    )
}

fn failed_checks(line: &Value) -> Vec<String> {
    line["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

/// Every page of `audit list --json` with these arguments, following the cursors printed on
/// standard error; each line checked against the record summary schema.
fn list_all(store: &str, args: &[&str], limit: usize) -> Vec<Value> {
    let contract = contract();
    let limit = limit.to_string();
    let mut cursor: Option<String> = None;
    let mut all = Vec::new();
    for _ in 0..1000 {
        let mut argv = vec![
            "audit", "list", "--json", "--store", store, "--limit", &limit,
        ];
        argv.extend_from_slice(args);
        if let Some(c) = &cursor {
            argv.extend_from_slice(&["--cursor", c]);
        }
        let out = compliance(&argv);
        assert_exit(&out, 0, "audit list");
        let lines = json_lines(&stdout(&out));
        assert!(lines.len() <= limit.parse().expect("limit"));
        let schema = if args.contains(&"--open") {
            Schema::OpenCase
        } else {
            Schema::RecordSummary
        };
        for l in &lines {
            if let Err(e) = contract.validate(schema, l) {
                panic!("{e}\n{l:#}");
            }
        }
        all.extend(lines);
        cursor = next_cursor(&stderr(&out));
        if cursor.is_none() {
            return all;
        }
    }
    panic!("the pages never ended");
}

fn next_cursor(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .find_map(|l| l.split("--cursor ").nth(1))
        .map(|c| c.trim().to_string())
}

fn rows(values: &[Value]) -> BTreeSet<Row> {
    values.iter().map(row).collect()
}

struct Scanned {
    _dir: TempDir,
    store: String,
    lines: Vec<Value>,
}

/// Every sample document, then two of them again for customer C-1 (a second scan of the same
/// file is a second entry of the local trail).
fn scanned(label: &str) -> Scanned {
    let dir = TempDir::new(label);
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8").to_string();
    let mut lines = scan(&["--store", &store, DOCUMENTS]);
    lines.extend(scan(&[
        "--store",
        &store,
        "--customer",
        "C-1",
        &doc("passport-lindqvist.txt"),
        &doc("consent-form-unsigned.txt"),
    ]));
    Scanned {
        _dir: dir,
        store,
        lines,
    }
}

#[test]
fn every_filter_finds_exactly_the_expected_records() {
    let s = scanned("audit-filters");
    let all = list_all(&s.store, &[], 1000);
    assert_eq!(all.len(), s.lines.len());
    assert_eq!(rows(&all), rows(&s.lines));
    // Newest first.
    let times: Vec<&str> = all
        .iter()
        .map(|v| v["processed_at"].as_str().expect("time"))
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::FixedOffset>> = times
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("RFC 3339"))
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "{times:#?}");

    let expect = |pred: &dyn Fn(&Value) -> bool| -> BTreeSet<Row> {
        s.lines.iter().filter(|l| pred(l)).map(row).collect()
    };
    let mut checked = 0;
    for decision in ["approved", "manual_review", "rejected", "unreadable"] {
        let want = expect(&|l| l["decision"] == decision);
        assert!(!want.is_empty(), "the samples have every decision");
        let got = list_all(&s.store, &["--decision", decision], 1000);
        assert_eq!(rows(&got), want, "--decision {decision}");
        checked += 1;
    }
    let types: BTreeSet<String> = s
        .lines
        .iter()
        .map(|l| l["doc_type"].as_str().expect("type").to_string())
        .collect();
    for t in &types {
        let got = list_all(&s.store, &["--type", t], 1000);
        assert_eq!(
            rows(&got),
            expect(&|l| l["doc_type"] == t.as_str()),
            "--type {t}"
        );
        checked += 1;
    }
    let checks: BTreeSet<String> = s.lines.iter().flat_map(failed_checks).collect();
    assert!(checks.len() >= 5);
    for c in &checks {
        let got = list_all(&s.store, &["--check", c], 1000);
        assert_eq!(
            rows(&got),
            expect(&|l| failed_checks(l).contains(c)),
            "--check {c}"
        );
        checked += 1;
    }
    let got = list_all(&s.store, &["--customer", "C-1"], 1000);
    assert_eq!(got.len(), 2);
    assert_eq!(rows(&got), expect(&|l| l["customer"]["id"] == "C-1"));
    assert!(got.iter().all(|v| v["customer_id"] == "C-1"));
    // Criteria combine.
    let got = list_all(
        &s.store,
        &["--customer", "C-1", "--decision", "manual_review"],
        1000,
    );
    assert_eq!(
        rows(&got),
        expect(&|l| l["customer"]["id"] == "C-1" && l["decision"] == "manual_review")
    );
    assert_eq!(got.len(), 1);

    // Time range: --since inclusive, --until exclusive, at a scan's own time.
    let mut sorted: Vec<&Value> = s.lines.iter().collect();
    sorted.sort_by_key(|l| {
        chrono::DateTime::parse_from_rfc3339(l["processed_at"].as_str().expect("time"))
            .expect("RFC 3339")
    });
    let middle = sorted[sorted.len() / 2]["processed_at"]
        .as_str()
        .expect("time")
        .to_string();
    let at = |l: &Value| {
        chrono::DateTime::parse_from_rfc3339(l["processed_at"].as_str().expect("time"))
            .expect("RFC 3339")
    };
    let pivot = chrono::DateTime::parse_from_rfc3339(&middle).expect("RFC 3339");
    let since = list_all(&s.store, &["--since", &middle], 1000);
    assert_eq!(rows(&since), expect(&|l| at(l) >= pivot));
    let until = list_all(&s.store, &["--until", &middle], 1000);
    assert_eq!(rows(&until), expect(&|l| at(l) < pivot));
    assert_eq!(since.len() + until.len(), s.lines.len());
    // A day: the start of that day in UTC.
    let today = chrono::Utc::now().date_naive().to_string();
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    assert_eq!(
        list_all(&s.store, &["--since", &today, "--until", &tomorrow], 1000).len(),
        s.lines.len()
    );
    assert!(list_all(&s.store, &["--until", &today], 1000).is_empty());
    assert!(checked > 10);

    // Mistakes are usage errors.
    for bad in [
        vec!["--decision", "maybe"],
        vec!["--type", "letter"],
        vec!["--since", "yesterday"],
        vec!["--customer", "a b"],
        vec!["--since", &tomorrow, "--until", &today],
        vec!["--limit", "0"],
    ] {
        let mut argv = vec!["audit", "list", "--store", &s.store];
        argv.extend(bad.iter().copied());
        assert_exit(&compliance(&argv), 2, &format!("audit list {bad:?}"));
    }
    let cursor = compliance(&["audit", "list", "--store", &s.store, "--cursor", "zz"]);
    assert_exit(&cursor, 1, "a cursor this store never issued");
    assert!(
        stderr(&cursor).contains("invalid cursor"),
        "{}",
        describe(&cursor)
    );
    let missing = compliance(&["audit", "list", "--store", "/nonexistent/audit.sqlite3"]);
    assert_exit(&missing, 2, "no store");
}

#[test]
fn pages_of_one_return_every_record_once_and_the_open_cases_oldest_first() {
    let s = scanned("audit-pages");
    let paged = list_all(&s.store, &[], 1);
    assert_eq!(paged.len(), s.lines.len());
    assert_eq!(rows(&paged), rows(&s.lines), "every record once");
    let whole = list_all(&s.store, &[], 1000);
    let paged_order: Vec<Row> = paged.iter().map(row).collect();
    let whole_order: Vec<Row> = whole.iter().map(row).collect();
    assert_eq!(paged_order, whole_order, "pages keep the order");

    // The table says the same, one line per record plus its header.
    let table = compliance(&["audit", "list", "--store", &s.store, "--limit", "3"]);
    assert_exit(&table, 0, "audit list");
    let text = stdout(&table);
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.starts_with("PROCESSED"), "{text}");
    assert!(stderr(&table).contains("--cursor "));

    // Open cases: one per document version not approved outright, oldest first.
    let open = list_all(&s.store, &["--open"], 2);
    let ids: Vec<&str> = open
        .iter()
        .map(|c| c["case_id"].as_str().expect("case id"))
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "each case once");
    let expected: BTreeSet<&str> = s
        .lines
        .iter()
        .filter(|l| l["decision"] != "approved")
        .map(|l| l["document_id"].as_str().expect("id"))
        .collect();
    assert_eq!(unique, expected);
    let opened: Vec<chrono::DateTime<chrono::FixedOffset>> = open
        .iter()
        .map(|c| {
            chrono::DateTime::parse_from_rfc3339(c["opened_at"].as_str().expect("opened_at"))
                .expect("RFC 3339")
        })
        .collect();
    assert!(opened.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    assert!(open
        .iter()
        .all(|c| c["status"] == "open" && c["age_seconds"].as_i64().is_some_and(|a| a >= 0)));
    let table = compliance(&["audit", "list", "--open", "--store", &s.store]);
    assert_exit(&table, 0, "audit list --open");
    assert_eq!(stdout(&table).lines().count(), expected.len() + 1);
    let conflicting = compliance(&["audit", "list", "--open", "--decision", "rejected"]);
    assert_exit(&conflicting, 2, "--open with a record filter");
}

#[test]
fn a_name_finds_its_holder_in_any_order_and_case_and_nobody_else() {
    let dir = TempDir::new("audit-name");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let lines = scan(&["--store", store, DOCUMENTS]);
    let id_of = |file: &str| {
        lines
            .iter()
            .find(|l| l["document"].as_str().is_some_and(|d| d.ends_with(file)))
            .map(|l| l["document_id"].as_str().expect("id").to_string())
            .unwrap_or_else(|| panic!("no {file}"))
    };
    let lindqvist = id_of("passport-lindqvist.txt");
    // The passport prints LINDQVIST, MARTINA SOFIA.
    let found = list_all(store, &["--name", "sofia lindqvist"], 1000);
    let ids: BTreeSet<String> = found
        .iter()
        .map(|v| v["document_id"].as_str().expect("id").to_string())
        .collect();
    assert!(ids.contains(&lindqvist), "{found:#?}");
    for other in [
        "passport-deu-brandt.txt",
        "kyc-application-okafor.txt",
        "passport-nld-number-format.txt",
        "customers/okafor-utility-bill.txt",
    ] {
        assert!(
            !ids.contains(&id_of(other)),
            "{other} found by Lindqvist's name"
        );
    }
    let passports = list_all(
        store,
        &["--name", "LINDQVIST Martina", "--type", "passport"],
        1000,
    );
    assert_eq!(rows(&passports).len(), 1);
    assert_eq!(passports[0]["document_id"], lindqvist.as_str());
    // Every word must be in one name.
    assert!(list_all(store, &["--name", "sofia okafor"], 1000).is_empty());
    // The name is never written anywhere in clear, and initials alone search nothing.
    let initials = compliance(&["audit", "list", "--store", store, "--name", "M S"]);
    assert_exit(&initials, 2, "a name of initials only");
}

#[test]
fn show_gives_the_record_and_its_case() {
    let s = scanned("audit-show");
    let contract = contract();
    let approved = s
        .lines
        .iter()
        .find(|l| l["decision"] == "approved")
        .expect("an approved document");
    let reviewed = s
        .lines
        .iter()
        .find(|l| l["decision"] == "manual_review")
        .expect("a document for review");
    for (line, has_case) in [(approved, false), (reviewed, true)] {
        let id = line["document_id"].as_str().expect("id");
        let out = compliance(&["audit", "show", id, "--json", "--store", &s.store]);
        assert_exit(&out, 0, "audit show --json");
        let file: Value = serde_json::from_str(stdout(&out).trim()).expect("one object");
        if let Err(e) = contract.validate(Schema::DocumentFile, &file) {
            panic!("{e}\n{file:#}");
        }
        assert_eq!(file["record"]["document_id"], id);
        assert_eq!(file["record"]["decision"], line["decision"]);
        assert_eq!(file["case"].is_object(), has_case, "{file:#}");
        if has_case {
            assert_eq!(file["case"]["case"]["status"], "open");
            assert_eq!(file["case"]["events"], serde_json::json!([]));
        }
        let text = compliance(&["audit", "show", id, "--store", &s.store]);
        assert_exit(&text, 0, "audit show");
        let text = stdout(&text);
        assert!(text.contains(line["document"].as_str().expect("document")));
        assert!(text.contains(if has_case {
            "no reviewer action yet"
        } else {
            "case: none"
        }));
    }
    let missing = compliance(&["audit", "show", "0000", "--store", &s.store]);
    assert_exit(&missing, 1, "audit show of an unknown document");
}

#[test]
fn exports_hold_one_row_per_record_and_valid_audit_records() {
    let s = scanned("audit-export");
    let out = compliance(&["audit", "export", "--format", "csv", "--store", &s.store]);
    assert_exit(&out, 0, "audit export csv");
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "document_id");
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    assert_eq!(records.len(), s.lines.len(), "one row per record");
    let exported: BTreeSet<Row> = records
        .iter()
        .map(|r| {
            (
                r[column("document_id")].to_string(),
                r[column("processed_at")].to_string(),
            )
        })
        .collect();
    let expected_ids: BTreeMap<&str, usize> = s.lines.iter().fold(BTreeMap::new(), |mut m, l| {
        *m.entry(l["document_id"].as_str().expect("id")).or_default() += 1;
        m
    });
    let exported_ids: BTreeMap<&str, usize> = records.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(&r[column("document_id")]).or_default() += 1;
        m
    });
    assert_eq!(exported_ids, expected_ids);
    assert_eq!(exported.len(), s.lines.len());
    for line in &s.lines {
        let r = records
            .iter()
            .find(|r| r[column("document_id")] == *line["document_id"].as_str().expect("id"))
            .expect("exported");
        assert_eq!(
            &r[column("decision")],
            line["decision"].as_str().expect("d")
        );
        assert_eq!(
            &r[column("doc_type")],
            line["doc_type"].as_str().expect("t")
        );
        assert_eq!(
            r[column("failed_checks")].to_string(),
            failed_checks(line).join(";")
        );
    }
    // Filters apply to exports too.
    let reviewed = compliance(&[
        "audit",
        "export",
        "--format",
        "csv",
        "--decision",
        "manual_review",
        "--store",
        &s.store,
    ]);
    let n = csv::Reader::from_reader(reviewed.stdout.as_slice())
        .records()
        .count();
    assert_eq!(
        n,
        s.lines
            .iter()
            .filter(|l| l["decision"] == "manual_review")
            .count()
    );

    // JSON lines: whole audit records, one per document (its latest scan), to a file.
    let file = s._dir.path().join("export.jsonl");
    let out = compliance(&[
        "audit",
        "export",
        "--format",
        "json",
        "--output",
        file.to_str().expect("UTF-8"),
        "--store",
        &s.store,
    ]);
    assert_exit(&out, 0, "audit export json");
    assert!(stdout(&out).is_empty());
    let text = std::fs::read_to_string(&file).expect("export file");
    let lines = json_lines(&text);
    let contract = contract();
    for l in &lines {
        if let Err(e) = contract.validate(Schema::AuditRecord, l) {
            panic!("{e}\n{l:#}");
        }
    }
    let ids: BTreeSet<&str> = lines
        .iter()
        .map(|l| l["document_id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), lines.len(), "one record per document");
    assert_eq!(ids, expected_ids.keys().copied().collect());
    assert!(stderr(&out).contains("earlier scan"), "{}", describe(&out));
}

/// The schema of stores written before cases and queries, as `git show` of that version has it.
const OLD_SCHEMA: &str = include_str!("../../local/tests/fixtures/store-schema-v3.sql");

#[test]
fn a_store_written_by_the_earlier_version_is_migrated_and_queried() {
    let s = scanned("audit-migration");
    // The records as stored, oldest first, written into a store of the earlier schema in the
    // same folder (so with the same identity key).
    let out = compliance(&["records", "--json", "--limit", "1000", "--store", &s.store]);
    assert_exit(&out, 0, "records");
    let mut records = json_lines(&stdout(&out));
    records.reverse();
    assert_eq!(records.len(), s.lines.len());
    let old = s._dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&old).expect("open");
        conn.execute_batch(OLD_SCHEMA).expect("old schema");
        for r in &records {
            conn.execute(
                "INSERT INTO audit_records (document_id, document, sha256, doc_type, decision, processed_at, rules_version, alert_status, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    r["document_id"].as_str(),
                    r["document"].as_str(),
                    r["sha256"].as_str(),
                    r["doc_type"].as_str(),
                    r["decision"].as_str(),
                    chrono::DateTime::parse_from_rfc3339(r["processed_at"].as_str().expect("t"))
                        .expect("RFC 3339")
                        .with_timezone(&chrono::Utc)
                        .to_rfc3339(),
                    r["rules_version"].as_str(),
                    r["alert"]["status"].as_str(),
                    r.to_string(),
                ],
            )
            .expect("insert");
        }
    }
    let old = old.to_str().expect("UTF-8");
    // Twice: the second open finds it migrated.
    for _ in 0..2 {
        let all = list_all(old, &[], 7);
        assert_eq!(rows(&all), rows(&s.lines));
        let check = "gdpr.consent";
        let got = list_all(old, &["--check", check], 1000);
        let want: BTreeSet<Row> = s
            .lines
            .iter()
            .filter(|l| failed_checks(l).iter().any(|c| c == check))
            .map(row)
            .collect();
        assert_eq!(rows(&got), want);
        let got = list_all(old, &["--customer", "C-1"], 1000);
        assert_eq!(got.len(), 2);
        let got = list_all(
            old,
            &["--name", "martina lindqvist", "--type", "passport"],
            1000,
        );
        assert_eq!(got.len(), 2, "both scans of the passport");
        // The documents not approved outright have their cases, to be reviewed as any other.
        let open: BTreeSet<String> = list_all(old, &["--open"], 1000)
            .iter()
            .map(|c| c["case_id"].as_str().expect("case").to_string())
            .collect();
        let want: BTreeSet<String> = s
            .lines
            .iter()
            .filter(|l| l["decision"] != "approved")
            .map(|l| l["document_id"].as_str().expect("id").to_string())
            .collect();
        assert_eq!(open, want);
    }
    // Scanning into the migrated store goes on as before.
    scan(&["--store", old, &doc("consent-form-unsigned.txt")]);
    assert_eq!(list_all(old, &[], 1000).len(), s.lines.len() + 1);
}
