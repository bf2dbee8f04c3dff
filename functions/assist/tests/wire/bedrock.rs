//! Amazon Bedrock's Converse API, the SDK pointed at a loopback server with static
//! credentials.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_bedrockruntime::config::{Credentials, SharedCredentialsProvider};
use compliance_assist::{AssistConfig, Assistant, Provider};
use compliance_core::assist::{parse_answer, ClassificationAssistant, ModelExchange};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const MODEL: &str = "anthropic.claude-test";

fn converse(stop_reason: &str, content: Value) -> Value {
    json!({
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 1024, "outputTokens": 37, "totalTokens": 1061},
        "metrics": {"latencyMs": 420}
    })
}

fn tool_call() -> Value {
    converse(
        "tool_use",
        json!([{"toolUse": {"toolUseId": "tooluse_1", "name": "document_reading", "input": answer_value()}}]),
    )
}

fn aws_error(status: u16, kind: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-amzn-errortype", kind)
        .set_body_json(json!({"message": "details that may quote the request: Ivan Petrov"}))
}

fn aws() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDTESTKEY",
            "test-secret",
            None,
            None,
            "test",
        )))
        .build()
}

async fn server_with(script: Script) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/model/{MODEL}/converse")))
        .respond_with(script)
        .mount(&server)
        .await;
    server
}

fn bedrock(server: &MockServer) -> AssistConfig {
    AssistConfig {
        model: MODEL.into(),
        ..config(Provider::Bedrock, &server.uri())
    }
}

async fn ask(config: &AssistConfig) -> ModelExchange {
    let assistant = Assistant::connect(config, Some(&aws()))
        .await
        .expect("assistant");
    assistant.ask(&request()).await
}

#[tokio::test]
async fn the_forced_tool_call_is_the_answer() {
    let server = server_with(Script::new(vec![json_response(200, tool_call())])).await;
    let request = request();
    let assistant = Assistant::connect(&bedrock(&server), Some(&aws()))
        .await
        .expect("assistant");
    let exchange = assistant.ask(&request).await;

    let reply = exchange.reply.as_ref().expect("answer");
    let answer: Value = serde_json::from_str(&reply.answer).expect("JSON answer");
    assert_eq!(answer, answer_value());
    assert!(parse_answer(&reply.answer).is_ok());
    assert_eq!(reply.input_tokens, Some(1024));
    assert_eq!(reply.output_tokens, Some(37));
    assert_eq!(exchange.attempts, 1);
    assert_eq!(exchange.provider, "bedrock");
    assert_eq!(exchange.model, MODEL);

    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 1);
    let sent = &received[0];
    let authorization = sent
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/")
            && authorization.contains("/us-east-1/bedrock/aws4_request"),
        "{authorization}"
    );
    let body: Value = serde_json::from_slice(&sent.body).expect("JSON body");
    assert_eq!(body["system"], json!([{"text": request.instructions}]));
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"text": request.document}]}])
    );
    assert_eq!(
        body["inferenceConfig"]["maxTokens"],
        request.max_output_tokens
    );
    assert_eq!(body["inferenceConfig"]["temperature"], 0.0);
    let tools = &body["toolConfig"]["tools"];
    assert_eq!(tools.as_array().map(Vec::len), Some(1));
    assert_eq!(tools[0]["toolSpec"]["name"], request.schema_name);
    assert_eq!(tools[0]["toolSpec"]["inputSchema"]["json"], request.schema);
    assert_eq!(
        body["toolConfig"]["toolChoice"],
        json!({"tool": {"name": request.schema_name}})
    );
}

#[tokio::test]
async fn throttling_is_retried_by_the_crate_not_the_sdk() {
    let script = Script::new(vec![
        aws_error(429, "ThrottlingException"),
        json_response(200, tool_call()),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = ask(&bedrock(&server)).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
    assert_eq!(script.arrivals().len(), 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let script = Script::new(vec![
        aws_error(429, "ThrottlingException").insert_header("retry-after", "1"),
        json_response(200, tool_call()),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = ask(&bedrock(&server)).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    let arrivals = script.arrivals();
    assert!(arrivals[1] - arrivals[0] >= Duration::from_millis(950));
}

#[tokio::test]
async fn an_internal_error_is_retried() {
    let script = Script::new(vec![
        aws_error(500, "InternalServerException"),
        json_response(200, tool_call()),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = ask(&bedrock(&server)).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
}

#[tokio::test]
async fn unavailable_on_every_attempt_gives_up_after_exactly_the_maximum() {
    let script = Script::new(vec![aws_error(503, "ServiceUnavailableException")]);
    let server = server_with(script.clone()).await;
    let exchange = ask(&bedrock(&server)).await;
    let reason = failure(&exchange);
    assert_eq!(exchange.attempts, 3);
    // The SDK's own retries are off: one request per attempt.
    assert_eq!(script.arrivals().len(), 3);
    assert!(
        reason.contains("HTTP 503 (ServiceUnavailableException)"),
        "{reason}"
    );
}

#[tokio::test]
async fn validation_and_access_errors_are_not_retried() {
    for (status, kind) in [(400, "ValidationException"), (403, "AccessDeniedException")] {
        let script = Script::new(vec![aws_error(status, kind)]);
        let server = server_with(script.clone()).await;
        let exchange = ask(&bedrock(&server)).await;
        let reason = failure(&exchange);
        assert_eq!(reason, format!("HTTP {status} ({kind})"));
        assert_eq!(exchange.attempts, 1);
        assert_eq!(script.arrivals().len(), 1);
    }
}

#[tokio::test]
async fn an_answer_cut_at_max_tokens_is_a_failure() {
    let body = converse(
        "max_tokens",
        json!([{"toolUse": {"toolUseId": "t", "name": "document_reading", "input": {"doc_type": "invoice"}}}]),
    );
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = ask(&bedrock(&server)).await;
    assert!(failure(&exchange).contains("max_tokens"));
    assert_eq!(exchange.attempts, 1);
}

#[tokio::test]
async fn text_without_the_tool_call_is_a_failure() {
    let body = converse("end_turn", json!([{"text": "An invoice for Ivan Petrov."}]));
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = ask(&bedrock(&server)).await;
    assert!(failure(&exchange).starts_with("no document_reading tool call"));
}

#[tokio::test]
async fn a_malformed_body_is_a_failure() {
    let server =
        server_with(Script::new(vec![ResponseTemplate::new(200)
            .set_body_raw(r#"{"output": {"message": "#, "application/json")]))
        .await;
    let exchange = ask(&bedrock(&server)).await;
    let reason = failure(&exchange);
    assert!(reason.starts_with("malformed response"), "{reason}");
    assert_eq!(exchange.attempts, 1);
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_retried_then_given_up() {
    let script = Script::new(vec![
        json_response(200, tool_call()).set_delay(Duration::from_secs(2))
    ]);
    let server = server_with(script.clone()).await;
    let config = AssistConfig {
        limits: compliance_assist::Limits {
            request_timeout: Duration::from_millis(200),
            max_attempts: 2,
            ..limits()
        },
        ..bedrock(&server)
    };
    let exchange = ask(&config).await;
    assert!(failure(&exchange).contains("timed out"));
    assert_eq!(exchange.attempts, 2);
    assert_eq!(script.arrivals().len(), 2);
}

#[tokio::test]
async fn bedrock_without_an_aws_configuration_is_refused() {
    let config = AssistConfig::new(Provider::Bedrock, MODEL);
    let error = Assistant::connect(&config, None)
        .await
        .expect_err("no AWS configuration");
    assert!(error.to_string().contains("AWS configuration"), "{error}");
}
