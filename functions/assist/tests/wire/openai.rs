//! OpenAI-compatible chat completions.

use std::time::{Duration, Instant};

use compliance_assist::{AssistConfig, AuthHeader, KeySource, MaxTokensField, Provider};
use compliance_core::assist::{parse_answer, ClassificationAssistant};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": null},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 812, "completion_tokens": 23, "total_tokens": 835}
    })
}

async fn server_with(script: Script) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(script)
        .mount(&server)
        .await;
    server
}

fn openai(server: &MockServer) -> AssistConfig {
    config(Provider::OpenAi, &format!("{}/v1", server.uri()))
}

#[tokio::test]
async fn the_answer_and_token_counts_are_taken_from_a_strict_schema_request() {
    let server = server_with(Script::new(vec![json_response(200, completion(ANSWER))])).await;
    let assistant = assistant(&openai(&server)).await;
    let request = request();

    let exchange = assistant.ask(&request).await;

    let reply = exchange.reply.as_ref().expect("answer");
    assert_eq!(reply.answer, ANSWER);
    assert!(parse_answer(&reply.answer).is_ok());
    assert_eq!(reply.input_tokens, Some(812));
    assert_eq!(reply.output_tokens, Some(23));
    assert_eq!(exchange.attempts, 1);
    assert_eq!(exchange.provider, "openai");
    assert_eq!(exchange.model, "test-model");

    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 1);
    let sent = &received[0];
    assert_eq!(
        sent.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(sent.headers.get("api-key").is_none());
    assert_eq!(
        sent.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body: Value = serde_json::from_slice(&sent.body).expect("JSON body");
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["temperature"], 0);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": request.instructions},
            {"role": "user", "content": request.document},
        ])
    );
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(
        body["response_format"]["json_schema"]["name"],
        request.schema_name
    );
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        body["response_format"]["json_schema"]["schema"],
        request.schema
    );
    assert_eq!(body["max_completion_tokens"], request.max_output_tokens);
    assert!(body.get("max_tokens").is_none());
}

#[tokio::test]
async fn azure_takes_the_key_in_api_key_and_keeps_its_api_version() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/deployments/reader/chat/completions"))
        .and(query_param("api-version", "2024-10-21"))
        .respond_with(json_response(200, completion(ANSWER)))
        .mount(&server)
        .await;
    let config = AssistConfig {
        base_url: Some(format!(
            "{}/openai/deployments/reader?api-version=2024-10-21",
            server.uri()
        )),
        auth_header: AuthHeader::ApiKey,
        max_tokens_field: MaxTokensField::MaxTokens,
        ..openai(&server)
    };
    let exchange = assistant(&config).await.ask(&request()).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);

    let received = server.received_requests().await.expect("recorded");
    let sent = &received[0];
    assert_eq!(
        sent.headers.get("api-key").and_then(|v| v.to_str().ok()),
        Some(KEY)
    );
    assert!(sent.headers.get("authorization").is_none());
    let body: Value = serde_json::from_slice(&sent.body).expect("JSON body");
    assert_eq!(body["max_tokens"], 400);
    assert!(body.get("max_completion_tokens").is_none());
}

#[tokio::test]
async fn a_local_server_gets_no_key() {
    let server = server_with(Script::new(vec![json_response(200, completion(ANSWER))])).await;
    let config = AssistConfig {
        key: KeySource::None,
        ..openai(&server)
    };
    let exchange = assistant(&config).await.ask(&request()).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    let received = server.received_requests().await.expect("recorded");
    assert!(received[0].headers.get("authorization").is_none());
    assert!(received[0].headers.get("api-key").is_none());
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_for_then_retried() {
    let script = Script::new(vec![
        json_response(
            429,
            json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}),
        )
        .insert_header("retry-after", "1"),
        json_response(200, completion(ANSWER)),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;

    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
    let arrivals = script.arrivals();
    assert_eq!(arrivals.len(), 2);
    let gap = arrivals[1] - arrivals[0];
    assert!(
        gap >= Duration::from_millis(950),
        "retried after {gap:?}, before Retry-After"
    );
    assert!(exchange.latency_ms >= 950);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let when = std::time::SystemTime::now() + Duration::from_secs(2);
    let script = Script::new(vec![
        ResponseTemplate::new(503)
            .insert_header("retry-after", httpdate::fmt_http_date(when).as_str()),
        json_response(200, completion(ANSWER)),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
    let arrivals = script.arrivals();
    // The date has whole seconds: the wait is between one and two seconds.
    assert!(arrivals[1] - arrivals[0] >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_500_is_retried() {
    let script = Script::new(vec![
        json_response(
            500,
            json!({"error": {"message": "oops", "type": "server_error"}}),
        ),
        json_response(200, completion(ANSWER)),
    ]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    assert_eq!(exchange.attempts, 2);
    assert_eq!(script.arrivals().len(), 2);
}

#[tokio::test]
async fn a_503_on_every_attempt_gives_up_after_the_last() {
    let script = Script::new(vec![ResponseTemplate::new(503)]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert_eq!(exchange.attempts, 3);
    assert_eq!(script.arrivals().len(), 3);
    assert!(reason.contains("HTTP 503"), "{reason}");
    assert!(reason.contains("3 attempts"), "{reason}");
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_retried_then_given_up() {
    let script = Script::new(vec![
        json_response(200, completion(ANSWER)).set_delay(Duration::from_secs(2))
    ]);
    let server = server_with(script.clone()).await;
    let config = AssistConfig {
        limits: compliance_assist::Limits {
            request_timeout: Duration::from_millis(200),
            max_attempts: 2,
            ..limits()
        },
        ..openai(&server)
    };
    let started = Instant::now();
    let exchange = assistant(&config).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.contains("timed out"), "{reason}");
    assert_eq!(exchange.attempts, 2);
    assert_eq!(script.arrivals().len(), 2);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_failure_not_retried() {
    let server = server_with(Script::new(vec![ResponseTemplate::new(200).set_body_raw(
        r#"{"choices": [{"message": {"content": "Ivan"#,
        "application/json",
    )]))
    .await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.starts_with("malformed response"), "{reason}");
    assert_eq!(exchange.attempts, 1);
}

#[tokio::test]
async fn a_401_is_not_retried_and_its_body_is_not_recorded() {
    let script = Script::new(vec![json_response(
        401,
        json!({"error": {
            "message": format!("Incorrect API key provided: {KEY}. Document: INVOICE Ivan Petrov"),
            "type": "invalid_request_error",
            "code": "invalid_api_key"
        }}),
    )]);
    let server = server_with(script.clone()).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert_eq!(reason, "HTTP 401 (invalid_request_error/invalid_api_key)");
    assert_eq!(exchange.attempts, 1);
    assert_eq!(script.arrivals().len(), 1);
}

#[tokio::test]
async fn a_refusal_is_a_failure() {
    let mut body = completion(ANSWER);
    body["choices"][0]["message"]["content"] = Value::Null;
    body["choices"][0]["message"]["refusal"] = json!("I can't help with Ivan Petrov's invoice.");
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.starts_with("refused"), "{reason}");
    assert_eq!(exchange.attempts, 1);
}

#[tokio::test]
async fn an_answer_cut_at_the_token_limit_is_a_failure() {
    let mut body = completion(r#"{"doc_type":"invoice","confid"#);
    body["choices"][0]["finish_reason"] = json!("length");
    let server = server_with(Script::new(vec![json_response(200, body)])).await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.contains("token limit"), "{reason}");
}

#[tokio::test]
async fn retry_after_beyond_the_budget_stops_at_once() {
    let script = Script::new(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "30"),
        json_response(200, completion(ANSWER)),
    ]);
    let server = server_with(script.clone()).await;
    let config = AssistConfig {
        limits: compliance_assist::Limits {
            budget: Duration::from_secs(3),
            ..limits()
        },
        ..openai(&server)
    };
    let started = Instant::now();
    let exchange = assistant(&config).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert!(reason.starts_with("rate limited"), "{reason}");
    assert!(reason.contains("30.0 s"), "{reason}");
    assert_eq!(exchange.attempts, 1);
    assert_eq!(script.arrivals().len(), 1);
}

#[tokio::test]
async fn a_response_without_content_is_a_failure() {
    let server = server_with(Script::new(vec![json_response(
        200,
        json!({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 0}}),
    )]))
    .await;
    let exchange = assistant(&openai(&server)).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.contains("no choice"), "{reason}");
}
