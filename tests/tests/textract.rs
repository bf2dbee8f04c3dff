//! The Textract OCR adapter and the processor's OCR path, against moto.
//!
//! moto cannot serve `DetectDocumentText` to this SDK: moto 5.2.5 answers with canned, empty
//! blocks and `"DocumentMetadata": {"Pages": {"Pages": N}}` (an object where the API has a
//! number), which the SDK refuses to parse. These tests therefore prove the wiring only: the
//! request reaches the emulator and its failure is reported as Textract's, the processor sends
//! a scan and only a scan, and without OCR a scan is recorded as needing it. The block-to-text
//! conversion is unit-tested in the adapter; the pipeline's use of recognised text in
//! `functions/core/src/pipeline.rs`.

mod common;

use common::{s3_event, Stack};
use compliance_aws::textract::{TextractClient, TextractRecognizer, MAX_DOCUMENT_BYTES};
use compliance_core::ports::{Recognition, TextRecognizer};
use serde_json::Value;

/// A PDF whose only page draws an image: no text layer (from `scripts/make-intake-fixtures.py`).
const SCAN: &[u8] = include_bytes!("../../functions/core/tests/fixtures/intake/scan.pdf");

#[tokio::test(flavor = "multi_thread")]
async fn detect_document_text_round_trip_on_the_emulator() {
    let stack = Stack::create().await;
    let recognizer = TextractRecognizer::new(TextractClient::new(&stack.config));
    // moto 5.2.5 (pinned): the request is served, the answer cannot be parsed, and that is
    // reported as Textract's permanent failure (the block-to-text conversion is tested in the
    // adapter's unit tests).
    let err = recognizer
        .recognize(SCAN)
        .await
        .expect_err("moto 5.2.5's DocumentMetadata cannot be parsed");
    assert_eq!(err.operation, "textract:DetectDocumentText");
    assert_eq!(err.retry, compliance_core::ports::Retry::Permanent, "{err}");
    // Over the synchronous API's limit: refused without a call.
    let oversized = vec![b' '; MAX_DOCUMENT_BYTES + 1];
    assert!(matches!(
        recognizer.recognize(&oversized).await,
        Ok(Recognition::Refused(reason)) if reason.contains("bytes")
    ));
}

async fn process(
    stack: &Stack,
    processor: &processor::Processor,
    key: &str,
    bytes: &[u8],
) -> Value {
    let (version, etag, size) = stack.put(key, bytes.to_vec()).await;
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
    processor.handle_event(event).await.expect("handled");
    stack
        .items()
        .await
        .into_iter()
        .find(|item| item["source"]["key"] == key)
        .expect("a record for the document")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_goes_to_ocr_only_when_the_deployment_turns_it_on() {
    let stack = Stack::create().await;

    let without = process(&stack, &stack.processor(), "incoming/scan-off.pdf", SCAN).await;
    assert_eq!(without["decision"], "unreadable");
    let reason = without["reasons"][0].as_str().unwrap_or_default();
    assert!(reason.contains("needs OCR"), "{reason}");

    let with_ocr = stack
        .processor()
        .with_ocr(Some(processor::OcrProvider::Textract), &stack.config);
    // A document with a text layer is not sent to OCR.
    let text = common::sample_document("kyc-application-moreno.txt");
    let record = process(&stack, &with_ocr, "incoming/kyc.txt", &text).await;
    assert_eq!(record["doc_type"], "kyc_application");

    // The scan is. moto 5.2.5 (the version `scripts/requirements-dev.txt` pins) serves the
    // call but its answer cannot be parsed (see the top of the file): a failure that retrying
    // cannot change, so the document is recorded as unreadable with Textract and the reason
    // named, not retried until it is parked.
    let record = process(&stack, &with_ocr, "incoming/scan-on.pdf", SCAN).await;
    assert_eq!(record["decision"], "unreadable");
    let reason = record["reasons"][0].as_str().unwrap_or_default();
    assert!(reason.contains("OCR by textract failed"), "{reason}");
    assert!(reason.contains("textract:DetectDocumentText"), "{reason}");
}
