//! Reading the published sanctions lists into one entry model.
//!
//! A folder (or S3 prefix) may hold any mix of the supported files; each is recognised by its
//! content, not its name: the OFAC SDN CSV set (`sdn.csv`, `alt.csv`, `add.csv`,
//! `sdn_comments.csv`, told apart by their columns), the UN Security Council consolidated XML
//! (root `CONSOLIDATED_LIST`), the BIS Denied Persons List (its tab-separated header), the US
//! Consolidated Screening List CSV (its header) and a bank's own watchlist CSV (a header with
//! `id` and `name`: see [`custom`](self#custom-watchlists)). A `manifest.json` written by
//! `compliance lists fetch` gives each list's source and publication date; a `PUBLISHED` file
//! gives the publication date of lists that carry none of their own.
//!
//! | list | id | entry id |
//! |---|---|---|
//! | OFAC SDN | `ofac_sdn` | `ent_num` |
//! | UN Security Council | `un_sc` | reference number (`CDi.001`), else DATAID |
//! | BIS Denied Persons | `bis_dpl` | `dpl-` + 12 hex of SHA-256(name, effective date) |
//! | US Consolidated Screening List | `us_csl` | `entity_number`, else `csl-` + 12 hex of SHA-256(source, name, start date) |
//! | custom watchlist | `custom:<file stem>` | the `id` column |
//!
//! Files that are obviously not lists (`README*`, `LICENSE*`, `NOTICE*`, `*.md`, `*.txt` that
//! is not the BIS list, `PUBLISHED`, hidden files) are skipped; any other unrecognised file is an
//! error naming it, so that a misplaced or corrupt list is never silently ignored.
//!
//! # Custom watchlists
//!
//! A bank's own list: a UTF-8 CSV file (a byte-order mark is allowed) with a header row, one
//! row per listed party. It becomes the list `custom:<file name without extension>`.
//!
//! ```text
//! id,name,type,aliases,date_of_birth,nationality,id_numbers,program
//! BW-0001,Ivan Petrovich SIDOROV,Person,Ivan Sidorov;I. P. Sidorov,1961-03-14,RU,passport:4509123456:RU,fraud
//! BW-0002,Northwind Trading FZE,Company,Northwind Trading;NW Trading,,AE,trade licence:784512,exit
//! BW-0003,Hassan AL-FARSI,,,1958 to 1960,Iran;IQ,,PEP
//! ```
//!
//! | column | required | content |
//! |---|---|---|
//! | `id` | yes | the entry's id, unique in the file (it is what an alert names) |
//! | `name` | yes | the primary name |
//! | `type` | no | `Person`, `Company`, `Organization`, `Vessel` or `Aircraft` (also `Individual`, `Entity`, `LegalEntity`, `Organisation`, `Ship`); empty: guessed from the name (`LTD`, `LLC`, `INC`, `S.A.`, `TRADING`, … make a company, anything else a person) |
//! | `aliases` | no | other names, separated by `;` |
//! | `date_of_birth` | no | `1961-03-14`, `1961-03`, `1961`, `14 Mar 1961`, `1958 to 1960` (each year); several separated by `;` |
//! | `nationality` | no | ISO 3166-1 alpha-2 or alpha-3 codes or English country names, separated by `;` |
//! | `id_numbers` | no | separated by `;`, each `NUMBER`, `KIND:NUMBER` or `KIND:NUMBER:COUNTRY` (`passport:A1234567:IR`); only the letters and digits of a number are compared |
//! | `program` | no | the program or reason for listing, separated by `;` |
//!
//! Column names are matched case-insensitively and in any order; other columns are ignored;
//! fields are trimmed; quoting is standard CSV (`"..."`, `""` for a quote). Empty rows are
//! skipped. A row without an id or a name, a repeated id, an unknown type, or a date of birth or
//! nationality that cannot be read is an error naming the row: a bank's own list is not
//! silently half-loaded.

mod bis;
mod country;
mod csl;
mod custom;
mod ofac;
mod un;
pub mod update;

use std::borrow::Cow;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::saved::INDEX_FILE;
use super::{BirthDate, EntityType, SanctionsList};
use crate::error::CoreError;

pub use country::country_code;

/// Files larger than this are refused by [`load_dir`]: the largest real list (the full US
/// CSL) is tens of megabytes.
pub const MAX_LIST_FILE_BYTES: u64 = 256 * 1024 * 1024;

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
    let bytes = strip_bom(&file.bytes);
    let start = bytes.trim_ascii_start();
    if start.first() == Some(&b'{') {
        return serde_json::from_slice::<Manifest>(bytes)
            .ok()
            .map(|_| ListKind::Manifest);
    }
    if start.first() == Some(&b'<') {
        return un::recognise(bytes).then_some(ListKind::UnConsolidated);
    }
    let header = first_line(bytes);
    if bis::recognise(header) {
        Some(ListKind::BisDpl)
    } else if csl::recognise(header) {
        Some(ListKind::UsCsl)
    } else if custom::recognise(header) {
        Some(ListKind::Custom)
    } else {
        ofac::recognise(bytes)
    }
}

/// The list id a custom watchlist file gets: `custom:` and the file name without extension.
pub fn custom_list_id(file_name: &str) -> String {
    let stem = Path::new(file_name)
        .file_stem()
        .map_or(Cow::Borrowed(file_name), |s| s.to_string_lossy());
    format!("custom:{stem}")
}

/// Loads every list in `files` (the content of one folder or prefix, `source`). The OFAC parts
/// make one list; every other list file makes its own. An unrecognised file is an error naming
/// it, except the obvious non-list files, which are skipped.
pub fn load(files: &[ListFile], source: &str) -> Result<Vec<SanctionsList>, CoreError> {
    let error = |list: &str, detail: String| CoreError::List {
        list: list.to_string(),
        detail,
    };
    let mut ofac_files: [Option<&ListFile>; 4] = [None; 4];
    let mut singles: Vec<(ListKind, &ListFile)> = Vec::new();
    let mut manifest: Option<Manifest> = None;
    let mut published_file: Option<String> = None;
    for file in files {
        if file.name == INDEX_FILE {
            // The saved index beside the lists (`screening::saved`), never a list.
            continue;
        }
        let kind = recognise(file);
        let slot = match kind {
            Some(ListKind::OfacSdn) => Some(0),
            Some(ListKind::OfacAlt) => Some(1),
            Some(ListKind::OfacAdd) => Some(2),
            Some(ListKind::OfacComments) => Some(3),
            _ => None,
        };
        match (kind, slot) {
            (_, Some(slot)) => {
                if let Some(other) = ofac_files.get(slot).copied().flatten() {
                    return Err(error(
                        &file.name,
                        format!(
                            "{} and {} are both the OFAC {}: keep one",
                            other.name,
                            file.name,
                            ofac::PART_NAMES.get(slot).copied().unwrap_or("file")
                        ),
                    ));
                }
                if let Some(place) = ofac_files.get_mut(slot) {
                    *place = Some(file);
                }
            }
            (Some(ListKind::Manifest), _) => {
                if manifest.is_some() {
                    return Err(error(source, "more than one manifest".into()));
                }
                manifest = serde_json::from_slice(strip_bom(&file.bytes)).ok();
            }
            (Some(kind), None) => singles.push((kind, file)),
            (None, _) if file.name == "PUBLISHED" => {
                let text = decode(&file.bytes);
                published_file = text
                    .lines()
                    .next()
                    .map(|l| l.trim().chars().take(100).collect::<String>())
                    .filter(|l| !l.is_empty());
            }
            (None, _) if is_not_a_list(file) => {
                tracing::debug!(file = %file.name, "not a list file, skipped");
            }
            (None, _) => return Err(error(&file.name, unrecognised(file))),
        }
    }

    let mut lists = Vec::new();
    let [sdn, alt, add, comments] = ofac_files;
    match sdn {
        Some(sdn) => {
            lists.push(ofac::load(
                &ofac::OfacParts {
                    sdn: &sdn.bytes,
                    alt: alt.map(|f| f.bytes.as_slice()),
                    add: add.map(|f| f.bytes.as_slice()),
                    comments: comments.map(|f| f.bytes.as_slice()),
                    names: [
                        sdn.name.as_str(),
                        ofac_part_name(alt, 1),
                        ofac_part_name(add, 2),
                        ofac_part_name(comments, 3),
                    ],
                },
                source,
            )?);
        }
        None => {
            if let Some(part) = [alt, add, comments].into_iter().flatten().next() {
                return Err(error(
                    &part.name,
                    "an OFAC SDN part without its sdn.csv (the main file of the set) is not a \
                     list on its own"
                        .into(),
                ));
            }
        }
    }
    for (kind, file) in singles {
        let file_source = join_source(source, &file.name);
        let list = match kind {
            ListKind::UnConsolidated => un::load(&file.bytes, &file_source),
            ListKind::BisDpl => bis::load(&file.bytes, &file_source),
            ListKind::UsCsl => csl::load(&file.bytes, &file_source),
            _ => custom::load(&file.bytes, &file_source, &custom_list_id(&file.name)),
        }
        .map_err(|e| match e {
            CoreError::List { detail, .. } => CoreError::List {
                list: file.name.clone(),
                detail,
            },
            other => other,
        })?;
        if let Some(same) = lists
            .iter()
            .find(|l: &&SanctionsList| l.version.id == list.version.id)
        {
            return Err(error(
                &file.name,
                format!(
                    "list {} is already loaded from {}: keep one file per list",
                    list.version.id, same.version.source
                ),
            ));
        }
        lists.push(list);
    }
    if lists.is_empty() {
        return Err(error(source, "no list file found".into()));
    }
    for list in &mut lists {
        if let Some(m) = manifest
            .as_ref()
            .and_then(|m| m.lists.iter().find(|m| m.id == list.version.id))
        {
            if !m.source.trim().is_empty() {
                list.version.source = m.source.clone();
            }
            if let Some(published) = m.published.as_ref().filter(|p| !p.trim().is_empty()) {
                list.version.published = Some(published.clone());
            }
        }
        if list.version.published.is_none() {
            list.version.published = published_file.clone();
        }
    }
    Ok(lists)
}

/// Reads a folder's files and loads them (see [`load`]).
pub fn load_dir(dir: &Path) -> Result<Vec<SanctionsList>, CoreError> {
    load(&read_dir_files(dir)?, &dir.display().to_string())
}

/// Every regular file of a folder (following symbolic links) but the saved index
/// (`index.bin`), sorted by name, each at most [`MAX_LIST_FILE_BYTES`].
pub fn read_dir_files(dir: &Path) -> Result<Vec<ListFile>, CoreError> {
    let io = |e: std::io::Error| CoreError::List {
        list: dir.display().to_string(),
        detail: e.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == INDEX_FILE {
            continue;
        }
        let file_io = |e: std::io::Error| CoreError::List {
            list: name.clone(),
            detail: e.to_string(),
        };
        // Follows symbolic links: a deployment may link its list files.
        let metadata = std::fs::metadata(entry.path()).map_err(file_io)?;
        if !metadata.is_file() {
            continue;
        }
        let size = metadata.len();
        if size > MAX_LIST_FILE_BYTES {
            return Err(CoreError::List {
                list: name,
                detail: format!(
                    "{size} bytes: larger than the {MAX_LIST_FILE_BYTES} bytes a list file may be"
                ),
            });
        }
        let bytes = std::fs::read(entry.path()).map_err(file_io)?;
        files.push(ListFile { name, bytes });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// What `files` load to, without loading them: (list id, SHA-256) of each list as [`load`]
/// would compute it, with (`manifest`, SHA-256) and (`PUBLISHED`, SHA-256) for those files,
/// which change the lists' sources and dates. A set that would not load gets an entry that
/// matches nothing. A saved index (`screening::saved`) is used only when its digests are
/// exactly these.
pub fn digests(files: &[ListFile]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut ofac: [Option<&ListFile>; 4] = [None; 4];
    let refused = |what: &str, name: &str| (format!("{what}: {name}"), String::new());
    for file in files {
        if file.name == INDEX_FILE {
            continue;
        }
        let kind = recognise(file);
        let id = match kind {
            Some(
                ListKind::OfacSdn | ListKind::OfacAlt | ListKind::OfacAdd | ListKind::OfacComments,
            ) => {
                let slot = match kind {
                    Some(ListKind::OfacSdn) => 0,
                    Some(ListKind::OfacAlt) => 1,
                    Some(ListKind::OfacAdd) => 2,
                    _ => 3,
                };
                match ofac.get_mut(slot) {
                    Some(place @ None) => *place = Some(file),
                    _ => out.push(refused("second OFAC part", &file.name)),
                }
                continue;
            }
            Some(ListKind::Manifest) => "manifest".to_string(),
            Some(ListKind::UnConsolidated) => "un_sc".to_string(),
            Some(ListKind::BisDpl) => "bis_dpl".to_string(),
            Some(ListKind::UsCsl) => "us_csl".to_string(),
            Some(ListKind::Custom) => custom_list_id(&file.name),
            None if file.name == "PUBLISHED" => "PUBLISHED".to_string(),
            None if is_not_a_list(file) => continue,
            None => {
                out.push(refused("unrecognised", &file.name));
                continue;
            }
        };
        out.push((id, sha256_hex([file.bytes.as_slice()])));
    }
    let [sdn, alt, add, comments] = ofac;
    match sdn {
        Some(sdn) => out.push((
            "ofac_sdn".to_string(),
            sha256_hex(
                [Some(sdn), alt, add, comments]
                    .into_iter()
                    .flatten()
                    .map(|f| f.bytes.as_slice()),
            ),
        )),
        None => {
            if let Some(part) = [alt, add, comments].into_iter().flatten().next() {
                out.push(refused("OFAC part without sdn.csv", &part.name));
            }
        }
    }
    out
}

/// The small real OFAC extract bundled with the product, so that screening works with no
/// configuration. Production deployments point to the full lists.
pub fn bundled() -> Result<Vec<SanctionsList>, CoreError> {
    let file = |name: &str, bytes: &[u8]| ListFile {
        name: name.into(),
        bytes: bytes.to_vec(),
    };
    load(
        &[
            file(
                "sdn.csv",
                include_bytes!("../../../../../config/lists/ofac-sample/sdn.csv"),
            ),
            file(
                "alt.csv",
                include_bytes!("../../../../../config/lists/ofac-sample/alt.csv"),
            ),
            file(
                "add.csv",
                include_bytes!("../../../../../config/lists/ofac-sample/add.csv"),
            ),
            file(
                "sdn_comments.csv",
                include_bytes!("../../../../../config/lists/ofac-sample/sdn_comments.csv"),
            ),
            file(
                "PUBLISHED",
                include_bytes!("../../../../../config/lists/ofac-sample/PUBLISHED"),
            ),
        ],
        "OFAC SDN (bundled sample, moov-io/watchman test data)",
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the loaders
// ---------------------------------------------------------------------------------------------

/// The name a part of the OFAC set was given, or OFAC's name for it when it is missing.
fn ofac_part_name(part: Option<&ListFile>, slot: usize) -> &str {
    part.map_or_else(
        || ofac::PART_NAMES.get(slot).copied().unwrap_or_default(),
        |f| f.name.as_str(),
    )
}

fn join_source(source: &str, name: &str) -> String {
    if source.is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", source.trim_end_matches('/'))
    }
}

/// README, LICENSE, NOTICE, Markdown and text files, `PUBLISHED`, hidden files, and empty
/// optional OFAC parts (OFAC has published an empty `sdn_comments.csv`).
fn is_not_a_list(file: &ListFile) -> bool {
    let name = file.name.to_ascii_lowercase();
    let empty = ofac::strip_eof_marker(&file.bytes).is_empty();
    name.starts_with('.')
        || ["readme", "license", "licence", "notice", "copying"]
            .iter()
            .any(|p| name.starts_with(p))
        || name.ends_with(".md")
        || name.ends_with(".txt")
        || name == "published"
        || (empty && matches!(name.as_str(), "alt.csv" | "add.csv" | "sdn_comments.csv"))
}

fn unrecognised(file: &ListFile) -> String {
    let bytes = strip_bom(&file.bytes);
    let start = bytes.trim_ascii_start();
    if start.is_empty() {
        return "empty file: not a list".into();
    }
    if start.first() == Some(&b'{') {
        if let Err(e) = serde_json::from_slice::<Manifest>(bytes) {
            return format!("JSON that is not a list manifest: {e}");
        }
    }
    if start.first() == Some(&b'<') {
        return "XML that is not the UN consolidated list (root CONSOLIDATED_LIST)".into();
    }
    let sample = bytes.get(..bytes.len().min(512)).unwrap_or_default();
    if sample
        .iter()
        .any(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n' | 0x1A)))
    {
        return "binary content: not a list file".into();
    }
    "not a recognised list file (OFAC SDN CSV set, UN consolidated XML, BIS Denied Persons \
     List, US Consolidated Screening List CSV, a watchlist CSV with id and name columns, or a \
     manifest.json)"
        .into()
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The first line, without its line ending, at most 4 KiB.
fn first_line(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or_default().trim_ascii_end()
}

/// Text as UTF-8 when it is, else as Windows-1252/Latin-1 (older OFAC exports).
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

fn sha256_hex<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// A short stable id for lists whose entries have none: `prefix` and 12 hex digits of the
/// SHA-256 of the parts (upper-cased, space-collapsed, separated by `|`).
fn stable_id(prefix: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b"|");
        }
        let folded = part.split_whitespace().collect::<Vec<_>>().join(" ");
        hasher.update(folded.to_uppercase().as_bytes());
    }
    let digest = hex::encode(hasher.finalize());
    format!("{prefix}{}", digest.get(..12).unwrap_or(&digest))
}

fn push_unique(values: &mut Vec<String>, value: String) {
    if !value.is_empty() && !values.contains(&value) {
        values.push(value);
    }
}

/// Words that mark a company, organisation or other non-person in lists that do not say which
/// (BIS, parts of the CSL, custom files without a type); compared without dots.
const COMPANY_MARKERS: &[&str] = &[
    "AB",
    "ACADEMY",
    "AERO",
    "AEROSPACE",
    "AG",
    "AGENCY",
    "AIRLINE",
    "AIRLINES",
    "AIRWAYS",
    "ARMY",
    "ASA",
    "ASSOCIATES",
    "ASSOCIATION",
    "AVIATION",
    "BANK",
    "BHD",
    "BRIGADE",
    "BV",
    "BVBA",
    "CAPITAL",
    "CENTER",
    "CENTRE",
    "CHEMICAL",
    "CHEMICALS",
    "CIA",
    "CJSC",
    "CO",
    "COMMERCE",
    "COMMERCIAL",
    "COMMITTEE",
    "COMPANY",
    "COMPLEX",
    "CONSTRUCTION",
    "CONSULTING",
    "CONTRACTING",
    "COOPERATIVE",
    "CORP",
    "CORPORATION",
    "DEVELOPMENT",
    "DMCC",
    "DOO",
    "EIRL",
    "ELECTRONIC",
    "ELECTRONICS",
    "ENERGY",
    "ENGINEERING",
    "ENTERPRISE",
    "ENTERPRISES",
    "EOOD",
    "EQUIPMENT",
    "EURL",
    "EXPORT",
    "EXPORTS",
    "FACTORY",
    "FOUNDATION",
    "FZ",
    "FZC",
    "FZCO",
    "FZE",
    "GIE",
    "GMBH",
    "GROUP",
    "HOLDING",
    "HOLDINGS",
    "IMPEX",
    "IMPORT",
    "IMPORTS",
    "INC",
    "INCORPORATED",
    "INDUSTRIAL",
    "INDUSTRIES",
    "INDUSTRY",
    "INSTITUTE",
    "INTERNATIONAL",
    "INVESTMENT",
    "INVESTMENTS",
    "JSC",
    "KFT",
    "KG",
    "LABORATORY",
    "LIMITED",
    "LLC",
    "LLP",
    "LOGISTICS",
    "LP",
    "LTD",
    "LTDA",
    "MACHINERY",
    "MANUFACTURING",
    "MARITIME",
    "MATERIALS",
    "METALS",
    "MINING",
    "MINISTRY",
    "MOTORS",
    "MOVEMENT",
    "NAVIGATION",
    "NETWORK",
    "NV",
    "OAO",
    "OJSC",
    "OOO",
    "ORGANISATION",
    "ORGANIZATION",
    "OYJ",
    "PAO",
    "PARTNERS",
    "PETROLEUM",
    "PHARMACEUTICALS",
    "PLANT",
    "PLC",
    "PRODUCTS",
    "PTE",
    "PTY",
    "PVT",
    "RESEARCH",
    "SA",
    "SARL",
    "SAS",
    "SASU",
    "SCA",
    "SCS",
    "SDN",
    "SECURITIES",
    "SERVICES",
    "SHIPPING",
    "SIA",
    "SL",
    "SNC",
    "SOLUTIONS",
    "SPA",
    "SPRL",
    "SPZOO",
    "SRL",
    "SRO",
    "STEEL",
    "SUPPLIES",
    "SUPPLY",
    "SYSTEMS",
    "TBK",
    "TECHNIK",
    "TECHNIQUES",
    "TECHNOLOGIES",
    "TECHNOLOGY",
    "TRADE",
    "TRADING",
    "TRANSPORT",
    "UAB",
    "UNIVERSITY",
    "ZAO",
    "ZRT",
];

/// Individual or Entity from a name alone: a company marker (`LTD`, `LLC`, `INC`, `CORP`,
/// `S.A.`, `CO.`, `TRADING`, …), a digit or an ampersand make it an entity.
fn guess_entity_type(name: &str) -> EntityType {
    let upper = name.to_uppercase();
    let company = upper
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"' | '/'))
        .map(|w| w.replace('.', ""))
        .any(|w| {
            w == "&"
                || w.bytes().any(|b| b.is_ascii_digit())
                || COMPANY_MARKERS.binary_search(&w.as_str()).is_ok()
        });
    if company {
        EntityType::Entity
    } else {
        EntityType::Individual
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Birth dates as lists write them: `12 Oct 1972`, `Oct 1972`, `1962`, `1972-10-12`,
/// `circa 1960`, `1962 to 1964` and `1958-1963` (each year of the range; a range of more than
/// 20 years gives its two ends), several separated by `;`.
fn parse_birth_dates(text: &str) -> Vec<BirthDate> {
    let mut dates = Vec::new();
    for part in text.split(';') {
        for date in parse_birth_date_range(part) {
            if !dates.contains(&date) {
                dates.push(date);
            }
        }
    }
    dates
}

fn parse_birth_date_range(text: &str) -> Vec<BirthDate> {
    let mut text = text.trim().trim_end_matches('.').trim();
    for prefix in [
        "circa ",
        "approximately ",
        "approx. ",
        "about ",
        "ca. ",
        "c. ",
    ] {
        if let Some(rest) = ofac::strip_prefix_ci(text, prefix) {
            text = rest.trim();
        }
    }
    let range = text
        .split_once(" to ")
        .or_else(|| text.split_once(" - "))
        .or_else(|| {
            text.split_once('-').filter(|(a, b)| {
                a.len() == 4
                    && b.len() == 4
                    && (a.bytes().chain(b.bytes())).all(|c| c.is_ascii_digit())
            })
        });
    let Some((from, to)) = range else {
        return parse_partial_date(text).into_iter().collect();
    };
    let (Some(from), Some(to)) = (parse_partial_date(from), parse_partial_date(to)) else {
        return Vec::new();
    };
    if from.year == to.year {
        return if from == to {
            vec![from]
        } else if from.month.is_some() && from.month == to.month {
            vec![BirthDate { day: None, ..from }]
        } else {
            vec![BirthDate::year(from.year)]
        };
    }
    let (low, high) = (from.year.min(to.year), from.year.max(to.year));
    if high - low <= 20 {
        (low..=high).map(BirthDate::year).collect()
    } else {
        vec![BirthDate::year(low), BirthDate::year(high)]
    }
}

/// One possibly partial date: `1972-10-12`, `1972-10`, `1972`, `1972/10/12`, `12 Oct 1972`,
/// `Oct 1972`, `October 12, 1972`. Years outside 1800–2100 and impossible dates are refused.
fn parse_partial_date(text: &str) -> Option<BirthDate> {
    let text = text.trim();
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let month_of = |s: &str| -> Option<u32> {
        let lower = s.to_ascii_lowercase();
        let head = lower.get(..3)?;
        let i = MONTHS.iter().position(|m| *m == head)?;
        u32::try_from(i + 1).ok()
    };
    let (year, month, day) = if text.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && text.contains(['-', '/'])
        && text.len() >= 7
        && text.get(4..5).is_some_and(|s| s == "-" || s == "/")
    {
        let mut it = text.split(['-', '/']);
        let year = number(it.next()?)?;
        let month = it
            .next()
            .map(number)
            .map(Option::from)
            .unwrap_or(Some(None))?;
        let day = match it.next() {
            Some(d) => Some(number(d.get(..d.len().min(2))?)?),
            None => None,
        };
        (year, month, day)
    } else {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|w| !w.is_empty())
            .collect();
        match words.as_slice() {
            [y] => (number(y)?, None, None),
            [m, y] => (number(y)?, Some(month_of(m)?), None),
            [d, m, y] if number(d).is_some() => (number(y)?, Some(month_of(m)?), Some(number(d)?)),
            [m, d, y] => (number(y)?, Some(month_of(m)?), Some(number(d)?)),
            _ => return None,
        }
    };
    if !(1800..=2100).contains(&year) {
        return None;
    }
    let year = i32::try_from(year).ok()?;
    match (month, day) {
        (Some(m), Some(d)) => chrono::NaiveDate::from_ymd_opt(year, m, d)?,
        (Some(m), None) => chrono::NaiveDate::from_ymd_opt(year, m, 1)?,
        (None, Some(_)) => return None,
        (None, None) => chrono::NaiveDate::from_ymd_opt(year, 1, 1)?,
    };
    Some(BirthDate { year, month, day })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: Option<u32>, day: Option<u32>) -> BirthDate {
        BirthDate { year, month, day }
    }

    #[test]
    fn birth_dates_in_list_spellings() {
        let y = BirthDate::year;
        let cases: Vec<(&str, Vec<BirthDate>)> = vec![
            ("12 Oct 1972", vec![date(1972, Some(10), Some(12))]),
            ("Oct 1972", vec![date(1972, Some(10), None)]),
            ("1962", vec![y(1962)]),
            ("circa 1960", vec![y(1960)]),
            ("circa 1958-1963", (1958..=1963).map(y).collect()),
            ("1962 to 1964", vec![y(1962), y(1963), y(1964)]),
            (
                "01 Jan 1960 to 31 Dec 1962",
                vec![y(1960), y(1961), y(1962)],
            ),
            ("01 Jan 1960 to 31 Dec 1960", vec![y(1960)]),
            ("Mar 1960 to Feb 1961", vec![y(1960), y(1961)]),
            ("1972-10-12", vec![date(1972, Some(10), Some(12))]),
            ("1972-10", vec![date(1972, Some(10), None)]),
            ("1974; 1975", vec![y(1974), y(1975)]),
            ("October 12, 1972", vec![date(1972, Some(10), Some(12))]),
            ("1900 to 2000", vec![y(1900), y(2000)]),
            ("31 Feb 1970", vec![]),
            ("1972-13-01", vec![]),
            ("12 Foo 1972", vec![]),
            ("9999", vec![]),
            ("", vec![]),
            ("-", vec![]),
            ("to", vec![]),
            ("1972-", vec![]),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_birth_dates(text), expected, "{text}");
        }
    }

    #[test]
    fn guesses_entity_type_from_name() {
        for name in [
            "ANNEXFIELD , LTD.",
            "JEN FIBERS, LLC",
            "SEGURIDAD Y ELECTRONICA MAFO, S.A.",
            "SHUTTLE LONG CO, LTD.",
            "ELMONT AG",
            "CHEAPSHOP4YOU LLC",
            "MEGATECH ENGINEERING & SERVICES PVT. LTD.",
            "AL NASER WINGS AIRLINES",
            "BAO AN CORPORATION",
        ] {
            assert_eq!(guess_entity_type(name), EntityType::Entity, "{name}");
        }
        for name in [
            " ADRIAN MANUEL HERNANDEZ",
            "JOEL PRADO, JR.",
            "IHSAN MEDHAT \"SAMMY\" ELASHI",
            "PEARL (A.K.A. NEI-CHIEN CHU) LI",
            "COLIN SACO",
        ] {
            assert_eq!(guess_entity_type(name), EntityType::Individual, "{name}");
        }
    }

    #[test]
    fn company_markers_are_sorted_for_binary_search() {
        assert!(COMPANY_MARKERS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn stable_ids_ignore_case_and_spacing() {
        assert_eq!(
            stable_id("dpl-", &["Jim  Rojas", "01/02/2003"]),
            stable_id("dpl-", &[" JIM ROJAS ", "01/02/2003"])
        );
        assert_eq!(stable_id("dpl-", &["a"]).len(), 16);
    }

    #[test]
    fn custom_list_id_is_the_file_stem() {
        assert_eq!(
            custom_list_id("bank_watchlist.csv"),
            "custom:bank_watchlist"
        );
        assert_eq!(custom_list_id("pep"), "custom:pep");
    }
}
