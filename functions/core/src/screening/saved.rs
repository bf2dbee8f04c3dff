//! The screener saved as bytes, so that a cold start loads it instead of parsing the list
//! files and building the index (`index.bin` beside the lists).
//!
//! Layout, little-endian throughout:
//!
//! ```text
//! magic (8) | format (u32) | checksum (u64) | body length (u64) | body
//! body: core version | build fingerprint (u64) | source the lists were read from
//!       | digests: (list id, SHA-256), and the manifest's and PUBLISHED's when they were read
//!       | files: (name, size) of every file the screener was built from
//!       | payload: the lists' entries and versions, then the index's arrays
//! ```
//!
//! The checksum (a 64-bit multiply-rotate hash over the body, not a cryptographic one: it
//! catches damage, the digests say which lists these are) and every length are checked
//! before use; every count is bounded by the bytes left, so hostile bytes can neither panic
//! nor make a large allocation. The saved form is refused, never guessed at, when the
//! format, the core version or the code that folds and keys names (the fingerprint over the
//! screening sources) differ from this build's, or when the lists are not the expected ones.
//! The caller then parses and builds as before.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::index::{
    next_screener_id, text_key, IndexedName, KeyHash, Neighbours, Screener, WordMeta, NO_WORD,
};
use super::lists::{self, ListFile};
use super::normalize::Token;
use super::score::{n_runs, table_token, PreparedToken, MAX_TOKENS};
use super::{BirthDate, EntityType, IdNumber, ListEntry, ListVersion, SanctionsList};
use crate::error::CoreError;

/// The saved index's file (or object) name beside the lists.
pub const INDEX_FILE: &str = "index.bin";

const MAGIC: &[u8; 8] = b"CSCRIDX\x1a";
const FORMAT: u32 = 2;
const CORE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// magic, format, checksum, body length.
const PREAMBLE: usize = 8 + 4 + 8 + 8;

/// Why a saved index was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedIndexError {
    #[error("not a saved screening index")]
    NotAnIndex,
    #[error("saved index format {found}, this build reads format {FORMAT}")]
    Format { found: u32 },
    #[error("saved by another build (compliance-core {found}), this is {CORE_VERSION}")]
    OtherBuild { found: String },
    #[error("saved index damaged: {0}")]
    Damaged(&'static str),
    #[error("saved index is of other lists: {0}")]
    OtherLists(String),
    #[error("saved index unreadable: {0}")]
    Unreadable(String),
}

type Result<T, E = SavedIndexError> = std::result::Result<T, E>;

/// What identifies this build's folding and keying: a hash of the screening sources, so that
/// an index saved by a build that folds or keys names differently is refused even when the
/// crate version did not change.
fn fingerprint() -> u64 {
    static FINGERPRINT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let sources: [&[u8]; 13] = [
            include_bytes!("mod.rs"),
            include_bytes!("index.rs"),
            include_bytes!("score.rs"),
            include_bytes!("normalize.rs"),
            include_bytes!("saved.rs"),
            include_bytes!("lists/mod.rs"),
            include_bytes!("lists/ofac.rs"),
            include_bytes!("lists/un.rs"),
            include_bytes!("lists/bis.rs"),
            include_bytes!("lists/csl.rs"),
            include_bytes!("lists/custom.rs"),
            include_bytes!("lists/country.rs"),
            CORE_VERSION.as_bytes(),
        ];
        let mut hash = Checksum::default();
        for source in sources {
            hash.update(&(source.len() as u64).to_le_bytes());
            hash.update(source);
        }
        hash.finish()
    })
}

// ---------------------------------------------------------------------------------------------
// Checksum

/// Four independent lanes of `(lane ^ word) * odd, rotated` over 8-byte words: each step is a
/// bijection of the lane, so any change confined to one word always changes the result.
/// About a byte per cycle; SHA-256 of the whole body would cost ten times that.
struct Checksum {
    lanes: [u64; 4],
    tail: Vec<u8>,
    len: u64,
}

impl Default for Checksum {
    fn default() -> Self {
        Self {
            lanes: [
                0x243f_6a88_85a3_08d3,
                0x1319_8a2e_0370_7344,
                0xa409_3822_299f_31d0,
                0x082e_fa98_ec4e_6c89,
            ],
            tail: Vec::new(),
            len: 0,
        }
    }
}

const PRIME: u64 = 0x9e37_79b9_7f4a_7c15;

impl Checksum {
    fn word(bytes: &[u8]) -> u64 {
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        u64::from_le_bytes(word)
    }

    fn blocks(&mut self, bytes: &[u8]) {
        let mut blocks = bytes.chunks_exact(32);
        for block in &mut blocks {
            for (lane, word) in self.lanes.iter_mut().zip(block.chunks_exact(8)) {
                *lane = ((*lane ^ Self::word(word)).wrapping_mul(PRIME)).rotate_left(29);
            }
        }
        self.tail.extend_from_slice(blocks.remainder());
    }

    fn update(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        let mut bytes = bytes;
        if !self.tail.is_empty() {
            let need = 32 - self.tail.len();
            let (head, rest) = bytes.split_at(need.min(bytes.len()));
            self.tail.extend_from_slice(head);
            bytes = rest;
            if self.tail.len() < 32 {
                return;
            }
            let block = std::mem::take(&mut self.tail);
            self.blocks(&block);
        }
        self.blocks(bytes);
    }

    fn finish(mut self) -> u64 {
        let tail = std::mem::take(&mut self.tail);
        for (lane, word) in self.lanes.iter_mut().zip(tail.chunks(8)) {
            *lane = ((*lane ^ Self::word(word)).wrapping_mul(PRIME)).rotate_left(29);
        }
        let mut h = self.len.wrapping_mul(PRIME);
        for (i, lane) in self.lanes.iter().enumerate() {
            h ^= lane.rotate_left(16 * i as u32);
            h = h.wrapping_mul(PRIME).rotate_left(31);
        }
        h ^ (h >> 29)
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut c = Checksum::default();
    c.update(bytes);
    c.finish()
}

// ---------------------------------------------------------------------------------------------
// Writing

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
    fn strs(&mut self, values: &[String]) {
        self.len(values.len());
        for v in values {
            self.str(v);
        }
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    fn opt_u32(&mut self, v: Option<u32>) {
        match v {
            Some(v) => {
                self.u8(1);
                self.u32(v);
            }
            None => self.u8(0),
        }
    }
    fn u32s(&mut self, values: &[u32]) {
        self.len(values.len());
        self.out.reserve(values.len() * 4);
        for v in values {
            self.u32(*v);
        }
    }
}

fn entity_type_code(t: EntityType) -> u8 {
    match t {
        EntityType::Individual => 0,
        EntityType::Entity => 1,
        EntityType::Vessel => 2,
        EntityType::Aircraft => 3,
    }
}

fn write_version(w: &mut Writer, v: &ListVersion) {
    w.str(&v.id);
    w.str(&v.source);
    w.opt_str(v.published.as_deref());
    w.u64(v.entries as u64);
    w.str(&v.sha256);
}

fn write_entry(w: &mut Writer, e: &ListEntry) {
    w.str(&e.id);
    w.str(&e.name);
    w.u8(entity_type_code(e.entity_type));
    w.strs(&e.programs);
    w.strs(&e.aliases);
    w.len(e.birth_dates.len());
    for d in &e.birth_dates {
        w.u32(d.year as u32);
        w.opt_u32(d.month);
        w.opt_u32(d.day);
    }
    w.strs(&e.nationalities);
    w.len(e.id_numbers.len());
    for id in &e.id_numbers {
        w.str(&id.kind);
        w.str(&id.number);
        w.opt_str(id.country.as_deref());
    }
    w.strs(&e.addresses);
}

fn write_token(w: &mut Writer, t: &PreparedToken) {
    w.str(&t.token.text);
    w.u8(u8::from(t.token.vowel_poor) | u8::from(t.token.particle) << 1 | u8::from(t.numeric) << 2);
    w.f64(t.weight);
    for k in t.keys {
        w.u64(k);
    }
    w.u64(t.letters);
}

fn write_payload(s: &Screener) -> Vec<u8> {
    // Names refer to tokens by number: the index's words, then the other tokens names hold
    // (particles, initials), numbered after them. The table goes first in the payload.
    let mut w = Writer::default();
    w.len(s.words.len());
    for word in &s.words {
        write_token(&mut w, word);
    }
    w.len(s.extras.len());
    for extra in &s.extras {
        write_token(&mut w, extra);
    }
    w.len(s.lists.len());
    for list in &s.lists {
        write_version(&mut w, &list.version);
        w.len(list.entries.len());
        for e in &list.entries {
            write_entry(&mut w, e);
        }
    }
    w.len(s.entries.len());
    for (li, ei) in &s.entries {
        w.u16(*li);
        w.u32(*ei);
    }
    w.len(s.meta.len());
    for m in &s.meta {
        w.u64(m.letters);
        w.u32(m.len);
        w.u8(u8::from(m.is_run) | u8::from(m.vowel_poor) << 1);
    }
    w.len(s.names.len());
    for n in &s.names {
        w.u32(n.entry);
        w.u16(n.alias);
        w.u8(entity_type_code(n.entity_type));
        // The units: the words, then the runs, which are always every run of two and three
        // adjacent words in order, so only their tokens are written.
        w.u8(n.tokens);
        let units = n.start as usize..n.start as usize + n.units();
        for &id in s.name_units.get(units.clone()).unwrap_or_default() {
            w.u32(id);
        }
        w.f64(n.total_weight);
        w.u16(n.keyed_mask);
        w.u8(n.initials);
        w.u16(n.bins);
        for &word in s.unit_words.get(units).unwrap_or_default() {
            w.u32(word);
        }
    }
    w.u32s(&s.occurrence_starts);
    w.len(s.occurrences.len());
    for (name, mask) in &s.occurrences {
        w.u32(*name);
        w.u16(*mask);
    }
    let mut postings: Vec<(u64, (u32, u32))> = s.postings.iter().map(|(k, v)| (*k, *v)).collect();
    postings.sort_unstable();
    w.len(postings.len());
    for (key, (from, to)) in postings {
        w.u64(key);
        w.u32(from);
        w.u32(to);
    }
    w.u32s(&s.posting_words);
    let mut ids: Vec<(&String, &Vec<u32>)> = s.id_numbers.iter().collect();
    ids.sort_unstable();
    w.len(ids.len());
    for (number, entries) in ids {
        w.str(number);
        w.u32s(entries);
    }
    // A screener built from the lists has no neighbours yet: they are found here, once for
    // every cold start that loads this index.
    let found;
    let neighbours = if s.neighbours.starts.is_empty() {
        found = s.find_neighbours();
        &found
    } else {
        &s.neighbours
    };
    write_neighbours(&mut w, neighbours);
    w.out
}

/// The neighbours table: the words alone (their keys are worked out again at load), and each
/// similarity as a number in a table of the distinct values (about 1,600 for 240,000 pairs):
/// 6 bytes a pair rather than 12. Lists with more distinct values than a `u16` numbers are
/// saved without the table (screening then searches for every word, with the same hits).
fn write_neighbours(w: &mut Writer, neighbours: &Neighbours) {
    let mut values: Vec<u64> = neighbours.similar.iter().map(|p| p.1.to_bits()).collect();
    values.sort_unstable();
    values.dedup();
    let codes: Option<Vec<u16>> = neighbours
        .similar
        .iter()
        .map(|p| {
            let at = values.binary_search(&p.1.to_bits()).ok()?;
            u16::try_from(at).ok()
        })
        .collect();
    let (Some(codes), true) = (codes, values.len() <= usize::from(u16::MAX)) else {
        return write_neighbours(w, &Neighbours::default());
    };
    w.len(neighbours.by_text.len());
    for &(_, word) in &neighbours.by_text {
        w.u32(word);
    }
    w.u32s(&neighbours.starts);
    w.len(values.len());
    for &value in &values {
        w.u64(value);
    }
    w.len(neighbours.similar.len());
    w.out.reserve(neighbours.similar.len() * 6);
    for (&(word, _), code) in neighbours.similar.iter().zip(codes) {
        w.u32(word);
        w.u16(code);
    }
}

/// The name and SHA-256 of the files besides the lists that change what a folder loads to
/// (the manifest's source and publication dates, `PUBLISHED`): digests of their own.
fn is_versioning_file(file: &ListFile) -> Option<&'static str> {
    match lists::recognise(file) {
        Some(lists::ListKind::Manifest) => Some("manifest"),
        None if file.name == "PUBLISHED" => Some("PUBLISHED"),
        _ => None,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Saves `screener`, built from `files` read from `source` (a folder or prefix): the digests
/// of its lists and of the manifest and `PUBLISHED` among `files`, the name and size of each
/// of `files`, and `source`, so that a load from elsewhere (the folder renamed into place,
/// `previous/`) gives the lists their new source.
pub fn save(screener: &Screener, files: &[ListFile], source: &str) -> Vec<u8> {
    let mut digests: Vec<(String, String)> = screener
        .lists
        .iter()
        .map(|l| (l.version.id.clone(), l.version.sha256.clone()))
        .collect();
    for file in files {
        if let Some(id) = is_versioning_file(file) {
            digests.push((id.to_string(), sha256_hex(&file.bytes)));
        }
    }
    digests.sort();
    let mut names: Vec<(&str, u64)> = files
        .iter()
        .filter(|f| f.name != INDEX_FILE)
        .map(|f| (f.name.as_str(), f.bytes.len() as u64))
        .collect();
    names.sort_unstable();

    let mut body = Writer::default();
    body.str(CORE_VERSION);
    body.u64(fingerprint());
    body.str(source);
    body.len(digests.len());
    for (id, sha) in &digests {
        body.str(id);
        body.str(sha);
    }
    body.len(names.len());
    for (name, size) in names {
        body.str(name);
        body.u64(size);
    }
    body.out.extend_from_slice(&write_payload(screener));

    let mut out = Vec::with_capacity(PREAMBLE + body.out.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&checksum(&body.out).to_le_bytes());
    out.extend_from_slice(&(body.out.len() as u64).to_le_bytes());
    out.extend_from_slice(&body.out);
    out
}

impl Screener {
    /// The screener as bytes: lists, versions and index. Its digests are the lists' ids and
    /// SHA-256s (see [`save`] for a folder's, with its manifest).
    pub fn to_bytes(&self) -> Vec<u8> {
        save(self, &[], "")
    }

    /// A screener saved by [`Screener::to_bytes`] or [`save`], when it holds exactly the
    /// `expected` digests (list id, SHA-256; `manifest` and `PUBLISHED` too when it was saved
    /// with them). Anything else (other lists, another build, truncated or damaged bytes) is
    /// an error, never a panic.
    pub fn from_bytes(bytes: &[u8], expected: &[(String, String)]) -> Result<Screener> {
        SavedIndex::parse(bytes)?.screener(expected)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Where the saved form's bytes come from: memory (read in place) or a file (through a
/// window). `next` is only ever asked for bytes the reader knows are left.
pub trait Input {
    /// The next `n` bytes, consumed.
    fn next(&mut self, n: usize) -> Result<&[u8]>;
}

impl Input for &[u8] {
    #[inline]
    fn next(&mut self, n: usize) -> Result<&[u8]> {
        // Borrowed in place: no copy of the bytes in memory.
        let (head, rest) = self.split_at_checked(n).ok_or(DAMAGED_END)?;
        *self = rest;
        Ok(head)
    }
}

/// A file read through a window of at least [`WINDOW`] bytes, never past `unread` bytes.
pub struct Streamed<R> {
    inner: R,
    window: Vec<u8>,
    at: usize,
    /// Bytes of the body not yet in the window.
    unread: u64,
}

impl<R: std::io::Read> Streamed<R> {
    fn new(inner: R, unread: u64) -> Self {
        Self {
            inner,
            window: Vec::new(),
            at: 0,
            unread,
        }
    }

    /// Moves what is left of the window to its start and reads at least enough for `n` bytes.
    #[cold]
    fn refill(&mut self, n: usize) -> Result<()> {
        self.window.drain(..self.at);
        self.at = 0;
        let held = self.window.len();
        let more = n
            .saturating_sub(held)
            .max(WINDOW)
            .min(usize::try_from(self.unread).unwrap_or(usize::MAX));
        if held + more < n {
            return Err(DAMAGED_END);
        }
        self.window.resize(held + more, 0);
        let mut filled = held;
        while filled < self.window.len() {
            let into = self.window.get_mut(filled..).unwrap_or_default();
            match self.inner.read(into) {
                Ok(0) | Err(_) => return Err(DAMAGED_END),
                Ok(k) => filled += k,
            }
        }
        self.unread -= more as u64;
        Ok(())
    }
}

impl<R: std::io::Read> Input for Streamed<R> {
    #[inline]
    fn next(&mut self, n: usize) -> Result<&[u8]> {
        if self.window.len() - self.at < n {
            self.refill(n)?;
        }
        let from = self.at;
        let bytes = self.window.get(from..from + n).ok_or(DAMAGED_END)?;
        self.at += n;
        Ok(bytes)
    }
}

/// Reads the saved form from an [`Input`], never past `left` bytes.
struct Reader<R> {
    input: R,
    /// Bytes not yet consumed.
    left: u64,
}

const WINDOW: usize = 1 << 18;

const DAMAGED_END: SavedIndexError = SavedIndexError::Damaged("ends early");

/// Little-endian numbers at fixed places of a record read whole (`bytes` holds them: the
/// record's length was asked of the reader).
fn le_u16(bytes: &[u8], at: usize) -> u16 {
    let mut b = [0u8; 2];
    if let Some(src) = bytes.get(at..at + 2) {
        b.copy_from_slice(src);
    }
    u16::from_le_bytes(b)
}
fn le_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(src) = bytes.get(at..at + 4) {
        b.copy_from_slice(src);
    }
    u32::from_le_bytes(b)
}
fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(src) = bytes.get(at..at + 8) {
        b.copy_from_slice(src);
    }
    u64::from_le_bytes(b)
}

impl<R: Input> Reader<R> {
    fn new(input: R, left: u64) -> Self {
        Self { input, left }
    }
    fn left(&self) -> usize {
        usize::try_from(self.left).unwrap_or(usize::MAX)
    }
    /// The next `n` bytes, consumed; an error when fewer are left.
    #[inline]
    fn next(&mut self, n: usize) -> Result<&[u8]> {
        if n as u64 > self.left {
            return Err(DAMAGED_END);
        }
        self.left -= n as u64;
        self.input.next(n)
    }
    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.next(N)?);
        Ok(out)
    }
    #[inline]
    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    #[inline]
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    #[inline]
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn bool(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(SavedIndexError::Damaged("a flag is neither 0 nor 1")),
        }
    }
    /// A count of items at least `min_size` bytes each: never more than the bytes left allow,
    /// so that no allocation is larger than the input.
    fn count(&mut self, min_size: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.left() {
            return Err(SavedIndexError::Damaged("a count exceeds the bytes left"));
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<&str> {
        let n = self.count(1)?;
        std::str::from_utf8(self.next(n)?)
            .map_err(|_| SavedIndexError::Damaged("text that is not UTF-8"))
    }
    fn string(&mut self) -> Result<String> {
        self.str().map(str::to_string)
    }
    fn strings(&mut self) -> Result<Vec<String>> {
        let n = self.count(4)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.string()?);
        }
        Ok(out)
    }
    fn opt_string(&mut self) -> Result<Option<String>> {
        Ok(if self.bool()? {
            Some(self.string()?)
        } else {
            None
        })
    }
    fn opt_u32(&mut self) -> Result<Option<u32>> {
        Ok(if self.bool()? {
            Some(self.u32()?)
        } else {
            None
        })
    }
    fn u32s(&mut self) -> Result<Vec<u32>> {
        let n = self.count(4)?;
        let bytes = self.next(n * 4)?;
        Ok(bytes.chunks_exact(4).map(|c| le_u32(c, 0)).collect())
    }
    fn entity_type(&mut self) -> Result<EntityType> {
        entity_type_of(self.u8()?)
    }
}

fn entity_type_of(code: u8) -> Result<EntityType> {
    Ok(match code {
        0 => EntityType::Individual,
        1 => EntityType::Entity,
        2 => EntityType::Vessel,
        3 => EntityType::Aircraft,
        _ => return Err(SavedIndexError::Damaged("unknown entity type")),
    })
}

fn read_version(r: &mut Reader<impl Input>) -> Result<ListVersion> {
    Ok(ListVersion {
        id: r.string()?,
        source: r.string()?,
        published: r.opt_string()?,
        entries: usize::try_from(r.u64()?).map_err(|_| SavedIndexError::Damaged("entry count"))?,
        sha256: r.string()?,
    })
}

fn read_entry(r: &mut Reader<impl Input>) -> Result<ListEntry> {
    let id = r.string()?;
    let name = r.string()?;
    let entity_type = r.entity_type()?;
    let programs = r.strings()?;
    let aliases = r.strings()?;
    let n = r.count(6)?;
    let mut birth_dates = Vec::with_capacity(n);
    for _ in 0..n {
        birth_dates.push(BirthDate {
            year: r.u32()? as i32,
            month: r.opt_u32()?,
            day: r.opt_u32()?,
        });
    }
    let nationalities = r.strings()?;
    let n = r.count(9)?;
    let mut id_numbers = Vec::with_capacity(n);
    for _ in 0..n {
        id_numbers.push(IdNumber {
            kind: r.string()?,
            number: r.string()?,
            country: r.opt_string()?,
        });
    }
    let addresses = r.strings()?;
    Ok(ListEntry {
        id,
        name,
        entity_type,
        programs,
        aliases,
        birth_dates,
        nationalities,
        id_numbers,
        addresses,
    })
}

/// Bytes of one written token, text excluded.
const TOKEN_FIXED: usize = 4 + 1 + 8 + 5 * 8 + 8;

fn read_token(r: &mut Reader<impl Input>) -> Result<PreparedToken> {
    // Shared by every name that holds the token: one allocation per distinct token.
    let text: Arc<str> = Arc::from(r.str()?);
    // flags, weight, keys, letters: read as one record.
    let fixed = r.next(TOKEN_FIXED - 4)?;
    let flags = fixed.first().copied().unwrap_or(u8::MAX);
    if flags > 7 {
        return Err(SavedIndexError::Damaged("token flags"));
    }
    let weight = f64::from_bits(le_u64(fixed, 1));
    let mut keys = [0u64; 5];
    for (i, k) in keys.iter_mut().enumerate() {
        *k = le_u64(fixed, 9 + 8 * i);
    }
    let letters = le_u64(fixed, 49);
    Ok(PreparedToken {
        token: Token {
            text,
            vowel_poor: flags & 1 != 0,
            particle: flags & 2 != 0,
        },
        weight,
        keys,
        letters,
        numeric: flags & 4 != 0,
    })
}

/// Fixed bytes of a written name before its token numbers: entry, alias, kind, word count.
const NAME_HEAD: usize = 4 + 2 + 1 + 1;
/// Fixed bytes after them: total weight, keyed mask, initials, bins.
const NAME_TAIL: usize = 8 + 2 + 1 + 2;

fn read_payload(r: &mut Reader<impl Input>) -> Result<Screener> {
    let damaged = SavedIndexError::Damaged;
    let n = r.count(TOKEN_FIXED)?;
    let mut words = Vec::with_capacity(n);
    for _ in 0..n {
        words.push(read_token(r)?);
    }
    let n = r.count(TOKEN_FIXED)?;
    let mut extras = Vec::with_capacity(n);
    for _ in 0..n {
        extras.push(read_token(r)?);
    }

    let n = r.count(8)?;
    let mut lists = Vec::with_capacity(n);
    for _ in 0..n {
        let version = read_version(r)?;
        let m = r.count(8)?;
        let mut entries = Vec::with_capacity(m);
        for _ in 0..m {
            entries.push(read_entry(r)?);
        }
        lists.push(SanctionsList { version, entries });
    }
    let n = r.count(6)?;
    let mut entries = Vec::with_capacity(n);
    for record in r.next(n * 6)?.chunks_exact(6) {
        let (li, ei) = (le_u16(record, 0), le_u32(record, 2));
        let valid = lists
            .get(li as usize)
            .is_some_and(|l: &SanctionsList| (ei as usize) < l.entries.len());
        if !valid {
            return Err(damaged("entry out of range"));
        }
        entries.push((li, ei));
    }
    let n = r.count(13)?;
    if n != words.len() {
        return Err(damaged("word data out of step"));
    }
    let mut meta = Vec::with_capacity(n);
    for record in r.next(n * 13)?.chunks_exact(13) {
        let flags = record.get(12).copied().unwrap_or(u8::MAX);
        if flags > 3 {
            return Err(damaged("word flags"));
        }
        meta.push(WordMeta {
            letters: le_u64(record, 0),
            len: le_u32(record, 8),
            is_run: flags & 1 != 0,
            vowel_poor: flags & 2 != 0,
        });
    }
    let n = r.count(NAME_HEAD + 4 + NAME_TAIL)?;
    let mut names = Vec::with_capacity(n);
    let mut name_units = Vec::with_capacity(n * 6);
    let mut unit_words = Vec::with_capacity(n * 6);
    let mut unit_weights = Vec::with_capacity(n * 6);
    for _ in 0..n {
        let head = r.next(NAME_HEAD)?;
        let entry = le_u32(head, 0);
        let alias = le_u16(head, 4);
        let entity_type = entity_type_of(head.get(6).copied().unwrap_or(u8::MAX))?;
        let count = head.get(7).copied().unwrap_or(0) as usize;
        let aliases = entries
            .get(entry as usize)
            .and_then(|(li, ei)| lists.get(*li as usize)?.entries.get(*ei as usize))
            .map(|e| e.aliases.len())
            .ok_or(damaged("name of no entry"))?;
        if alias as usize > aliases {
            return Err(damaged("alias out of range"));
        }
        if count == 0 || count > MAX_TOKENS {
            return Err(damaged("name length"));
        }
        let units = count + n_runs(count);
        let start = name_units.len();
        for id in r.next(4 * units)?.chunks_exact(4) {
            let id = le_u32(id, 0);
            let token =
                table_token(&words, &extras, id).ok_or(damaged("token number out of range"))?;
            name_units.push(id);
            unit_weights.push(token.weight);
        }
        let tail = r.next(NAME_TAIL)?;
        let total_weight = f64::from_bits(le_u64(tail, 0));
        let keyed_mask = le_u16(tail, 8);
        let initials = tail.get(10).copied().unwrap_or(u8::MAX);
        let bins = le_u16(tail, 11);
        for w in r.next(4 * units)?.chunks_exact(4) {
            let w = le_u32(w, 0);
            if w != NO_WORD && w as usize >= words.len() {
                return Err(damaged("word number out of range"));
            }
            unit_words.push(w);
        }
        if usize::from(initials) > count || u32::from(keyed_mask | bins) >> count != 0 {
            return Err(damaged("name masks"));
        }
        names.push(IndexedName {
            entry,
            alias,
            entity_type,
            tokens: count as u8,
            initials,
            keyed_mask,
            bins,
            start: u32::try_from(start).map_err(|_| damaged("too many names"))?,
            total_weight,
        });
    }
    let occurrence_starts = r.u32s()?;
    let n = r.count(6)?;
    let mut occurrences = Vec::with_capacity(n);
    for record in r.next(n * 6)?.chunks_exact(6) {
        let (name, mask) = (le_u32(record, 0), le_u16(record, 4));
        if name as usize >= names.len() {
            return Err(damaged("occurrence of no name"));
        }
        occurrences.push((name, mask));
    }
    let starts_valid = occurrence_starts.len() == words.len() + 1
        && occurrence_starts.windows(2).all(|w| w[0] <= w[1])
        && occurrence_starts.first() == Some(&0)
        && occurrence_starts.last().map(|&l| l as usize) == Some(occurrences.len());
    if !starts_valid {
        return Err(damaged("occurrence ranges"));
    }
    let n = r.count(16)?;
    let mut ranges = Vec::with_capacity(n);
    for record in r.next(n * 16)?.chunks_exact(16) {
        ranges.push((le_u64(record, 0), le_u32(record, 8), le_u32(record, 12)));
    }
    let posting_words = r.u32s()?;
    if posting_words.iter().any(|&w| w as usize >= words.len()) {
        return Err(damaged("posting of no word"));
    }
    let mut postings: HashMap<u64, (u32, u32), KeyHash> =
        HashMap::with_capacity_and_hasher(ranges.len(), KeyHash::default());
    for (key, from, to) in ranges {
        if from > to || to as usize > posting_words.len() {
            return Err(damaged("posting range"));
        }
        postings.insert(key, (from, to));
    }
    let n = r.count(8)?;
    let mut id_numbers = HashMap::with_capacity(n);
    for _ in 0..n {
        let number = r.string()?;
        let holders = r.u32s()?;
        if holders.iter().any(|&e| e as usize >= entries.len()) {
            return Err(damaged("id number of no entry"));
        }
        id_numbers.insert(number, holders);
    }
    let n = r.count(4)?;
    let mut by_text = Vec::with_capacity(n);
    for record in r.next(n * 4)?.chunks_exact(4) {
        let word = le_u32(record, 0);
        let single = meta.get(word as usize).is_some_and(|m| !m.is_run);
        let Some(token) = words.get(word as usize).filter(|_| single) else {
            return Err(damaged("neighbours of no single word"));
        };
        by_text.push((text_key(token), word));
    }
    let starts = r.u32s()?;
    let n = r.count(8)?;
    let mut values = Vec::with_capacity(n);
    for record in r.next(n * 8)?.chunks_exact(8) {
        let value = f64::from_bits(le_u64(record, 0));
        if !(value > 0.0 && value <= 1.0) {
            return Err(damaged("similarity out of range"));
        }
        values.push(value);
    }
    let n = r.count(6)?;
    let mut similar = Vec::with_capacity(n);
    for record in r.next(n * 6)?.chunks_exact(6) {
        let (word, code) = (le_u32(record, 0), le_u16(record, 4));
        match values.get(usize::from(code)) {
            Some(&similarity) if (word as usize) < words.len() => similar.push((word, similarity)),
            _ => return Err(damaged("neighbour")),
        }
    }
    // A table of neighbours covers every word, or there is none.
    let neighbours_valid = if starts.is_empty() {
        by_text.is_empty() && similar.is_empty()
    } else {
        starts.len() == by_text.len() + 1
            && starts.first() == Some(&0)
            && starts.windows(2).all(|w| w[0] <= w[1])
            && starts.last().map(|&l| l as usize) == Some(similar.len())
            && by_text.windows(2).all(|pair| pair[0] < pair[1])
    };
    if !neighbours_valid {
        return Err(damaged("neighbour ranges"));
    }
    if r.left != 0 {
        return Err(damaged("bytes after the end"));
    }
    Ok(Screener {
        id: next_screener_id(),
        lists,
        entries,
        names,
        name_units,
        unit_words,
        unit_weights,
        extras,
        words,
        meta,
        occurrence_starts,
        occurrences,
        postings,
        posting_words,
        id_numbers,
        neighbours: Neighbours {
            by_text,
            starts,
            similar,
        },
    })
}

/// A saved index whose preamble, checksum and build were checked, its header read; the rest
/// is read by [`SavedIndex::screener`].
pub struct SavedIndex<R> {
    /// The folder or prefix the lists were read from when it was saved.
    pub source: String,
    /// (list id, SHA-256), with `manifest` and `PUBLISHED` when they were read; sorted.
    pub digests: Vec<(String, String)>,
    /// (name, size) of each file it was built from, sorted.
    pub files: Vec<(String, u64)>,
    payload: Reader<R>,
}

/// Checks a preamble (`head`, its first [`PREAMBLE`] bytes) of a saved index whose body
/// is `body_len` bytes: magic, format, body length; returns the body's checksum.
fn preamble(head: &[u8], body_len: u64) -> Result<u64> {
    if head.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Err(SavedIndexError::NotAnIndex);
    }
    let mut r = Reader::new(head.get(MAGIC.len()..PREAMBLE).ok_or(DAMAGED_END)?, 20);
    let format = r.u32()?;
    if format != FORMAT {
        return Err(SavedIndexError::Format { found: format });
    }
    let sum = r.u64()?;
    if r.u64()? != body_len {
        return Err(SavedIndexError::Damaged(
            "length differs from the bytes given",
        ));
    }
    Ok(sum)
}

impl<'a> SavedIndex<&'a [u8]> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let body = bytes.get(PREAMBLE..).unwrap_or_default();
        let sum = preamble(bytes, body.len() as u64)?;
        if checksum(body) != sum {
            return Err(SavedIndexError::Damaged("checksum differs"));
        }
        Self::header(Reader::new(body, body.len() as u64))
    }
}

impl SavedIndex<Streamed<std::fs::File>> {
    /// The saved index in the file at `path`, read as it is decoded (the file is never held
    /// whole in memory): one pass for the checksum, one for the content.
    pub fn open(path: &Path) -> std::result::Result<Self, SavedIndexError> {
        use std::io::{Read, Seek};
        let io = |e: std::io::Error| SavedIndexError::Unreadable(e.to_string());
        let mut file = std::fs::File::open(path).map_err(io)?;
        let total = file.metadata().map_err(io)?.len();
        let mut head = [0u8; PREAMBLE];
        file.read_exact(&mut head).map_err(|_| DAMAGED_END)?;
        let body_len = total.saturating_sub(PREAMBLE as u64);
        let sum = preamble(&head, body_len)?;
        let mut hash = Checksum::default();
        let mut chunk = vec![0u8; WINDOW];
        let mut read = 0u64;
        loop {
            let n = file.read(&mut chunk).map_err(io)?;
            if n == 0 {
                break;
            }
            hash.update(chunk.get(..n).unwrap_or_default());
            read += n as u64;
        }
        if read != body_len || hash.finish() != sum {
            return Err(SavedIndexError::Damaged("checksum differs"));
        }
        file.seek(std::io::SeekFrom::Start(PREAMBLE as u64))
            .map_err(io)?;
        Self::header(Reader::new(Streamed::new(file, body_len), body_len))
    }
}

impl<R: Input> SavedIndex<R> {
    fn header(mut r: Reader<R>) -> Result<Self> {
        let version = r.string()?;
        let print = r.u64()?;
        if version != CORE_VERSION || print != fingerprint() {
            return Err(SavedIndexError::OtherBuild {
                found: if version == CORE_VERSION {
                    format!("{version}, other screening code")
                } else {
                    version
                },
            });
        }
        let source = r.string()?;
        let n = r.count(8)?;
        let mut digests = Vec::with_capacity(n);
        for _ in 0..n {
            digests.push((r.string()?, r.string()?));
        }
        let n = r.count(12)?;
        let mut files = Vec::with_capacity(n);
        for _ in 0..n {
            files.push((r.string()?, r.u64()?));
        }
        Ok(Self {
            source,
            digests,
            files,
            payload: r,
        })
    }

    /// The screener, when the saved digests are exactly `expected` (in any order).
    pub fn screener(mut self, expected: &[(String, String)]) -> Result<Screener> {
        let mut wanted = expected.to_vec();
        wanted.sort();
        if wanted != self.digests {
            let show = |d: &[(String, String)]| {
                d.iter()
                    .map(|(id, sha)| format!("{id} {}", sha.get(..12).unwrap_or(sha)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(SavedIndexError::OtherLists(format!(
                "saved for {}; expected {}",
                show(&self.digests),
                show(&wanted)
            )));
        }
        let screener = read_payload(&mut self.payload)?;
        let versions: Vec<(&str, &str)> = screener
            .lists
            .iter()
            .map(|l| (l.version.id.as_str(), l.version.sha256.as_str()))
            .collect();
        let all_listed = versions
            .iter()
            .all(|(id, sha)| self.digests.iter().any(|(i, s)| i == id && s == sha));
        if !all_listed || versions.len() + self.extra_digests() != self.digests.len() {
            return Err(SavedIndexError::Damaged("lists differ from the header"));
        }
        Ok(screener)
    }

    fn extra_digests(&self) -> usize {
        self.digests
            .iter()
            .filter(|(id, _)| id == "manifest" || id == "PUBLISHED")
            .count()
    }
}

/// Gives the lists read from `from` when the index was saved the source they have when read
/// from `to` (a folder renamed into place, a `previous/` copy).
pub fn rebase_sources(screener: &mut Screener, from: &str, to: &str) {
    if from.is_empty() || from == to {
        return;
    }
    let (from, to) = (from.trim_end_matches('/'), to.trim_end_matches('/'));
    for list in &mut screener.lists {
        if let Some(rest) = list.version.source.strip_prefix(from) {
            if rest.is_empty() || rest.starts_with('/') {
                list.version.source = format!("{to}{rest}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A lists folder

/// Whether a folder's saved index was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexUse {
    /// Loaded from `index.bin`: no parse, no build.
    Loaded,
    /// No `index.bin`: parsed and built.
    Absent,
    /// `index.bin` refused (why): parsed and built.
    Refused(String),
}

/// Loads a lists folder: from its `index.bin` when that was saved from exactly these lists
/// (the SHA-256 of each list file, of the manifest and of `PUBLISHED`, as the folder holds them
/// now) by this build; otherwise, with a warning, by parsing the files and building the index
/// as [`lists::load_dir`] and [`Screener::new`] do. Hashing the files costs a few
/// milliseconds (SHA-256 instructions); parsing and building, a quarter of a second.
pub fn load_dir_with_index(dir: &Path) -> Result<(Screener, IndexUse), CoreError> {
    let source = dir.display().to_string();
    let index = dir.join(INDEX_FILE);
    let why = if !index.is_file() {
        IndexUse::Absent
    } else {
        // The list files are read for their digests only, and let go before the index is
        // read (itself streamed), so that the two are never in memory together.
        let expected = lists::digests(&lists::read_dir_files(dir)?);
        let loaded = SavedIndex::open(&index).and_then(|saved| {
            let from = saved.source.clone();
            saved.screener(&expected).map(|screener| (screener, from))
        });
        match loaded {
            Ok((mut screener, from)) => {
                rebase_sources(&mut screener, &from, &source);
                return Ok((screener, IndexUse::Loaded));
            }
            Err(e) => {
                tracing::warn!(
                    folder = %source,
                    reason = %e,
                    "saved screening index not used; parsing the lists and building the index"
                );
                IndexUse::Refused(e.to_string())
            }
        }
    };
    let loaded = lists::load(&lists::read_dir_files(dir)?, &source)?;
    Ok((Screener::new(loaded), why))
}

/// [`load_dir_with_index`] without saying whether the index was used.
pub fn load_dir(dir: &Path) -> Result<Screener, CoreError> {
    load_dir_with_index(dir).map(|(screener, _)| screener)
}

/// Parses the lists of `dir`, builds the index and writes it to `dir/index.bin` (through a
/// temporary file renamed into place); returns the screener. Call it once the folder holds
/// the files to install, manifest included.
pub fn write_dir_index(dir: &Path) -> Result<Screener, CoreError> {
    let io = |e: std::io::Error| CoreError::List {
        list: dir.join(INDEX_FILE).display().to_string(),
        detail: e.to_string(),
    };
    let files: Vec<ListFile> = lists::read_dir_files(dir)?
        .into_iter()
        .filter(|f| f.name != INDEX_FILE)
        .collect();
    let source = dir.display().to_string();
    let screener = Screener::new(lists::load(&files, &source)?);
    let bytes = save(&screener, &files, &source);
    let partial = dir.join(format!(".{INDEX_FILE}.partial-{}", std::process::id()));
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&partial).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&partial, dir.join(INDEX_FILE)).map_err(io)?;
    Ok(screener)
}

/// The body checksum, for tests that forge a well-sealed but hostile index.
#[doc(hidden)]
pub fn checksum_for_tests(body: &[u8]) -> u64 {
    checksum(body)
}

// ---------------------------------------------------------------------------------------------
// An object-storage prefix

/// For a set read from object storage (`source`, e.g. `s3://bucket/lists/`), without reading
/// its list objects: the screener saved in `index`, when it was saved for exactly the objects
/// now under the prefix (`objects`: name and size of each, the index itself left out) with the
/// manifest now there (`manifest`, its bytes). The manifest is the set's commit marker: every
/// list it names must be in the index with its SHA-256, and the manifest must be the one the
/// index was saved with; lists it does not name (a bank's own watchlist carried over) are
/// vouched for by the objects' names and sizes. Anything else is an error: read and parse the
/// objects instead.
pub fn load_for_manifest(
    index: &[u8],
    manifest: &[u8],
    objects: &[(String, u64)],
    source: &str,
) -> Result<Screener> {
    let saved = SavedIndex::parse(index)?;
    let parsed: lists::Manifest = serde_json::from_slice(manifest)
        .map_err(|e| SavedIndexError::OtherLists(format!("unreadable manifest: {e}")))?;
    let mut listed: Vec<(String, u64)> = objects
        .iter()
        .filter(|(name, _)| name != INDEX_FILE)
        .cloned()
        .collect();
    listed.sort_unstable();
    if listed != saved.files {
        return Err(SavedIndexError::OtherLists(
            "the objects under the prefix are not those it was saved with".into(),
        ));
    }
    let mut expected: Vec<(String, String)> = parsed
        .lists
        .iter()
        .map(|m| (m.id.clone(), m.sha256.clone()))
        .collect();
    expected.push(("manifest".into(), sha256_hex(manifest)));
    for (id, sha) in &saved.digests {
        if !expected.iter().any(|(e, _)| e == id) {
            expected.push((id.clone(), sha.clone()));
        }
    }
    let from = saved.source.clone();
    let mut screener = saved.screener(&expected)?;
    rebase_sources(&mut screener, &from, source);
    Ok(screener)
}

#[cfg(test)]
mod tests {
    use super::super::score::NameView;
    use super::*;

    #[test]
    fn a_saved_index_carries_the_neighbours_of_every_listed_word() {
        let built = Screener::new(lists::bundled().expect("bundled lists"));
        assert!(built.neighbours.starts.is_empty(), "found only when saved");
        let digests: Vec<(String, String)> = built
            .versions()
            .into_iter()
            .map(|v| (v.id, v.sha256))
            .collect();
        let loaded = Screener::from_bytes(&built.to_bytes(), &digests).expect("saved index");
        let found = built.find_neighbours();
        assert!(!found.similar.is_empty());
        assert_eq!(loaded.neighbours.by_text, found.by_text);
        assert_eq!(loaded.neighbours.starts, found.starts);
        let bits = |n: &Neighbours| -> Vec<(u32, u64)> {
            n.similar.iter().map(|&(w, s)| (w, s.to_bits())).collect()
        };
        assert_eq!(bits(&loaded.neighbours), bits(&found));
        // The names refer to the same prepared words in both.
        assert_eq!(loaded.name_units.len(), built.name_units.len());
        for (a, b) in loaded.names.iter().zip(&built.names) {
            let (a, b) = (loaded.listed(a), built.listed(b));
            for i in 0..a.tokens {
                let (x, y) = (a.token(i).expect("word"), b.token(i).expect("word"));
                assert!(super::super::index::same_token(x, y));
            }
        }
    }
}
