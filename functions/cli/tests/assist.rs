//! `compliance scan` with a language model configured by `LLM_*` variables, against a real
//! HTTP server on loopback that speaks the OpenAI chat-completions format: the answer is used
//! where it adds scrutiny, recorded with its cost, and a broken provider loses nothing.

mod common;

use std::process::{Command, Output};

use common::{assert_exit, describe, stdout, BIN};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ASSIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/assist");
const KEY: &str = "sk-test-0123456789";

fn scan(server: &MockServer, file: &str, extra: &[&str]) -> Output {
    scan_with(server, file, extra, &[])
}

fn scan_with(server: &MockServer, file: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args(["scan", "--json", "--no-store", "--quiet"])
        .args(extra)
        .arg(format!("{ASSIST}/{file}"))
        .env_remove("COMPLIANCE_STORE")
        .env_remove("COMPLIANCE_RULES")
        .env_remove("COMPLIANCE_LISTS")
        .env("LLM_PROVIDER", "openai")
        .env("LLM_MODEL", "gpt-test")
        .env("LLM_BASE_URL", format!("{}/v1", server.uri()))
        .env("LLM_API_KEY", KEY)
        .env("LLM_TIMEOUT_MS", "2000")
        .env("LLM_BUDGET_MS", "5000")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

fn record(output: &Output) -> Value {
    assert_exit(output, 0, "scan");
    serde_json::from_str(stdout(output).lines().next().unwrap_or(""))
        .unwrap_or_else(|e| panic!("scan --json line: {e}\n{}", describe(output)))
}

fn completion(answer: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-test",
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": answer.to_string(), "refusal": null },
            "finish_reason": "stop"
        }],
        "usage": { "prompt_tokens": 611, "completion_tokens": 27, "total_tokens": 638 }
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_models_reading_is_used_recorded_and_fenced() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(completion(json!({
            "doc_type": "kyc_application", "confidence": 0.86, "names": ["Daniel Moreno"]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let output = scan(&server, "account-opening-italian-moreno.txt", &[]);
    let line = record(&output);
    assert_eq!(line["decision"], "manual_review", "{line:#}");
    let assistance = &line["assistance"];
    assert_eq!(assistance["provider"], "openai");
    assert_eq!(assistance["model"], "gpt-test");
    assert_eq!(assistance["used"], true);
    assert_eq!(assistance["attempts"], 1);
    assert_eq!(assistance["input_tokens"], 611);
    assert_eq!(assistance["output_tokens"], 27);
    assert_eq!(assistance["suggested_type"], "kyc_application");
    assert!(assistance["checks_changed"]
        .as_array()
        .is_some_and(|c| c.contains(&json!("aml.sanctions_screening"))));
    compliance_contract::Contract::load()
        .expect("contract")
        .validate(compliance_contract::Output::Scan, &line)
        .unwrap_or_else(|e| panic!("{e}"));

    // What the model was sent: the instructions, the text inside the hash-derived fence, the
    // strict answer schema.
    let requests = server.received_requests().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&requests[0].body).expect("request JSON");
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(body["temperature"], 0);
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    let user = body["messages"][1]["content"].as_str().unwrap_or_default();
    let fence = format!(
        "DOCUMENT-{}",
        &line["sha256"].as_str().unwrap_or_default()[..16]
    );
    assert!(
        user.contains(&format!("<<<{fence}\nBANCA DEL LAGO")),
        "{user}"
    );
    assert!(body["messages"][0]["content"]
        .as_str()
        .is_some_and(|s| s.contains("untrusted data")));
    // Nothing of the key or the name in what is printed about the run.
    let printed = format!(
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!printed.contains(KEY));
    assert!(!printed.contains("Moreno"), "{printed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_provider_falls_back_to_the_built_in_result() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let output = scan(&server, "account-opening-italian-moreno.txt", &[]);
    let line = record(&output);
    // As without a model: `other`, nothing to screen, approved.
    assert_eq!(line["decision"], "approved", "{line:#}");
    let assistance = &line["assistance"];
    assert_eq!(assistance["used"], false);
    assert_eq!(assistance["attempts"], 3);
    assert!(
        assistance["note"]
            .as_str()
            .is_some_and(|n| n.contains("failed, judged without it") && n.contains("503")),
        "{assistance:#}"
    );

    // --no-assist: the provider is not called at all.
    let before = server.received_requests().await.map_or(0, |r| r.len());
    let line = record(&scan(
        &server,
        "account-opening-italian-moreno.txt",
        &["--no-assist"],
    ));
    assert!(line.get("assistance").is_none());
    assert_eq!(
        server.received_requests().await.map_or(0, |r| r.len()),
        before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_document_that_addresses_the_model_is_never_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(completion(json!({
            "doc_type": "other", "confidence": 1.0, "names": []
        })))
        .expect(0)
        .mount(&server)
        .await;
    // Asked about every document, however confident the built-in classifier is.
    let always = [("LLM_ASK_BELOW", "1")];
    for file in [
        "injection-kyc-sanctioned.txt",
        "injection-hidden-characters.txt",
    ] {
        let line = record(&scan_with(&server, file, &[], &always));
        assert_eq!(line["assistance"]["asked"], false, "{file}");
        assert!(line["reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r
                .as_str()
                .is_some_and(|r| r.contains("addressed to a model")))));
    }
    let line = record(&scan_with(
        &server,
        "injection-kyc-sanctioned.txt",
        &[],
        &always,
    ));
    assert_eq!(line["decision"], "manual_review", "{line:#}");
    assert!(line["reasons"][0]
        .as_str()
        .is_some_and(|r| r.starts_with("aml.sanctions_screening")));
}
