//! The daily digest in Slack and Teams: read from an SNS message with `kind = digest`, rendered
//! in the alerts' style within the services' limits, with nothing personal in it, and posted
//! through the same delivery path (retries included).

mod support;

use chrono::{DateTime, Duration, Utc};
use compliance_core::audit::Decision;
use compliance_core::case::{Case, CaseStatus};
use compliance_core::classify::DocType;
use compliance_core::digest::{self, Digest, DigestBuilder, ListInForce};
use compliance_core::query::RecordSummary;
use compliance_core::rules::Severity;
use notifier::render::{self, SLACK_HEADER_MAX, SLACK_TEXT_MAX};
use notifier::{parse_message, AlertMessage, NotifierError};
use serde_json::Value;
use support::{fast_policy, notifier, Reply, Server, DOCUMENT_EVENT, SLACK_PATH, TEAMS_PATH};

/// What may never reach a chat: names in S3 keys, customer ids, reason texts.
const PRIVATE: [&str; 4] = ["Jane", "Doe", "C-PRIVATE-42", "s3://"];

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at("2026-11-26T07:00:00Z")
}

fn summary(i: usize, decision: Decision, doc_type: DocType, checks: &[&str]) -> RecordSummary {
    RecordSummary {
        document_id: format!("{i:032x}"),
        document: format!("s3://bucket/incoming/C-PRIVATE-42/Jane Doe passport {i}.pdf"),
        doc_type,
        decision,
        severity: Severity::High,
        processed_at: now() - Duration::minutes(10 + i as i64),
        customer_id: Some("C-PRIVATE-42".into()),
        failed_checks: checks.iter().map(|c| c.to_string()).collect(),
        rules_version: "2026.11".into(),
    }
}

fn case(i: usize, status: CaseStatus, hours: i64) -> Case {
    let opened = now() - Duration::hours(hours);
    Case {
        case_id: format!("{:032x}", 1000 + i),
        document_id: format!("{:032x}", 1000 + i),
        document: "s3://bucket/incoming/C-PRIVATE-42/Jane Doe.pdf".into(),
        customer_id: Some("C-PRIVATE-42".into()),
        doc_type: DocType::KycApplication,
        decision: Decision::ManualReview,
        severity: Severity::High,
        failed_checks: vec!["aml.sanctions_screening".into()],
        hits: Vec::new(),
        status,
        resolution: None,
        opened_at: opened,
        updated_at: opened,
        closed_at: None,
        revision: 0,
        rules_version: "2026.11".into(),
    }
}

/// A busy day: every decision, several types and checks, cases of every age.
fn sample() -> Digest {
    let (since, until) = digest::period_ending(now(), 24);
    let mut b = DigestBuilder::new(since, until, 24, now());
    b.add_records(&[
        summary(1, Decision::Approved, DocType::Passport, &[]),
        summary(2, Decision::Approved, DocType::Invoice, &[]),
        summary(
            3,
            Decision::ManualReview,
            DocType::KycApplication,
            &["aml.sanctions_screening"],
        ),
        summary(
            4,
            Decision::Rejected,
            DocType::NationalId,
            &["kyc.mrz_check_digits"],
        ),
        summary(5, Decision::Unreadable, DocType::Other, &[]),
        summary(
            6,
            Decision::ManualReview,
            DocType::TransactionReport,
            &["transaction.structuring", "aml.sanctions_screening"],
        ),
    ]);
    b.add_open_cases(&[
        case(1, CaseStatus::Escalated, 24 * 9),
        case(2, CaseStatus::Open, 24 * 4),
        case(3, CaseStatus::Open, 30),
        case(4, CaseStatus::Open, 2),
    ]);
    let mut d = b.finish();
    d.lists = vec![ListInForce {
        id: "ofac_sdn".into(),
        published: Some("11/25/2026".into()),
        entries: 18_432,
        sha256_short: "3f1c2a907d4e".into(),
    }];
    d.lists_seen_at = Some(now() - Duration::minutes(11));
    d
}

fn sns_event(message: &str, kind: Option<&str>) -> aws_lambda_events::event::sns::SnsEvent {
    let mut event = support::read_json(DOCUMENT_EVENT);
    let sns = &mut event["Records"][0]["Sns"];
    sns["Message"] = Value::String(message.to_string());
    sns["Subject"] = Value::String("Compliance digest".into());
    match kind {
        Some(k) => {
            sns["MessageAttributes"] = serde_json::json!({"kind": {"Type": "String", "Value": k}})
        }
        None => {
            sns["MessageAttributes"] = serde_json::json!({});
        }
    }
    serde_json::from_value(event).expect("SNS event")
}

/// Every mrkdwn text of a Slack payload, the fallback first; and the header.
fn slack_texts(payload: &Value) -> (String, Vec<String>) {
    let blocks = payload["blocks"].as_array().expect("blocks");
    let header = blocks[0]["text"]["text"]
        .as_str()
        .expect("header")
        .to_string();
    let mut texts = vec![payload["text"].as_str().expect("fallback").to_string()];
    for b in blocks {
        if let Some(t) = b["text"]["text"].as_str() {
            if b["type"] == "section" {
                texts.push(t.to_string());
            }
        }
        for f in b["fields"].as_array().into_iter().flatten() {
            texts.push(f["text"].as_str().expect("field").to_string());
        }
    }
    (header, texts)
}

#[test]
fn a_digest_message_is_read_by_its_kind() {
    let d = sample();
    let text = serde_json::to_string(&d).expect("JSON");
    let event = sns_event(&text, Some("digest"));
    let message = parse_message(&event.records[0].sns).expect("a digest");
    assert_eq!(message.kind(), "digest");
    assert_eq!(message.alert_id(), "digest:2026-11-26T07:00:00Z");
    assert_eq!(message, AlertMessage::Digest(Box::new(d)));

    // A digest body under another kind, another body under the digest kind: refused.
    let event = sns_event(&text, Some("document"));
    assert!(parse_message(&event.records[0].sns).is_err());
    let event = sns_event(r#"{"alert_id": "Jane Doe"}"#, Some("digest"));
    let error = parse_message(&event.records[0].sns).expect_err("not a digest");
    assert!(
        error
            .to_string()
            .contains("not a digest: JSON of another shape"),
        "{error}"
    );
    assert!(!error.to_string().contains("Jane"), "{error}");
    let mut other = serde_json::to_value(sample()).expect("JSON");
    other["kind"] = Value::from("customer_status");
    let event = sns_event(&other.to_string(), Some("digest"));
    assert!(parse_message(&event.records[0].sns).is_err());
    // Unknown kinds stay permanent errors.
    let event = sns_event(&text, Some("weekly_digest"));
    let error = parse_message(&event.records[0].sns).expect_err("unknown kind");
    assert!(matches!(error, NotifierError::Malformed { .. }));
    assert!(!error.retryable());
}

#[test]
fn slack_shows_the_numbers_buckets_checks_and_lists() {
    let d = sample();
    let payload = render::slack_payload(&AlertMessage::Digest(Box::new(d.clone())));
    let (header, texts) = slack_texts(&payload);
    assert_eq!(
        header,
        "Compliance digest: 25 Nov 07:00 to 26 Nov 2026 07:00 UTC"
    );
    let all = texts.join("\n");
    for expected in [
        "*Documents processed*\n6",
        "*Approved*\n2",
        "*Manual review*\n2",
        "*Rejected*\n1",
        "*Unreadable*\n1",
        "*Open cases*\n4",
        "*Escalated*\n1",
        "*Past the SLA (24 h)*\n3",
        "*Oldest open case*\n9d 0h",
        "*Open cases by age*\n• under 1 day: 1\n• 1 to 3 days: 1\n• 3 to 7 days: 1\n• over 7 days: 1",
        "*Most failed checks*\n• `aml.sanctions_screening`: 2 documents",
        "• KYC application: 1 (1 not approved)",
        "• `ofac_sdn` published 11/25/2026, 18432 entries, SHA-256 `3f1c2a907d4e`",
        "`compliance audit list --open`",
        "`compliance report --since 2026-11-25T07:00:00Z --until 2026-11-26T07:00:00Z`",
        &format!("`{:032x}` Manual review, KYC application, waiting 9d 0h, escalated, past the SLA", 1001),
    ] {
        assert!(all.contains(expected), "missing {expected:?} in\n{all}");
    }
    assert!(!all.contains("at least"), "{all}");
    assert!(payload["text"].as_str().expect("fallback").starts_with(
        "Compliance digest 2026-11-26: 6 documents (2 approved, 2 manual review, 1 rejected, 1 unreadable); 4 open cases, 3 past the SLA"
    ));
}

#[test]
fn teams_shows_the_same_in_an_adaptive_card() {
    let d = sample();
    let card = render::teams_payload(&AlertMessage::Digest(Box::new(d)));
    assert_eq!(card["type"], "message");
    let content = &card["attachments"][0]["content"];
    assert_eq!(
        card["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(content["type"], "AdaptiveCard");
    assert_eq!(content["version"], "1.4");
    let body = content["body"].as_array().expect("body");
    // Cases past the SLA: the title is in the attention colour.
    assert_eq!(body[0]["inlines"][0]["color"], "Attention");
    let facts: Vec<(String, String)> = body[1]["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .map(|f| {
            (
                f["title"].as_str().expect("t").to_string(),
                f["value"].as_str().expect("v").to_string(),
            )
        })
        .collect();
    assert!(
        facts.contains(&("Documents processed".into(), "6".into())),
        "{facts:?}"
    );
    assert!(
        facts.contains(&("Past the SLA (24 h)".into(), "3".into())),
        "{facts:?}"
    );
    let text = card.to_string();
    for expected in [
        "Open cases by age",
        "over 7 days",
        "aml.sanctions_screening",
        "ofac_sdn",
        "3f1c2a907d4e",
        "GET /cases",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    // Text from the message only in TextRuns (FactSets and TextBlocks read Markdown).
    let mut hostile = sample();
    hostile.top_failed_checks[0].check_id = "**bold** [x](https://evil.example)".into();
    hostile.lists[0].published = Some("_evil_".into());
    let card = render::teams_payload(&AlertMessage::Digest(Box::new(hostile)));
    for element in card["attachments"][0]["content"]["body"]
        .as_array()
        .expect("body")
    {
        if element["type"] != "RichTextBlock" {
            let text = element.to_string();
            assert!(!text.contains("evil"), "{element}");
        }
    }
    assert!(card
        .to_string()
        .contains("**bold** [x](https://evil.example)"));
}

#[test]
fn a_quiet_day_is_good_news_and_unknown_lists_are_said() {
    let (since, until) = digest::period_ending(now(), 24);
    let d = DigestBuilder::new(since, until, 24, now()).finish();
    let message = AlertMessage::Digest(Box::new(d));
    let teams = render::teams_payload(&message);
    assert_eq!(
        teams["attachments"][0]["content"]["body"][0]["inlines"][0]["color"],
        "Good"
    );
    let all = slack_texts(&render::slack_payload(&message)).1.join("\n");
    assert!(all.contains("*Documents processed*\n0"), "{all}");
    assert!(all.contains("*Oldest open case*\nnone"), "{all}");
    assert!(
        all.contains("the list versions in force are not known"),
        "{all}"
    );
    assert!(!all.contains("*Most failed checks*"), "{all}");
}

#[test]
fn a_truncated_digest_says_at_least() {
    let mut d = sample();
    d.documents.truncated = true;
    d.open_cases.truncated = true;
    let message = AlertMessage::Digest(Box::new(d));
    let all = slack_texts(&render::slack_payload(&message)).1.join("\n");
    assert!(all.contains("*Documents processed*\nat least 6"), "{all}");
    assert!(all.contains("*Open cases*\nat least 4"), "{all}");
    assert!(all.contains("lower bounds"), "{all}");
    assert!(render::teams_payload(&message)
        .to_string()
        .contains("at least 6"));
}

#[test]
fn no_personal_data_reaches_the_chats() {
    let message = AlertMessage::Digest(Box::new(sample()));
    for payload in [
        render::slack_payload(&message),
        render::teams_payload(&message),
    ] {
        let text = payload.to_string();
        for private in PRIVATE {
            assert!(!text.contains(private), "{private} in {text}");
        }
    }
    let card = render::card(&message);
    assert!(
        card.reasons.iter().any(|r| r == "Documents processed: 6"),
        "{:?}",
        card.reasons
    );
}

#[test]
fn huge_or_hostile_digests_stay_within_the_limits_and_are_escaped() {
    let mut d = sample();
    let long = "<!channel>&".repeat(2_000);
    for c in &mut d.top_failed_checks {
        c.check_id = long.clone();
    }
    d.more_failed_checks = 10_000;
    d.lists = (0..500)
        .map(|i| ListInForce {
            id: format!("custom:{i}{long}"),
            published: Some(long.clone()),
            entries: i,
            sha256_short: long.clone(),
        })
        .collect();
    d.digest_id = long.clone();
    for c in &mut d.open_cases.oldest {
        c.case_id = long.clone();
    }
    let message = AlertMessage::Digest(Box::new(d));
    let slack = render::slack_payload(&message);
    let (header, texts) = slack_texts(&slack);
    assert!(header.chars().count() <= SLACK_HEADER_MAX);
    assert!(slack["blocks"].as_array().expect("blocks").len() <= 50);
    for t in &texts {
        assert!(
            t.chars().count() <= SLACK_TEXT_MAX,
            "{} characters",
            t.chars().count()
        );
        assert!(!t.contains('<') && !t.contains('>'), "unescaped: {t}");
    }
    assert!(texts.join("\n").contains("more failed checks"));
    let teams = serde_json::to_vec(&render::teams_payload(&message)).expect("JSON");
    assert!(
        teams.len() < 28 * 1024,
        "Teams payload of {} bytes",
        teams.len()
    );
}

#[tokio::test]
async fn a_digest_is_posted_to_both_targets_with_retries() {
    let slack = Server::start(vec![Reply::status(503)]);
    let teams = Server::start(Vec::new());
    let n = notifier(
        Some(&slack.url(SLACK_PATH)),
        Some(&teams.url(TEAMS_PATH)),
        fast_policy(),
    );
    let d = sample();
    let event = sns_event(&serde_json::to_string(&d).expect("JSON"), Some("digest"));
    let response = n.handle_event(event).await.expect("delivered");
    assert_eq!(response.delivered.len(), 2, "{response:?}");
    assert!(response.delivered.iter().all(|r| r.alert_id == d.digest_id));
    assert_eq!(slack.requests().len(), 2, "one retry after the 503");
    let posted = slack.requests()[1].json();
    assert_eq!(
        posted,
        render::slack_payload(&AlertMessage::Digest(Box::new(d.clone())))
    );
    let card = teams.requests()[0].json();
    assert_eq!(card["attachments"][0]["content"]["type"], "AdaptiveCard");

    // A target that refuses the payload fails the invocation (Lambda retries, then the DLQ).
    let refusing = Server::start(vec![Reply::status(400).body("invalid_blocks")]);
    let n = notifier(Some(&refusing.url(SLACK_PATH)), None, fast_policy());
    let event = sns_event(&serde_json::to_string(&d).expect("JSON"), Some("digest"));
    let error = n.handle_event(event).await.expect_err("refused");
    assert!(matches!(error, NotifierError::Delivery { .. }), "{error}");
    assert!(error.to_string().contains(&d.digest_id), "{error}");
}
