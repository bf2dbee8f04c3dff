//! The AWS path for real: documents uploaded to S3 in moto server, the processor handler invoked
//! in-process with the fixture events of `events/`, the audit record read back from DynamoDB
//! and the alert read back from an SQS queue subscribed to the SNS topic.

mod common;

use std::time::Duration;

use common::{assert_conforms, s3_event, sample_document, Stack};
use compliance_contract::Output;
use serde_json::Value;

const QUIET: Duration = Duration::from_secs(2);

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn attribute<'a>(envelope: &'a Value, name: &str) -> &'a str {
    envelope["MessageAttributes"][name]["Value"]
        .as_str()
        .unwrap_or_else(|| panic!("message attribute {name} missing in {envelope}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_upload_becomes_audit_record_and_masked_alert() {
    let stack = Stack::create().await;
    let bytes = sample_document("kyc-application-moreno.txt");
    let (version, etag, size) = stack
        .put("incoming/kyc-application-moreno.txt", bytes.clone())
        .await;
    let event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);

    let response = stack
        .processor()
        .handle_event(event)
        .await
        .expect("handled");
    assert_conforms(Output::ProcessorResponse, &response);
    assert_eq!(response["documents"][0]["newly_recorded"], true);

    let items = stack.items().await;
    assert_eq!(items.len(), 1, "one audit record");
    let record = &items[0];
    assert_eq!(
        record["schema_version"],
        compliance_core::audit::SCHEMA_VERSION
    );
    assert_eq!(record["decision"], "manual_review");
    assert_eq!(record["doc_type"], "kyc_application");
    assert_eq!(record["sha256"], sha256_hex(&bytes));
    assert_eq!(record["source"]["bucket"], stack.bucket.as_str());
    assert_eq!(
        record["source"]["key"],
        "incoming/kyc-application-moreno.txt"
    );
    assert_eq!(record["source"]["version_id"], version.as_str());
    assert_eq!(record["size_bytes"], size);
    assert_eq!(record["alert"]["status"], "sent");
    let default_rules = compliance_core::rules::RuleSet::default_rules().expect("default rules");
    assert_eq!(record["rules_version"], default_rules.version.as_str());
    assert_eq!(record["lists"][0]["id"], "ofac_sdn");
    assert!(record["processor_version"]
        .as_str()
        .is_some_and(|v| v.starts_with("compliance/")));
    let sanctions = record["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "aml.sanctions_screening"))
        .expect("sanctions check");
    assert_eq!(sanctions["status"], "fail");
    assert_eq!(sanctions["evidence"][0]["entry_id"], "15102");
    assert_eq!(record["fields"]["names"][0], "D***** M*****");

    let alerts = stack.alerts(QUIET).await;
    assert_eq!(alerts.len(), 1, "one alert");
    let envelope = &alerts[0];
    assert_eq!(attribute(envelope, "decision"), "manual_review");
    assert_eq!(attribute(envelope, "severity"), "critical");
    assert_eq!(attribute(envelope, "doc_type"), "kyc_application");
    assert_eq!(attribute(envelope, "kind"), "document");
    assert!(
        envelope["MessageAttributes"].get("customer_id").is_none(),
        "no customer named: {envelope}"
    );
    let message = envelope["Message"].as_str().expect("message");
    let alert: Value = serde_json::from_str(message).expect("alert JSON");
    assert_eq!(alert["document_id"], record["document_id"]);
    assert_eq!(alert["failed_checks"][0]["id"], "aml.sanctions_screening");
    for personal in ["Daniel", "Moreno", "MORENO", "1972-10-12", "12 Oct 1972"] {
        assert!(
            !message.contains(personal),
            "alert leaks {personal:?}: {message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn redelivered_event_creates_no_second_record_or_alert() {
    let stack = Stack::create().await;
    let bytes = sample_document("kyc-application-moreno.txt");
    let (version, etag, size) = stack
        .put("incoming/kyc-application-moreno.txt", bytes)
        .await;
    let event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    let processor = std::sync::Arc::new(stack.processor());

    let first = processor.handle_event(event.clone()).await.expect("first");
    assert_eq!(first["documents"][0]["newly_recorded"], true);
    assert_eq!(first["documents"][0]["alert_published"], true);
    // The platform delivers at least once: the same event again, then ten at the same time.
    let again = processor.handle_event(event.clone()).await.expect("again");
    assert_eq!(again["documents"][0]["newly_recorded"], false);
    assert_eq!(again["documents"][0]["alert_published"], false);
    for result in common::ten_at_once(&processor, &event).await {
        let response = result.expect("concurrent delivery");
        assert_eq!(response["documents"][0]["newly_recorded"], false);
    }

    assert_eq!(stack.items().await.len(), 1, "exactly one audit record");
    assert_eq!(stack.alerts(QUIET).await.len(), 1, "exactly one alert");
}

/// A record stored with its alert still pending (the function died after writing the record
/// and before publishing) gets its alert on the next delivery, once.
#[tokio::test(flavor = "multi_thread")]
async fn pending_alert_is_completed_by_redelivery() {
    let stack = Stack::create().await;
    let bytes = sample_document("consent-form-unsigned.txt");
    let key = "incoming/consent-form-unsigned.txt";
    let (version, etag, size) = stack.put(key, bytes.clone()).await;
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key);

    // Simulate the crash: write the record as the processor would, alert still pending.
    let pipeline = compliance_core::Pipeline::with_defaults().expect("pipeline");
    let source = compliance_core::SourceRef::s3(
        &stack.bucket,
        key,
        Some(version.clone()),
        Some(etag.clone()),
        Some(size),
    );
    let record = pipeline.evaluate(source, Ok(&bytes), chrono_now());
    assert_eq!(
        record.alert.status,
        compliance_core::audit::AlertStatus::Pending
    );
    let store = compliance_aws::DynamoAuditStore::new(stack.dynamodb.clone(), stack.table.clone());
    compliance_core::ports::AuditStore::put_new(&store, &record)
        .await
        .expect("store pending record");
    assert!(stack.alerts(Duration::from_millis(500)).await.is_empty());

    let response = stack
        .processor()
        .handle_event(event.clone())
        .await
        .expect("redelivery");
    assert_eq!(response["documents"][0]["newly_recorded"], false);
    assert_eq!(response["documents"][0]["alert_published"], true);
    stack
        .processor()
        .handle_event(event)
        .await
        .expect("third delivery");

    let items = stack.items().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["alert"]["status"], "sent");
    assert_eq!(
        items[0]["processed_at"],
        serde_json::to_value(record.processed_at).expect("time")
    );
    let alerts = stack.alerts(QUIET).await;
    assert_eq!(alerts.len(), 1, "the pending alert is sent once");
    assert_eq!(attribute(&alerts[0], "decision"), "manual_review");
}

#[tokio::test(flavor = "multi_thread")]
async fn url_encoded_key_with_spaces_and_non_ascii_is_decoded() {
    let stack = Stack::create().await;
    let key = "incoming/Relevé de compte (Q3) + annexe été.txt";
    let bytes = sample_document("consent-form-signed.txt");
    let (version, etag, size) = stack.put(key, bytes.clone()).await;
    let event = s3_event(
        "s3-put-encoded-key.json",
        &stack.bucket,
        &version,
        &etag,
        size,
    );

    stack
        .processor()
        .handle_event(event)
        .await
        .expect("handled");

    let items = stack.items().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["source"]["key"], key);
    assert_eq!(items[0]["document"], format!("s3://{}/{key}", stack.bucket));
    assert_eq!(items[0]["sha256"], sha256_hex(&bytes));
    assert_eq!(items[0]["decision"], "approved");
    assert_eq!(items[0]["alert"]["status"], "not_required");
    assert!(stack.alerts(QUIET).await.is_empty(), "approved: no alert");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqs_batch_reports_only_the_failed_message() {
    let stack = Stack::create().await;
    let (version, etag, size) = stack
        .put(
            "incoming/kyc-application-moreno.txt",
            sample_document("kyc-application-moreno.txt"),
        )
        .await;
    let inner = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    let mut event = common::load_event("sqs-s3.json");
    event["Records"][0]["body"] = Value::from(inner.to_string());

    let response = stack
        .processor()
        .handle_event(event)
        .await
        .expect("batch handled");
    let failures = response["batchItemFailures"]
        .as_array()
        .expect("batch response");
    let failed_ids: Vec<&str> = failures
        .iter()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    // Message 1 is a real upload, 2 is S3's test event (skipped), 3 is not an S3 event.
    assert_eq!(failed_ids, vec!["059f36b4-87a3-44ab-83d2-661975841123"]);
    assert_eq!(stack.items().await.len(), 1);
    assert_eq!(stack.alerts(QUIET).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn eventbridge_object_created_is_processed() {
    let stack = Stack::create().await;
    let key = "incoming/cash-transactions-2026-10.csv";
    let (version, etag, size) = stack
        .put(key, sample_document("cash-transactions-2026-10.csv"))
        .await;
    let mut event = common::load_event("eventbridge-s3.json");
    event["detail"]["bucket"]["name"] = Value::from(stack.bucket.as_str());
    event["detail"]["object"]["version-id"] = Value::from(version.as_str());
    event["detail"]["object"]["etag"] = Value::from(etag.as_str());
    event["detail"]["object"]["size"] = Value::from(size);

    stack
        .processor()
        .handle_event(event)
        .await
        .expect("handled");

    let items = stack.items().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["doc_type"], "transaction_report");
    assert_eq!(items[0]["decision"], "manual_review");
    let alerts = stack.alerts(QUIET).await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(attribute(&alerts[0], "doc_type"), "transaction_report");
    assert_eq!(attribute(&alerts[0], "severity"), "high");
}

#[tokio::test(flavor = "multi_thread")]
async fn object_deleted_before_it_is_read_is_recorded_as_unreadable() {
    let stack = Stack::create().await;
    let key = "incoming/kyc-application-moreno.txt";
    let (version, etag, size) = stack
        .put(key, sample_document("kyc-application-moreno.txt"))
        .await;
    stack
        .s3
        .delete_object()
        .bucket(&stack.bucket)
        .key(key)
        .version_id(&version)
        .send()
        .await
        .expect("delete");
    let event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);

    stack
        .processor()
        .handle_event(event)
        .await
        .expect("handled, not dropped");

    let items = stack.items().await;
    assert_eq!(items.len(), 1, "the lost upload still has an audit record");
    assert_eq!(items[0]["decision"], "unreadable");
    assert!(items[0]["reasons"][0]
        .as_str()
        .is_some_and(|r| r.contains("no longer exists")));
    let alerts = stack.alerts(QUIET).await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(attribute(&alerts[0], "decision"), "unreadable");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_and_corrupt_uploads_are_recorded_as_unreadable() {
    let stack = Stack::create().await;
    let mut config = stack.processor_config();
    config.max_object_bytes = 1024;
    let processor = processor::Processor::new(&config, &stack.config).expect("processor");
    for (key, bytes) in [
        ("incoming/big.txt", vec![b'a'; 4096]),
        (
            "incoming/truncated-upload.pdf",
            sample_document("truncated-upload.pdf"),
        ),
    ] {
        let (version, etag, size) = stack.put(key, bytes).await;
        let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
        event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
        processor.handle_event(event).await.expect("handled");
    }
    let items = stack.items().await;
    assert_eq!(items.len(), 2);
    for item in &items {
        assert_eq!(item["decision"], "unreadable", "{item}");
    }
    assert_eq!(stack.alerts(QUIET).await.len(), 2);
}

/// When DynamoDB cannot be reached the invocation fails as retryable, so the platform delivers
/// the event again; nothing is acknowledged that was not recorded.
#[tokio::test(flavor = "multi_thread")]
async fn unreachable_audit_table_fails_the_invocation_for_retry() {
    let stack = Stack::create().await;
    let (version, etag, size) = stack
        .put(
            "incoming/kyc-application-moreno.txt",
            sample_document("kyc-application-moreno.txt"),
        )
        .await;
    let event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    let mut config = stack.processor_config();
    config.audit_table = common::unique("no-such-table");
    let processor = processor::Processor::new(&config, &stack.config).expect("processor");

    let err = processor
        .handle_event(event.clone())
        .await
        .expect_err("must fail");
    assert!(err.to_string().contains("dynamodb:PutItem"), "{err}");
    assert!(
        stack.alerts(QUIET).await.is_empty(),
        "no alert without a record"
    );

    // The retry, once the table is back, records and alerts as usual.
    stack
        .processor()
        .handle_event(event)
        .await
        .expect("retry succeeds");
    assert_eq!(stack.items().await.len(), 1);
    assert_eq!(stack.alerts(QUIET).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_test_event_and_foreign_prefix_are_acknowledged_without_records() {
    let stack = Stack::create().await;
    let processor = stack.processor();
    let response = processor
        .handle_event(common::load_event("s3-test-event.json"))
        .await
        .expect("test event");
    assert_conforms(Output::ProcessorResponse, &response);
    assert_eq!(response["skipped"], "s3:TestEvent");

    let (version, etag, size) = stack.put("outgoing/report.txt", b"hello".to_vec()).await;
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from("outgoing/report.txt");
    let response = processor.handle_event(event).await.expect("skipped");
    assert_conforms(Output::ProcessorResponse, &response);
    assert_eq!(
        response["documents"][0]["skipped"],
        "outside incoming prefix"
    );
    assert!(stack.items().await.is_empty());

    let err = processor
        .handle_event(serde_json::json!({"hello": "world"}))
        .await
        .expect_err("unknown event shape is an error, not a silent success");
    assert!(!err.retryable());
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
