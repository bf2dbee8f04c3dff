//! Amazon Textract as the OCR of PDFs without a text layer. `DetectDocumentText` is
//! synchronous and takes the document's bytes (PDF, TIFF, PNG or JPEG up to 10 MB; a PDF or
//! TIFF of one page); a scan it cannot take is a refusal recorded with the document, while
//! throttling and outages are transient errors, so that the event is delivered again.

use aws_sdk_textract::error::ProvideErrorMetadata;
use aws_sdk_textract::primitives::Blob;
use aws_sdk_textract::types::{Block, BlockType, Document};
use compliance_core::ports::{PortError, Recognition, RecognizedText, TextRecognizer};

pub use aws_sdk_textract::Client as TextractClient;

/// The largest document `DetectDocumentText` accepts as bytes.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Error codes that say this document will never be read by the synchronous API.
const REFUSALS: [&str; 4] = [
    "BadDocumentException",
    "DocumentTooLargeException",
    "UnsupportedDocumentException",
    "InvalidParameterException",
];

#[derive(Clone)]
pub struct TextractRecognizer {
    client: TextractClient,
}

impl TextractRecognizer {
    pub fn new(client: TextractClient) -> Self {
        Self { client }
    }
}

impl TextRecognizer for TextractRecognizer {
    fn name(&self) -> &'static str {
        "textract"
    }

    async fn recognize(&self, document: &[u8]) -> Result<Recognition, PortError> {
        if document.len() > MAX_DOCUMENT_BYTES {
            return Ok(Recognition::Refused(format!(
                "{} bytes, over the {MAX_DOCUMENT_BYTES} bytes DetectDocumentText takes",
                document.len()
            )));
        }
        let sent = self
            .client
            .detect_document_text()
            .document(Document::builder().bytes(Blob::new(document)).build())
            .send()
            .await;
        match sent {
            Ok(output) => {
                let pages = output
                    .document_metadata()
                    .and_then(|m| m.pages())
                    .and_then(|p| usize::try_from(p).ok());
                Ok(Recognition::Text(RecognizedText {
                    text: lines_text(output.blocks()),
                    pages,
                }))
            }
            Err(err) => {
                if let Some(code) = err.code().filter(|c| REFUSALS.contains(c)) {
                    return Ok(Recognition::Refused(code.to_string()));
                }
                Err(super::port_error("textract:DetectDocumentText", &err))
            }
        }
    }
}

/// The LINE blocks in the order Textract returns them (page by page, top to bottom), one per
/// line, with an empty line between pages.
pub fn lines_text(blocks: &[Block]) -> String {
    let mut text = String::new();
    let mut page = None;
    for block in blocks {
        if block.block_type() != Some(&BlockType::Line) {
            continue;
        }
        let Some(line) = block.text() else {
            continue;
        };
        if page.is_some() && page != block.page() {
            text.push('\n');
        }
        page = block.page();
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockType, text: &str, page: i32) -> Block {
        Block::builder()
            .block_type(kind)
            .text(text)
            .page(page)
            .build()
    }

    #[test]
    fn lines_are_kept_in_order_and_words_are_not_repeated() {
        let blocks = [
            Block::builder().block_type(BlockType::Page).page(1).build(),
            block(BlockType::Line, "KYC application", 1),
            block(BlockType::Word, "KYC", 1),
            block(BlockType::Word, "application", 1),
            block(BlockType::Line, "Full name: Ada Example", 1),
            block(BlockType::Line, "Page 2", 2),
        ];
        assert_eq!(
            lines_text(&blocks),
            "KYC application\nFull name: Ada Example\n\nPage 2\n"
        );
    }
}
