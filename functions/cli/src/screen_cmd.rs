//! `compliance screen` (names against the sanctions lists) and `compliance match` (name pairs
//! scored, to tune thresholds).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use compliance_core::audit::SCHEMA_VERSION;
use compliance_core::screening::score::{similarity, DEFAULT_THRESHOLD};
use compliance_core::screening::{EntityType, Hit, Query};
use serde_json::json;

use crate::CliError;

#[derive(clap::Args)]
pub struct ScreenArgs {
    /// The name to screen (or use --input).
    #[arg(required_unless_present = "input", conflicts_with = "input")]
    name: Option<String>,
    /// File with one name a line (`-` for standard input); blank lines are skipped.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Folder of list files (OFAC SDN CSV set, UN XML, BIS DPL, US CSL, custom CSV), recognised
    /// by content [default: the folder `lists fetch` installed, else the bundled OFAC sample].
    #[arg(long, env = "COMPLIANCE_LISTS")]
    lists: Option<PathBuf>,
    /// Score (0..1) at or above which a list entry is reported.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_score)]
    threshold: f64,
    /// What the name is: person, company, organization, vessel, aircraft. A person is never
    /// matched with a company and the other way round.
    #[arg(long = "type", value_parser = parse_type)]
    entity_type: Option<EntityType>,
    /// Date of birth (YYYY-MM-DD): agreement strengthens a match, disagreement weakens it.
    #[arg(long)]
    dob: Option<chrono::NaiveDate>,
    /// Nationality (ISO 3166 alpha-2 or alpha-3, or the country's English name).
    #[arg(long)]
    nationality: Option<String>,
    /// An identity document number; the same number on a list entry is a hit on its own.
    #[arg(long = "id-number")]
    id_numbers: Vec<String>,
    /// Most hits shown per name.
    #[arg(long, default_value_t = 10)]
    max_hits: usize,
    /// One JSON object per name, in input order.
    #[arg(long)]
    json: bool,
    /// Exit with 3 when any name has a hit.
    #[arg(long)]
    fail_on_hit: bool,
}

#[derive(clap::Args)]
pub struct MatchArgs {
    /// CSV with a header and columns `name1,name2`, optionally `schema` (Person, Company,
    /// Organization, Vessel) and `is_match` (true/false: then precision, recall and F1 are
    /// printed on standard error). Other columns are ignored.
    #[arg(long)]
    pairs: PathBuf,
    /// Score at or above which a pair is a match.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_score)]
    threshold: f64,
    /// One JSON object per pair, in file order.
    #[arg(long)]
    json: bool,
}

fn parse_score(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a number between 0 and 1")),
    }
}

fn parse_type(s: &str) -> Result<EntityType, String> {
    EntityType::parse(s).ok_or_else(|| {
        format!("unknown type `{s}` (person, company, organization, vessel, aircraft)")
    })
}

fn read_error(path: &std::path::Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Read {
        path: path.display().to_string(),
        source,
    }
}

pub fn screen(args: ScreenArgs) -> Result<bool, CliError> {
    let screener = crate::load_screener(args.lists.as_ref())?;
    let names: Box<dyn Iterator<Item = Result<String, CliError>>> = match (&args.name, &args.input)
    {
        (Some(name), _) => Box::new(std::iter::once(Ok(name.clone()))),
        (None, Some(path)) if path.as_os_str() == "-" => Box::new(
            std::io::stdin()
                .lock()
                .lines()
                .map(|l| l.map_err(read_error(std::path::Path::new("standard input")))),
        ),
        (None, Some(path)) => {
            let file = std::fs::File::open(path).map_err(read_error(path))?;
            let path = path.clone();
            Box::new(
                std::io::BufReader::new(file)
                    .lines()
                    .map(move |l| l.map_err(read_error(&path))),
            )
        }
        (None, None) => return Err(CliError::Usage("give a NAME or --input FILE".into())),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !args.json {
        let versions = screener.versions();
        for v in &versions {
            eprintln!(
                "list {}: {} entries, published {}",
                v.id,
                v.entries,
                v.published.as_deref().unwrap_or("unknown")
            );
        }
    }
    let mut any_hit = false;
    for name in names {
        let name = name?;
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let query = Query {
            name: name.to_string(),
            entity_type: args.entity_type,
            birth_date: args.dob,
            nationality: args.nationality.clone(),
            id_numbers: args.id_numbers.clone(),
        };
        let mut hits = screener.screen(&query, args.threshold);
        hits.truncate(args.max_hits);
        any_hit |= !hits.is_empty();
        if args.json {
            let line = json!({
                "schema_version": SCHEMA_VERSION,
                "name": name,
                "threshold": args.threshold,
                "hits": hits,
            });
            writeln!(out, "{line}")?;
        } else {
            print_hits(&mut out, name, &hits)?;
        }
    }
    out.flush()?;
    Ok(!(args.fail_on_hit && any_hit))
}

fn print_hits(out: &mut impl Write, name: &str, hits: &[Hit]) -> std::io::Result<()> {
    if hits.is_empty() {
        return writeln!(out, "{name}: no match");
    }
    writeln!(out, "{name}: {} possible match(es)", hits.len())?;
    for hit in hits {
        writeln!(
            out,
            "  {:.3}  {}:{}  {}{}  [{}]",
            hit.score,
            hit.list,
            hit.entry_id,
            hit.listed_name,
            if hit.matched_name != hit.listed_name {
                format!(" (a.k.a. {})", hit.matched_name)
            } else {
                String::new()
            },
            hit.programs.join(", ")
        )?;
        for why in &hit.why {
            writeln!(out, "         {why}")?;
        }
    }
    Ok(())
}

#[derive(Default)]
struct Confusion {
    tp: usize,
    fp: usize,
    tn: usize,
    fn_: usize,
}

pub fn match_pairs(args: MatchArgs) -> Result<bool, CliError> {
    let file = std::fs::File::open(&args.pairs).map_err(read_error(&args.pairs))?;
    let mut reader = csv::Reader::from_reader(file);
    let bad_csv = |e: csv::Error| CliError::Usage(format!("{}: {e}", args.pairs.display()));
    let headers = reader.headers().map_err(bad_csv)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(c1), Some(c2)) = (column("name1"), column("name2")) else {
        return Err(CliError::Usage(format!(
            "{}: the header needs columns name1 and name2",
            args.pairs.display()
        )));
    };
    let c_schema = column("schema");
    let c_label = column("is_match");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut confusion = Confusion::default();
    let mut labelled = 0usize;
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(bad_csv)?;
        let field = |c: usize| record.get(c).unwrap_or_default();
        let (name1, name2) = (field(c1), field(c2));
        let schema_text = c_schema.map(field).unwrap_or_default();
        let schema = EntityType::parse(schema_text);
        if !schema_text.trim().is_empty() && schema.is_none() {
            return Err(CliError::Usage(format!(
                "{} row {}: unknown schema `{schema_text}`",
                args.pairs.display(),
                row + 2
            )));
        }
        let score = (similarity(name1, name2, schema) * 1000.0).round() / 1000.0;
        let is_match = score >= args.threshold;
        if let Some(label) = c_label
            .map(field)
            .and_then(|l| l.trim().parse::<bool>().ok())
        {
            labelled += 1;
            match (is_match, label) {
                (true, true) => confusion.tp += 1,
                (true, false) => confusion.fp += 1,
                (false, false) => confusion.tn += 1,
                (false, true) => confusion.fn_ += 1,
            }
        }
        if args.json {
            let line = json!({
                "schema_version": SCHEMA_VERSION,
                "name1": name1,
                "name2": name2,
                "schema": schema_text.trim(),
                "score": score,
                "match": is_match,
                "threshold": args.threshold,
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "{score:.3}  {}  {name1}  |  {name2}",
                if is_match { "match" } else { "     " }
            )?;
        }
    }
    out.flush()?;
    if labelled > 0 {
        let c = &confusion;
        let precision = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
        let recall = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        eprintln!(
            "{labelled} labelled pairs at threshold {}: precision {precision:.3}, recall {recall:.3}, F1 {f1:.3} (true positives {}, false positives {}, true negatives {}, false negatives {})",
            args.threshold, c.tp, c.fp, c.tn, c.fn_
        );
    }
    Ok(true)
}
