//! Reading the published sanctions lists into one entry model.
//!
//! A folder (or S3 prefix) may hold any mix of the supported files; each is recognised by its
//! content, not its name: the OFAC SDN CSV set (`sdn.csv`, `alt.csv`, `add.csv`,
//! `sdn_comments.csv`), the UN Security Council consolidated XML, the BIS Denied Persons List,
//! the US Consolidated Screening List CSV, and a bank's own watchlist CSV. A `manifest.json`
//! written by `compliance lists fetch` gives each list's source and publication date.

mod ofac;

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SanctionsList;
use crate::error::CoreError;

/// One file of a list folder, as read from disk or S3.
#[derive(Debug, Clone)]
pub struct ListFile {
    /// File name without folder (used in messages and for custom list ids).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a file holds, recognised from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    OfacSdn,
    OfacAlt,
    OfacAdd,
    OfacComments,
    UnConsolidated,
    BisDpl,
    UsCsl,
    Custom,
    Manifest,
}

/// Written by `compliance lists fetch` beside the files it validated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub lists: Vec<ManifestList>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestList {
    /// List id (`ofac_sdn`, `un_sc`, …).
    pub id: String,
    /// Where the files were downloaded from.
    pub source: String,
    pub published: Option<String>,
    /// RFC 3339 time of the download.
    pub fetched_at: String,
    pub files: Vec<String>,
    pub entries: usize,
    pub sha256: String,
}

/// Recognises a file by its content; `None` for anything that is not a list file.
pub fn recognise(file: &ListFile) -> Option<ListKind> {
    ofac::recognise(&file.bytes)
}

/// Loads every list in `files`. An unrecognised file is an error naming it, so that a
/// misplaced or corrupt list is never silently ignored.
pub fn load(files: &[ListFile], source: &str) -> Result<Vec<SanctionsList>, CoreError> {
    let part = |kind: ListKind| {
        files
            .iter()
            .find(|f| recognise(f) == Some(kind))
            .map(|f| f.bytes.as_slice())
    };
    let mut lists = Vec::new();
    if let Some(sdn) = part(ListKind::OfacSdn) {
        lists.push(ofac::load(
            sdn,
            part(ListKind::OfacAlt).unwrap_or_default(),
            &format!("OFAC SDN ({source})"),
        )?);
    }
    if lists.is_empty() {
        return Err(CoreError::List {
            list: source.into(),
            detail: "no list file found".into(),
        });
    }
    Ok(lists)
}

/// Reads a folder's files and loads them.
pub fn load_dir(dir: &Path) -> Result<Vec<SanctionsList>, CoreError> {
    let io = |e: std::io::Error| CoreError::List {
        list: dir.display().to_string(),
        detail: e.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if !entry.file_type().map_err(io)?.is_file() {
            continue;
        }
        files.push(ListFile {
            name: entry.file_name().to_string_lossy().into_owned(),
            bytes: std::fs::read(entry.path()).map_err(io)?,
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut lists = load(&files, &dir.display().to_string())?;
    if let Ok(published) = std::fs::read_to_string(dir.join("PUBLISHED")) {
        for list in &mut lists {
            list.version.published = Some(published.trim().to_string());
        }
    }
    Ok(lists)
}

/// The small real OFAC extract bundled with the product, so that screening works with no
/// configuration. Production deployments point to the full lists.
pub fn bundled() -> Result<Vec<SanctionsList>, CoreError> {
    let mut list = ofac::load(
        include_bytes!("../../../../../config/lists/ofac-sample/sdn.csv"),
        include_bytes!("../../../../../config/lists/ofac-sample/alt.csv"),
        "OFAC SDN (bundled sample, moov-io/watchman test data)",
    )?;
    list.version.published = Some(
        include_str!("../../../../../config/lists/ofac-sample/PUBLISHED")
            .trim()
            .to_string(),
    );
    Ok(vec![list])
}
