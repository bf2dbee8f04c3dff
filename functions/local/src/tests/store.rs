//! Tests of the case and query side of the local store, and of migrating a store written by
//! an earlier version.

use chrono::{Duration, TimeZone, Utc};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::case::{Case, CaseStatus, ReviewAction, ReviewRequest};
use compliance_core::customer::{CustomerContext, CustomerIdSource, CustomerRef};
use compliance_core::ports::{AuditQuery, AuditStore, CaseStore};
use compliance_core::query::{PageRequest, RecordQuery};
use compliance_core::{Pipeline, SourceRef};
use rusqlite::{params, Connection};

use crate::SqliteAuditStore;

/// The schema of stores written before cases and queries (`git show` of the version before).
/// The store's schema as shipped before cases and queries: stores made with it must migrate.
const OLD_SCHEMA: &str = include_str!("../../tests/fixtures/store-schema-v3.sql");

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/documents");

fn pipeline() -> Pipeline {
    let key = compliance_core::customer::IdentityKey::from_text(&"ab".repeat(32)).unwrap();
    Pipeline::with_defaults().unwrap().with_identity_key(key)
}

fn judge(pipeline: &Pipeline, file: &str, customer: Option<&str>, minutes: i64) -> AuditRecord {
    let path = format!("{SAMPLES}/{file}");
    let bytes = std::fs::read(&path).unwrap();
    let context = CustomerContext {
        customer: CustomerRef {
            id: customer.map(str::to_string),
            source: customer.map(|_| CustomerIdSource::CommandLine),
            problem: None,
        },
        false_positives: Vec::new(),
    };
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::minutes(minutes);
    pipeline
        .assess_for(SourceRef::file(&path, None), Ok(&bytes), &context, at)
        .record
}

const FILES: [&str; 5] = [
    "passport-lindqvist.txt",
    "consent-form-unsigned.txt",
    "kyc-application-moreno.txt",
    "empty-upload.txt",
    "bank-statement-invalid-iban.txt",
];

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    futures_executor::block_on(f)
}

fn all_summaries(store: &SqliteAuditStore, query: &RecordQuery, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(limit);
    loop {
        let got = block(store.query_records(query, &page)).unwrap();
        assert!(got.items.len() <= limit);
        out.extend(got.items.iter().map(|s| s.document.clone()));
        match got.next {
            Some(next) => page.cursor = Some(next),
            None => return out,
        }
    }
}

#[test]
fn queries_page_newest_first_and_agree_with_the_query_semantics() {
    let store = SqliteAuditStore::in_memory().unwrap();
    let pipeline = pipeline();
    let records: Vec<AuditRecord> = FILES
        .iter()
        .enumerate()
        .map(|(i, f)| judge(&pipeline, f, (i % 2 == 0).then_some("C-1"), i as i64))
        .collect();
    for r in &records {
        block(store.put_new(r)).unwrap();
    }
    let newest_first: Vec<String> = records.iter().rev().map(|r| r.document.clone()).collect();
    for limit in [1, 2, 3, 50] {
        assert_eq!(
            all_summaries(&store, &RecordQuery::default(), limit),
            newest_first
        );
    }
    let key = pipeline.identity_key.clone().unwrap();
    let queries = [
        RecordQuery {
            decision: Some(Decision::ManualReview),
            ..Default::default()
        },
        RecordQuery {
            customer_id: Some("C-1".into()),
            ..Default::default()
        },
        RecordQuery {
            check_id: Some("gdpr.consent".into()),
            ..Default::default()
        },
        RecordQuery {
            since: Some(records[1].processed_at),
            until: Some(records[3].processed_at),
            ..Default::default()
        },
        RecordQuery::default().with_name("sofia lindqvist", &key),
        RecordQuery::default().with_name("martina okafor", &key),
    ];
    for query in &queries {
        let expected: Vec<String> = records
            .iter()
            .rev()
            .filter(|r| query.matches(r))
            .map(|r| r.document.clone())
            .collect();
        assert_eq!(all_summaries(&store, query, 1), expected, "{query:?}");
    }
    assert_eq!(
        all_summaries(&store, &queries[4], 10).len(),
        1,
        "the passport holder is found by name"
    );
    assert!(all_summaries(&store, &queries[5], 10).is_empty());

    let bad = block(store.query_records(
        &RecordQuery::default(),
        &PageRequest {
            limit: 1,
            cursor: Some("not-a-cursor".into()),
        },
    ));
    let err = bad.unwrap_err();
    assert_eq!(err.retry, compliance_core::ports::Retry::Permanent);
    assert!(err.message.contains("invalid cursor"), "{err}");
}

#[test]
fn the_latest_scan_is_the_record_and_every_scan_is_listed() {
    let store = SqliteAuditStore::in_memory().unwrap();
    let pipeline = pipeline();
    let first = judge(&pipeline, "consent-form-unsigned.txt", None, 0);
    let second = judge(&pipeline, "consent-form-unsigned.txt", None, 5);
    assert_eq!(first.document_id, second.document_id);
    block(store.put_new(&first)).unwrap();
    block(store.put_new(&second)).unwrap();
    let latest = block(store.record(&first.document_id)).unwrap().unwrap();
    assert_eq!(latest.processed_at, second.processed_at);
    assert_eq!(all_summaries(&store, &RecordQuery::default(), 1).len(), 2);
    assert!(block(store.record("nope")).unwrap().is_none());
}

#[test]
fn cases_open_once_and_reviews_from_a_stale_revision_lose() {
    let store = SqliteAuditStore::in_memory().unwrap();
    let pipeline = pipeline();
    let mut opened = Vec::new();
    for (i, file) in FILES.iter().enumerate() {
        // Judged in reverse order of time: the oldest case is the last file.
        let record = judge(&pipeline, file, Some("C-1"), 10 - i as i64);
        if let Some(case) = Case::open(&record) {
            assert!(block(store.open_case(&case)).unwrap());
            assert!(!block(store.open_case(&case)).unwrap(), "a case opens once");
            opened.push(case);
        }
    }
    assert!(opened.len() >= 3);
    let mut oldest_first = opened.clone();
    oldest_first.sort_by_key(|c| c.opened_at);
    let mut listed = Vec::new();
    let mut page = PageRequest::first(1);
    loop {
        let got = block(store.open_cases(&page)).unwrap();
        listed.extend(got.items.into_iter().map(|c| c.case_id));
        match got.next {
            Some(n) => page.cursor = Some(n),
            None => break,
        }
    }
    let expected: Vec<String> = oldest_first.iter().map(|c| c.case_id.clone()).collect();
    assert_eq!(listed, expected);

    let case = &oldest_first[0];
    let approve = ReviewRequest {
        action: ReviewAction::Approve,
        reviewer: "ana".into(),
        reason: "checked".into(),
        hit: None,
    };
    let (next, event) = case.apply(&approve, Utc::now()).unwrap();
    assert!(block(store.record_review(&next, &event)).unwrap());
    // The same review again (a second reviewer who read revision 0) loses, and leaves nothing.
    assert!(!block(store.record_review(&next, &event)).unwrap());
    let stored = block(store.case(&case.case_id)).unwrap().unwrap();
    assert_eq!(stored.status, CaseStatus::Closed);
    assert_eq!(stored.revision, 1);
    assert_eq!(
        block(store.case_events(&case.case_id)).unwrap(),
        vec![event]
    );
    let open = block(store.open_cases(&PageRequest::first(100))).unwrap();
    assert!(open.items.iter().all(|c| c.case_id != case.case_id));
    let ids: Vec<String> = opened.iter().map(|c| c.case_id.clone()).collect();
    assert_eq!(block(store.cases(&ids)).unwrap().len(), opened.len());

    let conn = store.conn.lock().unwrap();
    assert!(conn.execute("DELETE FROM case_events", []).is_err());
    assert!(conn
        .execute("UPDATE case_events SET event = '{}'", [])
        .is_err());
}

#[test]
fn a_scratch_store_opens_no_cases() {
    let store = SqliteAuditStore::scratch().unwrap();
    let record = judge(&pipeline(), "empty-upload.txt", None, 0);
    let case = Case::open(&record).unwrap();
    assert!(block(store.open_case(&case)).unwrap());
    assert!(block(store.case(&case.case_id)).unwrap().is_none());
}

#[test]
fn a_store_of_the_earlier_schema_is_migrated_once_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let pipeline = pipeline();
    let records: Vec<AuditRecord> = FILES
        .iter()
        .enumerate()
        .map(|(i, f)| judge(&pipeline, f, (i % 2 == 0).then_some("C-9"), i as i64))
        .collect();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(OLD_SCHEMA).unwrap();
        for r in &records {
            conn.execute(
                "INSERT INTO audit_records (document_id, document, sha256, doc_type, decision, processed_at, rules_version, alert_status, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'sent', ?8)",
                params![
                    r.document_id,
                    r.document,
                    r.sha256,
                    r.doc_type.as_str(),
                    r.decision.as_str(),
                    r.processed_at.to_rfc3339(),
                    r.rules_version,
                    serde_json::to_string(r).unwrap(),
                ],
            )
            .unwrap();
        }
    }
    let key = pipeline.identity_key.clone().unwrap();
    let name = RecordQuery::default().with_name("LINDQVIST martina", &key);
    let customer = RecordQuery {
        customer_id: Some("C-9".into()),
        ..Default::default()
    };
    let failed = RecordQuery {
        check_id: Some("kyc.financial_identifiers".into()),
        ..Default::default()
    };
    for _ in 0..2 {
        let store = SqliteAuditStore::open(&path).unwrap();
        assert_eq!(all_summaries(&store, &name, 5).len(), 1);
        assert_eq!(all_summaries(&store, &customer, 5).len(), 3);
        assert_eq!(all_summaries(&store, &failed, 5).len(), 1);
        assert_eq!(all_summaries(&store, &RecordQuery::default(), 2).len(), 5);
        let open = block(store.open_cases(&PageRequest::first(50))).unwrap();
        let expected = records.iter().filter(|r| Case::open(r).is_some()).count();
        assert_eq!(open.items.len(), expected);
        // Backfilled once: the side tables hold one row per check, not one per open.
        let conn = store.conn.lock().unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, super::SCHEMA_VERSION);
        let checks: i64 = conn
            .query_row("SELECT COUNT(*) FROM record_checks", [], |r| r.get(0))
            .unwrap();
        let expected: usize = records.iter().map(|r| r.failed_checks().count()).sum();
        assert_eq!(checks as usize, expected);
    }
    // New records after the migration are indexed as they are written.
    let store = SqliteAuditStore::open(&path).unwrap();
    let again = judge(&pipeline, "passport-lindqvist.txt", None, 60);
    block(store.put_new(&again)).unwrap();
    assert_eq!(all_summaries(&store, &name, 5).len(), 2);
}
