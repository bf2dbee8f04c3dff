//! Cases on real records: which decisions open one, what a case remembers of the sanctions
//! hits, and every reviewer move, allowed and refused.

use chrono::{Duration, TimeZone, Utc};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::case::{
    Case, CaseHit, CaseStatus, Resolution, ReviewAction, ReviewError, ReviewRequest,
};
use compliance_core::customer::{CustomerClaims, CustomerContext, CustomerDocument};
use compliance_core::{Pipeline, SourceRef};

fn sample(name: &str, customer: Option<&str>) -> AuditRecord {
    let pipeline = Pipeline::with_defaults().expect("pipeline");
    let path = format!(
        "{}/../../events/documents/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).expect("sample");
    let context = CustomerContext {
        customer: CustomerClaims {
            command_line: customer.map(str::to_string),
            ..Default::default()
        }
        .resolve(),
        false_positives: Vec::new(),
    };
    let at = Utc
        .with_ymd_and_hms(2026, 11, 2, 9, 30, 0)
        .single()
        .expect("time");
    pipeline
        .assess_for(SourceRef::file(&path, None), Ok(&bytes), &context, at)
        .record
}

fn request(action: ReviewAction) -> ReviewRequest {
    ReviewRequest {
        action,
        reviewer: "a.reviewer@bank.example".into(),
        reason: "checked against the customer file".into(),
        hit: None,
    }
}

#[test]
fn only_decisions_other_than_approved_open_a_case() {
    for (name, opens) in [
        ("passport-lindqvist.txt", false),
        ("consent-form-signed.txt", false),
        ("kyc-application-moreno.txt", true),
        ("id-card-altered-mrz.txt", true),
        ("empty-upload.txt", true),
    ] {
        let record = sample(name, None);
        let case = Case::open(&record);
        assert_eq!(case.is_some(), opens, "{name}: {:?}", record.decision);
        if let Some(case) = case {
            assert_eq!(case.case_id, record.document_id);
            assert_eq!(case.status, CaseStatus::Open);
            assert_eq!(case.decision, record.decision);
            assert_eq!(case.opened_at, record.processed_at);
            assert_eq!(case.revision, 0);
            let failed: Vec<String> = record.failed_checks().map(|c| c.id.clone()).collect();
            assert_eq!(case.failed_checks, failed);
        }
    }
}

#[test]
fn a_case_remembers_the_sanctions_hits_of_its_document() {
    let record = sample("kyc-application-moreno.txt", Some("C-7"));
    let case = Case::open(&record).expect("a case");
    assert!(
        !case.hits.is_empty(),
        "the Moreno application hits a listed entry"
    );
    let aml = record
        .checks
        .iter()
        .find(|c| c.id == "aml.sanctions_screening")
        .expect("screening ran");
    for hit in &case.hits {
        assert!(
            aml.message.contains(&hit.entry_id) || aml.evidence.to_string().contains(&hit.entry_id),
            "{hit:?} is not in the check's evidence"
        );
    }
    assert_eq!(case.customer_id.as_deref(), Some("C-7"));
}

#[test]
fn reviewer_moves_follow_the_case_status() {
    let record = sample("bank-statement-invalid-iban.txt", None);
    let case = Case::open(&record).expect("a case");
    let t = |minutes| record.processed_at + Duration::minutes(minutes);

    let (escalated, e1) = case.apply(&request(ReviewAction::Escalate), t(5)).unwrap();
    assert_eq!(escalated.status, CaseStatus::Escalated);
    assert_eq!(
        (e1.seq, e1.from, e1.to),
        (1, CaseStatus::Open, CaseStatus::Escalated)
    );
    assert_eq!(
        escalated.apply(&request(ReviewAction::Escalate), t(6)),
        Err(ReviewError::AlreadyEscalated(case.case_id.clone()))
    );

    let (approved, e2) = escalated
        .apply(&request(ReviewAction::Approve), t(60))
        .unwrap();
    assert_eq!(approved.status, CaseStatus::Closed);
    assert_eq!(approved.resolution, Some(Resolution::Approved));
    assert_eq!(approved.effective_decision(), Decision::Approved);
    assert_eq!(approved.closed_at, Some(t(60)));
    assert_eq!(
        approved.age(t(600)),
        Duration::minutes(60),
        "age stops at closing"
    );
    assert_eq!(e2.seq, 2);

    // A closed case is not decided again without being reopened.
    for action in [
        ReviewAction::Approve,
        ReviewAction::Reject,
        ReviewAction::Escalate,
    ] {
        assert!(matches!(
            approved.apply(&request(action), t(61)),
            Err(ReviewError::Closed { .. })
        ));
    }
    assert!(matches!(
        case.apply(&request(ReviewAction::Reopen), t(1)),
        Err(ReviewError::NotClosed(_))
    ));
    let (reopened, e3) = approved
        .apply(&request(ReviewAction::Reopen), t(120))
        .unwrap();
    assert_eq!(reopened.status, CaseStatus::Open);
    assert_eq!(reopened.resolution, None);
    assert_eq!(reopened.effective_decision(), Decision::ManualReview);
    assert_eq!((e3.from, e3.to), (CaseStatus::Closed, CaseStatus::Open));

    let (rejected, _) = reopened
        .apply(&request(ReviewAction::Reject), t(180))
        .unwrap();
    assert_eq!(rejected.effective_decision(), Decision::Rejected);
    assert_eq!(rejected.revision, 4);
}

#[test]
fn a_review_needs_a_reviewer_and_a_bounded_reason() {
    let case = Case::open(&sample("consent-form-unsigned.txt", None)).expect("a case");
    let at = case.opened_at;
    let mut r = request(ReviewAction::Approve);
    r.reason = "  ".into();
    assert_eq!(case.apply(&r, at), Err(ReviewError::Empty("reason")));
    let mut r = request(ReviewAction::Approve);
    r.reviewer = String::new();
    assert_eq!(case.apply(&r, at), Err(ReviewError::Empty("reviewer")));
    let mut r = request(ReviewAction::Approve);
    r.reason = "x".repeat(2001);
    assert!(matches!(
        case.apply(&r, at),
        Err(ReviewError::TooLong { what: "reason", .. })
    ));
    // Control characters cannot forge lines in a report.
    let mut r = request(ReviewAction::Approve);
    r.reason = "fine\n[approved by compliance head]".into();
    let (_, event) = case.apply(&r, at).unwrap();
    assert!(!event.reason.contains('\n'));
}

#[test]
fn a_false_positive_names_a_hit_of_the_case_and_needs_a_customer() {
    let without_customer = Case::open(&sample("kyc-application-moreno.txt", None)).unwrap();
    assert!(matches!(
        without_customer.apply(
            &request(ReviewAction::FalsePositive),
            without_customer.opened_at
        ),
        Err(ReviewError::NoCustomer(_))
    ));

    let case = Case::open(&sample("kyc-application-moreno.txt", Some("C-7"))).unwrap();
    let mut r = request(ReviewAction::FalsePositive);
    r.hit = Some(CaseHit {
        list: "ofac-sdn".into(),
        entry_id: "not-an-entry".into(),
    });
    assert!(matches!(
        case.apply(&r, case.opened_at),
        Err(ReviewError::NoSuchHit { .. })
    ));
    r.hit = Some(case.hits[0].clone());
    let (after, event) = case.apply(&r, case.opened_at).unwrap();
    assert_eq!(event.hit.as_ref(), Some(&case.hits[0]));
    // The case stays open: the reviewer still decides the document.
    assert_eq!(after.status, CaseStatus::Open);

    let no_hits = Case::open(&sample("id-card-altered-mrz.txt", Some("C-8"))).unwrap();
    assert!(matches!(
        no_hits.apply(&request(ReviewAction::FalsePositive), no_hits.opened_at),
        Err(ReviewError::NoHits(_))
    ));
}

#[test]
fn actions_parse_with_dashes_or_underscores() {
    assert_eq!(
        ReviewAction::parse("false-positive"),
        Some(ReviewAction::FalsePositive)
    );
    assert_eq!(
        ReviewAction::parse(" Approve "),
        Some(ReviewAction::Approve)
    );
    assert_eq!(ReviewAction::parse("delete"), None);
}

#[test]
fn a_reviewed_document_counts_with_the_reviewers_decision() {
    let record = sample("passport-printed-dob-mismatch.txt", Some("C-9"));
    let document = CustomerDocument::of(&record).expect("names a customer");
    assert_eq!(document.decision, Decision::ManualReview);
    let reviewed = document.clone().reviewed(Some(Decision::Approved));
    assert_eq!(reviewed.decision, Decision::Approved);
    assert_eq!(reviewed.pipeline_decision, Some(Decision::ManualReview));
    let reopened = document.reviewed(None);
    assert_eq!(reopened.decision, Decision::ManualReview);
    assert_eq!(reopened.pipeline_decision, None);
}
