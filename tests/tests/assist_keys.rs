//! The model provider's key, read once at cold start from Secrets Manager (the key itself, or
//! JSON with `api_key`) or an SSM SecureString, in moto server; then sent to the provider (a
//! loopback server) in the provider's header.

mod common;

use std::collections::HashMap;

use compliance_assist::{AssistConfig, Assistant, KeySource, PlainKeys, Provider};
use compliance_core::assist::{build_request, AssistPolicy, ClassificationAssistant};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn secret(value: &str) -> String {
    aws_sdk_secretsmanager::Client::new(&common::sdk_config())
        .create_secret()
        .name(common::unique("llm-key"))
        .secret_string(value)
        .send()
        .await
        .expect("create secret")
        .arn
        .expect("secret arn")
}

async fn secure_parameter(value: &str) -> String {
    let name = format!("/compliance/{}", common::unique("llm-key"));
    aws_sdk_ssm::Client::new(&common::sdk_config())
        .put_parameter()
        .name(&name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("put parameter");
    name
}

/// An OpenAI-compatible server that answers every chat completion.
async fn openai_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{
                "message": {"role": "assistant", "content": r#"{"doc_type":"invoice","confidence":0.9,"names":[]}"#},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5}
        })))
        .mount(&server)
        .await;
    server
}

/// Connects with `key`, asks once, and returns the `authorization` header the server got.
async fn authorization_sent(key: KeySource) -> String {
    let server = openai_server().await;
    let config = AssistConfig {
        base_url: Some(format!("{}/v1", server.uri())),
        key,
        ..AssistConfig::new(Provider::OpenAi, "gpt-test")
    };
    let assistant = Assistant::connect(&config, Some(&common::sdk_config()))
        .await
        .expect("connect");
    let exchange = assistant
        .ask(&build_request("Invoice 42", None, &AssistPolicy::default()))
        .await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    let received = server.received_requests().await.expect("recorded");
    received[0]
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .expect("authorization header")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_a_secret_string() {
    let arn = secret("sk-plain-secret-123\n").await;
    assert_eq!(
        authorization_sent(KeySource::SecretsManager(arn)).await,
        "Bearer sk-plain-secret-123"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_the_api_key_of_a_json_secret() {
    let arn = secret(r#"{"api_key": "sk-json-secret-456", "owner": "compliance"}"#).await;
    assert_eq!(
        authorization_sent(KeySource::SecretsManager(arn)).await,
        "Bearer sk-json-secret-456"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_an_ssm_secure_string() {
    let name = secure_parameter("sk-ssm-secret-789").await;
    assert_eq!(
        authorization_sent(KeySource::Parameter(name)).await,
        "Bearer sk-ssm-secret-789"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lambda_configuration_reads_the_key_from_its_parameter() {
    let name = secure_parameter("sk-ant-lambda-000").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "content": [{"type": "tool_use", "id": "t", "name": "document_reading",
                         "input": {"doc_type": "invoice", "confidence": 0.9, "names": []}}],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 5}
        })))
        .mount(&server)
        .await;
    let env: HashMap<&str, String> = HashMap::from([
        ("LLM_PROVIDER", "anthropic".to_string()),
        ("LLM_MODEL", "claude-test".to_string()),
        ("LLM_BASE_URL", server.uri()),
        ("LLM_API_KEY_PARAMETER", name),
    ]);
    let config = AssistConfig::from_lookup(PlainKeys::Refused, |n| env.get(n).cloned())
        .expect("configuration")
        .expect("assistance on");
    let assistant = Assistant::connect(&config, Some(&common::sdk_config()))
        .await
        .expect("connect");
    let exchange = assistant
        .ask(&build_request("Invoice 42", None, &AssistPolicy::default()))
        .await;
    assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(
        received[0]
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok()),
        Some("sk-ant-lambda-000")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_secret_or_parameter_fails_the_cold_start_clearly() {
    let aws = common::sdk_config();
    let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:no-such-llm-key-AbCdEf";
    let config = AssistConfig {
        key: KeySource::SecretsManager(arn.into()),
        ..AssistConfig::new(Provider::Anthropic, "claude-test")
    };
    let error = Assistant::connect(&config, Some(&aws))
        .await
        .expect_err("missing secret")
        .to_string();
    assert!(
        error.starts_with(&format!(
            "LLM_API_KEY_SECRET_ARN {arn}: cannot read the secret"
        )),
        "{error}"
    );
    assert!(error.contains("ResourceNotFoundException"), "{error}");

    let config = AssistConfig {
        key: KeySource::Parameter("/compliance/no-such-llm-key".into()),
        ..AssistConfig::new(Provider::OpenAi, "gpt-test")
    };
    let error = Assistant::connect(&config, Some(&aws))
        .await
        .expect_err("missing parameter")
        .to_string();
    assert!(
        error.starts_with(
            "LLM_API_KEY_PARAMETER /compliance/no-such-llm-key: cannot read the parameter"
        ),
        "{error}"
    );
    assert!(error.contains("ParameterNotFound"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_without_a_usable_key_is_refused() {
    let arn = secret(r#"{"key": "sk-wrong-field"}"#).await;
    let config = AssistConfig {
        key: KeySource::SecretsManager(arn),
        ..AssistConfig::new(Provider::Anthropic, "claude-test")
    };
    let error = Assistant::connect(&config, Some(&common::sdk_config()))
        .await
        .expect_err("no api_key")
        .to_string();
    assert!(error.contains("api_key"), "{error}");
    assert!(!error.contains("sk-wrong-field"), "{error}");
}
