//! `compliance`: the document pipeline on your own machine, with an embedded audit store.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::checks::Status;
use compliance_core::intake::IntakeLimits;
use compliance_core::rules::RuleSet;
use compliance_core::screening::SanctionsList;
use compliance_core::service::process_document;
use compliance_core::{Pipeline, SourceRef};
use compliance_local::{expand_paths, FileSource, LocalAlertSink, SqliteAuditStore};

const EXIT_HELP: &str = "\
Exit codes:
  0  the run completed, whatever the decisions
  1  operational failure (rules or lists cannot be loaded, the audit store cannot be written)
  2  usage error
  3  --fail-on matched: at least one document got one of the named decisions";

#[derive(Parser)]
#[command(
    name = "compliance",
    version,
    about = "Judge documents for KYC, AML, transaction, GDPR and card-data compliance, locally.",
    after_help = EXIT_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the pipeline on files or folders and append the audit records to the local store.
    #[command(after_help = EXIT_HELP)]
    Scan(ScanArgs),
    /// Show the most recent audit records from the local store.
    Records {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON audit record per line.
        #[arg(long)]
        json: bool,
        #[arg(long, env = "COMPLIANCE_STORE")]
        store: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// One JSON object per line per document instead of a table.
    #[arg(long)]
    json: bool,
    /// Rules file (TOML); the built-in rules by default.
    #[arg(long, env = "COMPLIANCE_RULES")]
    rules: Option<PathBuf>,
    /// Folder with an OFAC SDN CSV set (sdn.csv, alt.csv); the bundled sample by default.
    #[arg(long, env = "COMPLIANCE_LISTS")]
    lists: Option<PathBuf>,
    /// Audit store (SQLite file); by default in your data directory.
    #[arg(long, env = "COMPLIANCE_STORE")]
    store: Option<PathBuf>,
    /// Do not write audit records.
    #[arg(long)]
    no_store: bool,
    /// Largest document read, in bytes.
    #[arg(long, default_value_t = IntakeLimits::default().max_bytes)]
    max_bytes: u64,
    /// Exit with 3 when any document gets one of these decisions (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = parse_decision)]
    fail_on: Vec<Decision>,
    /// Do not print alerts on standard error (they are still written to the store's alert log).
    #[arg(long)]
    quiet: bool,
}

fn parse_decision(s: &str) -> Result<Decision, String> {
    Decision::parse(s).ok_or_else(|| {
        format!("unknown decision `{s}` (approved, manual_review, rejected, unreadable)")
    })
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Core(#[from] compliance_core::CoreError),
    #[error(transparent)]
    Local(#[from] compliance_local::LocalError),
    #[error("{0}")]
    Port(#[from] compliance_core::ports::PortError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Records { limit, json, store } => records(limit, json, store).map(|_| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        // `compliance ... | head` closing the pipe is not a failure of the run.
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(1)
        }
    }
}

fn load_pipeline(args: &ScanArgs) -> Result<Pipeline, CliError> {
    let rules = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
                path: path.display().to_string(),
                source,
            })?;
            RuleSet::parse(&text, &path.display().to_string())?
        }
        None => RuleSet::default_rules()?,
    };
    let lists = match &args.lists {
        Some(dir) => vec![SanctionsList::from_ofac_dir(dir)?],
        None => vec![SanctionsList::bundled_sample()?],
    };
    let limits = IntakeLimits {
        max_bytes: args.max_bytes,
        ..IntakeLimits::default()
    };
    Ok(Pipeline::new(rules, lists, limits))
}

/// Returns `Ok(false)` when `--fail-on` matched.
fn scan(args: ScanArgs) -> Result<bool, CliError> {
    let pipeline = load_pipeline(&args)?;
    let store = if args.no_store {
        None
    } else {
        let path = match &args.store {
            Some(p) => p.clone(),
            None => compliance_local::default_store_path()?,
        };
        Some(SqliteAuditStore::open(&path)?)
    };
    let source = FileSource {
        max_bytes: args.max_bytes,
    };
    let sink = LocalAlertSink {
        log: store.as_ref(),
        print: !args.quiet,
    };
    let paths = expand_paths(&args.paths);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(CliError::Runtime)?;

    let progress = indicatif::ProgressBar::with_draw_target(
        Some(paths.len() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if paths.len() < 20 {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut out = std::io::stdout().lock();
    let mut records = Vec::with_capacity(paths.len());
    for path in &paths {
        let location = SourceRef::file(&path.display().to_string(), None);
        let record = match &store {
            Some(store) => {
                runtime
                    .block_on(process_document(&pipeline, &source, store, &sink, location))?
                    .record
            }
            None => {
                let null = NullStore;
                runtime
                    .block_on(process_document(&pipeline, &source, &null, &sink, location))?
                    .record
            }
        };
        if args.json {
            serde_json::to_writer(&mut out, &scan_json(&record))
                .map_err(|e| CliError::Output(e.into()))?;
            writeln!(out)?;
        }
        progress.inc(1);
        records.push(record);
    }
    progress.finish_and_clear();

    if !args.json {
        print_table(&mut out, &records)?;
    }
    let mut summary = Vec::new();
    for d in Decision::ALL {
        let n = records.iter().filter(|r| r.decision == d).count();
        summary.push(format!("{n} {d}"));
    }
    eprintln!("{} document(s): {}", records.len(), summary.join(", "));
    match &store {
        Some(store) => eprintln!("audit records appended to {}", store.path().display()),
        None => eprintln!("audit records not stored (--no-store)"),
    }
    let failed = records.iter().any(|r| args.fail_on.contains(&r.decision));
    Ok(!failed)
}

/// The `--json` line for one document: a stable subset of the audit record, plus the record
/// identity. Keys documented in the README.
fn scan_json(record: &AuditRecord) -> serde_json::Value {
    serde_json::json!({
        "schema_version": record.schema_version,
        "document": record.document,
        "document_id": record.document_id,
        "sha256": record.sha256,
        "size_bytes": record.size_bytes,
        "doc_type": record.doc_type,
        "confidence": record.confidence,
        "signals": record.classification_signals,
        "decision": record.decision,
        "reasons": record.reasons,
        "fields": record.fields,
        "checks": record.checks.iter().map(|c| serde_json::json!({
            "id": c.id,
            "category": c.category,
            "status": c.status,
            "severity": c.severity,
            "message": c.message,
            "rule_version": c.rule_version,
        })).collect::<Vec<_>>(),
        "rules_version": record.rules_version,
        "lists": record.lists,
        "processed_at": record.processed_at,
        "processor_version": record.processor_version,
    })
}

fn print_table(out: &mut impl Write, records: &[AuditRecord]) -> Result<(), CliError> {
    let rows: Vec<[String; 5]> = records
        .iter()
        .map(|r| {
            let failed: Vec<&str> = r
                .checks
                .iter()
                .filter(|c| matches!(c.status, Status::Fail | Status::Error))
                .map(|c| c.id.as_str())
                .collect();
            let explain_by_reasons = r.decision == Decision::Unreadable
                || (failed.is_empty() && r.decision != Decision::Approved);
            let detail = if explain_by_reasons {
                r.reasons.join("; ")
            } else {
                failed.join(", ")
            };
            [
                r.document.clone(),
                r.doc_type.to_string(),
                format!("{:.2}", r.confidence),
                r.decision.to_string(),
                detail,
            ]
        })
        .collect();
    let headers = [
        "DOCUMENT",
        "TYPE",
        "CONF",
        "DECISION",
        "FAILED CHECKS / REASON",
    ];
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (i, cell) in row.iter().enumerate().take(4) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:<w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        )
    };
    writeln!(out, "{}", line(headers))?;
    for row in &rows {
        writeln!(
            out,
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4]])
        )?;
    }
    Ok(())
}

fn records(limit: usize, json: bool, store: Option<PathBuf>) -> Result<(), CliError> {
    let path = match store {
        Some(p) => p,
        None => compliance_local::default_store_path()?,
    };
    let store = SqliteAuditStore::open(&path)?;
    let records = store.recent(limit)?;
    let mut out = std::io::stdout().lock();
    if json {
        for r in &records {
            serde_json::to_writer(&mut out, r).map_err(|e| CliError::Output(e.into()))?;
            writeln!(out)?;
        }
    } else {
        print_table(&mut out, &records)?;
        eprintln!(
            "{} of {} record(s) in {}",
            records.len(),
            store.count()?,
            path.display()
        );
    }
    Ok(())
}

/// `--no-store`: the pipeline runs, nothing is kept.
struct NullStore;

impl compliance_core::ports::AuditStore for NullStore {
    async fn put_new(
        &self,
        _record: &AuditRecord,
    ) -> Result<compliance_core::ports::PutOutcome, compliance_core::ports::PortError> {
        Ok(compliance_core::ports::PutOutcome::Created)
    }

    async fn mark_alert_sent(
        &self,
        _document_id: &str,
        _sent_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), compliance_core::ports::PortError> {
        Ok(())
    }
}
