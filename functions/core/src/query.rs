//! Querying the audit trail: which records to find, the summary returned for each, and pages.
//! Every adapter answers the same [`RecordQuery`] (the DynamoDB one through its indexes, never
//! a Scan) and applies [`RecordQuery::matches`] last, so the semantics are the same everywhere.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditRecord, Decision};
use crate::classify::DocType;
use crate::customer::IdentityKey;
use crate::rules::Severity;

/// A time bound as a user writes it: RFC 3339, or a date (`YYYY-MM-DD`, the start of that day
/// in UTC).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The largest page served; bigger requests are cut to it.
pub const MAX_PAGE: usize = 1000;
pub const DEFAULT_PAGE: usize = 50;

/// What records to find. Every criterion given must hold; none given finds every record (in
/// a date range, where the store needs one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub decision: Option<Decision>,
    pub doc_type: Option<DocType>,
    pub customer_id: Option<String>,
    /// Keyed prints of the words of a name ([`IdentityKey::name_word_prints`]): a record
    /// matches when one of its subject's names contains every word. Names are never stored
    /// or searched in clear.
    pub name_words: Vec<String>,
    /// A check that failed (or could not be evaluated) on the record.
    pub check_id: Option<String>,
    /// `processed_at >= since`.
    pub since: Option<DateTime<Utc>>,
    /// `processed_at < until`.
    pub until: Option<DateTime<Utc>>,
}

impl RecordQuery {
    /// The name criterion from a name as typed, printed with the deployment's identity key.
    pub fn with_name(mut self, name: &str, key: &IdentityKey) -> Self {
        self.name_words = key.name_word_prints(name);
        self
    }

    pub fn in_range(&self, at: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| at >= s) && self.until.is_none_or(|u| at < u)
    }

    /// Whether a record meets every criterion. Adapters that narrow by an index still call
    /// this, so results never depend on which index served them.
    pub fn matches(&self, record: &AuditRecord) -> bool {
        self.in_range(record.processed_at)
            && self.decision.is_none_or(|d| d == record.decision)
            && self.doc_type.is_none_or(|t| t == record.doc_type)
            && self
                .customer_id
                .as_ref()
                .is_none_or(|c| record.customer.id.as_ref() == Some(c))
            && self
                .check_id
                .as_ref()
                .is_none_or(|id| record.failed_checks().any(|c| &c.id == id))
            && (self.name_words.is_empty() || names_contain(record, &self.name_words))
    }

    /// The same test on a summary (which carries everything but the name prints): for stores
    /// that keep summaries in their indexes. The name criterion is the adapter's to check.
    pub fn matches_summary(&self, s: &RecordSummary) -> bool {
        self.in_range(s.processed_at)
            && self.decision.is_none_or(|d| d == s.decision)
            && self.doc_type.is_none_or(|t| t == s.doc_type)
            && self
                .customer_id
                .as_ref()
                .is_none_or(|c| s.customer_id.as_ref() == Some(c))
            && self
                .check_id
                .as_ref()
                .is_none_or(|id| s.failed_checks.iter().any(|c| c == id))
    }
}

/// Whether one of the record's subject names holds every queried word print.
fn names_contain(record: &AuditRecord, words: &[String]) -> bool {
    let Some(identity) = &record.identity else {
        return false;
    };
    identity.names.iter().any(|name| {
        let have: BTreeSet<&str> = name.words.iter().map(|w| w.word.as_str()).collect();
        words.iter().all(|w| have.contains(w.as_str()))
    })
}

/// The word prints of every subject name on a record, for a store's name index.
pub fn record_name_words(record: &AuditRecord) -> BTreeSet<String> {
    record
        .identity
        .iter()
        .flat_map(|i| i.names.iter())
        .flat_map(|n| n.words.iter())
        .filter(|w| !w.word.is_empty())
        .map(|w| w.word.clone())
        .collect()
}

/// One line of a query's answer: enough to list and filter, no personal data. The whole
/// record is read by its document id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSummary {
    pub document_id: String,
    pub document: String,
    pub doc_type: DocType,
    pub decision: Decision,
    pub severity: Severity,
    pub processed_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Ids of the checks that failed or could not be evaluated.
    #[serde(default)]
    pub failed_checks: Vec<String>,
    pub rules_version: String,
}

impl RecordSummary {
    pub fn of(record: &AuditRecord) -> Self {
        Self {
            document_id: record.document_id.clone(),
            document: record.document.clone(),
            doc_type: record.doc_type,
            decision: record.decision,
            severity: record.severity(),
            processed_at: record.processed_at,
            customer_id: record.customer.id.clone(),
            failed_checks: record.failed_checks().map(|c| c.id.clone()).collect(),
            rules_version: record.rules_version.clone(),
        }
    }
}

/// Which page to read: at most `limit` items after the opaque `cursor` of the previous page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn first(limit: usize) -> Self {
        Self {
            limit,
            cursor: None,
        }
    }

    /// The limit actually served: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] for 0.
    pub fn effective_limit(&self) -> usize {
        match self.limit {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as the cursor to read on; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            next: None,
        }
    }
}
