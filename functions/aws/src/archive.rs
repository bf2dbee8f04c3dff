//! Sealed copies of audit records in an S3 bucket with Object Lock (`AuditArchiveBucket` in
//! template.yaml; the copy itself is `compliance_core::seal`). The audit table is where
//! records are queried and where the processor's role may write; the archive is what proves
//! them: every copy is written once (`If-None-Match: *`, which the bucket policy requires of
//! every write, so none is ever replaced) and kept under the bucket's default retention in
//! compliance mode, so no role, the account's root included, can delete it before it expires.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ChecksumAlgorithm;
use compliance_core::audit::AuditRecord;
use compliance_core::ports::PortError;
use compliance_core::seal::{self, SealCheck, MAX_SEALED_BYTES};
use serde::Serialize;

use crate::{port_error, S3Client};

/// Versions of one sealed copy read when checking it; the bucket policy allows one, so more
/// than a few means something wrote around it.
const MAX_VERSIONS_CHECKED: usize = 16;

/// The archive of sealed records: a bucket (with Object Lock) and its client.
#[derive(Clone)]
pub struct S3RecordArchive {
    client: S3Client,
    bucket: String,
}

/// What checking a stored record against the archive found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealReport {
    pub document_id: String,
    pub bucket: String,
    pub key: String,
    /// Versions of the sealed copy in the bucket (one, unless something wrote around the
    /// bucket policy: each is checked).
    pub versions: usize,
    /// Whether a delete marker hides the copy (it is still there, under its version).
    pub hidden_by_delete_marker: bool,
    #[serde(flatten)]
    pub check: SealCheck,
}

impl S3RecordArchive {
    pub fn new(client: S3Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Seals a stored record: writes its sealed copy unless one exists. When one exists (a
    /// redelivery, or deliveries at once) it must say what the record says; one that does not
    /// means the stored record was changed after it was sealed, which is a permanent error
    /// (logged with the fields that differ, never their values): the event fails into the
    /// dead-letter queue and its alarm rather than passing.
    pub async fn seal(&self, record: &AuditRecord) -> Result<(), PortError> {
        let sealed = seal::seal(record)
            .map_err(|e| PortError::permanent("seal", format!("cannot seal the record: {e}")))?;
        let result = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&sealed.key)
            .body(ByteStream::from(sealed.bytes))
            .content_type("application/json")
            // Object Lock requires a checksum of every write.
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .if_none_match("*")
            .send()
            .await;
        let err = match result {
            Ok(_) => {
                tracing::debug!(document_id = %record.document_id, sha256 = %sealed.sha256, "record sealed");
                return Ok(());
            }
            Err(err) => err,
        };
        match err.code() {
            // Sealed before: by an earlier delivery, or by one running at the same time.
            Some("PreconditionFailed") => {}
            // Another conditional write of the key is in flight: try again.
            Some("ConditionalRequestConflict") => {
                return Err(PortError::transient(
                    "s3:PutObject",
                    format!(
                        "sealed copy of {} is being written by another delivery",
                        record.document_id
                    ),
                ))
            }
            _ => return Err(port_error("s3:PutObject", &err)),
        }
        let report = self.check(record).await?;
        match &report.check {
            SealCheck::Intact => Ok(()),
            // Written by a delivery that has not finished (the copy appears whole or not at
            // all, so this is a listing that lags): try again.
            SealCheck::Missing => Err(PortError::transient(
                "s3:PutObject",
                format!(
                    "sealed copy of {} exists but is not listed yet",
                    record.document_id
                ),
            )),
            SealCheck::Altered { fields } => {
                tracing::error!(
                    document_id = %record.document_id,
                    fields = ?fields,
                    "stored audit record differs from its sealed copy"
                );
                Err(PortError::permanent(
                    "seal",
                    format!(
                        "stored record {} differs from its sealed copy in {}",
                        record.document_id,
                        fields.join(", ")
                    ),
                ))
            }
            SealCheck::Unreadable { detail } => Err(PortError::permanent(
                "seal",
                format!(
                    "sealed copy of {} is unreadable: {detail}",
                    record.document_id
                ),
            )),
        }
    }

    /// Compares a stored record with every version of its sealed copy: intact only when there
    /// is one and each says what the record says.
    pub async fn check(&self, record: &AuditRecord) -> Result<SealReport, PortError> {
        let key = seal::sealed_key(&record.document_id)
            .map_err(|e| PortError::permanent("seal", e.to_string()))?;
        let listing = self
            .client
            .list_object_versions()
            .bucket(&self.bucket)
            .prefix(&key)
            .max_keys(i32::try_from(MAX_VERSIONS_CHECKED + 1).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| port_error("s3:ListObjectVersions", &e))?;
        let versions: Vec<String> = listing
            .versions()
            .iter()
            .filter(|v| v.key() == Some(key.as_str()))
            .filter_map(|v| v.version_id().map(str::to_string))
            .collect();
        let hidden_by_delete_marker = listing
            .delete_markers()
            .iter()
            .any(|m| m.key() == Some(key.as_str()) && m.is_latest() == Some(true));
        let mut report = SealReport {
            document_id: record.document_id.clone(),
            bucket: self.bucket.clone(),
            key: key.clone(),
            versions: versions.len(),
            hidden_by_delete_marker,
            check: SealCheck::Missing,
        };
        if versions.len() > MAX_VERSIONS_CHECKED {
            report.check = SealCheck::Unreadable {
                detail: format!("more than {MAX_VERSIONS_CHECKED} versions of the sealed copy"),
            };
            return Ok(report);
        }
        for version in &versions {
            let bytes = self.read_version(&key, version).await?;
            let check = seal::check(record, &bytes);
            if !check.is_intact() {
                report.check = check;
                return Ok(report);
            }
            report.check = SealCheck::Intact;
        }
        Ok(report)
    }

    async fn read_version(&self, key: &str, version: &str) -> Result<Vec<u8>, PortError> {
        crate::lists::get_bounded_version(
            &self.client,
            &self.bucket,
            key,
            Some(version),
            MAX_SEALED_BYTES,
            "a sealed record",
        )
        .await
    }
}
