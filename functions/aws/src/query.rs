//! Querying the audit table without a Scan. Every criterion of a [`RecordQuery`] has an access
//! path; one of them drives the read and [`RecordQuery::matches_summary`] checks the rest on
//! every candidate, so the answer is the same whichever path served it.
//!
//! ```text
//! access path                 key                                   range
//! index by_customer           customer_id                           processed_at
//! index by_type               doc_type                              processed_at
//! index by_decision           decision                              processed_at
//! index by_month              month ("YYYY-MM")                     processed_at
//! item  CHECK#{check_id}      one per failed check of a record      {processed_at}#{document_id}
//! item  NAME#{word print}     one per word print of a subject name  {processed_at}#{document_id}
//! ```
//!
//! The record item carries the top-level attributes the indexes key on and project (`month`,
//! `severity`, `failed_checks` beside the record's own), so a candidate's summary is read from
//! the index without fetching the record. The CHECK#/NAME# items hold the summary under
//! `summary` (nested, so that no record index picks them up) and, for names, every name of the
//! record as lists of word prints, for a query of several words. They are written after the
//! record on every delivery (puts of the same content), so a crash between the two is healed by
//! the redelivery.
//!
//! A page is filled with at most [`MAX_QUERY_CALLS`] Query calls; its cursor (base64url of a
//! small JSON: the access path, the month, the key to continue after) comes back even when the
//! page is short.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, Datelike, Duration, Utc};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::classify::DocType;
use compliance_core::ports::{AuditQuery, PortError};
use compliance_core::query::{record_name_words, Page, PageRequest, RecordQuery, RecordSummary};
use serde::{Deserialize, Serialize};

use crate::cases::{batch_backoff, Item, BATCH_ROUNDS};
use crate::{port_error, DynamoAuditStore, BY_CUSTOMER_INDEX, CUSTOMER_ID_ATTRIBUTE};

/// Records by decision (`decision`, `processed_at`).
pub const BY_DECISION_INDEX: &str = "by_decision";
/// Records by document type (`doc_type`, `processed_at`).
pub const BY_TYPE_INDEX: &str = "by_type";
/// Records by month (`month`, `processed_at`).
pub const BY_MONTH_INDEX: &str = "by_month";
/// Partition prefix of the failed-check index items.
pub const CHECK_PREFIX: &str = "CHECK#";
/// Partition prefix of the name index items.
pub const NAME_PREFIX: &str = "NAME#";
/// Top-level attributes a record item carries for the indexes, beside the record's own.
pub const MONTH_ATTRIBUTE: &str = "month";
pub const SEVERITY_ATTRIBUTE: &str = "severity";
pub const FAILED_CHECKS_ATTRIBUTE: &str = "failed_checks";
/// Index items: the record summary, and (names) the record's names as word prints.
pub const SUMMARY_ATTRIBUTE: &str = "summary";
pub const NAME_WORDS_ATTRIBUTE: &str = "name_words";
/// Every record attribute a query reads from an index (the projection of the record indexes).
pub const SUMMARY_ATTRIBUTES: [&str; 8] = [
    "document_id",
    "document",
    "doc_type",
    "decision",
    SEVERITY_ATTRIBUTE,
    CUSTOMER_ID_ATTRIBUTE,
    FAILED_CHECKS_ATTRIBUTE,
    "rules_version",
];

/// The most months a query without a narrower criterion may span (one Query per month).
pub const MAX_QUERY_MONTHS: usize = 120;
/// The range of a query that gives neither a criterion nor `since`: this many days back.
pub const DEFAULT_RANGE_DAYS: i64 = 31;
/// The most Query calls made for one page; a short page then carries a cursor.
pub const MAX_QUERY_CALLS: usize = 8;
/// BatchWriteItem takes at most this many items per call.
const BATCH_WRITE_ITEMS: usize = 25;
/// Fewer items than this per Query would mean many round trips when filters are selective.
const MIN_QUERY_LIMIT: usize = 25;
const OPERATION: &str = "audit query";

/// `YYYY-MM` of a time: the `month` attribute.
pub fn month_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

/// A time cut at the second, without zone: compared with stored RFC 3339 UTC times (whatever
/// their fraction digits), every time in that second or later sorts after it.
pub fn second_prefix(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The sort key of a record's index items: fixed-width time, so they sort by time.
pub fn index_sk(record: &AuditRecord) -> String {
    format!(
        "{}#{}",
        record.processed_at.format("%Y-%m-%dT%H:%M:%S%.9fZ"),
        record.document_id
    )
}

fn encode_error(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::permanent("dynamodb:PutItem", format!("cannot encode {what}: {e}"))
}

/// The attributes a record item carries for the indexes, beside the record's own.
pub(crate) fn record_query_attributes(record: &AuditRecord) -> Vec<(&'static str, AttributeValue)> {
    let failed: Vec<AttributeValue> = record
        .failed_checks()
        .map(|c| AttributeValue::S(c.id.clone()))
        .collect();
    vec![
        (
            MONTH_ATTRIBUTE,
            AttributeValue::S(month_of(record.processed_at)),
        ),
        (
            SEVERITY_ATTRIBUTE,
            AttributeValue::S(record.severity().as_str().to_string()),
        ),
        (FAILED_CHECKS_ATTRIBUTE, AttributeValue::L(failed)),
    ]
}

/// The index items of a record: one per failed check, one per word print of its names.
pub fn index_items(record: &AuditRecord) -> Result<Vec<Item>, PortError> {
    let summary = serde_dynamo::to_attribute_value::<_, AttributeValue>(RecordSummary::of(record))
        .map_err(|e| encode_error("record summary", e))?;
    let sk = AttributeValue::S(index_sk(record));
    let item = |pk: String| {
        HashMap::from([
            ("pk".to_string(), AttributeValue::S(pk)),
            ("sk".to_string(), sk.clone()),
            (SUMMARY_ATTRIBUTE.to_string(), summary.clone()),
        ])
    };
    let mut checks: Vec<&str> = record.failed_checks().map(|c| c.id.as_str()).collect();
    checks.sort_unstable();
    checks.dedup();
    let mut items: Vec<Item> = checks
        .into_iter()
        .map(|id| item(format!("{CHECK_PREFIX}{id}")))
        .collect();
    let words = record_name_words(record);
    if !words.is_empty() {
        let names: Vec<Vec<String>> = record
            .identity
            .iter()
            .flat_map(|i| i.names.iter())
            .map(|n| {
                n.words
                    .iter()
                    .filter(|w| !w.word.is_empty())
                    .map(|w| w.word.clone())
                    .collect()
            })
            .collect();
        let names = serde_dynamo::to_attribute_value::<_, AttributeValue>(names)
            .map_err(|e| encode_error("name prints", e))?;
        for word in words {
            let mut name_item = item(format!("{NAME_PREFIX}{word}"));
            name_item.insert(NAME_WORDS_ATTRIBUTE.to_string(), names.clone());
            items.push(name_item);
        }
    }
    Ok(items)
}

impl DynamoAuditStore {
    /// Writes the record's index items (BatchWriteItem, 25 a call, unprocessed items retried a
    /// bounded number of times). Idempotent: the same items with the same content.
    pub(crate) async fn put_index_items(&self, record: &AuditRecord) -> Result<(), PortError> {
        let requests: Vec<WriteRequest> = index_items(record)?
            .into_iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .map_err(|e| PortError::permanent("dynamodb:BatchWriteItem", e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        for chunk in requests.chunks(BATCH_WRITE_ITEMS) {
            let mut pending = chunk.to_vec();
            let mut round = 0;
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(|e| port_error("dynamodb:BatchWriteItem", &e))?;
                pending = output
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    if round >= BATCH_ROUNDS {
                        return Err(PortError::transient(
                            "dynamodb:BatchWriteItem",
                            "index items still unprocessed after retries",
                        ));
                    }
                    batch_backoff(round).await;
                    round += 1;
                }
            }
        }
        Ok(())
    }
}

/// The key of an item as strings (every key attribute of the table and its indexes is one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CursorKey(BTreeMap<String, String>);

impl CursorKey {
    pub fn from_item(key: &Item) -> Result<Self, PortError> {
        key.iter()
            .map(|(name, value)| match value {
                AttributeValue::S(s) => Ok((name.clone(), s.clone())),
                _ => Err(PortError::permanent(
                    OPERATION,
                    format!("key attribute {name} is not a string"),
                )),
            })
            .collect::<Result<_, _>>()
            .map(CursorKey)
    }

    /// The named attributes of an item: the key to continue after it.
    fn of(item: &Item, names: &[&str]) -> Result<Self, PortError> {
        let key: Item = names
            .iter()
            .filter_map(|n| item.get(*n).map(|v| (n.to_string(), v.clone())))
            .collect();
        if key.len() != names.len() {
            return Err(PortError::permanent(
                OPERATION,
                "an index item lacks one of its key attributes",
            ));
        }
        Self::from_item(&key)
    }

    pub fn into_item(self) -> Item {
        self.0
            .into_iter()
            .map(|(k, v)| (k, AttributeValue::S(v)))
            .collect()
    }
}

/// Where a paged read continues: opaque to callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "d")]
    pub driver: String,
    /// The month being read, for the month index.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// The key to continue after; none: from the start of the partition.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub key: Option<CursorKey>,
}

impl Cursor {
    pub fn encode(&self) -> String {
        // Serialising strings and maps of strings cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64url_encode(&json)
    }

    /// The cursor of a page of `driver`; anything else is refused with a message for the
    /// caller (the API answers 400).
    pub fn decode(text: &str, driver: &str) -> Result<Cursor, PortError> {
        let bad = |why: &str| PortError::permanent("cursor", format!("invalid cursor: {why}"));
        let bytes = base64_decode(text).ok_or_else(|| bad("not base64url"))?;
        let cursor: Cursor =
            serde_json::from_slice(&bytes).map_err(|_| bad("not a cursor of this API"))?;
        if cursor.driver != driver {
            return Err(bad("it belongs to a query with other criteria"));
        }
        Ok(cursor)
    }
}

/// Whether a port error is a refused cursor (the caller's mistake, not the store's).
pub fn is_cursor_error(e: &PortError) -> bool {
    e.operation == "cursor"
}

/// Base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64 in either alphabet (standard, as API Gateway encodes bodies, or url, as
/// cursors are), padded or not; `None` if malformed.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let text = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| STANDARD_NO_PAD.decode(text))
        .ok()
}

/// The access path that drives a query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Driver {
    Name(String),
    Customer(String),
    Check(String),
    DocType(DocType),
    Decision(Decision),
    /// The month index, newest month first.
    Months(Vec<String>),
}

/// One key of an access path: an index partition or a table partition.
struct Source {
    index: Option<&'static str>,
    hash_attribute: &'static str,
    hash: String,
    range_attribute: &'static str,
}

impl Source {
    /// The attributes of an item that make the key to continue after it.
    fn key_names(&self) -> Vec<&'static str> {
        let mut names = vec!["pk", "sk"];
        if self.index.is_some() {
            names.extend([self.hash_attribute, self.range_attribute]);
        }
        names
    }
}

impl Driver {
    /// Names come first: they are the only criterion a summary cannot answer, so the name
    /// index must drive whenever a name is asked. Then the narrowest of the others.
    fn choose(query: &RecordQuery, until: DateTime<Utc>) -> Result<Driver, PortError> {
        Ok(if let Some(first) = query.name_words.first() {
            Driver::Name(first.clone())
        } else if let Some(customer) = &query.customer_id {
            Driver::Customer(customer.clone())
        } else if let Some(check) = &query.check_id {
            Driver::Check(check.clone())
        } else if let Some(doc_type) = query.doc_type {
            Driver::DocType(doc_type)
        } else if let Some(decision) = query.decision {
            Driver::Decision(decision)
        } else {
            let since = query
                .since
                .unwrap_or(until - Duration::days(DEFAULT_RANGE_DAYS));
            Driver::Months(months_between(since, until)?)
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Driver::Name(_) => "name",
            Driver::Customer(_) => "customer",
            Driver::Check(_) => "check",
            Driver::DocType(_) => "doc_type",
            Driver::Decision(_) => "decision",
            Driver::Months(_) => "month",
        }
    }

    /// The partition to read, `None` past the last; `partition` indexes [`Driver::Months`], the
    /// other paths have one.
    fn source(&self, partition: usize) -> Option<Source> {
        if partition >= self.partitions() {
            return None;
        }
        let index = |index, hash_attribute, hash: String| Source {
            index: Some(index),
            hash_attribute,
            hash,
            range_attribute: "processed_at",
        };
        let table = |pk: String| Source {
            index: None,
            hash_attribute: "pk",
            hash: pk,
            range_attribute: "sk",
        };
        Some(match self {
            Driver::Name(word) => table(format!("{NAME_PREFIX}{word}")),
            Driver::Check(id) => table(format!("{CHECK_PREFIX}{id}")),
            Driver::Customer(id) => index(BY_CUSTOMER_INDEX, CUSTOMER_ID_ATTRIBUTE, id.clone()),
            Driver::DocType(t) => index(BY_TYPE_INDEX, "doc_type", t.as_str().to_string()),
            Driver::Decision(d) => index(BY_DECISION_INDEX, "decision", d.as_str().to_string()),
            Driver::Months(months) => index(
                BY_MONTH_INDEX,
                MONTH_ATTRIBUTE,
                months.get(partition)?.clone(),
            ),
        })
    }

    fn partitions(&self) -> usize {
        match self {
            Driver::Months(months) => months.len(),
            _ => 1,
        }
    }
}

/// The months from `until`'s (exclusive) back to `since`'s, newest first.
fn months_between(since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<String>, PortError> {
    if since >= until {
        return Ok(Vec::new());
    }
    let last = until - Duration::nanoseconds(1);
    let index = |at: DateTime<Utc>| i64::from(at.year()) * 12 + i64::from(at.month0());
    let (first, last) = (index(since), index(last));
    let count = usize::try_from(last - first + 1).unwrap_or(usize::MAX);
    if count > MAX_QUERY_MONTHS {
        return Err(PortError::permanent(
            "query range",
            format!(
                "the range spans {count} months; at most {MAX_QUERY_MONTHS} can be read without another criterion: narrow since/until or add one"
            ),
        ));
    }
    Ok((first..=last)
        .rev()
        .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        .collect())
}

/// Whether a refused range is the caller's mistake.
pub fn is_range_error(e: &PortError) -> bool {
    e.operation == "query range"
}

/// The bounds on the range attribute for `[since, until)`, cut at whole seconds (slightly
/// wider); candidates are then checked exactly.
struct KeyRange {
    low: Option<String>,
    high: Option<String>,
}

impl KeyRange {
    fn of(since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> Self {
        Self {
            low: since.map(second_prefix),
            high: until.map(|u| second_prefix(u + Duration::seconds(1))),
        }
    }
}

/// A record's names, each as the prints of its words.
type NamePrints = Vec<Vec<String>>;

/// The summary of a candidate, and the names of its record for a name query.
fn candidate(
    item: &Item,
    source: &Source,
) -> Result<(RecordSummary, Option<NamePrints>), PortError> {
    let unreadable = |e: serde_dynamo::Error| {
        let id = item
            .get("pk")
            .and_then(|v| v.as_s().ok())
            .map_or("?", String::as_str);
        PortError::permanent(
            OPERATION,
            format!("index entry of {id} unreadable (written before the query attributes?): {e}"),
        )
    };
    if source.index.is_some() {
        let summary = serde_dynamo::from_item(item.clone()).map_err(unreadable)?;
        return Ok((summary, None));
    }
    let summary = item
        .get(SUMMARY_ATTRIBUTE)
        .cloned()
        .ok_or_else(|| PortError::permanent(OPERATION, "an index item has no summary"))?;
    let summary = serde_dynamo::from_attribute_value(summary).map_err(unreadable)?;
    let names = match item.get(NAME_WORDS_ATTRIBUTE) {
        Some(value) => Some(serde_dynamo::from_attribute_value(value.clone()).map_err(unreadable)?),
        None => None,
    };
    Ok((summary, names))
}

/// Whether one of the names holds every word print asked.
fn names_hold(names: Option<&[Vec<String>]>, words: &[String]) -> bool {
    words.is_empty()
        || names.is_some_and(|names| {
            names
                .iter()
                .any(|name| words.iter().all(|w| name.contains(w)))
        })
}

impl DynamoAuditStore {
    async fn query_source(
        &self,
        source: &Source,
        range: &KeyRange,
        limit: usize,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), PortError> {
        let mut condition = "#h = :h".to_string();
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(source.index.map(str::to_string))
            .expression_attribute_names("#h", source.hash_attribute)
            .expression_attribute_values(":h", AttributeValue::S(source.hash.clone()))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        match (&range.low, &range.high) {
            (Some(_), Some(_)) => condition.push_str(" AND #r BETWEEN :low AND :high"),
            (Some(_), None) => condition.push_str(" AND #r >= :low"),
            (None, Some(_)) => condition.push_str(" AND #r < :high"),
            (None, None) => {}
        }
        if let Some(low) = &range.low {
            request = request.expression_attribute_values(":low", AttributeValue::S(low.clone()));
        }
        if let Some(high) = &range.high {
            request = request.expression_attribute_values(":high", AttributeValue::S(high.clone()));
        }
        if range.low.is_some() || range.high.is_some() {
            request = request.expression_attribute_names("#r", source.range_attribute);
        }
        let output = request
            .key_condition_expression(condition)
            .send()
            .await
            .map_err(|e| port_error("dynamodb:Query", &e))?;
        let next = output.last_evaluated_key.filter(|k| !k.is_empty());
        Ok((output.items.unwrap_or_default(), next))
    }
}

impl AuditQuery for DynamoAuditStore {
    async fn record(&self, document_id: &str) -> Result<Option<AuditRecord>, PortError> {
        self.get(document_id).await
    }

    async fn query_records(
        &self,
        query: &RecordQuery,
        page: &PageRequest,
    ) -> Result<Page<RecordSummary>, PortError> {
        let limit = page.effective_limit();
        let until = query.until.unwrap_or_else(Utc::now);
        let driver = Driver::choose(query, until)?;
        // The month index reads a bounded range: make it the query's, so that the answer is
        // exactly the records of that range.
        let mut query = query.clone();
        if let Driver::Months(_) = driver {
            query.until = Some(until);
            query.since = Some(
                query
                    .since
                    .unwrap_or(until - Duration::days(DEFAULT_RANGE_DAYS)),
            );
        }
        if query.since.zip(query.until).is_some_and(|(s, u)| s >= u) {
            return Ok(Page::default());
        }
        let range = KeyRange::of(query.since, query.until);

        // Where to start: the partition (month) and the key after which to read.
        let (mut partition, mut start) = (0usize, None);
        if let Some(text) = &page.cursor {
            let cursor = Cursor::decode(text, driver.name())?;
            if let Driver::Months(months) = &driver {
                let month = cursor.month.as_deref().unwrap_or("");
                partition = months.iter().position(|m| m == month).ok_or_else(|| {
                    PortError::permanent(
                        "cursor",
                        "invalid cursor: its month is outside the query's range",
                    )
                })?;
            }
            start = cursor.key.map(CursorKey::into_item);
        }
        let cursor_at = |partition: usize, key: Option<CursorKey>| -> Option<String> {
            let month = match &driver {
                Driver::Months(months) => Some(months.get(partition)?.clone()),
                _ => None,
            };
            Some(
                Cursor {
                    driver: driver.name().to_string(),
                    month,
                    key,
                }
                .encode(),
            )
        };

        let mut items = Vec::new();
        for _ in 0..MAX_QUERY_CALLS {
            let Some(source) = driver.source(partition) else {
                return Ok(Page { items, next: None });
            };
            let wanted =
                (limit - items.len()).clamp(MIN_QUERY_LIMIT, compliance_core::query::MAX_PAGE);
            let (found, next_key) = self
                .query_source(&source, &range, wanted, start.take())
                .await?;
            let count = found.len();
            for (position, item) in found.iter().enumerate() {
                let (summary, names) = match candidate(item, &source) {
                    Ok(found) => found,
                    // A record written before the query attributes existed: summarise it
                    // from the record itself rather than fail the whole query.
                    Err(e) if source.index.is_some() => match self.legacy_summary(item).await? {
                        Some(summary) => (summary, None),
                        None => return Err(e),
                    },
                    Err(e) => return Err(e),
                };
                if query.matches_summary(&summary)
                    && names_hold(names.as_deref(), &query.name_words)
                {
                    items.push(summary);
                }
                if items.len() == limit {
                    let last_read = position + 1 == count && next_key.is_none();
                    let next = if !last_read {
                        cursor_at(partition, Some(CursorKey::of(item, &source.key_names())?))
                    } else if partition + 1 < driver.partitions() {
                        cursor_at(partition + 1, None)
                    } else {
                        None
                    };
                    return Ok(Page { items, next });
                }
            }
            match next_key {
                Some(key) => start = Some(key),
                None => partition += 1,
            }
        }
        // Out of calls for this page: a short page, and where to go on.
        let next = match &start {
            Some(key) => cursor_at(partition, Some(CursorKey::from_item(key)?)),
            None => cursor_at(partition, None),
        };
        Ok(Page { items, next })
    }
}

impl DynamoAuditStore {
    /// The summary of an index entry's record, read by its key (`DOC#{id}`).
    async fn legacy_summary(&self, item: &Item) -> Result<Option<RecordSummary>, PortError> {
        let Some(id) = item
            .get("pk")
            .and_then(|v| v.as_s().ok())
            .and_then(|pk| pk.strip_prefix("DOC#"))
        else {
            return Ok(None);
        };
        Ok(self.get(id).await?.as_ref().map(RecordSummary::of))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn base64url_round_trips() {
        for text in ["", "a", "ab", "abc", "abcd", "{\"d\":\"month\"}"] {
            let encoded = base64url_encode(text.as_bytes());
            assert!(!encoded.contains(['+', '/', '=']));
            assert_eq!(base64_decode(&encoded).as_deref(), Some(text.as_bytes()));
        }
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("a"), None);
        assert_eq!(base64_decode("not base64!"), None);
    }

    #[test]
    fn cursors_are_checked_against_their_query() {
        let cursor = Cursor {
            driver: "month".into(),
            month: Some("2026-11".into()),
            key: None,
        };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, "month").ok(), Some(cursor));
        assert!(Cursor::decode(&text, "decision").is_err());
        assert!(Cursor::decode("bm90IGpzb24", "month").is_err());
        assert!(Cursor::decode("%%%", "month").is_err());
    }

    #[test]
    fn months_run_newest_first_and_are_bounded() {
        let months = months_between(at("2026-10-15T00:00:00Z"), at("2027-01-01T00:00:00Z"))
            .unwrap_or_default();
        assert_eq!(months, ["2026-12", "2026-11", "2026-10"]);
        assert!(months_between(at("2000-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")).is_err());
        assert_eq!(
            months_between(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")).ok(),
            Some(Vec::new())
        );
    }

    #[test]
    fn second_prefixes_bound_stored_times() {
        let low = second_prefix(at("2026-11-26T04:30:00.700Z"));
        assert!(low.as_str() <= "2026-11-26T04:30:00Z");
        assert!(low.as_str() <= "2026-11-26T04:30:00.5Z");
        assert!(low.as_str() > "2026-11-26T04:29:59.999Z");
    }
}
