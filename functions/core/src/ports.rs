//! Ports: the small traits through which the domain reaches the outside world. Adapters for
//! AWS (S3, DynamoDB, SNS) and for the local machine (files, SQLite, terminal) implement them.
//! They are plain `Future`-returning traits, so the core needs no async runtime.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::audit::{Alert, AuditRecord, SourceRef};
use crate::intake::Unreadable;

/// Whether retrying the same operation can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Throttling, timeouts, 5xx, network: the platform should deliver the event again.
    Transient,
    /// Misconfiguration or a request that will never succeed as it is.
    Permanent,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct PortError {
    pub operation: &'static str,
    pub retry: Retry,
    pub message: String,
}

impl PortError {
    pub fn transient(operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            operation,
            retry: Retry::Transient,
            message: message.into(),
        }
    }
    pub fn permanent(operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            operation,
            retry: Retry::Permanent,
            message: message.into(),
        }
    }
}

/// A fetch either yields bytes, or a reason the document can never be read (recorded as an
/// `unreadable` decision), or a port error worth retrying.
pub enum Fetched {
    Bytes(Vec<u8>),
    Unreadable(Unreadable),
}

pub trait DocumentSource {
    fn fetch(&self, source: &SourceRef) -> impl Future<Output = Result<Fetched, PortError>> + Send;
}

#[derive(Debug)]
pub enum PutOutcome {
    Created,
    /// A record for this document version already exists (a redelivered event); it is
    /// returned as stored so that its pending alert, if any, can be completed.
    AlreadyRecorded(Box<AuditRecord>),
}

pub trait AuditStore {
    /// Stores the record unless one with the same `document_id` exists.
    fn put_new(
        &self,
        record: &AuditRecord,
    ) -> impl Future<Output = Result<PutOutcome, PortError>> + Send;

    fn mark_alert_sent(
        &self,
        document_id: &str,
        sent_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
}

pub trait AlertSink {
    fn publish(&self, alert: &Alert) -> impl Future<Output = Result<(), PortError>> + Send;
}
