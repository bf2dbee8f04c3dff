//! Anthropic's Messages API with a forced tool.

use std::time::Duration;

use compliance_assist::{AssistConfig, Provider};
use compliance_core::assist::{parse_answer, ClassificationAssistant};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn message(stop_reason: &str, content: Value) -> Value {
    json!({
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "test-model",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {"input_tokens": 951, "output_tokens": 41}
    })
}

fn tool_call() -> Value {
    message(
        "tool_use",
        json!([
            {"type": "text", "text": "Here is the reading."},
            {"type": "tool_use", "id": "toolu_1", "name": "document_reading", "input": answer_value()}
        ]),
    )
}

async fn server_with(script: Script) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(script)
        .mount(&server)
        .await;
    server
}

fn anthropic(server: &MockServer) -> AssistConfig {
    config(Provider::Anthropic, &server.uri())
}

#[tokio::test]
async fn the_forced_tool_call_is_the_answer() {
    let server = server_with(Script::new(vec![json_response(200, tool_call())])).await;
    let request = request();
    let exchange = assistant(&anthropic(&server)).await.ask(&request).await;

    let reply = exchange.reply.as_ref().expect("answer");
    let answer: Value = serde_json::from_str(&reply.answer).expect("JSON answer");
    assert_eq!(answer, answer_value());
    assert!(parse_answer(&reply.answer).is_ok());
    assert_eq!(reply.input_tokens, Some(951));
    assert_eq!(reply.output_tokens, Some(41));
    assert_eq!(exchange.attempts, 1);
    assert_eq!(exchange.provider, "anthropic");

    let received = server.received_requests().await.expect("recorded");
    let sent = &received[0];
    let header = |name: &str| sent.headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("x-api-key"), Some(KEY));
    assert_eq!(header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(header("content-type"), Some("application/json"));
    assert!(sent.headers.get("authorization").is_none());
    let body: Value = serde_json::from_slice(&sent.body).expect("JSON body");
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["max_tokens"], request.max_output_tokens);
    assert_eq!(body["temperature"], 0);
    assert_eq!(body["system"], request.instructions);
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": request.document}])
    );
    assert_eq!(body["tools"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["tools"][0]["name"], request.schema_name);
    assert_eq!(body["tools"][0]["input_schema"], request.schema);
    assert!(body["tools"][0]["description"].is_string());
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": request.schema_name})
    );
}

#[tokio::test]
async fn overloaded_529_is_retried() {
    let script = Script::new(vec![
        json_response(
            529,
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ),
        json_response(200, tool_call()),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_for_then_retried() {
    let script = Script::new(vec![
        json_response(
            429,
            json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}),
        )
        .insert_header("retry-after", "1"),
        json_response(200, tool_call()),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
    let arrivals = script.arrivals();
    assert!(arrivals[1] - arrivals[0] >= Duration::from_millis(950));
}

#[tokio::test]
async fn a_503_on_every_attempt_gives_up_after_the_last() {
    let script = Script::new(vec![ResponseTemplate::new(503)]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert_eq!(exchange.attempts, 3);
    assert_eq!(script.arrivals().len(), 3);
    assert!(reason.contains("HTTP 503"), "{reason}");
}

#[tokio::test]
async fn a_401_is_not_retried() {
    let script = Script::new(vec![json_response(
        401,
        json!({"type": "error", "error": {"type": "authentication_error", "message": format!("invalid x-api-key {KEY}")}}),
    )]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert_eq!(reason, "HTTP 401 (authentication_error)");
    assert_eq!(exchange.attempts, 1);
    assert_eq!(script.arrivals().len(), 1);
}

#[tokio::test]
async fn an_answer_cut_at_max_tokens_is_a_failure() {
    let body = message(
        "max_tokens",
        json!([{"type": "tool_use", "id": "toolu_1", "name": "document_reading", "input": {"doc_type": "invoice"}}]),
    );
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.contains("max_tokens"), "{reason}");
    assert_eq!(exchange.attempts, 1);
}

#[tokio::test]
async fn a_refusal_is_a_failure() {
    let body = message("refusal", json!([{"type": "text", "text": "No."}]));
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    assert!(failure(&exchange).starts_with("refused"));
}

#[tokio::test]
async fn text_without_the_tool_call_is_a_failure() {
    let body = message(
        "end_turn",
        json!([{"type": "text", "text": "It is an invoice for Ivan Petrov."}]),
    );
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(
        reason.starts_with("no document_reading tool call"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_failure() {
    let server = server_with(Script::new(vec![
        ResponseTemplate::new(200).set_body_raw("<html>gateway</html>", "text/html")
    ]))
    .await;
    let exchange = assistant(&anthropic(&server)).await.ask(&request()).await;
    assert!(failure(&exchange).starts_with("malformed response"));
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
        ..anthropic(&server)
    };
    let exchange = assistant(&config).await.ask(&request()).await;
    assert!(failure(&exchange).contains("timed out"));
    assert_eq!(exchange.attempts, 2);
}
