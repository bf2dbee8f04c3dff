//! The SNS fixtures (`events/sns-document-alert.json`, `events/sns-customer-alert.json`) hold
//! real alerts: the document alert is what the pipeline makes of the sample
//! `kyc-application-moreno.txt` (an OFAC fuzzy hit) uploaded under customer C-1042, and the
//! customer alert is that customer's status moving from incomplete to needs_review. Both
//! validate against the schemas of the machine contract.
//!
//! `UPDATE_FIXTURES=1 cargo test -p notifier --test fixtures` rewrites them from the pipeline.

mod support;

use chrono::{DateTime, Utc};
use compliance_contract::{Contract, Output};
use compliance_core::audit::{Alert, CustomerAlert};
use compliance_core::customer::{
    assess_customer, CustomerClaims, CustomerContext, CustomerDocument, KeyPattern,
};
use compliance_core::rules::RuleSet;
use compliance_core::{Pipeline, SourceRef};
use notifier::{parse_message, AlertMessage};
use serde_json::{json, Value};
use support::{read_json, repo_file, sns_event, CUSTOMER_EVENT, DOCUMENT_EVENT};

const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:compliance-AlertTopic-1A2B3C4D5E6F";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("timestamp")
        .with_timezone(&Utc)
}

/// The alerts the real pipeline produces for the sample.
fn real_alerts() -> (Alert, CustomerAlert) {
    let bytes = std::fs::read(repo_file("events/documents/kyc-application-moreno.txt"))
        .expect("the sample document");
    let pipeline = Pipeline::with_defaults().expect("default rules and lists");
    let key = "incoming/C-1042/kyc-application-moreno.txt";
    let source = SourceRef::s3(
        "documents-123456789012-3f1c2a90-7d4e-11ef-9c1b-0a58a9feac02",
        key,
        Some("096fKKXTRTtl3on89fVO.nfljtsv6qko".into()),
        Some("\"5f0e4b3a9c1d2e7f8a6b0c4d3e2f1a09\"".into()),
        Some(bytes.len() as u64),
    );
    // As `compliance_core::service::process_document` does with the template's default
    // CustomerKeyPattern.
    let claims = CustomerClaims {
        key_pattern: KeyPattern::parse("incoming/{customer_id}/{file}")
            .expect("pattern")
            .customer_id(key),
        ..Default::default()
    };
    let context = CustomerContext {
        customer: claims.resolve(),
        false_positives: Vec::new(),
    };
    let record = pipeline
        .assess_for(source, Ok(&bytes), &context, at("2026-11-25T09:15:03Z"))
        .record;
    let alert = Alert::from_record(&record);

    let rules = RuleSet::default_rules().expect("rules");
    let first = assess_customer(
        "C-1042",
        &[],
        &rules.customer.required,
        &rules.version,
        None,
        at("2026-11-25T09:00:00Z"),
    );
    let document = CustomerDocument::of(&record).expect("the record names its customer");
    let view = assess_customer(
        "C-1042",
        &[document],
        &rules.customer.required,
        &rules.version,
        Some(&first),
        at("2026-11-25T09:15:04Z"),
    );
    (alert, CustomerAlert::from_view(&view))
}

fn sns_record(
    message: &str,
    message_id: &str,
    subject: &str,
    attributes: Value,
    time: &str,
) -> Value {
    json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": format!("{TOPIC}:6a1f3e2b-7c4d-4e5f-8a9b-0c1d2e3f4a5b"),
            "Sns": {
                "Type": "Notification",
                "MessageId": message_id,
                "TopicArn": TOPIC,
                "Subject": subject,
                "Message": message,
                "Timestamp": time,
                "SignatureVersion": "1",
                "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
                "SigningCertUrl": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                "UnsubscribeUrl": format!("https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:6a1f3e2b-7c4d-4e5f-8a9b-0c1d2e3f4a5b"),
                "MessageAttributes": attributes
            }
        }]
    })
}

fn string(value: &str) -> Value {
    json!({"Type": "String", "Value": value})
}

fn expected_events() -> (Value, Value) {
    let (alert, customer) = real_alerts();
    let mut attributes = serde_json::Map::new();
    attributes.insert("kind".into(), string("document"));
    attributes.insert("decision".into(), string(alert.decision.as_str()));
    attributes.insert("severity".into(), string(alert.severity.as_str()));
    attributes.insert("doc_type".into(), string(alert.doc_type.as_str()));
    attributes.insert("alert_id".into(), string(&alert.alert_id));
    if let Some(c) = &alert.customer_id {
        attributes.insert("customer_id".into(), string(c));
    }
    let document = sns_record(
        &serde_json::to_string(&alert).expect("JSON"),
        "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        &format!(
            "Compliance: {} ({})",
            alert.decision.as_str(),
            alert.doc_type.as_str()
        ),
        Value::Object(attributes),
        "2026-11-25T09:15:03.512Z",
    );
    let customer_event = sns_record(
        &serde_json::to_string(&customer).expect("JSON"),
        "c3b8a4f2-1d6e-5b7a-8c9d-0e1f2a3b4c5d",
        &format!("Compliance: customer {}", customer.status.as_str()),
        json!({
            "kind": string(&customer.kind),
            "status": string(customer.status.as_str()),
            "severity": string(customer.severity.as_str()),
            "alert_id": string(&customer.alert_id),
            "customer_id": string(&customer.customer_id),
        }),
        "2026-11-25T09:15:04.208Z",
    );
    (document, customer_event)
}

#[test]
fn fixtures_hold_what_the_pipeline_publishes_for_the_sample() {
    let (document, customer) = expected_events();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        for (path, value) in [(DOCUMENT_EVENT, &document), (CUSTOMER_EVENT, &customer)] {
            let text = serde_json::to_string_pretty(value).expect("JSON") + "\n";
            std::fs::write(repo_file(path), text).expect("write fixture");
        }
    }
    // The same alert as far as a reader is concerned: decision, type, severity, which checks
    // failed, ids. (Check messages may be reworded in the core without breaking this test.)
    let fixture = parse_message(&sns_event(DOCUMENT_EVENT).records[0].sns).expect("document alert");
    let AlertMessage::Document(stored) = fixture else {
        panic!("{DOCUMENT_EVENT} is not a document alert")
    };
    let (real, real_customer) = real_alerts();
    let ids = |a: &Alert| {
        a.failed_checks
            .iter()
            .map(|c| (c.id.clone(), c.severity))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (
            stored.decision,
            stored.doc_type,
            stored.severity,
            &stored.document_id,
            &stored.customer_id,
            &stored.case_id
        ),
        (
            real.decision,
            real.doc_type,
            real.severity,
            &real.document_id,
            &real.customer_id,
            &real.case_id
        ),
        "{DOCUMENT_EVENT} no longer matches the pipeline; regenerate with UPDATE_FIXTURES=1"
    );
    assert_eq!(
        ids(&stored),
        ids(&real),
        "failed checks of {DOCUMENT_EVENT}"
    );
    assert!(!stored.failed_checks.is_empty(), "the sample fails a check");

    let fixture = parse_message(&sns_event(CUSTOMER_EVENT).records[0].sns).expect("customer alert");
    let AlertMessage::Customer(stored) = fixture else {
        panic!("{CUSTOMER_EVENT} is not a customer alert")
    };
    assert_eq!(
        (
            stored.status,
            stored.previous_status,
            &stored.alert_id,
            &stored.customer_id
        ),
        (
            real_customer.status,
            real_customer.previous_status,
            &real_customer.alert_id,
            &real_customer.customer_id
        ),
        "{CUSTOMER_EVENT} no longer matches the core; regenerate with UPDATE_FIXTURES=1"
    );
}

#[test]
fn fixture_messages_conform_to_the_alert_schemas() {
    let contract = Contract::load().unwrap_or_else(|e| panic!("{e}"));
    for (path, schema) in [
        (DOCUMENT_EVENT, Output::Alert),
        (CUSTOMER_EVENT, Output::CustomerAlert),
    ] {
        let event = read_json(path);
        let message = event["Records"][0]["Sns"]["Message"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: no message"));
        let value: Value = serde_json::from_str(message).expect("the message is JSON");
        if let Err(e) = contract.validate(schema, &value) {
            panic!("{path}: {e}");
        }
    }
}
