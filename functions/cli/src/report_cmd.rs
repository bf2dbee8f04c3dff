//! `compliance report --since --until`: the period's decisions by document type and by failed
//! check, the cases waiting for a reviewer and their ages, time to decision and reviewer
//! actions, as Markdown or as one self-contained HTML page (inline CSS and SVG, no scripts, no
//! external resources). The figures are computed in `compliance_core::report`; this renders.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use compliance_core::audit::Decision;
use compliance_core::case::{Case, CaseStatus, ReviewAction};
use compliance_core::ports::{AuditQuery, CaseStore};
use compliance_core::query::{PageRequest, RecordQuery, MAX_PAGE};
use compliance_core::report::{human_duration, Report, ReportBuilder};

use crate::audit_cmd::{dynamo, parse_date, range_is_usage, runtime, Output, StoreArgs};
use crate::CliError;

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Start of the period (YYYY-MM-DD is the start of that day, UTC).
    #[arg(long, value_parser = parse_date)]
    since: DateTime<Utc>,
    /// End of the period, exclusive.
    #[arg(long, value_parser = parse_date)]
    until: DateTime<Utc>,
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
    /// Write here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// How long a case may wait for a reviewer, in hours.
    #[arg(long, default_value_t = 24)]
    sla_hours: u32,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: ReportArgs) -> Result<(), CliError> {
    if args.since >= args.until {
        return Err(CliError::Usage("--since must be before --until".into()));
    }
    let report = runtime()?
        .block_on(async {
            match &args.store.table {
                Some(t) => build(&dynamo(t).await, &args).await,
                None => build(&args.store.local()?, &args).await,
            }
        })
        .map_err(range_is_usage)?;
    let text = match args.format {
        ReportFormat::Markdown => markdown(&report),
        ReportFormat::Html => html(&report),
    };
    let mut out = Output::open(args.output.as_deref())?;
    out.write_all(text.as_bytes())?;
    out.finish()
}

/// Reads the period page by page, with the cases of its documents and their events, then
/// every open case.
async fn build<S: AuditQuery + CaseStore>(
    store: &S,
    args: &ReportArgs,
) -> Result<Report, CliError> {
    let mut builder = ReportBuilder::new(
        args.since,
        args.until,
        i64::from(args.sla_hours),
        Utc::now(),
    );
    let query = RecordQuery {
        since: Some(args.since),
        until: Some(args.until),
        ..RecordQuery::default()
    };
    let mut page = PageRequest::first(MAX_PAGE);
    loop {
        let found = store.query_records(&query, &page).await?;
        builder.add_records(&found.items);
        let ids = builder.case_ids(&found.items);
        if !ids.is_empty() {
            let cases = store.cases(&ids).await?;
            add_events(store, &mut builder, &cases).await?;
            builder.add_cases(&cases);
        }
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => break,
        }
    }
    let mut page = PageRequest::first(MAX_PAGE);
    loop {
        let found = store.open_cases(&page).await?;
        add_events(store, &mut builder, &found.items).await?;
        builder.add_open_cases(&found.items);
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => break,
        }
    }
    Ok(builder.finish())
}

/// The reviewer events of cases someone acted on (a case at revision 0 has none).
async fn add_events<S: CaseStore>(
    store: &S,
    builder: &mut ReportBuilder,
    cases: &[Case],
) -> Result<(), CliError> {
    for case in cases.iter().filter(|c| c.revision > 0) {
        let events = store.case_events(&case.case_id).await?;
        builder.add_events(&events);
    }
    Ok(())
}

const DECISION_LABELS: [(Decision, &str); 4] = [
    (Decision::Approved, "Approved"),
    (Decision::ManualReview, "Manual review"),
    (Decision::Rejected, "Rejected"),
    (Decision::Unreadable, "Unreadable"),
];

const ACTION_LABELS: [(ReviewAction, &str); 5] = [
    (ReviewAction::Approve, "Approve"),
    (ReviewAction::Reject, "Reject"),
    (ReviewAction::Escalate, "Escalate"),
    (ReviewAction::FalsePositive, "False positive"),
    (ReviewAction::Reopen, "Reopen"),
];

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn seconds(s: Option<i64>) -> String {
    s.map_or_else(|| "-".to_string(), human_duration)
}

fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Open => "open",
        CaseStatus::Escalated => "escalated",
        CaseStatus::Closed => "closed",
    }
}

/// Text in a Markdown table cell: no line breaks, pipes and Markdown syntax escaped, and no
/// raw HTML (a renderer would pass it through).
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown table; the columns from `numbers_from` on are right-aligned.
fn md_table(out: &mut String, headers: &[&str], numbers_from: usize, rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let align: Vec<&str> = (0..headers.len())
        .map(|i| if i < numbers_from { "---" } else { "---:" })
        .collect();
    let _ = writeln!(out, "| {} |", align.join(" | "));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    let _ = writeln!(out);
}

/// The report as tables, one section each.
fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Compliance report\n");
    let _ = writeln!(
        out,
        "Period: {} to {} (documents processed in it; the end excluded). Generated {}. Review SLA: {} hours.\n",
        time(r.since),
        time(r.until),
        time(r.generated_at),
        r.sla_hours
    );

    let _ = writeln!(out, "## Decisions by document type\n");
    let mut headers = vec!["Document type", "Documents"];
    headers.extend(DECISION_LABELS.iter().map(|(_, l)| *l));
    let mut rows: Vec<Vec<String>> = r
        .by_doc_type
        .iter()
        .map(|t| {
            let mut row = vec![code(t.doc_type.as_str()), t.decisions.total.to_string()];
            row.extend(
                DECISION_LABELS
                    .iter()
                    .map(|(d, _)| t.decisions.get(*d).to_string()),
            );
            row
        })
        .collect();
    let mut all = vec!["**All**".to_string(), r.decisions.total.to_string()];
    all.extend(
        DECISION_LABELS
            .iter()
            .map(|(d, _)| r.decisions.get(*d).to_string()),
    );
    rows.push(all);
    md_table(&mut out, &headers, 1, &rows);

    let _ = writeln!(out, "## Failed checks\n");
    if r.by_check.is_empty() {
        let _ = writeln!(out, "No check failed in the period.\n");
    } else {
        let mut headers = vec!["Check", "Documents"];
        headers.extend(DECISION_LABELS.iter().skip(1).map(|(_, l)| *l));
        let rows: Vec<Vec<String>> = r
            .by_check
            .iter()
            .map(|c| {
                let mut row = vec![code(&c.check_id), c.decisions.total.to_string()];
                row.extend(
                    DECISION_LABELS
                        .iter()
                        .skip(1)
                        .map(|(d, _)| c.decisions.get(*d).to_string()),
                );
                row
            })
            .collect();
        md_table(&mut out, &headers, 1, &rows);
    }

    let _ = writeln!(out, "## Cases of the period's documents\n");
    md_table(
        &mut out,
        &[
            "Cases opened",
            "Open",
            "Escalated",
            "Closed approved",
            "Closed rejected",
        ],
        0,
        &[vec![
            r.cases.opened.to_string(),
            r.cases.open.to_string(),
            r.cases.escalated.to_string(),
            r.cases.closed_approved.to_string(),
            r.cases.closed_rejected.to_string(),
        ]],
    );

    let o = &r.open_cases;
    let _ = writeln!(out, "## Open cases (now, whatever the period)\n");
    let _ = writeln!(
        out,
        "{} open case(s), {} escalated, {} waiting longer than the {}-hour SLA.\n",
        o.total, o.escalated, o.past_sla, r.sla_hours
    );
    let rows: Vec<Vec<String>> = o
        .buckets
        .iter()
        .map(|b| vec![md(&b.label), b.cases.to_string()])
        .collect();
    md_table(&mut out, &["Waiting", "Cases"], 1, &rows);
    if !o.oldest.is_empty() {
        let _ = writeln!(out, "### Oldest open cases\n");
        let rows: Vec<Vec<String>> = o
            .oldest
            .iter()
            .map(|c| {
                vec![
                    code(&c.case_id),
                    md(&c.document),
                    code(c.doc_type.as_str()),
                    code(c.decision.as_str()),
                    status_label(c.status).to_string(),
                    human_duration(c.age_seconds),
                    if c.past_sla { "yes" } else { "no" }.to_string(),
                ]
            })
            .collect();
        md_table(
            &mut out,
            &[
                "Case", "Document", "Type", "Decision", "Status", "Age", "Past SLA",
            ],
            5,
            &rows,
        );
    }

    let t = &r.time_to_decision;
    let _ = writeln!(out, "## Time to decision\n");
    let _ = writeln!(
        out,
        "Cases of the period's documents closed in the period, from the document's judgement to the reviewer's decision.\n"
    );
    md_table(
        &mut out,
        &[
            "Cases closed",
            "Median",
            "90th percentile",
            "Longest",
            "Past SLA",
        ],
        0,
        &[vec![
            t.count.to_string(),
            seconds(t.median_seconds),
            seconds(t.p90_seconds),
            seconds(t.max_seconds),
            t.past_sla.to_string(),
        ]],
    );

    let _ = writeln!(out, "## Reviewer actions\n");
    if r.reviewers.is_empty() {
        let _ = writeln!(out, "No reviewer action in the period.\n");
    } else {
        let mut headers = vec!["Reviewer", "Actions"];
        headers.extend(ACTION_LABELS.iter().map(|(_, l)| *l));
        let rows: Vec<Vec<String>> = r
            .reviewers
            .iter()
            .map(|v| {
                let mut row = vec![md(&v.reviewer), v.total.to_string()];
                row.extend(ACTION_LABELS.iter().map(|(a, _)| v.get(*a).to_string()));
                row
            })
            .collect();
        md_table(&mut out, &headers, 1, &rows);
    }
    out
}

/// An identifier as a Markdown code span (no backticks or line breaks inside; a pipe is
/// still escaped, as tables require).
fn code(s: &str) -> String {
    let inner: String = s
        .chars()
        .map(|c| if c == '`' || c.is_control() { ' ' } else { c })
        .collect();
    format!("`{}`", inner.replace('|', "\\|"))
}

/// Text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const DECISION_COLOURS: [&str; 4] = ["#2f9e44", "#f08c00", "#e03131", "#868e96"];

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2933;margin:2rem auto;max-width:72rem;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d2d6dc;padding-bottom:.2rem}
h3{font-size:1rem}p.meta{color:#52606d;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d2d6dc;padding:.3rem .6rem;text-align:right;vertical-align:top}
th{background:#f5f7fa}th:first-child,td:first-child{text-align:left}
td.text{text-align:left;word-break:break-all;max-width:28rem}
.past{color:#b42318;font-weight:600}
.figures{display:flex;gap:1rem;flex-wrap:wrap;margin:.5rem 0 1rem}
.figure{border:1px solid #d2d6dc;border-radius:6px;padding:.5rem 1rem;min-width:9rem}
.figure b{display:block;font-size:1.5rem}
svg{display:block;margin:.5rem 0}svg text{font-size:12px;fill:#1f2933}
code{font-size:.85rem}
@media print{body{margin:0}}
";

/// A horizontal bar chart: one bar per row, each made of coloured segments, scaled to the
/// largest row total. Inline SVG: nothing loaded, nothing run.
fn bar_chart(
    label: &str,
    rows: &[(String, Vec<u64>)],
    colours: &[&str],
    legend: &[&str],
) -> String {
    const LABEL_W: usize = 220;
    const BAR_W: usize = 420;
    const ROW_H: usize = 22;
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let legend_h = if legend.len() > 1 { ROW_H } else { 0 };
    let height = rows.len() * ROW_H + legend_h + 4;
    let width = LABEL_W + BAR_W + 60;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg role="img" aria-label="{}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#,
        esc(label)
    );
    for (i, (name, values)) in rows.iter().enumerate() {
        let y = i * ROW_H;
        let shown: String = if name.chars().count() > 32 {
            format!("{}…", name.chars().take(31).collect::<String>())
        } else {
            name.clone()
        };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            LABEL_W - 8,
            y + 15,
            esc(&shown)
        );
        let mut x = LABEL_W as f64;
        for (value, colour) in values.iter().zip(colours.iter().cycle()) {
            if *value == 0 {
                continue;
            }
            let w = *value as f64 / max as f64 * BAR_W as f64;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{colour}"><title>{}</title></rect>"#,
                y + 3,
                ROW_H - 6,
                value
            );
            x += w;
        }
        let total: u64 = values.iter().sum();
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}">{total}</text>"#,
            x + 6.0,
            y + 15
        );
    }
    if legend.len() > 1 {
        let y = rows.len() * ROW_H + 4;
        let mut x = LABEL_W;
        for (name, colour) in legend.iter().zip(colours.iter()) {
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{}" width="12" height="12" fill="{colour}"/><text x="{}" y="{}">{}</text>"#,
                y + 3,
                x + 16,
                y + 13,
                esc(name)
            );
            x += 16 + name.chars().count() * 7 + 18;
        }
    }
    svg.push_str("</svg>");
    svg
}

fn html_table(out: &mut String, headers: &[&str], rows: &[Vec<Cell>]) {
    out.push_str("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Num(n) => {
                    let _ = write!(out, "<td>{n}</td>");
                }
                Cell::Text(t) => {
                    let _ = write!(out, r#"<td class="text">{}</td>"#, esc(t));
                }
                Cell::Code(t) => {
                    let _ = write!(out, r#"<td class="text"><code>{}</code></td>"#, esc(t));
                }
                Cell::Past(t) => {
                    let _ = write!(out, r#"<td class="past">{}</td>"#, esc(t));
                }
                Cell::Plain(t) => {
                    let _ = write!(out, "<td>{}</td>", esc(t));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

enum Cell {
    Num(u64),
    Text(String),
    Code(String),
    Plain(String),
    Past(String),
}

/// The report as one HTML page that needs nothing else: inline CSS, inline SVG charts, every
/// text escaped, and a content security policy that forbids scripts and loading anything.
fn html(r: &Report) -> String {
    let mut out = String::new();
    let title = format!("Compliance report {} to {}", time(r.since), time(r.until));
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Compliance report</h1>
<p class="meta">Period: {} to {} (documents processed in it; the end excluded). Generated {}. Review SLA: {} hours.</p>
"#,
        esc(&title),
        esc(&time(r.since)),
        esc(&time(r.until)),
        esc(&time(r.generated_at)),
        r.sla_hours
    );
    out.push_str(r#"<div class="figures">"#);
    let figures = [
        ("documents", r.decisions.total.to_string(), false),
        ("approved", r.decisions.approved.to_string(), false),
        ("cases opened", r.cases.opened.to_string(), false),
        ("open now", r.open_cases.total.to_string(), false),
        (
            "past SLA",
            r.open_cases.past_sla.to_string(),
            r.open_cases.past_sla > 0,
        ),
        (
            "median time to decision",
            seconds(r.time_to_decision.median_seconds),
            false,
        ),
    ];
    for (label, value, past) in figures {
        let _ = write!(
            out,
            r#"<div class="figure"><b{}>{}</b>{}</div>"#,
            if past { r#" class="past""# } else { "" },
            esc(&value),
            esc(label)
        );
    }
    out.push_str("</div>\n");

    let decision_names: Vec<&str> = DECISION_LABELS.iter().map(|(_, l)| *l).collect();
    out.push_str("<h2>Decisions by document type</h2>\n");
    let rows: Vec<(String, Vec<u64>)> = r
        .by_doc_type
        .iter()
        .map(|t| {
            (
                t.doc_type.as_str().to_string(),
                DECISION_LABELS
                    .iter()
                    .map(|(d, _)| t.decisions.get(*d))
                    .collect(),
            )
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&bar_chart(
            "Decisions by document type",
            &rows,
            &DECISION_COLOURS,
            &decision_names,
        ));
    }
    let mut headers = vec!["Document type", "Documents"];
    headers.extend(decision_names.iter());
    let mut table: Vec<Vec<Cell>> = r
        .by_doc_type
        .iter()
        .map(|t| {
            let mut row = vec![
                Cell::Text(t.doc_type.as_str().into()),
                Cell::Num(t.decisions.total),
            ];
            row.extend(
                DECISION_LABELS
                    .iter()
                    .map(|(d, _)| Cell::Num(t.decisions.get(*d))),
            );
            row
        })
        .collect();
    let mut all = vec![Cell::Text("All".into()), Cell::Num(r.decisions.total)];
    all.extend(
        DECISION_LABELS
            .iter()
            .map(|(d, _)| Cell::Num(r.decisions.get(*d))),
    );
    table.push(all);
    html_table(&mut out, &headers, &table);

    out.push_str("<h2>Failed checks</h2>\n");
    if r.by_check.is_empty() {
        out.push_str("<p>No check failed in the period.</p>\n");
    } else {
        let rows: Vec<(String, Vec<u64>)> = r
            .by_check
            .iter()
            .map(|c| {
                (
                    c.check_id.clone(),
                    DECISION_LABELS
                        .iter()
                        .skip(1)
                        .map(|(d, _)| c.decisions.get(*d))
                        .collect(),
                )
            })
            .collect();
        out.push_str(&bar_chart(
            "Documents by failed check",
            &rows,
            &DECISION_COLOURS[1..],
            &decision_names[1..],
        ));
        let mut headers = vec!["Check", "Documents"];
        headers.extend(decision_names.iter().skip(1));
        let table: Vec<Vec<Cell>> = r
            .by_check
            .iter()
            .map(|c| {
                let mut row = vec![Cell::Code(c.check_id.clone()), Cell::Num(c.decisions.total)];
                row.extend(
                    DECISION_LABELS
                        .iter()
                        .skip(1)
                        .map(|(d, _)| Cell::Num(c.decisions.get(*d))),
                );
                row
            })
            .collect();
        html_table(&mut out, &headers, &table);
    }

    out.push_str("<h2>Cases of the period's documents</h2>\n");
    html_table(
        &mut out,
        &[
            "Cases opened",
            "Open",
            "Escalated",
            "Closed approved",
            "Closed rejected",
        ],
        &[vec![
            Cell::Num(r.cases.opened),
            Cell::Num(r.cases.open),
            Cell::Num(r.cases.escalated),
            Cell::Num(r.cases.closed_approved),
            Cell::Num(r.cases.closed_rejected),
        ]],
    );

    let o = &r.open_cases;
    out.push_str("<h2>Open cases (now, whatever the period)</h2>\n");
    let _ = writeln!(
        out,
        "<p>{} open case(s), {} escalated, <span{}>{} waiting longer than the {}-hour SLA</span>.</p>",
        o.total,
        o.escalated,
        if o.past_sla > 0 { r#" class="past""# } else { "" },
        o.past_sla,
        r.sla_hours
    );
    let rows: Vec<(String, Vec<u64>)> = o
        .buckets
        .iter()
        .map(|b| (b.label.clone(), vec![b.cases]))
        .collect();
    out.push_str(&bar_chart(
        "Open cases by time waiting",
        &rows,
        &["#3b5bdb"],
        &["Cases"],
    ));
    if !o.oldest.is_empty() {
        out.push_str("<h3>Oldest open cases</h3>\n");
        let table: Vec<Vec<Cell>> = o
            .oldest
            .iter()
            .map(|c| {
                let age = human_duration(c.age_seconds);
                vec![
                    Cell::Code(c.case_id.clone()),
                    Cell::Text(c.document.clone()),
                    Cell::Plain(c.doc_type.as_str().into()),
                    Cell::Plain(c.decision.as_str().into()),
                    Cell::Plain(status_label(c.status).into()),
                    if c.past_sla {
                        Cell::Past(age)
                    } else {
                        Cell::Plain(age)
                    },
                ]
            })
            .collect();
        html_table(
            &mut out,
            &["Case", "Document", "Type", "Decision", "Status", "Age"],
            &table,
        );
    }

    let t = &r.time_to_decision;
    out.push_str("<h2>Time to decision</h2>\n<p>Cases of the period's documents closed in the period, from the document's judgement to the reviewer's decision.</p>\n");
    html_table(
        &mut out,
        &[
            "Cases closed",
            "Median",
            "90th percentile",
            "Longest",
            "Past SLA",
        ],
        &[vec![
            Cell::Num(t.count),
            Cell::Plain(seconds(t.median_seconds)),
            Cell::Plain(seconds(t.p90_seconds)),
            Cell::Plain(seconds(t.max_seconds)),
            Cell::Num(t.past_sla),
        ]],
    );

    out.push_str("<h2>Reviewer actions</h2>\n");
    if r.reviewers.is_empty() {
        out.push_str("<p>No reviewer action in the period.</p>\n");
    } else {
        let mut headers = vec!["Reviewer", "Actions"];
        headers.extend(ACTION_LABELS.iter().map(|(_, l)| *l));
        let table: Vec<Vec<Cell>> = r
            .reviewers
            .iter()
            .map(|v| {
                let mut row = vec![Cell::Text(v.reviewer.clone()), Cell::Num(v.total)];
                row.extend(ACTION_LABELS.iter().map(|(a, _)| Cell::Num(v.get(*a))));
                row
            })
            .collect();
        html_table(&mut out, &headers, &table);
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html_and_markdown() {
        let hostile = "<img src=x onerror=alert(1)>|`x`\n";
        assert_eq!(esc(hostile), "&lt;img src=x onerror=alert(1)&gt;|`x` ");
        let m = md(hostile);
        assert!(!m.contains('<') && !m.contains('\n'));
        assert!(m.contains("\\|"));
        let svg = bar_chart(
            "a\"b",
            &[("<b>".into(), vec![1, 2])],
            &["#000", "#fff"],
            &["x", "y"],
        );
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("http"));
    }
}
