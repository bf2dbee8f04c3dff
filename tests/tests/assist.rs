//! The processor Lambda with model assistance, on the emulator: the key read from Secrets
//! Manager at cold start, an OpenAI-compatible model on a loopback HTTP server, the audit
//! record in DynamoDB carrying the consultation, and the alert citing the stricter result.
//! A provider that is down delays nothing beyond its budget and loses nothing.

mod common;

use std::time::Duration;

use common::{sample_document, unique, Stack};
use compliance_assist::{AssistConfig, Assistant, KeySource, Limits, Provider};
use compliance_core::assist::AssistPolicy;
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn assist_document(name: &str) -> Vec<u8> {
    let path = common::workspace_root().join("events/assist").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn key_secret(stack: &Stack, key: &str) -> String {
    aws_sdk_secretsmanager::Client::new(&stack.config)
        .create_secret()
        .name(unique("llm-key"))
        .secret_string(json!({ "api_key": key }).to_string())
        .send()
        .await
        .expect("create secret")
        .arn
        .expect("secret arn")
}

async fn assisted_processor(
    stack: &Stack,
    server: &MockServer,
    secret_arn: &str,
) -> processor::Processor {
    let mut config = AssistConfig::new(Provider::OpenAi, "gpt-test");
    config.base_url = Some(format!("{}/v1", server.uri()));
    config.key = KeySource::SecretsManager(secret_arn.to_string());
    config.limits = Limits {
        request_timeout: Duration::from_secs(2),
        budget: Duration::from_secs(6),
        max_attempts: 3,
        max_concurrency: 2,
    };
    let assistant = Assistant::connect(&config, Some(&stack.config))
        .await
        .expect("assistant cold start");
    stack
        .processor()
        .with_assistance(Some((assistant, AssistPolicy::default())))
}

fn completion(answer: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": answer.to_string() },
            "finish_reason": "stop"
        }],
        "usage": { "prompt_tokens": 640, "completion_tokens": 25 }
    }))
}

#[tokio::test]
async fn the_lambda_records_the_models_reading_and_alerts_on_the_stricter_result() {
    let stack = Stack::create().await;
    let key = format!("sk-{}", unique("key"));
    let secret = key_secret(&stack, &key).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {key}").as_str()))
        .respond_with(completion(json!({
            "doc_type": "kyc_application", "confidence": 0.9, "names": ["Daniel Moreno"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let processor = assisted_processor(&stack, &server, &secret).await;

    let item = stack
        .process(
            &processor,
            "incoming/apertura-conto.txt",
            assist_document("account-opening-italian-moreno.txt"),
        )
        .await;
    assert_eq!(item["decision"], "manual_review", "{item:#}");
    assert_eq!(
        item["doc_type"], "other",
        "the record keeps the built-in type"
    );
    let assistance = &item["assistance"];
    assert_eq!(assistance["provider"], "openai");
    assert_eq!(assistance["model"], "gpt-test");
    assert_eq!(
        assistance["prompt_version"],
        compliance_core::assist::PROMPT_VERSION
    );
    assert_eq!(assistance["used"], true);
    assert_eq!(assistance["names_used"], 1);
    assert_eq!(assistance["input_tokens"], 640);
    assert_eq!(assistance["output_tokens"], 25);
    assert!(assistance["latency_ms"].as_u64().is_some());
    let stored = item.to_string();
    assert!(
        !stored.contains("Moreno"),
        "no name in clear in the stored record"
    );
    assert!(!stored.contains(&key));

    let alerts = stack.alerts(Duration::from_secs(2)).await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert!(alerts[0].to_string().contains("aml.sanctions_screening"));
    assert!(!alerts[0].to_string().contains("Moreno"));

    // The same event delivered again: the record stands and the model is not asked again.
    let document = &item["document_id"];
    let version = item["source"]["version_id"].as_str().unwrap_or_default();
    let etag = item["source"]["etag"].as_str().unwrap_or_default();
    let size = item["size_bytes"].as_u64().unwrap_or_default();
    let mut event = common::s3_event("s3-put.json", &stack.bucket, version, etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from("incoming/apertura-conto.txt");
    processor
        .handle_event(event)
        .await
        .expect("redelivery handled");
    let records: Vec<Value> = stack
        .items()
        .await
        .into_iter()
        .filter(|i| &i["document_id"] == document)
        .collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["assistance"], item["assistance"]);
    // `.expect(1)` on the mock: verified when the server drops.
}

#[tokio::test]
async fn a_provider_that_is_down_costs_its_budget_and_loses_nothing() {
    let stack = Stack::create().await;
    let secret = key_secret(&stack, "sk-unused").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .mount(&server)
        .await;
    let processor = assisted_processor(&stack, &server, &secret).await;

    let started = std::time::Instant::now();
    let item = stack
        .process(
            &processor,
            "incoming/apertura-conto.txt",
            assist_document("account-opening-italian-moreno.txt"),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(15));
    // Judged as without a model, with the failure recorded.
    assert_eq!(item["decision"], "approved", "{item:#}");
    assert_eq!(item["assistance"]["used"], false);
    assert_eq!(item["assistance"]["attempts"], 3);
    assert!(item["assistance"]["note"]
        .as_str()
        .is_some_and(|n| n.contains("500")));
    // A confident document is not sent at all.
    let passport = stack
        .process(
            &processor,
            "incoming/passport.txt",
            sample_document("passport-lindqvist.txt"),
        )
        .await;
    assert!(passport.get("assistance").is_none());
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 3);
}
