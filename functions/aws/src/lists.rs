//! Sanctions lists under an S3 prefix: read at cold start by the processor, written by
//! `compliance lists fetch --s3`.
//!
//! Layout, for `s3://bucket/lists/`:
//!
//! ```text
//! lists/sdn.csv, lists/alt.csv, …   the installed files, one object each
//! lists/index.bin                   the screener saved (lists and index), written before the
//!                                   manifest; loaded instead of parsing and building when it
//!                                   matches the manifest and the objects
//! lists/manifest.json               written last: the commit marker (id, source, entries and
//!                                   SHA-256 of every list fetched)
//! lists/previous/…                  the set that was installed before, manifest included
//! ```
//!
//! Only the objects directly under the prefix are the installed set (`previous/` is not). A
//! reader checks the lists it loaded against the manifest: while an update is being written
//! (or after one failed half-way) they differ, and the reader reads again, then falls back to
//! `previous/`, and fails rather than screen against a mixed set.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use compliance_core::ports::PortError;
use compliance_core::screening::lists::{self, update, ListFile, Manifest};
use compliance_core::screening::saved::{self, INDEX_FILE};
use compliance_core::screening::Screener;
use compliance_core::CoreError;

use crate::{port_error, DisplayErr};

/// The manifest's object name under the prefix.
pub const MANIFEST: &str = "manifest.json";
/// The saved screener's object name under the prefix (`compliance_core::screening::saved`).
pub const INDEX: &str = INDEX_FILE;
/// The sub-prefix holding the previously installed set.
pub const PREVIOUS: &str = "previous/";

/// Pauses before reading a set again when its files did not match its manifest.
const REREAD_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1000)];

/// `s3://bucket/prefix/`: where a list set lives. The prefix is empty or ends with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListsLocation {
    pub bucket: String,
    pub prefix: String,
}

impl ListsLocation {
    /// Reads `s3://bucket/prefix` (a trailing `/` is added when missing; `s3://bucket` is the
    /// bucket's top level).
    pub fn parse(uri: &str) -> Result<Self, String> {
        let invalid = || format!("`{uri}` is not an S3 prefix URI (s3://bucket/prefix/)");
        let rest = uri.strip_prefix("s3://").ok_or_else(invalid)?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() || prefix.starts_with('/') || prefix.contains("//") {
            return Err(invalid());
        }
        let mut prefix = prefix.to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Self {
            bucket: bucket.to_string(),
            prefix,
        })
    }

    pub fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    /// Where the previously installed set is kept.
    pub fn previous(&self) -> Self {
        Self {
            bucket: self.bucket.clone(),
            prefix: format!("{}{PREVIOUS}", self.prefix),
        }
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

impl std::fmt::Display for ListsLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.uri())
    }
}

/// Bounds on what is read from a prefix: a misconfigured prefix (a bucket's top level full of
/// documents) fails the read instead of filling the function's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    pub max_objects: usize,
    pub max_object_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_objects: 100,
            max_object_bytes: 100 * 1024 * 1024,
            max_total_bytes: 300 * 1024 * 1024,
        }
    }
}

/// The objects directly under a prefix.
#[derive(Debug, Clone, Default)]
pub struct ListSet {
    /// Every object but the manifest and the saved index, sorted by name.
    pub files: Vec<ListFile>,
    /// `manifest.json`, as stored.
    pub manifest: Option<Vec<u8>>,
}

impl ListSet {
    /// The parsed manifest, if there is one.
    pub fn manifest(&self, location: &ListsLocation) -> Result<Option<Manifest>, CoreError> {
        self.manifest
            .as_deref()
            .map(|bytes| {
                serde_json::from_slice(bytes).map_err(|e| CoreError::List {
                    list: format!("{}{MANIFEST}", location.uri()),
                    detail: format!("unreadable manifest: {e}"),
                })
            })
            .transpose()
    }

    /// The files and the manifest, as `lists::load` takes them.
    pub fn all_files(&self) -> Vec<ListFile> {
        let mut files = self.files.clone();
        if let Some(bytes) = &self.manifest {
            files.push(ListFile {
                name: MANIFEST.into(),
                bytes: bytes.clone(),
            });
        }
        files
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.manifest.is_none()
    }
}

/// Keys (relative to the prefix) and sizes of the objects under `location`, at most `max`:
/// only those directly under it when `direct_only` (none under a deeper `/`), else all.
async fn object_names(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    direct_only: bool,
    max: usize,
) -> Result<Vec<(String, u64)>, PortError> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let output = client
            .list_objects_v2()
            .bucket(&location.bucket)
            .prefix(&location.prefix)
            .set_delimiter(direct_only.then(|| "/".to_string()))
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| port_error("s3:ListObjectsV2", &e))?;
        for object in output.contents() {
            let Some(name) = object.key().and_then(|k| k.strip_prefix(&location.prefix)) else {
                continue;
            };
            if name.is_empty() {
                continue; // a "folder" marker
            }
            names.push((name.to_string(), object.size().unwrap_or(0).max(0) as u64));
            if names.len() > max {
                return Err(PortError::permanent(
                    "s3:ListObjectsV2",
                    format!("more than {max} objects under {location}: not a list folder"),
                ));
            }
        }
        match output.next_continuation_token() {
            Some(next) if output.is_truncated() == Some(true) => token = Some(next.to_string()),
            _ => break,
        }
    }
    names.sort();
    Ok(names)
}

/// Reads one object, never more than `max_bytes` of it; `what` names the kind of file in the
/// error (`a rules file`, `a list file`).
pub async fn get_bounded(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    max_bytes: u64,
    what: &str,
) -> Result<Vec<u8>, PortError> {
    get_bounded_version(client, bucket, key, None, max_bytes, what).await
}

/// [`get_bounded`] of one version of the object (the current one with `None`).
pub async fn get_bounded_version(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    max_bytes: u64,
    what: &str,
) -> Result<Vec<u8>, PortError> {
    let too_large = |size: u64| {
        PortError::permanent(
            "s3:GetObject",
            format!(
                "s3://{bucket}/{key}: {size} bytes, over the limit of {max_bytes} bytes for {what}"
            ),
        )
    };
    let output = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .map_err(|e| port_error("s3:GetObject", &e))?;
    let length = output.content_length().unwrap_or(0).max(0) as u64;
    if length > max_bytes {
        return Err(too_large(length));
    }
    let mut body = output.body;
    let mut bytes = Vec::with_capacity(length as usize);
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|e| PortError::transient("s3:GetObject body", DisplayErr(&e).to_string()))?
    {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large((bytes.len() + chunk.len()) as u64));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads every object directly under `location` (not `previous/`), within `limits`; the
/// saved index (`index.bin`) is left out (see [`load`]).
pub async fn read_set(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    limits: ReadLimits,
) -> Result<ListSet, PortError> {
    let names = object_names(client, location, true, limits.max_objects).await?;
    read_listed(client, location, names, limits).await
}

/// [`read_set`] of the objects `names` (name, size) listed under `location`.
async fn read_listed(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    names: Vec<(String, u64)>,
    limits: ReadLimits,
) -> Result<ListSet, PortError> {
    let names: Vec<(String, u64)> = names.into_iter().filter(|(n, _)| n != INDEX).collect();
    let listed: u64 = names.iter().map(|(_, size)| *size).sum();
    if listed > limits.max_total_bytes {
        return Err(PortError::permanent(
            "s3:GetObject",
            format!(
                "{listed} bytes under {location}, over the limit of {}",
                limits.max_total_bytes
            ),
        ));
    }
    let mut set = ListSet::default();
    let mut total = 0u64;
    for (name, _) in names {
        let remaining = limits.max_total_bytes.saturating_sub(total);
        let bytes = get_bounded(
            client,
            &location.bucket,
            &location.key(&name),
            limits.max_object_bytes.min(remaining),
            "a list file",
        )
        .await?;
        total += bytes.len() as u64;
        if name == MANIFEST {
            set.manifest = Some(bytes);
        } else {
            set.files.push(ListFile { name, bytes });
        }
    }
    Ok(set)
}

/// Lists as the processor loaded them, and from where.
#[derive(Debug)]
pub struct LoadedLists {
    /// The lists with their index, ready to screen.
    pub screener: Screener,
    /// Whether they came from the saved index (`index.bin`) rather than parsing and building.
    pub from_index: bool,
    /// The prefix read: the configured one, or its `previous/` when the configured one was
    /// found mid-update.
    pub location: ListsLocation,
    pub manifest: Option<Manifest>,
}

/// One read of a set: its lists, or why they cannot be used.
enum Attempt {
    /// The screener, the manifest, whether from the saved index.
    Loaded(Box<Screener>, Option<Manifest>, bool),
    /// The files do not match the manifest (or do not load while a manifest says they
    /// should): an update in progress, or one that failed half-way.
    Inconsistent(String),
}

/// The screener from the saved index when the prefix holds one saved for exactly its objects
/// and manifest: only the index and the manifest are read. `None`, with the reason logged,
/// otherwise.
async fn attempt_saved(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    names: &[(String, u64)],
    limits: ReadLimits,
) -> Option<(Screener, Manifest)> {
    let has = |wanted: &str| names.iter().any(|(n, _)| n == wanted);
    if !has(INDEX) || !has(MANIFEST) {
        return None;
    }
    let get = |name: &'static str, what: &'static str| {
        let key = location.key(name);
        async move {
            get_bounded(
                client,
                &location.bucket,
                &key,
                limits.max_object_bytes,
                what,
            )
            .await
        }
    };
    let result = async {
        let manifest_bytes = get(MANIFEST, "a list manifest")
            .await
            .map_err(|e| e.to_string())?;
        let index = get(INDEX, "a saved screening index")
            .await
            .map_err(|e| e.to_string())?;
        let manifest: Manifest =
            serde_json::from_slice(&manifest_bytes).map_err(|e| e.to_string())?;
        let screener = saved::load_for_manifest(&index, &manifest_bytes, names, &location.uri())
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((screener, manifest))
    }
    .await;
    match result {
        Ok(loaded) => Some(loaded),
        Err(reason) => {
            tracing::warn!(
                location = %location,
                reason = %reason,
                "saved screening index not used; reading and parsing the lists"
            );
            None
        }
    }
}

async fn attempt(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    limits: ReadLimits,
) -> Result<Attempt, CoreError> {
    let names = object_names(client, location, true, limits.max_objects).await?;
    if let Some((screener, manifest)) = attempt_saved(client, location, &names, limits).await {
        return Ok(Attempt::Loaded(Box::new(screener), Some(manifest), true));
    }
    let set = read_listed(client, location, names, limits).await?;
    if set.files.is_empty() {
        return Err(CoreError::List {
            list: location.uri(),
            detail:
                "no list files under this prefix (install them with `compliance lists fetch --s3`)"
                    .into(),
        });
    }
    let manifest = set.manifest(location)?;
    let loaded = lists::load(&set.all_files(), &location.uri());
    match (loaded, manifest) {
        (Ok(lists), None) => Ok(Attempt::Loaded(Box::new(Screener::new(lists)), None, false)),
        (Err(e), None) => Err(e),
        (Err(e), Some(_)) => Ok(Attempt::Inconsistent(e.to_string())),
        (Ok(lists), Some(manifest)) => {
            let missing: Vec<String> = update::unconfirmed(&manifest, &lists)
                .iter()
                .map(|m| m.id.clone())
                .collect();
            if missing.is_empty() {
                Ok(Attempt::Loaded(
                    Box::new(Screener::new(lists)),
                    Some(manifest),
                    false,
                ))
            } else {
                Ok(Attempt::Inconsistent(format!(
                    "the files do not match {MANIFEST} for {}",
                    missing.join(", ")
                )))
            }
        }
    }
}

/// Loads the lists under `location`, checked against its manifest. A set found inconsistent
/// is read again (an update may be finishing); if it stays so, the previous set is used when
/// it is consistent itself, with a warning; otherwise this fails, naming the lists.
pub async fn load(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    limits: ReadLimits,
) -> Result<LoadedLists, CoreError> {
    let mut reason = String::new();
    for delay in std::iter::once(None).chain(REREAD_DELAYS.iter().map(Some)) {
        if let Some(delay) = delay {
            tracing::warn!(location = %location, reason = %reason, "list set inconsistent; reading again");
            tokio::time::sleep(*delay).await;
        }
        match attempt(client, location, limits).await? {
            Attempt::Loaded(screener, manifest, from_index) => {
                return Ok(LoadedLists {
                    screener: *screener,
                    from_index,
                    location: location.clone(),
                    manifest,
                })
            }
            Attempt::Inconsistent(why) => reason = why,
        }
    }
    let previous = location.previous();
    match attempt(client, &previous, limits).await {
        Ok(Attempt::Loaded(screener, Some(manifest), from_index)) => {
            tracing::warn!(
                location = %location,
                fallback = %previous,
                reason = %reason,
                "list set inconsistent; using the previous set"
            );
            Ok(LoadedLists {
                screener: *screener,
                from_index,
                location: previous,
                manifest: Some(manifest),
            })
        }
        _ => Err(CoreError::List {
            list: location.uri(),
            detail: format!(
                "{reason}: an update is in progress or failed half-way, and {previous} holds no \
                 consistent set; run `compliance lists fetch --s3 {location}` again"
            ),
        }),
    }
}

/// A name that can be an object directly under the prefix.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 200
        && !name.contains('/')
        && !name.chars().any(char::is_control)
}

/// `bucket/key` as CopyObject's `x-amz-copy-source` wants it: URL-encoded.
fn copy_source(bucket: &str, key: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    format!(
        "{bucket}/{}",
        percent_encoding::utf8_percent_encode(key, KEEP)
    )
}

async fn delete(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<(), PortError> {
    client
        .delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| port_error("s3:DeleteObject", &e))?;
    Ok(())
}

async fn put(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
) -> Result<(), PortError> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(bytes))
        .send()
        .await
        .map_err(|e| port_error("s3:PutObject", &e))?;
    Ok(())
}

/// Installs a validated set under `location`: the installed objects are copied to
/// `previous/` (replacing what was there, manifest last), the new files are uploaded, objects
/// no longer part of the set are removed, the saved screener (`index.bin`, built from `files`
/// and `manifest`) is written, and `manifest` is written last. Until it is, readers find the
/// files (and the index) out of step with the old manifest and use `previous/`.
pub async fn write_set(
    client: &aws_sdk_s3::Client,
    location: &ListsLocation,
    files: &[ListFile],
    manifest: Vec<u8>,
) -> Result<(), PortError> {
    if let Some(bad) = files
        .iter()
        .find(|f| !valid_name(&f.name) || f.name == MANIFEST || f.name == INDEX)
    {
        return Err(PortError::permanent(
            "s3:PutObject",
            format!("`{}` cannot be a list file name", bad.name),
        ));
    }
    let limits = ReadLimits::default();
    let current = object_names(client, location, true, limits.max_objects).await?;
    let previous = location.previous();
    for (name, _) in object_names(client, &previous, false, limits.max_objects).await? {
        let key = format!("{}{name}", previous.prefix);
        delete(client, &location.bucket, &key).await?;
    }
    let mut ordered: Vec<&str> = current
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != MANIFEST)
        .collect();
    if current.iter().any(|(name, _)| name == MANIFEST) {
        ordered.push(MANIFEST);
    }
    for name in &ordered {
        client
            .copy_object()
            .bucket(&location.bucket)
            .key(previous.key(name))
            .copy_source(copy_source(&location.bucket, &location.key(name)))
            .send()
            .await
            .map_err(|e| port_error("s3:CopyObject", &e))?;
    }
    for file in files {
        put(
            client,
            &location.bucket,
            &location.key(&file.name),
            file.bytes.clone(),
        )
        .await?;
    }
    for name in ordered {
        if name != MANIFEST && !files.iter().any(|f| f.name == name) {
            delete(client, &location.bucket, &location.key(name)).await?;
        }
    }
    // The saved screener: a reader with it neither parses nor builds. A set that does not
    // load (the caller validated it, so this is not expected) goes without; the stale index
    // was removed above with the other objects not in the set.
    let mut with_manifest = files.to_vec();
    with_manifest.push(ListFile {
        name: MANIFEST.into(),
        bytes: manifest.clone(),
    });
    match lists::load(&with_manifest, &location.uri()) {
        Ok(loaded) => {
            let screener = Screener::new(loaded);
            let index = saved::save(&screener, &with_manifest, &location.uri());
            drop(screener);
            drop(with_manifest);
            put(client, &location.bucket, &location.key(INDEX), index).await?;
        }
        Err(e) => {
            tracing::warn!(location = %location, error = %e, "no saved screening index written")
        }
    }
    put(client, &location.bucket, &location.key(MANIFEST), manifest).await?;
    tracing::info!(location = %location, files = files.len(), "list set installed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_parse_with_a_trailing_slash() {
        let parse = |uri| ListsLocation::parse(uri).map(|l| (l.bucket, l.prefix));
        assert_eq!(parse("s3://b/lists/"), Ok(("b".into(), "lists/".into())));
        assert_eq!(parse("s3://b/lists"), Ok(("b".into(), "lists/".into())));
        assert_eq!(
            parse("s3://b/config/lists/prod"),
            Ok(("b".into(), "config/lists/prod/".into()))
        );
        assert_eq!(parse("s3://b"), Ok(("b".into(), String::new())));
        assert_eq!(parse("s3://b/"), Ok(("b".into(), String::new())));
        for bad in [
            "https://b/lists",
            "s3:///lists",
            "s3://b//x",
            "b/lists",
            "s3://b/a//b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let location = ListsLocation::parse("s3://b/lists").unwrap();
        assert_eq!(location.uri(), "s3://b/lists/");
        assert_eq!(location.previous().uri(), "s3://b/lists/previous/");
    }

    #[test]
    fn names_stay_directly_under_the_prefix() {
        for good in ["sdn.csv", "SDN_COMMENTS.CSV", "un consolidated.xml"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "x\n"] {
            assert!(!valid_name(bad), "{bad:?}");
        }
        assert_eq!(
            copy_source("b", "lists/my list+1.csv"),
            "b/lists/my%20list%2B1.csv"
        );
    }
}
