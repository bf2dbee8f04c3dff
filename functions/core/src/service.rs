//! The use case that ties the ports together: fetch, judge, record once, alert once.
//!
//! Deliveries are at-least-once and the process may die between any two calls, so the alert's
//! state lives on the audit record: it is stored `pending`, published, then marked `sent`. A
//! redelivery finds the stored record and publishes only if it is still pending. The record is
//! never written twice; an alert is repeated only if the process died after publishing and
//! before marking, and consumers deduplicate by `alert_id`.

use chrono::Utc;

use crate::audit::{Alert, AlertStatus, AuditRecord, SourceRef};
use crate::extract::Fields;
use crate::pipeline::Pipeline;
use crate::ports::{AlertSink, AuditStore, DocumentSource, Fetched, PortError, PutOutcome};

#[derive(Debug)]
pub struct Outcome {
    pub record: AuditRecord,
    /// The fields in clear, for a caller that may show them; never stored.
    pub fields: Option<Fields>,
    /// `false` when this delivery found the record already stored.
    pub newly_recorded: bool,
    pub alert_published: bool,
}

pub async fn process_document<S, A, P>(
    pipeline: &Pipeline,
    source: &S,
    store: &A,
    sink: &P,
    location: SourceRef,
) -> Result<Outcome, PortError>
where
    S: DocumentSource,
    A: AuditStore,
    P: AlertSink,
{
    let fetched = source.fetch(&location).await?;
    let content = match &fetched {
        Fetched::Bytes(bytes) => Ok(bytes.as_slice()),
        Fetched::Unreadable(reason) => Err(reason.clone()),
    };
    let assessment = pipeline.assess(location, content, Utc::now());
    drop(fetched);
    let record = assessment.record;

    let (mut record, newly_recorded) = match store.put_new(&record).await? {
        PutOutcome::Created => (record, true),
        PutOutcome::AlreadyRecorded(existing) => (*existing, false),
    };

    let mut alert_published = false;
    if record.alert.status == AlertStatus::Pending {
        sink.publish(&Alert::from_record(&record)).await?;
        let sent_at = Utc::now();
        store.mark_alert_sent(&record.document_id, sent_at).await?;
        record.alert.status = AlertStatus::Sent;
        record.alert.sent_at = Some(sent_at);
        alert_published = true;
    }
    Ok(Outcome {
        record,
        fields: assessment.fields,
        newly_recorded,
        alert_published,
    })
}
