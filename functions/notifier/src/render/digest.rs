//! The daily digest as a Slack Block Kit message and a Teams Adaptive Card, in the style of the
//! alerts: a header, the numbers as fields (a FactSet in Teams), then short sections: open
//! cases by age, the most failed checks, documents by type, the oldest open cases (by case
//! id), the sanctions lists in force, and where to look further.
//!
//! Everything taken from the message (check ids, case ids, list ids and dates) is cut to
//! [`MAX_ID_CHARS`], escaped for Slack's mrkdwn and, in Teams, only ever put in `TextRun`s;
//! labels and numbers are the notifier's own. A count that stopped at the digest's read bound
//! reads "at least N".

use chrono::SecondsFormat;
use compliance_core::digest::{Digest, AGE_BUCKETS};
use compliance_core::report::human_duration;
use compliance_core::rules::Severity;
use serde_json::{json, Value};

use super::{
    code, cut, decision_label, doc_type_label, escape_mrkdwn, fit_lines, heading, more, run,
    section, Card, With, MAX_ID_CHARS, MAX_ITEMS, SLACK_HEADER_MAX, SLACK_TEXT_MAX,
};
use compliance_core::case::CaseStatus;

/// "N", or "at least N" when the count stopped at the read bound.
fn count(n: u64, truncated: bool) -> String {
    if truncated {
        format!("at least {n}")
    } else {
        n.to_string()
    }
}

/// "1 document", "N documents".
fn documents(n: u64) -> String {
    if n == 1 {
        "1 document".to_string()
    } else {
        format!("{n} documents")
    }
}

/// How urgent the digest looks: cases past the deadline are high, any open case or any
/// document not approved medium, a quiet day low. Only the colour depends on it.
pub fn severity(d: &Digest) -> Severity {
    if d.open_cases.past_sla > 0 {
        Severity::High
    } else if d.open_cases.total > 0 || d.documents.not_approved() > 0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

fn title(d: &Digest) -> String {
    format!(
        "Compliance digest: {} to {} UTC",
        d.since.format("%d %b %H:%M"),
        d.until.format("%d %b %Y %H:%M")
    )
}

/// The numbers: (label, value), the notifier's own words.
fn facts(d: &Digest) -> Vec<(String, String)> {
    let docs = &d.documents;
    let t = docs.truncated;
    let open = &d.open_cases;
    let o = open.truncated;
    vec![
        ("Documents processed".into(), count(docs.processed, t)),
        ("Approved".into(), count(docs.approved, t)),
        ("Manual review".into(), count(docs.manual_review, t)),
        ("Rejected".into(), count(docs.rejected, t)),
        ("Unreadable".into(), count(docs.unreadable, t)),
        ("Open cases".into(), count(open.total, o)),
        ("Escalated".into(), count(open.escalated, o)),
        (
            format!("Past the SLA ({} h)", d.sla_hours),
            count(open.past_sla, o),
        ),
        (
            "Oldest open case".into(),
            open.oldest_age_seconds
                .map_or_else(|| "none".to_string(), human_duration),
        ),
    ]
}

fn ids(d: &Digest) -> Vec<(&'static str, String)> {
    vec![
        ("Digest id", cut(&d.digest_id, MAX_ID_CHARS)),
        (
            "Generated at",
            d.generated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
    ]
}

/// A bucket's label in the notifier's own words (from its bounds, never the message's text:
/// FactSets read Markdown).
fn bucket_label(min_hours: i64, max_hours: Option<i64>) -> String {
    match AGE_BUCKETS
        .iter()
        .find(|(_, min, max)| *min == min_hours && *max == max_hours)
    {
        Some((label, _, _)) => (*label).to_string(),
        None => match max_hours {
            Some(max) => format!("{min_hours} to {max} hours"),
            None => format!("over {min_hours} hours"),
        },
    }
}

fn bucket_lines(d: &Digest) -> Vec<(String, String)> {
    d.open_cases
        .buckets
        .iter()
        .take(MAX_ITEMS)
        .map(|b| {
            (
                bucket_label(b.min_hours, b.max_hours),
                count(b.cases, d.open_cases.truncated),
            )
        })
        .collect()
}

fn type_lines(d: &Digest) -> Vec<(String, String)> {
    d.by_doc_type
        .iter()
        .take(MAX_ITEMS)
        .map(|t| {
            (
                doc_type_label(t.doc_type).to_string(),
                format!("{} ({} not approved)", t.processed, t.not_approved),
            )
        })
        .collect()
}

/// (case id, what it is).
fn oldest_lines(d: &Digest) -> Vec<(String, String)> {
    d.open_cases
        .oldest
        .iter()
        .take(MAX_ITEMS)
        .map(|c| {
            let status = if c.status == CaseStatus::Escalated {
                ", escalated"
            } else {
                ""
            };
            let sla = if c.past_sla { ", past the SLA" } else { "" };
            (
                cut(&c.case_id, MAX_ID_CHARS),
                format!(
                    " {}, {}, waiting {}{status}{sla}",
                    decision_label(c.decision),
                    doc_type_label(c.doc_type),
                    human_duration(c.age_seconds)
                ),
            )
        })
        .collect()
}

/// (list id, what it is).
fn list_lines(d: &Digest) -> Vec<(String, String, String)> {
    d.lists
        .iter()
        .take(MAX_ITEMS)
        .map(|l| {
            let published = l.published.as_deref().map_or_else(
                || "publication date unknown".to_string(),
                |p| format!("published {}", cut(p, MAX_ID_CHARS)),
            );
            (
                cut(&l.id, MAX_ID_CHARS),
                format!(" {published}, {} entries, SHA-256 ", l.entries),
                cut(&l.sha256_short, MAX_ID_CHARS),
            )
        })
        .collect()
}

fn lists_note(d: &Digest) -> String {
    match d.lists_seen_at {
        Some(at) => format!(
            "As screened on the record processed at {}.",
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
        None => "No record found: the list versions in force are not known.".to_string(),
    }
}

fn open_commands(d: &Digest) -> Vec<(String, &'static str)> {
    vec![
        (
            "compliance audit list --open".to_string(),
            "with the CLI (add --table TABLE for the DynamoDB audit table)",
        ),
        (
            "GET /cases".to_string(),
            "on the audit API (AuditApiUrl, IAM-signed)",
        ),
        (
            format!(
                "compliance report --since {} --until {}",
                d.since.to_rfc3339_opts(SecondsFormat::Secs, true),
                d.until.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
            "for the full report of the period (add --table TABLE)",
        ),
    ]
}

/// The digest as a [`Card`] (what [`super::card`] answers for it): the numbers and the age
/// buckets; the payloads below say more.
pub fn card(d: &Digest) -> Card {
    let facts = facts(d);
    Card {
        title: title(d),
        severity: severity(d),
        facts: Vec::new(),
        ids: ids(d),
        checks: Vec::new(),
        more_checks: 0,
        reasons_title: "Summary",
        reasons: facts
            .into_iter()
            .chain(
                bucket_lines(d)
                    .into_iter()
                    .map(|(l, n)| (format!("Open {l}"), n)),
            )
            .map(|(label, value)| format!("{label}: {value}"))
            .collect(),
        more_reasons: 0,
        open: open_commands(d),
    }
}

/// The Slack incoming-webhook payload of a digest.
pub fn slack_payload(d: &Digest) -> Value {
    let docs = &d.documents;
    let fallback = format!(
        "Compliance digest {}: {} documents ({} approved, {} manual review, {} rejected, {} unreadable); {} open cases, {} past the SLA",
        d.until.format("%Y-%m-%d"),
        count(docs.processed, docs.truncated),
        docs.approved,
        docs.manual_review,
        docs.rejected,
        docs.unreadable,
        count(d.open_cases.total, d.open_cases.truncated),
        d.open_cases.past_sla,
    );
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": cut(&title(d), SLACK_HEADER_MAX), "emoji": false}
    })];
    let fields: Vec<Value> = facts(d)
        .iter()
        .map(|(label, value)| format!("*{label}*\n{}", escape_mrkdwn(value)))
        .chain(std::iter::once(format!(
            "*Digest id*\n{}",
            code(&cut(&d.digest_id, MAX_ID_CHARS))
        )))
        .take(10)
        .map(|text| json!({"type": "mrkdwn", "text": text}))
        .collect();
    blocks.push(json!({"type": "section", "fields": fields}));
    if d.truncated() {
        blocks.push(section(
            "_The digest read as much as it may in one run: counts marked \"at least\" are lower bounds._",
        ));
    }
    let buckets: Vec<String> = bucket_lines(d)
        .iter()
        .map(|(label, n)| format!("• {}: {n}", escape_mrkdwn(label)))
        .collect();
    blocks.push(section(&fit_lines("*Open cases by age*", &buckets, 0, "")));
    if !d.top_failed_checks.is_empty() {
        let lines: Vec<String> = d
            .top_failed_checks
            .iter()
            .map(|c| {
                format!(
                    "• {}: {}",
                    code(&cut(&c.check_id, MAX_ID_CHARS)),
                    documents(c.documents)
                )
            })
            .collect();
        blocks.push(section(&fit_lines(
            "*Most failed checks*",
            &lines,
            d.more_failed_checks,
            "failed checks",
        )));
    }
    if !d.by_doc_type.is_empty() {
        let lines: Vec<String> = type_lines(d)
            .iter()
            .map(|(label, value)| format!("• {label}: {value}"))
            .collect();
        blocks.push(section(&fit_lines(
            "*Documents by type*",
            &lines,
            d.by_doc_type.len().saturating_sub(lines.len()),
            "document types",
        )));
    }
    if !d.open_cases.oldest.is_empty() {
        let lines: Vec<String> = oldest_lines(d)
            .iter()
            .map(|(id, what)| format!("• {}{}", code(id), escape_mrkdwn(what)))
            .collect();
        blocks.push(section(&fit_lines("*Oldest open cases*", &lines, 0, "")));
    }
    let lists: Vec<String> = list_lines(d)
        .iter()
        .map(|(id, what, sha)| format!("• {}{}{}", code(id), escape_mrkdwn(what), code(sha)))
        .chain(std::iter::once(format!("_{}_", lists_note(d))))
        .collect();
    blocks.push(section(&fit_lines(
        "*Sanctions lists in force*",
        &lists,
        d.lists.len().saturating_sub(MAX_ITEMS),
        "lists",
    )));
    let open: Vec<String> = open_commands(d)
        .iter()
        .map(|(command, what)| format!("{} {what}", code(command)))
        .collect();
    blocks.push(section(&fit_lines("*Open it*", &open, 0, "")));
    json!({"text": cut(&fallback, SLACK_TEXT_MAX), "blocks": blocks})
}

/// The Teams Workflows payload of a digest: an Adaptive Card 1.4 in the `message` envelope.
pub fn teams_payload(d: &Digest) -> Value {
    let color = match severity(d) {
        Severity::Critical | Severity::High => "Attention",
        Severity::Medium => "Warning",
        Severity::Low => "Good",
    };
    let fact_set = |rows: Vec<(String, String)>| {
        json!({
            "type": "FactSet",
            "facts": rows.into_iter().map(|(title, value)| json!({"title": title, "value": value})).collect::<Vec<_>>()
        })
    };
    let mut body = vec![
        json!({
            "type": "RichTextBlock",
            "inlines": [run(&title(d)).with("size", "Large").with("weight", "Bolder").with("color", color)]
        }),
        fact_set(facts(d)),
    ];
    for (label, value) in ids(d) {
        body.push(json!({
            "type": "RichTextBlock",
            "spacing": "None",
            "inlines": [
                run(&format!("{label}: ")).with("weight", "Bolder"),
                run(&value).with("fontType", "Monospace")
            ]
        }));
    }
    if d.truncated() {
        body.push(json!({
            "type": "TextBlock",
            "text": "The digest read as much as it may in one run: counts marked \"at least\" are lower bounds.",
            "isSubtle": true,
            "wrap": true
        }));
    }
    body.push(heading("Open cases by age"));
    body.push(fact_set(bucket_lines(d)));
    if !d.top_failed_checks.is_empty() {
        body.push(heading("Most failed checks"));
        for c in &d.top_failed_checks {
            body.push(json!({
                "type": "RichTextBlock",
                "spacing": "Small",
                "inlines": [
                    run(&cut(&c.check_id, MAX_ID_CHARS)).with("fontType", "Monospace").with("weight", "Bolder"),
                    run(&format!(": {}", documents(c.documents)))
                ]
            }));
        }
        if d.more_failed_checks > 0 {
            body.push(more(d.more_failed_checks, "failed checks"));
        }
    }
    if !d.by_doc_type.is_empty() {
        body.push(heading("Documents by type"));
        body.push(fact_set(type_lines(d)));
    }
    if !d.open_cases.oldest.is_empty() {
        body.push(heading("Oldest open cases"));
        for (id, what) in oldest_lines(d) {
            body.push(json!({
                "type": "RichTextBlock",
                "spacing": "Small",
                "inlines": [run(&id).with("fontType", "Monospace"), run(&what)]
            }));
        }
    }
    body.push(heading("Sanctions lists in force"));
    for (id, what, sha) in list_lines(d) {
        body.push(json!({
            "type": "RichTextBlock",
            "spacing": "Small",
            "inlines": [
                run(&id).with("fontType", "Monospace").with("weight", "Bolder"),
                run(&what),
                run(&sha).with("fontType", "Monospace")
            ]
        }));
    }
    body.push(json!({"type": "TextBlock", "text": lists_note(d), "isSubtle": true, "wrap": true, "spacing": "Small"}));
    body.push(heading("Open it"));
    for (command, what) in open_commands(d) {
        body.push(json!({
            "type": "RichTextBlock",
            "spacing": "Small",
            "inlines": [run(&command).with("fontType", "Monospace"), run(&format!(" {what}"))]
        }));
    }
    super::teams_message(body)
}
