//! Cases in the audit table, beside the record of the document they are about. The record is
//! never touched; the case item holds the current state and every reviewer action is an event
//! item of its own, appended once.
//!
//! ```text
//! pk                   sk                  item
//! DOC#{document_id}    CASE                the Case; case_queue = "open" while open or escalated
//! DOC#{document_id}    EVENT#{seq:010}     a CaseEvent, written once
//! ```
//!
//! - `open_cases` (case_queue, opened_at) is sparse: a closed case drops its `case_queue`
//!   attribute and so leaves the index, and the waiting cases are read oldest first without a
//!   Scan.
//! - A review writes its event first, only if no event has its sequence number (the case's
//!   next revision): that single conditional put decides which of two reviewers acting at once
//!   wins. The case is then put only if it still has the previous revision. Should the writer
//!   die between the two, the next read of the case finishes the work from the event (the
//!   event holds everything the review did, and applying it again is deterministic), so the
//!   event and the case are stored both or neither, as a reader sees them, and the history is
//!   never lost. No transaction: it would add nothing the event's condition does not already
//!   give, and moto's TransactWriteItems is not isolated under concurrent requests.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Select};
use chrono::{DateTime, Utc};
use compliance_core::case::{Case, CaseEvent, ReviewRequest};
use compliance_core::ports::{CaseStore, PortError};
use compliance_core::query::{Page, PageRequest};

use crate::query::{second_prefix, Cursor, CursorKey};
use crate::{document_pk, port_error, DynamoAuditStore};

/// Sort key of a document's case.
pub const CASE_SK: &str = "CASE";
/// Sort key prefix of a case's events.
pub const EVENT_PREFIX: &str = "EVENT#";
/// The sparse index of waiting cases (`case_queue`, `opened_at`).
pub const OPEN_CASES_INDEX: &str = "open_cases";
/// The attribute keying [`OPEN_CASES_INDEX`]; present only on open and escalated cases.
pub const CASE_QUEUE_ATTRIBUTE: &str = "case_queue";
/// The value of [`CASE_QUEUE_ATTRIBUTE`]: one queue of waiting cases.
pub const OPEN_QUEUE: &str = "open";

/// BatchGetItem takes at most this many keys per call.
const BATCH_GET_KEYS: usize = 100;
/// Rounds of retrying unprocessed keys or items before giving up (the caller retries later).
pub(crate) const BATCH_ROUNDS: u32 = 6;
/// The cursor driver of [`CaseStore::open_cases`].
const OPEN_CASES_DRIVER: &str = "open_cases";

pub(crate) type Item = HashMap<String, AttributeValue>;

pub fn event_sk(seq: u64) -> String {
    format!("{EVENT_PREFIX}{seq:010}")
}

/// The case's item: the case, its keys and, while it waits, its place in the queue.
pub fn case_item(case: &Case) -> Result<Item, PortError> {
    let mut item: Item = serde_dynamo::to_item(case).map_err(|e| {
        PortError::permanent("dynamodb:PutItem", format!("cannot encode case: {e}"))
    })?;
    item.insert("pk".into(), AttributeValue::S(document_pk(&case.case_id)));
    item.insert("sk".into(), AttributeValue::S(CASE_SK.into()));
    if case.status.is_open() {
        item.insert(
            CASE_QUEUE_ATTRIBUTE.into(),
            AttributeValue::S(OPEN_QUEUE.into()),
        );
    }
    Ok(item)
}

fn event_item(event: &CaseEvent) -> Result<Item, PortError> {
    let mut item: Item = serde_dynamo::to_item(event).map_err(|e| {
        PortError::permanent("dynamodb:PutItem", format!("cannot encode case event: {e}"))
    })?;
    item.insert("pk".into(), AttributeValue::S(document_pk(&event.case_id)));
    item.insert("sk".into(), AttributeValue::S(event_sk(event.seq)));
    Ok(item)
}

fn decode_case(item: Item, operation: &'static str) -> Result<Case, PortError> {
    serde_dynamo::from_item(item)
        .map_err(|e| PortError::permanent(operation, format!("stored case unreadable: {e}")))
}

/// Exponential backoff for unprocessed batch entries: 50 ms, 100 ms, … capped at 1.6 s.
pub(crate) async fn batch_backoff(round: u32) {
    let millis = 50u64 << round.min(5);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// What the waiting cases look like now: the numbers of the `case_metrics` job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseBacklog {
    /// Open and escalated cases.
    pub open: u64,
    /// When the oldest of them was opened.
    pub oldest_opened_at: Option<DateTime<Utc>>,
    /// Those opened before the service-level deadline.
    pub past_deadline: u64,
}

impl CaseBacklog {
    /// Whole seconds the oldest waiting case has waited (0 with none waiting).
    pub fn oldest_age_seconds(&self, now: DateTime<Utc>) -> i64 {
        self.oldest_opened_at
            .map_or(0, |at| (now - at).num_seconds().max(0))
    }
}

impl DynamoAuditStore {
    /// Counts the waiting cases (Select COUNT on [`OPEN_CASES_INDEX`], every page), those
    /// opened before `deadline`, and reads the oldest one's opening time.
    pub async fn case_backlog(&self, deadline: DateTime<Utc>) -> Result<CaseBacklog, PortError> {
        let open = self.count_open_cases(None).await?;
        let past_deadline = self.count_open_cases(Some(deadline)).await?;
        let oldest = self.open_cases(&PageRequest::first(1)).await?;
        Ok(CaseBacklog {
            open,
            oldest_opened_at: oldest.items.first().map(|c| c.opened_at),
            past_deadline,
        })
    }

    async fn count_open_cases(&self, before: Option<DateTime<Utc>>) -> Result<u64, PortError> {
        let mut count = 0u64;
        let mut start: Option<Item> = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(OPEN_CASES_INDEX)
                .select(Select::Count)
                .expression_attribute_names("#queue", CASE_QUEUE_ATTRIBUTE)
                .expression_attribute_values(":queue", AttributeValue::S(OPEN_QUEUE.into()))
                .set_exclusive_start_key(start.take());
            request = match before {
                Some(at) => request
                    .key_condition_expression("#queue = :queue AND #opened < :before")
                    .expression_attribute_names("#opened", "opened_at")
                    // Stored times are RFC 3339 in UTC; a bound cut at the second compares
                    // correctly whatever the stored fraction digits.
                    .expression_attribute_values(":before", AttributeValue::S(second_prefix(at))),
                None => request.key_condition_expression("#queue = :queue"),
            };
            let output = request
                .send()
                .await
                .map_err(|e| port_error("dynamodb:Query", &e))?;
            count += u64::try_from(output.count).unwrap_or(0);
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(count),
            }
        }
    }
}

/// How many unfinished reviews a read of a case completes before giving up (one is the most a
/// single crash leaves).
const ROLL_FORWARD_LIMIT: usize = 8;

/// The case after a stored event, applied again exactly as its reviewer applied it.
fn replay(case: &Case, event: &CaseEvent) -> Result<Case, PortError> {
    let request = ReviewRequest {
        action: event.action,
        reviewer: event.reviewer.clone(),
        reason: event.reason.clone(),
        hit: event.hit.clone(),
    };
    let corrupt = |why: String| {
        PortError::permanent(
            "case roll-forward",
            format!(
                "event {} of case {} does not follow the stored case: {why}",
                event.seq, case.case_id
            ),
        )
    };
    let (next, replayed) = case
        .apply(&request, event.at)
        .map_err(|e| corrupt(e.to_string()))?;
    if replayed != *event {
        return Err(corrupt("replaying it gives another event".into()));
    }
    Ok(next)
}

impl DynamoAuditStore {
    /// Stores the case only if the stored one has the previous revision: `Ok(false)` when it
    /// has moved on (another writer finished this review already).
    async fn put_case_after(&self, case: &Case) -> Result<bool, PortError> {
        let previous = case.revision.checked_sub(1).ok_or_else(|| {
            PortError::permanent("dynamodb:PutItem", "a reviewed case has revision 0")
        })?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(case_item(case)?))
            .condition_expression("#revision = :previous")
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":previous", AttributeValue::N(previous.to_string()))
            .send()
            .await;
        crate::conditional_put(result)
    }
}

impl CaseStore for DynamoAuditStore {
    async fn open_case(&self, case: &Case) -> Result<bool, PortError> {
        self.put_if_absent(case_item(case)?).await
    }

    async fn case(&self, case_id: &str) -> Result<Option<Case>, PortError> {
        let pk = document_pk(case_id);
        let Some(mut case) = self.get_item::<Case>(&pk, CASE_SK, "case").await? else {
            return Ok(None);
        };
        // An event beyond the case's revision is a review whose writer died before storing
        // the case: finish it.
        for _ in 0..ROLL_FORWARD_LIMIT {
            let sk = event_sk(case.revision + 1);
            let Some(event) = self.get_item::<CaseEvent>(&pk, &sk, "case event").await? else {
                return Ok(Some(case));
            };
            let next = replay(&case, &event)?;
            case = if self.put_case_after(&next).await? {
                tracing::warn!(
                    case_id,
                    revision = next.revision,
                    "unfinished review completed"
                );
                next
            } else {
                self.get_item::<Case>(&pk, CASE_SK, "case")
                    .await?
                    .ok_or_else(|| PortError::permanent("dynamodb:GetItem", "the case vanished"))?
            };
        }
        Err(PortError::transient(
            "case roll-forward",
            format!("case {case_id} has more than {ROLL_FORWARD_LIMIT} unfinished reviews"),
        ))
    }

    async fn cases(&self, case_ids: &[String]) -> Result<Vec<Case>, PortError> {
        let mut ids: Vec<&String> = case_ids.iter().collect();
        // BatchGetItem refuses duplicate keys in one request.
        ids.sort();
        ids.dedup();
        let mut cases = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_GET_KEYS) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| {
                    HashMap::from([
                        ("pk".to_string(), AttributeValue::S(document_pk(id))),
                        ("sk".to_string(), AttributeValue::S(CASE_SK.into())),
                    ])
                })
                .collect();
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| PortError::permanent("dynamodb:BatchGetItem", e.to_string()))?,
            );
            let mut round = 0;
            while let Some(request) = pending.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| port_error("dynamodb:BatchGetItem", &e))?;
                for item in output
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    cases.push(decode_case(item, "dynamodb:BatchGetItem")?);
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .filter(|k| !k.keys().is_empty());
                if pending.is_some() {
                    if round >= BATCH_ROUNDS {
                        return Err(PortError::transient(
                            "dynamodb:BatchGetItem",
                            "cases still unprocessed after retries",
                        ));
                    }
                    batch_backoff(round).await;
                    round += 1;
                }
            }
        }
        Ok(cases)
    }

    async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, PortError> {
        let mut events = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(document_pk(case_id)))
                .expression_attribute_values(":prefix", AttributeValue::S(EVENT_PREFIX.into()))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| port_error("dynamodb:Query", &e))?;
            for item in output.items.unwrap_or_default() {
                events.push(serde_dynamo::from_item(item).map_err(|e| {
                    PortError::permanent(
                        "dynamodb:Query",
                        format!("stored case event unreadable: {e}"),
                    )
                })?);
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        // Zero-padded sort keys already order them; sorting keeps the contract explicit.
        events.sort_by_key(|e: &CaseEvent| e.seq);
        Ok(events)
    }

    async fn record_review(&self, case: &Case, event: &CaseEvent) -> Result<bool, PortError> {
        if event.seq != case.revision || case.revision == 0 {
            return Err(PortError::permanent(
                "dynamodb:PutItem",
                "the event's sequence number is not the case's new revision",
            ));
        }
        // The event first: of two reviewers of the same revision, only one can write it.
        if !self.put_if_absent(event_item(event)?).await? {
            // Ours already (a retried request whose first attempt went through), or another
            // reviewer's: only the latter lost.
            let stored: Option<CaseEvent> = self
                .get_item(
                    &document_pk(&event.case_id),
                    &event_sk(event.seq),
                    "case event",
                )
                .await?;
            if stored.as_ref() != Some(event) {
                return Ok(false);
            }
        }
        // The review has happened. A reader may have finished it already (same case).
        self.put_case_after(case).await?;
        Ok(true)
    }

    async fn open_cases(&self, page: &PageRequest) -> Result<Page<Case>, PortError> {
        let limit = page.effective_limit();
        let start = match &page.cursor {
            Some(text) => {
                let cursor = Cursor::decode(text, OPEN_CASES_DRIVER)?;
                cursor.key.map(CursorKey::into_item)
            }
            None => None,
        };
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(OPEN_CASES_INDEX)
            .key_condition_expression("#queue = :queue")
            .expression_attribute_names("#queue", CASE_QUEUE_ATTRIBUTE)
            .expression_attribute_values(":queue", AttributeValue::S(OPEN_QUEUE.into()))
            .scan_index_forward(true)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| port_error("dynamodb:Query", &e))?;
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| decode_case(item, "dynamodb:Query"))
            .collect::<Result<Vec<_>, _>>()?;
        let next = match output.last_evaluated_key {
            Some(key) if !key.is_empty() => Some(
                Cursor {
                    driver: OPEN_CASES_DRIVER.into(),
                    month: None,
                    key: Some(CursorKey::from_item(&key)?),
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(Page { items, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_sort_keys_order_as_numbers() {
        assert_eq!(event_sk(1), "EVENT#0000000001");
        assert!(event_sk(9) < event_sk(10));
        assert!(event_sk(99) < event_sk(100));
    }
}
