//! The payloads' limits and escaping, on alerts no real document produces: huge, and full of
//! Slack control characters.

mod support;

use chrono::Utc;
use compliance_core::audit::{Alert, AlertCheck, CustomerAlert, Decision};
use compliance_core::classify::DocType;
use compliance_core::customer::CustomerStatus;
use compliance_core::rules::Severity;
use notifier::render::{self, SLACK_HEADER_MAX, SLACK_TEXT_MAX};
use notifier::AlertMessage;
use serde_json::Value;

fn document_alert(checks: usize, message: &str, reasons: Vec<String>) -> AlertMessage {
    AlertMessage::Document(Alert {
        alert_id: "a1".into(),
        document_id: "0123456789abcdef0123456789abcdef".into(),
        document: "s3://bucket/incoming/Jane Doe passport.pdf".into(),
        decision: Decision::Rejected,
        doc_type: DocType::Passport,
        severity: Severity::High,
        failed_checks: (0..checks)
            .map(|i| AlertCheck {
                id: format!("kyc.check_{i}"),
                severity: Severity::High,
                message: message.to_string(),
            })
            .collect(),
        reasons,
        processed_at: Utc::now(),
        rules_version: "r1".into(),
        customer_id: Some("C-1".into()),
        case_id: Some("0123456789abcdef0123456789abcdef".into()),
    })
}

fn customer_alert(reasons: Vec<String>) -> AlertMessage {
    AlertMessage::Customer(CustomerAlert {
        alert_id: "customer:C-9:3".into(),
        kind: CustomerAlert::KIND.into(),
        customer_id: "C-9".into(),
        status: CustomerStatus::Rejected,
        previous_status: None,
        severity: Severity::High,
        reasons,
        computed_at: Utc::now(),
        rules_version: "r1".into(),
    })
}

/// Every mrkdwn text in a Slack payload, with the header's plain text apart.
fn slack_texts(payload: &Value) -> (String, Vec<String>) {
    let blocks = payload["blocks"].as_array().expect("blocks");
    let header = blocks[0]["text"]["text"]
        .as_str()
        .expect("header")
        .to_string();
    let mut texts = vec![payload["text"].as_str().expect("fallback").to_string()];
    for b in blocks {
        if b["type"] == "section" {
            if let Some(t) = b["text"]["text"].as_str() {
                texts.push(t.to_string());
            }
            for f in b["fields"].as_array().into_iter().flatten() {
                texts.push(f["text"].as_str().expect("field").to_string());
            }
        }
    }
    (header, texts)
}

/// N in "…and N more {what}", or 0.
fn count_more(text: &str, what: &str) -> usize {
    text.lines()
        .find_map(|l| {
            l.strip_prefix("…and ")?
                .strip_suffix(&format!(" more {what}"))?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

#[test]
fn huge_alerts_stay_within_the_services_limits() {
    let long = "x".repeat(20_000);
    let angry = "<&>".repeat(5_000);
    let many_reasons: Vec<String> = (0..500).map(|i| format!("reason {i}: {long}")).collect();
    let cases = [
        (
            "1,000 long failed checks",
            document_alert(1000, &long, many_reasons.clone()),
            Some(1000),
        ),
        (
            "10 checks of control characters",
            document_alert(10, &angry, Vec::new()),
            Some(10),
        ),
        (
            "500 long reasons",
            customer_alert(many_reasons.clone()),
            None,
        ),
        (
            "a 20,000-character customer reason",
            customer_alert(vec![angry.clone()]),
            None,
        ),
    ];
    for (name, alert, total_checks) in cases {
        let slack = render::slack_payload(&alert);
        let (header, texts) = slack_texts(&slack);
        assert!(header.chars().count() <= SLACK_HEADER_MAX, "{name}: header");
        assert!(
            slack["blocks"].as_array().expect("blocks").len() <= 50,
            "{name}: blocks"
        );
        for t in &texts {
            assert!(
                t.chars().count() <= SLACK_TEXT_MAX,
                "{name}: {} characters",
                t.chars().count()
            );
            assert!(
                !t.contains('<') && !t.contains('>'),
                "{name}: unescaped text"
            );
        }
        let all = texts.join("\n");
        // Every check is either listed or counted in "…and N more".
        if let Some(total) = total_checks {
            let listed = all.matches("• *kyc.check_").count();
            let more = count_more(&all, "failed checks");
            assert!(listed >= 1, "{name}: none listed");
            assert_eq!(listed + more, total, "{name}: {listed} listed, {more} more");
        }
        if name.starts_with("500") {
            let listed = all.lines().filter(|l| l.starts_with("• reason ")).count();
            assert_eq!(listed + count_more(&all, "reasons"), 500, "{name}");
        }
        let teams = serde_json::to_vec(&render::teams_payload(&alert)).expect("JSON");
        // Teams Workflows webhooks take messages of up to about 28 KB.
        assert!(
            teams.len() < 28 * 1024,
            "{name}: Teams payload of {} bytes",
            teams.len()
        );
    }
}

#[test]
fn slack_control_characters_from_the_alert_are_escaped() {
    let alert = document_alert(
        1,
        "<!channel> & <https://evil.example|click here>",
        vec!["classification confidence <0.5> & falling".into()],
    );
    let slack = render::slack_payload(&alert);
    let (_, texts) = slack_texts(&slack);
    let all = texts.join("\n");
    assert!(
        all.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;"),
        "{all}"
    );
    assert!(
        all.contains("classification confidence &lt;0.5&gt; &amp; falling"),
        "{all}"
    );
    assert!(!all.contains("<!channel>"), "{all}");
}

#[test]
fn teams_cards_carry_alert_text_only_in_text_runs() {
    let alert = document_alert(
        2,
        "**bold** [link](https://evil.example)",
        vec!["_x_".into()],
    );
    let card = render::teams_payload(&alert);
    assert_eq!(card["type"], "message");
    let attachment = &card["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    assert_eq!(attachment["content"]["version"], "1.4");
    // Markdown is read in TextBlocks and FactSets: those hold only the notifier's own words.
    for element in attachment["content"]["body"].as_array().expect("body") {
        let text = element.to_string();
        if element["type"] != "RichTextBlock" {
            assert!(!text.contains("evil") && !text.contains("_x_"), "{element}");
        }
    }
    assert!(card
        .to_string()
        .contains("**bold** [link](https://evil.example)"));
}

#[test]
fn the_s3_key_is_not_in_the_messages() {
    let alert = document_alert(1, "m", Vec::new());
    for payload in [render::slack_payload(&alert), render::teams_payload(&alert)] {
        assert!(!payload.to_string().contains("Jane Doe"), "{payload}");
    }
}

#[test]
fn reasons_that_repeat_a_failed_check_are_not_listed_twice() {
    let alert = document_alert(
        1,
        "message",
        vec![
            "kyc.check_0: message".into(),
            "classification confidence 0.40 is below 0.60".into(),
        ],
    );
    let all = slack_texts(&render::slack_payload(&alert)).1.join("\n");
    assert_eq!(all.matches("message").count(), 1, "{all}");
    assert!(
        all.contains("*Other reasons*\n• classification confidence 0.40 is below 0.60"),
        "{all}"
    );
}

/// The "Open it" lines of a Slack payload.
fn open_lines(payload: &Value) -> Vec<String> {
    let blocks = payload["blocks"].as_array().expect("blocks");
    let open = blocks
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .find(|t| t.starts_with("*Open it*"))
        .expect("an Open it section");
    open.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn document_alerts_name_their_case_and_how_to_decide_it() {
    let alert = document_alert(1, "m", Vec::new());
    let card = render::card(&alert);
    assert!(
        card.ids
            .contains(&("Case", "0123456789abcdef0123456789abcdef".to_string())),
        "{:?}",
        card.ids
    );
    let commands: Vec<&str> = card.open.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        commands,
        [
            "compliance audit show 0123456789abcdef0123456789abcdef",
            "compliance review 0123456789abcdef0123456789abcdef --decision approve|reject|escalate --reason TEXT --reviewer NAME",
            "GET /documents/0123456789abcdef0123456789abcdef",
            "POST /cases/0123456789abcdef0123456789abcdef/decisions",
        ]
    );
    let slack = render::slack_payload(&alert);
    let lines = open_lines(&slack);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].starts_with("`compliance audit show 0123456789abcdef0123456789abcdef` ")
            && lines[0].contains("--table TABLE"),
        "{lines:?}"
    );
    assert!(!slack.to_string().contains("compliance records"), "{slack}");
    let teams = render::teams_payload(&alert).to_string();
    assert!(
        teams.contains("POST /cases/0123456789abcdef0123456789abcdef/decisions"),
        "{teams}"
    );
}

#[test]
fn alerts_without_a_case_open_the_document_only() {
    let AlertMessage::Document(mut alert) = document_alert(1, "m", Vec::new()) else {
        unreachable!()
    };
    alert.case_id = None;
    let alert = AlertMessage::Document(alert);
    let card = render::card(&alert);
    assert!(
        card.ids.iter().all(|(label, _)| *label != "Case"),
        "{:?}",
        card.ids
    );
    let commands: Vec<&str> = card.open.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        commands,
        ["GET /documents/0123456789abcdef0123456789abcdef"]
    );
    let slack = render::slack_payload(&alert).to_string();
    assert!(
        !slack.contains("compliance review") && !slack.contains("/cases/"),
        "{slack}"
    );
}

#[test]
fn a_huge_case_id_is_cut() {
    let AlertMessage::Document(mut alert) = document_alert(1, "m", Vec::new()) else {
        unreachable!()
    };
    alert.case_id = Some("c".repeat(10_000));
    let card = render::card(&AlertMessage::Document(alert));
    let (_, case) = card
        .ids
        .iter()
        .find(|(label, _)| *label == "Case")
        .expect("a case id");
    assert_eq!(case.chars().count(), render::MAX_ID_CHARS);
    assert!(card.open.iter().all(|(c, _)| c.chars().count() < 300));
}
