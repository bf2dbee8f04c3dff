//! `compliance lists fetch|show`: download the official sanctions lists, validate them, and only
//! then replace the installed ones, in a folder or under an S3 prefix; show what is installed.
//!
//! The download, validation and installation are `compliance_lists_refresh::fetch`, shared with
//! the scheduled list refresh Lambda: every selected source is downloaded (HTTPS, a timeout, a
//! size cap per file, retries with backoff on 5xx and 429 honouring `Retry-After`), each file
//! checked and loaded, every list compared with the installed version
//! (`update::check_update`: a minimum of entries, no sudden large shrinkage), the whole new set
//! loaded once more, and only then installed with a `manifest.json`. Any failure, of any
//! source, and nothing is replaced. This module is the command line: arguments and output.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use compliance_aws::lists::{ListsLocation, MANIFEST};
use compliance_core::screening::lists::{self, update::UpdatePolicy};
use compliance_lists_refresh::fetch::{parse_manifest, ListReport};
use compliance_lists_refresh::{select, FetchOptions, Fetcher, Log, Outcome, Stage, Target};

use crate::CliError;
const LISTS_HELP: &str = "\
Where the lists are installed:
  --dir DIR      a folder; by default $COMPLIANCE_LISTS, else the `lists` folder of your data
                 directory (~/.local/share/compliance/lists on Linux). `compliance scan --lists
                 DIR` (or COMPLIANCE_LISTS=DIR) screens against it.
  --s3 URI       an S3 prefix (s3://bucket/lists/), as the Lambda reads it with LISTS_S3_URI;
                 AWS credentials, region and endpoint come from the usual AWS environment.

Exit codes:
  0  done (fetch: installed, or nothing changed)
  1  a download, validation or installation failed: nothing was replaced
  2  usage error";

const FETCH_HELP: &str = "\
Sources (NAME, also accepted by its list id):
  ofac  (ofac_sdn)  OFAC SDN, CSV set: URL is a base to which SDN.CSV, ALT.CSV, ADD.CSV and
                    SDN_COMMENTS.CSV are appended
                    default https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/
  un    (un_sc)     UN Security Council consolidated list, XML
                    default https://scsanctions.un.org/resources/xml/en/consolidated.xml
  csl   (us_csl)    US Consolidated Screening List, CSV (it includes the BIS Denied Persons List)
                    default https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv
  dpl   (bis_dpl)   BIS Denied Persons List, tab-separated: no stable official URL, fetched only
                    with --source dpl=URL

Without --only, every source with a URL is fetched. URLs must be https:// (http:// only to a
loopback address, for tests and local mirrors).

Checks before anything is replaced: each file is the kind of file expected and loads; each list
has at least --min-entries entries and lost at most --max-shrink of the installed version's
entries. Installation: a folder is written beside DIR and renamed into place, the old one kept
as DIR.previous; under S3 the installed objects are copied to PREFIX/previous/, the new files
uploaded, and manifest.json written last.";

/// What `compliance lists` does.
#[derive(clap::Args)]
#[command(after_help = LISTS_HELP)]
pub struct ListsArgs {
    #[command(subcommand)]
    command: ListsCommand,
}

#[derive(clap::Subcommand)]
enum ListsCommand {
    /// Download the official lists, validate them, and only then replace the installed ones.
    #[command(after_help = format!("{FETCH_HELP}\n\n{LISTS_HELP}"))]
    Fetch(FetchArgs),
    /// Show the installed lists: id, source, publication date, entries, SHA-256.
    #[command(after_help = LISTS_HELP)]
    Show(ShowArgs),
}

#[derive(clap::Args)]
struct TargetArgs {
    /// Folder of the installed lists [default: $COMPLIANCE_LISTS, else DATA_DIR/lists].
    #[arg(long, value_name = "DIR", conflicts_with = "s3")]
    dir: Option<PathBuf>,
    /// S3 prefix of the installed lists instead of a folder.
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    s3: Option<String>,
}

#[derive(clap::Args)]
struct FetchArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Download a source from another URL (repeatable): ofac=URL, un=URL, csl=URL, dpl=URL.
    #[arg(long = "source", value_name = "NAME=URL")]
    sources: Vec<String>,
    /// Fetch only these sources (comma-separated): ofac, un, csl, dpl.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    only: Vec<String>,
    /// Largest accepted loss of entries against the installed version, as a fraction.
    #[arg(long, default_value_t = UpdatePolicy::DEFAULT_MAX_SHRINK, value_parser = parse_fraction)]
    max_shrink: f64,
    /// Fewest entries a list may have.
    #[arg(long, default_value_t = UpdatePolicy::DEFAULT_MIN_ENTRIES)]
    min_entries: usize,
    /// Largest file downloaded, in bytes.
    #[arg(long, default_value_t = 100 * 1024 * 1024)]
    max_bytes: u64,
    /// Time allowed for one download, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Retries of a download that failed with a 5xx, 429, a timeout or a broken connection.
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// One JSON object on stdout instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ShowArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// One JSON object on stdout instead of a table.
    #[arg(long)]
    json: bool,
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a fraction between 0 and 1")),
    }
}

pub fn run(args: ListsArgs) -> Result<bool, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    match args.command {
        ListsCommand::Fetch(args) => runtime.block_on(fetch(args)),
        ListsCommand::Show(args) => runtime.block_on(show(args)),
    }
}

// ---------------------------------------------------------------------------------------------
// Where the lists are installed

async fn resolve(args: &TargetArgs) -> Result<Target, CliError> {
    if let Some(uri) = &args.s3 {
        let location =
            ListsLocation::parse(uri).map_err(|e| CliError::Usage(format!("--s3: {e}")))?;
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        return Ok(Target::S3 {
            location,
            client: compliance_aws::s3_client(&config),
        });
    }
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => default_dir()?,
    };
    Ok(Target::Dir(dir))
}

async fn read(target: &Target) -> Result<compliance_aws::lists::ListSet, CliError> {
    target
        .read()
        .await
        .map_err(|(message, _)| CliError::Lists(message))
}

/// The folder `lists fetch` installs into by default, when it holds files: what `screen` and
/// `scan` read when no folder is given.
pub(crate) fn installed_dir() -> Option<PathBuf> {
    let dir = default_dir().ok()?;
    let mut entries = std::fs::read_dir(&dir).ok()?;
    entries
        .any(|e| e.is_ok_and(|e| e.path().is_file()))
        .then_some(dir)
}

/// `$COMPLIANCE_LISTS`, else the `lists` folder of the user's data directory.
fn default_dir() -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os("COMPLIANCE_LISTS").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "compliance")
        .map(|dirs| dirs.data_dir().join("lists"))
        .ok_or_else(|| {
            CliError::Usage("no home directory to put the lists in: give --dir or --s3".into())
        })
}

// ---------------------------------------------------------------------------------------------
// fetch

/// Progress on standard error.
struct Stderr;

impl Log for Stderr {
    fn notice(&self, message: &str) {
        eprintln!("{message}");
    }
    fn warn(&self, message: &str) {
        eprintln!("warning: {message}");
    }
}

fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

fn row(report: &ListReport) -> serde_json::Value {
    let m = &report.list;
    serde_json::json!({
        "id": m.id,
        "source": m.source,
        "published": m.published,
        "fetched_at": m.fetched_at,
        "files": m.files,
        "entries": m.entries,
        "previous_entries": report.previous_entries,
        "sha256": m.sha256,
    })
}

async fn fetch(args: FetchArgs) -> Result<bool, CliError> {
    let selected = select(&args.sources, &args.only).map_err(|e| CliError::Usage(e.0))?;
    let options = FetchOptions {
        policy: UpdatePolicy {
            min_entries: args.min_entries,
            max_shrink: args.max_shrink,
        },
        max_bytes: args.max_bytes,
        timeout: Duration::from_secs(args.timeout.max(1)),
        retries: args.retries,
    };
    let target = resolve(&args.target).await?;
    let where_ = target.describe();
    let fetcher = Fetcher::new(options).map_err(CliError::Lists)?;

    let (unchanged, previous_kept, rows, left_out) =
        match fetcher.refresh(&target, &selected, &Stderr).await {
            Outcome::Installed(installed) => (
                false,
                installed.previous,
                installed.lists.iter().map(row).collect::<Vec<_>>(),
                installed.not_carried_over,
            ),
            Outcome::Unchanged(unchanged) => (
                true,
                None,
                unchanged.lists.iter().map(row).collect(),
                unchanged.not_carried_over,
            ),
            Outcome::Rejected { problems } => {
                return fail(
                    &args,
                    &where_,
                    problems.iter().map(ToString::to_string).collect(),
                )
            }
            Outcome::Failed {
                stage: Stage::Download,
                reasons,
                ..
            } => return fail(&args, &where_, reasons),
            // Reading the installed lists or installing the new ones failed: said as is.
            Outcome::Failed { reasons, .. } => return Err(CliError::Lists(reasons.join("\n  "))),
        };

    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "target": where_,
            "installed": !unchanged,
            "unchanged": unchanged,
            "previous": previous_kept,
            "lists": rows,
            "not_carried_over": left_out,
            "errors": [],
        });
        serde_json::to_writer(&mut out, &value).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
    } else {
        print_rows(&mut out, &rows, true)?;
    }
    if unchanged {
        eprintln!(
            "unchanged: the downloaded files are those installed in {where_}; nothing replaced"
        );
    } else {
        eprintln!("{} list(s) installed in {where_}", rows.len());
        if let Some(previous) = &previous_kept {
            eprintln!("the previous set is kept in {previous}");
        }
        if !left_out.is_empty() {
            eprintln!("not carried over (not list files): {}", left_out.join(", "));
        }
    }
    Ok(true)
}

/// Reports every failure; nothing was replaced.
fn fail(args: &FetchArgs, target: &str, errors: Vec<String>) -> Result<bool, CliError> {
    if args.json {
        let value = serde_json::json!({
            "target": target,
            "installed": false,
            "unchanged": false,
            "previous": null,
            "lists": [],
            "not_carried_over": [],
            "errors": errors,
        });
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &value).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
    }
    Err(CliError::Lists(format!(
        "lists not installed, {target} is unchanged:\n  {}",
        errors.join("\n  ")
    )))
}

fn print_rows(
    out: &mut impl Write,
    rows: &[serde_json::Value],
    with_previous: bool,
) -> Result<(), CliError> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        other => other.to_string(),
    };
    let mut table: Vec<Vec<String>> = vec![if with_previous {
        ["LIST", "ENTRIES", "BEFORE", "PUBLISHED", "SHA256", "SOURCE"]
    } else {
        [
            "LIST",
            "ENTRIES",
            "FETCHED",
            "PUBLISHED",
            "SHA256",
            "SOURCE",
        ]
    }
    .iter()
    .map(|s| s.to_string())
    .collect()];
    for row in rows {
        table.push(vec![
            text(&row["id"]),
            text(&row["entries"]),
            text(if with_previous {
                &row["previous_entries"]
            } else {
                &row["fetched_at"]
            }),
            text(&row["published"]),
            short(&text(&row["sha256"])).to_string(),
            text(&row["source"]),
        ]);
    }
    let mut widths = [0usize; 6];
    for line in &table {
        for (i, cell) in line.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    for line in &table {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i + 1 == line.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// show

async fn show(args: ShowArgs) -> Result<bool, CliError> {
    let target = resolve(&args.target).await?;
    let where_ = target.describe();
    let set = read(&target).await?;
    if set.files.is_empty() {
        return Err(CliError::Lists(format!(
            "no lists installed in {where_}: `compliance lists fetch` installs them (until then, \
             scans use the bundled OFAC sample)"
        )));
    }
    let loaded = lists::load(&set.all_files(), &where_)?;
    let manifest = parse_manifest(&set);
    if set.manifest.is_some() && manifest.is_none() {
        eprintln!("warning: {where_}: {MANIFEST} is unreadable");
    }
    if let Some(m) = &manifest {
        let unconfirmed: Vec<&str> = lists::update::unconfirmed(m, &loaded)
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        if !unconfirmed.is_empty() {
            eprintln!(
                "warning: {where_}: the files do not match {MANIFEST} for {} (an update in \
                 progress or failed, or files changed by hand)",
                unconfirmed.join(", ")
            );
        }
    }
    let rows: Vec<serde_json::Value> = loaded
        .iter()
        .map(|list| {
            let m = manifest
                .as_ref()
                .and_then(|m| m.lists.iter().find(|m| m.id == list.version.id));
            serde_json::json!({
                "id": list.version.id,
                "source": list.version.source,
                "published": list.version.published,
                "fetched_at": m.map(|m| m.fetched_at.clone()),
                "files": m.map(|m| m.files.clone()),
                "entries": list.entries.len(),
                "sha256": list.version.sha256,
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({ "target": where_, "lists": rows });
        serde_json::to_writer(&mut out, &value).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
    } else {
        print_rows(&mut out, &rows, false)?;
    }
    Ok(true)
}
