//! The webhook secret read from Secrets Manager (moto server, started by this test binary):
//! a good secret gives the targets; a missing secret, the template's `{}` placeholder or an
//! invalid value fails the cold start with an error that names the secret and the problem,
//! never the value.

#[path = "../../../tests/tests/common/moto.rs"]
mod moto;

use notifier::{load_webhooks, Config, Notifier, NotifierError};

async fn aws(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await
}

async fn create_secret(aws: &aws_config::SdkConfig, name: &str, value: &str) -> String {
    let client = aws_sdk_secretsmanager::Client::new(aws);
    let created = client
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("create secret");
    created.arn().expect("arn").to_string()
}

fn config(arn: &str, loopback: bool) -> Config {
    Config {
        webhooks_secret_arn: arn.to_string(),
        allow_loopback_http: loopback,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_are_read_from_the_secret() {
    let aws = aws(&moto::moto_endpoint()).await;
    let both = create_secret(
        &aws,
        &format!("webhooks-both-{}", std::process::id()),
        r#"{"slack_webhook_url": "https://hooks.slack.com/services/T0/B0/SecretToken1",
            "teams_webhook_url": "https://prod-01.westeurope.logic.azure.com/workflows/x?sig=SecretSig2"}"#,
    )
    .await;
    let webhooks = load_webhooks(&aws, &config(&both, false))
        .await
        .expect("loaded");
    assert_eq!(webhooks.targets(), vec!["slack", "teams"]);
    assert_eq!(
        webhooks.slack().map(|u| u.as_str()),
        Some("https://hooks.slack.com/services/T0/B0/SecretToken1")
    );
    // The cold start as main.rs runs it.
    Notifier::load(&config(&both, false), &aws)
        .await
        .expect("cold start");

    let loopback = create_secret(
        &aws,
        &format!("webhooks-loopback-{}", std::process::id()),
        r#"{"teams_webhook_url": "http://127.0.0.1:9/hook"}"#,
    )
    .await;
    let webhooks = load_webhooks(&aws, &config(&loopback, true))
        .await
        .expect("loaded");
    assert_eq!(webhooks.targets(), vec!["teams"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_invalid_secret_fails_the_cold_start() {
    let aws = aws(&moto::moto_endpoint()).await;
    let pid = std::process::id();
    let placeholder = create_secret(&aws, &format!("webhooks-placeholder-{pid}"), "{}").await;
    let plain_http = create_secret(
        &aws,
        &format!("webhooks-http-{pid}"),
        r#"{"slack_webhook_url": "http://hooks.slack.com/services/T0/B0/SecretToken1"}"#,
    )
    .await;
    let loopback_without_flag = create_secret(
        &aws,
        &format!("webhooks-loopback-noflag-{pid}"),
        r#"{"slack_webhook_url": "http://127.0.0.1:9/SecretToken1"}"#,
    )
    .await;
    let not_json = create_secret(&aws, &format!("webhooks-text-{pid}"), "SecretToken1").await;
    let missing = format!(
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhooks-missing-{pid}-AbCdEf"
    );
    // (secret, what the error says)
    let cases = [
        (missing.as_str(), "ResourceNotFoundException"),
        (
            placeholder.as_str(),
            "no webhook configured: set slack_webhook_url and/or teams_webhook_url",
        ),
        (plain_http.as_str(), "slack_webhook_url must be https"),
        (
            loopback_without_flag.as_str(),
            "WEBHOOKS_ALLOW_LOOPBACK_HTTP=true",
        ),
        (not_json.as_str(), "the secret is not JSON"),
    ];
    for (arn, piece) in cases {
        let error = match Notifier::load(&config(arn, false), &aws).await {
            Ok(_) => panic!("{arn}: the cold start succeeded"),
            Err(e) => e,
        };
        assert!(
            matches!(error, NotifierError::Config(_)),
            "{arn}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("WEBHOOKS_SECRET_ARN"), "{message}");
        assert!(message.contains(arn), "names the secret: {message}");
        assert!(message.contains(piece), "{arn}: {message}");
        assert!(
            !message.contains("SecretToken1"),
            "quotes the secret: {message}"
        );
        if piece != "ResourceNotFoundException" {
            assert!(
                message.contains("aws secretsmanager put-secret-value"),
                "{message}"
            );
        }
    }
}
