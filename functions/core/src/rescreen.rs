//! Re-screening of past screening subjects when the sanctions lists change.
//!
//! Only the entries that are new or changed since the previous lists are screened again, so a
//! daily refresh costs a pass over the stored subjects against a handful of entries rather than
//! the whole lists. A hit becomes a record, a case and an alert exactly like a document's, keyed
//! by the subject and the list version: running the same re-screen twice finds the record and
//! alerts nothing new.

use serde::{Deserialize, Serialize};

/// The queue message that starts or continues a re-screening run.
///
/// The list refresh sends one with `segment: None` when it installed new lists; the
/// re-screening function answers it by sending one message per segment, and a segment that
/// runs out of time sends itself again with its `cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescreenRequest {
    /// The installed lists: `s3://bucket/prefix/`; the previous set is under `previous/`.
    pub lists_uri: String,
    /// SHA-256 of the installed `manifest.json`: names the run, so that a message for lists
    /// that were replaced since is recognised and dropped.
    pub lists_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_segments: Option<u32>,
    /// Where the segment's scan stopped (opaque to everyone but the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl RescreenRequest {
    /// The message the list refresh sends after installing new lists.
    pub fn start(lists_uri: impl Into<String>, lists_version: impl Into<String>) -> Self {
        Self {
            lists_uri: lists_uri.into(),
            lists_version: lists_version.into(),
            segment: None,
            total_segments: None,
            cursor: None,
        }
    }
}

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::audit::{decide, AlertState, AlertStatus, AuditRecord, SourceRef, SCHEMA_VERSION};
use crate::checks::{run_all, CheckContext, Status};
use crate::classify::DocType;
use crate::customer::{CustomerContext, CustomerRef};
use crate::extract::Fields;
use crate::pipeline::PROCESSOR_VERSION;
use crate::rules::RuleSet;
use crate::screening::{ListVersion, SanctionsList, Screener};

/// The most names kept per subject: a transaction report can name thousands of
/// counterparties; those beyond this are screened with the document but not kept.
pub const MAX_SUBJECT_NAMES: usize = 200;
/// The longest name kept (characters); longer text is not a name.
const MAX_NAME_CHARS: usize = 200;
/// The id of the check a re-screen runs: the document's own sanctions screening rule.
pub const SANCTIONS_CHECK: &str = "aml.sanctions_screening";

/// What a document told about the party it screened, kept so that the party can be screened
/// again when the lists change. Names and dates are personal data: the store keeping
/// subjects is readable only by the re-screening job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// The document version that named the party (the audit record's id).
    pub document_id: String,
    /// `s3://bucket/key` or the path scanned.
    pub document: String,
    /// The customer the document belonged to (id and where it was read from), if known.
    #[serde(default)]
    pub customer: CustomerRef,
    pub doc_type: DocType,
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_numbers: Vec<String>,
    pub screened_at: DateTime<Utc>,
}

impl Subject {
    /// The subject of a judged document: `None` when its sanctions check did not screen
    /// anyone (not applicable, disabled, or no name found).
    pub fn of(record: &AuditRecord, fields: &Fields) -> Option<Self> {
        let screened = record
            .checks
            .iter()
            .any(|c| c.id == SANCTIONS_CHECK && matches!(c.status, Status::Pass | Status::Fail));
        if !screened {
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        for name in &fields.names {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
                continue;
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
            if names.len() == MAX_SUBJECT_NAMES {
                break;
            }
        }
        if names.is_empty() {
            return None;
        }
        Some(Self {
            document_id: record.document_id.clone(),
            document: record.document.clone(),
            customer: record.customer.clone(),
            doc_type: record.doc_type,
            names,
            birth_date: fields.date_of_birth,
            nationality: fields.nationality.clone(),
            id_numbers: fields.document_number.iter().cloned().collect(),
            screened_at: record.processed_at,
        })
    }

    /// Whose alerts are collapsed: the customer's, or the document's when no customer is known.
    pub fn party(&self) -> String {
        match &self.customer.id {
            Some(id) => format!("customer:{id}"),
            None => format!("document:{}", self.document_id),
        }
    }

    fn fields(&self) -> Fields {
        Fields {
            names: self.names.clone(),
            date_of_birth: self.birth_date,
            nationality: self.nationality.clone(),
            document_number: self.id_numbers.first().cloned(),
            ..Fields::default()
        }
    }
}

/// The entries of `current` that are new or changed since `previous`, list by list, each list
/// keeping its current version. A list absent from `previous` is new as a whole; entries that
/// were removed are not screened (a removal cannot make anyone a match).
pub fn changed_entries(
    previous: &[SanctionsList],
    current: &[SanctionsList],
) -> Vec<SanctionsList> {
    current
        .iter()
        .map(|list| {
            let before: HashMap<&str, &crate::screening::ListEntry> = previous
                .iter()
                .filter(|p| p.version.id == list.version.id)
                .flat_map(|p| p.entries.iter().map(|e| (e.id.as_str(), e)))
                .collect();
            let entries = list
                .entries
                .iter()
                .filter(|e| before.get(e.id.as_str()).is_none_or(|old| *old != *e))
                .cloned()
                .collect();
            SanctionsList {
                version: list.version.clone(),
                entries,
            }
        })
        .collect()
}

/// A version name for a whole set of lists: SHA-256 over each list's id and SHA-256. Runs over
/// the same lists get the same name, whatever order they were loaded in.
pub fn lists_version(lists: &[ListVersion]) -> String {
    let mut parts: Vec<(&str, &str)> = lists
        .iter()
        .map(|v| (v.id.as_str(), v.sha256.as_str()))
        .collect();
    parts.sort_unstable();
    let mut h = Sha256::new();
    for (id, sha) in parts {
        h.update(id.as_bytes());
        h.update([0]);
        h.update(sha.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Where a re-screening record came from: kept in the record's `rescreen` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescreenOrigin {
    /// The audit record of the document that named the subject.
    pub document_id: String,
    /// [`lists_version`] of the lists whose new or changed entries were screened.
    pub lists_version: String,
    /// How many entries were new or changed, over all lists.
    pub changed_entries: usize,
}

/// The changed entries of one list update, indexed once and used for every subject.
pub struct Rescreen {
    pub screener: Screener,
    pub lists_version: String,
    pub changed_entries: usize,
}

impl Rescreen {
    pub fn new(previous: &[SanctionsList], current: &[SanctionsList]) -> Self {
        let versions: Vec<ListVersion> = current.iter().map(|l| l.version.clone()).collect();
        let changed = changed_entries(previous, current);
        let changed_entries = changed.iter().map(|l| l.entries.len()).sum();
        Self {
            screener: Screener::new(changed),
            lists_version: lists_version(&versions),
            changed_entries,
        }
    }

    /// Screens the subject against the changed entries with the rule set's sanctions check
    /// (same threshold, same false-positive suppression as a document). `None`: no hit, or
    /// every hit is a false positive a reviewer recorded for the customer.
    pub fn judge(
        &self,
        rules: &RuleSet,
        subject: &Subject,
        customer: &CustomerContext,
        now: DateTime<Utc>,
    ) -> Option<AuditRecord> {
        if self.changed_entries == 0 {
            return None;
        }
        let sanctions = RuleSet {
            rules: rules
                .rules
                .iter()
                .filter(|r| r.id == SANCTIONS_CHECK && r.enabled)
                .cloned()
                .collect(),
            ..rules.clone()
        };
        let fields = subject.fields();
        let checks = run_all(
            &sanctions,
            &CheckContext {
                doc_type: subject.doc_type,
                transactions: &rules.transactions,
                fields: &fields,
                screener: &self.screener,
                today: now.date_naive(),
                customer,
            },
        );
        if !checks.iter().any(|c| c.status == Status::Fail) {
            return None;
        }
        let mut hits: Vec<String> = checks
            .iter()
            .flat_map(|c| c.evidence.as_array().cloned().unwrap_or_default())
            .filter(|e| e.get("suppressed_by").is_none())
            .filter_map(|e| {
                Some(format!(
                    "{}/{}",
                    e.get("list")?.as_str()?,
                    e.get("entry_id")?.as_str()?
                ))
            })
            .collect();
        hits.sort_unstable();
        hits.dedup();
        let document_id = {
            let mut h = Sha256::new();
            for part in [
                "rescreen",
                subject.party().as_str(),
                self.lists_version.as_str(),
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            for hit in &hits {
                h.update(hit.as_bytes());
                h.update([0]);
            }
            hex::encode(&h.finalize()[..16])
        };
        // The document's confidence was judged when it was read; the names are as read then.
        let (decision, mut reasons) = decide(&checks, 1.0, 0.0);
        reasons.insert(
            0,
            format!(
                "re-screened against {} new or changed list entr{} (lists version {}): a party named in {} matches",
                self.changed_entries,
                if self.changed_entries == 1 { "y" } else { "ies" },
                &self.lists_version[..12.min(self.lists_version.len())],
                subject.document
            ),
        );
        let alert = if decision.needs_alert() {
            AlertState {
                status: AlertStatus::Pending,
                alert_id: Some(document_id.clone()),
                sent_at: None,
            }
        } else {
            AlertState {
                status: AlertStatus::NotRequired,
                alert_id: None,
                sent_at: None,
            }
        };
        let mut record = AuditRecord {
            schema_version: SCHEMA_VERSION,
            document_id,
            document: subject.document.clone(),
            source: SourceRef {
                uri: subject.document.clone(),
                bucket: None,
                key: None,
                version_id: None,
                etag: None,
                size: None,
            },
            sha256: None,
            size_bytes: None,
            format: None,
            pages: None,
            doc_type: subject.doc_type,
            confidence: 1.0,
            classification_signals: vec!["rescreen".to_string()],
            fields: fields.masked(),
            checks,
            decision,
            reasons,
            processed_at: now,
            processor_version: PROCESSOR_VERSION.to_string(),
            rules_version: rules.version.clone(),
            lists: self.screener.versions(),
            alert,
            customer: subject.customer.clone(),
            identity: None,
            assistance: None,
            rescreen: Some(RescreenOrigin {
                document_id: subject.document_id.clone(),
                lists_version: self.lists_version.clone(),
                changed_entries: self.changed_entries,
            }),
        };
        crate::pipeline::fit_audit_store(&mut record);
        Some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::lists;

    #[test]
    fn only_new_and_changed_entries_are_screened_again() {
        let current = lists::bundled().expect("bundled lists");
        let mut previous = current.clone();
        let entries = &mut previous[0].entries;
        let added = entries.remove(0).id;
        entries[0].aliases.push("A NAME IT LOST".into());
        let changed_id = entries[0].id.clone();
        let changed = changed_entries(&previous, &current);
        let ids: Vec<&str> = changed
            .iter()
            .flat_map(|l| l.entries.iter().map(|e| e.id.as_str()))
            .collect();
        assert_eq!(ids, vec![added.as_str(), changed_id.as_str()]);
        assert_eq!(
            changed[0].version, current[0].version,
            "current version kept"
        );

        assert!(changed_entries(&current, &current)
            .iter()
            .all(|l| l.entries.is_empty()));
        let everything: usize = changed_entries(&[], &current)
            .iter()
            .map(|l| l.entries.len())
            .sum();
        assert_eq!(everything, current[0].entries.len(), "no previous: all new");
    }

    #[test]
    fn the_lists_version_names_the_set_whatever_its_order() {
        let mut a = crate::screening::ListVersion {
            id: "ofac_sdn".into(),
            source: "x".into(),
            published: None,
            entries: 1,
            sha256: "aa".into(),
        };
        let mut b = a.clone();
        b.id = "un_sc".into();
        b.sha256 = "bb".into();
        let v = lists_version(&[a.clone(), b.clone()]);
        assert_eq!(v, lists_version(&[b.clone(), a.clone()]));
        a.sha256 = "ab".into();
        assert_ne!(v, lists_version(&[a, b]));
    }
}
