//! The daily digest on the AWS path, against moto server: records and cases are written to
//! DynamoDB through the real adapters (documents judged by the real pipeline at chosen times,
//! so that cases have every age), the audit API's `daily_digest` job reads them back through
//! the indexes and publishes the digest to the SNS topic with `kind = digest`; the digest is
//! received on an SQS queue subscribed to the topic and its counts checked.

mod common;

use std::time::{Duration as StdDuration, Instant};

use aws_sdk_sqs::types::MessageSystemAttributeName;
use chrono::{DateTime, Duration, DurationRound, Utc};
use common::{sample_document, Stack};
use compliance_aws::DynamoAuditStore;
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::case::{Case, ReviewAction, ReviewRequest};
use compliance_core::digest::Digest;
use compliance_core::ports::{AuditStore, CaseStore};
use compliance_core::{Pipeline, SourceRef};
use serde_json::{json, Value};

/// Judges a sample as if uploaded `hours_ago`, stores its record and opens its case.
async fn seed(
    stack: &Stack,
    store: &DynamoAuditStore,
    pipeline: &Pipeline,
    sample: &str,
    at: DateTime<Utc>,
) -> AuditRecord {
    let bytes = sample_document(sample);
    let key = format!("incoming/Jane Doe/{sample}");
    let source = SourceRef::s3(
        &stack.bucket,
        &key,
        Some(format!("v-{}", at.timestamp())),
        None,
        Some(bytes.len() as u64),
    );
    let record = pipeline.assess(source, Ok(&bytes), at).record;
    store.put_new(&record).await.expect("record stored");
    if let Some(case) = Case::open(&record) {
        assert!(store.open_case(&case).await.expect("case opened"));
    }
    record
}

async fn review(store: &DynamoAuditStore, case_id: &str, action: ReviewAction) {
    let case = store.case(case_id).await.expect("read").expect("the case");
    let (next, event) = case
        .apply(
            &ReviewRequest {
                action,
                reviewer: "reviewer".into(),
                reason: "checked".into(),
                hit: None,
            },
            Utc::now(),
        )
        .expect("a valid review");
    assert!(store.record_review(&next, &event).await.expect("review"));
}

/// The SNS envelopes on the subscriber queue until one arrives and the queue is then quiet.
async fn messages(stack: &Stack, wanted: usize) -> Vec<Value> {
    let mut found = Vec::new();
    let started = Instant::now();
    while found.len() < wanted && started.elapsed() < StdDuration::from_secs(30) {
        let out = stack
            .sqs
            .receive_message()
            .queue_url(&stack.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .expect("receive");
        for m in out.messages.unwrap_or_default() {
            found.push(serde_json::from_str(m.body.as_deref().unwrap_or("")).expect("envelope"));
            if let Some(handle) = m.receipt_handle {
                stack
                    .sqs
                    .delete_message()
                    .queue_url(&stack.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_digest_job_publishes_the_counts_to_the_topic() {
    let stack = Stack::create().await;
    let store = DynamoAuditStore::new(stack.dynamodb.clone(), stack.table.clone());
    let pipeline = Pipeline::with_defaults().expect("default rules and lists");
    let now = Utc::now();
    let end = now.duration_trunc(Duration::minutes(1)).expect("minute");

    // In the period (the 24 hours before the scheduled time).
    let approved = seed(
        &stack,
        &store,
        &pipeline,
        "passport-lindqvist.txt",
        end - Duration::hours(1),
    )
    .await;
    let sanctions = seed(
        &stack,
        &store,
        &pipeline,
        "kyc-application-moreno.txt",
        end - Duration::hours(2),
    )
    .await;
    seed(
        &stack,
        &store,
        &pipeline,
        "id-card-altered-mrz.txt",
        end - Duration::hours(3),
    )
    .await;
    seed(
        &stack,
        &store,
        &pipeline,
        "empty-upload.txt",
        end - Duration::hours(20),
    )
    .await;
    let number = seed(
        &stack,
        &store,
        &pipeline,
        "passport-nld-number-format.txt",
        end - Duration::hours(23),
    )
    .await;
    // Before it: their cases still wait, one to three days, three to seven, over a week.
    seed(
        &stack,
        &store,
        &pipeline,
        "consent-form-unsigned.txt",
        end - Duration::hours(30),
    )
    .await;
    seed(
        &stack,
        &store,
        &pipeline,
        "kyc-application-minor.txt",
        end - Duration::days(5),
    )
    .await;
    seed(
        &stack,
        &store,
        &pipeline,
        "invoice-with-card-number.txt",
        end - Duration::days(10),
    )
    .await;
    assert_eq!(approved.decision, Decision::Approved);
    assert_eq!(sanctions.decision, Decision::ManualReview);
    // A closed case leaves the backlog; an escalated one stays in it.
    review(&store, &sanctions.document_id, ReviewAction::Approve).await;
    review(&store, &number.document_id, ReviewAction::Escalate).await;

    let api = stack.audit_api(None).await;
    let scheduled = end.to_rfc3339();
    let result = api
        .handle_event(json!({"job": "daily_digest", "scheduled_time": scheduled}))
        .await
        .expect("the job ran");
    let digest_id = format!("digest:{}", end.format("%Y-%m-%dT%H:%M:%SZ"));
    assert_eq!(result["job"], "daily_digest");
    assert_eq!(result["digest_id"], digest_id.as_str(), "{result}");
    assert_eq!(result["documents_processed"], 5, "{result}");
    assert_eq!(result["open_cases"], 6, "{result}");
    assert_eq!(result["open_cases_past_sla"], 3, "{result}");
    assert_eq!(result["truncated"], false);

    let received = messages(&stack, 1).await;
    assert_eq!(received.len(), 1, "{received:?}");
    let envelope = &received[0];
    assert_eq!(
        envelope["MessageAttributes"]["kind"]["Value"], "digest",
        "{envelope}"
    );
    assert_eq!(
        envelope["MessageAttributes"]["alert_id"]["Value"],
        digest_id.as_str()
    );
    assert!(
        envelope["MessageAttributes"].get("severity").is_none(),
        "no severity: severity-filtered subscriptions never get the digest"
    );
    let text = envelope["Message"].as_str().expect("message");
    for private in [
        "Jane",
        "Doe",
        "s3://",
        "incoming/",
        "Moreno",
        "MORENO",
        "Lindqvist",
    ] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    let d: Digest = serde_json::from_str(text).expect("the message is the digest");
    assert_eq!(d.kind, "digest");
    assert_eq!(d.digest_id, digest_id);
    assert_eq!(d.until, end);
    assert_eq!(d.since, end - Duration::hours(24));
    assert_eq!(d.sla_hours, 24);

    let docs = &d.documents;
    assert_eq!(
        (
            docs.processed,
            docs.approved,
            docs.manual_review,
            docs.rejected,
            docs.unreadable
        ),
        (5, 1, 2, 1, 1),
        "{docs:?}"
    );
    assert!(!docs.truncated);
    assert_eq!(d.by_doc_type[0].doc_type.as_str(), "passport");
    assert_eq!(d.by_doc_type[0].processed, 2);
    assert!(
        d.top_failed_checks
            .iter()
            .any(|c| c.check_id == "aml.sanctions_screening"),
        "{:?}",
        d.top_failed_checks
    );

    let open = &d.open_cases;
    assert_eq!(open.total, 6, "{open:?}");
    assert_eq!(open.escalated, 1);
    assert_eq!(open.past_sla, 3);
    let buckets: Vec<u64> = open.buckets.iter().map(|b| b.cases).collect();
    assert_eq!(buckets, [3, 1, 1, 1], "{:?}", open.buckets);
    assert!(open.oldest_age_seconds.expect("oldest") >= 10 * 86_400);
    assert_eq!(open.oldest.len(), 5);
    assert!(open.oldest.iter().all(|c| c.case_id.len() == 32));
    assert!(!open.truncated);

    // The list versions the newest record was screened against.
    assert_eq!(d.lists.len(), approved.lists.len());
    assert_eq!(d.lists[0].id, approved.lists[0].id);
    assert_eq!(d.lists[0].entries, approved.lists[0].entries);
    assert!(approved.lists[0]
        .sha256
        .starts_with(&d.lists[0].sha256_short));
    assert_eq!(d.lists_seen_at, Some(approved.processed_at));

    // A retried run covers the same period: the same digest id, for readers to deduplicate.
    let again = api
        .handle_event(json!({"job": "daily_digest", "scheduled_time": scheduled}))
        .await
        .expect("the job ran again");
    assert_eq!(again["digest_id"], digest_id.as_str());
    assert_eq!(messages(&stack, 1).await.len(), 1);

    // A bad scheduled time and an unknown job are refused.
    assert!(api
        .handle_event(json!({"job": "daily_digest", "scheduled_time": "yesterday"}))
        .await
        .is_err());
    assert!(api
        .handle_event(json!({"job": "weekly_digest"}))
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_day_still_gets_a_digest() {
    let stack = Stack::create().await;
    let api = stack.audit_api(None).await;
    let result = api
        .handle_event(json!({"job": "daily_digest"}))
        .await
        .expect("the job ran");
    assert_eq!(result["documents_processed"], 0, "{result}");
    assert_eq!(result["open_cases"], 0, "{result}");
    let received = messages(&stack, 1).await;
    assert_eq!(received.len(), 1);
    let d: Digest =
        serde_json::from_str(received[0]["Message"].as_str().expect("message")).expect("digest");
    assert!(d.lists.is_empty());
    assert_eq!(d.lists_seen_at, None);
    // Without a scheduled time the period ends on the hour of the run.
    assert_eq!(d.until.format("%M:%S").to_string(), "00:00");
}
