//! Customers on the AWS path, against moto server: the customer id read from S3 user metadata,
//! an object tag or the key pattern; the document linked into the customer's partition of the
//! audit table; the customer view recomputed through the Lambda handler with the identity key
//! read from Secrets Manager; one customer alert per status change, also under redelivery.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use common::{s3_event, sample_document, Stack};
use compliance_aws::customers::customer_pk;
use compliance_aws::DynamoAuditStore;
use compliance_core::customer::{assess_customer, FalsePositive, IdentityKey, KeyPattern};
use compliance_core::ports::CustomerStore;
use processor::{Config, Processor, ProcessorError};
use serde_json::Value;

const QUIET: Duration = Duration::from_secs(2);
const PATTERN: &str = "incoming/{customer_id}/{file}";

/// Words of the sample documents that must never appear in clear in a view, a link or an
/// alert.
const PERSONAL: &[&str] = &[
    "Lindqvist",
    "LINDQVIST",
    "Martina",
    "Okafor",
    "Chidinma",
    "Storgatan",
    "Marina Road",
    "1988-03-14",
    "X4R7T2K91",
];

fn customer_document(name: &str) -> Vec<u8> {
    sample_document(&format!("customers/{name}"))
}

fn config(stack: &Stack, tag: Option<&str>, secret_arn: Option<&str>) -> Config {
    Config {
        customer_key_pattern: Some(KeyPattern::parse(PATTERN).expect("pattern")),
        customer_id_tag: tag.map(str::to_string),
        identity_key_secret_arn: secret_arn.map(str::to_string),
        subjects_table: None,
        ..stack.processor_config()
    }
}

/// The processor as the Lambda builds it at cold start: the identity key read from a secret
/// in moto's Secrets Manager. Returns it with the key it must have loaded.
async fn customer_processor(stack: &Stack, tag: Option<&str>) -> (Processor, IdentityKey) {
    let (arn, value) = stack.identity_secret().await;
    let processor = Processor::load(&config(stack, tag, Some(&arn)), &stack.config)
        .await
        .expect("cold start");
    (
        processor,
        IdentityKey::from_text(&value).expect("generated key"),
    )
}

struct Upload<'a> {
    key: &'a str,
    bytes: Vec<u8>,
    metadata_customer: Option<&'a str>,
    tag_customer: Option<&'a str>,
}

impl<'a> Upload<'a> {
    fn new(key: &'a str, bytes: Vec<u8>) -> Self {
        Self {
            key,
            bytes,
            metadata_customer: None,
            tag_customer: None,
        }
    }
}

/// Puts the object and returns the S3 event announcing it.
async fn upload(stack: &Stack, upload: Upload<'_>) -> Value {
    let size = upload.bytes.len() as u64;
    let mut request = stack
        .s3
        .put_object()
        .bucket(&stack.bucket)
        .key(upload.key)
        .body(upload.bytes.into());
    if let Some(id) = upload.metadata_customer {
        // Sent as x-amz-meta-customer-id.
        request = request.metadata(compliance_aws::CUSTOMER_ID_METADATA, id);
    }
    if let Some(id) = upload.tag_customer {
        request = request.tagging(format!("customer-id={id}"));
    }
    let out = request.send().await.expect("put object");
    let version = out.version_id.expect("version id (versioned bucket)");
    let etag = out.e_tag.unwrap_or_default().trim_matches('"').to_string();
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from(upload.key);
    event
}

fn attribute<'a>(envelope: &'a Value, name: &str) -> Option<&'a str> {
    envelope["MessageAttributes"][name]["Value"].as_str()
}

fn customer_alerts(alerts: &[Value]) -> Vec<&Value> {
    alerts
        .iter()
        .filter(|a| attribute(a, "kind") == Some("customer_status"))
        .collect()
}

fn record_for<'a>(records: &'a [Value], key: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["source"]["key"] == key)
        .unwrap_or_else(|| panic!("no record for {key} in {records:#?}"))
}

fn view_of(items: &[Value]) -> &Value {
    items
        .iter()
        .find(|i| i["sk"] == "VIEW")
        .unwrap_or_else(|| panic!("no customer view in {items:#?}"))
}

fn links_of(items: &[Value]) -> Vec<&Value> {
    items
        .iter()
        .filter(|i| i["sk"].as_str().is_some_and(|s| s.starts_with("DOC#")))
        .collect()
}

fn assert_no_personal_data(what: &str, value: &Value) {
    let text = value.to_string();
    for word in PERSONAL {
        assert!(!text.contains(word), "{what} contains {word:?}: {text}");
    }
}

/// The record keys of a customer's audit records, through the `by_customer` index.
async fn records_by_customer(
    stack: &Stack,
    customer_id: &str,
) -> Vec<HashMap<String, AttributeValue>> {
    stack
        .dynamodb
        .query()
        .table_name(&stack.table)
        .index_name(compliance_aws::BY_CUSTOMER_INDEX)
        .key_condition_expression("customer_id = :c")
        .expression_attribute_values(":c", AttributeValue::S(customer_id.to_string()))
        .send()
        .await
        .expect("query by_customer")
        .items
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_customer_id_links_the_document_to_its_customer() {
    let stack = Stack::create().await;
    let (processor, key) = customer_processor(&stack, None).await;
    let doc_key = "incoming/passport-lindqvist.txt";
    let mut u = Upload::new(doc_key, sample_document("passport-lindqvist.txt"));
    u.metadata_customer = Some("C-100");
    let event = upload(&stack, u).await;

    let response = processor.handle_event(event).await.expect("handled");
    common::assert_conforms(compliance_contract::Output::ProcessorResponse, &response);

    let records = stack.items().await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["decision"], "approved");
    assert_eq!(record["customer"]["id"], "C-100");
    assert_eq!(record["customer"]["source"], "metadata");
    assert!(record["customer"].get("problem").is_none(), "{record}");
    // The index key, beside the record.
    assert_eq!(record["customer_id"], "C-100");
    // Identity prints made with the key from Secrets Manager.
    assert_eq!(record["identity"]["key_id"], key.id());

    let items = stack.customer_items("C-100").await;
    let links = links_of(&items);
    assert_eq!(links.len(), 1, "{items:#?}");
    let link = links[0];
    assert_eq!(link["pk"], "CUST#C-100");
    assert_eq!(
        link["sk"],
        format!("DOC#{}", record["document_id"].as_str().expect("id"))
    );
    assert_eq!(link["summary"]["document_id"], record["document_id"]);
    assert_eq!(link["summary"]["doc_type"], "passport");
    assert_eq!(link["summary"]["decision"], "approved");
    // Nothing a GSI keys on at the top level of a link: the indexes hold records only.
    for attribute in ["customer_id", "decision", "processed_at"] {
        assert!(
            link.get(attribute).is_none(),
            "link has {attribute}: {link}"
        );
    }
    let view = view_of(&items);
    assert_eq!(view["status"], "incomplete");
    assert_eq!(view["revision"], 1);
    assert_eq!(view["alert"]["status"], "not_required");
    for item in &items {
        assert_no_personal_data("customer item", item);
    }

    let indexed = records_by_customer(&stack, "C-100").await;
    assert_eq!(
        indexed.len(),
        1,
        "the record is found by customer without a Scan"
    );
    assert_eq!(
        indexed[0].get("pk"),
        Some(&AttributeValue::S(format!(
            "DOC#{}",
            record["document_id"].as_str().expect("id")
        )))
    );
    assert_eq!(
        indexed[0].get("decision"),
        Some(&AttributeValue::S("approved".into()))
    );

    // Approved and incomplete: nobody needs to hear about it.
    assert!(stack.alerts(QUIET).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn key_pattern_names_the_customer() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    let doc_key = "incoming/C-200/passport.txt";
    let event = upload(
        &stack,
        Upload::new(doc_key, sample_document("passport-lindqvist.txt")),
    )
    .await;
    processor.handle_event(event).await.expect("handled");

    let records = stack.items().await;
    let record = record_for(&records, doc_key);
    assert_eq!(record["customer"]["id"], "C-200");
    assert_eq!(record["customer"]["source"], "key_pattern");
    let items = stack.customer_items("C-200").await;
    assert_eq!(links_of(&items).len(), 1);
    assert_eq!(view_of(&items)["status"], "incomplete");

    // A key outside the pattern's shape names nobody, and nothing is linked.
    let other = "incoming/passport.txt";
    let event = upload(
        &stack,
        Upload::new(other, sample_document("passport-deu-brandt.txt")),
    )
    .await;
    processor.handle_event(event).await.expect("handled");
    let records = stack.items().await;
    let record = record_for(&records, other);
    assert!(record["customer"].get("id").is_none(), "{record}");
    assert!(record.get("customer_id").is_none(), "{record}");
    let partitions: Vec<Value> = stack
        .all_items()
        .await
        .into_iter()
        .filter(|i| i["pk"].as_str().is_some_and(|p| p.starts_with("CUST#")))
        .collect();
    assert!(
        partitions.iter().all(|i| i["pk"] == "CUST#C-200"),
        "{partitions:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_and_key_naming_different_customers_leave_the_document_unassigned() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    let doc_key = "incoming/C-301/passport.txt";
    let mut u = Upload::new(doc_key, sample_document("passport-lindqvist.txt"));
    u.metadata_customer = Some("C-300");
    let event = upload(&stack, u).await;
    processor.handle_event(event).await.expect("handled");

    let records = stack.items().await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert!(record["customer"].get("id").is_none(), "{record}");
    let problem = record["customer"]["problem"].as_str().expect("problem");
    assert!(problem.contains("different customers"), "{problem}");
    assert!(
        record["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.starts_with("customer id:"))),
        "{record}"
    );
    assert!(record.get("customer_id").is_none());
    assert!(stack.customer_items("C-300").await.is_empty());
    assert!(stack.customer_items("C-301").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn object_tag_names_the_customer_when_configured() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, Some("customer-id")).await;
    let tagged = "incoming/passport-lindqvist.txt";
    let mut u = Upload::new(tagged, sample_document("passport-lindqvist.txt"));
    u.tag_customer = Some("C-400");
    let event = upload(&stack, u).await;
    processor.handle_event(event).await.expect("handled");

    let untagged = "incoming/passport-deu-brandt.txt";
    let event = upload(
        &stack,
        Upload::new(untagged, sample_document("passport-deu-brandt.txt")),
    )
    .await;
    processor.handle_event(event).await.expect("handled");

    let records = stack.items().await;
    assert_eq!(records.len(), 2);
    let record = record_for(&records, tagged);
    assert_eq!(record["customer"]["id"], "C-400");
    assert_eq!(record["customer"]["source"], "tag");
    let record = record_for(&records, untagged);
    assert!(record["customer"].get("id").is_none(), "{record}");
    assert_eq!(links_of(&stack.customer_items("C-400").await).len(), 1);

    // Without CUSTOMER_ID_TAG the tag is not read.
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    let mut u = Upload::new(tagged, sample_document("passport-lindqvist.txt"));
    u.tag_customer = Some("C-401");
    let event = upload(&stack, u).await;
    processor.handle_event(event).await.expect("handled");
    let records = stack.items().await;
    assert!(records[0]["customer"].get("id").is_none(), "{}", records[0]);
}

/// A document of a customer that needs review: its own alert names the customer, and the
/// customer's alert follows (the customer now awaits review too).
#[tokio::test(flavor = "multi_thread")]
async fn document_alert_names_the_customer_and_the_customer_alert_follows() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    let event = upload(
        &stack,
        Upload::new(
            "incoming/C-150/application.txt",
            sample_document("kyc-application-moreno.txt"),
        ),
    )
    .await;
    processor.handle_event(event).await.expect("handled");

    let records = stack.items().await;
    assert_eq!(records[0]["decision"], "manual_review");
    assert_eq!(records[0]["alert"]["status"], "sent");
    let view = view_of(&stack.customer_items("C-150").await).clone();
    assert_eq!(view["status"], "needs_review", "{view:#}");
    assert_eq!(view["alert"]["status"], "sent", "{view:#}");
    assert_eq!(view["alert"]["alert_id"], "customer:C-150:1");

    let alerts = stack.alerts(QUIET).await;
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let document = alerts
        .iter()
        .find(|a| attribute(a, "kind") == Some("document"))
        .expect("document alert");
    assert_eq!(attribute(document, "customer_id"), Some("C-150"));
    assert_eq!(attribute(document, "decision"), Some("manual_review"));
    let message: Value =
        serde_json::from_str(document["Message"].as_str().expect("message")).expect("JSON");
    assert_eq!(message["customer_id"], "C-150");
    let customer = customer_alerts(&alerts);
    assert_eq!(customer.len(), 1);
    assert_eq!(attribute(customer[0], "customer_id"), Some("C-150"));
    assert_eq!(attribute(customer[0], "status"), Some("needs_review"));
}

/// Passport, utility bill and signed consent of one person: the customer becomes complete.
#[tokio::test(flavor = "multi_thread")]
async fn customer_with_consistent_documents_becomes_complete() {
    let stack = Stack::create().await;
    let (processor, key) = customer_processor(&stack, None).await;
    let documents = [
        (
            "incoming/C-500/passport.txt",
            sample_document("passport-lindqvist.txt"),
        ),
        (
            "incoming/C-500/utility-bill.txt",
            customer_document("lindqvist-utility-bill.txt"),
        ),
        (
            "incoming/C-500/consent.txt",
            customer_document("lindqvist-consent.txt"),
        ),
    ];
    let mut statuses = Vec::new();
    for (doc_key, bytes) in documents.iter().cloned() {
        let event = upload(&stack, Upload::new(doc_key, bytes)).await;
        processor.handle_event(event).await.expect("handled");
        statuses.push(view_of(&stack.customer_items("C-500").await)["status"].clone());
    }
    assert_eq!(statuses, ["incomplete", "incomplete", "complete"]);

    let records = stack.items().await;
    assert_eq!(records.len(), 3);
    for (doc_key, doc_type) in [
        ("incoming/C-500/passport.txt", "passport"),
        ("incoming/C-500/utility-bill.txt", "proof_of_address"),
        ("incoming/C-500/consent.txt", "consent_form"),
    ] {
        let record = record_for(&records, doc_key);
        assert_eq!(record["doc_type"], doc_type, "{record}");
        assert_eq!(record["decision"], "approved", "{record}");
        assert_eq!(record["customer"]["id"], "C-500");
        assert_eq!(record["identity"]["key_id"], key.id(), "{record}");
    }

    let items = stack.customer_items("C-500").await;
    assert_eq!(links_of(&items).len(), 3);
    let view = view_of(&items);
    assert_eq!(view["revision"], 3, "{view:#}");
    assert_eq!(view["previous_status"], "incomplete");
    for requirement in view["requirements"].as_array().expect("requirements") {
        assert_eq!(requirement["state"], "satisfied", "{requirement}");
    }
    let agreement = |attribute: &str| {
        view["agreement"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["attribute"] == attribute))
            .map(|x| x["result"].clone())
            .unwrap_or_else(|| panic!("no {attribute} in {view:#}"))
    };
    assert_eq!(agreement("name"), "agrees", "{view:#}");
    assert_eq!(agreement("address"), "agrees", "{view:#}");
    for item in &items {
        assert_no_personal_data("customer item", item);
    }
    assert_eq!(records_by_customer(&stack, "C-500").await.len(), 3);
    // Complete is good news: no alert of either kind.
    assert!(stack.alerts(QUIET).await.is_empty());
}

/// A utility bill in someone else's name: the customer needs review, and the compliance
/// officer hears about it once.
#[tokio::test(flavor = "multi_thread")]
async fn bill_in_another_name_needs_review_with_one_customer_alert() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    for (doc_key, bytes) in [
        (
            "incoming/C-600/passport.txt",
            sample_document("passport-lindqvist.txt"),
        ),
        (
            "incoming/C-600/utility-bill.txt",
            customer_document("okafor-utility-bill.txt"),
        ),
        (
            "incoming/C-600/consent.txt",
            customer_document("lindqvist-consent.txt"),
        ),
    ] {
        let event = upload(&stack, Upload::new(doc_key, bytes)).await;
        processor.handle_event(event).await.expect("handled");
    }

    let records = stack.items().await;
    assert_eq!(records.len(), 3);
    let bill = record_for(&records, "incoming/C-600/utility-bill.txt");
    assert_eq!(bill["doc_type"], "proof_of_address", "{bill}");
    assert_eq!(
        bill["decision"], "approved",
        "the bill itself is fine: {bill}"
    );

    let items = stack.customer_items("C-600").await;
    let view = view_of(&items);
    assert_eq!(view["status"], "needs_review", "{view:#}");
    assert!(
        view["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.starts_with("name differs"))),
        "{view:#}"
    );
    assert_eq!(view["alert"]["status"], "not_required", "{view:#}");
    for item in &items {
        assert_no_personal_data("customer item", item);
    }

    let alerts = stack.alerts(QUIET).await;
    let customer = customer_alerts(&alerts);
    assert_eq!(customer.len(), 1, "one customer alert: {alerts:#?}");
    assert_eq!(
        alerts.len(),
        1,
        "no document alert (all approved): {alerts:#?}"
    );
    let envelope = customer[0];
    assert_eq!(attribute(envelope, "status"), Some("needs_review"));
    assert_eq!(attribute(envelope, "customer_id"), Some("C-600"));
    assert_eq!(attribute(envelope, "severity"), Some("medium"));
    assert_eq!(attribute(envelope, "alert_id"), Some("customer:C-600:2"));
    assert_eq!(envelope["Subject"], "Compliance: customer needs_review");
    let message: Value =
        serde_json::from_str(envelope["Message"].as_str().expect("message")).expect("JSON");
    assert_eq!(message["kind"], "customer_status");
    assert_eq!(message["customer_id"], "C-600");
    assert_eq!(message["status"], "needs_review");
    assert_eq!(message["previous_status"], "incomplete");
    assert_no_personal_data("customer alert", &message);
}

/// The platform delivers at least once: the same event again (and several at once) adds no
/// record, no view revision and no second customer alert.
#[tokio::test(flavor = "multi_thread")]
async fn redelivered_event_changes_the_view_once_and_alerts_once() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    let processor = std::sync::Arc::new(processor);
    let passport = upload(
        &stack,
        Upload::new(
            "incoming/C-700/passport.txt",
            sample_document("passport-lindqvist.txt"),
        ),
    )
    .await;
    processor.handle_event(passport).await.expect("passport");
    let before = view_of(&stack.customer_items("C-700").await)["revision"].clone();
    assert_eq!(before, 1);

    let bill = upload(
        &stack,
        Upload::new(
            "incoming/C-700/utility-bill.txt",
            customer_document("okafor-utility-bill.txt"),
        ),
    )
    .await;
    let first = processor.handle_event(bill.clone()).await.expect("first");
    assert_eq!(first["documents"][0]["newly_recorded"], true);
    let again = processor.handle_event(bill.clone()).await.expect("again");
    assert_eq!(again["documents"][0]["newly_recorded"], false);
    let concurrent: Vec<_> = (0..5)
        .map(|_| {
            let processor = processor.clone();
            let event = bill.clone();
            tokio::spawn(async move { processor.handle_event(event).await })
        })
        .collect();
    for task in concurrent {
        let response = task.await.expect("task").expect("concurrent delivery");
        assert_eq!(response["documents"][0]["newly_recorded"], false);
    }

    assert_eq!(stack.items().await.len(), 2, "one record per document");
    let items = stack.customer_items("C-700").await;
    assert_eq!(links_of(&items).len(), 2);
    let view = view_of(&items);
    assert_eq!(
        view["revision"], 2,
        "one revision change for the bill: {view:#}"
    );
    assert_eq!(view["status"], "needs_review");
    let alerts = stack.alerts(QUIET).await;
    assert_eq!(customer_alerts(&alerts).len(), 1, "{alerts:#?}");
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
}

/// Documents of one customer processed at the same time: the view's revision check makes the
/// losers recompute, so the final view has every document.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_documents_of_one_customer_are_all_in_the_view() {
    let stack = Stack::create().await;
    let (processor, _) = customer_processor(&stack, None).await;
    let processor = std::sync::Arc::new(processor);
    let mut events = Vec::new();
    for (doc_key, bytes) in [
        (
            "incoming/C-800/passport.txt",
            sample_document("passport-lindqvist.txt"),
        ),
        (
            "incoming/C-800/utility-bill.txt",
            customer_document("lindqvist-utility-bill.txt"),
        ),
        (
            "incoming/C-800/consent.txt",
            customer_document("lindqvist-consent.txt"),
        ),
    ] {
        events.push(upload(&stack, Upload::new(doc_key, bytes)).await);
    }
    let tasks: Vec<_> = events
        .into_iter()
        .map(|event| {
            let processor = processor.clone();
            tokio::spawn(async move { processor.handle_event(event).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("handled");
    }
    let items = stack.customer_items("C-800").await;
    assert_eq!(links_of(&items).len(), 3);
    let view = view_of(&items);
    assert_eq!(
        view["documents"].as_array().map(Vec::len),
        Some(3),
        "{view:#}"
    );
    assert_eq!(view["status"], "complete", "{view:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn view_writes_are_refused_on_a_stale_revision() {
    let stack = Stack::create().await;
    let store = DynamoAuditStore::new(stack.dynamodb.clone(), stack.table.clone());
    let rules = compliance_core::rules::RuleSet::default_rules().expect("rules");
    let required = &rules.customer.required;
    let first = assess_customer("C-900", &[], required, &rules.version, None, Utc::now());
    assert_eq!(first.revision, 1);
    assert!(store.save_view(&first).await.expect("save"));
    assert!(
        !store.save_view(&first).await.expect("save"),
        "a second revision 1 is refused"
    );
    let second = assess_customer(
        "C-900",
        &[],
        required,
        &rules.version,
        Some(&first),
        Utc::now(),
    );
    assert_eq!(second.revision, 2);
    assert!(store.save_view(&second).await.expect("save"));
    assert!(
        !store.save_view(&second).await.expect("save"),
        "revision 2 again is refused"
    );
    let skipping = assess_customer(
        "C-900",
        &[],
        required,
        &rules.version,
        Some(&second),
        Utc::now(),
    );
    let mut skipping = skipping;
    skipping.revision = 5;
    assert!(!store.save_view(&skipping).await.expect("save"));
    // Marking the alert of a view that has moved on is not an error and changes nothing.
    store
        .mark_customer_alert_sent("C-900", 1, Utc::now())
        .await
        .expect("stale mark");
    let stored = store
        .customer_view("C-900")
        .await
        .expect("read")
        .expect("view");
    assert_eq!(stored, second);
    assert!(store.customer_view("C-999").await.expect("read").is_none());
    assert!(store
        .customer_documents("C-999")
        .await
        .expect("read")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn false_positives_are_appended_and_read_per_customer() {
    let stack = Stack::create().await;
    let store = DynamoAuditStore::new(stack.dynamodb.clone(), stack.table.clone());
    let fp = |customer: &str, entry: &str, reason: &str| FalsePositive {
        customer_id: customer.into(),
        list: "ofac_sdn".into(),
        entry_id: entry.into(),
        reviewer: "r.analyst".into(),
        reason: reason.into(),
        recorded_at: Utc::now(),
        document_id: None,
    };
    let a = fp("C-910", "15102", "different date of birth and nationality");
    let b = fp("C-910", "15103", "different person");
    let other = fp("C-911", "15102", "different person");
    for f in [&a, &b, &other] {
        store.record_false_positive(f).await.expect("record");
    }
    // The same write again (a retry) is accepted; a different decision with the same key is
    // refused, never overwriting the first.
    store.record_false_positive(&a).await.expect("retry");
    let mut conflicting = a.clone();
    conflicting.reason = "something else".into();
    assert!(store.record_false_positive(&conflicting).await.is_err());

    let mut found = store.false_positives("C-910").await.expect("read");
    found.sort_by(|x, y| x.entry_id.cmp(&y.entry_id));
    assert_eq!(found, vec![a.clone(), b]);
    assert_eq!(
        store.false_positives("C-911").await.expect("read"),
        vec![other]
    );
    assert!(stack
        .customer_items("C-910")
        .await
        .iter()
        .all(|i| i["pk"] == customer_pk("C-910").as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn unreadable_identity_key_fails_the_cold_start() {
    let stack = Stack::create().await;
    let missing = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:no-such-key-AbCdEf";
    match Processor::load(&config(&stack, None, Some(missing)), &stack.config).await {
        Err(ProcessorError::Config(message)) => {
            assert!(message.starts_with("IDENTITY_KEY_SECRET_ARN"), "{message}");
            assert!(message.contains("ResourceNotFound"), "{message}");
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("started without its identity key"),
    }

    let secrets = aws_sdk_secretsmanager::Client::new(&stack.config);
    let short = secrets
        .create_secret()
        .name(common::unique("short-key"))
        .secret_string("too-short")
        .send()
        .await
        .expect("create secret")
        .arn
        .expect("arn");
    match Processor::load(&config(&stack, None, Some(&short)), &stack.config).await {
        Err(ProcessorError::Config(message)) => {
            assert!(message.contains("not a usable identity key"), "{message}");
            assert!(
                !message.contains("too-short"),
                "the secret leaks: {message}"
            );
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("started with a weak identity key"),
    }

    // Processor::new cannot read secrets: it refuses rather than run without the key.
    assert!(matches!(
        Processor::new(&config(&stack, None, Some(missing)), &stack.config),
        Err(ProcessorError::Config(_))
    ));
}
