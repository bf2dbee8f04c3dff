//! `compliance audit list|show|export`: querying the audit trail and the cases. On the local
//! store by default, on DynamoDB with `--table` (the normal AWS configuration and endpoint
//! variables). The logic is written once, over the ports, for both stores.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use compliance_core::audit::Decision;
use compliance_core::case::{CaseFile, DocumentFile, OpenCase};
use compliance_core::checks::Status;
use compliance_core::classify::DocType;
use compliance_core::customer::{validate_customer_id, IdentityKey};
use compliance_core::ports::{AuditQuery, CaseStore};
use compliance_core::query::{PageRequest, RecordQuery, RecordSummary, MAX_PAGE};
use compliance_core::report::human_duration;
use compliance_local::SqliteAuditStore;

use crate::{local_identity_key, store_path, CliError};

/// Where the audit trail is: the local store, or a DynamoDB table.
#[derive(Args, Clone)]
pub(crate) struct StoreArgs {
    /// Local audit store (SQLite file); by default in your data directory.
    #[arg(long, env = "COMPLIANCE_STORE", conflicts_with = "table")]
    pub store: Option<PathBuf>,
    /// The DynamoDB audit table instead of the local store.
    #[arg(long)]
    pub table: Option<String>,
}

impl StoreArgs {
    /// The local store, which must exist: a query of a store never written is a mistake.
    pub fn local(&self) -> Result<SqliteAuditStore, CliError> {
        let path = store_path(self.store.as_ref())?;
        if !path.exists() {
            return Err(CliError::Usage(format!(
                "no audit store at {} (run `compliance scan` first, or pass --store/--table)",
                path.display()
            )));
        }
        Ok(SqliteAuditStore::open(&path)?)
    }

    /// The key that prints a searched name as the stored documents were printed: beside the
    /// local store, or `COMPLIANCE_IDENTITY_KEY` (the deployment's key) with `--table`.
    fn identity_key(&self) -> Result<IdentityKey, CliError> {
        if self.table.is_some() {
            let text = std::env::var("COMPLIANCE_IDENTITY_KEY").map_err(|_| {
                CliError::Usage(
                    "--name with --table needs the deployment's identity key in COMPLIANCE_IDENTITY_KEY"
                        .into(),
                )
            })?;
            return IdentityKey::from_text(&text)
                .map_err(|e| CliError::Usage(format!("COMPLIANCE_IDENTITY_KEY: {e}")));
        }
        local_identity_key(&store_path(self.store.as_ref())?)
    }
}

pub(crate) async fn dynamo(table: &str) -> compliance_aws::DynamoAuditStore {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    compliance_aws::DynamoAuditStore::new(compliance_aws::DynamoClient::new(&config), table)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}

/// A date as given on the command line: RFC 3339, or `YYYY-MM-DD` for the start of that day
/// in UTC.
pub(crate) fn parse_date(s: &str) -> Result<DateTime<Utc>, String> {
    compliance_core::query::parse_time(s)
        .ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

fn parse_decision(s: &str) -> Result<Decision, String> {
    Decision::parse(&s.replace('-', "_")).ok_or_else(|| {
        format!("unknown decision `{s}` (approved, manual_review, rejected, unreadable)")
    })
}

fn parse_doc_type(s: &str) -> Result<DocType, String> {
    DocType::parse(&s.replace('-', "_")).ok_or_else(|| {
        let all: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown document type `{s}` ({})", all.join(", "))
    })
}

#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

/// Which records: every criterion given must hold.
#[derive(Args, Clone)]
struct Filters {
    /// Only records with this decision (approved, manual_review, rejected, unreadable).
    #[arg(long, value_parser = parse_decision)]
    decision: Option<Decision>,
    /// Only documents of this type (passport, kyc_application, consent_form, ...).
    #[arg(long = "type", value_parser = parse_doc_type)]
    doc_type: Option<DocType>,
    /// Only documents of this customer.
    #[arg(long)]
    customer: Option<String>,
    /// Only documents whose subject has a name with all these words, in any order and case.
    /// The name is printed with the identity key and never stored or sent in clear.
    #[arg(long)]
    name: Option<String>,
    /// Only records on which this check failed (or could not be evaluated).
    #[arg(long)]
    check: Option<String>,
    /// Processed at or after this time (YYYY-MM-DD is the start of that day, UTC).
    #[arg(long, value_parser = parse_date)]
    since: Option<DateTime<Utc>>,
    /// Processed before this time (exclusive).
    #[arg(long, value_parser = parse_date)]
    until: Option<DateTime<Utc>>,
}

impl Filters {
    fn query(&self, store: &StoreArgs) -> Result<RecordQuery, CliError> {
        let customer_id = self
            .customer
            .as_deref()
            .map(validate_customer_id)
            .transpose()
            .map_err(|e| CliError::Usage(format!("--customer: {e}")))?;
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since >= until {
                return Err(CliError::Usage("--since must be before --until".into()));
            }
        }
        let check_id = match self.check.as_deref().map(str::trim) {
            Some("") => return Err(CliError::Usage("--check is empty".into())),
            other => other.map(str::to_string),
        };
        let mut query = RecordQuery {
            decision: self.decision,
            doc_type: self.doc_type,
            customer_id,
            name_words: Vec::new(),
            check_id,
            since: self.since,
            until: self.until,
        };
        if let Some(name) = &self.name {
            query = query.with_name(name, &store.identity_key()?);
            if query.name_words.is_empty() {
                return Err(CliError::Usage(
                    "--name has no word to search for (initials alone are not searchable)".into(),
                ));
            }
        }
        Ok(query)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One row per record found (its summary).
    Csv,
    /// One whole audit record per line.
    Json,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Records meeting the filters, newest first, one page at a time; or, with --open, the
    /// cases waiting for a reviewer, oldest first. Locally every scan is an entry; on DynamoDB
    /// (--table) a query with no criterion and no --since covers the last 31 days.
    List {
        #[command(flatten)]
        filters: Filters,
        /// The open and escalated cases instead of records, oldest first, with their age.
        #[arg(long, conflicts_with_all = ["decision", "doc_type", "customer", "name", "check", "since", "until"])]
        open: bool,
        /// The most lines on this page (at most 1000).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Where to go on: the cursor printed on standard error after the previous page.
        #[arg(long)]
        cursor: Option<String>,
        /// One JSON object per line (`schemas/record-summary.schema.json`, or
        /// `schemas/open-case.schema.json` with --open).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// One document: its audit record as stored and its case with every reviewer action.
    Show {
        /// The document id (which is also the case id).
        id: String,
        /// One JSON object (`schemas/document-file.schema.json`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Every record of the audit table meeting the filters compared with its sealed copy in
    /// the audit archive bucket (AWS only). Prints each record that is not intact (altered,
    /// with the fields that differ; missing; unreadable) and a count; exit code 3 when any.
    Verify {
        #[command(flatten)]
        filters: Filters,
        /// The DynamoDB audit table.
        #[arg(long)]
        table: String,
        /// The audit archive bucket (`AuditArchiveBucketName` in the stack outputs).
        #[arg(long)]
        archive_bucket: String,
        /// One JSON object per record checked, intact ones included.
        #[arg(long)]
        json: bool,
    },
    /// Every record meeting the filters, page by page, to a file or standard output.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        filters: Filters,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// A DynamoDB query over too long a range is the caller's to narrow: a usage error.
pub(crate) fn range_is_usage(e: CliError) -> CliError {
    match e {
        CliError::Port(p) if compliance_aws::query::is_range_error(&p) => {
            CliError::Usage(p.message)
        }
        other => other,
    }
}

/// `Ok(false)` when `verify` found a record that is not intact (exit code 3).
pub fn run(args: AuditArgs) -> Result<bool, CliError> {
    runtime()?.block_on(async {
        match args.command {
            AuditCommand::Verify {
                filters,
                table,
                archive_bucket,
                json,
            } => {
                let store_args = StoreArgs {
                    store: None,
                    table: Some(table.clone()),
                };
                let query = filters.query(&store_args)?;
                let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                let archive = compliance_aws::archive::S3RecordArchive::new(
                    compliance_aws::s3_client(&config),
                    archive_bucket,
                );
                let mut out = std::io::stdout().lock();
                let counts = verify(&dynamo(&table).await, &archive, &query, json, &mut out).await?;
                eprintln!("{counts}");
                Ok(counts.all_intact())
            }
            AuditCommand::List {
                filters,
                open,
                limit,
                cursor,
                json,
                store,
            } => {
                if limit == 0 || limit > MAX_PAGE {
                    return Err(CliError::Usage(format!(
                        "--limit must be between 1 and {MAX_PAGE}"
                    )));
                }
                let page = PageRequest { limit, cursor };
                let mut out = std::io::stdout().lock();
                if open {
                    match &store.table {
                        Some(t) => list_open(&dynamo(t).await, &page, json, &mut out).await,
                        None => list_open(&store.local()?, &page, json, &mut out).await,
                    }
                } else {
                    let query = filters.query(&store)?;
                    match &store.table {
                        Some(t) => list(&dynamo(t).await, &query, &page, json, &mut out).await,
                        None => list(&store.local()?, &query, &page, json, &mut out).await,
                    }
                }
                .map(|()| true)
            }
            AuditCommand::Show { id, json, store } => {
                let file = match &store.table {
                    Some(t) => document_file(&dynamo(t).await, id.trim()).await?,
                    None => document_file(&store.local()?, id.trim()).await?,
                };
                let mut out = std::io::stdout().lock();
                if json {
                    serde_json::to_writer(&mut out, &file)
                        .map_err(|e| CliError::Output(e.into()))?;
                    writeln!(out)?;
                    Ok(true)
                } else {
                    print_document_file(&mut out, &file).map(|()| true)
                }
            }
            AuditCommand::Export {
                format,
                filters,
                output,
                store,
            } => {
                let query = filters.query(&store)?;
                let mut out = Output::open(output.as_deref())?;
                let counts = match &store.table {
                    Some(t) => export(&dynamo(t).await, &query, format, &mut out).await?,
                    None => export(&store.local()?, &query, format, &mut out).await?,
                };
                out.finish()?;
                match format {
                    ExportFormat::Csv => eprintln!("{} record(s) exported", counts.0),
                    ExportFormat::Json => {
                        eprintln!("{} record(s) exported", counts.0);
                        if counts.1 > 0 {
                            eprintln!(
                                "{} earlier scan(s) of the same documents skipped: a document's record is its latest scan",
                                counts.1
                            );
                        }
                    }
                }
                Ok(true)
            }
        }
    })
    .map_err(range_is_usage)
}

/// What `verify` found.
#[derive(Default)]
struct SealCounts {
    intact: u64,
    altered: u64,
    missing: u64,
    unreadable: u64,
}

impl SealCounts {
    fn all_intact(&self) -> bool {
        self.altered + self.missing + self.unreadable == 0
    }
}

impl std::fmt::Display for SealCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} record(s) checked against their seals: {} intact, {} altered, {} missing, {} unreadable",
            self.intact + self.altered + self.missing + self.unreadable,
            self.intact,
            self.altered,
            self.missing,
            self.unreadable
        )
    }
}

/// Compares every record the query finds with its sealed copy.
async fn verify(
    store: &compliance_aws::DynamoAuditStore,
    archive: &compliance_aws::archive::S3RecordArchive,
    query: &RecordQuery,
    json: bool,
    out: &mut impl Write,
) -> Result<SealCounts, CliError> {
    use compliance_core::seal::SealCheck;
    let mut counts = SealCounts::default();
    let mut page = PageRequest::first(MAX_PAGE);
    loop {
        let found = store.query_records(query, &page).await?;
        for summary in &found.items {
            let Some(record) = store.record(&summary.document_id).await? else {
                continue;
            };
            let report = archive.check(&record).await?;
            match &report.check {
                SealCheck::Intact => counts.intact += 1,
                SealCheck::Altered { .. } => counts.altered += 1,
                SealCheck::Missing => counts.missing += 1,
                SealCheck::Unreadable { .. } => counts.unreadable += 1,
            }
            if json {
                serde_json::to_writer(&mut *out, &report)
                    .map_err(|e| CliError::Output(e.into()))?;
                writeln!(out)?;
            } else {
                match &report.check {
                    SealCheck::Intact => {}
                    SealCheck::Altered { fields } => writeln!(
                        out,
                        "{}  altered: {}",
                        report.document_id,
                        fields.join(", ")
                    )?,
                    SealCheck::Missing => {
                        writeln!(out, "{}  missing: no sealed copy", report.document_id)?
                    }
                    SealCheck::Unreadable { detail } => {
                        writeln!(out, "{}  unreadable: {detail}", report.document_id)?
                    }
                }
            }
        }
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => return Ok(counts),
        }
    }
}

/// One page of records.
async fn list<S: AuditQuery>(
    store: &S,
    query: &RecordQuery,
    page: &PageRequest,
    json: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let found = store.query_records(query, page).await?;
    if json {
        for s in &found.items {
            serde_json::to_writer(&mut *out, s).map_err(|e| CliError::Output(e.into()))?;
            writeln!(out)?;
        }
    } else {
        print_summaries(out, &found.items)?;
    }
    report_next(found.items.len(), "record(s)", found.next.as_deref());
    Ok(())
}

fn report_next(shown: usize, what: &str, next: Option<&str>) {
    match next {
        Some(next) => eprintln!("{shown} {what}; next page: --cursor {next}"),
        None => eprintln!("{shown} {what}; no more pages"),
    }
}

/// One page of the cases waiting for a reviewer, oldest first.
async fn list_open<S: CaseStore>(
    store: &S,
    page: &PageRequest,
    json: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let found = store.open_cases(page).await?;
    let now = Utc::now();
    let open: Vec<OpenCase> = found
        .items
        .into_iter()
        .map(|c| OpenCase::new(c, now))
        .collect();
    if json {
        for c in &open {
            serde_json::to_writer(&mut *out, c).map_err(|e| CliError::Output(e.into()))?;
            writeln!(out)?;
        }
    } else {
        let rows: Vec<Vec<String>> = open
            .iter()
            .map(|c| {
                vec![
                    c.case.opened_at.format("%Y-%m-%d %H:%M").to_string(),
                    human_duration(c.age_seconds),
                    c.case.status.to_string(),
                    c.case.decision.to_string(),
                    c.case.doc_type.to_string(),
                    c.case.customer_id.clone().unwrap_or_else(|| "-".into()),
                    c.case.case_id.clone(),
                    clean(&c.case.document),
                ]
            })
            .collect();
        print_rows(
            out,
            &[
                "OPENED (UTC)",
                "AGE",
                "STATUS",
                "DECISION",
                "TYPE",
                "CUSTOMER",
                "CASE",
                "DOCUMENT",
            ],
            &rows,
        )?;
    }
    report_next(open.len(), "open case(s)", found.next.as_deref());
    Ok(())
}

/// A text for a terminal: control characters (which could forge lines or move the cursor)
/// become spaces.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn print_summaries(out: &mut impl Write, items: &[RecordSummary]) -> Result<(), CliError> {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|s| {
            vec![
                s.processed_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                s.decision.to_string(),
                s.doc_type.to_string(),
                s.severity.as_str().to_string(),
                s.customer_id.clone().unwrap_or_else(|| "-".into()),
                s.document_id.clone(),
                clean(&s.document),
                s.failed_checks.join(", "),
            ]
        })
        .collect();
    print_rows(
        out,
        &[
            "PROCESSED (UTC)",
            "DECISION",
            "TYPE",
            "SEVERITY",
            "CUSTOMER",
            "DOCUMENT ID",
            "DOCUMENT",
            "FAILED CHECKS",
        ],
        &rows,
    )
}

/// A table with columns padded to their widest cell (the last one left as it is).
fn print_rows(
    out: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), CliError> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    (*c).to_string()
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(headers.to_vec()).trim_end())?;
    for row in rows {
        writeln!(
            out,
            "{}",
            line(row.iter().map(String::as_str).collect()).trim_end()
        )?;
    }
    Ok(())
}

/// The record of a document and its case with every event.
async fn document_file<S: AuditQuery + CaseStore>(
    store: &S,
    id: &str,
) -> Result<DocumentFile, CliError> {
    let record = store
        .record(id)
        .await?
        .ok_or_else(|| CliError::NotFound(format!("no audit record with document id {id}")))?;
    let case = match store.case(id).await? {
        Some(case) => {
            let events = store.case_events(id).await?;
            Some(CaseFile::new(case, events, Utc::now()))
        }
        None => None,
    };
    Ok(DocumentFile { record, case })
}

fn print_document_file(out: &mut impl Write, file: &DocumentFile) -> Result<(), CliError> {
    let r = &file.record;
    writeln!(out, "{}", clean(&r.document))?;
    writeln!(out, "  document id: {}", r.document_id)?;
    writeln!(
        out,
        "  type: {} (confidence {:.2})  decision: {}  severity: {}",
        r.doc_type,
        r.confidence,
        r.decision,
        r.severity().as_str()
    )?;
    writeln!(
        out,
        "  processed: {}  rules: {}  processor: {}",
        r.processed_at.to_rfc3339(),
        r.rules_version,
        r.processor_version
    )?;
    if let Some(id) = &r.customer.id {
        writeln!(out, "  customer: {id}")?;
    }
    if let Some(sha) = &r.sha256 {
        writeln!(out, "  sha256: {sha}")?;
    }
    if !r.reasons.is_empty() {
        writeln!(out, "  reasons:")?;
        for reason in &r.reasons {
            writeln!(out, "    - {}", clean(reason))?;
        }
    }
    writeln!(out, "  checks:")?;
    for c in &r.checks {
        writeln!(
            out,
            "    {:<15} {:<34} {:<8} {}",
            status_text(c.status),
            c.id,
            c.severity.as_str(),
            clean(&c.message)
        )?;
    }
    match &file.case {
        None => writeln!(out, "  case: none (the document was approved outright)")?,
        Some(cf) => print_case_file(out, cf)?,
    }
    Ok(())
}

fn status_text(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::NotApplicable => "not_applicable",
    }
}

pub(crate) fn print_case_file(out: &mut impl Write, cf: &CaseFile) -> Result<(), CliError> {
    let c = &cf.case;
    let resolution = c
        .resolution
        .map(|r| format!(" ({})", r.as_str()))
        .unwrap_or_default();
    writeln!(
        out,
        "  case {}: {}{}  opened {}  age {}  revision {}",
        c.case_id,
        c.status,
        resolution,
        c.opened_at.to_rfc3339(),
        human_duration(cf.age_seconds),
        c.revision
    )?;
    if !c.hits.is_empty() {
        let hits: Vec<String> = c
            .hits
            .iter()
            .map(|h| format!("{} {}", h.list, h.entry_id))
            .collect();
        writeln!(out, "    sanctions hits: {}", hits.join(", "))?;
    }
    if cf.events.is_empty() {
        writeln!(out, "    no reviewer action yet")?;
    }
    for e in &cf.events {
        let hit = e
            .hit
            .as_ref()
            .map(|h| format!(" [{} {}]", h.list, h.entry_id))
            .unwrap_or_default();
        writeln!(
            out,
            "    #{} {} {} by {}: {} -> {}{}: {}",
            e.seq,
            e.at.to_rfc3339(),
            e.action,
            clean(&e.reviewer),
            e.from,
            e.to,
            hit,
            clean(&e.reason)
        )?;
    }
    Ok(())
}

/// Standard output or a file, buffered.
pub(crate) struct Output {
    writer: std::io::BufWriter<Box<dyn Write>>,
    path: Option<PathBuf>,
}

impl Output {
    pub fn open(path: Option<&Path>) -> Result<Self, CliError> {
        let inner: Box<dyn Write> = match path {
            Some(p) => Box::new(std::fs::File::create(p).map_err(|e| {
                CliError::Output(std::io::Error::new(
                    e.kind(),
                    format!("{}: {e}", p.display()),
                ))
            })?),
            None => Box::new(std::io::stdout()),
        };
        Ok(Self {
            writer: std::io::BufWriter::new(inner),
            path: path.map(Path::to_path_buf),
        })
    }

    pub fn finish(mut self) -> Result<(), CliError> {
        self.writer.flush()?;
        if let Some(p) = &self.path {
            eprintln!("written to {}", p.display());
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

const CSV_HEADER: [&str; 9] = [
    "document_id",
    "document",
    "doc_type",
    "decision",
    "severity",
    "processed_at",
    "customer_id",
    "failed_checks",
    "rules_version",
];

/// A cell a spreadsheet would run as a formula is prefixed with `'` (file names come from
/// uploads and are not to be trusted).
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Every record meeting the query, a page at a time. Returns the records written and, for
/// JSON, the earlier scans skipped (a document's record is its latest scan).
async fn export<S: AuditQuery>(
    store: &S,
    query: &RecordQuery,
    format: ExportFormat,
    out: &mut Output,
) -> Result<(u64, u64), CliError> {
    match format {
        ExportFormat::Csv => export_csv(store, query, out).await.map(|n| (n, 0)),
        ExportFormat::Json => export_json(store, query, out).await,
    }
}

fn csv_error(e: csv::Error) -> CliError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => CliError::Output(e),
        other => CliError::Output(std::io::Error::other(format!("{other:?}"))),
    }
}

async fn export_csv<S: AuditQuery>(
    store: &S,
    query: &RecordQuery,
    out: &mut Output,
) -> Result<u64, CliError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER).map_err(csv_error)?;
    let mut written = 0u64;
    let mut page = PageRequest::first(MAX_PAGE);
    loop {
        let found = store.query_records(query, &page).await?;
        for s in &found.items {
            w.write_record([
                s.document_id.as_str(),
                &csv_text(&s.document),
                s.doc_type.as_str(),
                s.decision.as_str(),
                s.severity.as_str(),
                &s.processed_at.to_rfc3339(),
                s.customer_id.as_deref().unwrap_or(""),
                &s.failed_checks.join(";"),
                &s.rules_version,
            ])
            .map_err(csv_error)?;
            written += 1;
        }
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => break,
        }
    }
    w.flush()?;
    Ok(written)
}

async fn export_json<S: AuditQuery>(
    store: &S,
    query: &RecordQuery,
    out: &mut Output,
) -> Result<(u64, u64), CliError> {
    let (mut written, mut skipped) = (0u64, 0u64);
    let mut page = PageRequest::first(MAX_PAGE);
    loop {
        let found = store.query_records(query, &page).await?;
        for s in &found.items {
            match store.record(&s.document_id).await? {
                // Where a store keeps every scan (the local one), the record read by id is the
                // latest scan: it is written once, when the listing reaches that scan.
                Some(r) if r.processed_at == s.processed_at => {
                    serde_json::to_writer(&mut *out, &r).map_err(|e| CliError::Output(e.into()))?;
                    writeln!(out)?;
                    written += 1;
                }
                _ => skipped += 1,
            }
        }
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => return Ok((written, skipped)),
        }
    }
}
