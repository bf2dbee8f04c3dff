//! The audit record (what was decided about one version of one document, and why) and the
//! alert derived from it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::assist::Assistance;
use crate::checks::{CheckResult, Status};
use crate::classify::DocType;
use crate::customer::{CustomerRef, CustomerStatus, CustomerView, Identity};
use crate::intake::Format;
use crate::rules::{OnFail, Severity};
use crate::screening::ListVersion;

/// Version of the machine contract (`schemas/`): raised whenever any schema changes; the
/// schema lock test fails otherwise.
pub const SCHEMA_VERSION: u32 = 7;

/// Lower-case hex SHA-256 of the bytes read.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    ManualReview,
    Rejected,
    Unreadable,
}

impl Decision {
    pub const ALL: [Decision; 4] = [
        Decision::Approved,
        Decision::ManualReview,
        Decision::Rejected,
        Decision::Unreadable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::ManualReview => "manual_review",
            Decision::Rejected => "rejected",
            Decision::Unreadable => "unreadable",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn needs_alert(self) -> bool {
        self != Decision::Approved
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the document came from. For S3 the version id (or, in unversioned buckets, the ETag)
/// identifies exactly which bytes were judged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// `s3://bucket/key` or the path as given on the command line.
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl SourceRef {
    pub fn s3(
        bucket: &str,
        key: &str,
        version_id: Option<String>,
        etag: Option<String>,
        size: Option<u64>,
    ) -> Self {
        Self {
            uri: format!("s3://{bucket}/{key}"),
            bucket: Some(bucket.to_string()),
            key: Some(key.to_string()),
            version_id,
            etag,
            size,
        }
    }

    pub fn file(path: &str, size: Option<u64>) -> Self {
        Self {
            uri: path.to_string(),
            size,
            ..Default::default()
        }
    }

    /// Stable identity of this document version: the same upload redelivered gets the same
    /// id, a new version of the same key gets a new one.
    pub fn document_id(&self, content_sha256: Option<&str>) -> String {
        let mut h = Sha256::new();
        h.update(self.uri.as_bytes());
        h.update([0]);
        h.update(self.version_id.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
        h.update(self.etag.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
        if self.version_id.is_none() && self.etag.is_none() {
            h.update(content_sha256.unwrap_or("").as_bytes());
        }
        hex::encode(&h.finalize()[..16])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    NotRequired,
    /// Recorded, not yet confirmed published: every redelivery publishes it again until sent.
    Pending,
    Sent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertState {
    pub status: AlertStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub schema_version: u32,
    pub document_id: String,
    /// The path as given, or `s3://bucket/key`.
    pub document: String,
    pub source: SourceRef,
    /// SHA-256 of the bytes read; absent only when the object could not be fetched.
    pub sha256: Option<String>,
    pub size_bytes: Option<u64>,
    pub format: Option<Format>,
    pub pages: Option<usize>,
    pub doc_type: DocType,
    pub confidence: f64,
    pub classification_signals: Vec<String>,
    /// Extracted fields, personal data masked.
    pub fields: BTreeMap<String, serde_json::Value>,
    pub checks: Vec<CheckResult>,
    pub decision: Decision,
    pub reasons: Vec<String>,
    pub processed_at: DateTime<Utc>,
    pub processor_version: String,
    pub rules_version: String,
    pub lists: Vec<ListVersion>,
    pub alert: AlertState,
    /// The customer the document belongs to, where that was read from, or why none is known.
    #[serde(default)]
    pub customer: CustomerRef,
    /// Keyed prints of the subject's name, date of birth, document number and address, for
    /// comparing the customer's documents without storing those values in clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The language model consulted about the document, when one was (see `crate::assist`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistance: Option<Assistance>,
    /// Present on the record of a re-screening hit: the document whose subject matched new or
    /// changed list entries, and which lists version that was (see `crate::rescreen`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescreen: Option<crate::rescreen::RescreenOrigin>,
}

impl AuditRecord {
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Error))
    }

    /// The highest severity among failed checks; unreadable documents count as high because
    /// nothing about them was checked.
    pub fn severity(&self) -> Severity {
        let worst = self.failed_checks().map(|c| c.severity).max();
        match (self.decision, worst) {
            (_, Some(s)) => s,
            (Decision::Unreadable, None) => Severity::High,
            (Decision::ManualReview, None) => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

/// Turns check results into a decision with plain-language reasons.
pub fn decide(
    checks: &[CheckResult],
    confidence: f64,
    min_confidence: f64,
) -> (Decision, Vec<String>) {
    let mut reasons = Vec::new();
    let mut decision = Decision::Approved;
    for c in checks {
        match c.status {
            Status::Fail => {
                reasons.push(format!("{}: {}", c.id, c.message));
                if c.on_fail == OnFail::Rejected {
                    decision = Decision::Rejected;
                } else if decision == Decision::Approved {
                    decision = Decision::ManualReview;
                }
            }
            Status::Error => {
                reasons.push(format!("{} could not be evaluated: {}", c.id, c.message));
                if decision == Decision::Approved {
                    decision = Decision::ManualReview;
                }
            }
            Status::Pass | Status::NotApplicable => {}
        }
    }
    if confidence < min_confidence {
        reasons.push(format!(
            "classification confidence {confidence:.2} is below {min_confidence:.2}"
        ));
        if decision == Decision::Approved {
            decision = Decision::ManualReview;
        }
    }
    if decision == Decision::Approved {
        reasons.push("all applicable checks passed".to_string());
    }
    (decision, reasons)
}

/// What goes to the alert topic: enough to act on, no personal data in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub alert_id: String,
    pub document_id: String,
    pub document: String,
    pub decision: Decision,
    pub doc_type: DocType,
    pub severity: Severity,
    pub failed_checks: Vec<AlertCheck>,
    pub reasons: Vec<String>,
    pub processed_at: DateTime<Utc>,
    pub rules_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The case the decision opened (every alerted decision opens one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertCheck {
    pub id: String,
    pub severity: Severity,
    pub message: String,
}

impl Alert {
    pub fn from_record(record: &AuditRecord) -> Self {
        Self {
            alert_id: record
                .alert
                .alert_id
                .clone()
                .unwrap_or_else(|| record.document_id.clone()),
            document_id: record.document_id.clone(),
            document: record.document.clone(),
            decision: record.decision,
            doc_type: record.doc_type,
            severity: record.severity(),
            failed_checks: record
                .failed_checks()
                .map(|c| AlertCheck {
                    id: c.id.clone(),
                    severity: c.severity,
                    message: c.message.clone(),
                })
                .collect(),
            reasons: record.reasons.clone(),
            processed_at: record.processed_at,
            rules_version: record.rules_version.clone(),
            customer_id: record.customer.id.clone(),
            case_id: record
                .decision
                .needs_alert()
                .then(|| record.document_id.clone()),
        }
    }
}

/// Sent when a customer's overall status moves into one a compliance officer must act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerAlert {
    pub alert_id: String,
    /// Always `customer_status`: tells subscribers this is not a document alert.
    pub kind: String,
    pub customer_id: String,
    pub status: CustomerStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<CustomerStatus>,
    pub severity: Severity,
    pub reasons: Vec<String>,
    pub computed_at: DateTime<Utc>,
    pub rules_version: String,
}

/// Sent when the scheduled sanctions-list refresh could not install new lists: a download
/// failed, or what was downloaded looked wrong (an unknown format, a list that shrank
/// sharply). The lists in force stay the previous ones; a compliance officer must know that
/// screening runs on lists older than expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListsRefreshAlert {
    pub alert_id: String,
    /// Always `lists_refresh`.
    pub kind: String,
    /// `rejected` (downloaded but refused by validation) or `failed` (not downloaded, or not
    /// installed).
    pub outcome: String,
    /// Where the lists are installed: `s3://bucket/prefix/`.
    pub location: String,
    /// Why, one line per list or source; never a file's content.
    pub reasons: Vec<String>,
    /// The lists still in force (from the installed manifest), when they could be read.
    pub lists_in_force: Vec<crate::screening::ListVersion>,
    pub severity: Severity,
    pub at: DateTime<Utc>,
}

impl ListsRefreshAlert {
    pub const KIND: &'static str = "lists_refresh";
}

impl CustomerAlert {
    pub const KIND: &'static str = "customer_status";

    pub fn from_view(view: &CustomerView) -> Self {
        Self {
            alert_id: view
                .alert
                .alert_id
                .clone()
                .unwrap_or_else(|| format!("customer:{}:{}", view.customer_id, view.revision)),
            kind: Self::KIND.to_string(),
            customer_id: view.customer_id.clone(),
            status: view.status,
            previous_status: view.previous_status,
            severity: match view.status {
                CustomerStatus::Rejected => Severity::High,
                CustomerStatus::NeedsReview => Severity::Medium,
                _ => Severity::Low,
            },
            reasons: view.reasons.clone(),
            computed_at: view.computed_at,
            rules_version: view.rules_version.clone(),
        }
    }
}
