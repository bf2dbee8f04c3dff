//! The use case that ties the ports together: fetch, judge, record once, alert once, then
//! judge the customer again.
//!
//! Deliveries are at-least-once and the process may die between any two calls, so the alert's
//! state lives on the audit record: it is stored `pending`, published, then marked `sent`. A
//! redelivery finds the stored record and publishes only if it is still pending. The record is
//! never written twice; an alert is repeated only if the process died after publishing and
//! before marking, and consumers deduplicate by `alert_id`. The customer view follows the same
//! pattern, with a revision number so that concurrent recomputations cannot lose a document.

use chrono::Utc;

use crate::assist::{ClassificationAssistant, NoAssistant};
use crate::audit::{Alert, AlertStatus, AuditRecord, CustomerAlert, SourceRef};
use crate::case::{Case, CaseFile, CaseStatus, ReviewAction, ReviewError, ReviewRequest};
use crate::customer::{
    assess_customer, CustomerClaims, CustomerContext, CustomerDocument, CustomerView, FalsePositive,
};
use crate::extract::Fields;
use crate::pipeline::{Consultation, Pipeline};
use crate::ports::{
    AlertSink, AuditQuery, AuditStore, CaseStore, CustomerStore, DocumentSource, Fetched,
    PortError, PutOutcome, SubjectStore,
};
use crate::query::PageRequest;
use crate::rescreen::{Rescreen, Subject};
use crate::rules::RuleSet;

#[derive(Debug)]
pub struct Outcome {
    pub record: AuditRecord,
    /// The fields in clear, for a caller that may show them; never stored.
    pub fields: Option<Fields>,
    /// `false` when this delivery found the record already stored.
    pub newly_recorded: bool,
    pub alert_published: bool,
    /// The customer's view after this document, when the document names a customer.
    pub customer: Option<CustomerView>,
}

/// How many times a customer view is recomputed when other writers keep winning.
const VIEW_ATTEMPTS: usize = 8;

pub async fn process_document<S, A, P>(
    pipeline: &Pipeline,
    source: &S,
    store: &A,
    sink: &P,
    location: SourceRef,
    claims: CustomerClaims,
) -> Result<Outcome, PortError>
where
    S: DocumentSource,
    A: AuditStore + AuditQuery + CustomerStore + CaseStore + SubjectStore,
    P: AlertSink,
{
    process_document_assisted(
        pipeline,
        source,
        store,
        sink,
        &NoAssistant,
        location,
        claims,
    )
    .await
}

/// [`process_document`], asking `assistant` about documents the pipeline's assist policy
/// names. Whatever the model does (fail, time out, answer nonsense), the document is judged
/// and recorded; the model's answer can only make the checks stricter.
pub async fn process_document_assisted<S, A, P, M>(
    pipeline: &Pipeline,
    source: &S,
    store: &A,
    sink: &P,
    assistant: &M,
    location: SourceRef,
    mut claims: CustomerClaims,
) -> Result<Outcome, PortError>
where
    S: DocumentSource,
    A: AuditStore + AuditQuery + CustomerStore + CaseStore + SubjectStore,
    P: AlertSink,
    M: ClassificationAssistant,
{
    let mut fetched = source.fetch(&location).await?;
    claims.metadata = fetched.metadata_customer_id.take();
    claims.tag = fetched.tag_customer_id.take();
    if let Some(pattern) = &pipeline.customer_key_pattern {
        let key = location.key.as_deref().unwrap_or(&location.uri);
        claims.key_pattern = pattern.customer_id(key);
    }
    let customer = claims.resolve();
    let false_positives = match &customer.id {
        Some(id) => store.false_positives(id).await?,
        None => Vec::new(),
    };
    let context = CustomerContext {
        customer,
        false_positives,
    };

    let content = match &fetched.content {
        Fetched::Bytes(bytes) => Ok(bytes.as_slice()),
        Fetched::Unreadable(reason) => Err(reason.clone()),
    };
    let prepared = pipeline.prepare(
        location,
        content,
        fetched.recognized.as_ref(),
        &context,
        Utc::now(),
    );
    drop(fetched);
    let plan = match pipeline.assist_plan(&prepared) {
        // A redelivered event: the stored record stands, so the model is not paid to read
        // the document again.
        Some(_)
            if store.records_each_version_once()
                && store.record(prepared.document_id()).await?.is_some() =>
        {
            None
        }
        plan => plan,
    };
    let consultation = match plan {
        Some(plan) => Some(Consultation {
            provider: assistant.provider().to_string(),
            model: assistant.model().to_string(),
            asked_because: plan.asked_because,
            exchange: match &plan.request {
                Ok(request) => Ok(assistant.ask(request).await),
                Err(withheld) => Err(withheld.clone()),
            },
        }),
        None => None,
    };
    let assessment = pipeline.conclude(prepared, consultation);
    let record = assessment.record;

    let (mut record, newly_recorded) = match store.put_new(&record).await? {
        PutOutcome::Created => (record, true),
        PutOutcome::AlreadyRecorded(existing) => (*existing, false),
    };
    // Kept for re-screening when the lists change; saved again on a redelivery, so a crash
    // between the record and the subject loses nothing.
    if let Some(subject) = assessment
        .fields
        .as_ref()
        .and_then(|fields| Subject::of(&record, fields))
    {
        store.save_subject(&subject).await?;
    }

    // Before the alert, so that the case the alert names exists when a reviewer opens it.
    // Opening is idempotent: a redelivery finds the case and leaves it as reviewers left it.
    let mut reviewed = None;
    if let Some(case) = Case::open(&record) {
        if !store.open_case(&case).await? {
            // The case exists (a redelivery, or a local rescan of the same bytes): a
            // reviewer's decision on it still stands for the customer.
            reviewed = store
                .case(&case.case_id)
                .await?
                .filter(|c| c.status == CaseStatus::Closed)
                .and_then(|c| c.resolution)
                .map(|r| r.decision());
        }
    }

    let mut alert_published = false;
    if record.alert.status == AlertStatus::Pending {
        sink.publish(&Alert::from_record(&record)).await?;
        let sent_at = Utc::now();
        store.mark_alert_sent(&record.document_id, sent_at).await?;
        record.alert.status = AlertStatus::Sent;
        record.alert.sent_at = Some(sent_at);
        alert_published = true;
    }

    let customer = match CustomerDocument::of(&record) {
        Some(document) => {
            let document = document.reviewed(reviewed);
            store.link_document(&document).await?;
            Some(refresh_customer(pipeline, store, sink, &document.customer_id).await?)
        }
        None => None,
    };
    Ok(Outcome {
        record,
        fields: assessment.fields,
        newly_recorded,
        alert_published,
        customer,
    })
}

/// Recomputes a customer's view from all their documents, stores it, and sends its alert if
/// the status moved into one that needs one. Called after every document of the customer and
/// after a reviewer's decision about them.
pub async fn refresh_customer<A, P>(
    pipeline: &Pipeline,
    store: &A,
    sink: &P,
    customer_id: &str,
) -> Result<CustomerView, PortError>
where
    A: CustomerStore,
    P: AlertSink,
{
    for _ in 0..VIEW_ATTEMPTS {
        let previous = store.customer_view(customer_id).await?;
        let documents = store.customer_documents(customer_id).await?;
        let mut view = assess_customer(
            customer_id,
            &documents,
            &pipeline.rules.customer.required,
            &pipeline.rules.version,
            previous.as_ref(),
            Utc::now(),
        );
        if let Some(previous) = &previous {
            // Nothing changed: keep the stored view (and its revision), finishing its alert.
            if same_judgement(previous, &view) {
                view = previous.clone();
            } else if !store.save_view(&view).await? {
                continue;
            }
        } else if !store.save_view(&view).await? {
            continue;
        }
        if view.alert.status == AlertStatus::Pending {
            sink.publish_customer(&CustomerAlert::from_view(&view))
                .await?;
            let sent_at = Utc::now();
            store
                .mark_customer_alert_sent(customer_id, view.revision, sent_at)
                .await?;
            view.alert.status = AlertStatus::Sent;
            view.alert.sent_at = Some(sent_at);
        }
        return Ok(view);
    }
    Err(PortError::transient(
        "customer view",
        format!("the view changed under {VIEW_ATTEMPTS} attempts in a row"),
    ))
}

/// Why a review did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReviewFailure {
    #[error("no case {0}")]
    NotFound(String),
    /// The reviewer's request is not allowed in the case's state, or is malformed.
    #[error(transparent)]
    Refused(#[from] ReviewError),
    #[error(transparent)]
    Port(#[from] PortError),
}

#[derive(Debug, serde::Serialize)]
pub struct ReviewOutcome {
    pub case_file: CaseFile,
    /// The customer's view after the decision, when the decision changed the document's
    /// standing and the case names a customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerView>,
}

/// How many times a review is re-applied when another reviewer keeps changing the case.
const REVIEW_ATTEMPTS: usize = 4;

/// Records a reviewer's decision on a case: validated against the case as stored, appended to
/// its history (the audit record itself is never touched), and then, for a customer's
/// document, the customer's view is recomputed with the reviewer's decision in place of the
/// pipeline's. A false positive is also remembered for the customer, so that the same list
/// entry is suppressed on their later documents.
pub async fn review_case<S, P>(
    pipeline: &Pipeline,
    store: &S,
    sink: &P,
    case_id: &str,
    request: &ReviewRequest,
) -> Result<ReviewOutcome, ReviewFailure>
where
    S: CaseStore + CustomerStore + AuditQuery,
    P: AlertSink,
{
    for _ in 0..REVIEW_ATTEMPTS {
        let Some(case) = store.case(case_id).await? else {
            return Err(ReviewFailure::NotFound(case_id.to_string()));
        };
        let now = Utc::now();
        // Validated against the case as it is now: if another reviewer closed it meanwhile,
        // this is refused rather than applied on top.
        let (next, event) = case.apply(request, now)?;
        if let (Some(hit), Some(customer_id)) = (&event.hit, &case.customer_id) {
            // First, so that an event never claims a suppression that was not stored. The
            // false positive is a decision record of its own (who, why, when).
            store
                .record_false_positive(&FalsePositive {
                    customer_id: customer_id.clone(),
                    list: hit.list.clone(),
                    entry_id: hit.entry_id.clone(),
                    reviewer: event.reviewer.clone(),
                    reason: event.reason.clone(),
                    recorded_at: now,
                    document_id: Some(case.document_id.clone()),
                })
                .await?;
        }
        if !store.record_review(&next, &event).await? {
            continue;
        }
        let changes_standing = matches!(
            request.action,
            ReviewAction::Approve | ReviewAction::Reject | ReviewAction::Reopen
        );
        let customer = match (&next.customer_id, changes_standing) {
            (Some(customer_id), true) => match store.record(&next.document_id).await? {
                Some(record) => match CustomerDocument::of(&record) {
                    Some(document) => {
                        let reviewed = next.resolution.map(|r| r.decision());
                        store.link_document(&document.reviewed(reviewed)).await?;
                        Some(refresh_customer(pipeline, store, sink, customer_id).await?)
                    }
                    None => None,
                },
                None => None,
            },
            _ => None,
        };
        let events = store.case_events(case_id).await?;
        return Ok(ReviewOutcome {
            case_file: CaseFile::new(next, events, Utc::now()),
            customer,
        });
    }
    Err(ReviewFailure::Port(PortError::transient(
        "case review",
        format!("the case changed under {REVIEW_ATTEMPTS} attempts in a row"),
    )))
}

fn same_judgement(a: &CustomerView, b: &CustomerView) -> bool {
    a.status == b.status
        && a.reasons == b.reasons
        && a.documents == b.documents
        && a.requirements == b.requirements
        && a.agreement == b.agreement
        && a.rules_version == b.rules_version
}

/// What re-screening one page of subjects did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RescreenProgress {
    pub subjects: usize,
    /// Subjects with a hit on the changed entries (suppressed false positives excluded).
    pub hits: usize,
    /// Hits recorded by this run; the others were recorded by an earlier run of the same
    /// lists version (a redelivered message, a job run twice).
    pub new_records: usize,
    pub alerts_published: usize,
    /// The ids of the hits' records, new or found.
    pub records: Vec<String>,
    /// The cursor of the next page; `None` when the segment is done.
    pub next: Option<String>,
}

impl RescreenProgress {
    pub fn add(&mut self, other: &RescreenProgress) {
        self.subjects += other.subjects;
        self.hits += other.hits;
        self.new_records += other.new_records;
        self.alerts_published += other.alerts_published;
        self.records.extend(other.records.iter().cloned());
        self.next.clone_from(&other.next);
    }
}

/// Re-screens one page of stored subjects against the changed entries of a list update.
/// A hit is recorded, opens a case and is alerted exactly like a document's decision; its
/// record id is made from the party, the lists version and the entries hit, so a page
/// processed twice (a crash, a redelivered message, the job run again) records and alerts
/// nothing twice.
pub async fn rescreen_page<A, P>(
    rules: &RuleSet,
    rescreen: &Rescreen,
    store: &A,
    sink: &P,
    segment: u32,
    segments: u32,
    page: &PageRequest,
) -> Result<RescreenProgress, PortError>
where
    A: AuditStore + AuditQuery + CustomerStore + CaseStore + SubjectStore,
    P: AlertSink,
{
    let subjects = store.subjects(segment, segments, page).await?;
    let mut progress = RescreenProgress {
        subjects: subjects.items.len(),
        next: subjects.next,
        ..RescreenProgress::default()
    };
    if rescreen.changed_entries == 0 {
        return Ok(progress);
    }
    for subject in &subjects.items {
        let customer = CustomerContext {
            customer: subject.customer.clone(),
            false_positives: match &subject.customer.id {
                Some(id) => store.false_positives(id).await?,
                None => Vec::new(),
            },
        };
        let Some(record) = rescreen.judge(rules, subject, &customer, Utc::now()) else {
            continue;
        };
        progress.hits += 1;
        // A store that keeps every scan (the local one) would append the hit again.
        let stored = store.record(&record.document_id).await?;
        let record = match stored {
            Some(existing) => existing,
            None => match store.put_new(&record).await? {
                PutOutcome::Created => {
                    progress.new_records += 1;
                    record
                }
                PutOutcome::AlreadyRecorded(existing) => *existing,
            },
        };
        if let Some(case) = Case::open(&record) {
            store.open_case(&case).await?;
        }
        if record.alert.status == AlertStatus::Pending {
            sink.publish(&Alert::from_record(&record)).await?;
            store
                .mark_alert_sent(&record.document_id, Utc::now())
                .await?;
            progress.alerts_published += 1;
        }
        progress.records.push(record.document_id);
    }
    Ok(progress)
}
