//! Document intake: turns raw bytes into text (and rows for tabular files), within limits.
//! Every failure is a value, never a panic: the caller records it as an `unreadable` decision.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

mod json;

/// Bounds that keep one hostile document from exhausting a 128 MB Lambda or hanging it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntakeLimits {
    pub max_bytes: u64,
    pub max_pdf_pages: usize,
    pub max_decompressed_bytes: usize,
    pub max_text_chars: usize,
    pub max_csv_rows: usize,
    pub time_budget: Duration,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_pdf_pages: 200,
            max_decompressed_bytes: 32 * 1024 * 1024,
            max_text_chars: 2_000_000,
            max_csv_rows: 100_000,
            time_budget: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Text,
    Csv,
    Json,
}

/// Tabular content (a CSV file, or a JSON array of flat objects), headers lower-cased.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.headers.iter().position(|h| h == n))
    }
}

#[derive(Debug, Clone)]
pub struct DocumentText {
    pub format: Format,
    pub text: String,
    pub pages: Option<usize>,
    pub table: Option<Table>,
    /// Whether the text was cut at `max_text_chars`.
    pub truncated: bool,
}

/// Why a document could not be read. The message is safe to log: it never quotes content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unreadable {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("encrypted PDF that needs a password")]
    Encrypted,
    #[error("the PDF has no text layer (a scan?); it needs OCR")]
    NoTextLayer,
    #[error("the PDF could not be parsed: {detail}")]
    CorruptPdf { detail: String },
    #[error("the PDF has {pages} pages, over the limit of {limit}")]
    TooManyPages { pages: usize, limit: usize },
    #[error("the parser crashed on this file")]
    ParserPanic,
    #[error("reading took longer than the {seconds} s budget")]
    Timeout { seconds: u64 },
    #[error("binary content that is not a supported document format")]
    Binary,
    #[error("invalid {format}: {detail}")]
    Malformed { format: String, detail: String },
    #[error("the object could not be fetched: {detail}")]
    NotFetched { detail: String },
}

/// Reads a document. `name` (file name or object key) only breaks ties: content decides first.
pub fn read(name: &str, bytes: &[u8], limits: &IntakeLimits) -> Result<DocumentText, Unreadable> {
    if bytes.is_empty() {
        return Err(Unreadable::Empty);
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Unreadable::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    if bytes.starts_with(b"%PDF-") || (name_has_ext(name, "pdf") && find_pdf_header(bytes)) {
        return read_pdf(bytes, limits);
    }
    if name_has_ext(name, "pdf") {
        return Err(Unreadable::CorruptPdf {
            detail: "no %PDF- header".into(),
        });
    }
    let text = decode_text(bytes)?;
    let trimmed = text.trim_start();
    if name_has_ext(name, "json")
        || ((trimmed.starts_with('{') || trimmed.starts_with('[')) && !name_has_ext(name, "csv"))
    {
        return read_json(&text, limits);
    }
    if name_has_ext(name, "csv") || name_has_ext(name, "tsv") {
        return read_csv(&text, limits);
    }
    Ok(truncate(Format::Text, text, None, None, limits))
}

fn name_has_ext(name: &str, ext: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, e)| e.eq_ignore_ascii_case(ext))
}

/// Some producers put junk before the header; the PDF spec tolerates it within the first 1 KB.
fn find_pdf_header(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// Caps the text at `max_text_chars` bytes (on a character boundary), copying no more than
/// that of a borrowed text.
fn truncate(
    format: Format,
    text: Cow<'_, str>,
    pages: Option<usize>,
    table: Option<Table>,
    limits: &IntakeLimits,
) -> DocumentText {
    let (text, truncated) = if text.len() > limits.max_text_chars {
        let mut cut = limits.max_text_chars;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        (text[..cut].to_string(), true)
    } else {
        (text.into_owned(), false)
    };
    DocumentText {
        format,
        text,
        pages,
        table,
        truncated,
    }
}

/// Borrows the bytes when they are UTF-8 already: a 20 MB upload is not copied.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, Unreadable> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Ok(String::from_utf8_lossy(rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(Cow::Owned(decode_utf16(rest, u16::from_le_bytes)));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(Cow::Owned(decode_utf16(rest, u16::from_be_bytes)));
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let control = sample
        .iter()
        .filter(|&&b| b < 0x09 || (b > 0x0D && b < 0x20))
        .count();
    if sample.contains(&0) || control * 20 > sample.len() {
        return Err(Unreadable::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
    }
}

fn decode_utf16(bytes: &[u8], from: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| from([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

fn read_json(text: &str, limits: &IntakeLimits) -> Result<DocumentText, Unreadable> {
    let flat = json::flatten(text, limits.max_text_chars, limits.max_csv_rows).map_err(|e| {
        Unreadable::Malformed {
            format: "JSON".into(),
            detail: format!("line {} column {}", e.line(), e.column()),
        }
    })?;
    let mut doc = truncate(
        Format::Json,
        Cow::Owned(flat.text),
        None,
        flat.table,
        limits,
    );
    doc.truncated |= flat.truncated;
    Ok(doc)
}

fn read_csv(text: &str, limits: &IntakeLimits) -> Result<DocumentText, Unreadable> {
    let delimiter = if text.lines().next().is_some_and(|l| l.contains('\t')) {
        b'\t'
    } else if text
        .lines()
        .next()
        .is_some_and(|l| l.matches(';').count() > l.matches(',').count())
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        if rows.len() >= limits.max_csv_rows {
            return Err(Unreadable::Malformed {
                format: "CSV".into(),
                detail: format!("more than {} rows", limits.max_csv_rows),
            });
        }
        let record = record.map_err(|e| csv_error(&e))?;
        rows.push(record.iter().map(|f| f.trim().to_string()).collect());
    }
    let table = Table { headers, rows };
    Ok(truncate(
        Format::Csv,
        Cow::Borrowed(text),
        None,
        Some(table),
        limits,
    ))
}

fn csv_error(e: &csv::Error) -> Unreadable {
    let detail = match e.position() {
        Some(p) => format!("record {} (line {})", p.record(), p.line()),
        None => "unreadable record".to_string(),
    };
    Unreadable::Malformed {
        format: "CSV".into(),
        detail,
    }
}

fn read_pdf(bytes: &[u8], limits: &IntakeLimits) -> Result<DocumentText, Unreadable> {
    let started = Instant::now();
    // lopdf returned errors rather than panicking on thousands of corrupt files, but a parser
    // bug must still not take the process down: a caught panic becomes `unreadable`.
    let outcome = catch_unwind(AssertUnwindSafe(|| extract_pdf(bytes, limits, started)));
    match outcome {
        Ok(result) => result,
        Err(_) => Err(Unreadable::ParserPanic),
    }
}

fn extract_pdf(
    bytes: &[u8],
    limits: &IntakeLimits,
    started: Instant,
) -> Result<DocumentText, Unreadable> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..Default::default()
    };
    let document = match lopdf::Document::load_mem_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(e) => {
            let detail = e.to_string();
            if detail.to_lowercase().contains("password") || detail.contains("decrypt") {
                return Err(Unreadable::Encrypted);
            }
            return Err(Unreadable::CorruptPdf {
                detail: first_line(&detail),
            });
        }
    };
    if document.is_encrypted() {
        // lopdf decrypts with the empty user password while loading; still encrypted means a
        // real password is needed.
        return Err(Unreadable::Encrypted);
    }
    let pages = document.get_pages();
    if pages.len() > limits.max_pdf_pages {
        return Err(Unreadable::TooManyPages {
            pages: pages.len(),
            limit: limits.max_pdf_pages,
        });
    }
    let mut text = String::new();
    let mut undecodable_pages = 0;
    for (page, page_id) in &pages {
        if started.elapsed() > limits.time_budget {
            return Err(Unreadable::Timeout {
                seconds: limits.time_budget.as_secs(),
            });
        }
        // A page whose content cannot be decoded is skipped; the rest still counts.
        match document.extract_text_with_limit(&[*page], limits.max_decompressed_bytes) {
            Ok(page_text) => {
                // lopdf falls back to the raw bytes of a stream it cannot inflate, which
                // yields no text: that page is damaged, not a scan.
                if !page_text.chars().any(char::is_alphanumeric)
                    && has_undecodable_stream(&document, *page_id, limits)
                {
                    undecodable_pages += 1;
                }
                text.push_str(&page_text);
                text.push('\n');
            }
            Err(_) => undecodable_pages += 1,
        }
        if text.len() > limits.max_text_chars {
            break;
        }
    }
    let meaningful = text.chars().filter(|c| c.is_alphanumeric()).count();
    if meaningful < 16 && undecodable_pages > 0 {
        return Err(Unreadable::CorruptPdf {
            detail: format!("content of {undecodable_pages} page(s) could not be decoded"),
        });
    }
    if meaningful < 16 {
        return Err(Unreadable::NoTextLayer);
    }
    Ok(truncate(
        Format::Pdf,
        Cow::Owned(text),
        Some(pages.len()),
        None,
        limits,
    ))
}

/// Whether one of the page's compressed content streams fails to decode (a size-limit refusal
/// is not damage and is reported elsewhere).
fn has_undecodable_stream(
    document: &lopdf::Document,
    page_id: lopdf::ObjectId,
    limits: &IntakeLimits,
) -> bool {
    document.get_page_contents(page_id).into_iter().any(|id| {
        let Ok(stream) = document.get_object(id).and_then(lopdf::Object::as_stream) else {
            return true;
        };
        let compressed = stream.filters().is_ok_and(|f| !f.is_empty());
        // lopdf yields an empty result for some streams it cannot inflate, not an error. An
        // empty page compressed is 8 bytes (zlib); more than that inflating to nothing is damage.
        compressed
            && match stream.decompressed_content_with_limit(limits.max_decompressed_bytes) {
                Ok(decoded) => decoded.is_empty() && stream.content.len() > 16,
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                })) => false,
                Err(_) => true,
            }
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_oversized_are_unreadable() {
        let limits = IntakeLimits {
            max_bytes: 10,
            ..Default::default()
        };
        assert_eq!(read("a.txt", b"", &limits).unwrap_err(), Unreadable::Empty);
        assert!(matches!(
            read("a.txt", b"01234567890", &limits),
            Err(Unreadable::TooLarge { size: 11, .. })
        ));
    }

    #[test]
    fn corrupt_pdf_is_unreadable_not_a_panic() {
        let limits = IntakeLimits::default();
        let result = read(
            "x.pdf",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
            &limits,
        );
        assert!(matches!(
            result,
            Err(Unreadable::CorruptPdf { .. }) | Err(Unreadable::NoTextLayer)
        ));
        assert!(matches!(
            read("x.pdf", b"MZ\x90\x00binary", &limits),
            Err(Unreadable::CorruptPdf { .. })
        ));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Name: Ada".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let doc = read("a.txt", &bytes, &IntakeLimits::default()).unwrap();
        assert_eq!(doc.text, "Name: Ada");
    }

    #[test]
    fn csv_headers_and_rows() {
        let doc = read(
            "t.csv",
            b"Date,Customer,Amount,Type\n2026-01-02,Ada,12000,cash\n",
            &IntakeLimits::default(),
        )
        .unwrap();
        let table = doc.table.unwrap();
        assert_eq!(table.headers, vec!["date", "customer", "amount", "type"]);
        assert_eq!(table.rows[0][2], "12000");
    }

    #[test]
    fn deeply_nested_json_is_an_error() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            read("d.json", deep.as_bytes(), &IntakeLimits::default()),
            Err(Unreadable::Malformed { .. })
        ));
    }
}
