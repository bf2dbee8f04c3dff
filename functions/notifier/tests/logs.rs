//! The logs: JSON lines with ids and statuses, never webhook URLs or message text. A test
//! binary of its own: `tracing` caches per call site whether anyone listens, and a test
//! running beside it without a subscriber would make this one miss events.

mod support;

use std::sync::{Arc, Mutex};

use serde_json::Value;
use support::{
    fast_policy, notifier, sns_event, Reply, Server, CUSTOMER_EVENT, DOCUMENT_EVENT, SLACK_PATH,
    TEAMS_PATH,
};

/// A writer that keeps everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The logs of a run with a retry, a success and a rejection: JSON lines with the alert id,
/// kind, target and status, and neither webhook URL nor any text of the message. Captured at
/// TRACE, the HTTP client's own lines included: those name the host and port it connects to
/// (`hooks.slack.com:443`), which is not the credential; the path and query are, and never
/// appear.
#[tokio::test]
async fn logs_name_ids_and_statuses_never_urls_or_message_text() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let slack = Server::start(vec![Reply::status(429).header("Retry-After", "0")]);
    let teams = Server::start(vec![Reply::status(400).body("invalid_payload")]);
    let n = notifier(
        Some(&slack.url(SLACK_PATH)),
        Some(&teams.url(TEAMS_PATH)),
        fast_policy(),
    );
    let event = sns_event(DOCUMENT_EVENT);
    let alert = match notifier::parse_message(&event.records[0].sns).expect("alert") {
        notifier::AlertMessage::Document(a) => a,
        other => panic!("{other:?}"),
    };
    let _ = n.handle_event(event).await.expect_err("teams refused");
    let mut malformed = support::read_json(CUSTOMER_EVENT);
    malformed["Records"][0]["Sns"]["Message"] = Value::String("{\"x\": \"Jane Q. Public\"}".into());
    let _ = n
        .handle_event(serde_json::from_value(malformed).expect("event"))
        .await
        .expect_err("malformed");
    drop(_guard);

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    let lines: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let ours = |target: &str, status: u64| {
        lines.iter().any(|l| {
            l["fields"]["alert_id"] == alert.alert_id.as_str()
                && l["fields"]["kind"] == "document"
                && l["fields"]["target"] == target
                && l["fields"]["status"] == status
        })
    };
    assert!(ours("slack", 429), "the 429 is logged:\n{logs}");
    assert!(ours("slack", 200), "the delivery is logged:\n{logs}");
    assert!(ours("teams", 400), "the rejection is logged:\n{logs}");
    assert!(
        logs.contains("invalid_payload"),
        "Slack-style error codes are kept"
    );
    let forbidden: Vec<String> = [
        SLACK_PATH.to_string(),
        TEAMS_PATH.to_string(),
        "SlackWebhookSecretToken".to_string(),
        "TeamsWebhookSecretSig".to_string(),
        "Jane".to_string(),
    ]
    .into_iter()
    .chain(alert.failed_checks.iter().map(|c| c.message.clone()))
    .chain(alert.reasons.iter().cloned())
    .collect();
    for f in &forbidden {
        assert!(!logs.contains(f.as_str()), "`{f}` is in the logs:\n{logs}");
    }
}
