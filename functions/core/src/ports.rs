//! Ports: the small traits through which the domain reaches the outside world. Adapters for
//! AWS (S3, DynamoDB, SNS) and for the local machine (files, SQLite, terminal) implement them.
//! They are plain `Future`-returning traits, so the core needs no async runtime.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::audit::{Alert, AuditRecord, CustomerAlert, SourceRef};
use crate::case::{Case, CaseEvent};
use crate::customer::{CustomerDocument, CustomerView, FalsePositive};
use crate::intake::Unreadable;
use crate::query::{Page, PageRequest, RecordQuery, RecordSummary};
use crate::rescreen::Subject;

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

/// What a source returns: the content, and what the object itself says about its customer
/// (S3 user metadata and tags; nothing for local files).
pub struct FetchedDocument {
    pub content: Fetched,
    pub metadata_customer_id: Option<String>,
    pub tag_customer_id: Option<String>,
    /// What OCR made of a scan, when the source ran it (a deployment that turns OCR on).
    pub recognized: Option<OcrOutcome>,
}

impl From<Fetched> for FetchedDocument {
    fn from(content: Fetched) -> Self {
        Self {
            content,
            metadata_customer_id: None,
            tag_customer_id: None,
            recognized: None,
        }
    }
}

pub trait DocumentSource {
    fn fetch(
        &self,
        source: &SourceRef,
    ) -> impl Future<Output = Result<FetchedDocument, PortError>> + Send;
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

    /// Whether a document version gets one record at most (`put_new` keeps the first). Then a
    /// redelivered event need not pay a language model to read the document again: its
    /// judgement would be thrown away. A store that keeps every scan (the local one) says no.
    fn records_each_version_once(&self) -> bool {
        true
    }
}

pub trait AlertSink {
    fn publish(&self, alert: &Alert) -> impl Future<Output = Result<(), PortError>> + Send;

    fn publish_customer(
        &self,
        alert: &CustomerAlert,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// Everything kept per customer: the summaries of their documents, the current view, and the
/// false positives reviewers recorded for them. All of it is keyed by customer id, so one
/// customer's data is read without scanning anyone else's.
pub trait CustomerStore {
    /// Records that the document belongs to the customer; writing the same summary again is
    /// harmless (a redelivered event).
    fn link_document(
        &self,
        document: &CustomerDocument,
    ) -> impl Future<Output = Result<(), PortError>> + Send;

    /// Every document summary of the customer, read consistently (including one just linked).
    fn customer_documents(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Vec<CustomerDocument>, PortError>> + Send;

    fn customer_view(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Option<CustomerView>, PortError>> + Send;

    /// Stores the view only if the stored one has revision `view.revision - 1` (or none for
    /// revision 1). `Ok(false)`: another writer got there first; read again and recompute.
    fn save_view(
        &self,
        view: &CustomerView,
    ) -> impl Future<Output = Result<bool, PortError>> + Send;

    fn mark_customer_alert_sent(
        &self,
        customer_id: &str,
        revision: u64,
        sent_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), PortError>> + Send;

    fn false_positives(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Vec<FalsePositive>, PortError>> + Send;

    /// Appends a reviewer's false-positive decision (never overwrites an earlier one).
    fn record_false_positive(
        &self,
        false_positive: &FalsePositive,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// Cases and their reviewer events. The case item holds the current state; events are
/// appended, never changed.
pub trait CaseStore {
    /// Opens the case unless one with its id exists (a redelivered event): `Ok(false)` then.
    fn open_case(&self, case: &Case) -> impl Future<Output = Result<bool, PortError>> + Send;

    fn case(&self, case_id: &str) -> impl Future<Output = Result<Option<Case>, PortError>> + Send;

    /// The cases with these ids that exist, in any order (for reports).
    fn cases(
        &self,
        case_ids: &[String],
    ) -> impl Future<Output = Result<Vec<Case>, PortError>> + Send;

    /// The case's events, oldest first.
    fn case_events(
        &self,
        case_id: &str,
    ) -> impl Future<Output = Result<Vec<CaseEvent>, PortError>> + Send;

    /// Appends the event and stores the case, both or neither, only if the stored case still
    /// has revision `case.revision - 1`. `Ok(false)`: another reviewer got there first.
    fn record_review(
        &self,
        case: &Case,
        event: &CaseEvent,
    ) -> impl Future<Output = Result<bool, PortError>> + Send;

    /// Open and escalated cases, oldest first.
    fn open_cases(
        &self,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Case>, PortError>> + Send;
}

/// Reading the audit trail back.
pub trait AuditQuery {
    /// The stored record of a document version (the latest, where a local store holds
    /// several scans of the same file).
    fn record(
        &self,
        document_id: &str,
    ) -> impl Future<Output = Result<Option<AuditRecord>, PortError>> + Send;

    /// Records meeting the query, newest first.
    fn query_records(
        &self,
        query: &RecordQuery,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<RecordSummary>, PortError>> + Send;
}

/// Text an OCR service recognised in a document, and how many pages it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecognizedText {
    pub text: String,
    pub pages: Option<usize>,
}

/// What OCR made of a document: its text, or why the service cannot read it (a refusal that
/// retrying will not change: an unsupported or oversized document). Throttling and outages are
/// `PortError`s instead, so that the event is delivered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognition {
    Text(RecognizedText),
    Refused(String),
}

/// What an OCR service made of a document, with the service's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrOutcome {
    pub provider: &'static str,
    pub recognition: Recognition,
}

/// OCR of PDFs without a text layer (scans), used only where a deployment turns it on.
pub trait TextRecognizer {
    /// The service's name, recorded with the document (`text:ocr:<name>`).
    fn name(&self) -> &'static str;

    fn recognize(
        &self,
        document: &[u8],
    ) -> impl Future<Output = Result<Recognition, PortError>> + Send;
}

/// The parties past documents screened, kept for re-screening when the lists change.
pub trait SubjectStore {
    /// Keeps the document's subject; saving the same document's subject again replaces it.
    fn save_subject(&self, subject: &Subject)
        -> impl Future<Output = Result<(), PortError>> + Send;

    /// One page of the stored subjects of scan segment `segment` out of `segments` (a store
    /// that cannot split its scan puts every subject in segment 0). `page.cursor` comes from the
    /// previous page's `next`.
    fn subjects(
        &self,
        segment: u32,
        segments: u32,
        page: &PageRequest,
    ) -> impl Future<Output = Result<Page<Subject>, PortError>> + Send;
}
