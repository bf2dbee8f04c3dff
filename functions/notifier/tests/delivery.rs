//! Delivery to real HTTP servers on loopback: the exact payloads posted to Slack and Teams,
//! retries (429 with Retry-After, 5xx, connection refused), permanent failures, malformed
//! messages. (The logs are checked in `tests/logs.rs`, a binary of its own.)
//!
//! `UPDATE_GOLDEN=1 cargo test -p notifier --test delivery` rewrites `tests/golden/`.

mod support;

use std::time::{Duration, Instant};

use lambda_runtime::Diagnostic;
use notifier::{NotifierError, RetryPolicy};
use serde_json::Value;
use support::{
    closed_port, fast_policy, notifier, repo_file, sns_event, Reply, Server, CUSTOMER_EVENT,
    DOCUMENT_EVENT, SLACK_PATH, TEAMS_PATH,
};

fn golden(name: &str, actual: &Value) {
    let path = repo_file(&format!("functions/notifier/tests/golden/{name}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(actual).expect("JSON") + "\n";
        std::fs::write(&path, text).expect("write golden file");
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    let expected: Value = serde_json::from_str(&text).expect("golden JSON");
    assert_eq!(
        actual,
        &expected,
        "payload differs from {}:\n{}",
        path.display(),
        serde_json::to_string_pretty(actual).unwrap_or_default()
    );
}

#[tokio::test]
async fn posts_the_exact_payloads_to_slack_and_teams() {
    for (event, name) in [(DOCUMENT_EVENT, "document"), (CUSTOMER_EVENT, "customer")] {
        let server = Server::start(Vec::new());
        let n = notifier(
            Some(&server.url(SLACK_PATH)),
            Some(&server.url(TEAMS_PATH)),
            fast_policy(),
        );
        let response = n
            .handle_event(sns_event(event))
            .await
            .unwrap_or_else(|e| panic!("{event}: {e}"));
        assert_eq!(response.delivered.len(), 2, "{event}: {response:?}");
        assert!(response
            .delivered
            .iter()
            .all(|d| d.status == 200 && d.attempts == 1));

        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{event}: one post per target");
        for (path, target) in [(SLACK_PATH, "slack"), (TEAMS_PATH, "teams")] {
            let request = requests
                .iter()
                .find(|r| r.path == path)
                .unwrap_or_else(|| panic!("{event}: nothing posted to {target}"));
            assert_eq!(request.method, "POST");
            assert_eq!(request.header("content-type"), Some("application/json"));
            golden(&format!("{target}-{name}"), &request.json());
        }
    }
}

#[tokio::test]
async fn retry_after_is_honoured_then_the_alert_is_delivered() {
    // (Retry-After asked, the policy's cap, the least and most wait expected)
    let cases = [
        (
            "1",
            Duration::from_millis(1500),
            Duration::from_millis(1000),
            Duration::from_millis(1900),
        ),
        // An unreasonable Retry-After is cut to the cap.
        (
            "3600",
            Duration::from_millis(300),
            Duration::from_millis(300),
            Duration::from_millis(1200),
        ),
    ];
    for (asked, cap, least, most) in cases {
        let server = Server::start(vec![Reply::status(429).header("Retry-After", asked)]);
        let policy = RetryPolicy {
            max_retry_after: cap,
            ..fast_policy()
        };
        let n = notifier(Some(&server.url(SLACK_PATH)), None, policy);
        let response = n
            .handle_event(sns_event(DOCUMENT_EVENT))
            .await
            .unwrap_or_else(|e| panic!("Retry-After {asked}: {e}"));
        assert_eq!(response.delivered[0].attempts, 2, "Retry-After {asked}");
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        let waited = requests[1].at - requests[0].at;
        assert!(
            waited >= least && waited <= most,
            "Retry-After {asked} with cap {cap:?}: waited {waited:?}"
        );
        assert_eq!(requests[0].body, requests[1].body, "the same payload again");
    }
}

/// Each case: what the server answers (None: nothing listens), whether the invocation
/// succeeds, how many requests reach the server, whether a retry can help, and a piece of the
/// error message.
#[tokio::test]
async fn failures_are_retried_or_not_as_they_deserve() {
    struct Case {
        name: &'static str,
        script: Option<Vec<Reply>>,
        ok: bool,
        requests: usize,
        retryable: bool,
        message: &'static str,
    }
    let cases = [
        Case {
            name: "503 then 200",
            script: Some(vec![Reply::status(503)]),
            ok: true,
            requests: 2,
            retryable: false,
            message: "",
        },
        Case {
            name: "500 on every attempt",
            script: Some(vec![Reply::status(500); 4]),
            ok: false,
            requests: 4,
            retryable: true,
            message: "slack failed after 4 attempts: HTTP 500",
        },
        Case {
            name: "429 without Retry-After on every attempt",
            script: Some(vec![Reply::status(429); 4]),
            ok: false,
            requests: 4,
            retryable: true,
            message: "slack failed after 4 attempts: HTTP 429",
        },
        Case {
            name: "400 invalid_blocks",
            script: Some(vec![Reply::status(400).body("invalid_blocks")]),
            ok: false,
            requests: 1,
            retryable: false,
            message: "slack rejected the message: HTTP 400 (invalid_blocks)",
        },
        Case {
            name: "404 with a body that is not an error code",
            script: Some(vec![
                Reply::status(404).body("<html>no such hook, you sent: ...</html>")
            ]),
            ok: false,
            requests: 1,
            retryable: false,
            message: "slack rejected the message: HTTP 404",
        },
        Case {
            name: "a redirect is not followed",
            script: Some(vec![
                Reply::status(302).header("Location", "http://127.0.0.1:9/elsewhere")
            ]),
            ok: false,
            requests: 1,
            retryable: false,
            message: "HTTP 302",
        },
        Case {
            name: "connection refused",
            script: None,
            ok: false,
            requests: 0,
            retryable: true,
            message: "slack failed after 4 attempts: connection failed: connection refused",
        },
    ];
    for case in cases {
        let server = case.script.map(Server::start);
        let url = match &server {
            Some(s) => s.url(SLACK_PATH),
            None => format!("http://127.0.0.1:{}{SLACK_PATH}", closed_port()),
        };
        let n = notifier(Some(&url), None, fast_policy());
        let result = n.handle_event(sns_event(DOCUMENT_EVENT)).await;
        let seen = server.as_ref().map_or(0, |s| s.requests().len());
        assert_eq!(seen, case.requests, "{}: requests", case.name);
        match result {
            Ok(_) => assert!(case.ok, "{}: delivered, should have failed", case.name),
            Err(e) => {
                assert!(!case.ok, "{}: failed: {e}", case.name);
                assert!(
                    matches!(e, NotifierError::Delivery { .. }),
                    "{}: {e:?}",
                    case.name
                );
                assert_eq!(e.retryable(), case.retryable, "{}: {e}", case.name);
                let message = e.to_string();
                assert!(message.contains(case.message), "{}: {message}", case.name);
                assert!(
                    !message.contains(SLACK_PATH),
                    "{}: the URL leaked: {message}",
                    case.name
                );
                assert!(
                    !message.contains("you sent"),
                    "{}: the body leaked: {message}",
                    case.name
                );
                let diagnostic = Diagnostic::from(e);
                let expected = if case.retryable {
                    "Transient"
                } else {
                    "Permanent"
                };
                assert_eq!(diagnostic.error_type, expected, "{}", case.name);
            }
        }
    }
}

#[tokio::test]
async fn the_time_budget_bounds_the_retries() {
    let server = Server::start(vec![Reply::status(503).header("Retry-After", "1"); 4]);
    let policy = RetryPolicy {
        total_budget: Duration::from_millis(800),
        ..fast_policy()
    };
    let n = notifier(Some(&server.url(SLACK_PATH)), None, policy);
    let started = Instant::now();
    let error = n
        .handle_event(sns_event(DOCUMENT_EVENT))
        .await
        .expect_err("503 throughout");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a 1 s wait does not fit in 0.8 s"
    );
    assert!(error.retryable(), "{error}");
}

#[tokio::test]
async fn default_policy_stays_inside_the_function_timeout() {
    let p = RetryPolicy::default();
    assert!(p.max_attempts >= 3 && p.max_attempts <= 4);
    assert!(
        p.total_budget <= Duration::from_secs(20),
        "the function times out at 30 s"
    );
    assert!(p.max_retry_after < p.total_budget);
    for attempt in 1..=p.max_attempts {
        let wait = p.backoff(attempt);
        assert!(wait <= p.max_delay, "attempt {attempt}: {wait:?}");
        assert!(
            wait >= p.base_delay.min(p.max_delay) / 2,
            "attempt {attempt}: {wait:?}"
        );
    }
}

/// Slack took the alert, Teams refused it: the invocation fails (so the event is retried or
/// kept in the dead-letter queue), and the retry will post to Slack again: a duplicate that
/// readers recognise by the alert id.
#[tokio::test]
async fn partial_success_fails_the_invocation() {
    let slack = Server::start(Vec::new());
    let teams = Server::start(vec![Reply::status(400)]);
    let n = notifier(
        Some(&slack.url(SLACK_PATH)),
        Some(&teams.url(TEAMS_PATH)),
        fast_policy(),
    );
    let error = n
        .handle_event(sns_event(DOCUMENT_EVENT))
        .await
        .expect_err("teams refused");
    let NotifierError::Delivery { alert_id, failures } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].target(), notifier::Target::Teams);
    assert_eq!(slack.requests().len(), 1, "slack was posted to");
    let slack_text = String::from_utf8_lossy(&slack.requests()[0].body).to_string();
    assert!(
        slack_text.contains(alert_id.as_str()),
        "the alert id is in the message"
    );
    let teams_text = String::from_utf8_lossy(&teams.requests()[0].body).to_string();
    assert!(
        teams_text.contains(alert_id.as_str()),
        "the alert id is in the card"
    );
}

#[tokio::test]
async fn malformed_messages_are_permanent_and_name_only_the_message_id() {
    let server = Server::start(Vec::new());
    let n = notifier(Some(&server.url(SLACK_PATH)), None, fast_policy());
    let secret_text = "Jane Q. Public, passport X1234567";
    // (message, kind attribute, what the error says)
    let cases: [(String, Option<&str>, &str); 5] = [
        (
            format!("not JSON: {secret_text}"),
            Some("document"),
            "not a document alert: not JSON",
        ),
        (
            format!("{{\"alert_id\": \"{secret_text}\"}}"),
            Some("document"),
            "not a document alert: JSON of another shape",
        ),
        (
            format!("{{\"decision\": \"{secret_text}\"}}"),
            None,
            "not a document alert: JSON of another shape",
        ),
        (
            format!("{{\"customer_id\": \"{secret_text}\"}}"),
            Some("customer_status"),
            "not a customer status alert: JSON of another shape",
        ),
        (
            "{}".to_string(),
            Some("something_else"),
            "unknown message attribute kind",
        ),
    ];
    for (message, kind, expected) in cases {
        let mut event = support::read_json(DOCUMENT_EVENT);
        let sns = &mut event["Records"][0]["Sns"];
        sns["Message"] = Value::String(message.clone());
        match kind {
            Some(k) => sns["MessageAttributes"]["kind"]["Value"] = Value::String(k.into()),
            None => {
                sns["MessageAttributes"]
                    .as_object_mut()
                    .expect("attributes")
                    .remove("kind");
            }
        }
        let message_id = sns["MessageId"].as_str().expect("id").to_string();
        let event = serde_json::from_value(event).expect("SNS event");
        let error = n.handle_event(event).await.expect_err("malformed");
        let text = error.to_string();
        assert!(
            matches!(error, NotifierError::Malformed { .. }),
            "{message}: {error:?}"
        );
        assert!(!error.retryable());
        assert!(text.contains(&message_id), "{text}");
        assert!(text.contains(expected), "{message}: {text}");
        assert!(
            !text.contains("Jane") && !text.contains("X1234567"),
            "content leaked: {text}"
        );
        assert_eq!(Diagnostic::from(error).error_type, "Permanent");
    }
    assert!(server.requests().is_empty(), "nothing posted");
}

#[tokio::test]
async fn messages_without_kind_are_document_alerts() {
    let server = Server::start(Vec::new());
    let n = notifier(Some(&server.url(SLACK_PATH)), None, fast_policy());
    let mut event = support::read_json(DOCUMENT_EVENT);
    event["Records"][0]["Sns"]["MessageAttributes"] = serde_json::json!({});
    let response = n
        .handle_event(serde_json::from_value(event).expect("SNS event"))
        .await
        .expect("delivered");
    assert_eq!(response.delivered.len(), 1);
    golden("slack-document", &server.requests()[0].json());
}
