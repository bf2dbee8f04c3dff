//! `compliance lists fetch|show`: download the official sanctions lists, validate them, and only
//! then replace the installed ones, in a folder or under an S3 prefix; show what is installed.
//!
//! A fetch downloads every selected source (HTTPS, a timeout, a size cap per file, retries with
//! backoff on 5xx and 429 honouring `Retry-After`), checks that each file is what it should be
//! and loads it (format and entry counts), compares every list with the installed version
//! (`update::check_update`: a minimum of entries, no sudden large shrinkage), loads the whole
//! new set once more, and only then installs it with a `manifest.json`. Any failure, of any
//! source, and nothing is replaced.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use compliance_aws::lists::{ListSet, ListsLocation, ReadLimits, MANIFEST};
use compliance_core::screening::lists::update::{check_update, UpdatePolicy};
use compliance_core::screening::lists::{self, ListFile, ListKind, Manifest, ManifestList};
use compliance_core::screening::{ListVersion, SanctionsList};

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
// Sources

/// The files of a source: one file at the URL, or a set of names appended to a base URL.
enum Files {
    /// Installed under this name.
    Single(&'static str),
    /// (name appended to the URL, name installed).
    Set(&'static [(&'static str, &'static str)]),
}

struct Source {
    name: &'static str,
    /// The list id the source yields, also accepted as its name.
    list_id: &'static str,
    default_url: Option<&'static str>,
    files: Files,
    /// What its files are recognised as; a carried-over file of these kinds is replaced.
    kinds: &'static [ListKind],
}

const SOURCES: &[Source] = &[
    Source {
        name: "ofac",
        list_id: "ofac_sdn",
        default_url: Some(
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/",
        ),
        files: Files::Set(&[
            ("SDN.CSV", "sdn.csv"),
            ("ALT.CSV", "alt.csv"),
            ("ADD.CSV", "add.csv"),
            ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
        ]),
        kinds: &[
            ListKind::OfacSdn,
            ListKind::OfacAlt,
            ListKind::OfacAdd,
            ListKind::OfacComments,
        ],
    },
    Source {
        name: "un",
        list_id: "un_sc",
        default_url: Some("https://scsanctions.un.org/resources/xml/en/consolidated.xml"),
        files: Files::Single("un_consolidated.xml"),
        kinds: &[ListKind::UnConsolidated],
    },
    Source {
        name: "csl",
        list_id: "us_csl",
        default_url: Some(
            "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
        ),
        files: Files::Single("us_csl.csv"),
        kinds: &[ListKind::UsCsl],
    },
    Source {
        name: "dpl",
        list_id: "bis_dpl",
        default_url: None,
        files: Files::Single("bis_dpl.txt"),
        kinds: &[ListKind::BisDpl],
    },
];

fn source_named(name: &str) -> Result<&'static Source, CliError> {
    let name = name.trim().to_ascii_lowercase();
    SOURCES
        .iter()
        .find(|s| s.name == name || s.list_id == name)
        .ok_or_else(|| {
            CliError::Usage(format!("unknown list source `{name}` (ofac, un, csl, dpl)"))
        })
}

/// A file of a source to download: its URL and the name it is installed under.
struct Wanted {
    url: reqwest::Url,
    installed: &'static str,
    kind: ListKind,
}

struct Selected {
    source: &'static Source,
    url: reqwest::Url,
    files: Vec<Wanted>,
}

/// A URL as written in messages and in the manifest: without user name or password.
fn shown(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// Whether a URL may be downloaded from: HTTPS, or HTTP to a loopback address.
fn allowed(url: &reqwest::Url) -> Result<(), String> {
    let url = shown(url);
    let url = &reqwest::Url::parse(&url).map_err(|e| format!("{url}: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = url
                .host_str()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']');
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(())
            } else {
                Err(format!(
                    "{url}: plain HTTP is accepted only from a loopback address; use https://"
                ))
            }
        }
        other => Err(format!(
            "{url}: unsupported scheme `{other}` (https:// only)"
        )),
    }
}

fn select(args: &FetchArgs) -> Result<Vec<Selected>, CliError> {
    let mut urls: BTreeMap<&'static str, reqwest::Url> = BTreeMap::new();
    for source in SOURCES {
        if let Some(default) = source.default_url {
            let url = reqwest::Url::parse(default)
                .map_err(|e| CliError::Lists(format!("built-in URL {default}: {e}")))?;
            urls.insert(source.name, url);
        }
    }
    let mut overridden = BTreeSet::new();
    for spec in &args.sources {
        let (name, url) = spec
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--source `{spec}`: expected NAME=URL")))?;
        let source = source_named(name)?;
        if !overridden.insert(source.name) {
            return Err(CliError::Usage(format!(
                "--source {}: given more than once",
                source.name
            )));
        }
        let url = reqwest::Url::parse(url.trim())
            .map_err(|e| CliError::Usage(format!("--source {}: {e}", source.name)))?;
        allowed(&url).map_err(|e| CliError::Usage(format!("--source {}: {e}", source.name)))?;
        urls.insert(source.name, url);
    }
    let names: Vec<&'static str> = if args.only.is_empty() {
        SOURCES
            .iter()
            .filter(|s| urls.contains_key(s.name))
            .map(|s| s.name)
            .collect()
    } else {
        let mut names = Vec::new();
        for name in &args.only {
            let source = source_named(name)?;
            if !urls.contains_key(source.name) {
                return Err(CliError::Usage(format!(
                    "{} has no official download URL: give one with --source {}=URL",
                    source.name, source.name
                )));
            }
            if !names.contains(&source.name) {
                names.push(source.name);
            }
        }
        names
    };
    let mut selected = Vec::new();
    for source in SOURCES.iter().filter(|s| names.contains(&s.name)) {
        let Some(mut url) = urls.get(source.name).cloned() else {
            continue;
        };
        if matches!(source.files, Files::Set(_)) && !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        let files = match &source.files {
            Files::Single(installed) => vec![Wanted {
                url: url.clone(),
                installed,
                kind: source.kinds.first().copied().unwrap_or(ListKind::Custom),
            }],
            Files::Set(names) => {
                let base = url.clone();
                let mut files = Vec::new();
                for ((remote, installed), kind) in names.iter().zip(source.kinds) {
                    let file_url = base.join(remote).map_err(|e| {
                        CliError::Usage(format!("--source {}: {base}{remote}: {e}", source.name))
                    })?;
                    files.push(Wanted {
                        url: file_url,
                        installed,
                        kind: *kind,
                    });
                }
                files
            }
        };
        selected.push(Selected { source, url, files });
    }
    if selected.is_empty() {
        return Err(CliError::Usage("no list source selected".into()));
    }
    Ok(selected)
}

// ---------------------------------------------------------------------------------------------
// Downloads

/// One failed attempt; `retry` when another attempt can help, after at least `wait`.
struct Failure {
    message: String,
    retry: bool,
    wait: Option<Duration>,
}

impl Failure {
    fn permanent(message: String) -> Self {
        Self {
            message,
            retry: false,
            wait: None,
        }
    }
    fn transient(message: String) -> Self {
        Self {
            message,
            retry: true,
            wait: None,
        }
    }
}

const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

fn http_client(timeout: Duration) -> Result<reqwest::Client, CliError> {
    reqwest::Client::builder()
        .user_agent(concat!(
            "compliance/",
            env!("CARGO_PKG_VERSION"),
            " (sanctions list fetch)"
        ))
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("more than 10 redirects")
            } else if let Err(e) = allowed(attempt.url()) {
                attempt.error(format!("redirected to {e}"))
            } else {
                attempt.follow()
            }
        }))
        .build()
        .map_err(|e| CliError::Lists(format!("cannot start the HTTP client: {}", chain(&e))))
}

/// An error with its sources, without the URL (the caller names it).
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

async fn download_once(
    client: &reqwest::Client,
    url: &reqwest::Url,
    max_bytes: u64,
) -> Result<(Vec<u8>, Option<String>), Failure> {
    let transient = |e: reqwest::Error| Failure::transient(chain(&e.without_url()));
    let mut response = client.get(url.clone()).send().await.map_err(transient)?;
    let status = response.status();
    if !status.is_success() {
        let retry = status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT;
        return Err(Failure {
            message: format!("HTTP {status}"),
            retry,
            wait: retry_after(response.headers()),
        });
    }
    let too_large = |size: u64| {
        Failure::permanent(format!(
            "{size} bytes or more, over the limit of {max_bytes} bytes per file (--max-bytes)"
        ))
    };
    if let Some(length) = response.content_length().filter(|l| *l > max_bytes) {
        return Err(too_large(length));
    }
    let last_modified = response
        .headers()
        .get(reqwest::header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v.trim()).ok())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transient)? {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large((bytes.len() + chunk.len()) as u64));
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(Failure::permanent("the response is empty".into()));
    }
    Ok((bytes, last_modified))
}

/// Downloads `url`, retrying transient failures with exponential backoff (0.5 s, 1 s, 2 s, …,
/// or the server's `Retry-After`, at most a minute).
async fn download(
    client: &reqwest::Client,
    url: &reqwest::Url,
    max_bytes: u64,
    retries: u32,
) -> Result<(Vec<u8>, Option<String>), String> {
    let mut attempt = 0u32;
    let shown_url = shown(url);
    loop {
        match download_once(client, url, max_bytes).await {
            Ok(done) => return Ok(done),
            Err(failure) if failure.retry && attempt < retries => {
                let backoff = Duration::from_millis(500u64.saturating_mul(1 << attempt.min(10)));
                let wait = failure.wait.unwrap_or(backoff).min(MAX_RETRY_WAIT);
                eprintln!(
                    "{shown_url}: {}; retrying in {:.1} s ({} of {retries})",
                    failure.message,
                    wait.as_secs_f64(),
                    attempt + 1
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(failure) if attempt > 0 => {
                return Err(format!(
                    "{} (after {} attempts)",
                    failure.message,
                    attempt + 1
                ))
            }
            Err(failure) => return Err(failure.message),
        }
    }
}

fn kind_name(kind: ListKind) -> &'static str {
    match kind {
        ListKind::OfacSdn => "an OFAC SDN main file (sdn.csv)",
        ListKind::OfacAlt => "an OFAC SDN aliases file (alt.csv)",
        ListKind::OfacAdd => "an OFAC SDN addresses file (add.csv)",
        ListKind::OfacComments => "an OFAC SDN comments file (sdn_comments.csv)",
        ListKind::UnConsolidated => "the UN consolidated list (XML)",
        ListKind::BisDpl => "the BIS Denied Persons List",
        ListKind::UsCsl => "the US Consolidated Screening List (CSV)",
        ListKind::Custom => "a custom watchlist CSV",
        ListKind::Manifest => "a list manifest",
    }
}

/// What a file that is not the expected kind looks like, for the message.
fn describe(file: &ListFile) -> String {
    let head: String =
        String::from_utf8_lossy(&file.bytes[..file.bytes.len().min(512)]).to_ascii_lowercase();
    match lists::recognise(file) {
        Some(kind) => format!("it is {}", kind_name(kind)),
        None if head.contains("<html") || head.contains("<!doctype html") => {
            "it is an HTML page, not a list file".into()
        }
        None => "its content is not recognised".into(),
    }
}

/// A source downloaded and validated on its own.
struct Fetched {
    source: &'static Source,
    url: reqwest::Url,
    files: Vec<ListFile>,
    list: SanctionsList,
    last_modified: Option<String>,
}

/// Downloads every file of a source, checks each is the kind expected, loads them and checks
/// the list against the installed version.
async fn fetch_source(
    client: &reqwest::Client,
    selected: &Selected,
    args: &FetchArgs,
    installed: Option<&ListVersion>,
    policy: &UpdatePolicy,
) -> Result<Fetched, String> {
    let mut files = Vec::new();
    let mut last_modified = None;
    for wanted in &selected.files {
        let (bytes, modified) = download(client, &wanted.url, args.max_bytes, args.retries)
            .await
            .map_err(|e| format!("{}: {e}", shown(&wanted.url)))?;
        let file = ListFile {
            name: wanted.installed.to_string(),
            bytes,
        };
        if lists::recognise(&file) != Some(wanted.kind) {
            return Err(format!(
                "{}: not {}: {}",
                shown(&wanted.url),
                kind_name(wanted.kind),
                describe(&file)
            ));
        }
        last_modified = last_modified.or(modified);
        eprintln!("{}: {} bytes", shown(&wanted.url), file.bytes.len());
        files.push(file);
    }
    let loaded = lists::load(&files, &shown(&selected.url)).map_err(|e| e.to_string())?;
    let [list] = <[SanctionsList; 1]>::try_from(loaded).map_err(|loaded| {
        let ids: Vec<&str> = loaded.iter().map(|l| l.version.id.as_str()).collect();
        format!("expected one list, the files hold {}", ids.join(", "))
    })?;
    if list.version.id != selected.source.list_id {
        return Err(format!(
            "expected list {}, the files hold {}",
            selected.source.list_id, list.version.id
        ));
    }
    check_update(installed, &list, policy).map_err(|rejected| rejected.reason.to_string())?;
    Ok(Fetched {
        source: selected.source,
        url: selected.url.clone(),
        files,
        list,
        last_modified,
    })
}

// ---------------------------------------------------------------------------------------------
// Where the lists are installed

enum Target {
    Dir(PathBuf),
    S3 {
        location: ListsLocation,
        client: compliance_aws::S3Client,
    },
}

impl Target {
    async fn resolve(args: &TargetArgs) -> Result<Self, CliError> {
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

    fn describe(&self) -> String {
        match self {
            Target::Dir(dir) => dir.display().to_string(),
            Target::S3 { location, .. } => location.uri(),
        }
    }

    fn previous(&self) -> String {
        match self {
            Target::Dir(dir) => previous_dir(dir).display().to_string(),
            Target::S3 { location, .. } => location.previous().uri(),
        }
    }

    async fn read(&self) -> Result<ListSet, CliError> {
        match self {
            Target::Dir(dir) => read_dir_set(dir),
            Target::S3 { location, client } => {
                compliance_aws::lists::read_set(client, location, ReadLimits::default())
                    .await
                    .map_err(|e| CliError::Lists(format!("cannot read {location}: {e}")))
            }
        }
    }
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

const MAX_DIR_FILES: usize = 200;

/// The files of an installed folder (none when it does not exist).
fn read_dir_set(dir: &Path) -> Result<ListSet, CliError> {
    let io = |e: std::io::Error| CliError::Lists(format!("cannot read {}: {e}", dir.display()));
    let mut set = ListSet::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(set),
        Err(e) => return Err(io(e)),
    };
    let mut count = 0;
    for entry in entries {
        let entry = entry.map_err(io)?;
        if !entry.file_type().map_err(io)?.is_file() {
            continue;
        }
        count += 1;
        if count > MAX_DIR_FILES {
            return Err(CliError::Lists(format!(
                "{}: more than {MAX_DIR_FILES} files, not a list folder",
                dir.display()
            )));
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let size = entry.metadata().map_err(io)?.len();
        if size > lists::MAX_LIST_FILE_BYTES {
            return Err(CliError::Lists(format!(
                "{}: {size} bytes, larger than a list file may be",
                entry.path().display()
            )));
        }
        let bytes = std::fs::read(entry.path()).map_err(io)?;
        if name == MANIFEST {
            set.manifest = Some(bytes);
        } else {
            set.files.push(ListFile { name, bytes });
        }
    }
    set.files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(set)
}

fn previous_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "lists".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}.previous"))
}

/// Removes a staging folder unless the installation completed.
struct Staging(Option<PathBuf>);

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Writes the set into a new folder beside `dir`, then renames it into place; the installed
/// folder, if any, becomes `DIR.previous` (replacing an older one). Returns whether there was
/// one. Readers see the old set or the new one, never a mix.
fn install_dir(dir: &Path, files: &[ListFile], manifest: &[u8]) -> std::io::Result<bool> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| std::io::Error::other("the folder has no name"))?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staging_path = parent.join(format!(".{name}.incoming-{}", std::process::id()));
    if staging_path.exists() {
        std::fs::remove_dir_all(&staging_path)?;
    }
    std::fs::create_dir(&staging_path)?;
    let mut staging = Staging(Some(staging_path.clone()));
    for file in files {
        if file.name.contains(['/', '\\']) || file.name == "." || file.name == ".." {
            return Err(std::io::Error::other(format!(
                "`{}` cannot be a list file name",
                file.name
            )));
        }
        write_synced(&staging_path.join(&file.name), &file.bytes)?;
    }
    write_synced(&staging_path.join(MANIFEST), manifest)?;
    std::fs::File::open(&staging_path)?.sync_all()?;

    let previous = previous_dir(dir);
    let had_current = std::fs::symlink_metadata(dir).is_ok();
    if had_current {
        if std::fs::symlink_metadata(&previous).is_ok() {
            std::fs::remove_dir_all(&previous)?;
        }
        std::fs::rename(dir, &previous)?;
    }
    if let Err(e) = std::fs::rename(&staging_path, dir) {
        if had_current {
            let _ = std::fs::rename(&previous, dir);
        }
        return Err(e);
    }
    staging.0 = None;
    if let Ok(parent) = std::fs::File::open(parent) {
        let _ = parent.sync_all();
    }
    Ok(had_current)
}

/// The installed version of each list: as the installed files load, or, when they do not
/// load, as the manifest recorded them.
fn installed_versions(set: &ListSet, target: &str) -> BTreeMap<String, ListVersion> {
    let mut versions = BTreeMap::new();
    if set.is_empty() {
        return versions;
    }
    let loaded = if set.files.is_empty() {
        Ok(Vec::new())
    } else {
        lists::load(&set.all_files(), target)
    };
    match loaded {
        Ok(loaded) => {
            for list in loaded {
                versions.insert(list.version.id.clone(), list.version);
            }
        }
        Err(e) => eprintln!(
            "warning: the installed lists in {target} do not load ({e}); the new ones are \
             compared with the entry counts of its manifest"
        ),
    }
    for m in parse_manifest(set).map(|m| m.lists).unwrap_or_default() {
        versions.entry(m.id.clone()).or_insert(ListVersion {
            id: m.id,
            source: m.source,
            published: m.published,
            entries: m.entries,
            sha256: m.sha256,
        });
    }
    versions
}

fn parse_manifest(set: &ListSet) -> Option<Manifest> {
    set.manifest
        .as_deref()
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
}

/// The new set: the fetched files, plus every installed list file of a source not fetched
/// (other lists, custom watchlists). Returns it and the names of the installed files left out
/// because they are not list files.
fn merge(current: &ListSet, fetched: &[Fetched]) -> (Vec<ListFile>, Vec<String>) {
    let fetched_names: BTreeSet<&str> = fetched
        .iter()
        .flat_map(|f| f.files.iter().map(|f| f.name.as_str()))
        .collect();
    let replaced_kinds: Vec<ListKind> = fetched
        .iter()
        .flat_map(|f| f.source.kinds.iter().copied())
        .collect();
    let mut files: Vec<ListFile> = Vec::new();
    let mut left_out = Vec::new();
    for file in &current.files {
        if fetched_names.contains(file.name.as_str()) {
            continue;
        }
        match lists::recognise(file) {
            Some(kind) if replaced_kinds.contains(&kind) => {}
            Some(ListKind::Manifest) | None => left_out.push(file.name.clone()),
            Some(_) => files.push(file.clone()),
        }
    }
    files.extend(fetched.iter().flat_map(|f| f.files.iter().cloned()));
    files.sort_by(|a, b| a.name.cmp(&b.name));
    (files, left_out)
}

/// The manifest of the new set: an entry for every list fetched now, the entries of lists
/// fetched before and kept, each with the entries and SHA-256 of the new set as it loads.
fn build_manifest(
    current: Option<Manifest>,
    fetched: &[Fetched],
    loaded: &[SanctionsList],
    fetched_at: &str,
) -> Manifest {
    let loaded_version = |id: &str| loaded.iter().find(|l| l.version.id == id);
    let mut entries: Vec<ManifestList> = Vec::new();
    for f in fetched {
        let Some(list) = loaded_version(&f.list.version.id) else {
            continue;
        };
        entries.push(ManifestList {
            id: list.version.id.clone(),
            source: shown(&f.url),
            published: list
                .version
                .published
                .clone()
                .or_else(|| f.list.version.published.clone())
                .or_else(|| f.last_modified.clone()),
            fetched_at: fetched_at.to_string(),
            files: f.files.iter().map(|f| f.name.clone()).collect(),
            entries: list.entries.len(),
            sha256: list.version.sha256.clone(),
        });
    }
    for mut kept in current.map(|m| m.lists).unwrap_or_default() {
        if entries.iter().any(|e| e.id == kept.id) {
            continue;
        }
        if let Some(list) = loaded_version(&kept.id) {
            kept.entries = list.entries.len();
            kept.sha256 = list.version.sha256.clone();
            entries.push(kept);
        }
    }
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Manifest { lists: entries }
}

// ---------------------------------------------------------------------------------------------
// fetch

fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

async fn fetch(args: FetchArgs) -> Result<bool, CliError> {
    let selected = select(&args)?;
    let policy = UpdatePolicy {
        min_entries: args.min_entries,
        max_shrink: args.max_shrink,
    };
    let target = Target::resolve(&args.target).await?;
    let where_ = target.describe();
    let current = target.read().await?;
    let installed = installed_versions(&current, &where_);
    let client = http_client(Duration::from_secs(args.timeout.max(1)))?;

    let mut fetched = Vec::new();
    let mut errors = Vec::new();
    for s in &selected {
        let previous = installed.get(s.source.list_id);
        match fetch_source(&client, s, &args, previous, &policy).await {
            Ok(f) => fetched.push(f),
            Err(reason) => errors.push(format!(
                "{} ({}): {reason}",
                s.source.list_id,
                shown(&s.url)
            )),
        }
    }
    if !errors.is_empty() {
        return fail(&args, &where_, errors);
    }

    let (files, left_out) = merge(&current, &fetched);
    let loaded = match lists::load(&files, &where_) {
        Ok(loaded) => loaded,
        Err(e) => {
            return fail(
                &args,
                &where_,
                vec![format!("the new set does not load as a whole: {e}")],
            )
        }
    };
    let fetched_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let manifest = build_manifest(parse_manifest(&current), &fetched, &loaded, &fetched_at);

    let unchanged = current.manifest.is_some()
        && fetched.iter().flat_map(|f| &f.files).all(|new| {
            current
                .files
                .iter()
                .any(|old| old.name == new.name && old.bytes == new.bytes)
        });
    // Unchanged, nothing is written: report the lists as installed, with their fetch time.
    let reported = match (unchanged, parse_manifest(&current)) {
        (true, Some(installed)) => installed,
        _ => manifest.clone(),
    };
    let rows: Vec<serde_json::Value> = fetched
        .iter()
        .filter_map(|f| {
            let m = reported.lists.iter().find(|m| m.id == f.list.version.id)?;
            Some(serde_json::json!({
                "id": m.id,
                "source": m.source,
                "published": m.published,
                "fetched_at": m.fetched_at,
                "files": m.files,
                "entries": m.entries,
                "previous_entries": installed.get(&m.id).map(|v| v.entries),
                "sha256": m.sha256,
            }))
        })
        .collect();

    let mut previous_kept = None;
    if !unchanged {
        let manifest_bytes = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| CliError::Lists(format!("cannot write the manifest: {e}")))?;
        match &target {
            Target::Dir(dir) => {
                let had = install_dir(dir, &files, &manifest_bytes).map_err(|e| {
                    CliError::Lists(format!(
                        "cannot install the lists in {where_}: {e}; the installed lists are unchanged"
                    ))
                })?;
                previous_kept = had.then(|| target.previous());
            }
            Target::S3 { location, client } => {
                compliance_aws::lists::write_set(client, location, &files, manifest_bytes)
                    .await
                    .map_err(|e| {
                        CliError::Lists(format!(
                            "installing under {where_} failed part-way: {e}. Readers keep using \
                             the previous set ({}) until a fetch completes: run it again",
                            target.previous()
                        ))
                    })?;
                previous_kept = (!current.is_empty()).then(|| target.previous());
            }
        }
    }

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
    let target = Target::resolve(&args.target).await?;
    let where_ = target.describe();
    let set = target.read().await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
            "http://127.0.0.1:8080/x",
            "http://[::1]:8080/x",
            "http://localhost/x",
        ] {
            assert!(allowed(&url(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.org/x",
            "ftp://127.0.0.1/x",
            "file:///etc/passwd",
        ] {
            assert!(allowed(&url(bad)).is_err(), "{bad}");
        }
        let err = allowed(&url("http://user:secret@example.org/x")).unwrap_err();
        assert!(!err.contains("secret") && !err.contains("user"), "{err}");
        assert_eq!(
            shown(&url("https://user:secret@mirror.example/lists/")),
            "https://mirror.example/lists/"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn the_previous_folder_sits_beside_the_folder() {
        assert_eq!(
            previous_dir(Path::new("/data/compliance/lists")),
            Path::new("/data/compliance/lists.previous")
        );
    }
}
