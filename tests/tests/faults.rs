//! Faults, on the emulator: the same event delivered ten times at once (to one process and to
//! ten), DynamoDB throttled and unavailable, S3 shedding load, SNS failing, a webhook down.
//! Whatever happens, every document version ends with exactly one audit record and one alert,
//! and an alert that could not go out is retried (the invocation fails for the platform to
//! redeliver) or parked in a dead-letter queue, never forgotten.
//!
//! The faults are injected on the wire: the processor's SDK clients talk to a proxy in front
//! of moto server (`common/fault_proxy.rs`) that answers matching requests with the error AWS
//! sends and forwards everything else. The counts are read back from moto directly: the
//! records from the table, the alerts from an SQS queue subscribed to the SNS topic.

mod common;

// The notifier's own test support: a scripted HTTP server on loopback, a notifier pointing at
// it with short retry waits.
#[path = "../../functions/notifier/tests/support/mod.rs"]
mod notifier_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sns::SnsEvent;
use common::fault_proxy::{Fault, FaultProxy, On};
use common::{
    deliver_at_once, moto_endpoint, s3_event, sample_document, sdk_config_for, ten_at_once, Stack,
};
use lambda_runtime::Diagnostic;
use processor::{Processor, ProcessorError};
use serde_json::Value;

const QUIET: Duration = Duration::from_secs(2);

/// Uploads a sample under `incoming/` and returns its S3 event.
async fn upload(stack: &Stack, sample: &str) -> Value {
    let key = format!("incoming/{sample}");
    let (version, etag, size) = stack.put(&key, sample_document(sample)).await;
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
    event
}

/// A proxy in front of moto: faults when asked, and DynamoDB's per-item atomicity always.
fn proxy() -> FaultProxy {
    FaultProxy::start(&moto_endpoint())
}

/// A processor whose S3, DynamoDB and SNS calls all go through `proxy`.
fn processor_behind(stack: &Stack, proxy: &FaultProxy) -> Processor {
    Processor::new(
        &stack.processor_config(),
        &sdk_config_for(&proxy.endpoint()),
    )
    .expect("processor")
}

/// A failed invocation must be one the platform retries, and say so to Lambda.
fn assert_retryable(err: &ProcessorError) {
    assert!(err.retryable(), "not retryable: {err}");
    let diagnostic = Diagnostic::from(ProcessorError::Documents {
        failed: 1,
        total: 1,
        first: match err {
            ProcessorError::Documents { first, .. } => first.clone(),
            other => panic!("not a document failure: {other}"),
        },
    });
    assert_eq!(diagnostic.error_type, "Transient", "{err}");
}

/// The document ids of the deliveries that succeeded, and how many of them created the
/// record and published the alert. Failures must be retryable.
fn tally(results: &[Result<Value, ProcessorError>]) -> (usize, usize, usize) {
    let (mut ok, mut created, mut published) = (0, 0, 0);
    for result in results {
        match result {
            Ok(response) => {
                ok += 1;
                let document = &response["documents"][0];
                created += usize::from(document["newly_recorded"] == true);
                published += usize::from(document["alert_published"] == true);
            }
            Err(err) => assert_retryable(err),
        }
    }
    (ok, created, published)
}

/// Audit records per document id, read from the table.
async fn records_by_document(stack: &Stack) -> BTreeMap<String, Vec<Value>> {
    let mut by_id: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for item in stack.items().await {
        let id = item["document_id"]
            .as_str()
            .expect("document_id")
            .to_string();
        by_id.entry(id).or_default().push(item);
    }
    by_id
}

/// Alerts per document id, from the queue subscribed to the topic (drained).
async fn alerts_by_document(stack: &Stack) -> BTreeMap<String, Vec<Value>> {
    let mut by_id: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for envelope in stack.alerts(QUIET).await {
        let alert: Value =
            serde_json::from_str(envelope["Message"].as_str().expect("message")).expect("alert");
        let id = alert["document_id"]
            .as_str()
            .expect("document_id")
            .to_string();
        by_id.entry(id).or_default().push(envelope);
    }
    by_id
}

/// Exactly one record and one alert for each of `documents` (and nothing else), every alert
/// marked sent.
async fn assert_once_each(stack: &Stack, documents: usize) -> BTreeMap<String, Vec<Value>> {
    let records = records_by_document(stack).await;
    assert_eq!(records.len(), documents, "records: {records:#?}");
    for (id, items) in &records {
        assert_eq!(items.len(), 1, "{id}: {} records", items.len());
        assert_eq!(items[0]["alert"]["status"], "sent", "{id}: {:#}", items[0]);
    }
    let alerts = alerts_by_document(stack).await;
    let counts: BTreeMap<&String, usize> = alerts.iter().map(|(id, a)| (id, a.len())).collect();
    assert_eq!(
        counts,
        records.keys().map(|id| (id, 1)).collect::<BTreeMap<_, _>>(),
        "exactly one alert per document"
    );
    alerts
}

/// After the storm, the platform retries what failed, then one more redelivery of each
/// event: none of it records or alerts again.
async fn redeliver_until_done(processor: &Processor, events: &[Value]) {
    for event in events {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match processor.handle_event(event.clone()).await {
                Ok(_) => break,
                Err(err) if attempts < 5 => assert_retryable(&err),
                Err(err) => panic!("still failing after {attempts} redeliveries: {err}"),
            }
        }
        let again = processor
            .handle_event(event.clone())
            .await
            .expect("final redelivery");
        assert_eq!(again["documents"][0]["newly_recorded"], false, "{again}");
        assert_eq!(again["documents"][0]["alert_published"], false, "{again}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_deliveries_in_one_process_record_and_alert_once() {
    let stack = Stack::create().await;
    let event = upload(&stack, "kyc-application-moreno.txt").await;
    let proxy = proxy();
    let processor = Arc::new(processor_behind(&stack, &proxy));

    let results = ten_at_once(&processor, &event).await;
    let (ok, created, published) = tally(&results);
    assert!(ok >= 1, "at least the creator succeeds: {results:?}");
    assert_eq!(created, 1, "one delivery creates the record: {results:?}");
    assert!(published <= 1, "{published} deliveries say they published");

    redeliver_until_done(&processor, std::slice::from_ref(&event)).await;
    assert_once_each(&stack, 1).await;
}

/// Ten Lambda execution environments, each with its own clients, get the same event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_lambda_containers_given_the_same_event_record_and_alert_once() {
    let stack = Stack::create().await;
    let event = upload(&stack, "consent-form-unsigned.txt").await;
    let containers: Vec<Arc<Processor>> = {
        let proxy = proxy();
        (0..10)
            .map(|_| Arc::new(processor_behind(&stack, &proxy)))
            .collect()
    };

    let results = deliver_at_once(
        containers
            .iter()
            .map(|p| (p.clone(), event.clone()))
            .collect(),
    )
    .await;
    let (ok, created, published) = tally(&results);
    assert!(ok >= 1, "{results:?}");
    assert_eq!(created, 1, "{results:?}");
    assert!(published <= 1, "{published} deliveries say they published");

    redeliver_until_done(&containers[3], std::slice::from_ref(&event)).await;
    assert_once_each(&stack, 1).await;
}

/// Three documents, ten deliveries each, interleaved over five containers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_documents_ten_deliveries_each_interleaved_record_and_alert_once_each() {
    let stack = Stack::create().await;
    let mut events = Vec::new();
    for sample in [
        "kyc-application-moreno.txt",
        "consent-form-unsigned.txt",
        "cash-transactions-2026-10.csv",
    ] {
        events.push(upload(&stack, sample).await);
    }
    let containers: Vec<Arc<Processor>> = {
        let proxy = proxy();
        (0..5)
            .map(|_| Arc::new(processor_behind(&stack, &proxy)))
            .collect()
    };
    let mut deliveries = Vec::new();
    for round in 0..10 {
        for (d, event) in events.iter().enumerate() {
            let container = containers[(round * 3 + d) % containers.len()].clone();
            deliveries.push((container, event.clone()));
        }
    }

    let results = deliver_at_once(deliveries).await;
    let (ok, created, published) = tally(&results);
    assert!(ok >= 3, "{results:?}");
    assert_eq!(created, 3, "one creation per document: {results:?}");
    assert!(published <= 3, "{published} deliveries say they published");

    redeliver_until_done(&containers[0], &events).await;
    let alerts = assert_once_each(&stack, 3).await;
    let decisions: Vec<&str> = alerts
        .values()
        .map(|a| {
            a[0]["MessageAttributes"]["decision"]["Value"]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert!(
        decisions.iter().all(|d| *d == "manual_review"),
        "{decisions:?}"
    );
}

/// Uploads `bytes` under `key` and returns its S3 event.
async fn upload_as(stack: &Stack, key: &str, bytes: Vec<u8>) -> Value {
    let (version, etag, size) = stack.put(key, bytes).await;
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
    event
}

/// A customer's document delivered ten times at once: one record, its document alert once,
/// and the customer's status alert once (the view's alert has the same pending-then-sent
/// life as the record's).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_deliveries_of_a_customers_document_alert_the_customer_once() {
    let stack = Stack::create().await;
    let proxy = proxy();
    let (secret, _) = stack.identity_secret().await;
    let config = processor::Config {
        customer_key_pattern: Some(
            compliance_core::customer::KeyPattern::parse("incoming/{customer_id}/{file}")
                .expect("pattern"),
        ),
        identity_key_secret_arn: Some(secret),
        ..stack.processor_config()
    };
    let processor = Arc::new(
        Processor::load(&config, &sdk_config_for(&proxy.endpoint()))
            .await
            .expect("cold start"),
    );
    let passport = upload_as(
        &stack,
        "incoming/C-700/passport.txt",
        sample_document("passport-lindqvist.txt"),
    )
    .await;
    processor.handle_event(passport).await.expect("passport");
    let before = stack.alerts(QUIET).await;
    let bill = upload_as(
        &stack,
        "incoming/C-700/utility-bill.txt",
        sample_document("customers/okafor-utility-bill.txt"),
    )
    .await;

    let results = ten_at_once(&processor, &bill).await;
    let (ok, created, _) = tally(&results);
    assert!(ok >= 1, "{results:?}");
    assert_eq!(created, 1, "{results:?}");
    redeliver_until_done(&processor, std::slice::from_ref(&bill)).await;

    let records = records_by_document(&stack).await;
    assert_eq!(records.len(), 2, "passport and bill: {records:#?}");
    let alerts = stack.alerts(QUIET).await;
    let kind = |a: &Value| {
        a["MessageAttributes"]["kind"]["Value"]
            .as_str()
            .map(str::to_string)
    };
    let customer_alerts: Vec<&Value> = alerts
        .iter()
        .filter(|a| kind(a).as_deref() == Some("customer_status"))
        .collect();
    assert_eq!(
        customer_alerts.len(),
        1,
        "the bill in another name moves the customer to review, once: {alerts:#?}"
    );
    let bill_record = records
        .values()
        .map(|r| &r[0])
        .find(|r| r["source"]["key"] == "incoming/C-700/utility-bill.txt")
        .expect("bill record");
    let bill_alerts = alerts
        .iter()
        .filter(|a| kind(a).as_deref() == Some("document"))
        .count();
    assert_eq!(
        bill_alerts,
        usize::from(bill_record["alert"]["status"] == "sent"),
        "{bill_record:#}"
    );
    assert!(before.len() <= 2, "{before:#?}");
    let view = stack
        .customer_items("C-700")
        .await
        .into_iter()
        .find(|i| i["sk"] == compliance_aws::customers::VIEW_SK)
        .expect("view");
    assert_eq!(view["status"], "needs_review", "{view:#}");
    assert_eq!(view["alert"]["status"], "sent", "{view:#}");
}

/// The object is gone before any of ten concurrent deliveries reads it: one `unreadable`
/// record, one alert, no delivery retried for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn object_deleted_before_ten_concurrent_deliveries_is_recorded_once_as_unreadable() {
    let stack = Stack::create().await;
    let event = upload(&stack, "kyc-application-moreno.txt").await;
    let object = &event["Records"][0]["s3"]["object"];
    stack
        .s3
        .delete_object()
        .bucket(&stack.bucket)
        .key(object["key"].as_str().expect("key"))
        .version_id(object["versionId"].as_str().expect("version"))
        .send()
        .await
        .expect("delete");
    let proxy = proxy();
    let processor = Arc::new(processor_behind(&stack, &proxy));

    let results = ten_at_once(&processor, &event).await;
    let (_, created, _) = tally(&results);
    assert_eq!(created, 1, "{results:?}");

    redeliver_until_done(&processor, std::slice::from_ref(&event)).await;
    let records = records_by_document(&stack).await;
    assert_once_each(&stack, 1).await;
    let record = &records.values().next().expect("record")[0];
    assert_eq!(record["decision"], "unreadable");
}

/// DynamoDB throttles the first three writes: the SDK's retry absorbs one, the invocation
/// fails for retry on the second, the redelivery goes through.
#[tokio::test(flavor = "multi_thread")]
async fn throttled_dynamodb_is_retried_into_one_record_and_one_alert() {
    let stack = Stack::create().await;
    let event = upload(&stack, "kyc-application-moreno.txt").await;
    let proxy = proxy();
    proxy.inject(
        On::dynamodb("PutItem"),
        Fault::dynamodb_throttled(),
        Some(3),
    );
    let processor = processor_behind(&stack, &proxy);

    let err = processor
        .handle_event(event.clone())
        .await
        .expect_err("two throttled attempts fail the invocation");
    assert_retryable(&err);
    assert!(
        err.to_string().contains("ProvisionedThroughputExceeded"),
        "{err}"
    );
    assert!(
        records_by_document(&stack).await.is_empty(),
        "nothing recorded yet"
    );
    assert_eq!(proxy.seen("Publish"), (0, 0), "no alert without a record");

    // The platform's retry: the third write is throttled too, the SDK retries it.
    let response = processor
        .handle_event(event.clone())
        .await
        .expect("redelivery");
    assert_eq!(response["documents"][0]["newly_recorded"], true);
    assert_eq!(response["documents"][0]["alert_published"], true);
    assert_eq!(
        proxy.faults_served(),
        3,
        "all three injected throttles were hit"
    );

    redeliver_until_done(&processor, std::slice::from_ref(&event)).await;
    assert_once_each(&stack, 1).await;
}

/// DynamoDB down: every invocation fails for retry, nothing is published without a record;
/// once it is back, one redelivery records and alerts, and later ones do nothing.
#[tokio::test(flavor = "multi_thread")]
async fn unavailable_dynamodb_fails_for_retry_and_alerts_nothing_until_recorded() {
    let stack = Stack::create().await;
    let event = upload(&stack, "consent-form-unsigned.txt").await;
    let proxy = proxy();
    proxy.inject(On::all_of_dynamodb(), Fault::dynamodb_unavailable(), None);
    let processor = processor_behind(&stack, &proxy);

    for _ in 0..2 {
        let err = processor
            .handle_event(event.clone())
            .await
            .expect_err("DynamoDB is down");
        assert_retryable(&err);
        assert!(err.to_string().contains("dynamodb:"), "{err}");
    }
    let (writes, failed) = proxy.seen("DynamoDB_20120810.PutItem");
    assert!(
        writes >= 2 && failed == writes,
        "{writes} writes, {failed} failed"
    );
    assert_eq!(proxy.seen("Publish"), (0, 0), "no alert without a record");
    assert!(records_by_document(&stack).await.is_empty());
    assert!(alerts_by_document(&stack).await.is_empty());

    proxy.clear();
    let response = processor
        .handle_event(event.clone())
        .await
        .expect("DynamoDB is back");
    assert_eq!(response["documents"][0]["newly_recorded"], true);
    assert_eq!(response["documents"][0]["alert_published"], true);
    redeliver_until_done(&processor, std::slice::from_ref(&event)).await;
    assert_once_each(&stack, 1).await;
}

/// S3 answering 503 SlowDown is not a lost object: the invocation fails for retry rather
/// than recording the document as unreadable.
#[tokio::test(flavor = "multi_thread")]
async fn s3_shedding_load_fails_for_retry_instead_of_recording_unreadable() {
    let stack = Stack::create().await;
    let event = upload(&stack, "kyc-application-moreno.txt").await;
    let proxy = proxy();
    proxy.inject(
        On::Bucket(stack.bucket.clone()),
        Fault::s3_slow_down(),
        None,
    );
    let processor = processor_behind(&stack, &proxy);

    let err = processor
        .handle_event(event.clone())
        .await
        .expect_err("S3 is shedding load");
    assert_retryable(&err);
    assert!(err.to_string().contains("s3:GetObject"), "{err}");
    assert!(records_by_document(&stack).await.is_empty());

    proxy.clear();
    redeliver_until_done(&processor, std::slice::from_ref(&event)).await;
    let records = records_by_document(&stack).await;
    assert_eq!(
        records.values().next().expect("record")[0]["decision"],
        "manual_review"
    );
    assert_once_each(&stack, 1).await;
}

/// SNS fails: the record is stored with its alert pending and the invocation fails for
/// retry. Once SNS is back, ten redeliveries at once publish the alert exactly once and
/// record nothing new.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_sns_publish_leaves_the_alert_pending_until_a_redelivery_sends_it_once() {
    let stack = Stack::create().await;
    let event = upload(&stack, "kyc-application-moreno.txt").await;
    let proxy = proxy();
    proxy.inject(On::sns("Publish"), Fault::sns_internal_error(), None);
    let processor = Arc::new(processor_behind(&stack, &proxy));

    let err = processor
        .handle_event(event.clone())
        .await
        .expect_err("SNS is failing");
    assert_retryable(&err);
    assert!(err.to_string().contains("sns:Publish"), "{err}");
    let (publishes, failed) = proxy.seen("Publish");
    assert!(publishes >= 1 && failed == publishes);
    let records = records_by_document(&stack).await;
    assert_eq!(records.len(), 1, "the record is kept");
    let record = &records.values().next().expect("record")[0];
    assert_eq!(record["alert"]["status"], "pending", "{record:#}");
    assert!(alerts_by_document(&stack).await.is_empty());

    proxy.clear();
    let results = ten_at_once(&processor, &event).await;
    let (ok, created, published) = tally(&results);
    assert!(ok >= 1, "{results:?}");
    assert_eq!(created, 0, "no second record: {results:?}");
    assert!(published <= 1, "{published} deliveries say they published");

    redeliver_until_done(&processor, std::slice::from_ref(&event)).await;
    let alerts = assert_once_each(&stack, 1).await;
    let alert: Value = serde_json::from_str(
        alerts.values().next().expect("alert")[0]["Message"]
            .as_str()
            .expect("message"),
    )
    .expect("alert JSON");
    assert_eq!(alert["alert_id"], record["alert"]["alert_id"]);
}

/// The SNS event Lambda hands the notifier for an alert read from the subscribed queue.
fn sns_event_for(envelope: &Value) -> SnsEvent {
    let mut event = common::load_event("sns-document-alert.json");
    let sns = &mut event["Records"][0]["Sns"];
    for field in [
        "Message",
        "MessageId",
        "Subject",
        "Timestamp",
        "TopicArn",
        "MessageAttributes",
    ] {
        if let Some(value) = envelope.get(field) {
            sns[field] = value.clone();
        }
    }
    serde_json::from_value(event).expect("an SNS event")
}

/// The alert the processor really published goes to a webhook that answers 500: each of
/// Lambda's three invocations (the first and its two retries) fails with an error that says
/// retry can help, so the event ends in `NotifierDeadLetterQueue` (see the template test);
/// replayed once the webhook is back, it is delivered exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn failed_webhook_fails_the_notifier_for_retry_then_delivers_once() {
    use notifier_support::{fast_policy, notifier, Reply, Server, SLACK_PATH};

    let stack = Stack::create().await;
    let event = upload(&stack, "kyc-application-moreno.txt").await;
    stack
        .processor()
        .handle_event(event)
        .await
        .expect("processed");
    let envelopes = stack.alerts(QUIET).await;
    assert_eq!(envelopes.len(), 1);
    let sns = sns_event_for(&envelopes[0]);
    let alert: Value =
        serde_json::from_str(&sns.records[0].sns.message).expect("the published alert");
    let alert_id = alert["alert_id"].as_str().expect("alert_id").to_string();

    let policy = fast_policy();
    let attempts = policy.max_attempts as usize;
    // Down for the first invocation and Lambda's two retries.
    let server = Server::start(vec![Reply::status(500); 3 * attempts]);
    let notifier = notifier(Some(&server.url(SLACK_PATH)), None, policy);
    for invocation in 1..=3 {
        let err = notifier
            .handle_event(sns.clone())
            .await
            .expect_err("the webhook is down");
        assert!(err.retryable(), "{err}");
        let message = err.to_string();
        let diagnostic = Diagnostic::from(err);
        assert_eq!(diagnostic.error_type, "Transient", "{message}");
        assert!(message.contains(&alert_id), "{message}");
        assert_eq!(server.requests().len(), invocation * attempts);
    }

    // Replayed from the dead-letter queue once the webhook is back.
    let response = notifier
        .handle_event(sns)
        .await
        .expect("delivered once the webhook is back");
    assert_eq!(response.delivered.len(), 1);
    assert_eq!(response.delivered[0].status, 200);
    assert_eq!(response.delivered[0].attempts, 1, "delivered at once");
    let requests = server.requests();
    assert_eq!(requests.len(), 3 * attempts + 1, "posted exactly once more");
    let delivered = String::from_utf8_lossy(&requests[3 * attempts].body).to_string();
    assert!(delivered.contains(&alert_id), "the post names the alert");
}

/// The lines of a top-level resource of template.yaml, up to the next one.
fn resource<'a>(template: &'a str, name: &str) -> Vec<&'a str> {
    let header = format!("  {name}:");
    let mut lines = template.lines().skip_while(|l| l.trim_end() != header);
    assert!(
        lines.next().is_some(),
        "template.yaml has no resource {name}"
    );
    lines
        .take_while(|l| {
            l.trim().is_empty() || l.starts_with("   ") || l.trim_start().starts_with('#')
        })
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The value of the first `key:` in `block`'s lines, or only among the lines nested under
/// `under:` when given.
fn value<'a>(block: &[&'a str], under: Option<&str>, key: &str) -> Option<&'a str> {
    let lines: &[&'a str] = match under {
        Some(parent) => {
            let start = block
                .iter()
                .position(|l| l.trim() == format!("{parent}:"))?;
            let rest = &block[start + 1..];
            let end = rest
                .iter()
                .position(|l| indent(l) <= indent(block[start]))
                .unwrap_or(rest.len());
            &rest[..end]
        }
        None => block,
    };
    let prefix = format!("{key}:");
    lines
        .iter()
        .find_map(|l| l.trim().strip_prefix(prefix.as_str()).map(str::trim))
}

/// What keeps a failed event: both functions retry asynchronous events and then park them in
/// their own dead-letter queue (which they may write to), kept 14 days, with an alarm as soon
/// as one message waits there.
#[test]
fn template_parks_failed_events_in_dead_letter_queues_with_alarms() {
    let path = common::workspace_root().join("template.yaml");
    let template = std::fs::read_to_string(&path).expect("template.yaml");
    for (function, queue) in [
        ("ProcessorFunction", "ProcessorDeadLetterQueue"),
        ("NotifierFunction", "NotifierDeadLetterQueue"),
    ] {
        let f = resource(&template, function);
        assert_eq!(value(&f, None, "Type"), Some("AWS::Serverless::Function"));
        assert_eq!(
            value(&f, Some("DeadLetterQueue"), "Type"),
            Some("SQS"),
            "{function}"
        );
        assert_eq!(
            value(&f, Some("DeadLetterQueue"), "TargetArn"),
            Some(format!("!GetAtt {queue}.Arn").as_str()),
            "{function}"
        );
        let retries: u32 = value(&f, Some("EventInvokeConfig"), "MaximumRetryAttempts")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{function}: no MaximumRetryAttempts"));
        assert!(retries >= 1, "{function}: failed events are retried");

        let role = resource(&template, &format!("{function}Role"));
        let send = role
            .iter()
            .position(|l| l.trim() == "- Sid: SendToDeadLetterQueue")
            .unwrap_or_else(|| panic!("{function}Role may not write to {queue}"));
        assert_eq!(
            value(&role[send..], None, "Action"),
            Some("sqs:SendMessage")
        );
        assert_eq!(
            value(&role[send..], None, "Resource"),
            Some(format!("!GetAtt {queue}.Arn").as_str())
        );

        let q = resource(&template, queue);
        assert_eq!(value(&q, None, "Type"), Some("AWS::SQS::Queue"));
        assert!(
            value(&q, None, "MessageRetentionPeriod").is_some_and(|v| v.starts_with("1209600")),
            "{queue} keeps messages 14 days"
        );

        let alarm = resource(&template, &format!("{queue}Alarm"));
        assert_eq!(value(&alarm, None, "Type"), Some("AWS::CloudWatch::Alarm"));
        assert_eq!(value(&alarm, None, "Namespace"), Some("AWS/SQS"));
        assert_eq!(
            value(&alarm, None, "MetricName"),
            Some("ApproximateNumberOfMessagesVisible")
        );
        assert_eq!(
            value(&alarm, Some("Dimensions"), "Value"),
            Some(format!("!GetAtt {queue}.QueueName").as_str())
        );
        assert_eq!(value(&alarm, None, "Threshold"), Some("0"));
        assert_eq!(
            value(&alarm, None, "ComparisonOperator"),
            Some("GreaterThanThreshold")
        );
        assert!(
            value(&alarm, None, "AlarmActions").is_some_and(|v| !v.is_empty()),
            "{queue}Alarm notifies someone"
        );
    }
}
