//! The configuration and the webhook secret's value: what is accepted, and errors that never
//! quote a URL.

use notifier::{Config, NotifierError, Webhooks};

const SLACK: &str = "https://hooks.slack.com/services/T0/B0/SecretToken1";
const TEAMS: &str = "https://prod-01.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=SecretSig2";

/// (secret value, loopback flag, accepted targets or a piece of the error)
type Case = (String, bool, Result<Vec<&'static str>, &'static str>);

#[test]
fn secret_values_are_validated() {
    let cases: Vec<Case> = vec![
        (
            format!(r#"{{"slack_webhook_url": "{SLACK}"}}"#),
            false,
            Ok(vec!["slack"]),
        ),
        (
            format!(r#"{{"teams_webhook_url": "{TEAMS}"}}"#),
            false,
            Ok(vec!["teams"]),
        ),
        (
            format!(r#"{{"slack_webhook_url": "{SLACK}", "teams_webhook_url": "{TEAMS}"}}"#),
            false,
            Ok(vec!["slack", "teams"]),
        ),
        (
            format!(r#"{{"slack_webhook_url": "{SLACK}", "teams_webhook_url": ""}}"#),
            false,
            Ok(vec!["slack"]),
        ),
        (
            r#"{"slack_webhook_url": "http://127.0.0.1:9/hook"}"#.into(),
            true,
            Ok(vec!["slack"]),
        ),
        (
            r#"{"slack_webhook_url": "http://localhost:9/hook"}"#.into(),
            true,
            Ok(vec!["slack"]),
        ),
        (
            r#"{"teams_webhook_url": "http://[::1]:9/hook"}"#.into(),
            true,
            Ok(vec!["teams"]),
        ),
        ("{}".into(), false, Err("no webhook configured")),
        (
            r#"{"slack_webhook_url": "", "teams_webhook_url": null}"#.into(),
            false,
            Err("no webhook configured"),
        ),
        (
            format!("not json {SLACK}"),
            false,
            Err("the secret is not JSON"),
        ),
        (format!(r#"["{SLACK}"]"#), false, Err("not a JSON object")),
        (
            format!(r#"{{"slack_url": "{SLACK}"}}"#),
            false,
            Err("unknown key `slack_url`"),
        ),
        (
            r#"{"slack_webhook_url": 42}"#.into(),
            false,
            Err("slack_webhook_url is not a string"),
        ),
        (
            r#"{"slack_webhook_url": "hooks.slack.com/services/T0/B0/SecretToken1"}"#.into(),
            false,
            Err("is not a URL"),
        ),
        (
            r#"{"slack_webhook_url": "http://hooks.slack.com/services/T0/B0/SecretToken1"}"#.into(),
            true,
            Err("must be https"),
        ),
        (
            r#"{"slack_webhook_url": "http://127.0.0.1:9/SecretToken1"}"#.into(),
            false,
            Err("WEBHOOKS_ALLOW_LOOPBACK_HTTP=true"),
        ),
        (
            r#"{"slack_webhook_url": "http://127.0.0.2:9/SecretToken1"}"#.into(),
            true,
            Err("must be https"),
        ),
        (
            r#"{"slack_webhook_url": "ftp://hooks.slack.com/SecretToken1"}"#.into(),
            false,
            Err("must be an https URL"),
        ),
        (
            r#"{"slack_webhook_url": "https://user:SecretToken1@hooks.slack.com/x"}"#.into(),
            false,
            Err("must not carry user credentials"),
        ),
    ];
    for (value, loopback, expected) in cases {
        let result = Webhooks::from_secret_json(&value, loopback);
        match (result, expected) {
            (Ok(w), Ok(targets)) => assert_eq!(w.targets(), targets, "{value}"),
            (Err(NotifierError::Config(message)), Err(piece)) => {
                assert!(message.contains(piece), "{value}: {message}");
                for secret in [
                    "SecretToken1",
                    "SecretSig2",
                    "hooks.slack.com",
                    "logic.azure.com",
                ] {
                    assert!(
                        !message.contains(secret),
                        "{value}: the error quotes the secret: {message}"
                    );
                }
            }
            (other, expected) => panic!("{value}: {other:?}, expected {expected:?}"),
        }
    }
}

#[test]
fn debug_output_redacts_the_urls() {
    let w = Webhooks::new(Some(SLACK), Some(TEAMS), false).expect("valid");
    let debug = format!("{w:?}");
    assert!(
        !debug.contains("SecretToken1") && !debug.contains("SecretSig2"),
        "{debug}"
    );
    assert!(debug.contains("redacted"), "{debug}");
}

#[test]
fn environment_is_read_once_into_a_config() {
    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }
    let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhooks-AbCdEf";
    let c = Config::from_vars(vars(&[("WEBHOOKS_SECRET_ARN", arn)])).expect("config");
    assert_eq!(c.webhooks_secret_arn, arn);
    assert!(!c.allow_loopback_http, "off by default");
    let c = Config::from_vars(vars(&[
        ("WEBHOOKS_SECRET_ARN", arn),
        ("WEBHOOKS_ALLOW_LOOPBACK_HTTP", "true"),
    ]))
    .expect("config");
    assert!(c.allow_loopback_http);
    let missing = Config::from_vars(vars(&[])).expect_err("no ARN");
    assert!(
        missing
            .to_string()
            .contains("WEBHOOKS_SECRET_ARN is not set"),
        "{missing}"
    );
    let bad = Config::from_vars(vars(&[
        ("WEBHOOKS_SECRET_ARN", arn),
        ("WEBHOOKS_ALLOW_LOOPBACK_HTTP", "yes please"),
    ]))
    .expect_err("bad flag");
    assert!(bad.to_string().contains("must be true or false"), "{bad}");
}

#[test]
fn a_url_pasted_as_a_key_is_not_quoted() {
    let value = format!(r#"{{"{SLACK}": true}}"#);
    let error = Webhooks::from_secret_json(&value, false).expect_err("unknown key");
    let message = error.to_string();
    assert!(message.contains("unknown key;"), "{message}");
    assert!(!message.contains("hooks.slack.com"), "{message}");
}
