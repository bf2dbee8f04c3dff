//! PDF intake with lopdf (chosen over pdf-extract and pdf_oxide; see the README, "Text
//! extraction"). lopdf parses, decrypts (RC4 and AES with the empty user password) and decodes
//! font encodings; [`layout`] places the strings on the page; AcroForm field values are added
//! as `label: value` lines. Everything runs under `catch_unwind` and within [`IntakeLimits`].

use std::borrow::Cow;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{truncate, DocumentText, Format, IntakeLimits, Unreadable};

mod layout;

/// Alphanumeric characters below which a PDF counts as having no text layer: page numbers
/// and a stray header are not a text layer.
pub(crate) const MIN_MEANINGFUL_CHARS: usize = 16;
/// AcroForm fields read at most, and how deep their hierarchy may go.
const MAX_FORM_FIELDS: usize = 10_000;
const MAX_FIELD_DEPTH: usize = 32;
/// A form field's tooltip (`/TU`) longer than this is prose, not a label.
const MAX_LABEL_CHARS: usize = 200;
/// Heading of the form field lines appended after the page text.
pub const FORM_FIELDS_HEADING: &str = "Form fields:";

/// Why one page (or the walk of it) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Damage {
    /// The content stream could not be decoded.
    Undecodable,
    /// Too many strings, forms, or bytes: the page is an attack or damage, not a document.
    TooComplex(&'static str),
    Timeout,
}

pub fn read(bytes: &[u8], limits: &IntakeLimits) -> Result<DocumentText, Unreadable> {
    let started = Instant::now();
    // lopdf returned errors rather than panicking on thousands of corrupt files, but a parser
    // bug must still not take the process down: a caught panic becomes `unreadable`.
    match catch_unwind(AssertUnwindSafe(|| extract(bytes, limits, started))) {
        Ok(result) => result,
        Err(_) => Err(Unreadable::ParserPanic),
    }
}

fn load(bytes: &[u8], limits: &IntakeLimits) -> Result<Document, Unreadable> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_bytes),
        ..Default::default()
    };
    let document = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) => Unreadable::Encrypted,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => {
            Unreadable::TooComplex {
                detail: format!("a stream inflates beyond {limit} bytes"),
            }
        }
        other => Unreadable::CorruptPdf {
            detail: first_line(&other.to_string()),
        },
    })?;
    // lopdf decrypts with the empty user password while loading and then drops `/Encrypt`;
    // still encrypted means a real password is needed.
    if document.is_encrypted() {
        return Err(Unreadable::Encrypted);
    }
    if document.objects.len() > limits.max_pdf_objects {
        return Err(Unreadable::TooComplex {
            detail: format!(
                "{} objects, over the limit of {}",
                document.objects.len(),
                limits.max_pdf_objects
            ),
        });
    }
    Ok(document)
}

fn extract(
    bytes: &[u8],
    limits: &IntakeLimits,
    started: Instant,
) -> Result<DocumentText, Unreadable> {
    let timeout = || Unreadable::Timeout {
        seconds: limits.time_budget.as_secs(),
    };
    let document = load(bytes, limits)?;
    if started.elapsed() > limits.time_budget {
        return Err(timeout());
    }
    let pages = document.get_pages();
    // No page at all (a catalog without a page tree, or one that is broken or loops) is
    // damage, not a scan that OCR could read.
    if pages.is_empty() {
        return Err(Unreadable::CorruptPdf {
            detail: "no page could be found".into(),
        });
    }
    if pages.len() > limits.max_pdf_pages {
        return Err(Unreadable::TooManyPages {
            pages: pages.len(),
            limit: limits.max_pdf_pages,
        });
    }
    let budget = layout::Budget {
        deadline: started + limits.time_budget,
        max_decompressed_bytes: limits.max_decompressed_bytes,
        content_bytes_left: std::cell::Cell::new(limits.max_pdf_content_bytes),
    };
    let mut text = String::new();
    let mut undecodable_pages = 0;
    for page_id in pages.values() {
        if Instant::now() > budget.deadline {
            return Err(timeout());
        }
        match layout::page_text(&document, *page_id, &budget) {
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
            Err(Damage::Timeout) => return Err(timeout()),
            Err(Damage::TooComplex(detail)) => {
                return Err(Unreadable::TooComplex {
                    detail: detail.into(),
                })
            }
            // A page whose content cannot be decoded is skipped; the rest still counts.
            Err(Damage::Undecodable) => undecodable_pages += 1,
        }
        if text.len() > limits.max_text_chars {
            break;
        }
    }
    let fields = form_fields(&document);
    if !fields.is_empty() {
        text.push_str(FORM_FIELDS_HEADING);
        text.push('\n');
        for (label, value) in &fields {
            text.push_str(label);
            text.push_str(": ");
            text.push_str(value);
            text.push('\n');
        }
    }
    let meaningful = text.chars().filter(|c| c.is_alphanumeric()).count();
    if meaningful < MIN_MEANINGFUL_CHARS && undecodable_pages > 0 {
        return Err(Unreadable::CorruptPdf {
            detail: format!("content of {undecodable_pages} page(s) could not be decoded"),
        });
    }
    if meaningful < MIN_MEANINGFUL_CHARS {
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

/// The filled-in values of the document's AcroForm as (label, value), in field order. The
/// label is the field's tooltip where it has one ("Your first name and middle initial"), else
/// its full name ("topmostSubform[0].Page1[0].f1_04[0]"). Empty fields and unchecked boxes
/// are left out.
pub(crate) fn form_fields(document: &Document) -> Vec<(String, String)> {
    let fields = document
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get_deref(b"AcroForm", document).ok())
        .and_then(|form| form.as_dict().ok())
        .and_then(|form| form.get_deref(b"Fields", document).ok())
        .and_then(|fields| fields.as_array().ok());
    let mut found = Vec::new();
    let Some(fields) = fields else {
        return found;
    };
    let mut seen = HashSet::new();
    for field in fields {
        collect_field(document, field, "", 0, &mut seen, &mut found);
    }
    found
}

fn collect_field(
    document: &Document,
    field: &Object,
    parent_name: &str,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    found: &mut Vec<(String, String)>,
) {
    if depth > MAX_FIELD_DEPTH || seen.len() >= MAX_FORM_FIELDS {
        return;
    }
    if let Object::Reference(id) = field {
        // A field reached twice (a cycle through /Kids) is read once.
        if !seen.insert(*id) {
            return;
        }
    }
    let Some(dict) = document
        .dereference(field)
        .ok()
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return;
    };
    let partial = text_entry(document, dict, b"T");
    let name = match (&partial, parent_name.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{parent_name}.{p}"),
        (None, _) => parent_name.to_string(),
    };
    if let Some(value) = dict
        .get_deref(b"V", document)
        .ok()
        .and_then(|v| value_text(document, v))
    {
        let label = text_entry(document, dict, b"TU")
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty() && l.chars().count() <= MAX_LABEL_CHARS)
            .unwrap_or_else(|| name.clone());
        if !value.is_empty() && !name.is_empty() {
            found.push((label, value));
        }
        // A field with a value has widgets, not further fields, as kids.
        return;
    }
    if let Ok(kids) = dict.get_deref(b"Kids", document).and_then(Object::as_array) {
        for kid in kids {
            collect_field(document, kid, &name, depth + 1, seen, found);
        }
    }
}

fn text_entry(document: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    dict.get_deref(key, document)
        .ok()
        .and_then(|o| lopdf::decode_text_string(o).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A field value as text: strings (text fields, choices), names of checked boxes and radio
/// buttons, and lists of choices. `/Off` is an unchecked box, not a value.
fn value_text(document: &Document, value: &Object) -> Option<String> {
    let text = match value {
        Object::String(..) => lopdf::decode_text_string(value).ok()?,
        Object::Name(name) if name.as_slice() != b"Off" => {
            String::from_utf8_lossy(name).into_owned()
        }
        Object::Array(items) => items
            .iter()
            .filter_map(|item| {
                document
                    .dereference(item)
                    .ok()
                    .and_then(|(_, o)| lopdf::decode_text_string(o).ok())
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => return None,
    };
    // Multi-line text fields keep their lines apart but not on lines of their own, which
    // would detach them from their label.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// Whether one of the page's compressed content streams fails to decode (a size-limit refusal
/// is not damage and is reported elsewhere).
fn has_undecodable_stream(document: &Document, page_id: ObjectId, limits: &IntakeLimits) -> bool {
    document.get_page_contents(page_id).into_iter().any(|id| {
        let Ok(stream) = document.get_object(id).and_then(Object::as_stream) else {
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
