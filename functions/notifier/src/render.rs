//! The chat messages: a Slack Block Kit payload and a Teams Workflows payload (an Adaptive
//! Card 1.4 in a `message` envelope), both drawn from one [`Card`].
//!
//! What a message says: the decision (or the customer's status), the document type, the
//! failed checks in plain words, the severity, the alert id, the case id and where to open and
//! decide the case. What it does not: the S3 key (file names can carry people's names), or
//! anything that is not in the alert.
//!
//! Limits, so that no alert, however large, produces a payload the service rejects: at most
//! [`MAX_ITEMS`] failed checks and [`MAX_ITEMS`] reasons are listed (then "…and N more"), each
//! cut to [`MAX_ITEM_CHARS`] characters, ids to [`MAX_ID_CHARS`]; every Slack section text
//! stays within [`SLACK_TEXT_MAX`] characters (escaping included), the header within
//! [`SLACK_HEADER_MAX`].
//!
//! Slack `mrkdwn` treats `&`, `<` and `>` as control characters (`<!channel>`, links): every
//! text taken from the alert is escaped. Teams cards get alert text only in `TextRun`s, which
//! Adaptive Cards never read as Markdown, so no escaping is needed there.
//!
//! The daily digest has payloads of its own, in the same style: see [`digest`].

use chrono::SecondsFormat;
use compliance_core::audit::{Alert, CustomerAlert, Decision, ListsRefreshAlert};
use compliance_core::classify::DocType;
use compliance_core::customer::CustomerStatus;
use compliance_core::rules::Severity;
use serde_json::{json, Value};

use crate::message::AlertMessage;

pub mod digest;

/// Failed checks, and reasons, listed at most.
pub const MAX_ITEMS: usize = 10;
/// One check message or reason, at most (characters, before escaping).
pub const MAX_ITEM_CHARS: usize = 300;
/// An id or version taken from the alert, at most.
pub const MAX_ID_CHARS: usize = 128;
/// Slack's limit on a section's text and on the top-level `text`.
pub const SLACK_TEXT_MAX: usize = 3000;
/// Slack's limit on a header's plain text.
pub const SLACK_HEADER_MAX: usize = 150;

/// What both payloads say, already cut to size (not yet escaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub title: String,
    pub severity: Severity,
    /// Fixed-vocabulary facts (decision, severity, type, status).
    pub facts: Vec<(&'static str, String)>,
    /// Identifiers from the alert (alert id, document id, case id, customer id, rules version,
    /// time).
    pub ids: Vec<(&'static str, String)>,
    pub checks: Vec<CheckLine>,
    pub more_checks: usize,
    pub reasons_title: &'static str,
    pub reasons: Vec<String>,
    pub more_reasons: usize,
    /// Where to open the case: (command, what it is).
    pub open: Vec<(String, &'static str)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckLine {
    pub id: String,
    pub severity: Severity,
    pub message: String,
}

pub fn card(alert: &AlertMessage) -> Card {
    match alert {
        AlertMessage::Document(a) => document_card(a),
        AlertMessage::Customer(a) => customer_card(a),
        AlertMessage::Digest(d) => digest::card(d),
        AlertMessage::ListsRefresh(a) => lists_refresh_card(a),
    }
}

/// The list refresh could not install new lists: screening continues on the lists in force,
/// which the card names with their publication dates, so an officer sees how old they are.
fn lists_refresh_card(a: &ListsRefreshAlert) -> Card {
    let outcome = match a.outcome.as_str() {
        "rejected" => "new lists rejected",
        _ => "new lists not installed",
    };
    let mut reasons: Vec<String> = a.reasons.iter().map(|r| cut(r, MAX_ITEM_CHARS)).collect();
    let more_reasons = reasons.len().saturating_sub(MAX_ITEMS);
    reasons.truncate(MAX_ITEMS);
    for list in a.lists_in_force.iter().take(MAX_ITEMS) {
        reasons.push(cut(
            &format!(
                "still in force: {} published {} ({} entries, SHA-256 {})",
                list.id,
                list.published.as_deref().unwrap_or("on an unknown date"),
                list.entries,
                list.sha256.get(..12).unwrap_or(&list.sha256)
            ),
            MAX_ITEM_CHARS,
        ));
    }
    Card {
        title: format!("Sanctions list refresh: {outcome}"),
        severity: a.severity,
        facts: vec![
            ("Outcome", cut(&a.outcome, MAX_ID_CHARS)),
            ("Severity", a.severity.as_str().to_string()),
        ],
        ids: vec![
            ("Alert id", cut(&a.alert_id, MAX_ID_CHARS)),
            ("Lists", cut(&a.location, MAX_ID_CHARS)),
            ("At", a.at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ],
        checks: Vec::new(),
        more_checks: 0,
        reasons_title: "Why, and the lists still in force",
        reasons,
        more_reasons,
        open: vec![(
            format!(
                "compliance lists show --s3 {}",
                cut(&a.location, MAX_ID_CHARS)
            ),
            "what is installed (the refresh's log has the details)",
        )],
    }
}

fn document_card(a: &Alert) -> Card {
    let document_id = cut(&a.document_id, MAX_ID_CHARS);
    let checks: Vec<CheckLine> = a
        .failed_checks
        .iter()
        .take(MAX_ITEMS)
        .map(|c| CheckLine {
            id: cut(&c.id, MAX_ID_CHARS),
            severity: c.severity,
            message: cut(&c.message, MAX_ITEM_CHARS),
        })
        .collect();
    // The core writes a reason for every failed check ("id: message", or "id could not be
    // evaluated: message"); only the others (low classification confidence, why a document
    // is unreadable, ...) are listed again.
    let other_reasons: Vec<&String> = a
        .reasons
        .iter()
        .filter(|r| {
            !a.failed_checks.iter().any(|c| {
                **r == format!("{}: {}", c.id, c.message)
                    || **r == format!("{} could not be evaluated: {}", c.id, c.message)
            })
        })
        .collect();
    // Alerts from processors older than cases name none.
    let case_id = a.case_id.as_deref().map(|c| cut(c, MAX_ID_CHARS));
    let mut ids = vec![
        ("Alert id", cut(&a.alert_id, MAX_ID_CHARS)),
        ("Document id", document_id.clone()),
    ];
    if let Some(case_id) = &case_id {
        ids.push(("Case", case_id.clone()));
    }
    if let Some(customer) = &a.customer_id {
        ids.push(("Customer", cut(customer, MAX_ID_CHARS)));
    }
    ids.push(("Rules version", cut(&a.rules_version, MAX_ID_CHARS)));
    ids.push((
        "Processed at",
        a.processed_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    ));
    Card {
        title: format!(
            "{}: {}",
            decision_label(a.decision),
            doc_type_label(a.doc_type)
        ),
        severity: a.severity,
        facts: vec![
            ("Decision", decision_label(a.decision).to_string()),
            ("Severity", a.severity.as_str().to_string()),
            ("Document type", doc_type_label(a.doc_type).to_string()),
        ],
        ids,
        more_checks: a.failed_checks.len().saturating_sub(checks.len()),
        checks,
        reasons_title: "Other reasons",
        more_reasons: other_reasons.len().saturating_sub(MAX_ITEMS),
        reasons: other_reasons
            .into_iter()
            .take(MAX_ITEMS)
            .map(|r| cut(r, MAX_ITEM_CHARS))
            .collect(),
        open: open_document(&document_id, case_id.as_deref()),
    }
}

/// Where to open a document alert's case, and how to decide it; without a case (an alert
/// from a processor older than cases), only the document.
fn open_document(document_id: &str, case_id: Option<&str>) -> Vec<(String, &'static str)> {
    let document = (
        format!("GET /documents/{document_id}"),
        "on the audit API (AuditApiUrl, IAM-signed)",
    );
    let Some(case_id) = case_id else {
        return vec![document];
    };
    vec![
        (
            format!("compliance audit show {case_id}"),
            "with the CLI (add --table TABLE for the DynamoDB audit table)",
        ),
        (
            format!(
                "compliance review {case_id} --decision approve|reject|escalate --reason TEXT --reviewer NAME"
            ),
            "to decide it with the CLI (add --table TABLE as above)",
        ),
        document,
        (
            format!("POST /cases/{case_id}/decisions"),
            "to decide it on the audit API (AuditApiUrl, IAM-signed)",
        ),
    ]
}

fn customer_card(a: &CustomerAlert) -> Card {
    let customer_id = cut(&a.customer_id, MAX_ID_CHARS);
    let mut facts = vec![("Status", status_label(a.status).to_string())];
    if let Some(previous) = a.previous_status {
        facts.push(("Previous status", status_label(previous).to_string()));
    }
    facts.push(("Severity", a.severity.as_str().to_string()));
    Card {
        title: format!("Customer {customer_id}: {}", status_label(a.status)),
        severity: a.severity,
        facts,
        ids: vec![
            ("Alert id", cut(&a.alert_id, MAX_ID_CHARS)),
            ("Customer", customer_id.clone()),
            ("Rules version", cut(&a.rules_version, MAX_ID_CHARS)),
            (
                "Computed at",
                a.computed_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            ),
        ],
        checks: Vec::new(),
        more_checks: 0,
        reasons_title: "Reasons",
        more_reasons: a.reasons.len().saturating_sub(MAX_ITEMS),
        reasons: a
            .reasons
            .iter()
            .take(MAX_ITEMS)
            .map(|r| cut(r, MAX_ITEM_CHARS))
            .collect(),
        open: vec![
            (
                format!("compliance customer show {customer_id}"),
                "with the CLI (add --table TABLE for the DynamoDB audit table)",
            ),
            (
                format!("GET /customers/{customer_id}"),
                "on the audit API (AuditApiUrl, IAM-signed)",
            ),
        ],
    }
}

/// The Slack incoming-webhook payload: `{"text": fallback, "blocks": [...]}`.
pub fn slack_payload(alert: &AlertMessage) -> Value {
    if let AlertMessage::Digest(d) = alert {
        return digest::slack_payload(d);
    }
    let card = card(alert);
    let fallback = format!(
        "Compliance alert: {} (severity {}, alert {})",
        escape_mrkdwn(&card.title),
        card.severity.as_str(),
        escape_mrkdwn(&cut(alert.alert_id(), MAX_ID_CHARS)),
    );
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut(&card.title, SLACK_HEADER_MAX), "emoji": false}
    })];
    // Facts and ids as a section's fields (at most 10 per section, 2000 characters each).
    let fields: Vec<Value> = card
        .facts
        .iter()
        .map(|(label, value)| format!("*{label}*\n{}", escape_mrkdwn(value)))
        .chain(
            card.ids
                .iter()
                .map(|(label, value)| format!("*{label}*\n{}", code(value))),
        )
        .take(10)
        .map(|text| json!({"type": "mrkdwn", "text": text}))
        .collect();
    blocks.push(json!({"type": "section", "fields": fields}));
    if !card.checks.is_empty() {
        let lines: Vec<String> = card
            .checks
            .iter()
            .map(|c| {
                format!(
                    "• *{}* ({}): {}",
                    escape_mrkdwn(&c.id),
                    c.severity.as_str(),
                    escape_mrkdwn(&c.message)
                )
            })
            .collect();
        blocks.push(section(&fit_lines(
            "*Failed checks*",
            &lines,
            card.more_checks,
            "failed checks",
        )));
    }
    if !card.reasons.is_empty() {
        let lines: Vec<String> = card
            .reasons
            .iter()
            .map(|r| format!("• {}", escape_mrkdwn(r)))
            .collect();
        blocks.push(section(&fit_lines(
            &format!("*{}*", card.reasons_title),
            &lines,
            card.more_reasons,
            "reasons",
        )));
    }
    let open: Vec<String> = card
        .open
        .iter()
        .map(|(command, what)| format!("{} {what}", code(command)))
        .collect();
    blocks.push(section(&fit_lines("*Open it*", &open, 0, "")));
    json!({"text": cut(&fallback, SLACK_TEXT_MAX), "blocks": blocks})
}

/// The Teams Workflows payload: an Adaptive Card 1.4 in the `message` envelope that the
/// "When a Teams webhook request is received" trigger expects.
pub fn teams_payload(alert: &AlertMessage) -> Value {
    if let AlertMessage::Digest(d) = alert {
        return digest::teams_payload(d);
    }
    let card = card(alert);
    let color = match card.severity {
        Severity::Critical | Severity::High => "Attention",
        Severity::Medium => "Warning",
        Severity::Low => "Default",
    };
    let mut body = vec![
        json!({
            "type": "RichTextBlock",
            "inlines": [run(&card.title).with("size", "Large").with("weight", "Bolder").with("color", color)]
        }),
        json!({
            "type": "FactSet",
            "facts": card.facts.iter().map(|(title, value)| json!({"title": title, "value": value})).collect::<Vec<_>>()
        }),
    ];
    for (label, value) in &card.ids {
        body.push(json!({
            "type": "RichTextBlock",
            "spacing": "None",
            "inlines": [
                run(&format!("{label}: ")).with("weight", "Bolder"),
                run(value).with("fontType", "Monospace")
            ]
        }));
    }
    if !card.checks.is_empty() {
        body.push(heading("Failed checks"));
        for c in &card.checks {
            body.push(json!({
                "type": "RichTextBlock",
                "spacing": "Small",
                "inlines": [
                    run(&c.id).with("weight", "Bolder"),
                    run(&format!(" ({}): {}", c.severity.as_str(), c.message))
                ]
            }));
        }
        if card.more_checks > 0 {
            body.push(more(card.more_checks, "failed checks"));
        }
    }
    if !card.reasons.is_empty() {
        body.push(heading(card.reasons_title));
        for r in &card.reasons {
            body.push(json!({"type": "RichTextBlock", "spacing": "Small", "inlines": [run(r)]}));
        }
        if card.more_reasons > 0 {
            body.push(more(card.more_reasons, "reasons"));
        }
    }
    body.push(heading("Open it"));
    for (command, what) in &card.open {
        body.push(json!({
            "type": "RichTextBlock",
            "spacing": "Small",
            "inlines": [run(command).with("fontType", "Monospace"), run(&format!(" {what}"))]
        }));
    }
    teams_message(body)
}

/// The Teams Workflows envelope: one Adaptive Card 1.4, full width, with this body.
pub(crate) fn teams_message(body: Vec<Value>) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": body
            }
        }]
    })
}

/// A TextRun: plain text, never read as Markdown.
fn run(text: &str) -> Value {
    json!({"type": "TextRun", "text": text})
}

trait With {
    fn with(self, key: &str, value: &str) -> Value;
}

impl With for Value {
    fn with(mut self, key: &str, value: &str) -> Value {
        if let Some(object) = self.as_object_mut() {
            object.insert(key.to_string(), Value::String(value.to_string()));
        }
        self
    }
}

fn heading(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "weight": "Bolder", "wrap": true, "spacing": "Medium", "separator": true})
}

fn more(count: usize, what: &str) -> Value {
    json!({"type": "TextBlock", "text": format!("…and {count} more {what}"), "isSubtle": true, "wrap": true, "spacing": "Small"})
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// `title`, then as many `lines` as fit in [`SLACK_TEXT_MAX`] characters, then "…and N more"
/// for the rest (`already_more` were dropped before).
fn fit_lines(title: &str, lines: &[String], already_more: usize, what: &str) -> String {
    let more_line = |n: usize| format!("\n…and {n} more {what}");
    // Room kept for the "more" line, whatever the count.
    let reserve = more_line(usize::MAX).chars().count();
    let mut text = title.to_string();
    let mut used = text.chars().count();
    let mut shown = 0;
    for line in lines {
        let len = 1 + line.chars().count();
        if used + len + reserve > SLACK_TEXT_MAX {
            break;
        }
        text.push('\n');
        text.push_str(line);
        used += len;
        shown += 1;
    }
    let more = already_more + (lines.len() - shown);
    if more > 0 {
        text.push_str(&more_line(more));
    }
    text
}

/// Escapes Slack's mrkdwn control characters.
pub fn escape_mrkdwn(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline code: backticks and line breaks cannot occur inside, the rest is escaped.
fn code(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c == '`' || c.is_control() { '\'' } else { c })
        .collect();
    format!("`{}`", escape_mrkdwn(&clean))
}

/// At most `max` characters; a cut text ends with "…". Control characters other than line
/// breaks become spaces.
pub fn cut(text: &str, max: usize) -> String {
    let clean = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c });
    if text.chars().count() <= max {
        return clean.collect();
    }
    let mut out: String = clean.take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn decision_label(d: Decision) -> &'static str {
    match d {
        Decision::Approved => "Approved",
        Decision::ManualReview => "Manual review",
        Decision::Rejected => "Rejected",
        Decision::Unreadable => "Unreadable",
    }
}

pub fn status_label(s: CustomerStatus) -> &'static str {
    match s {
        CustomerStatus::Complete => "complete",
        CustomerStatus::Incomplete => "incomplete",
        CustomerStatus::NeedsReview => "needs review",
        CustomerStatus::Rejected => "rejected",
    }
}

pub fn doc_type_label(t: DocType) -> &'static str {
    match t {
        DocType::Passport => "passport",
        DocType::NationalId => "national ID card",
        DocType::DrivingLicence => "driving licence",
        DocType::ProofOfAddress => "proof of address",
        DocType::BankStatement => "bank statement",
        DocType::Invoice => "invoice",
        DocType::TaxForm => "tax form",
        DocType::KycApplication => "KYC application",
        DocType::TransactionReport => "transaction report",
        DocType::ConsentForm => "consent form",
        DocType::Other => "other document",
    }
}
