//! Rules from an S3 object (`RULES_S3_URI`), read once at cold start: a changed rules file in
//! S3 changes the decision of the same document without a rebuild, its version lands in the
//! audit record, and an invalid, oversized or missing rules object fails the cold start with
//! every problem named by line and column.

mod common;

use common::{sample_document, workspace_root, Stack};
use compliance_core::rules::{RuleSet, DEFAULT_RULES, MAX_RULES_BYTES};
use processor::{Config, Processor, ProcessorError};
use serde_json::Value;

const CASH_DOCUMENT: &str = "cash-transactions-2026-10.csv";
const CASH_RULE: &str = "transaction.cash_threshold";

/// The shipped rules with another version and the cash rule rejecting instead of sending to
/// manual review.
fn rejecting_cash_rules(version: &str) -> String {
    let default_version = RuleSet::default_rules().expect("built-in rules").version;
    let text = DEFAULT_RULES.replacen(
        &format!("version = \"{default_version}\""),
        &format!("version = \"{version}\""),
        1,
    );
    let start = text
        .find(&format!("id = \"{CASH_RULE}\""))
        .expect("the cash rule in the shipped rules");
    let end = text[start..]
        .find("[[rule]]")
        .map_or(text.len(), |i| start + i);
    let rule =
        text[start..end].replacen("on_fail = \"manual_review\"", "on_fail = \"rejected\"", 1);
    assert_ne!(
        rule,
        text[start..end],
        "the cash rule sends to manual review"
    );
    let text = format!("{}{rule}{}", &text[..start], &text[end..]);
    RuleSet::parse(&text, "edited").unwrap_or_else(|e| panic!("{e}"));
    text
}

fn config_with_rules(stack: &Stack, key: &str) -> Config {
    Config {
        rules_s3_uri: Some(format!("s3://{}/{key}", stack.bucket)),
        ..stack.processor_config()
    }
}

/// Uploads the cash transactions under `key` and has `processor` handle the S3 event; returns
/// the audit record.
async fn process_cash_document(stack: &Stack, processor: &Processor, key: &str) -> Value {
    stack
        .process(processor, key, sample_document(CASH_DOCUMENT))
        .await
}

async fn load_error(config: &Config, stack: &Stack) -> String {
    match Processor::load(config, &stack.config).await {
        Ok(_) => panic!("the processor loaded with {:?}", config.rules_s3_uri),
        Err(ProcessorError::Config(message)) => message,
        Err(other) => panic!("not a configuration error: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_from_s3_change_the_decision_and_their_version_lands_in_the_record() {
    let stack = Stack::create().await;

    let default = Processor::load(&stack.processor_config(), &stack.config)
        .await
        .expect("processor with the built-in rules");
    let record = process_cash_document(&stack, &default, "incoming/default/cash.csv").await;
    let built_in = RuleSet::default_rules().expect("built-in rules");
    assert_eq!(record["decision"], "manual_review", "{record:#}");
    assert_eq!(record["rules_version"], built_in.version.as_str());

    let version = common::unique("s3-rules");
    stack
        .put(
            "config/rules.toml",
            rejecting_cash_rules(&version).into_bytes(),
        )
        .await;
    let config = config_with_rules(&stack, "config/rules.toml");
    let processor = Processor::load(&config, &stack.config)
        .await
        .unwrap_or_else(|e| panic!("processor with the S3 rules: {e}"));
    assert_eq!(processor.rules().version, version);

    let record = process_cash_document(&stack, &processor, "incoming/s3-rules/cash.csv").await;
    assert_eq!(record["decision"], "rejected", "{record:#}");
    assert_eq!(record["rules_version"], version.as_str());
    let cash = record["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == CASH_RULE))
        .expect("cash check");
    assert_eq!(cash["status"], "fail");

    // `Processor::new` cannot read S3: it refuses rather than silently using other rules.
    match Processor::new(&config, &stack.config) {
        Err(ProcessorError::Config(message)) => assert!(message.contains("RULES_S3_URI")),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("Processor::new ignored RULES_S3_URI"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_rules_object_fails_the_cold_start_naming_each_line() {
    let stack = Stack::create().await;
    let fixture =
        workspace_root().join("functions/core/tests/fixtures/rules/invalid/unknown-parameter.toml");
    let bytes = std::fs::read(&fixture).expect("fixture");
    stack.put("config/bad-rules.toml", bytes).await;

    let config = config_with_rules(&stack, "config/bad-rules.toml");
    let message = load_error(&config, &stack).await;
    let uri = format!("s3://{}/config/bad-rules.toml", stack.bucket);
    assert!(
        message.contains(&format!("rules file {uri} is invalid")),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "{uri}:14:12: rule `transaction.cash_threshold`: unknown parameter `threshold`"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!("{uri}:22:12: rule `gdpr.consent`")),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_oversized_rules_object_fails_the_cold_start() {
    let stack = Stack::create().await;

    let missing = config_with_rules(&stack, "config/no-such-rules.toml");
    let message = load_error(&missing, &stack).await;
    assert!(
        message.contains("config/no-such-rules.toml") && message.contains("NoSuchKey"),
        "{message}"
    );

    let mut big = DEFAULT_RULES.as_bytes().to_vec();
    big.resize(MAX_RULES_BYTES + 1, b'\n');
    stack.put("config/big-rules.toml", big).await;
    let message = load_error(&config_with_rules(&stack, "config/big-rules.toml"), &stack).await;
    assert!(
        message.contains(&format!(
            "over the limit of {MAX_RULES_BYTES} bytes for a rules file"
        )),
        "{message}"
    );

    let mut malformed = stack.processor_config();
    malformed.rules_s3_uri = Some("https://example.com/rules.toml".into());
    let message = load_error(&malformed, &stack).await;
    assert!(message.contains("s3://bucket/key"), "{message}");

    let mut both = config_with_rules(&stack, "config/rules.toml");
    both.rules_path = Some(workspace_root().join("config/rules.toml"));
    let message = load_error(&both, &stack).await;
    assert!(message.contains("both set"), "{message}");
}
