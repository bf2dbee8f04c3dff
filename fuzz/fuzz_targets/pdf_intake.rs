//! PDF intake (`intake::read` of a `.pdf`): lopdf's parser, decryption and decoding, the
//! page layout walk and the AcroForm fields, on hostile bytes.
//!
//! Beyond "no panic" (a panic aborts here even where `intake` would catch it and answer
//! `ParserPanic`): a read PDF is a PDF, within its page limit, its text within
//! `max_text_chars` and, unless cut, holding the text layer it was judged to have.

#![no_main]

use compliance_core::intake::{self, Format, Unreadable};
use libfuzzer_sys::fuzz_target;

#[path = "limits.rs"]
mod limits;

fuzz_target!(|data: &[u8]| {
    let limits = limits::small();
    match intake::read("upload.pdf", data, &limits) {
        Ok(doc) => {
            assert_eq!(doc.format, Format::Pdf);
            assert!(
                doc.text.len() <= limits.max_text_chars,
                "text over the limit"
            );
            assert!(doc.table.is_none());
            let pages = doc.pages.unwrap_or(usize::MAX);
            assert!(pages <= limits.max_pdf_pages, "{pages} pages read");
            if !doc.truncated {
                let meaningful = doc.text.chars().filter(|c| c.is_alphanumeric()).count();
                assert!(meaningful >= 16, "a text layer of {meaningful} characters");
            }
        }
        Err(Unreadable::ParserPanic) => panic!("the parser panicked"),
        Err(Unreadable::Empty) => assert!(data.is_empty()),
        Err(Unreadable::TooLarge { .. }) => assert!(data.len() as u64 > limits.max_bytes),
        Err(_) => {}
    }
});
