//! `compliance`: the document pipeline on your own machine, with an embedded audit store.
//! stdout carries only the requested output (a table, or one JSON object per line with
//! `--json`, each described by a schema under `schemas/`); alerts, progress and summaries go to
//! stderr.

mod audit_cmd;
mod check_id;
mod customer_cmd;
mod digest_cmd;
mod eval_cmd;
mod lists_cmd;
mod report_cmd;
mod rescreen_cmd;
mod review_cmd;
mod rules_cmd;
mod screen_cmd;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::checks::Status;
use compliance_core::customer::{CustomerClaims, KeyPattern};
use compliance_core::extract::{Disclosure, Fields};
use compliance_core::identifiers::IdKind;
use compliance_core::intake::IntakeLimits;
use compliance_core::ports::Fetched;
use compliance_core::rules::RuleSet;
use compliance_core::screening::lists;
use compliance_core::service::{process_document, process_document_assisted};
use compliance_core::{Pipeline, SourceRef};
use compliance_local::{expand_paths, read_file, FileSource, LocalAlertSink, SqliteAuditStore};

const EXIT_HELP: &str = "\
Exit codes:
  0  the run completed, whatever the decisions
  1  operational failure (rules or lists cannot be loaded, the audit store cannot be written)
  2  usage error
  3  --fail-on matched: at least one document got one of the named decisions
     (check-id: --fail-on-invalid matched; eval: a --min-* target missed; audit verify: a
     record differs from its sealed copy, or has none)
  4  review refused: the case's state does not allow the decision (a closed case must be
     reopened first, an escalated one cannot be escalated again, ...), or the reviewer, reason
     or sanctions hit is missing or invalid; nothing was recorded
A document, case or customer that does not exist is an operational failure (1).";

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
    /// Read, classify and extract documents without judging or storing them.
    #[command(after_help = EXIT_HELP)]
    Extract(ExtractArgs),
    /// Measure classification and field accuracy on a labelled corpus (`events/corpus` by
    /// default); exit 3 when a --min-* target is missed.
    #[command(after_help = EXIT_HELP)]
    Eval(eval_cmd::EvalArgs),
    /// Validate identifiers: an MRZ (its lines as separate arguments), IBAN, BIC, LEI or card.
    #[command(after_help = EXIT_HELP)]
    CheckId(CheckIdArgs),
    /// Check a rules file (each problem with its line and column) or show the effective rules.
    #[command(after_help = EXIT_HELP)]
    Rules(rules_cmd::RulesArgs),
    /// Screen names against the sanctions lists (one argument, or one name a line with --input).
    #[command(after_help = EXIT_HELP)]
    Screen(screen_cmd::ScreenArgs),
    /// Score name pairs from a CSV (name1,name2[,schema]): how users tune thresholds.
    #[command(after_help = EXIT_HELP)]
    Match(screen_cmd::MatchArgs),
    /// Download, validate and install the official sanctions lists.
    #[command(after_help = EXIT_HELP)]
    Lists(lists_cmd::ListsArgs),
    /// Show a customer's documents and status, or record a reviewer's false positive.
    #[command(after_help = EXIT_HELP)]
    Customer(customer_cmd::CustomerArgs),
    /// Query the audit trail: list records by filters or the open cases, show one document
    /// with its case, export records as CSV or JSON lines.
    #[command(after_help = EXIT_HELP)]
    Audit(audit_cmd::AuditArgs),
    /// Record a reviewer's decision on a case: approve, reject, escalate, false-positive,
    /// reopen.
    #[command(after_help = EXIT_HELP)]
    Review(review_cmd::ReviewArgs),
    /// A report of a period: decisions, failed checks, open cases and their ages, time to
    /// decision and reviewer actions, as Markdown or a self-contained HTML page.
    #[command(after_help = EXIT_HELP)]
    Report(report_cmd::ReportArgs),
    /// The daily digest (what the audit API posts to Slack and Teams): documents processed
    /// and their decisions, the most failed checks, open cases by age and past the SLA, and
    /// the sanctions list versions in force.
    #[command(after_help = EXIT_HELP)]
    Digest(digest_cmd::DigestArgs),
    /// Screen the parties of past documents against the list entries new or changed since
    /// the previous lists; exit 3 when new hits were recorded.
    #[command(after_help = EXIT_HELP)]
    Rescreen(rescreen_cmd::RescreenArgs),
    /// Show the most recent audit records from the local store.
    #[command(after_help = EXIT_HELP)]
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
    /// Folder of sanctions list files (OFAC SDN CSV set, UN XML, BIS DPL, US CSL, custom CSV),
    /// recognised by content [default: the folder `lists fetch` installed, else the bundled
    /// OFAC sample].
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
    /// Do not consult the language model configured by `LLM_PROVIDER` (see the README).
    #[arg(long)]
    no_assist: bool,
    /// Print extracted fields in clear on stdout (the audit store keeps them masked).
    #[arg(long)]
    show_pii: bool,
    /// The customer every document belongs to (ASCII letters, digits and . _ - : @).
    #[arg(long, conflicts_with = "customer_pattern")]
    customer: Option<String>,
    /// Where the customer id is in each file's path below the folder given, e.g.
    /// `{customer_id}/{file}` (the same pattern as the Lambda's object keys).
    #[arg(long, env = "COMPLIANCE_CUSTOMER_PATTERN")]
    customer_pattern: Option<String>,
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// One JSON object per line per document.
    #[arg(long)]
    json: bool,
    /// Print extracted fields in clear instead of masked.
    #[arg(long)]
    show_pii: bool,
    /// Largest document read, in bytes.
    #[arg(long, default_value_t = IntakeLimits::default().max_bytes)]
    max_bytes: u64,
}

#[derive(clap::Args)]
struct CheckIdArgs {
    /// The identifier; for an MRZ, each line as its own argument.
    #[arg(required = true)]
    values: Vec<String>,
    /// What the values are; detected when omitted.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<IdKind>,
    /// One JSON object per line per identifier.
    #[arg(long)]
    json: bool,
    /// Print the identifier in clear instead of masked.
    #[arg(long)]
    show_pii: bool,
    /// Exit with 3 when any identifier is invalid.
    #[arg(long)]
    fail_on_invalid: bool,
}

fn parse_kind(s: &str) -> Result<IdKind, String> {
    IdKind::parse(s).ok_or_else(|| format!("unknown kind `{s}` (mrz, iban, bic, lei, card)"))
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
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    NotFound(String),
    /// A reviewer's request the case does not allow; nothing was recorded.
    #[error("review refused: {0}")]
    Refused(String),
    /// A list download or installation failed; the installed lists are unchanged.
    #[error("{0}")]
    Lists(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Extract(args) => extract(args).map(|_| true),
        Command::Eval(args) => eval_cmd::run(args),
        Command::CheckId(args) => check_ids(args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Screen(args) => screen_cmd::screen(args),
        Command::Match(args) => screen_cmd::match_pairs(args),
        Command::Lists(args) => lists_cmd::run(args),
        Command::Customer(args) => customer_cmd::run(args).map(|_| true),
        Command::Audit(args) => audit_cmd::run(args),
        Command::Review(args) => review_cmd::run(args).map(|_| true),
        Command::Report(args) => report_cmd::run(args).map(|_| true),
        Command::Digest(args) => digest_cmd::run(args).map(|_| true),
        Command::Rescreen(args) => rescreen_cmd::run(args),
        Command::Records { limit, json, store } => records(limit, json, store).map(|_| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        // `compliance ... | head` closing the pipe is not a failure of the run.
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(err @ CliError::Refused(_)) => {
            eprintln!("error: {err}");
            ExitCode::from(4)
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(1)
        }
    }
}

/// The language model `LLM_PROVIDER` and its companions configure (keys may come from the
/// environment here, unlike in Lambda), with the policy of which documents to ask about.
async fn local_assistance() -> Result<
    Option<(
        compliance_assist::Assistant,
        compliance_core::assist::AssistPolicy,
    )>,
    CliError,
> {
    use compliance_assist::{AssistConfig, Assistant, KeySource, PlainKeys, Provider};
    let Some(config) = AssistConfig::from_env(PlainKeys::Allowed)
        .map_err(|e| CliError::Usage(format!("model assistance: {e}")))?
    else {
        return Ok(None);
    };
    let policy =
        compliance_core::assist::AssistPolicy::from_lookup(|name| std::env::var(name).ok())
            .map_err(|e| CliError::Usage(format!("model assistance: {e}")))?;
    // AWS credentials only where the configuration needs them.
    let needs_aws = config.provider == Provider::Bedrock
        || matches!(
            config.key,
            KeySource::SecretsManager(_) | KeySource::Parameter(_)
        );
    let aws = if needs_aws {
        Some(aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await)
    } else {
        None
    };
    let assistant = Assistant::connect(&config, aws.as_ref())
        .await
        .map_err(|e| CliError::Usage(format!("model assistance: {e}")))?;
    Ok(Some((assistant, policy)))
}

fn load_pipeline(args: &ScanArgs) -> Result<Pipeline, CliError> {
    let rules = load_rules(args.rules.as_ref())?;
    let screener = load_screener(args.lists.as_ref())?;
    let limits = IntakeLimits {
        max_bytes: args.max_bytes,
        ..IntakeLimits::default()
    };
    Ok(Pipeline::with_screener(rules, screener, limits))
}

/// The sanctions lists, indexed: the folder given (`--lists` or `$COMPLIANCE_LISTS`), else the
/// folder `compliance lists fetch` installed, else the small OFAC sample bundled with the tool.
/// A folder is loaded from its saved index (`index.bin`) when that matches the files, else
/// parsed and indexed.
pub(crate) fn load_screener(
    dir: Option<&PathBuf>,
) -> Result<compliance_core::screening::Screener, CliError> {
    Ok(match dir.cloned().or_else(lists_cmd::installed_dir) {
        Some(dir) => compliance_core::screening::saved::load_dir(&dir)?,
        None => compliance_core::screening::Screener::new(lists::bundled()?),
    })
}

/// The rules file given, or the built-in rules.
pub(crate) fn load_rules(path: Option<&PathBuf>) -> Result<RuleSet, CliError> {
    Ok(match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
                path: path.display().to_string(),
                source,
            })?;
            RuleSet::parse(&text, &path.display().to_string())?
        }
        None => RuleSet::default_rules()?,
    })
}

/// The store path given, or the default one.
pub(crate) fn store_path(store: Option<&PathBuf>) -> Result<PathBuf, CliError> {
    Ok(match store {
        Some(p) => p.clone(),
        None => compliance_local::default_store_path()?,
    })
}

/// The local identity key, kept beside the audit store.
pub(crate) fn local_identity_key(
    store: &std::path::Path,
) -> Result<compliance_core::customer::IdentityKey, CliError> {
    let dir = store
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf);
    Ok(compliance_local::identity_key(&dir)?)
}

/// Returns `Ok(false)` when `--fail-on` matched.
fn scan(args: ScanArgs) -> Result<bool, CliError> {
    let customer_pattern = args
        .customer_pattern
        .as_deref()
        .map(KeyPattern::parse)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--customer-pattern: {e}")))?;
    if let Some(id) = &args.customer {
        compliance_core::customer::validate_customer_id(id)
            .map_err(|e| CliError::Usage(format!("--customer: {e}")))?;
    }
    let store_file = if args.no_store {
        None
    } else {
        Some(store_path(args.store.as_ref())?)
    };
    let store = match &store_file {
        Some(path) => SqliteAuditStore::open(path)?,
        None => SqliteAuditStore::scratch()?,
    };
    let identity_key = match &store_file {
        Some(path) => local_identity_key(path)?,
        None => compliance_local::ephemeral_identity_key()?,
    };
    let pipeline = load_pipeline(&args)?.with_identity_key(identity_key);
    let source = FileSource {
        max_bytes: args.max_bytes,
    };
    let sink = LocalAlertSink {
        log: Some(&store),
        print: !args.quiet,
    };
    // Each file with its path below the folder it was found in, for --customer-pattern.
    let paths: Vec<(PathBuf, String)> = args
        .paths
        .iter()
        .flat_map(|input| {
            expand_paths(std::slice::from_ref(input))
                .into_iter()
                .map(move |path| {
                    let below = path
                        .strip_prefix(input)
                        .ok()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(&path)
                        .to_string_lossy()
                        .replace('\\', "/");
                    (path, below)
                })
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let (pipeline, assistant) = if args.no_assist {
        (pipeline, None)
    } else {
        match runtime.block_on(local_assistance())? {
            Some((assistant, policy)) => {
                eprintln!(
                    "model assistance: {} {} for documents classified below {:.2} confidence or as {}",
                    compliance_core::assist::ClassificationAssistant::provider(&assistant),
                    compliance_core::assist::ClassificationAssistant::model(&assistant),
                    policy.below_confidence,
                    if policy.for_types.is_empty() {
                        "nothing else".to_string()
                    } else {
                        policy
                            .for_types
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                );
                (pipeline.with_assist_policy(Some(policy)), Some(assistant))
            }
            None => (pipeline, None),
        }
    };

    let progress = indicatif::ProgressBar::with_draw_target(
        Some(paths.len() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if paths.len() < 20 {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut out = std::io::stdout().lock();
    let mut records = Vec::with_capacity(paths.len());
    let mut customers = std::collections::BTreeMap::new();
    for (path, below) in &paths {
        let location = SourceRef::file(&compliance_local::document_name(path), None);
        // Read by its path, not its name: a name that is not UTF-8 is escaped.
        let source = compliance_local::PathSource {
            path,
            max_bytes: source.max_bytes,
        };
        let claims = CustomerClaims {
            command_line: args.customer.clone(),
            key_pattern: customer_pattern.as_ref().and_then(|p| p.customer_id(below)),
            ..CustomerClaims::default()
        };
        let outcome = match &assistant {
            Some(assistant) => runtime.block_on(process_document_assisted(
                &pipeline, &source, &store, &sink, assistant, location, claims,
            ))?,
            None => runtime.block_on(process_document(
                &pipeline, &source, &store, &sink, location, claims,
            ))?,
        };
        if let Some(view) = &outcome.customer {
            customers.insert(view.customer_id.clone(), view.status);
        }
        let record = outcome.record;
        if args.json {
            let fields = match (&outcome.fields, args.show_pii) {
                (Some(fields), true) => fields.view(Disclosure::Clear),
                _ => record.fields.clone(),
            };
            serde_json::to_writer(&mut out, &scan_json(&record, fields, !args.show_pii))
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
    for (id, status) in &customers {
        eprintln!("customer {id}: {status} (compliance customer show {id})");
    }
    match &store_file {
        Some(path) => eprintln!("audit records appended to {}", path.display()),
        None => eprintln!("audit records not stored (--no-store)"),
    }
    let failed = records.iter().any(|r| args.fail_on.contains(&r.decision));
    Ok(!failed)
}

/// The `--json` line for one document (`schemas/scan.schema.json`): a stable subset of the
/// audit record, plus the record identity.
fn scan_json(
    record: &AuditRecord,
    fields: std::collections::BTreeMap<String, serde_json::Value>,
    pii_masked: bool,
) -> serde_json::Value {
    let mut line = serde_json::json!({
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
        "fields": fields,
        "pii_masked": pii_masked,
        "checks": record.checks.iter().map(|c| serde_json::json!({
            "id": c.id,
            "category": c.category,
            "status": c.status,
            "severity": c.severity,
            "message": c.message,
            "rule_version": c.rule_version,
        })).collect::<Vec<_>>(),
        "rules_version": record.rules_version,
        "customer": record.customer,
        "lists": record.lists,
        "processed_at": record.processed_at,
        "processor_version": record.processor_version,
    });
    if let (Some(assistance), Some(object)) = (&record.assistance, line.as_object_mut()) {
        object.insert(
            "assistance".into(),
            serde_json::to_value(assistance).unwrap_or_default(),
        );
    }
    line
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

/// A pipeline that only reads documents (intake, classification, fields): no lists, the
/// default rules, files up to `max_bytes`.
pub(crate) fn reading_pipeline(max_bytes: u64) -> Result<Pipeline, CliError> {
    Ok(Pipeline::new(
        RuleSet::default_rules()?,
        Vec::new(),
        IntakeLimits {
            max_bytes,
            ..IntakeLimits::default()
        },
    ))
}

/// `compliance extract`: what was read, per document (`schemas/extract.schema.json`).
fn extract(args: ExtractArgs) -> Result<(), CliError> {
    let pipeline = reading_pipeline(args.max_bytes)?;
    let today = chrono::Utc::now().date_naive();
    let disclosure = if args.show_pii {
        Disclosure::Clear
    } else {
        Disclosure::Masked
    };
    let mut out = std::io::stdout().lock();
    for path in expand_paths(&args.paths) {
        let document = path.display().to_string();
        let (sha256, size, reading) = match read_file(&path, args.max_bytes) {
            Fetched::Bytes(bytes) => {
                let sha256 = compliance_core::audit::sha256_hex(&bytes);
                let reading = pipeline.read_document(&document, &bytes, today);
                (Some(sha256), Some(bytes.len() as u64), reading)
            }
            Fetched::Unreadable(reason) => (None, None, Err(reason)),
        };
        let value = match &reading {
            Ok(r) => serde_json::json!({
                "schema_version": compliance_core::audit::SCHEMA_VERSION,
                "document": document,
                "sha256": sha256,
                "size_bytes": size,
                "readable": true,
                "unreadable_reason": null,
                "format": r.format,
                "pages": r.pages,
                "characters": r.characters,
                "truncated": r.truncated,
                "doc_type": r.classification.doc_type,
                "confidence": r.classification.confidence,
                "signals": r.classification.signals,
                "fields": r.fields.view(disclosure),
                "pii_masked": !args.show_pii,
            }),
            Err(reason) => serde_json::json!({
                "schema_version": compliance_core::audit::SCHEMA_VERSION,
                "document": document,
                "sha256": sha256,
                "size_bytes": size,
                "readable": false,
                "unreadable_reason": reason.to_string(),
                "format": null,
                "pages": null,
                "characters": 0,
                "truncated": false,
                "doc_type": compliance_core::classify::DocType::Other,
                "confidence": 0.0,
                "signals": [],
                "fields": Fields::default().view(disclosure),
                "pii_masked": !args.show_pii,
            }),
        };
        if args.json {
            serde_json::to_writer(&mut out, &value).map_err(|e| CliError::Output(e.into()))?;
            writeln!(out)?;
        } else {
            print_extraction(&mut out, &value)?;
        }
    }
    Ok(())
}

fn print_extraction(out: &mut impl Write, v: &serde_json::Value) -> Result<(), CliError> {
    let text = |key: &str| match &v[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".to_string(),
        other => other.to_string(),
    };
    writeln!(out, "{}", text("document"))?;
    if v["readable"] == false {
        writeln!(out, "  unreadable: {}", text("unreadable_reason"))?;
        return Ok(());
    }
    writeln!(
        out,
        "  type: {} (confidence {})  format: {}  pages: {}  characters: {}",
        text("doc_type"),
        text("confidence"),
        text("format"),
        text("pages"),
        text("characters")
    )?;
    if let Some(signals) = v["signals"].as_array() {
        let signals: Vec<String> = signals
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect();
        writeln!(out, "  signals: {}", signals.join(", "))?;
    }
    if let Some(fields) = v["fields"].as_object() {
        for (k, value) in fields {
            writeln!(out, "  {k}: {value}")?;
        }
    }
    Ok(())
}

/// `compliance check-id`; returns `Ok(false)` when `--fail-on-invalid` matched.
fn check_ids(args: CheckIdArgs) -> Result<bool, CliError> {
    let subjects = check_id::subjects(args.kind, &args.values).map_err(CliError::Usage)?;
    let today = chrono::Utc::now().date_naive();
    let mut out = std::io::stdout().lock();
    let mut all_valid = true;
    for subject in &subjects {
        let verdict = check_id::verdict(subject, today, args.show_pii);
        let valid = verdict["valid"] == true;
        all_valid &= valid;
        if args.json {
            serde_json::to_writer(&mut out, &verdict).map_err(|e| CliError::Output(e.into()))?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}  {}  {}  {}",
                if valid { "VALID  " } else { "INVALID" },
                verdict["kind"].as_str().unwrap_or("?"),
                verdict["value"].as_str().unwrap_or(""),
                verdict["reason"].as_str().unwrap_or("")
            )?;
        }
    }
    Ok(all_valid || !args.fail_on_invalid)
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
