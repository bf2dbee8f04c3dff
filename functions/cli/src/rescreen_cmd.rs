//! `compliance rescreen`: screens the parties of past documents in the local store against the
//! list entries that are new or changed since the previous lists, as the scheduled job does in
//! AWS after a list refresh.

use std::path::{Path, PathBuf};

use compliance_core::query::PageRequest;
use compliance_core::rescreen::Rescreen;
use compliance_core::screening::lists;
use compliance_core::service::{rescreen_page, RescreenProgress};
use compliance_local::{LocalAlertSink, SqliteAuditStore};

use crate::{load_rules, store_path, CliError};

const RESCREEN_HELP: &str = "\
Which lists are compared:
  --lists DIR       the lists in force: by default $COMPLIANCE_LISTS, else the folder
                    `compliance lists fetch` installs into
  --previous DIR    the lists before the update: by default DIR.previous, which
                    `compliance lists fetch` keeps

Only entries that are new or changed in DIR are screened; a hit is recorded, opens a case
and raises an alert like a document's decision. Running it again for the same lists records
and alerts nothing new. False positives recorded for a customer stay suppressed.

Exit codes:
  0  done, no new hit
  1  an error
  2  usage error
  3  new hits were recorded";

#[derive(clap::Args)]
#[command(after_help = RESCREEN_HELP)]
pub struct RescreenArgs {
    #[arg(long, env = "COMPLIANCE_LISTS")]
    lists: Option<PathBuf>,
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Local audit store (SQLite file); by default in your data directory.
    #[arg(long, env = "COMPLIANCE_STORE")]
    store: Option<PathBuf>,
    /// Rules file (its sanctions threshold applies); the built-in rules by default.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// One JSON object with the counts and record ids.
    #[arg(long)]
    json: bool,
    /// Do not print alerts to standard error.
    #[arg(long)]
    quiet: bool,
}

/// `DIR.previous` beside `DIR`, as `compliance lists fetch --dir DIR` keeps it.
fn previous_of(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "lists".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}.previous"))
}

/// Returns `Ok(false)` when new hits were recorded (exit code 3).
pub fn run(args: RescreenArgs) -> Result<bool, CliError> {
    let Some(current_dir) = args.lists.clone().or_else(crate::lists_cmd::installed_dir) else {
        return Err(CliError::Usage(
            "no installed lists: pass --lists DIR or run `compliance lists fetch`".into(),
        ));
    };
    let previous_dir = args
        .previous
        .clone()
        .unwrap_or_else(|| previous_of(&current_dir));
    if !previous_dir.is_dir() {
        return Err(CliError::Usage(format!(
            "no previous lists at {} to compare with: pass --previous DIR (an empty folder \
             re-screens against every entry)",
            previous_dir.display()
        )));
    }
    let current = lists::load_dir(&current_dir)?;
    let previous = if std::fs::read_dir(&previous_dir)
        .map_err(|source| CliError::Read {
            path: previous_dir.display().to_string(),
            source,
        })?
        .next()
        .is_none()
    {
        Vec::new()
    } else {
        lists::load_dir(&previous_dir)?
    };
    let rules = load_rules(args.rules.as_ref())?;
    let path = store_path(args.store.as_ref())?;
    if !path.exists() {
        return Err(CliError::Usage(format!(
            "no audit store at {} (run `compliance scan` first, or pass --store)",
            path.display()
        )));
    }
    let store = SqliteAuditStore::open(&path)?;
    let sink = LocalAlertSink {
        log: Some(&store),
        print: !args.quiet,
    };
    let rescreen = Rescreen::new(&previous, &current);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let progress = runtime.block_on(async {
        let mut total = RescreenProgress::default();
        let mut page = PageRequest::first(500);
        loop {
            let done = rescreen_page(&rules, &rescreen, &store, &sink, 0, 1, &page).await?;
            total.add(&done);
            match done.next {
                Some(next) => page.cursor = Some(next),
                None => break,
            }
        }
        Ok::<_, CliError>(total)
    })?;
    if args.json {
        let out = serde_json::json!({
            "schema_version": compliance_core::audit::SCHEMA_VERSION,
            "lists": current_dir.display().to_string(),
            "previous": previous_dir.display().to_string(),
            "lists_version": rescreen.lists_version,
            "changed_entries": rescreen.changed_entries,
            "subjects": progress.subjects,
            "hits": progress.hits,
            "new_records": progress.new_records,
            "alerts_published": progress.alerts_published,
            "records": progress.records,
        });
        println!("{out}");
    } else {
        println!(
            "{} new or changed list entries; {} subjects re-screened; {} with a hit ({} newly \
             recorded, {} alerts sent)",
            rescreen.changed_entries,
            progress.subjects,
            progress.hits,
            progress.new_records,
            progress.alerts_published
        );
        for id in &progress.records {
            println!("  record {id}  (compliance audit show {id})");
        }
    }
    Ok(progress.new_records == 0)
}
