//! Intake of any upload (`intake::read`): PDF, text in any encoding, CSV/TSV, JSON. The first
//! byte picks the file name (which breaks ties between formats); the rest is the content.
//!
//! Beyond "no panic": the text is within `max_text_chars`, a table within `max_csv_rows`, a
//! PDF only from bytes with a `%PDF-` header, a `.csv` never read as JSON. (`Empty` is not
//! only for no bytes: a text of spaces and line breaks is an empty upload too.)

#![no_main]

use compliance_core::intake::{self, Format, Unreadable};
use libfuzzer_sys::fuzz_target;

#[path = "limits.rs"]
mod limits;

const NAMES: [&str; 8] = [
    "upload.pdf",
    "upload.txt",
    "upload.csv",
    "upload.tsv",
    "upload.json",
    "upload",
    "UPLOAD.PDF",
    "incoming/C-1/statement.CSV",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let limits = limits::small();
    match intake::read(name, content, &limits) {
        Ok(doc) => {
            assert!(
                doc.text.len() <= limits.max_text_chars,
                "text over the limit"
            );
            if let Some(table) = &doc.table {
                assert!(
                    table.rows.len() <= limits.max_csv_rows,
                    "rows over the limit"
                );
            }
            match doc.format {
                Format::Pdf => assert!(content.windows(5).any(|w| w == b"%PDF-")),
                Format::Json => assert!(!name.to_ascii_lowercase().ends_with(".csv")),
                Format::Csv | Format::Text => {
                    assert!(!name.to_ascii_lowercase().ends_with(".pdf"))
                }
            }
        }
        Err(Unreadable::ParserPanic) => panic!("the parser panicked"),
        Err(_) => {}
    }
});
