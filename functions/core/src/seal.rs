//! The sealed copy of an audit record: written once, when the record is stored, to storage
//! that nobody can overwrite or delete (an S3 Object Lock bucket in AWS), so that a record
//! later changed in the audit table, by the processor's role or anyone else, is shown to have
//! been changed, and what it said is still known.
//!
//! The seal holds the whole record except the delivery state of its alert (`status`,
//! `sent_at`), which changes when the alert is published; whether an alert was required and
//! its id are decided with the record and sealed. Comparison is by value, field by field, so
//! a record read back from the table (where numbers lose their JSON kind) compares equal to
//! the record as it was written.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::audit::{AlertStatus, AuditRecord};

/// The format of a sealed copy; a reader refuses others.
pub const SEAL_FORMAT: u32 = 1;

/// Where sealed copies sit in their bucket: `records/<document id>.json`.
pub const SEALED_PREFIX: &str = "records/";

/// A sealed copy is at most this large: an audit record is a DynamoDB item (400 KB at most),
/// and its JSON is of the same order.
pub const MAX_SEALED_BYTES: u64 = 1024 * 1024;

/// A record's sealed copy, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRecord {
    /// `records/<document id>.json`.
    pub key: String,
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, hex.
    pub sha256: String,
}

/// The outcome of comparing a stored record with its sealed copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SealCheck {
    /// The record says what its sealed copy says.
    Intact,
    /// The record differs from its sealed copy: the top-level fields that differ (a field
    /// present on one side only counts).
    Altered { fields: Vec<String> },
    /// No sealed copy: written before sealing was turned on, or lost to the archive's
    /// failure before the processor retried (the redelivery seals it).
    Missing,
    /// The sealed copy cannot be read as one (another format, damaged).
    Unreadable { detail: String },
}

impl SealCheck {
    pub fn is_intact(&self) -> bool {
        matches!(self, SealCheck::Intact)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("document id `{0}` is not a 32-digit hex id; no sealed copy can be named for it")]
    DocumentId(String),
    #[error("audit record cannot be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The key of a document's sealed copy. Only the ids the pipeline makes (32 hex digits) are
/// accepted, so a key can never leave its prefix.
pub fn sealed_key(document_id: &str) -> Result<String, SealError> {
    let valid = document_id.len() == 32
        && document_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !valid {
        return Err(SealError::DocumentId(
            document_id.chars().take(64).collect(),
        ));
    }
    Ok(format!("{SEALED_PREFIX}{document_id}.json"))
}

/// The sealed copy of `record`.
pub fn seal(record: &AuditRecord) -> Result<SealedRecord, SealError> {
    let key = sealed_key(&record.document_id)?;
    let copy = SealedCopy {
        format: SEAL_FORMAT,
        record: sealed_value(record)?,
    };
    let bytes = serde_json::to_vec(&copy)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(SealedRecord { key, bytes, sha256 })
}

/// Compares a record as stored now with the bytes of its sealed copy.
pub fn check(record: &AuditRecord, sealed_bytes: &[u8]) -> SealCheck {
    let copy: SealedCopy = match serde_json::from_slice(sealed_bytes) {
        Ok(copy) => copy,
        Err(e) => {
            return SealCheck::Unreadable {
                detail: format!("not a sealed record: {e}"),
            }
        }
    };
    if copy.format != SEAL_FORMAT {
        return SealCheck::Unreadable {
            detail: format!(
                "sealed in format {}, this version reads {SEAL_FORMAT}",
                copy.format
            ),
        };
    }
    let now = match sealed_value(record) {
        Ok(value) => value,
        Err(e) => {
            return SealCheck::Unreadable {
                detail: format!("record cannot be encoded: {e}"),
            }
        }
    };
    let fields = differing_fields(&copy.record, &now);
    if fields.is_empty() {
        SealCheck::Intact
    } else {
        SealCheck::Altered { fields }
    }
}

#[derive(Serialize, Deserialize)]
struct SealedCopy {
    format: u32,
    record: Value,
}

/// The record as JSON, its alert reduced to what was decided with it.
fn sealed_value(record: &AuditRecord) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(record)?;
    if let Some(fields) = value.as_object_mut() {
        let mut alert = Map::new();
        alert.insert(
            "required".into(),
            Value::Bool(record.alert.status != AlertStatus::NotRequired),
        );
        if let Some(id) = &record.alert.alert_id {
            alert.insert("alert_id".into(), Value::String(id.clone()));
        }
        fields.insert("alert".into(), Value::Object(alert));
    }
    Ok(value)
}

/// The top-level fields of two records that differ, in order.
fn differing_fields(sealed: &Value, now: &Value) -> Vec<String> {
    let empty = Map::new();
    let sealed = sealed.as_object().unwrap_or(&empty);
    let now = now.as_object().unwrap_or(&empty);
    let mut names: Vec<&String> = sealed.keys().chain(now.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| match (sealed.get(*name), now.get(*name)) {
            (Some(a), Some(b)) => !same(a, b),
            // An absent field and a null one say the same.
            (Some(v), None) | (None, Some(v)) => !v.is_null(),
            (None, None) => false,
        })
        .cloned()
        .collect()
}

/// Equality of JSON values where numbers compare by value: the table stores numbers as
/// decimal text, so a float that is whole comes back as an integer.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Decision;
    use crate::{Pipeline, SourceRef};
    use chrono::TimeZone;

    fn record(text: &str) -> AuditRecord {
        let pipeline = Pipeline::with_defaults().unwrap();
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
            .unwrap();
        pipeline.evaluate(
            SourceRef::file("statement.txt", Some(text.len() as u64)),
            Ok(text.as_bytes()),
            now,
        )
    }

    const STATEMENT: &str = "BANK STATEMENT\nAccount holder: Daniel Moreno\n\
        Statement period: 01/03/2026 - 31/03/2026\nOpening balance 1,000.00\nClosing balance 900.00\n";

    #[test]
    fn a_record_is_intact_against_its_own_seal_whatever_its_alert_delivery() {
        let mut r = record(STATEMENT);
        let sealed = seal(&r).unwrap();
        assert_eq!(sealed.key, format!("records/{}.json", r.document_id));
        assert_eq!(sealed.sha256.len(), 64);
        assert_eq!(check(&r, &sealed.bytes), SealCheck::Intact);
        // Publishing the alert changes its delivery state, not what was decided.
        assert_eq!(r.alert.status, AlertStatus::Pending, "{:?}", r.reasons);
        r.alert.status = AlertStatus::Sent;
        r.alert.sent_at = Some(chrono::Utc::now());
        assert_eq!(check(&r, &sealed.bytes), SealCheck::Intact);
        // Sealing is deterministic: a redelivery seals the same bytes.
        let again = seal(&record(STATEMENT)).unwrap();
        assert_eq!(
            check(&record(STATEMENT), &again.bytes),
            SealCheck::Intact,
            "a second processing of the same bytes reads as the same record"
        );
    }

    #[test]
    fn a_changed_decision_or_removed_check_is_named() {
        let r = record(STATEMENT);
        let sealed = seal(&r).unwrap();
        let mut changed = r.clone();
        changed.decision = if r.decision == Decision::Approved {
            Decision::Rejected
        } else {
            Decision::Approved
        };
        changed.checks.pop();
        assert_eq!(
            check(&changed, &sealed.bytes),
            SealCheck::Altered {
                fields: vec!["checks".into(), "decision".into()]
            }
        );
        let mut unalerted = r.clone();
        unalerted.alert.status = if r.alert.status == AlertStatus::NotRequired {
            AlertStatus::Pending
        } else {
            AlertStatus::NotRequired
        };
        assert_eq!(
            check(&unalerted, &sealed.bytes),
            SealCheck::Altered {
                fields: vec!["alert".into()]
            }
        );
    }

    #[test]
    fn numbers_compare_by_value_as_the_table_returns_them() {
        let r = record(STATEMENT);
        let sealed = seal(&r).unwrap();
        let mut text = String::from_utf8(sealed.bytes.clone()).unwrap();
        // The same number in the other JSON kind (a whole float read back as an integer).
        let mut v: Value = serde_json::from_str(&text).unwrap();
        let size = r.size_bytes.unwrap();
        assert_eq!(v["record"]["size_bytes"], serde_json::json!(size));
        v["record"]["size_bytes"] = serde_json::json!(size as f64);
        text = v.to_string();
        assert_eq!(check(&r, text.as_bytes()), SealCheck::Intact);
        assert!(same(&serde_json::json!(1.0), &serde_json::json!(1)));
        assert!(!same(&serde_json::json!(1.5), &serde_json::json!(1)));
    }

    #[test]
    fn other_formats_and_garbage_are_unreadable_not_intact() {
        let r = record(STATEMENT);
        let sealed = seal(&r).unwrap();
        let mut v: Value = serde_json::from_slice(&sealed.bytes).unwrap();
        v["format"] = serde_json::json!(2);
        assert!(matches!(
            check(&r, v.to_string().as_bytes()),
            SealCheck::Unreadable { .. }
        ));
        for bytes in [&b""[..], b"{", b"[]", b"\xff\xfe", b"{\"format\":1}"] {
            assert!(
                matches!(check(&r, bytes), SealCheck::Unreadable { .. }),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn only_pipeline_ids_name_a_key() {
        assert!(sealed_key("0123456789abcdef0123456789abcdef").is_ok());
        for bad in [
            "",
            "../../etc/passwd",
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789abcdef/123456789abcdef",
        ] {
            assert!(sealed_key(bad).is_err(), "{bad}");
        }
    }
}
