//! `compliance digest`: the daily digest the audit API posts to Slack and Teams, printed from
//! the local store (or a DynamoDB table with `--table`): documents processed and their
//! decisions, by type, the most failed checks, the open cases by age and past the SLA, and the
//! sanctions list versions in force. The same [`compliance_core::digest`] code builds both.

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::Args;
use compliance_core::digest::{self, Digest, DigestLimits, MAX_PERIOD_HOURS};
use compliance_core::ports::{AuditQuery, CaseStore};
use compliance_core::report::human_duration;

use crate::audit_cmd::{clean, dynamo, parse_date, range_is_usage, runtime, StoreArgs};
use crate::CliError;

#[derive(Args)]
pub struct DigestArgs {
    /// Hours of documents the digest covers, up to --until (1 to 744).
    #[arg(long, default_value_t = digest::DEFAULT_PERIOD_HOURS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PERIOD_HOURS)))]
    hours: u32,
    /// The end of the period (YYYY-MM-DD is the start of that day, UTC); now by default.
    #[arg(long, value_parser = parse_date)]
    until: Option<DateTime<Utc>>,
    /// How long a case may wait for a reviewer, in hours (the stack's CaseSlaHours).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..))]
    sla_hours: u32,
    /// One JSON object: the digest as the audit API publishes it.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: DigestArgs) -> Result<(), CliError> {
    let now = Utc::now();
    let (since, until) = digest::period_ending(args.until.unwrap_or(now), args.hours);
    let sla = i64::from(args.sla_hours);
    let digest = runtime()?
        .block_on(async {
            match &args.store.table {
                Some(t) => build(&dynamo(t).await, since, until, sla, now).await,
                None => build(&args.store.local()?, since, until, sla, now).await,
            }
        })
        .map_err(range_is_usage)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &digest).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
    } else {
        print(&mut out, &digest)?;
    }
    if digest.truncated() {
        eprintln!(
            "the digest stopped at its read bound: counts marked \"at least\" are lower bounds"
        );
    }
    Ok(())
}

async fn build<S: AuditQuery + CaseStore>(
    store: &S,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    sla_hours: i64,
    now: DateTime<Utc>,
) -> Result<Digest, CliError> {
    Ok(digest::collect(store, since, until, sla_hours, now, DigestLimits::default()).await?)
}

/// "N", or "at least N".
fn count(n: u64, truncated: bool) -> String {
    if truncated {
        format!("at least {n}")
    } else {
        n.to_string()
    }
}

fn print(out: &mut impl Write, d: &Digest) -> Result<(), CliError> {
    let docs = &d.documents;
    let t = docs.truncated;
    writeln!(
        out,
        "Compliance digest: {} to {} UTC",
        d.since.format("%Y-%m-%d %H:%M"),
        d.until.format("%Y-%m-%d %H:%M")
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Documents processed: {} (approved {}, manual review {}, rejected {}, unreadable {})",
        count(docs.processed, t),
        count(docs.approved, t),
        count(docs.manual_review, t),
        count(docs.rejected, t),
        count(docs.unreadable, t)
    )?;
    if !d.by_doc_type.is_empty() {
        writeln!(out, "By type:")?;
        let width = d
            .by_doc_type
            .iter()
            .map(|r| r.doc_type.as_str().len())
            .max()
            .unwrap_or(0);
        for r in &d.by_doc_type {
            writeln!(
                out,
                "  {:<width$}  {:>6}  ({} not approved)",
                r.doc_type.as_str(),
                r.processed,
                r.not_approved
            )?;
        }
    }
    if !d.top_failed_checks.is_empty() {
        writeln!(out, "Most failed checks:")?;
        let width = d
            .top_failed_checks
            .iter()
            .map(|c| c.check_id.chars().count())
            .max()
            .unwrap_or(0);
        for c in &d.top_failed_checks {
            writeln!(
                out,
                "  {:<width$}  {:>6} {}",
                clean(&c.check_id),
                c.documents,
                if c.documents == 1 {
                    "document"
                } else {
                    "documents"
                }
            )?;
        }
        if d.more_failed_checks > 0 {
            writeln!(out, "  …and {} more failed checks", d.more_failed_checks)?;
        }
    }
    writeln!(out)?;
    let o = &d.open_cases;
    writeln!(
        out,
        "Open cases: {} (escalated {}), past the SLA ({} h): {}, oldest waiting {}",
        count(o.total, o.truncated),
        count(o.escalated, o.truncated),
        d.sla_hours,
        count(o.past_sla, o.truncated),
        o.oldest_age_seconds
            .map_or_else(|| "-".to_string(), human_duration)
    )?;
    for b in &o.buckets {
        writeln!(out, "  {:<12}  {:>6}", b.label, count(b.cases, o.truncated))?;
    }
    if !o.oldest.is_empty() {
        writeln!(out, "Oldest open cases:")?;
        for c in &o.oldest {
            writeln!(
                out,
                "  {}  {:<10}  {:<13}  {:<18}  {}{}",
                clean(&c.case_id),
                c.status.as_str(),
                c.decision.as_str(),
                c.doc_type.as_str(),
                human_duration(c.age_seconds),
                if c.past_sla { "  past the SLA" } else { "" }
            )?;
        }
    }
    writeln!(out)?;
    match d.lists_seen_at {
        Some(at) => writeln!(
            out,
            "Sanctions lists in force (as screened at {}):",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        )?,
        None => writeln!(out, "Sanctions lists in force: unknown (no record found)")?,
    }
    for l in &d.lists {
        writeln!(
            out,
            "  {}  published {}  {} entries  sha256 {}",
            clean(&l.id),
            l.published
                .as_deref()
                .map_or_else(|| "-".to_string(), clean),
            l.entries,
            clean(&l.sha256_short)
        )?;
    }
    Ok(())
}
