//! The pipeline: intake -> classify -> extract -> checks -> decision -> audit record.
//! Pure and synchronous: given the same bytes, rules, lists and clock it gives the same record.

use chrono::{DateTime, Utc};

use crate::assist::{self, AssistPolicy, AssistRequest, Assistance, ModelExchange};
use crate::audit::{
    decide, sha256_hex, AlertState, AlertStatus, AuditRecord, Decision, SourceRef, SCHEMA_VERSION,
};
use crate::checks::{run_all, CheckContext, CheckResult};
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
    /// When to ask a language model about a document; `None`: never (the default).
    pub assist: Option<AssistPolicy>,
}

impl Pipeline {
    pub fn new(rules: RuleSet, lists: Vec<SanctionsList>, limits: IntakeLimits) -> Self {
        Self::with_screener(rules, Screener::new(lists), limits)
    }

    /// As [`Pipeline::new`] with the lists already indexed (loaded from a saved index, see
    /// `screening::saved`).
    pub fn with_screener(rules: RuleSet, screener: Screener, limits: IntakeLimits) -> Self {
        Self {
            rules,
            screener,
            limits,
            identity_key: None,
            customer_key_pattern: None,
            assist: None,
        }
    }

    pub fn with_assist_policy(mut self, policy: Option<AssistPolicy>) -> Self {
        self.assist = policy;
        self
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
        let prepared = self.prepare(source, content, ocr, customer, now);
        self.conclude(prepared, None)
    }

    /// Reads and classifies a document, before any check: what [`Pipeline::assist_plan`] and
    /// [`Pipeline::conclude`] take.
    pub fn prepare<'a>(
        &self,
        source: SourceRef,
        content: Result<&[u8], Unreadable>,
        ocr: Option<&OcrOutcome>,
        customer: &'a CustomerContext,
        now: DateTime<Utc>,
    ) -> Prepared<'a> {
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
            assistance: None,
            rescreen: None,
        };
        if let Some(problem) = &customer.customer.problem {
            record.reasons.push(format!("customer id: {problem}"));
        }

        let read = content.and_then(|bytes| {
            self.read_text(&name, bytes, ocr).map(|doc| {
                let reading = self.reading(&doc, today);
                (doc, reading)
            })
        });
        let read = match read {
            Ok(read) => Some(read),
            Err(reason) => {
                record.reasons.push(format!("unreadable: {reason}"));
                None
            }
        };
        Prepared {
            record,
            read,
            customer,
            today,
        }
    }

    /// Whether a model should be asked about the prepared document, and what to send it. A
    /// document with text addressed to a model is not sent (the plan says why).
    pub fn assist_plan(&self, prepared: &Prepared<'_>) -> Option<AssistPlan> {
        let policy = self.assist.as_ref()?;
        let (doc, reading) = prepared.read.as_ref()?;
        let asked_because = policy.reason_to_ask(&reading.classification)?;
        let request = match assist::addressed_to_a_model(&doc.text) {
            Some(phrase) => Err(format!(
                "not sent: the document contains text addressed to a model (\"{phrase}\")"
            )),
            None => Ok(assist::build_request(
                &doc.text,
                prepared.record.sha256.as_deref(),
                policy,
            )),
        };
        Some(AssistPlan {
            asked_because,
            request,
        })
    }

    /// Runs the checks and decides. With a consultation, the checks also run on the model's
    /// reading and each keeps the stricter result (see [`crate::assist`]).
    pub fn conclude(
        &self,
        prepared: Prepared<'_>,
        consultation: Option<Consultation>,
    ) -> Assessment {
        let Prepared {
            mut record,
            read,
            customer,
            today,
        } = prepared;
        let Some((doc, reading)) = read else {
            return Assessment {
                record,
                fields: None,
            };
        };
        record.format = Some(reading.format);
        record.pages = reading.pages;

        let run = |doc_type: DocType, fields: &Fields| {
            run_all(
                &self.rules,
                &CheckContext {
                    doc_type,
                    transactions: &self.rules.transactions,
                    fields,
                    screener: &self.screener,
                    today,
                    customer,
                },
            )
        };
        let mut checks = run(reading.classification.doc_type, &reading.fields);
        let mut assisted_reasons = Vec::new();
        if let Some(consultation) = consultation {
            let (merged, assistance) =
                self.apply_consultation(consultation, &doc, &reading, checks, &run);
            checks = merged;
            assisted_reasons.push(assistance.note.clone());
            record.assistance = Some(assistance);
        }
        drop(doc);
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
        record.reasons.extend(assisted_reasons);
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

    /// Uses what the model said, where it can only add scrutiny: its type and the names it
    /// found in the document give a second set of check results, merged stricter-of with the
    /// built-in ones. The record's type, confidence and fields stay the built-in ones.
    fn apply_consultation(
        &self,
        consultation: Consultation,
        doc: &DocumentText,
        reading: &Reading,
        baseline: Vec<CheckResult>,
        run: &dyn Fn(DocType, &Fields) -> Vec<CheckResult>,
    ) -> (Vec<CheckResult>, Assistance) {
        let min_model_confidence = self.assist.as_ref().map_or(1.0, |p| p.min_model_confidence);
        let mut assistance = Assistance {
            provider: consultation.provider,
            model: consultation.model,
            prompt_version: assist::PROMPT_VERSION.to_string(),
            asked_because: consultation.asked_because,
            asked: false,
            latency_ms: 0,
            attempts: 0,
            input_tokens: None,
            output_tokens: None,
            used: false,
            suggested_type: None,
            suggested_confidence: None,
            names_proposed: 0,
            names_used: 0,
            checks_changed: Vec::new(),
            note: String::new(),
        };
        let exchange = match consultation.exchange {
            Ok(exchange) => exchange,
            Err(withheld) => {
                assistance.note = format!("model assistance: {withheld}");
                return (baseline, assistance);
            }
        };
        assistance.asked = true;
        assistance.latency_ms = exchange.latency_ms;
        assistance.attempts = exchange.attempts;
        let reply = match exchange.reply {
            Ok(reply) => reply,
            Err(reason) => {
                assistance.note = format!("model assistance failed, judged without it: {reason}");
                return (baseline, assistance);
            }
        };
        assistance.input_tokens = reply.input_tokens;
        assistance.output_tokens = reply.output_tokens;
        let answer = match assist::parse_answer(&reply.answer) {
            Ok(answer) => answer,
            Err(reason) => {
                assistance.note = format!("model answer not used, judged without it: {reason}");
                return (baseline, assistance);
            }
        };
        assistance.suggested_type = Some(answer.doc_type);
        assistance.suggested_confidence = Some(answer.confidence);
        assistance.names_proposed = answer.names.len();
        if answer.confidence < min_model_confidence {
            assistance.note = format!(
                "model answer not used: it read the document as {} with confidence {:.2}, below {:.2}",
                answer.doc_type, answer.confidence, min_model_confidence
            );
            return (baseline, assistance);
        }
        let names = assist::grounded_names(&answer.names, &doc.text, &reading.fields.names);
        assistance.names_used = names.len();
        assistance.used = true;
        let built_in = reading.classification.doc_type;
        let (merged, changed) = if answer.doc_type == built_in && names.is_empty() {
            (baseline, Vec::new())
        } else {
            let mut fields = reading.fields.clone();
            fields.names.extend(names);
            assist::stricter_of(baseline, run(answer.doc_type, &fields))
        };
        let agreement = if answer.doc_type == built_in {
            "agreeing with the built-in classifier".to_string()
        } else {
            format!("where the built-in classifier read {built_in}")
        };
        assistance.note = format!(
            "model {}/{} read the document as {} ({:.2}), {agreement}; {} of {} names it gave were found in the document and screened; {}",
            assistance.provider,
            assistance.model,
            answer.doc_type,
            answer.confidence,
            assistance.names_used,
            assistance.names_proposed,
            if changed.is_empty() {
                "no check result changed".to_string()
            } else {
                format!("stricter results for {}", changed.join(", "))
            }
        );
        assistance.checks_changed = changed;
        (merged, assistance)
    }
}

/// A document read and classified, waiting for its checks.
#[derive(Clone)]
pub struct Prepared<'a> {
    record: AuditRecord,
    read: Option<(DocumentText, Reading)>,
    customer: &'a CustomerContext,
    today: chrono::NaiveDate,
}

impl Prepared<'_> {
    /// The id of the document version being judged (its audit record's key).
    pub fn document_id(&self) -> &str {
        &self.record.document_id
    }

    /// The built-in classification, when the document could be read.
    pub fn classification(&self) -> Option<&Classification> {
        self.read.as_ref().map(|(_, r)| &r.classification)
    }
}

/// Whether and what to ask a model about one document.
#[derive(Debug, Clone)]
pub struct AssistPlan {
    pub asked_because: String,
    /// The request, or why the document is not sent.
    pub request: Result<AssistRequest, String>,
}

/// What came of asking a model (or of deciding not to send the document).
#[derive(Debug, Clone)]
pub struct Consultation {
    pub provider: String,
    pub model: String,
    pub asked_because: String,
    /// The exchange, or why the document was not sent.
    pub exchange: Result<ModelExchange, String>,
}

/// DynamoDB refuses items over 400 KB, and a refused record would be a lost decision. Fields
/// and evidence lists are already bounded; if a record is still too large (many checks with
/// long evidence), the evidence goes first, then the reasons are cut, each step recorded.
pub const MAX_RECORD_BYTES: usize = 300 * 1024;

fn record_size(record: &AuditRecord) -> usize {
    serde_json::to_vec(record).map_or(usize::MAX, |v| v.len())
}

pub(crate) fn fit_audit_store(record: &mut AuditRecord) {
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
