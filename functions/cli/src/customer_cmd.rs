//! `compliance customer show|false-positive`: one customer's documents and overall status, and
//! a reviewer's false-positive decision for one of their sanctions hits. On the local store by
//! default, on DynamoDB with `--table` (the normal AWS configuration and endpoint variables).

use std::io::Write;
use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, Subcommand};
use compliance_core::customer::{validate_customer_id, CustomerView, FalsePositive};
use compliance_core::ports::{AlertSink, CustomerStore};
use compliance_core::service::refresh_customer;
use compliance_core::Pipeline;
use compliance_local::LocalAlertSink;

use crate::audit_cmd::{dynamo, StoreArgs};
use crate::{load_rules, CliError};

#[derive(Args)]
pub struct CustomerArgs {
    #[command(subcommand)]
    command: CustomerCommand,
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// The customer's status with its reasons, required documents, cross-document agreement
    /// and every document with its decision.
    Show {
        id: String,
        /// The stored customer view as one JSON object (`schemas/customer.schema.json`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Record that a sanctions hit on this customer is not the listed party. It suppresses the
    /// same list entry for this customer only, and is kept, never overwritten.
    FalsePositive {
        id: String,
        /// List id as in the hit (`ofac-sdn`, `un-consolidated`, ...).
        #[arg(long)]
        list: String,
        /// Entry id as in the hit.
        #[arg(long)]
        entry: String,
        #[arg(long)]
        reviewer: String,
        #[arg(long)]
        reason: String,
        /// The document whose hit was reviewed.
        #[arg(long)]
        document: Option<String>,
        /// Rules file used to recompute the customer's status; the built-in rules by default.
        #[arg(long, env = "COMPLIANCE_RULES")]
        rules: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn run(args: CustomerArgs) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        match args.command {
            CustomerCommand::Show { id, json, store } => {
                let id = customer_id(&id)?;
                let view = match &store.table {
                    Some(table) => show(&dynamo(table).await, &id).await?,
                    None => show(&store.local()?, &id).await?,
                };
                print_view(&view, json)
            }
            CustomerCommand::FalsePositive {
                id,
                list,
                entry,
                reviewer,
                reason,
                document,
                rules,
                store,
            } => {
                let id = customer_id(&id)?;
                let nonempty = |what: &str, v: &str| {
                    if v.trim().is_empty() {
                        Err(CliError::Usage(format!("--{what} is empty")))
                    } else {
                        Ok(v.trim().to_string())
                    }
                };
                let fp = FalsePositive {
                    customer_id: id.clone(),
                    list: nonempty("list", &list)?,
                    entry_id: nonempty("entry", &entry)?,
                    reviewer: nonempty("reviewer", &reviewer)?,
                    reason: nonempty("reason", &reason)?,
                    recorded_at: Utc::now(),
                    document_id: document,
                };
                let pipeline =
                    Pipeline::new(load_rules(rules.as_ref())?, Vec::new(), Default::default());
                let view = match &store.table {
                    Some(table) => {
                        let sink = LocalAlertSink {
                            log: None,
                            print: true,
                        };
                        record_false_positive(&pipeline, &dynamo(table).await, &sink, &fp).await?
                    }
                    None => {
                        let local = store.local()?;
                        let sink = LocalAlertSink {
                            log: Some(&local),
                            print: true,
                        };
                        record_false_positive(&pipeline, &local, &sink, &fp).await?
                    }
                };
                eprintln!(
                    "false positive recorded: {} entry {} for customer {} (by {})",
                    fp.list, fp.entry_id, fp.customer_id, fp.reviewer
                );
                if let Some(view) = view {
                    eprintln!("customer {} is {}", view.customer_id, view.status);
                }
                Ok(())
            }
        }
    })
}

fn customer_id(id: &str) -> Result<String, CliError> {
    validate_customer_id(id).map_err(|e| CliError::Usage(format!("customer id: {e}")))
}

async fn show<S: CustomerStore>(store: &S, id: &str) -> Result<CustomerView, CliError> {
    store
        .customer_view(id)
        .await?
        .ok_or_else(|| CliError::NotFound(format!("no documents recorded for customer {id}")))
}

/// Records the decision, then recomputes the customer's view (a reviewer's decision is one of
/// the moments the status is recomputed) when they have documents.
async fn record_false_positive<S: CustomerStore, P: AlertSink>(
    pipeline: &Pipeline,
    store: &S,
    sink: &P,
    fp: &FalsePositive,
) -> Result<Option<CustomerView>, CliError> {
    store.record_false_positive(fp).await?;
    if store.customer_view(&fp.customer_id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(
        refresh_customer(pipeline, store, sink, &fp.customer_id).await?,
    ))
}

fn print_view(view: &CustomerView, json: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, view).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "customer {}: {}", view.customer_id, view.status)?;
    for reason in &view.reasons {
        writeln!(out, "  - {reason}")?;
    }
    writeln!(out, "\nrequired documents:")?;
    for r in &view.requirements {
        let by = r
            .satisfied_by
            .as_ref()
            .and_then(|id| r.documents.iter().find(|d| &d.document_id == id))
            .map(|d| format!(" by {}", d.document))
            .unwrap_or_default();
        writeln!(out, "  {:<20} {}{}", r.name, r.state, by)?;
    }
    writeln!(out, "\nagreement across documents:")?;
    for a in &view.agreement {
        let result = match a.result {
            compliance_core::customer::identity::Comparison::Agrees => "agrees",
            compliance_core::customer::identity::Comparison::Differs => "DIFFERS",
            compliance_core::customer::identity::Comparison::NotComparable => "not comparable",
        };
        writeln!(
            out,
            "  {:<14} {} ({} document(s))",
            a.attribute, result, a.documents
        )?;
    }
    writeln!(out, "\ndocuments:")?;
    for d in &view.documents {
        writeln!(
            out,
            "  {:<13} {:<18} {}",
            d.decision.as_str(),
            d.doc_type.as_str(),
            d.document
        )?;
    }
    writeln!(
        out,
        "\nrules {} · revision {} · computed {}",
        view.rules_version,
        view.revision,
        view.computed_at.to_rfc3339()
    )?;
    Ok(())
}
