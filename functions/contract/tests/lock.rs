//! The contract cannot drift silently: every schema compiles, the schemas match the lock entry
//! of the current contract version, and the validator really rejects what breaks the contract.

use compliance_contract::{current_lock_entry, Contract, Output, LOCK, SCHEMAS, SCHEMA_VERSION};
use compliance_core::{Pipeline, SourceRef};
use serde_json::Value;

fn lock() -> Value {
    serde_json::from_str(LOCK).unwrap_or_else(|e| panic!("schemas/lock.json: {e}"))
}

#[test]
fn every_schema_compiles() {
    if let Err(e) = Contract::load() {
        panic!("{e}");
    }
}

#[test]
fn schemas_match_the_lock_of_their_version() {
    let current = current_lock_entry().expect("fingerprints");
    let version = SCHEMA_VERSION.to_string();
    let Some(locked) = lock().get(&version).cloned() else {
        panic!(
            "schemas/lock.json has no entry for contract version {version}; after review, add:\n{current:#}"
        );
    };
    assert_eq!(
        locked, current[&version],
        "a schema under schemas/ changed but the contract version is still {version}. \
         Raise SCHEMA_VERSION (functions/core/src/audit.rs) and `schema_version` in \
         schemas/common.schema.json, then add this entry to schemas/lock.json, keeping the old ones:\n{current:#}"
    );
}

#[test]
fn released_versions_are_kept_in_the_lock() {
    let lock = lock();
    for v in 1..=SCHEMA_VERSION {
        let entry = lock
            .get(v.to_string())
            .unwrap_or_else(|| panic!("contract version {v} missing from schemas/lock.json"));
        for (file, _) in SCHEMAS {
            assert!(
                entry.get(*file).is_some() || v < SCHEMA_VERSION,
                "{file} missing from lock entry {v}"
            );
        }
    }
}

#[test]
fn schema_version_in_the_schemas_is_the_code_constant() {
    let common: Value = serde_json::from_str(SCHEMAS[0].1).expect("common schema");
    assert_eq!(
        common["$defs"]["schema_version"]["const"],
        Value::from(SCHEMA_VERSION)
    );
}

/// A real audit record, from the pipeline on a sample document.
fn sample_record() -> Value {
    let pipeline = Pipeline::with_defaults().expect("pipeline");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../events/documents/kyc-application-moreno.txt"
    );
    let bytes = std::fs::read(path).expect("sample");
    let record = pipeline.evaluate(SourceRef::file(path, None), Ok(&bytes), chrono::Utc::now());
    serde_json::to_value(record).expect("record JSON")
}

#[test]
fn a_real_record_conforms_and_broken_ones_do_not() {
    let contract = Contract::load().expect("contract");
    let record = sample_record();
    if let Err(e) = contract.validate(Output::AuditRecord, &record) {
        panic!("{e}");
    }

    let mut missing = record.clone();
    missing.as_object_mut().map(|o| o.remove("decision"));
    let mut unknown_decision = record.clone();
    unknown_decision["decision"] = Value::from("maybe");
    let mut extra_key = record.clone();
    extra_key["full_text"] = Value::from("document text must never be stored");
    let mut bad_type = record.clone();
    bad_type["doc_type"] = Value::from("Passport");
    let mut bad_hash = record.clone();
    bad_hash["sha256"] = Value::from("not-a-hash");
    let mut leaked_field = record;
    leaked_field["fields"]["iban"] = Value::from("GB82WEST12345698765432");
    for (what, broken) in [
        ("missing decision", missing),
        ("unknown decision", unknown_decision),
        ("unknown key", extra_key),
        ("doc_type outside the vocabulary", bad_type),
        ("malformed sha256", bad_hash),
        ("undocumented field", leaked_field),
    ] {
        assert!(
            contract.validate(Output::AuditRecord, &broken).is_err(),
            "{what} was accepted"
        );
    }
}

/// Cases, their files and record summaries from a real record conform; a made-up action or a
/// case with an unknown key does not.
#[test]
fn case_outputs_conform() {
    use compliance_core::case::{
        Case, CaseFile, DocumentFile, OpenCase, ReviewAction, ReviewRequest,
    };
    use compliance_core::query::RecordSummary;
    use compliance_core::AuditRecord;

    let contract = Contract::load().expect("contract");
    let record: AuditRecord = serde_json::from_value(sample_record()).expect("record");
    let case = Case::open(&record).expect("the Moreno application opens a case");
    let now = record.processed_at + chrono::Duration::hours(3);
    let review = |action| ReviewRequest {
        action,
        reviewer: "arn:aws:iam::111122223333:user/reviewer".into(),
        reason: "documents verified by phone".into(),
        hit: None,
    };
    let (escalated, e1) = case
        .apply(&review(ReviewAction::Escalate), now)
        .expect("escalate");
    let (closed, e2) = escalated
        .apply(&review(ReviewAction::Reject), now)
        .expect("reject");

    let open = serde_json::to_value(OpenCase::new(escalated.clone(), now)).expect("json");
    let file = serde_json::to_value(CaseFile::new(closed, vec![e2, e1], now)).expect("json");
    let document = serde_json::to_value(DocumentFile {
        record: record.clone(),
        case: Some(CaseFile::new(escalated, Vec::new(), now)),
    })
    .expect("json");
    let no_case = serde_json::to_value(DocumentFile {
        record: record.clone(),
        case: None,
    })
    .expect("json");
    let summary = serde_json::to_value(RecordSummary::of(&record)).expect("json");
    for (output, value) in [
        (Output::OpenCase, &open),
        (Output::CaseFile, &file),
        (Output::DocumentFile, &document),
        (Output::DocumentFile, &no_case),
        (Output::RecordSummary, &summary),
    ] {
        if let Err(e) = contract.validate(output, value) {
            panic!("{e}");
        }
    }
    let outcome = serde_json::json!({ "case_file": file });
    if let Err(e) = contract.validate(Output::ReviewOutcome, &outcome) {
        panic!("{e}");
    }

    let mut bad_action = file.clone();
    bad_action["events"][0]["action"] = Value::from("delete");
    let mut extra = open.clone();
    extra["document_text"] = Value::from("must never be there");
    let mut closed_in_open_list = open;
    closed_in_open_list["status"] = Value::from("closed");
    let mut summary_with_record = summary;
    summary_with_record["fields"] = Value::from("personal data");
    for (what, output, broken) in [
        ("unknown action", Output::CaseFile, bad_action),
        ("unknown key on an open case", Output::OpenCase, extra),
        (
            "closed case listed as open",
            Output::OpenCase,
            closed_in_open_list,
        ),
        (
            "summary with fields",
            Output::RecordSummary,
            summary_with_record,
        ),
    ] {
        assert!(
            contract.validate(output, &broken).is_err(),
            "{what} was accepted"
        );
    }
}
