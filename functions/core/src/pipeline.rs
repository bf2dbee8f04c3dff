//! The pipeline: intake -> classify -> extract -> checks -> decision -> audit record.
//! Pure and synchronous: given the same bytes, rules, lists and clock it gives the same record.

use chrono::{DateTime, Utc};

use crate::audit::{
    decide, sha256_hex, AlertState, AlertStatus, AuditRecord, Decision, SourceRef, SCHEMA_VERSION,
};
use crate::checks::{run_all, CheckContext};
use crate::classify::{classify, Classification, DocType};
use crate::customer::{CustomerContext, Identity, IdentityKey, KeyPattern};
use crate::error::CoreError;
use crate::extract::{extract, Fields};
use crate::intake::{read, recognized, DocumentText, Format, IntakeLimits, TextOrigin, Unreadable};
use crate::mrz;
use crate::ports::{OcrOutcome, Recognition};
use crate::rules::RuleSet;
use crate::screening::{lists, SanctionsList, Screener};

pub const PROCESSOR_VERSION: &str = concat!("compliance/", env!("CARGO_PKG_VERSION"));

/// What was read from one document before any check ran: the `extract` view.
#[derive(Debug, Clone)]
pub struct Reading {
    pub format: Format,
    pub pages: Option<usize>,
    /// Characters of text read (after the size limit).
    pub characters: usize,
    /// Whether the text was cut at the size limit.
    pub truncated: bool,
    pub classification: Classification,
    /// In clear: mask with [`Fields::masked`] before it leaves the process.
    pub fields: Fields,
    /// The OCR service the text came from, for a PDF without a text layer.
    pub ocr_provider: Option<String>,
}

/// The audit record, plus the fields in clear for a caller that may show them (never stored).
#[derive(Debug)]
pub struct Assessment {
    pub record: AuditRecord,
    pub fields: Option<Fields>,
}

pub struct Pipeline {
    pub rules: RuleSet,
    pub screener: Screener,
    pub limits: IntakeLimits,
    /// Keys the identity prints that let a customer's documents be compared; without it no
    /// prints are made and the customer view cannot compare documents.
    pub identity_key: Option<IdentityKey>,
    /// Reads the customer id from object keys or paths, e.g. `incoming/{customer_id}/{file}`.
    pub customer_key_pattern: Option<KeyPattern>,
}

impl Pipeline {
    pub fn new(rules: RuleSet, lists: Vec<SanctionsList>, limits: IntakeLimits) -> Self {
        Self {
            rules,
            screener: Screener::new(lists),
            limits,
            identity_key: None,
            customer_key_pattern: None,
        }
    }

    pub fn with_identity_key(mut self, key: IdentityKey) -> Self {
        self.identity_key = Some(key);
        self
    }

    pub fn with_customer_key_pattern(mut self, pattern: Option<KeyPattern>) -> Self {
        self.customer_key_pattern = pattern;
        self
    }

    /// The built-in rules and the bundled sample list: what `compliance scan` uses by default.
    pub fn with_defaults() -> Result<Self, CoreError> {
        Ok(Self::new(
            RuleSet::default_rules()?,
            lists::bundled()?,
            IntakeLimits::default(),
        ))
    }

    /// Reads, classifies and extracts one document; no checks. `name` (file name or key) only
    /// breaks ties between formats.
    pub fn read_document(
        &self,
        name: &str,
        bytes: &[u8],
        today: chrono::NaiveDate,
    ) -> Result<Reading, Unreadable> {
        self.read_text(name, bytes, None)
            .map(|doc| self.reading(&doc, today))
    }

    /// The document's text: from the file, or, for a PDF without a text layer, from what OCR
    /// made of it when OCR ran.
    fn read_text(
        &self,
        name: &str,
        bytes: &[u8],
        ocr: Option<&OcrOutcome>,
    ) -> Result<DocumentText, Unreadable> {
        match (read(name, bytes, &self.limits), ocr) {
            (Err(Unreadable::NoTextLayer), Some(ocr)) => {
                let provider = ocr.provider;
                match &ocr.recognition {
                    Recognition::Text(text) => {
                        recognized(provider, text.text.clone(), text.pages, &self.limits).map_err(
                            |e| match e {
                                Unreadable::NoTextLayer => Unreadable::OcrFailed {
                                    provider: provider.to_string(),
                                    detail: "no text recognised".into(),
                                },
                                other => other,
                            },
                        )
                    }
                    Recognition::Refused(reason) => Err(Unreadable::OcrFailed {
                        provider: provider.to_string(),
                        detail: reason.clone(),
                    }),
                }
            }
            (read, _) => read,
        }
    }

    fn reading(&self, doc: &DocumentText, today: chrono::NaiveDate) -> Reading {
        let found_mrz = mrz::find(&doc.text, today);
        let classification = classify(doc, found_mrz.as_ref());
        let fields = extract(
            doc,
            found_mrz,
            classification.doc_type == DocType::ConsentForm,
        );
        Reading {
            format: doc.format,
            pages: doc.pages,
            characters: doc.text.chars().count(),
            truncated: doc.truncated,
            classification,
            fields,
            ocr_provider: match &doc.origin {
                TextOrigin::Ocr { provider } => Some(provider.clone()),
                TextOrigin::File { .. } => None,
            },
        }
    }

    /// Judges one document. `content` is the bytes read, or why they could not be read.
    pub fn evaluate(
        &self,
        source: SourceRef,
        content: Result<&[u8], Unreadable>,
        now: DateTime<Utc>,
    ) -> AuditRecord {
        self.assess(source, content, now).record
    }

    /// [`Pipeline::evaluate`], keeping the fields in clear beside the (masked) record.
    pub fn assess(
        &self,
        source: SourceRef,
        content: Result<&[u8], Unreadable>,
        now: DateTime<Utc>,
    ) -> Assessment {
        self.assess_for(source, content, &CustomerContext::none(), now)
    }

    /// Judges a document of a known (or explicitly unknown) customer: the customer's
    /// remembered false positives apply, and the record names the customer.
    pub fn assess_for(
        &self,
        source: SourceRef,
        content: Result<&[u8], Unreadable>,
        customer: &CustomerContext,
        now: DateTime<Utc>,
    ) -> Assessment {
        self.assess_scanned(source, content, None, customer, now)
    }

    /// [`Pipeline::assess_for`] with what OCR made of the document, when the document source
    /// ran OCR on a scan: a PDF without a text layer is then judged on the recognised text.
    pub fn assess_scanned(
        &self,
        source: SourceRef,
        content: Result<&[u8], Unreadable>,
        ocr: Option<&OcrOutcome>,
        customer: &CustomerContext,
        now: DateTime<Utc>,
    ) -> Assessment {
        let today = now.date_naive();
        let sha256 = content.as_ref().ok().map(|b| sha256_hex(b));
        let size_bytes = content
            .as_ref()
            .ok()
            .map(|b| b.len() as u64)
            .or(source.size);
        let document_id = source.document_id(sha256.as_deref());
        let name = source.key.clone().unwrap_or_else(|| source.uri.clone());

        let mut record = AuditRecord {
            schema_version: SCHEMA_VERSION,
            document_id: document_id.clone(),
            document: source.uri.clone(),
            source,
            sha256,
            size_bytes,
            format: None,
            pages: None,
            doc_type: DocType::Other,
            confidence: 0.0,
            classification_signals: Vec::new(),
            fields: Default::default(),
            checks: Vec::new(),
            decision: Decision::Unreadable,
            reasons: Vec::new(),
            processed_at: now,
            processor_version: PROCESSOR_VERSION.to_string(),
            rules_version: self.rules.version.clone(),
            lists: self.screener.versions(),
            alert: AlertState {
                status: AlertStatus::Pending,
                alert_id: Some(document_id),
                sent_at: None,
            },
            customer: customer.customer.clone(),
            identity: None,
        };
        if let Some(problem) = &customer.customer.problem {
            record.reasons.push(format!("customer id: {problem}"));
        }

        let reading = content.and_then(|bytes| {
            self.read_text(&name, bytes, ocr)
                .map(|doc| self.reading(&doc, today))
        });
        let reading = match reading {
            Ok(reading) => reading,
            Err(reason) => {
                record.reasons.push(format!("unreadable: {reason}"));
                return Assessment {
                    record,
                    fields: None,
                };
            }
        };
        record.format = Some(reading.format);
        record.pages = reading.pages;

        let checks = run_all(
            &self.rules,
            &CheckContext {
                doc_type: reading.classification.doc_type,
                transactions: &self.rules.transactions,
                fields: &reading.fields,
                screener: &self.screener,
                today,
                customer,
            },
        );
        let (decision, mut reasons) = decide(
            &checks,
            reading.classification.confidence,
            self.rules.classification.min_confidence,
        );
        if reading.truncated {
            reasons.push("text was truncated at the size limit; later content not checked".into());
        }

        record.doc_type = reading.classification.doc_type;
        record.confidence = reading.classification.confidence;
        record.classification_signals = reading.classification.signals;
        if let Some(provider) = &reading.ocr_provider {
            // Provenance without content: the text was recognised, not read from the file.
            record
                .classification_signals
                .push(format!("text:ocr:{provider}"));
            record.reasons.push(format!(
                "text recognised by OCR ({provider}): a scan without a text layer"
            ));
        }
        record.fields = reading.fields.masked();
        record.checks = checks;
        record.decision = decision;
        record.reasons.extend(reasons);
        record.identity = self
            .identity_key
            .as_ref()
            .and_then(|key| Identity::of(reading.classification.doc_type, &reading.fields, key));
        if !decision.needs_alert() {
            record.alert = AlertState {
                status: AlertStatus::NotRequired,
                alert_id: None,
                sent_at: None,
            };
        }
        fit_audit_store(&mut record);
        Assessment {
            record,
            fields: Some(reading.fields),
        }
    }
}

/// DynamoDB refuses items over 400 KB, and a refused record would be a lost decision. Fields
/// and evidence lists are already bounded; if a record is still too large (many checks with
/// long evidence), the evidence goes first, then the reasons are cut, each step recorded.
pub const MAX_RECORD_BYTES: usize = 300 * 1024;

fn record_size(record: &AuditRecord) -> usize {
    serde_json::to_vec(record).map_or(usize::MAX, |v| v.len())
}

fn fit_audit_store(record: &mut AuditRecord) {
    if record_size(record) <= MAX_RECORD_BYTES {
        return;
    }
    for check in &mut record.checks {
        check.evidence = serde_json::Value::Null;
    }
    record
        .reasons
        .push("evidence removed: the record would exceed the audit store's item size".into());
    if record_size(record) <= MAX_RECORD_BYTES {
        return;
    }
    for check in &mut record.checks {
        if check.message.len() > 1000 {
            let mut cut = 1000;
            while !check.message.is_char_boundary(cut) {
                cut -= 1;
            }
            check.message.truncate(cut);
            check.message.push_str(" …");
        }
    }
    let total = record.reasons.len();
    if total > 20 {
        record.reasons.truncate(20);
        record
            .reasons
            .push(format!("{} more reasons not stored", total - 20));
    }
    for reason in &mut record.reasons {
        if reason.len() > 1000 {
            let mut cut = 1000;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
            reason.push_str(" …");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_fields_are_cut_in_the_record() {
        let fields = Fields {
            names: (0..100_000)
                .map(|i| format!("Customer Number {i}"))
                .collect(),
            ..Default::default()
        };
        let view = fields.masked();
        assert_eq!(view["names"].as_array().map(Vec::len), Some(50));
        assert_eq!(view["truncated_lists"]["names"], 100_000);
    }

    #[test]
    fn an_oversized_record_sheds_evidence_then_reasons_but_keeps_its_decision() {
        let pipeline = Pipeline::with_defaults().expect("pipeline");
        let bytes = b"Full name: Ada Example\nDate of birth: 01 Jan 1980\nKYC application\n";
        let mut record = pipeline.evaluate(
            SourceRef::file("a.txt", None),
            Ok(bytes.as_slice()),
            chrono::Utc::now(),
        );
        let decision = record.decision;
        for check in &mut record.checks {
            check.evidence = serde_json::json!({ "rows": vec![123_456_u32; 20_000] });
        }
        record.reasons = vec!["x".repeat(5_000); 200];
        assert!(record_size(&record) > MAX_RECORD_BYTES);
        fit_audit_store(&mut record);
        assert!(record_size(&record) <= MAX_RECORD_BYTES);
        assert!(record.checks.iter().all(|c| c.evidence.is_null()));
        assert_eq!(record.decision, decision);
        assert!(record
            .reasons
            .iter()
            .any(|r| r.contains("more reasons not stored")));
    }

    const SCAN: &[u8] = include_bytes!("../tests/fixtures/intake/scan.pdf");

    #[test]
    fn a_scan_is_judged_on_its_ocr_text_and_says_so() {
        let pipeline = Pipeline::with_defaults().expect("pipeline");
        let now = chrono::Utc::now();
        let source = || SourceRef::file("scan.pdf", None);

        let without = pipeline.evaluate(source(), Ok(SCAN), now);
        assert_eq!(without.decision, Decision::Unreadable);
        assert!(
            without.reasons[0].contains("needs OCR"),
            "{:?}",
            without.reasons
        );

        let text = "KYC application\nFull name: Ada Example\nDate of birth: 01 Jan 1980\n";
        let judge = |recognition: Recognition| {
            let ocr = OcrOutcome {
                provider: "textract",
                recognition,
            };
            pipeline
                .assess_scanned(
                    source(),
                    Ok(SCAN),
                    Some(&ocr),
                    &CustomerContext::none(),
                    now,
                )
                .record
        };
        let with = judge(Recognition::Text(crate::ports::RecognizedText {
            text: text.into(),
            pages: Some(1),
        }));
        assert_ne!(with.decision, Decision::Unreadable, "{:?}", with.reasons);
        assert_eq!(with.format, Some(Format::Pdf));
        assert!(with
            .classification_signals
            .contains(&"text:ocr:textract".to_string()));
        // The text itself is not in the record.
        let stored = serde_json::to_string(&with).unwrap();
        assert!(!stored.contains("Ada Example"));

        let refused = judge(Recognition::Refused("UnsupportedDocumentException".into()));
        assert_eq!(refused.decision, Decision::Unreadable);
        assert!(refused.reasons[0].contains("OCR by textract failed: UnsupportedDocumentException"));
    }
}
