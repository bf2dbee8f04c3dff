//! The Textract OCR adapter and the processor's OCR path, against moto.
//!
//! moto answers `DetectDocumentText` with the pages and blocks set on its Textract backend,
//! which can only be set inside moto's process: this test binary starts its moto through
//! `tests/moto/textract_server.py`, which sets one page holding `OCR_LINES` and then runs
//! moto's own server. The whole path is real: the SDK call, moto's answer, the blocks turned
//! into text, the pipeline judging the scan on it.

mod common;

use std::path::Path;

use common::Stack;
use compliance_aws::textract::{TextractClient, TextractRecognizer, MAX_DOCUMENT_BYTES};
use compliance_core::ports::{Recognition, TextRecognizer};

/// A PDF whose only page draws an image: no text layer (from `scripts/make-intake-fixtures.py`).
const SCAN: &[u8] = include_bytes!("../../functions/core/tests/fixtures/intake/scan.pdf");

/// What moto's Textract "recognises" in any document, in this test process.
const OCR_LINES: &[&str] = &[
    "Account opening application",
    "Know your customer (KYC)",
    "Full name: Ada Example",
    "Date of birth: 01 January 1980",
    "Source of funds: salary",
];

fn moto_with_textract() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("moto/textract_server.py");
    let lines = serde_json::to_string(OCR_LINES).expect("lines as JSON");
    // Both tests ask; the first one before moto starts wins, with the same lines.
    common::use_moto_script(script, vec![lines]);
}

#[tokio::test(flavor = "multi_thread")]
async fn detect_document_text_round_trip_on_the_emulator() {
    moto_with_textract();
    let stack = Stack::create().await;
    let recognizer = TextractRecognizer::new(TextractClient::new(&stack.config));
    let Recognition::Text(text) = recognizer.recognize(SCAN).await.expect("recognised") else {
        panic!("Textract refused the scan");
    };
    assert_eq!(text.text, format!("{}\n", OCR_LINES.join("\n")));
    assert_eq!(text.pages, Some(1));
    // Over the synchronous API's limit: refused without a call.
    let oversized = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    assert!(matches!(
        recognizer.recognize(&oversized).await,
        Ok(Recognition::Refused(reason)) if reason.contains("bytes")
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_goes_to_ocr_only_when_the_deployment_turns_it_on() {
    moto_with_textract();
    let stack = Stack::create().await;

    let without = stack
        .process(&stack.processor(), "incoming/scan-off.pdf", SCAN.to_vec())
        .await;
    assert_eq!(without["decision"], "unreadable");
    let reason = without["reasons"][0].as_str().unwrap_or_default();
    assert!(reason.contains("needs OCR"), "{reason}");

    let with_ocr = stack
        .processor()
        .with_ocr(Some(processor::OcrProvider::Textract), &stack.config);
    // A document with a text layer is not sent to OCR: moto's Textract would have made it
    // the KYC application below.
    let text = common::sample_document("consent-form-signed.txt");
    let record = stack
        .process(&with_ocr, "incoming/consent.txt", text.to_vec())
        .await;
    assert_eq!(record["doc_type"], "consent_form");
    assert!(!record["classification_signals"]
        .to_string()
        .contains("text:ocr"));

    // The scan is, and is judged on the recognised text, which the record does not hold.
    let record = stack
        .process(&with_ocr, "incoming/scan-on.pdf", SCAN.to_vec())
        .await;
    assert_ne!(record["decision"], "unreadable", "{record}");
    assert_eq!(record["doc_type"], "kyc_application", "{record}");
    assert_eq!(record["format"], "pdf");
    let signals = record["classification_signals"].to_string();
    assert!(signals.contains("text:ocr:textract"), "{signals}");
    let reasons = record["reasons"].to_string();
    assert!(
        reasons.contains("text recognised by OCR (textract)"),
        "{reasons}"
    );
    let stored = record.to_string();
    assert!(!stored.contains("Ada Example"), "{stored}");
}
