//! Download the official lists, validate them, and only then replace the installed ones, in a
//! folder or under an S3 prefix.
//!
//! A refresh downloads every selected source (HTTPS, a timeout, a size cap per file, retries
//! with backoff on 5xx and 429 honouring `Retry-After`), checks that each file is what it should
//! be and loads it (format and entry counts), compares every list with the installed version
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
use sha2::{Digest, Sha256};

/// Where progress and warnings go: standard error for the CLI, the JSON log for the Lambda.
/// Messages name URLs (without credentials) and list ids, never a file's content.
pub trait Log: Sync {
    /// Progress: a file downloaded, a download retried.
    fn notice(&self, message: &str);
    /// Something worth attention that does not stop the refresh.
    fn warn(&self, message: &str);
}

/// A usage error: an unknown source, a malformed or refused URL, nothing selected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

// ---------------------------------------------------------------------------------------------
// Sources

/// The files of a source: one file at the URL, or a set of names appended to a base URL.
enum Files {
    /// Installed under this name.
    Single(&'static str),
    /// (name appended to the URL, name installed).
    Set(&'static [(&'static str, &'static str)]),
}

/// An official list and where it is published.
pub struct Source {
    pub name: &'static str,
    /// The list id the source yields, also accepted as its name.
    pub list_id: &'static str,
    pub default_url: Option<&'static str>,
    files: Files,
    /// What its files are recognised as; a carried-over file of these kinds is replaced.
    kinds: &'static [ListKind],
}

pub const SOURCES: &[Source] = &[
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

fn source_named(name: &str) -> Result<&'static Source, UsageError> {
    let name = name.trim().to_ascii_lowercase();
    SOURCES
        .iter()
        .find(|s| s.name == name || s.list_id == name)
        .ok_or_else(|| UsageError(format!("unknown list source `{name}` (ofac, un, csl, dpl)")))
}

/// A file of a source to download: its URL and the name it is installed under.
struct Wanted {
    url: reqwest::Url,
    installed: &'static str,
    kind: ListKind,
}

/// A source to fetch, with the URL it is fetched from.
pub struct Selected {
    pub source: &'static Source,
    url: reqwest::Url,
    files: Vec<Wanted>,
}

impl Selected {
    /// The URL, as written in messages and in the manifest (without user name or password).
    pub fn url(&self) -> String {
        shown(&self.url)
    }
}

/// A URL as written in messages and in the manifest: without user name or password.
pub fn shown(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// Whether a URL may be downloaded from: HTTPS, or HTTP to a loopback address.
pub fn allowed(url: &reqwest::Url) -> Result<(), String> {
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

/// The sources to fetch: `overrides` are `NAME=URL` (another URL for a source), `only` names
/// the sources to fetch (every source with a URL when empty).
pub fn select(overrides: &[String], only: &[String]) -> Result<Vec<Selected>, UsageError> {
    let mut urls: BTreeMap<&'static str, reqwest::Url> = BTreeMap::new();
    for source in SOURCES {
        if let Some(default) = source.default_url {
            let url = reqwest::Url::parse(default)
                .map_err(|e| UsageError(format!("built-in URL {default}: {e}")))?;
            urls.insert(source.name, url);
        }
    }
    let mut overridden = BTreeSet::new();
    for spec in overrides {
        let (name, url) = spec
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--source `{spec}`: expected NAME=URL")))?;
        let source = source_named(name)?;
        if !overridden.insert(source.name) {
            return Err(UsageError(format!(
                "--source {}: given more than once",
                source.name
            )));
        }
        let url = reqwest::Url::parse(url.trim())
            .map_err(|e| UsageError(format!("--source {}: {e}", source.name)))?;
        allowed(&url).map_err(|e| UsageError(format!("--source {}: {e}", source.name)))?;
        urls.insert(source.name, url);
    }
    let names: Vec<&'static str> = if only.is_empty() {
        SOURCES
            .iter()
            .filter(|s| urls.contains_key(s.name))
            .map(|s| s.name)
            .collect()
    } else {
        let mut names = Vec::new();
        for name in only {
            let source = source_named(name)?;
            if !urls.contains_key(source.name) {
                return Err(UsageError(format!(
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
                        UsageError(format!("--source {}: {base}{remote}: {e}", source.name))
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
        return Err(UsageError("no list source selected".into()));
    }
    Ok(selected)
}

// ---------------------------------------------------------------------------------------------
// Downloads

/// How downloads are made and what a new list must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchOptions {
    pub policy: UpdatePolicy,
    /// Largest file downloaded, in bytes.
    pub max_bytes: u64,
    /// Time allowed for one download.
    pub timeout: Duration,
    /// Retries of a download that failed with a 5xx, 429, a timeout or a broken connection.
    pub retries: u32,
}

impl FetchOptions {
    pub const DEFAULT_MAX_BYTES: u64 = 100 * 1024 * 1024;
    pub const DEFAULT_TIMEOUT_SECS: u64 = 300;
    pub const DEFAULT_RETRIES: u32 = 3;
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            policy: UpdatePolicy::default(),
            max_bytes: Self::DEFAULT_MAX_BYTES,
            timeout: Duration::from_secs(Self::DEFAULT_TIMEOUT_SECS),
            retries: Self::DEFAULT_RETRIES,
        }
    }
}

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

fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
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
        .map_err(|e| format!("cannot start the HTTP client: {}", chain(&e)))
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
    log: &dyn Log,
) -> Result<(Vec<u8>, Option<String>), String> {
    let mut attempt = 0u32;
    let shown_url = shown(url);
    loop {
        match download_once(client, url, max_bytes).await {
            Ok(done) => return Ok(done),
            Err(failure) if failure.retry && attempt < retries => {
                let backoff = Duration::from_millis(500u64.saturating_mul(1 << attempt.min(10)));
                let wait = failure.wait.unwrap_or(backoff).min(MAX_RETRY_WAIT);
                log.notice(&format!(
                    "{shown_url}: {}; retrying in {:.1} s ({} of {retries})",
                    failure.message,
                    wait.as_secs_f64(),
                    attempt + 1
                ));
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

// ---------------------------------------------------------------------------------------------
// Outcomes

/// Why a source, or the new set, was not installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Not downloaded: a network failure, an HTTP error, a file over the size cap. Retries
    /// were made where they could help.
    Download,
    /// Downloaded, but not what was expected: another kind of file (an HTML page), a file that
    /// does not load (a cut-off XML), not the expected list.
    Invalid,
    /// A list that loads but must not replace the installed one (`check_update`: too few
    /// entries, a sharp shrinkage).
    Policy,
}

/// A source (or the new set as a whole, `list` and `source` then `None`) that was not
/// installed, and why. Never quotes a file's content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub list: Option<String>,
    pub source: Option<String>,
    pub kind: ProblemKind,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.list, &self.source) {
            (Some(list), Some(source)) => write!(f, "{list} ({source}): {}", self.reason),
            (Some(list), None) => write!(f, "{list}: {}", self.reason),
            _ => f.write_str(&self.reason),
        }
    }
}

/// One list fetched now, as installed (or found already installed).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListReport {
    /// Its manifest entry: id, source URL, publication date, fetch time, files, entries,
    /// SHA-256.
    #[serde(flatten)]
    pub list: ManifestList,
    /// Entries of the version installed before, when there was one.
    pub previous_entries: Option<usize>,
    /// Whether it differs from the version installed before (new, or another SHA-256).
    pub changed: bool,
}

impl ListReport {
    pub fn version(&self) -> ListVersion {
        version_of(&self.list)
    }
}

/// A manifest entry as the version it names.
pub fn version_of(m: &ManifestList) -> ListVersion {
    ListVersion {
        id: m.id.clone(),
        source: m.source.clone(),
        published: m.published.clone(),
        entries: m.entries,
        sha256: m.sha256.clone(),
    }
}

/// New lists were installed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Installed {
    /// The lists fetched now.
    pub lists: Vec<ListReport>,
    /// SHA-256 (hex) of the `manifest.json` written: names this installation.
    pub manifest_sha256: String,
    /// The whole new manifest (lists fetched before and kept included).
    pub manifest: Manifest,
    /// Where the set installed before is kept, when there was one.
    pub previous: Option<String>,
    /// Installed files left out of the new set because they are not list files.
    pub not_carried_over: Vec<String>,
}

impl Installed {
    /// Ids of the lists that differ from the versions installed before.
    pub fn changed(&self) -> Vec<String> {
        self.lists
            .iter()
            .filter(|l| l.changed)
            .map(|l| l.list.id.clone())
            .collect()
    }
}

/// The downloaded files are those installed: nothing was written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unchanged {
    /// The lists fetched now, as the installed manifest records them.
    pub lists: Vec<ListReport>,
    /// SHA-256 (hex) of the installed `manifest.json`.
    pub manifest_sha256: String,
    pub not_carried_over: Vec<String>,
}

/// Where a refresh that installed nothing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The installed lists could not be read: nothing was downloaded.
    ReadInstalled,
    /// Downloads failed (and none was rejected): nothing was replaced.
    Download,
    /// Validated, but the installation failed: in a folder nothing was replaced; under S3 it
    /// may have stopped part-way (readers use `previous/` until a refresh completes).
    Install,
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Installed(Installed),
    Unchanged(Unchanged),
    /// Something downloaded was refused (a file of another kind, one that does not load, a
    /// list that shrank sharply or has too few entries); download failures of other sources
    /// are listed too. Nothing was replaced.
    Rejected {
        problems: Vec<Problem>,
    },
    /// Nothing was rejected, but the refresh could not complete. `transient` when running it
    /// again soon can help (an S3 error that may be throttling or a network failure, an
    /// installation that stopped part-way).
    Failed {
        stage: Stage,
        reasons: Vec<String>,
        transient: bool,
    },
}

// ---------------------------------------------------------------------------------------------
// Where the lists are installed

/// A folder, or an S3 prefix.
pub enum Target {
    Dir(PathBuf),
    S3 {
        location: ListsLocation,
        client: compliance_aws::S3Client,
    },
}

impl Target {
    pub fn describe(&self) -> String {
        match self {
            Target::Dir(dir) => dir.display().to_string(),
            Target::S3 { location, .. } => location.uri(),
        }
    }

    /// Where the set installed before is kept.
    pub fn previous(&self) -> String {
        match self {
            Target::Dir(dir) => previous_dir(dir).display().to_string(),
            Target::S3 { location, .. } => location.previous().uri(),
        }
    }

    /// The installed set. The error says why, naming the folder or the prefix; the bool is
    /// whether a retry can help.
    pub async fn read(&self) -> Result<ListSet, (String, bool)> {
        match self {
            Target::Dir(dir) => read_dir_set(dir).map_err(|e| (e, false)),
            Target::S3 { location, client } => {
                compliance_aws::lists::read_set(client, location, ReadLimits::default())
                    .await
                    .map_err(|e| {
                        (
                            format!("cannot read {location}: {e}"),
                            e.retry == compliance_core::ports::Retry::Transient,
                        )
                    })
            }
        }
    }
}

const MAX_DIR_FILES: usize = 200;

/// The files of an installed folder (none when it does not exist).
pub fn read_dir_set(dir: &Path) -> Result<ListSet, String> {
    let io = |e: std::io::Error| format!("cannot read {}: {e}", dir.display());
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
            return Err(format!(
                "{}: more than {MAX_DIR_FILES} files, not a list folder",
                dir.display()
            ));
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == compliance_core::screening::saved::INDEX_FILE {
            continue;
        }
        let size = entry.metadata().map_err(io)?.len();
        if size > lists::MAX_LIST_FILE_BYTES {
            return Err(format!(
                "{}: {size} bytes, larger than a list file may be",
                entry.path().display()
            ));
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

/// `DIR.previous`, beside the folder.
pub fn previous_dir(dir: &Path) -> PathBuf {
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
    // The saved screening index, so that readers skip parsing and indexing; without it they
    // build the index themselves (slower, same result).
    if let Err(e) = compliance_core::screening::saved::write_dir_index(&staging_path) {
        tracing::warn!(error = %e, "no saved screening index written");
    }
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
fn installed_versions(set: &ListSet, target: &str, log: &dyn Log) -> BTreeMap<String, ListVersion> {
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
        Err(e) => log.warn(&format!(
            "the installed lists in {target} do not load ({e}); the new ones are \
             compared with the entry counts of its manifest"
        )),
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

/// The manifest of an installed set, when it has a readable one.
pub fn parse_manifest(set: &ListSet) -> Option<Manifest> {
    set.manifest
        .as_deref()
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
}

/// SHA-256 (hex) of bytes: the name of a manifest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
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
// The refresh

/// Downloads and installs lists: an HTTP client and the options, built once.
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, String> {
        let client = http_client(options.timeout.max(Duration::from_secs(1)))?;
        Ok(Self { client, options })
    }

    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Downloads every file of a source, checks each is the kind expected, loads them and
    /// checks the list against the installed version.
    async fn fetch_source(
        &self,
        selected: &Selected,
        installed: Option<&ListVersion>,
        log: &dyn Log,
    ) -> Result<Fetched, Problem> {
        let problem = |kind, reason| Problem {
            list: Some(selected.source.list_id.to_string()),
            source: Some(shown(&selected.url)),
            kind,
            reason,
        };
        let mut files = Vec::new();
        let mut last_modified = None;
        for wanted in &selected.files {
            let (bytes, modified) = download(
                &self.client,
                &wanted.url,
                self.options.max_bytes,
                self.options.retries,
                log,
            )
            .await
            .map_err(|e| {
                problem(
                    ProblemKind::Download,
                    format!("{}: {e}", shown(&wanted.url)),
                )
            })?;
            let file = ListFile {
                name: wanted.installed.to_string(),
                bytes,
            };
            if lists::recognise(&file) != Some(wanted.kind) {
                return Err(problem(
                    ProblemKind::Invalid,
                    format!(
                        "{}: not {}: {}",
                        shown(&wanted.url),
                        kind_name(wanted.kind),
                        describe(&file)
                    ),
                ));
            }
            last_modified = last_modified.or(modified);
            log.notice(&format!(
                "{}: {} bytes",
                shown(&wanted.url),
                file.bytes.len()
            ));
            files.push(file);
        }
        let loaded = lists::load(&files, &shown(&selected.url))
            .map_err(|e| problem(ProblemKind::Invalid, e.to_string()))?;
        let [list] = <[SanctionsList; 1]>::try_from(loaded).map_err(|loaded| {
            let ids: Vec<&str> = loaded.iter().map(|l| l.version.id.as_str()).collect();
            problem(
                ProblemKind::Invalid,
                format!("expected one list, the files hold {}", ids.join(", ")),
            )
        })?;
        if list.version.id != selected.source.list_id {
            return Err(problem(
                ProblemKind::Invalid,
                format!(
                    "expected list {}, the files hold {}",
                    selected.source.list_id, list.version.id
                ),
            ));
        }
        check_update(installed, &list, &self.options.policy)
            .map_err(|rejected| problem(ProblemKind::Policy, rejected.reason.to_string()))?;
        Ok(Fetched {
            source: selected.source,
            url: selected.url.clone(),
            files,
            list,
            last_modified,
        })
    }

    /// Fetches the selected sources and, when every one is valid and acceptable, installs the
    /// new set in `target`. Nothing is replaced otherwise.
    pub async fn refresh(&self, target: &Target, selected: &[Selected], log: &dyn Log) -> Outcome {
        let where_ = target.describe();
        let current = match target.read().await {
            Ok(current) => current,
            Err((reason, transient)) => {
                return Outcome::Failed {
                    stage: Stage::ReadInstalled,
                    reasons: vec![reason],
                    transient,
                }
            }
        };
        let installed = installed_versions(&current, &where_, log);

        let mut fetched = Vec::new();
        let mut problems = Vec::new();
        for s in selected {
            match self
                .fetch_source(s, installed.get(s.source.list_id), log)
                .await
            {
                Ok(f) => fetched.push(f),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            if problems.iter().all(|p| p.kind == ProblemKind::Download) {
                return Outcome::Failed {
                    stage: Stage::Download,
                    reasons: problems.iter().map(ToString::to_string).collect(),
                    // Every download was retried already where a retry could help.
                    transient: false,
                };
            }
            return Outcome::Rejected { problems };
        }

        let (files, not_carried_over) = merge(&current, &fetched);
        let loaded = match lists::load(&files, &where_) {
            Ok(loaded) => loaded,
            Err(e) => {
                return Outcome::Rejected {
                    problems: vec![Problem {
                        list: None,
                        source: None,
                        kind: ProblemKind::Invalid,
                        reason: format!("the new set does not load as a whole: {e}"),
                    }],
                }
            }
        };
        let fetched_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let manifest = build_manifest(parse_manifest(&current), &fetched, &loaded, &fetched_at);

        let reports = |manifest: &Manifest| -> Vec<ListReport> {
            fetched
                .iter()
                .filter_map(|f| {
                    let m = manifest.lists.iter().find(|m| m.id == f.list.version.id)?;
                    let before = installed.get(&m.id);
                    Some(ListReport {
                        list: m.clone(),
                        previous_entries: before.map(|v| v.entries),
                        changed: before.is_none_or(|v| v.sha256 != m.sha256),
                    })
                })
                .collect()
        };

        let unchanged = current.manifest.is_some()
            && fetched.iter().flat_map(|f| &f.files).all(|new| {
                current
                    .files
                    .iter()
                    .any(|old| old.name == new.name && old.bytes == new.bytes)
            });
        // Unchanged, nothing is written: report the lists as installed, with their fetch time.
        if let (true, Some(installed_manifest), Some(bytes)) = (
            unchanged,
            parse_manifest(&current),
            current.manifest.as_deref(),
        ) {
            return Outcome::Unchanged(Unchanged {
                lists: reports(&installed_manifest),
                manifest_sha256: sha256_hex(bytes),
                not_carried_over,
            });
        }

        let manifest_bytes = match serde_json::to_vec_pretty(&manifest) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Outcome::Failed {
                    stage: Stage::Install,
                    reasons: vec![format!("cannot write the manifest: {e}")],
                    transient: false,
                }
            }
        };
        let manifest_sha256 = sha256_hex(&manifest_bytes);
        let previous = match target {
            Target::Dir(dir) => match install_dir(dir, &files, &manifest_bytes) {
                Ok(had) => had.then(|| target.previous()),
                Err(e) => {
                    return Outcome::Failed {
                        stage: Stage::Install,
                        reasons: vec![format!(
                        "cannot install the lists in {where_}: {e}; the installed lists are unchanged"
                    )],
                        transient: false,
                    }
                }
            },
            Target::S3 { location, client } => {
                if let Err(e) =
                    compliance_aws::lists::write_set(client, location, &files, manifest_bytes)
                        .await
                {
                    return Outcome::Failed {
                        stage: Stage::Install,
                        reasons: vec![format!(
                            "installing under {where_} failed part-way: {e}. Readers keep using \
                             the previous set ({}) until a fetch completes: run it again",
                            target.previous()
                        )],
                        // Readers fall back to previous/ meanwhile; a complete run repairs it.
                        transient: true,
                    };
                }
                (!current.is_empty()).then(|| target.previous())
            }
        };
        Outcome::Installed(Installed {
            lists: reports(&manifest),
            manifest_sha256,
            manifest,
            previous,
            not_carried_over,
        })
    }
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

    #[test]
    fn selection_defaults_and_overrides() {
        let names = |s: Vec<Selected>| s.iter().map(|s| s.source.name).collect::<Vec<_>>();
        assert_eq!(names(select(&[], &[]).unwrap()), ["ofac", "un", "csl"]);
        let selected = select(
            &["un=http://127.0.0.1:9/un.xml".to_string()],
            &["un_sc".to_string(), "ofac".to_string()],
        )
        .unwrap();
        assert_eq!(names(selected), ["ofac", "un"]);
        assert!(select(&[], &["dpl".to_string()]).is_err());
        assert!(select(&["ofac=http://example.org/".to_string()], &[]).is_err());
    }

    #[test]
    fn problems_name_the_list_and_the_source() {
        let p = Problem {
            list: Some("ofac_sdn".into()),
            source: Some("https://x.example/".into()),
            kind: ProblemKind::Policy,
            reason: "shrank".into(),
        };
        assert_eq!(p.to_string(), "ofac_sdn (https://x.example/): shrank");
    }
}
