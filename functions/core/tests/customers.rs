//! The customer view over real sample documents: every case of `events/customers/cases.json`
//! judges a set of documents as one customer's and checks the status, the attributes that
//! agree or differ, and the reasons. Also: false positives are remembered per customer.

use std::path::PathBuf;

use chrono::Utc;
use compliance_core::checks::Status;
use compliance_core::customer::identity::Comparison;
use compliance_core::customer::{
    assess_customer, CustomerContext, CustomerDocument, CustomerIdSource, CustomerRef,
    CustomerStatus, FalsePositive, IdentityKey,
};
use compliance_core::{AuditRecord, Pipeline, SourceRef};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    documents: Vec<String>,
    status: CustomerStatus,
    #[serde(default)]
    agree: Vec<String>,
    #[serde(default)]
    differ: Vec<String>,
    #[serde(default)]
    reasons: Vec<String>,
}

fn events() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn pipeline() -> Pipeline {
    Pipeline::with_defaults()
        .expect("default pipeline")
        .with_identity_key(IdentityKey::from_bytes(&[42u8; 32]).expect("key"))
}

fn context(customer_id: &str, false_positives: Vec<FalsePositive>) -> CustomerContext {
    CustomerContext {
        customer: CustomerRef {
            id: Some(customer_id.to_string()),
            source: Some(CustomerIdSource::CommandLine),
            problem: None,
        },
        false_positives,
    }
}

fn judge(pipeline: &Pipeline, relative: &str, customer: &CustomerContext) -> AuditRecord {
    let path = events().join(relative);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    pipeline
        .assess_for(
            SourceRef::file(relative, None),
            Ok(&bytes),
            customer,
            Utc::now(),
        )
        .record
}

#[test]
fn customer_cases() {
    let text = std::fs::read_to_string(events().join("customers/cases.json")).expect("cases");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("cases.json");
    assert!(cases.len() >= 6, "the case table was not read whole");
    let pipeline = pipeline();
    let mut failures = Vec::new();
    for case in &cases {
        let customer = context("C-1", Vec::new());
        let documents: Vec<CustomerDocument> = case
            .documents
            .iter()
            .map(|d| {
                let record = judge(&pipeline, d, &customer);
                assert_eq!(record.customer.id.as_deref(), Some("C-1"));
                CustomerDocument::of(&record).expect("a customer document")
            })
            .collect();
        let view = assess_customer(
            "C-1",
            &documents,
            &pipeline.rules.customer.required,
            &pipeline.rules.version,
            None,
            Utc::now(),
        );
        let mut problems = Vec::new();
        if view.status != case.status {
            problems.push(format!("status {} (expected {})", view.status, case.status));
        }
        let result = |attribute: &str| {
            view.agreement
                .iter()
                .find(|a| a.attribute == attribute)
                .map(|a| a.result)
        };
        for a in &case.agree {
            if result(a) != Some(Comparison::Agrees) {
                problems.push(format!("{a}: {:?}, expected agrees", result(a)));
            }
        }
        for a in &case.differ {
            if result(a) != Some(Comparison::Differs) {
                problems.push(format!("{a}: {:?}, expected differs", result(a)));
            }
        }
        let reasons = view.reasons.join(" | ");
        for r in &case.reasons {
            if !reasons.contains(r.as_str()) {
                problems.push(format!("no reason containing `{r}` in: {reasons}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn sanctions(record: &AuditRecord) -> &compliance_core::checks::CheckResult {
    record
        .checks
        .iter()
        .find(|c| c.id == "aml.sanctions_screening")
        .expect("sanctions check")
}

#[test]
fn a_false_positive_is_remembered_for_its_customer_only() {
    let pipeline = pipeline();
    let doc = "documents/kyc-application-moreno.txt";
    // The sample application matches an OFAC entry; find which.
    let first = judge(&pipeline, doc, &context("C-A", Vec::new()));
    let hit = &sanctions(&first).evidence[0];
    assert_eq!(sanctions(&first).status, Status::Fail);
    let list = hit["list"].as_str().expect("list").to_string();
    let entry = hit["entry_id"].as_str().expect("entry").to_string();

    let cleared = FalsePositive {
        customer_id: "C-A".into(),
        list: list.clone(),
        entry_id: entry.clone(),
        reviewer: "reviewer@bank.example".into(),
        reason: "different person: passport seen, other date of birth".into(),
        recorded_at: Utc::now(),
        document_id: Some(first.document_id.clone()),
    };
    // The same customer: the hit is suppressed, and the suppression is in the evidence.
    let again = judge(&pipeline, doc, &context("C-A", vec![cleared.clone()]));
    let check = sanctions(&again);
    assert_eq!(check.status, Status::Pass, "{}", check.message);
    assert!(check.message.contains("suppressed"), "{}", check.message);
    assert_eq!(
        check.evidence[0]["suppressed_by"]["reviewer"],
        "reviewer@bank.example"
    );
    assert_eq!(check.evidence[0]["entry_id"], entry.as_str());

    // Another customer with the same name: still a hit, even if the store handed over the
    // first customer's decision by mistake.
    let other = judge(&pipeline, doc, &context("C-B", vec![cleared.clone()]));
    assert_eq!(sanctions(&other).status, Status::Fail);
    // No customer at all: nothing can be suppressed.
    let anonymous = pipeline
        .assess_for(
            SourceRef::file(doc, None),
            Ok(&std::fs::read(events().join(doc)).expect("sample")),
            &CustomerContext {
                customer: CustomerRef::default(),
                false_positives: vec![cleared],
            },
            Utc::now(),
        )
        .record;
    assert_eq!(sanctions(&anonymous).status, Status::Fail);
    // A cleared entry on another list is a different hit.
    let wrong_list = FalsePositive {
        list: format!("{list}-other"),
        ..sanctions_fp("C-A", &entry)
    };
    let still = judge(&pipeline, doc, &context("C-A", vec![wrong_list]));
    assert_eq!(sanctions(&still).status, Status::Fail);
}

fn sanctions_fp(customer: &str, entry: &str) -> FalsePositive {
    FalsePositive {
        customer_id: customer.into(),
        list: String::new(),
        entry_id: entry.into(),
        reviewer: "r".into(),
        reason: "r".into(),
        recorded_at: Utc::now(),
        document_id: None,
    }
}

#[test]
fn records_keep_prints_not_values() {
    let pipeline = pipeline();
    let record = judge(
        &pipeline,
        "documents/passport-lindqvist.txt",
        &context("C-1", Vec::new()),
    );
    let identity = record.identity.as_ref().expect("identity prints");
    assert!(!identity.names.is_empty());
    assert!(identity.birth_date.is_some());
    assert_eq!(identity.id_numbers.len(), 1);
    let json = serde_json::to_string(&record).expect("json");
    for clear in ["LINDQVIST", "Lindqvist", "X4R7T2K91", "1988-03-14"] {
        assert!(!json.contains(clear), "{clear} in the stored record");
    }
    // Without a key no prints are made.
    let plain = Pipeline::with_defaults().expect("pipeline");
    let bytes = std::fs::read(events().join("documents/passport-lindqvist.txt")).expect("sample");
    let record = plain
        .assess_for(
            SourceRef::file("p.txt", None),
            Ok(&bytes),
            &context("C-1", Vec::new()),
            Utc::now(),
        )
        .record;
    assert!(record.identity.is_none());
}

#[test]
fn the_status_alerts_only_when_it_moves_into_review_or_rejection() {
    let pipeline = pipeline();
    let customer = context("C-9", Vec::new());
    let docs = |paths: &[&str]| -> Vec<CustomerDocument> {
        paths
            .iter()
            .map(|p| CustomerDocument::of(&judge(&pipeline, p, &customer)).expect("doc"))
            .collect()
    };
    let required = &pipeline.rules.customer.required;
    let v1 = assess_customer(
        "C-9",
        &docs(&["documents/passport-lindqvist.txt"]),
        required,
        "r",
        None,
        Utc::now(),
    );
    assert_eq!(v1.status, CustomerStatus::Incomplete);
    assert_eq!(v1.revision, 1);
    assert!(
        v1.alert.alert_id.is_none(),
        "incomplete is the normal start"
    );
    let v2 = assess_customer(
        "C-9",
        &docs(&[
            "documents/passport-lindqvist.txt",
            "documents/customers/okafor-utility-bill.txt",
        ]),
        required,
        "r",
        Some(&v1),
        Utc::now(),
    );
    assert_eq!(v2.status, CustomerStatus::NeedsReview);
    assert_eq!(v2.revision, 2);
    assert_eq!(v2.previous_status, Some(CustomerStatus::Incomplete));
    assert_eq!(v2.alert.alert_id.as_deref(), Some("customer:C-9:2"));
}
