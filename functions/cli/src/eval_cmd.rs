//! `compliance eval`: classification and field accuracy on a labelled corpus, through the same
//! reading the `extract` command does (`Pipeline::read_document`). The comparison rules are in
//! `compliance_core::eval`.

use std::io::Write;
use std::path::{Path, PathBuf};

use compliance_core::classify::DocType;
use compliance_core::eval::{self, Case, Label, Report};
use compliance_core::extract::Disclosure;
use compliance_core::intake::IntakeLimits;
use compliance_core::ports::Fetched;
use compliance_core::Pipeline;
use compliance_local::read_file;
use serde_json::{Map, Value};

use crate::CliError;

/// The largest label file or expected-JSON file read, in bytes.
const MAX_LABEL_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a document that could not be read counts as: never a label, so always a miss.
const UNREADABLE: &str = "(unreadable)";

#[derive(clap::Args)]
pub struct EvalArgs {
    /// The corpus folder: documents at the paths its label file names.
    #[arg(long, default_value = "events/corpus")]
    corpus: PathBuf,
    /// The label file; `labels.json` in the corpus folder by default.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// One JSON object with the same figures instead of tables.
    #[arg(long)]
    json: bool,
    /// Exit with 3 when classification accuracy over the corpus is below this (0 to 1).
    #[arg(long, default_value_t = 0.95, value_parser = parse_fraction)]
    min_classification: f64,
    /// Exit with 3 when the invoice fields (issuer, total_amount, invoice_date,
    /// invoice_number, currency) together are right less often than this (0 to 1).
    #[arg(long, default_value_t = 0.90, value_parser = parse_fraction)]
    min_invoice_fields: f64,
    /// Largest document read, in bytes.
    #[arg(long, default_value_t = IntakeLimits::default().max_bytes)]
    max_bytes: u64,
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a fraction between 0 and 1")),
    }
}

/// Runs the evaluation; `Ok(false)` (exit 3) when a `--min-*` target is missed.
pub fn run(args: EvalArgs) -> Result<bool, CliError> {
    let labels_path = args
        .labels
        .clone()
        .unwrap_or_else(|| args.corpus.join("labels.json"));
    let labels = eval::parse_labels(&read_small_text(&labels_path)?)
        .map_err(|e| CliError::Usage(format!("{}: {e}", labels_path.display())))?;
    for label in &labels {
        if DocType::parse(&label.doc_type).is_none() {
            return Err(CliError::Usage(format!(
                "{}: {}: unknown doc_type `{}` (one of {})",
                labels_path.display(),
                label.document,
                label.doc_type,
                DocType::ALL.map(DocType::as_str).join(", ")
            )));
        }
    }

    let pipeline = crate::reading_pipeline(args.max_bytes)?;
    let today = chrono::Utc::now().date_naive();
    let mut cases = Vec::with_capacity(labels.len());
    for label in &labels {
        cases.push(evaluate_document(&pipeline, &args, label, today)?);
    }
    let report = eval::evaluate(&cases);

    let targets_met = report.classification.accuracy >= args.min_classification
        && report.invoice_fields.accuracy >= args.min_invoice_fields;
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "corpus": args.corpus.display().to_string(),
            "report": report,
            "targets": {
                "min_classification": args.min_classification,
                "min_invoice_fields": args.min_invoice_fields,
                "met": targets_met,
            },
        });
        serde_json::to_writer_pretty(&mut out, &value).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report, &args, targets_met)?;
    }
    if !targets_met {
        eprintln!(
            "eval: target missed (classification {:.3}, needed {:.3}; invoice fields {:.3}, needed {:.3})",
            report.classification.accuracy,
            args.min_classification,
            report.invoice_fields.accuracy,
            args.min_invoice_fields
        );
    }
    Ok(targets_met)
}

fn evaluate_document(
    pipeline: &Pipeline,
    args: &EvalArgs,
    label: &Label,
    today: chrono::NaiveDate,
) -> Result<Case, CliError> {
    let mut expected_fields = label.fields.clone();
    if let Some(expected_json) = &label.expected_json {
        let path = args.corpus.join(expected_json);
        let expected: Value = serde_json::from_str(&read_small_text(&path)?)
            .map_err(|e| CliError::Usage(format!("{}: not valid JSON: {e}", path.display())))?;
        // The expected JSON is the source of truth: its fields win over the label's.
        expected_fields.extend(eval::invoice_fields_from_expected(&expected));
    }
    let path = args.corpus.join(&label.document);
    let reading = match read_file(&path, args.max_bytes) {
        Fetched::Bytes(bytes) => pipeline.read_document(&label.document, &bytes, today).ok(),
        Fetched::Unreadable(_) => None,
    };
    let (got_type, got_fields) = match reading {
        Some(r) => (
            r.classification.doc_type.as_str().to_string(),
            r.fields.view(Disclosure::Clear).into_iter().collect(),
        ),
        None => (UNREADABLE.to_string(), Map::new()),
    };
    Ok(Case {
        document: label.document.clone(),
        expected_type: label.doc_type.clone(),
        expected_fields,
        got_type,
        got_fields,
    })
}

fn read_small_text(path: &Path) -> Result<String, CliError> {
    let read_error = |source| CliError::Read {
        path: path.display().to_string(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_LABEL_FILE_BYTES {
        return Err(CliError::Usage(format!(
            "{}: {size} bytes, more than the {MAX_LABEL_FILE_BYTES} read",
            path.display()
        )));
    }
    std::fs::read_to_string(path).map_err(read_error)
}

fn print_report(
    out: &mut impl Write,
    report: &Report,
    args: &EvalArgs,
    targets_met: bool,
) -> Result<(), CliError> {
    writeln!(
        out,
        "Corpus {}: {} documents",
        args.corpus.display(),
        report.documents
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<20} {:>4} {:>8} {:>9}  wrongly classified as",
        "type", "n", "correct", "accuracy"
    )?;
    for (doc_type, score) in &report.per_type {
        let confused: Vec<String> = score
            .confused_as
            .iter()
            .map(|(got, n)| format!("{got} {n}"))
            .collect();
        writeln!(
            out,
            "{:<20} {:>4} {:>8} {:>8.1}%  {}",
            doc_type,
            score.score.total,
            score.score.correct,
            score.score.accuracy * 100.0,
            confused.join(", ")
        )?;
    }
    let c = &report.classification;
    writeln!(
        out,
        "{:<20} {:>4} {:>8} {:>8.1}%  (target {:.0}%)",
        "all types",
        c.total,
        c.correct,
        c.accuracy * 100.0,
        args.min_classification * 100.0
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<20} {:>4} {:>8} {:>9}",
        "field", "n", "correct", "accuracy"
    )?;
    for (field, score) in &report.per_field {
        writeln!(
            out,
            "{:<20} {:>4} {:>8} {:>8.1}%",
            field,
            score.total,
            score.correct,
            score.accuracy * 100.0
        )?;
    }
    let f = &report.invoice_fields;
    writeln!(
        out,
        "{:<20} {:>4} {:>8} {:>8.1}%  (issuer, total_amount, invoice_date, invoice_number, currency of invoices; target {:.0}%)",
        "invoice fields",
        f.total,
        f.correct,
        f.accuracy * 100.0,
        args.min_invoice_fields * 100.0
    )?;
    writeln!(out)?;
    if report.misses.is_empty() {
        writeln!(out, "No misses.")?;
    } else {
        writeln!(out, "Misses ({}):", report.misses.len())?;
        for miss in &report.misses {
            let field = if miss.path.is_empty() {
                miss.field.clone()
            } else if miss.path.starts_with('[') {
                format!("{}{}", miss.field, miss.path)
            } else {
                format!("{}.{}", miss.field, miss.path)
            };
            writeln!(
                out,
                "  {}  {}: expected {}, got {}",
                miss.document, field, miss.expected, miss.got
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Targets {}",
        if targets_met { "met" } else { "MISSED" }
    )?;
    Ok(())
}
