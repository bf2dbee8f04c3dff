//! The pipeline: intake -> classify -> extract -> checks -> decision -> audit record.
//! Pure and synchronous: given the same bytes, rules, lists and clock it gives the same record.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::audit::{
    decide, AlertState, AlertStatus, AuditRecord, Decision, SourceRef, SCHEMA_VERSION,
};
use crate::checks::{run_all, CheckContext};
use crate::classify::{classify, DocType};
use crate::error::CoreError;
use crate::extract::extract;
use crate::intake::{read, IntakeLimits, Unreadable};
use crate::mrz;
use crate::rules::RuleSet;
use crate::screening::SanctionsList;

pub const PROCESSOR_VERSION: &str = concat!("compliance/", env!("CARGO_PKG_VERSION"));

pub struct Pipeline {
    pub rules: RuleSet,
    pub lists: Vec<SanctionsList>,
    pub limits: IntakeLimits,
}

impl Pipeline {
    pub fn new(rules: RuleSet, lists: Vec<SanctionsList>, limits: IntakeLimits) -> Self {
        Self {
            rules,
            lists,
            limits,
        }
    }

    /// The built-in rules and the bundled sample list: what `compliance scan` uses by default.
    pub fn with_defaults() -> Result<Self, CoreError> {
        Ok(Self::new(
            RuleSet::default_rules()?,
            vec![SanctionsList::bundled_sample()?],
            IntakeLimits::default(),
        ))
    }

    /// Judges one document. `content` is the bytes read, or why they could not be read.
    pub fn evaluate(
        &self,
        source: SourceRef,
        content: Result<&[u8], Unreadable>,
        now: DateTime<Utc>,
    ) -> AuditRecord {
        let today = now.date_naive();
        let sha256 = content
            .as_ref()
            .ok()
            .map(|b| hex::encode(Sha256::digest(b)));
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
            lists: self.lists.iter().map(|l| l.version.clone()).collect(),
            alert: AlertState {
                status: AlertStatus::Pending,
                alert_id: Some(document_id),
                sent_at: None,
            },
        };

        let text = content.and_then(|bytes| read(&name, bytes, &self.limits));
        let doc = match text {
            Ok(doc) => doc,
            Err(reason) => {
                record.reasons.push(format!("unreadable: {reason}"));
                return record;
            }
        };
        record.format = Some(doc.format);
        record.pages = doc.pages;

        let found_mrz = mrz::find(&doc.text, today);
        let classification = classify(&doc, found_mrz.as_ref());
        let fields = extract(
            &doc,
            found_mrz,
            classification.doc_type == DocType::ConsentForm,
        );
        let checks = run_all(
            &self.rules,
            &CheckContext {
                doc_type: classification.doc_type,
                fields: &fields,
                lists: &self.lists,
                today,
            },
        );
        let (decision, mut reasons) = decide(
            &checks,
            classification.confidence,
            self.rules.classification.min_confidence,
        );
        if doc.truncated {
            reasons.push("text was truncated at the size limit; later content not checked".into());
        }

        record.doc_type = classification.doc_type;
        record.confidence = classification.confidence;
        record.classification_signals = classification.signals;
        record.fields = fields.masked();
        record.checks = checks;
        record.decision = decision;
        record.reasons = reasons;
        if !decision.needs_alert() {
            record.alert = AlertState {
                status: AlertStatus::NotRequired,
                alert_id: None,
                sent_at: None,
            };
        }
        record
    }
}
