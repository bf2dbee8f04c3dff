//! `compliance review CASE_ID --decision ...`: a reviewer's decision on a case, validated
//! against the case as stored and appended to its history. The audit record is never changed;
//! a customer's view is recomputed with the reviewer's decision. On the local store by default,
//! on DynamoDB with `--table`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use compliance_core::case::{CaseHit, ReviewAction, ReviewRequest};
use compliance_core::ports::{AlertSink, AuditQuery, CaseStore, CustomerStore};
use compliance_core::service::{review_case, ReviewFailure, ReviewOutcome};
use compliance_core::Pipeline;
use compliance_local::LocalAlertSink;

use crate::audit_cmd::{clean, dynamo, print_case_file, runtime, StoreArgs};
use crate::{load_rules, CliError};

fn parse_action(s: &str) -> Result<ReviewAction, String> {
    ReviewAction::parse(s).ok_or_else(|| {
        format!("unknown decision `{s}` (approve, reject, escalate, false-positive, reopen)")
    })
}

#[derive(Args)]
pub struct ReviewArgs {
    /// The case id (the document id of the document version it is about).
    case_id: String,
    /// approve or reject (closes the case), escalate (to a senior reviewer), false-positive
    /// (one sanctions hit is not the listed party: remembered for the customer), reopen.
    #[arg(long, value_parser = parse_action)]
    decision: ReviewAction,
    /// Why: kept with the decision.
    #[arg(long)]
    reason: String,
    /// Who decides: kept with the decision.
    #[arg(long)]
    reviewer: String,
    /// For false-positive: the list of the hit cleared (needed when the case has several).
    #[arg(long, requires = "entry")]
    list: Option<String>,
    /// For false-positive: the entry id of the hit cleared.
    #[arg(long, requires = "list")]
    entry: Option<String>,
    /// Rules file used to recompute the customer's status; the built-in rules by default.
    #[arg(long, env = "COMPLIANCE_RULES")]
    rules: Option<PathBuf>,
    /// The outcome as one JSON object (`schemas/review-outcome.schema.json`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

pub fn run(args: ReviewArgs) -> Result<(), CliError> {
    let hit = match (&args.list, &args.entry) {
        (Some(list), Some(entry)) => {
            if args.decision != ReviewAction::FalsePositive {
                return Err(CliError::Usage(
                    "--list and --entry name the hit of a false-positive decision".into(),
                ));
            }
            Some(CaseHit {
                list: list.trim().to_string(),
                entry_id: entry.trim().to_string(),
            })
        }
        _ => None,
    };
    let request = ReviewRequest {
        action: args.decision,
        reviewer: args.reviewer.clone(),
        reason: args.reason.clone(),
        hit,
    };
    let case_id = args.case_id.trim();
    if case_id.is_empty() {
        return Err(CliError::Usage("the case id is empty".into()));
    }
    let pipeline = Pipeline::new(
        load_rules(args.rules.as_ref())?,
        Vec::new(),
        Default::default(),
    );
    let outcome = runtime()?.block_on(async {
        match &args.store.table {
            Some(table) => {
                let sink = LocalAlertSink {
                    log: None,
                    print: true,
                };
                review(&pipeline, &dynamo(table).await, &sink, case_id, &request).await
            }
            None => {
                let local = args.store.local()?;
                let sink = LocalAlertSink {
                    log: Some(&local),
                    print: true,
                };
                review(&pipeline, &local, &sink, case_id, &request).await
            }
        }
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &outcome).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
    } else {
        let case = &outcome.case_file.case;
        if let Some(event) = outcome.case_file.events.last() {
            writeln!(
                out,
                "{} recorded by {}: case {} {} -> {}",
                event.action,
                clean(&event.reviewer),
                case.case_id,
                event.from,
                event.to
            )?;
        }
        print_case_file(&mut out, &outcome.case_file)?;
        if let Some(view) = &outcome.customer {
            writeln!(out, "customer {} is {}", view.customer_id, view.status)?;
        }
    }
    Ok(())
}

async fn review<S, P>(
    pipeline: &Pipeline,
    store: &S,
    sink: &P,
    case_id: &str,
    request: &ReviewRequest,
) -> Result<ReviewOutcome, CliError>
where
    S: CaseStore + CustomerStore + AuditQuery,
    P: AlertSink,
{
    review_case(pipeline, store, sink, case_id, request)
        .await
        .map_err(|e| match e {
            ReviewFailure::NotFound(id) => CliError::NotFound(format!("no case {id}")),
            ReviewFailure::Refused(refusal) => CliError::Refused(refusal.to_string()),
            ReviewFailure::Port(e) => CliError::Port(e),
        })
}
