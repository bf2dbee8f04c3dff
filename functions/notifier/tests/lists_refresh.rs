//! The list refresh's alert (`kind = lists_refresh`): read from its SNS message and posted to
//! Slack and Teams with its reasons and the lists still in force.

mod support;

use chrono::Utc;
use compliance_core::audit::ListsRefreshAlert;
use compliance_core::rules::Severity;
use compliance_core::screening::ListVersion;
use notifier::render;
use notifier::{parse_message, AlertMessage, NotifierError};
use serde_json::Value;
use support::DOCUMENT_EVENT;

fn alert() -> ListsRefreshAlert {
    ListsRefreshAlert {
        alert_id: "lists_refresh:exec-1".into(),
        kind: ListsRefreshAlert::KIND.into(),
        outcome: "rejected".into(),
        location: "s3://documents-1/lists/".into(),
        reasons: vec![
            "ofac_sdn: 17 entries, 99.8% fewer than the installed 8976 <!channel>".into(),
        ],
        lists_in_force: vec![ListVersion {
            id: "ofac_sdn".into(),
            source: "https://sanctionslistservice.ofac.treas.gov/".into(),
            published: Some("2026-11-20".into()),
            entries: 8976,
            sha256: "ab".repeat(32),
        }],
        severity: Severity::High,
        at: Utc::now(),
    }
}

fn sns(message: &str, kind: &str) -> aws_lambda_events::event::sns::SnsMessage {
    let mut event = support::read_json(DOCUMENT_EVENT);
    let sns = &mut event["Records"][0]["Sns"];
    sns["Message"] = Value::String(message.to_string());
    sns["MessageAttributes"] = serde_json::json!({"kind": {"Type": "String", "Value": kind}});
    let event: aws_lambda_events::event::sns::SnsEvent =
        serde_json::from_value(event).expect("SNS event");
    event.records.into_iter().next().expect("a record").sns
}

#[test]
fn a_rejected_refresh_reaches_slack_and_teams_with_the_lists_in_force() {
    let body = serde_json::to_string(&alert()).expect("JSON");
    let message = parse_message(&sns(&body, "lists_refresh")).expect("parsed");
    assert!(matches!(message, AlertMessage::ListsRefresh(_)));
    assert_eq!(message.kind(), "lists_refresh");
    assert_eq!(message.alert_id(), "lists_refresh:exec-1");

    let slack = render::slack_payload(&message).to_string();
    assert!(
        slack.contains("Sanctions list refresh: new lists rejected"),
        "{slack}"
    );
    assert!(slack.contains("published 2026-11-20"), "{slack}");
    assert!(slack.contains("8976 &lt;!channel&gt;"), "escaped: {slack}");
    assert!(!slack.contains("<!channel>"), "{slack}");
    let teams = render::teams_payload(&message).to_string();
    assert!(teams.contains("Sanctions list refresh"), "{teams}");
    assert!(teams.contains("still in force: ofac_sdn"), "{teams}");
}

#[test]
fn a_body_of_another_kind_is_refused_without_quoting_it() {
    let mut other = alert();
    other.kind = "document".into();
    let body = serde_json::to_string(&other).expect("JSON");
    match parse_message(&sns(&body, "lists_refresh")) {
        Err(NotifierError::Malformed { detail, .. }) => {
            assert!(detail.contains("another kind"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    match parse_message(&sns("{\"reasons\": [\"secret\"]}", "lists_refresh")) {
        Err(NotifierError::Malformed { detail, .. }) => {
            assert!(!detail.contains("secret"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
}
