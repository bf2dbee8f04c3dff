//! Document intake: turns raw bytes into text (and rows for tabular files), within limits.
//! Every failure is a value, never a panic: the caller records it as an `unreadable` decision.

use std::borrow::Cow;
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod json;
mod pdf;
mod table;
mod text;

pub use pdf::FORM_FIELDS_HEADING;

/// Bounds that keep one hostile document from exhausting a 128 MB Lambda or hanging it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntakeLimits {
    pub max_bytes: u64,
    pub max_pdf_pages: usize,
    /// Objects a PDF may hold: bounds the work of walking it, whatever its byte size.
    pub max_pdf_objects: usize,
    pub max_decompressed_bytes: usize,
    /// Content a PDF may have parsed in all, pages and form XObjects, counting a stream each
    /// time it is drawn: 200 pages sharing one 30 MB stream are 6 GB of parsing otherwise.
    #[serde(default = "default_max_pdf_content_bytes")]
    pub max_pdf_content_bytes: usize,
    pub max_text_chars: usize,
    pub max_csv_rows: usize,
    pub time_budget: Duration,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_pdf_pages: 200,
            max_pdf_objects: 250_000,
            max_decompressed_bytes: 32 * 1024 * 1024,
            max_pdf_content_bytes: default_max_pdf_content_bytes(),
            max_text_chars: 2_000_000,
            max_csv_rows: 100_000,
            time_budget: Duration::from_secs(20),
        }
    }
}

/// Twice the per-stream limit.
fn default_max_pdf_content_bytes() -> usize {
    64 * 1024 * 1024
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
    /// Where the text came from: the file itself, or OCR of a scan.
    pub origin: TextOrigin,
}

/// Where a document's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextOrigin {
    /// Decoded from the file: a PDF's text layer and form fields, or a text, CSV or JSON file
    /// (the name of its encoding, e.g. `windows-1252`, for text files).
    File { encoding: Option<&'static str> },
    /// Recognised by an OCR service (its name, e.g. `textract`) from a PDF without a text
    /// layer.
    Ocr { provider: String },
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
    #[error("the PDF has no text layer and OCR by {provider} failed: {detail}")]
    OcrFailed { provider: String, detail: String },
    #[error("the PDF could not be parsed: {detail}")]
    CorruptPdf { detail: String },
    #[error("the PDF is too complex to read within the limits: {detail}")]
    TooComplex { detail: String },
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
        return pdf::read(bytes, limits);
    }
    if name_has_ext(name, "pdf") {
        return Err(Unreadable::CorruptPdf {
            detail: "no %PDF- header".into(),
        });
    }
    let decoded = text::decode(bytes)?;
    // Spaces and line breaks (or a byte order mark alone) are an empty upload, not a document
    // to judge: approving it because no check applies would be wrong.
    if decoded.text.trim().is_empty() {
        return Err(Unreadable::Empty);
    }
    let origin = TextOrigin::File {
        encoding: Some(decoded.encoding),
    };
    let text = decoded.text;
    let trimmed = text.trim_start();
    let mut doc = if name_has_ext(name, "json")
        || ((trimmed.starts_with('{') || trimmed.starts_with('[')) && !name_has_ext(name, "csv"))
    {
        read_json(&text, limits)?
    } else if name_has_ext(name, "csv") || name_has_ext(name, "tsv") {
        table::read_csv(&text, limits)?
    } else {
        truncate(Format::Text, text, None, None, limits)
    };
    doc.origin = origin;
    Ok(doc)
}

/// The text an OCR service recognised in a PDF without a text layer, as a document that is
/// classified and checked like any other. Too little text is still `NoTextLayer`.
pub fn recognized(
    provider: &str,
    text: String,
    pages: Option<usize>,
    limits: &IntakeLimits,
) -> Result<DocumentText, Unreadable> {
    if text.chars().filter(|c| c.is_alphanumeric()).count() < pdf::MIN_MEANINGFUL_CHARS {
        return Err(Unreadable::NoTextLayer);
    }
    let mut doc = truncate(Format::Pdf, Cow::Owned(text), pages, None, limits);
    doc.origin = TextOrigin::Ocr {
        provider: provider.to_string(),
    };
    Ok(doc)
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
        origin: TextOrigin::File { encoding: None },
    }
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
