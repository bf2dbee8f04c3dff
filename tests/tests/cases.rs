//! Cases and record queries on the AWS path, against moto server: every non-approved document
//! opens one case (also under redelivery); reviewers decide through the audit API as the IAM
//! caller, with the audit record never touched and two reviewers at once never both winning;
//! a false positive is remembered for the customer; the record queries answer every criterion
//! through the indexes, page by page; the scheduled `case_metrics` job counts the backlog.

mod common;

use std::collections::{BTreeSet, HashMap};

use audit_api::AuditApi;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use common::{load_event, s3_event, sample_document, Stack};
use compliance_aws::DynamoAuditStore;
use compliance_contract::Output;
use compliance_core::customer::KeyPattern;
use compliance_core::ports::CustomerStore;
use processor::Processor;
use serde_json::{json, Value};

const PATTERN: &str = "incoming/{customer_id}/{file}";
/// The caller of the request fixtures: the reviewer every decision must name.
const REVIEWER: &str = "arn:aws:sts::123456789012:assumed-role/ComplianceReviewer/reviewer";

/// One test's stack, processor and API, sharing an identity key read from Secrets Manager.
struct World {
    stack: Stack,
    processor: Processor,
    api: AuditApi,
    store: DynamoAuditStore,
}

impl World {
    async fn new() -> World {
        let stack = Stack::create().await;
        let (secret, _) = stack.identity_secret().await;
        let processor = Processor::load(
            &processor::Config {
                customer_key_pattern: Some(KeyPattern::parse(PATTERN).expect("pattern")),
                identity_key_secret_arn: Some(secret.clone()),
                subjects_table: None,
                ..stack.processor_config()
            },
            &stack.config,
        )
        .await
        .expect("processor cold start");
        let api = stack.audit_api(Some(&secret)).await;
        let store = DynamoAuditStore::new(stack.dynamodb.clone(), stack.table.clone());
        World {
            stack,
            processor,
            api,
            store,
        }
    }

    /// Uploads a sample document under `key` and returns the S3 event announcing it.
    async fn upload(&self, key: &str, sample: &str) -> Value {
        let (version, etag, size) = self.stack.put(key, sample_document(sample)).await;
        let mut event = s3_event("s3-put.json", &self.stack.bucket, &version, &etag, size);
        event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
        event
    }

    /// Processes the event; returns the document id and decision.
    async fn deliver(&self, event: Value) -> (String, String) {
        let response = self.processor.handle_event(event).await.expect("processed");
        let document = &response["documents"][0];
        (
            document["document_id"]
                .as_str()
                .expect("document id")
                .to_string(),
            document["decision"].as_str().expect("decision").to_string(),
        )
    }

    async fn process(&self, key: &str, sample: &str) -> (String, String) {
        let event = self.upload(key, sample).await;
        self.deliver(event).await
    }

    async fn call(&self, request: ApiGatewayV2httpRequest) -> (i64, Value) {
        let response = self.api.handle(request).await;
        (response.status_code, body(&response))
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> (i64, Value) {
        self.call(request("GET", path, query, None)).await
    }

    async fn decide(&self, case_id: &str, decision: Value) -> (i64, Value) {
        self.call(request(
            "POST",
            &format!("/cases/{case_id}/decisions"),
            &[],
            Some(decision),
        ))
        .await
    }

    /// The table's items with this sort key (or sort key prefix).
    async fn items_with_sk(&self, prefix: &str) -> Vec<Value> {
        self.stack
            .all_items()
            .await
            .into_iter()
            .filter(|i| i["sk"].as_str().is_some_and(|s| s.starts_with(prefix)))
            .collect()
    }

    /// The raw RECORD item, attribute values as stored.
    async fn raw_record(&self, document_id: &str) -> HashMap<String, AttributeValue> {
        self.stack
            .dynamodb
            .get_item()
            .table_name(&self.stack.table)
            .key("pk", AttributeValue::S(format!("DOC#{document_id}")))
            .key("sk", AttributeValue::S("RECORD".into()))
            .consistent_read(true)
            .send()
            .await
            .expect("get record")
            .item
            .expect("record item")
    }

    /// Every item of every page of `GET /records` (or `/cases`) with these parameters.
    async fn all_pages(&self, path: &str, query: &[(&str, &str)], limit: usize) -> Vec<Value> {
        let limit = limit.to_string();
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let mut params: Vec<(&str, &str)> = query.to_vec();
            params.push(("limit", &limit));
            if let Some(c) = &cursor {
                params.push(("cursor", c));
            }
            let (status, page) = self.get(path, &params).await;
            assert_eq!(status, 200, "{page}");
            let got = page["items"].as_array().expect("items").clone();
            assert!(got.len() <= limit.parse().expect("limit"), "{page}");
            items.extend(got);
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return items,
            }
        }
        panic!("more than 100 pages");
    }
}

/// An API Gateway HTTP API request from the fixture, signed by [`REVIEWER`]. Query values are
/// given as API Gateway does: repeated names joined with commas.
fn request(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) -> ApiGatewayV2httpRequest {
    let mut event = load_event("apigw-get-customer.json");
    event["rawPath"] = Value::from(path);
    event["requestContext"]["http"]["path"] = Value::from(path);
    event["requestContext"]["http"]["method"] = Value::from(method);
    let mut params: serde_json::Map<String, Value> = serde_json::Map::new();
    for (k, v) in query {
        let joined = match params.get(*k).and_then(Value::as_str) {
            Some(previous) => format!("{previous},{v}"),
            None => (*v).to_string(),
        };
        params.insert((*k).to_string(), Value::from(joined));
    }
    event["rawQueryString"] = Value::from(
        query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&"),
    );
    if !params.is_empty() {
        event["queryStringParameters"] = Value::Object(params);
    }
    if let Some(body) = body {
        event["body"] = Value::from(body.to_string());
    }
    serde_json::from_value(event).expect("an API Gateway HTTP API event")
}

fn body(response: &ApiGatewayV2httpResponse) -> Value {
    match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["document_id"].as_str().expect("document_id").to_string())
        .collect()
}

fn id_set<'a>(ids: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    ids.into_iter().cloned().collect()
}

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {value}"))
}

fn approve(reason: &str) -> Value {
    json!({"action": "approve", "reason": reason})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_approved_document_opens_exactly_one_case_also_when_redelivered() {
    let world = World::new().await;
    let event = world
        .upload(
            "incoming/passport-nld.txt",
            "passport-nld-number-format.txt",
        )
        .await;
    let (id, decision) = world.deliver(event.clone()).await;
    assert_eq!(decision, "manual_review");
    // As if the function had died between the record and its index items: the redelivery
    // writes them again.
    let check_pk = "CHECK#kyc.document_number_format";
    let index_items: Vec<Value> = world
        .stack
        .all_items()
        .await
        .into_iter()
        .filter(|i| i["pk"] == check_pk)
        .collect();
    assert_eq!(index_items.len(), 1, "{index_items:#?}");
    assert_eq!(index_items[0]["summary"]["document_id"], id.as_str());
    world
        .stack
        .dynamodb
        .delete_item()
        .table_name(&world.stack.table)
        .key("pk", AttributeValue::S(check_pk.into()))
        .key(
            "sk",
            AttributeValue::S(index_items[0]["sk"].as_str().expect("sk").into()),
        )
        .send()
        .await
        .expect("delete index item");
    // The same S3 event again: the record exists, the case exists, nothing is added.
    let (again, _) = world.deliver(event).await;
    assert_eq!(again, id);
    let healed = world
        .stack
        .all_items()
        .await
        .into_iter()
        .filter(|i| i["pk"] == check_pk)
        .count();
    assert_eq!(healed, 1, "the index item is written again");

    let cases = world.items_with_sk("CASE").await;
    assert_eq!(cases.len(), 1, "{cases:#?}");
    let case = &cases[0];
    assert_eq!(case["pk"], format!("DOC#{id}"));
    assert_eq!(case["case_id"], id.as_str());
    assert_eq!(case["status"], "open");
    assert_eq!(case["revision"], 0);
    assert_eq!(case["case_queue"], "open");
    assert_eq!(case["failed_checks"], json!(["kyc.document_number_format"]));

    // An approved document opens none.
    let (_, decision) = world
        .process("incoming/passport-lindqvist.txt", "passport-lindqvist.txt")
        .await;
    assert_eq!(decision, "approved");
    assert_eq!(world.items_with_sk("CASE").await.len(), 1);
    assert!(world.items_with_sk("EVENT#").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn open_cases_are_listed_oldest_first_with_their_age() {
    let world = World::new().await;
    let mut opened = Vec::new();
    for (key, sample) in [
        ("incoming/a.txt", "passport-nld-number-format.txt"),
        ("incoming/b.txt", "id-card-altered-mrz.txt"),
        ("incoming/c.txt", "consent-form-unsigned.txt"),
    ] {
        opened.push(world.process(key, sample).await.0);
    }
    world
        .process("incoming/ok.txt", "passport-lindqvist.txt")
        .await;

    let (status, page) = world.get("/cases", &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page["next"].is_null(), "{page}");
    let items = page["items"].as_array().expect("items");
    for item in items {
        common::assert_conforms(Output::OpenCase, item);
        assert!(
            item["age_seconds"].as_i64().is_some_and(|a| a >= 0),
            "{item}"
        );
    }
    assert_eq!(ids(items), opened, "oldest first");
    let times: Vec<DateTime<Utc>> = items.iter().map(|i| time(&i["opened_at"])).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // Page by page, every case once, in the same order.
    assert_eq!(ids(&world.all_pages("/cases", &[], 1).await), opened);
    assert_eq!(ids(&world.all_pages("/cases", &[], 2).await), opened);

    for (query, what) in [
        (&[("cursor", "not-a-cursor!")][..], "bad cursor"),
        (&[("cursor", "eyJkIjoibW9udGgifQ")][..], "a records cursor"),
        (&[("limit", "0")][..], "limit 0"),
        (&[("limit", "5000")][..], "limit too large"),
        (&[("status", "open")][..], "unknown parameter"),
    ] {
        let (status, body) = world.get("/cases", query).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(body["error"].is_string(), "{what}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewer_decides_a_case_without_touching_the_record() {
    let world = World::new().await;
    let (id, _) = world
        .process(
            "incoming/passport-nld.txt",
            "passport-nld-number-format.txt",
        )
        .await;
    let record_before = world.raw_record(&id).await;

    let (status, outcome) = world
        .decide(
            &id,
            approve("number format confirmed with the issuing authority"),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    common::assert_conforms(Output::ReviewOutcome, &outcome);
    let case = &outcome["case_file"]["case"];
    assert_eq!(case["status"], "closed");
    assert_eq!(case["resolution"], "approved");
    assert_eq!(case["revision"], 1);
    let events = outcome["case_file"]["events"].as_array().expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "approve");
    assert_eq!(events[0]["reviewer"], REVIEWER, "the IAM caller");
    assert_eq!(events[0]["from"], "open");
    assert_eq!(events[0]["to"], "closed");
    assert_eq!(world.items_with_sk("EVENT#").await.len(), 1);
    assert_eq!(
        world.raw_record(&id).await,
        record_before,
        "the audit record is never changed"
    );
    // Closed: out of the queue (the attribute keying the sparse index is gone).
    let (_, page) = world.get("/cases", &[]).await;
    assert_eq!(page["items"], json!([]), "{page}");
    assert!(world.items_with_sk("CASE").await[0]
        .get("case_queue")
        .is_none());

    // Deciding a closed case again is refused; reopening puts it back in the queue.
    let (status, refused) = world.decide(&id, approve("again")).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|e| e.contains("closed")),
        "{refused}"
    );
    let (status, outcome) = world
        .decide(
            &id,
            json!({"action": "reopen", "reason": "new information"}),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["case_file"]["case"]["status"], "open");
    let (_, page) = world.get("/cases", &[]).await;
    assert_eq!(
        ids(page["items"].as_array().expect("items")),
        vec![id.clone()]
    );

    // Escalating twice: the second is refused.
    let (status, outcome) = world
        .decide(
            &id,
            json!({"action": "escalate", "reason": "needs a senior"}),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["case_file"]["case"]["status"], "escalated");
    let (status, refused) = world
        .decide(&id, json!({"action": "escalate", "reason": "still"}))
        .await;
    assert_eq!(status, 409, "{refused}");
    // Escalated cases still wait.
    let (_, page) = world.get("/cases", &[]).await;
    assert_eq!(page["items"][0]["status"], "escalated");

    // The document file: the record as stored and the case with its whole history.
    let (status, file) = world.get(&format!("/documents/{id}"), &[]).await;
    assert_eq!(status, 200, "{file}");
    common::assert_conforms(Output::DocumentFile, &file);
    common::assert_conforms(Output::CaseFile, &file["case"]);
    let actions: Vec<&str> = file["case"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["approve", "reopen", "escalate"]);
    assert_eq!(file["record"]["decision"], "manual_review");
    assert_eq!(world.raw_record(&id).await, record_before);

    // What a caller gets wrong.
    let missing = "0123456789abcdef0123456789abcdef";
    for (case_id, decision, status, what) in [
        (missing, approve("fine"), 404, "no such case"),
        ("short", approve("fine"), 400, "malformed case id"),
        (
            id.as_str(),
            json!({"action": "bless", "reason": "x"}),
            400,
            "unknown action",
        ),
        (
            id.as_str(),
            json!({"action": "approve", "reason": "  "}),
            400,
            "empty reason",
        ),
        (id.as_str(), json!({"action": "approve"}), 400, "no reason"),
        (
            id.as_str(),
            json!({"action": "approve", "reason": "x", "reviewer": "someone else"}),
            400,
            "a reviewer in the body",
        ),
        (
            id.as_str(),
            json!({"action": "false_positive", "reason": "x", "list": "ofac_sdn"}),
            400,
            "half a hit",
        ),
        (
            id.as_str(),
            json!({"action": "false_positive", "reason": "x"}),
            409,
            "no customer",
        ),
        (id.as_str(), json!(["approve"]), 400, "not an object"),
    ] {
        let (got, body) = world.decide(case_id, decision).await;
        assert_eq!(got, status, "{what}: {body}");
        assert!(body["error"].is_string(), "{what}");
    }
    let mut unparsable = request("POST", &format!("/cases/{id}/decisions"), &[], None);
    unparsable.body = Some("{not json".into());
    assert_eq!(world.api.handle(unparsable).await.status_code, 400);
    let (status, _) = world.get(&format!("/cases/{id}/decisions"), &[]).await;
    assert_eq!(status, 405);
    // Only one event per accepted decision, none for the refused ones.
    assert_eq!(world.items_with_sk("EVENT#").await.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn of_two_reviewers_deciding_at_once_exactly_one_wins() {
    let world = World::new().await;
    let (id, _) = world
        .process("incoming/id-card.txt", "id-card-altered-mrz.txt")
        .await;
    let approve = request(
        "POST",
        &format!("/cases/{id}/decisions"),
        &[],
        Some(approve("the MRZ was misread")),
    );
    let reject = request(
        "POST",
        &format!("/cases/{id}/decisions"),
        &[],
        Some(json!({"action": "reject", "reason": "altered document"})),
    );
    let (a, r) = tokio::join!(world.api.handle(approve), world.api.handle(reject));
    let mut statuses = [a.status_code, r.status_code];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{:?} / {:?}", body(&a), body(&r));
    let events = world.items_with_sk("EVENT#").await;
    assert_eq!(events.len(), 1, "{events:#?}");
    let winner = if a.status_code == 200 {
        "approve"
    } else {
        "reject"
    };
    assert_eq!(events[0]["action"], winner);
    let case = &world.items_with_sk("CASE").await[0];
    assert_eq!(case["revision"], 1);
    assert_eq!(case["status"], "closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_false_positive_is_remembered_and_suppresses_the_hit_on_later_documents() {
    let world = World::new().await;
    let (id, decision) = world
        .process("incoming/C-300/kyc.txt", "kyc-application-moreno.txt")
        .await;
    assert_eq!(decision, "manual_review");
    let (_, file) = world.get(&format!("/documents/{id}"), &[]).await;
    let hits = file["case"]["case"]["hits"]
        .as_array()
        .expect("hits")
        .clone();
    assert!(!hits.is_empty(), "{file}");
    let hit = &hits[0];

    let (status, outcome) = world
        .decide(
            &id,
            json!({
                "action": "false_positive",
                "reason": "different date of birth and nationality",
                "list": hit["list"],
                "entry_id": hit["entry_id"],
            }),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    // Still open: the reviewer still decides the document.
    assert_eq!(outcome["case_file"]["case"]["status"], "open");
    assert_eq!(outcome["case_file"]["events"][0]["hit"], *hit);
    let remembered = world.store.false_positives("C-300").await.expect("read");
    assert_eq!(remembered.len(), 1);
    assert_eq!(remembered[0].reviewer, REVIEWER);
    assert_eq!(
        remembered[0].entry_id,
        hit["entry_id"].as_str().unwrap_or("")
    );
    assert_eq!(remembered[0].document_id.as_deref(), Some(id.as_str()));
    let (status, _) = world.decide(&id, approve("not the listed person")).await;
    assert_eq!(status, 200);

    // A later document of the same customer with the same hit: suppressed, so approved and
    // no case; another customer's is not.
    let (later, decision) = world
        .process(
            "incoming/C-300/kyc-renewal.txt",
            "kyc-application-moreno.txt",
        )
        .await;
    assert_eq!(decision, "approved");
    let (_, file) = world.get(&format!("/documents/{later}"), &[]).await;
    assert!(file["case"].is_null(), "{file}");
    let aml = file["record"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "aml.sanctions_screening")
        .expect("aml check")
        .clone();
    assert_eq!(aml["status"], "pass", "{aml}");
    assert!(
        aml["evidence"].to_string().contains("suppressed_by"),
        "{aml}"
    );
    let (_, decision) = world
        .process("incoming/C-301/kyc.txt", "kyc-application-moreno.txt")
        .await;
    assert_eq!(decision, "manual_review");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewers_approval_is_reflected_in_the_customer_view() {
    let world = World::new().await;
    let (id, _) = world
        .process(
            "incoming/C-400/passport.txt",
            "passport-nld-number-format.txt",
        )
        .await;
    let (_, view) = world.get("/customers/C-400", &[]).await;
    assert_eq!(view["status"], "needs_review", "{view}");
    assert_eq!(view["documents"][0]["decision"], "manual_review");

    let (status, outcome) = world.decide(&id, approve("number verified")).await;
    assert_eq!(status, 200, "{outcome}");
    common::assert_conforms(Output::ReviewOutcome, &outcome);
    assert_eq!(outcome["customer"]["customer_id"], "C-400", "{outcome}");

    let (status, view) = world.get("/customers/C-400", &[]).await;
    assert_eq!(status, 200);
    common::assert_conforms(Output::Customer, &view);
    assert_eq!(view["documents"][0]["document_id"], id.as_str());
    assert_eq!(view["documents"][0]["decision"], "approved", "{view}");
    assert_ne!(view["status"], "needs_review", "{view}");
    assert_eq!(view, outcome["customer"]);
}

/// Five documents with distinct decisions, types, customers, failed checks and names,
/// processed one after the other: (document id, processed_at) in that order.
async fn five_records(world: &World) -> Vec<(String, DateTime<Utc>)> {
    let mut out = Vec::new();
    for (key, sample) in [
        ("incoming/C-500/passport.txt", "passport-lindqvist.txt"),
        (
            "incoming/passport-nld.txt",
            "passport-nld-number-format.txt",
        ),
        ("incoming/id-card.txt", "id-card-altered-mrz.txt"),
        ("incoming/C-501/cash.csv", "cash-transactions-2026-10.csv"),
        ("incoming/C-501/kyc.txt", "kyc-application-moreno.txt"),
    ] {
        let (id, _) = world.process(key, sample).await;
        let (_, file) = world.get(&format!("/documents/{id}"), &[]).await;
        out.push((id, time(&file["record"]["processed_at"])));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn every_query_criterion_finds_exactly_its_records() {
    let world = World::new().await;
    let records = five_records(&world).await;
    let [lindqvist, nld, id_card, cash, kyc] = [0, 1, 2, 3, 4].map(|i| records[i].0.clone());

    let expect = [
        (vec![("decision", "manual_review")], vec![&nld, &cash, &kyc]),
        (vec![("decision", "rejected")], vec![&id_card]),
        (vec![("doc_type", "passport")], vec![&lindqvist, &nld]),
        (vec![("customer_id", "C-501")], vec![&cash, &kyc]),
        (vec![("customer_id", "C-999")], vec![]),
        (
            vec![("check_id", "transaction.wire_recordkeeping")],
            vec![&cash],
        ),
        (vec![("check_id", "kyc.mrz_check_digits")], vec![&id_card]),
        (vec![("check_id", "aml.sanctions_screening")], vec![&kyc]),
        // Names typed another way: lower case, words swapped, one word.
        (vec![("name", "lindqvist martina")], vec![&lindqvist]),
        (vec![("name", "Martina")], vec![&lindqvist]),
        (vec![("name", "LINDQVIST, Sofia")], vec![&lindqvist]),
        (vec![("name", "jan noordhuis")], vec![&id_card]),
        (vec![("name", "martina noordhuis")], vec![]),
        (vec![("name", "nobody")], vec![]),
        (
            vec![("decision", "manual_review"), ("doc_type", "passport")],
            vec![&nld],
        ),
        (
            vec![
                ("customer_id", "C-501"),
                ("check_id", "aml.sanctions_screening"),
            ],
            vec![&kyc],
        ),
        (vec![("name", "martina"), ("decision", "rejected")], vec![]),
        (vec![], vec![&lindqvist, &nld, &id_card, &cash, &kyc]),
    ];
    for (query, expected) in expect {
        let (status, page) = world.get("/records", &query).await;
        assert_eq!(status, 200, "{query:?}: {page}");
        let items = page["items"].as_array().expect("items");
        for item in items {
            common::assert_conforms(Output::RecordSummary, item);
        }
        let mut want: Vec<String> = expected.into_iter().cloned().collect();
        // Newest first.
        want.reverse();
        assert_eq!(ids(items), want, "{query:?}");
        assert!(page["next"].is_null(), "{query:?}: {page}");
    }

    // since/until around the third record: [since, until).
    let third = records[2].1;
    let since = third.to_rfc3339();
    let until = third.to_rfc3339();
    let later: Vec<String> = records[2..].iter().rev().map(|r| r.0.clone()).collect();
    let earlier: Vec<String> = records[..2].iter().rev().map(|r| r.0.clone()).collect();
    for (query, want) in [
        (vec![("since", since.as_str())], later.clone()),
        (vec![("until", until.as_str())], earlier.clone()),
        (
            vec![("since", since.as_str()), ("decision", "manual_review")],
            vec![kyc.clone(), cash.clone()],
        ),
        (
            vec![("until", until.as_str()), ("doc_type", "passport")],
            vec![nld.clone(), lindqvist.clone()],
        ),
        (
            vec![("until", until.as_str()), ("name", "martina lindqvist")],
            vec![lindqvist.clone()],
        ),
        (
            vec![
                ("since", since.as_str()),
                ("check_id", "kyc.mrz_check_digits"),
            ],
            vec![id_card.clone()],
        ),
    ] {
        let (status, page) = world.get("/records", &query).await;
        assert_eq!(status, 200, "{query:?}: {page}");
        assert_eq!(
            ids(page["items"].as_array().expect("items")),
            want,
            "{query:?}"
        );
    }
    // A range of whole days, as dates.
    let today = Utc::now().date_naive();
    let tomorrow = (today + Duration::days(1)).to_string();
    let (_, page) = world
        .get(
            "/records",
            &[("since", &today.to_string()), ("until", &tomorrow)],
        )
        .await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(5), "{page}");
    let (_, page) = world
        .get("/records", &[("until", &today.to_string())])
        .await;
    assert_eq!(page["items"], json!([]), "{page}");

    // What a caller gets wrong.
    for query in [
        &[("decision", "maybe")][..],
        &[("doc_type", "novel")],
        &[("customer_id", "not valid")],
        &[("check_id", "a#b")],
        &[("since", "yesterday")],
        &[("since", "2026-11-02"), ("until", "2026-11-01")],
        &[("since", "1990-01-01")],
        &[("limit", "0")],
        &[("limit", "1001")],
        &[("customer", "C-500")],
        &[("decision", "approved"), ("decision", "rejected")],
        &[("cursor", "%%%")],
        &[("name", "...")],
    ] {
        let (status, body) = world.get("/records", query).await;
        assert_eq!(status, 400, "{query:?}: {body}");
        assert!(body["error"].is_string(), "{query:?}");
    }
    // Without the identity key, a name cannot be searched.
    let keyless = world.stack.audit_api(None).await;
    let response = keyless
        .handle(request("GET", "/records", &[("name", "martina")], None))
        .await;
    assert_eq!(response.status_code, 400);
    assert!(body(&response)["error"]
        .as_str()
        .is_some_and(|e| e.contains("identity key")));
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_return_every_record_once() {
    let world = World::new().await;
    let records = five_records(&world).await;
    let newest_first: Vec<String> = records.iter().rev().map(|r| r.0.clone()).collect();
    let ids_of = |subset: &[usize]| -> Vec<String> {
        let mut v: Vec<String> = subset.iter().map(|i| records[*i].0.clone()).collect();
        v.reverse();
        v
    };
    for limit in [1, 2] {
        for (query, want) in [
            (vec![], newest_first.clone()),
            (vec![("decision", "manual_review")], ids_of(&[1, 3, 4])),
            (vec![("customer_id", "C-501")], ids_of(&[3, 4])),
            (vec![("doc_type", "passport")], ids_of(&[0, 1])),
            (
                vec![("check_id", "transaction.cash_threshold")],
                ids_of(&[3]),
            ),
            (vec![("name", "martina")], ids_of(&[0])),
            (
                vec![("since", "2000-01-01"), ("decision", "manual_review")],
                ids_of(&[1, 3, 4]),
            ),
        ] {
            let got = ids(&world.all_pages("/records", &query, limit).await);
            assert_eq!(got, want, "limit {limit}, {query:?}");
        }
    }
    assert_eq!(id_set(&newest_first).len(), 5);

    // A cursor only continues the query it came from.
    let (_, first) = world
        .get("/records", &[("decision", "manual_review"), ("limit", "1")])
        .await;
    let cursor = first["next"].as_str().expect("a next page").to_string();
    let (status, body) = world
        .get("/records", &[("doc_type", "passport"), ("cursor", &cursor)])
        .await;
    assert_eq!(status, 400, "{body}");
    for bad in [
        "not-base64!",
        "bm90IGpzb24",
        "eyJkIjoibW9udGgiLCJtIjoiMTk5OS0wMSJ9",
    ] {
        let (status, body) = world.get("/records", &[("cursor", bad)]).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| e.contains("cursor")),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_case_metrics_job_counts_the_backlog() {
    let world = World::new().await;
    let metrics = world.api.case_metrics(Utc::now()).await.expect("metrics");
    assert_eq!(metrics.open_cases, 0);
    assert_eq!(metrics.oldest_open_case_age_seconds, 0);

    let (first, _) = world
        .process("incoming/a.txt", "passport-nld-number-format.txt")
        .await;
    world
        .process("incoming/b.txt", "id-card-altered-mrz.txt")
        .await;
    world
        .process("incoming/c.txt", "consent-form-unsigned.txt")
        .await;
    world
        .process("incoming/ok.txt", "passport-lindqvist.txt")
        .await;

    let now = Utc::now();
    let metrics = world.api.case_metrics(now).await.expect("metrics");
    assert_eq!(metrics.open_cases, 3);
    assert_eq!(metrics.open_cases_past_sla, 0);
    assert!(metrics.oldest_open_case_age_seconds >= 0);
    assert!(metrics.oldest_open_case_age_seconds < 600);
    // A day and an hour later, all three are past the 24-hour deadline.
    let later = now + Duration::hours(25);
    let metrics = world.api.case_metrics(later).await.expect("metrics");
    assert_eq!(metrics.open_cases, 3);
    assert_eq!(metrics.open_cases_past_sla, 3);
    assert!(metrics.oldest_open_case_age_seconds >= 25 * 3600);

    // A closed case leaves the backlog; an escalated one stays in it.
    assert_eq!(world.decide(&first, approve("fine")).await.0, 200);
    let (_, page) = world.get("/cases", &[]).await;
    let second = page["items"][0]["case_id"]
        .as_str()
        .expect("case")
        .to_string();
    assert_eq!(
        world
            .decide(&second, json!({"action": "escalate", "reason": "senior"}))
            .await
            .0,
        200
    );

    // The scheduled invocation, as EventBridge Scheduler sends it.
    let result = world
        .api
        .handle_event(json!({"job": "case_metrics"}))
        .await
        .expect("job");
    assert_eq!(result["open_cases"], 2, "{result}");
    assert_eq!(result["open_cases_past_sla"], 0, "{result}");
    assert!(world
        .api
        .handle_event(json!({"job": "something_else"}))
        .await
        .is_err());
    assert!(world.api.handle_event(json!({"hello": 1})).await.is_err());

    // An HTTP request through the same entry point is answered as one.
    let http = serde_json::to_value(request("GET", "/cases", &[], None)).expect("event");
    let response = world.api.handle_event(http).await.expect("response");
    assert_eq!(response["statusCode"], 200, "{response}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_on_a_stale_revision_is_refused_by_the_store() {
    use compliance_core::case::{ReviewAction, ReviewRequest};
    use compliance_core::ports::CaseStore;

    let world = World::new().await;
    let (id, _) = world
        .process("incoming/id-card.txt", "id-card-altered-mrz.txt")
        .await;
    let case = world.store.case(&id).await.expect("read").expect("a case");
    let review = |action| ReviewRequest {
        action,
        reviewer: "r.analyst".into(),
        reason: "checked".into(),
        hit: None,
    };
    // Both applied to the case as read: the second is one revision behind once the first
    // is stored: its event's sequence number is taken, and neither its event nor its case is
    // written.
    let (approved, approval) = case
        .apply(&review(ReviewAction::Approve), Utc::now())
        .expect("apply");
    let (rejected, rejection) = case
        .apply(&review(ReviewAction::Reject), Utc::now())
        .expect("apply");
    assert!(world
        .store
        .record_review(&approved, &approval)
        .await
        .expect("first"));
    assert!(!world
        .store
        .record_review(&rejected, &rejection)
        .await
        .expect("second"));
    let stored = world.store.case(&id).await.expect("read").expect("case");
    assert_eq!(stored, approved);
    let events = world.store.case_events(&id).await.expect("events");
    assert_eq!(events, vec![approval]);
    // And the cases of a report, by id, in one batch (unknown ids are left out).
    let found = world
        .store
        .cases(&[
            id.clone(),
            "0123456789abcdef0123456789abcdef".into(),
            id.clone(),
        ])
        .await
        .expect("cases");
    assert_eq!(found, vec![stored]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_whose_writer_died_before_the_case_is_finished_by_the_next_read() {
    use compliance_core::case::{ReviewAction, ReviewRequest};
    use compliance_core::ports::CaseStore;

    let world = World::new().await;
    let (id, _) = world
        .process("incoming/id-card.txt", "id-card-altered-mrz.txt")
        .await;
    let case = world.store.case(&id).await.expect("read").expect("a case");
    let request = ReviewRequest {
        action: ReviewAction::Reject,
        reviewer: "r.analyst".into(),
        reason: "altered document".into(),
        hit: None,
    };
    let (rejected, rejection) = case.apply(&request, Utc::now()).expect("apply");
    // Only the event reached the table: the writer died before storing the case.
    let mut item: HashMap<String, AttributeValue> =
        serde_dynamo::to_item(&rejection).expect("event item");
    item.insert("pk".into(), AttributeValue::S(format!("DOC#{id}")));
    item.insert(
        "sk".into(),
        AttributeValue::S(compliance_aws::cases::event_sk(rejection.seq)),
    );
    world
        .stack
        .dynamodb
        .put_item()
        .table_name(&world.stack.table)
        .set_item(Some(item))
        .send()
        .await
        .expect("put event");
    assert_eq!(world.items_with_sk("CASE").await[0]["revision"], 0);

    // The next read finishes the review, exactly as the reviewer made it.
    let read = world.store.case(&id).await.expect("read").expect("case");
    assert_eq!(read, rejected);
    assert_eq!(world.items_with_sk("CASE").await[0]["status"], "closed");
    let (_, page) = world.get("/cases", &[]).await;
    assert_eq!(page["items"], json!([]), "{page}");
    // And the history goes on from it.
    let (status, _) = world.decide(&id, approve("after all")).await;
    assert_eq!(status, 409);
    let (status, outcome) = world
        .decide(&id, json!({"action": "reopen", "reason": "appeal"}))
        .await;
    assert_eq!(status, 200, "{outcome}");
    let seqs: Vec<i64> = outcome["case_file"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seqs, [1, 2]);
}

/// A record stored before the query attributes existed (no `severity`, no `failed_checks`)
/// is still found through an index: its summary is read from the record itself.
#[tokio::test(flavor = "multi_thread")]
async fn a_record_written_before_the_query_attributes_is_still_found() {
    let world = World::new().await;
    let (id, decision) = world
        .process(
            "incoming/C-700/passport.txt",
            "passport-nld-number-format.txt",
        )
        .await;
    world
        .stack
        .dynamodb
        .update_item()
        .table_name(&world.stack.table)
        .key("pk", AttributeValue::S(format!("DOC#{id}")))
        .key("sk", AttributeValue::S("RECORD".into()))
        .update_expression("REMOVE severity, failed_checks")
        .send()
        .await
        .expect("strip the query attributes");
    let raw = world.raw_record(&id).await;
    assert!(!raw.contains_key("severity") && !raw.contains_key("failed_checks"));

    let (status, page) = world.get("/records", &[("customer_id", "C-700")]).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(ids(items), vec![id.clone()]);
    common::assert_conforms(Output::RecordSummary, &items[0]);
    assert_eq!(items[0]["decision"], decision.as_str());
    assert_eq!(
        items[0]["failed_checks"],
        json!(["kyc.document_number_format"])
    );
}
