//! The daily digest: what a compliance team reads each morning. For a period (by default the
//! 24 hours before the run): how many documents were judged and with which decisions, by
//! document type, the checks that failed most often; and, as it stands at the run, the cases
//! waiting for a reviewer by age, those past the service-level deadline, and the sanctions
//! list versions the latest records were screened against.
//!
//! Pure: [`DigestBuilder`] takes pages of [`RecordSummary`] and [`Case`] as they are read;
//! [`collect`] reads them through the ports ([`AuditQuery::query_records`] over the period,
//! [`CaseStore::open_cases`]) with a bound on the pages read ([`DigestLimits`]), so that a huge
//! day cannot time a function out. When a bound is hit the counts are lower bounds and the
//! digest says so (`truncated`): "at least N".
//!
//! No personal data: counts, document types, check ids, list versions and case ids (which are
//! document ids, hashes) only. Never a document name, a customer id or a reason text.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditRecord, Decision};
use crate::case::{Case, CaseStatus};
use crate::classify::DocType;
use crate::ports::{AuditQuery, CaseStore, PortError};
use crate::query::{PageRequest, RecordQuery, RecordSummary, MAX_PAGE};
use crate::screening::ListVersion;

/// The `kind` of a digest: its body's `kind` and the SNS message attribute.
pub const DIGEST_KIND: &str = "digest";
/// The period of a digest unless asked otherwise, in hours.
pub const DEFAULT_PERIOD_HOURS: u32 = 24;
/// The longest period a digest covers (a month), in hours.
pub const MAX_PERIOD_HOURS: u32 = 31 * 24;
/// Failed checks listed, most frequent first.
pub const TOP_CHECKS: usize = 5;
/// The oldest open cases listed one by one (by case id).
pub const OLDEST_LISTED: usize = 5;
/// Hex characters of a list's SHA-256 shown.
pub const SHORT_SHA_CHARS: usize = 12;
/// The most sanctions lists named (a deployment has a handful).
pub const MAX_LISTS: usize = 20;
/// How many of the newest records are read in full, looking for one with list versions.
const LIST_PROBES: usize = 3;

/// Open cases by age: (label, from hours, to hours (exclusive); none: no upper bound).
pub const AGE_BUCKETS: [(&str, i64, Option<i64>); 4] = [
    ("under 1 day", 0, Some(24)),
    ("1 to 3 days", 24, Some(72)),
    ("3 to 7 days", 72, Some(168)),
    ("over 7 days", 168, None),
];

/// How much is read for one digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestLimits {
    /// Items asked for per page (at most [`MAX_PAGE`]).
    pub page_size: usize,
    /// Pages of records read at most; then the document counts are lower bounds.
    pub max_record_pages: usize,
    /// Pages of open cases read at most; then the case counts are lower bounds.
    pub max_case_pages: usize,
}

impl Default for DigestLimits {
    /// 20,000 records and 10,000 open cases: some 30 reads, seconds on DynamoDB.
    fn default() -> Self {
        Self {
            page_size: MAX_PAGE,
            max_record_pages: 20,
            max_case_pages: 10,
        }
    }
}

/// Documents judged in the period, by the pipeline's decision. Where a store keeps every scan
/// of a file (the local one), each scan counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCounts {
    pub processed: u64,
    pub approved: u64,
    pub manual_review: u64,
    pub rejected: u64,
    pub unreadable: u64,
    /// The read stopped at its bound: every count is "at least".
    pub truncated: bool,
}

impl DocumentCounts {
    fn add(&mut self, decision: Decision) {
        self.processed += 1;
        *self.get_mut(decision) += 1;
    }

    fn get_mut(&mut self, decision: Decision) -> &mut u64 {
        match decision {
            Decision::Approved => &mut self.approved,
            Decision::ManualReview => &mut self.manual_review,
            Decision::Rejected => &mut self.rejected,
            Decision::Unreadable => &mut self.unreadable,
        }
    }

    pub fn get(&self, decision: Decision) -> u64 {
        match decision {
            Decision::Approved => self.approved,
            Decision::ManualReview => self.manual_review,
            Decision::Rejected => self.rejected,
            Decision::Unreadable => self.unreadable,
        }
    }

    /// Documents that opened a case (every decision but approved).
    pub fn not_approved(&self) -> u64 {
        self.processed - self.approved
    }
}

/// Documents of one type in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocTypeCount {
    pub doc_type: DocType,
    pub processed: u64,
    /// Of which not approved outright.
    pub not_approved: u64,
}

/// A check that failed (or could not be evaluated) on documents of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckCount {
    pub check_id: String,
    pub documents: u64,
}

/// Open cases of one age range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBucket {
    pub label: String,
    pub min_hours: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hours: Option<i64>,
    pub cases: u64,
}

/// One of the oldest open cases: its id and what kind of case it is, nothing personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldCase {
    pub case_id: String,
    pub doc_type: DocType,
    pub decision: Decision,
    pub status: CaseStatus,
    pub age_seconds: i64,
    pub past_sla: bool,
}

/// The cases waiting for a reviewer at the run, whatever the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCasesDigest {
    /// Open and escalated.
    pub total: u64,
    pub escalated: u64,
    /// Waiting longer than the SLA.
    pub past_sla: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_age_seconds: Option<i64>,
    pub buckets: Vec<AgeBucket>,
    /// The oldest, oldest first (at most [`OLDEST_LISTED`]).
    pub oldest: Vec<OldCase>,
    /// The read stopped at its bound: the counts are "at least" (the cases not read are the
    /// youngest, stores list the oldest first).
    pub truncated: bool,
}

/// A sanctions list version in force: what the latest records were screened against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListInForce {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    pub entries: usize,
    /// The first [`SHORT_SHA_CHARS`] hex characters of the list's SHA-256.
    pub sha256_short: String,
}

impl ListInForce {
    pub fn of(version: &ListVersion) -> Self {
        Self {
            id: version.id.clone(),
            published: version.published.clone(),
            entries: version.entries,
            sha256_short: version.sha256.chars().take(SHORT_SHA_CHARS).collect(),
        }
    }
}

/// The digest: the message published with `kind = digest`, and what `compliance digest`
/// prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// Always [`DIGEST_KIND`].
    pub kind: String,
    /// `digest:` and the period's end: the same for a retried run, so that readers can
    /// recognise a duplicate.
    pub digest_id: String,
    /// The period: documents processed at or after `since` and before `until`.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    /// The deadline of a case, in hours (`CaseSlaHours`).
    pub sla_hours: i64,
    pub documents: DocumentCounts,
    /// Most documents first.
    pub by_doc_type: Vec<DocTypeCount>,
    /// The most frequent failed checks (at most [`TOP_CHECKS`]), most frequent first.
    pub top_failed_checks: Vec<CheckCount>,
    /// Distinct failed checks not listed.
    pub more_failed_checks: usize,
    pub open_cases: OpenCasesDigest,
    /// The list versions of the newest record of the period (or, in a quiet period, the
    /// newest before it); empty when no record was found.
    pub lists: Vec<ListInForce>,
    /// When the record the list versions come from was processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lists_seen_at: Option<DateTime<Utc>>,
}

impl Digest {
    /// The id of the digest of the period ending at `until`.
    pub fn id_for(until: DateTime<Utc>) -> String {
        format!("{DIGEST_KIND}:{}", until.format("%Y-%m-%dT%H:%M:%SZ"))
    }

    /// Whether a count is a lower bound.
    pub fn truncated(&self) -> bool {
        self.documents.truncated || self.open_cases.truncated
    }
}

/// The period of a digest: `hours` up to `until` (at least one hour, at most
/// [`MAX_PERIOD_HOURS`]).
pub fn period_ending(until: DateTime<Utc>, hours: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let hours = hours.clamp(1, MAX_PERIOD_HOURS);
    (until - Duration::hours(i64::from(hours)), until)
}

/// A scheduled run's period end: the run time cut to the whole hour, so that a retried run
/// covers the same period and gets the same digest id.
pub fn scheduled_end(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(Duration::hours(1)).unwrap_or(now)
}

/// Builds a [`Digest`] from pages as they are read.
#[derive(Debug, Clone)]
pub struct DigestBuilder {
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    sla: Duration,
    documents: DocumentCounts,
    by_type: BTreeMap<&'static str, DocTypeCount>,
    checks: BTreeMap<String, u64>,
    open: OpenCasesDigest,
    open_seen: std::collections::BTreeSet<String>,
    oldest: Vec<OldCase>,
    oldest_opened: Vec<(DateTime<Utc>, String)>,
    lists: Option<(Vec<ListInForce>, DateTime<Utc>)>,
}

fn empty_buckets() -> Vec<AgeBucket> {
    AGE_BUCKETS
        .iter()
        .map(|(label, min, max)| AgeBucket {
            label: (*label).to_string(),
            min_hours: *min,
            max_hours: *max,
            cases: 0,
        })
        .collect()
}

impl DigestBuilder {
    /// A digest of `[since, until)`, with cases aged at `now` against `sla_hours`.
    pub fn new(
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        sla_hours: i64,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            since,
            until,
            now,
            sla: Duration::hours(sla_hours.max(0)),
            documents: DocumentCounts::default(),
            by_type: BTreeMap::new(),
            checks: BTreeMap::new(),
            open: OpenCasesDigest {
                buckets: empty_buckets(),
                ..OpenCasesDigest::default()
            },
            open_seen: std::collections::BTreeSet::new(),
            oldest: Vec::new(),
            oldest_opened: Vec::new(),
            lists: None,
        }
    }

    /// A page of the period's records; records outside the period are ignored.
    pub fn add_records(&mut self, records: &[RecordSummary]) {
        for r in records {
            if r.processed_at < self.since || r.processed_at >= self.until {
                continue;
            }
            self.documents.add(r.decision);
            let row = self
                .by_type
                .entry(r.doc_type.as_str())
                .or_insert_with(|| DocTypeCount {
                    doc_type: r.doc_type,
                    processed: 0,
                    not_approved: 0,
                });
            row.processed += 1;
            if r.decision.needs_alert() {
                row.not_approved += 1;
            }
            let mut ids: Vec<&String> = r.failed_checks.iter().collect();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                *self.checks.entry(id.clone()).or_default() += 1;
            }
        }
    }

    /// A page of the cases waiting now (closed ones are ignored, each case counts once).
    pub fn add_open_cases(&mut self, cases: &[Case]) {
        for case in cases.iter().filter(|c| c.status.is_open()) {
            if !self.open_seen.insert(case.case_id.clone()) {
                continue;
            }
            let age = case.age(self.now);
            let age_seconds = age.num_seconds().max(0);
            let hours = age.num_hours().max(0);
            let past_sla = age > self.sla;
            self.open.total += 1;
            if case.status == CaseStatus::Escalated {
                self.open.escalated += 1;
            }
            if past_sla {
                self.open.past_sla += 1;
            }
            self.open.oldest_age_seconds =
                Some(self.open.oldest_age_seconds.unwrap_or(0).max(age_seconds));
            if let Some(bucket) = self
                .open
                .buckets
                .iter_mut()
                .find(|b| hours >= b.min_hours && b.max_hours.is_none_or(|m| hours < m))
            {
                bucket.cases += 1;
            }
            self.oldest_opened
                .push((case.opened_at, case.case_id.clone()));
            self.oldest.push(OldCase {
                case_id: case.case_id.clone(),
                doc_type: case.doc_type,
                decision: case.decision,
                status: case.status,
                age_seconds,
                past_sla,
            });
            if self.oldest.len() > OLDEST_LISTED * 4 {
                self.trim_oldest();
            }
        }
    }

    fn trim_oldest(&mut self) {
        let mut paired: Vec<((DateTime<Utc>, String), OldCase)> = self
            .oldest_opened
            .drain(..)
            .zip(self.oldest.drain(..))
            .collect();
        paired.sort_by(|a, b| a.0.cmp(&b.0));
        paired.truncate(OLDEST_LISTED);
        for (opened, case) in paired {
            self.oldest_opened.push(opened);
            self.oldest.push(case);
        }
    }

    /// The list versions of a record (the newest one read); a record without any is skipped.
    /// Returns whether they were taken.
    pub fn lists_from(&mut self, record: &AuditRecord) -> bool {
        if record.lists.is_empty() {
            return false;
        }
        let newer = self
            .lists
            .as_ref()
            .is_none_or(|(_, seen)| record.processed_at > *seen);
        if newer {
            let mut lists: Vec<ListInForce> = record
                .lists
                .iter()
                .take(MAX_LISTS)
                .map(ListInForce::of)
                .collect();
            lists.sort_by(|a, b| a.id.cmp(&b.id));
            self.lists = Some((lists, record.processed_at));
        }
        true
    }

    /// The record pages stopped at their bound.
    pub fn records_truncated(&mut self) {
        self.documents.truncated = true;
    }

    /// The case pages stopped at their bound.
    pub fn cases_truncated(&mut self) {
        self.open.truncated = true;
    }

    pub fn finish(mut self) -> Digest {
        self.trim_oldest();
        self.open.oldest = self.oldest;
        let mut by_doc_type: Vec<DocTypeCount> = self.by_type.into_values().collect();
        by_doc_type.sort_by(|a, b| {
            b.processed
                .cmp(&a.processed)
                .then_with(|| a.doc_type.as_str().cmp(b.doc_type.as_str()))
        });
        let mut checks: Vec<CheckCount> = self
            .checks
            .into_iter()
            .map(|(check_id, documents)| CheckCount {
                check_id,
                documents,
            })
            .collect();
        checks.sort_by(|a, b| {
            b.documents
                .cmp(&a.documents)
                .then_with(|| a.check_id.cmp(&b.check_id))
        });
        let more_failed_checks = checks.len().saturating_sub(TOP_CHECKS);
        checks.truncate(TOP_CHECKS);
        let (lists, lists_seen_at) = match self.lists {
            Some((lists, at)) => (lists, Some(at)),
            None => (Vec::new(), None),
        };
        Digest {
            kind: DIGEST_KIND.to_string(),
            digest_id: Digest::id_for(self.until),
            since: self.since,
            until: self.until,
            generated_at: self.now,
            sla_hours: self.sla.num_hours(),
            documents: self.documents,
            by_doc_type,
            top_failed_checks: checks,
            more_failed_checks,
            open_cases: self.open,
            lists,
            lists_seen_at,
        }
    }
}

/// Reads the period's records and the open cases through the ports, within `limits`, and
/// builds the digest of `[since, until)` with cases aged at `now`.
pub async fn collect<S: AuditQuery + CaseStore>(
    store: &S,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    sla_hours: i64,
    now: DateTime<Utc>,
    limits: DigestLimits,
) -> Result<Digest, PortError> {
    let mut builder = DigestBuilder::new(since, until, sla_hours, now);
    let page_size = limits.page_size.clamp(1, MAX_PAGE);
    let query = RecordQuery {
        since: Some(since),
        until: Some(until),
        ..RecordQuery::default()
    };
    // The newest records (pages come newest first): where the list versions are read.
    let mut newest: Vec<String> = Vec::new();
    let mut page = PageRequest::first(page_size);
    let mut pages = 0;
    loop {
        if pages >= limits.max_record_pages {
            builder.records_truncated();
            break;
        }
        let found = store.query_records(&query, &page).await?;
        pages += 1;
        builder.add_records(&found.items);
        for s in &found.items {
            if newest.len() < LIST_PROBES {
                newest.push(s.document_id.clone());
            }
        }
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => break,
        }
    }
    if newest.is_empty() {
        // A quiet period: the lists of the last record before it.
        let before = RecordQuery {
            until: Some(until),
            ..RecordQuery::default()
        };
        let found = store
            .query_records(&before, &PageRequest::first(LIST_PROBES))
            .await?;
        newest = found.items.into_iter().map(|s| s.document_id).collect();
    }
    for id in newest.iter().take(LIST_PROBES) {
        if let Some(record) = store.record(id).await? {
            if builder.lists_from(&record) {
                break;
            }
        }
    }
    let mut page = PageRequest::first(page_size);
    let mut pages = 0;
    loop {
        if pages >= limits.max_case_pages {
            builder.cases_truncated();
            break;
        }
        let found = store.open_cases(&page).await?;
        pages += 1;
        builder.add_open_cases(&found.items);
        match found.next {
            Some(next) => page.cursor = Some(next),
            None => break,
        }
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;
    use std::cell::Cell;
    use std::future::Future;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    const NOW: &str = "2026-11-26T07:00:00Z";

    fn summary(
        id: &str,
        decision: Decision,
        doc_type: DocType,
        hours_ago: i64,
        checks: &[&str],
    ) -> RecordSummary {
        RecordSummary {
            document_id: id.to_string(),
            document: format!("s3://bucket/incoming/Jane Doe {id}.pdf"),
            doc_type,
            decision,
            severity: Severity::Low,
            processed_at: at(NOW) - Duration::hours(hours_ago),
            customer_id: Some("C-PRIVATE".into()),
            failed_checks: checks.iter().map(|c| c.to_string()).collect(),
            rules_version: "r1".into(),
        }
    }

    fn case(id: &str, status: CaseStatus, hours_ago: i64) -> Case {
        let opened = at(NOW) - Duration::hours(hours_ago);
        Case {
            case_id: id.to_string(),
            document_id: id.to_string(),
            document: format!("s3://bucket/incoming/Jane Doe {id}.pdf"),
            customer_id: Some("C-PRIVATE".into()),
            doc_type: DocType::Passport,
            decision: Decision::ManualReview,
            severity: Severity::Medium,
            failed_checks: vec!["aml.sanctions".into()],
            hits: Vec::new(),
            status,
            resolution: None,
            opened_at: opened,
            updated_at: opened,
            closed_at: None,
            revision: 0,
            rules_version: "r1".into(),
        }
    }

    fn builder() -> DigestBuilder {
        let (since, until) = period_ending(at(NOW), DEFAULT_PERIOD_HOURS);
        DigestBuilder::new(since, until, 24, at(NOW))
    }

    #[test]
    fn records_of_the_period_are_counted_by_decision_type_and_check() {
        let mut b = builder();
        b.add_records(&[
            summary("a", Decision::Approved, DocType::Passport, 1, &[]),
            summary(
                "b",
                Decision::ManualReview,
                DocType::Passport,
                2,
                &["aml.sanctions", "aml.sanctions"],
            ),
            summary(
                "c",
                Decision::Rejected,
                DocType::NationalId,
                3,
                &["kyc.mrz_check_digits", "aml.sanctions"],
            ),
            summary("d", Decision::Unreadable, DocType::Other, 23, &[]),
            // The period is [since, until): exactly 24 hours ago is in, the run time is not.
            summary(
                "e",
                Decision::Rejected,
                DocType::Passport,
                24,
                &["kyc.expiry"],
            ),
            summary(
                "f",
                Decision::Rejected,
                DocType::Passport,
                0,
                &["kyc.expiry"],
            ),
            summary("g", Decision::Approved, DocType::Passport, 25, &[]),
        ]);
        let d = b.finish();
        assert_eq!(d.documents.processed, 5, "{:?}", d.documents);
        assert_eq!(d.documents.approved, 1);
        assert_eq!(d.documents.manual_review, 1);
        assert_eq!(d.documents.rejected, 2);
        assert_eq!(d.documents.unreadable, 1);
        assert_eq!(d.documents.not_approved(), 4);
        assert!(!d.documents.truncated);
        assert_eq!(d.by_doc_type[0].doc_type, DocType::Passport);
        assert_eq!(d.by_doc_type[0].processed, 3);
        assert_eq!(d.by_doc_type[0].not_approved, 2);
        assert_eq!(
            d.top_failed_checks[0],
            CheckCount {
                check_id: "aml.sanctions".into(),
                documents: 2
            }
        );
        assert_eq!(d.top_failed_checks.len(), 3);
        assert_eq!(d.more_failed_checks, 0);
        assert_eq!(d.digest_id, "digest:2026-11-26T07:00:00Z");
        assert_eq!(d.kind, DIGEST_KIND);
    }

    #[test]
    fn only_the_top_checks_are_listed() {
        let mut b = builder();
        let ids: Vec<String> = (0..9).map(|i| format!("check.{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            for _ in 0..=i {
                b.add_records(&[summary(
                    "x",
                    Decision::ManualReview,
                    DocType::Invoice,
                    1,
                    &[id],
                )]);
            }
        }
        let d = b.finish();
        assert_eq!(d.top_failed_checks.len(), TOP_CHECKS);
        assert_eq!(d.top_failed_checks[0].check_id, "check.8");
        assert_eq!(d.top_failed_checks[0].documents, 9);
        assert_eq!(d.more_failed_checks, 4);
    }

    #[test]
    fn open_cases_fall_in_age_buckets_and_past_the_sla() {
        let mut b = builder();
        b.add_open_cases(&[
            case("young", CaseStatus::Open, 2),
            case("edge-24h", CaseStatus::Open, 24),
            case("two-days", CaseStatus::Escalated, 48),
            case("three-days", CaseStatus::Open, 72),
            case("six-days", CaseStatus::Open, 6 * 24),
            case("week", CaseStatus::Open, 7 * 24),
            case("month", CaseStatus::Escalated, 30 * 24),
        ]);
        // Closed cases and a case read twice count for nothing.
        let mut closed = case("closed", CaseStatus::Closed, 100);
        closed.closed_at = Some(at(NOW));
        b.add_open_cases(&[closed, case("young", CaseStatus::Open, 2)]);
        let d = b.finish();
        let o = &d.open_cases;
        assert_eq!(o.total, 7);
        assert_eq!(o.escalated, 2);
        let counts: Vec<u64> = o.buckets.iter().map(|b| b.cases).collect();
        assert_eq!(counts, [1, 2, 2, 2], "{:?}", o.buckets);
        assert_eq!(o.buckets[3].max_hours, None);
        // Exactly 24 hours is not past a 24-hour SLA; everything older is.
        assert_eq!(o.past_sla, 5);
        assert_eq!(o.oldest_age_seconds, Some(30 * 24 * 3600));
        let oldest: Vec<&str> = o.oldest.iter().map(|c| c.case_id.as_str()).collect();
        assert_eq!(
            oldest,
            ["month", "week", "six-days", "three-days", "two-days"]
        );
        assert!(o.oldest.iter().all(|c| c.past_sla));
        assert!(!o.truncated);
    }

    #[test]
    fn an_empty_digest_has_every_bucket_at_zero() {
        let d = builder().finish();
        assert_eq!(d.documents, DocumentCounts::default());
        assert_eq!(d.open_cases.buckets.len(), AGE_BUCKETS.len());
        assert!(d.open_cases.buckets.iter().all(|b| b.cases == 0));
        assert_eq!(d.open_cases.oldest_age_seconds, None);
        assert!(d.lists.is_empty());
        assert!(!d.truncated());
    }

    #[test]
    fn the_scheduled_period_ends_on_the_hour() {
        let end = scheduled_end(at("2026-11-26T07:00:41.5Z"));
        assert_eq!(end, at(NOW));
        let (since, until) = period_ending(end, 24);
        assert_eq!(since, at("2026-11-25T07:00:00Z"));
        assert_eq!(until, end);
        assert_eq!(period_ending(end, 0).0, end - Duration::hours(1));
        assert_eq!(
            period_ending(end, u32::MAX).0,
            end - Duration::hours(i64::from(MAX_PERIOD_HOURS))
        );
    }

    /// A store over fixed records and cases, serving pages of `page` items and counting reads.
    struct Fake {
        records: Vec<RecordSummary>,
        cases: Vec<Case>,
        reads: Cell<usize>,
    }

    fn page_of<T: Clone>(items: &[T], page: &PageRequest) -> crate::query::Page<T> {
        let start: usize = page
            .cursor
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let end = (start + page.effective_limit()).min(items.len());
        crate::query::Page {
            items: items.get(start..end).unwrap_or(&[]).to_vec(),
            next: (end < items.len()).then(|| end.to_string()),
        }
    }

    impl AuditQuery for Fake {
        fn record(
            &self,
            id: &str,
        ) -> impl Future<Output = Result<Option<AuditRecord>, PortError>> + Send {
            let found = self.records.iter().find(|r| r.document_id == id).map(|s| {
                let mut record: AuditRecord = serde_json::from_value(serde_json::json!({
                    "schema_version": 6, "document_id": s.document_id, "document": s.document,
                    "source": {"uri": s.document}, "sha256": null, "size_bytes": null,
                    "format": null, "pages": null, "doc_type": s.doc_type, "confidence": 1.0,
                    "classification_signals": [], "fields": {}, "checks": [],
                    "decision": s.decision, "reasons": [], "processed_at": s.processed_at,
                    "processor_version": "t", "rules_version": "r1", "lists": [],
                    "alert": {"status": "not_required"}
                }))
                .unwrap_or_else(|e| panic!("{e}"));
                record.lists = vec![ListVersion {
                    id: "ofac_sdn".into(),
                    source: "https://example.invalid/sdn.csv".into(),
                    published: Some("11/25/2026".into()),
                    entries: 17,
                    sha256: "0123456789abcdef0123456789abcdef".into(),
                }];
                record
            });
            self.reads.set(self.reads.get() + 1);
            std::future::ready(Ok(found))
        }

        fn query_records(
            &self,
            query: &RecordQuery,
            page: &PageRequest,
        ) -> impl Future<Output = Result<crate::query::Page<RecordSummary>, PortError>> + Send
        {
            self.reads.set(self.reads.get() + 1);
            let matching: Vec<RecordSummary> = self
                .records
                .iter()
                .filter(|s| query.matches_summary(s))
                .cloned()
                .collect();
            std::future::ready(Ok(page_of(&matching, page)))
        }
    }

    impl CaseStore for Fake {
        fn open_case(&self, _: &Case) -> impl Future<Output = Result<bool, PortError>> + Send {
            std::future::ready(Ok(false))
        }
        fn case(&self, _: &str) -> impl Future<Output = Result<Option<Case>, PortError>> + Send {
            std::future::ready(Ok(None))
        }
        fn cases(&self, _: &[String]) -> impl Future<Output = Result<Vec<Case>, PortError>> + Send {
            std::future::ready(Ok(Vec::new()))
        }
        fn case_events(
            &self,
            _: &str,
        ) -> impl Future<Output = Result<Vec<crate::case::CaseEvent>, PortError>> + Send {
            std::future::ready(Ok(Vec::new()))
        }
        fn record_review(
            &self,
            _: &Case,
            _: &crate::case::CaseEvent,
        ) -> impl Future<Output = Result<bool, PortError>> + Send {
            std::future::ready(Ok(false))
        }
        fn open_cases(
            &self,
            page: &PageRequest,
        ) -> impl Future<Output = Result<crate::query::Page<Case>, PortError>> + Send {
            self.reads.set(self.reads.get() + 1);
            std::future::ready(Ok(page_of(&self.cases, page)))
        }
    }

    /// Runs a future that never waits (the fake's are all ready).
    fn block_on<F: Future>(future: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    fn fake(records: usize, cases: usize) -> Fake {
        Fake {
            records: (0..records)
                .map(|i| {
                    summary(
                        &format!("r{i:05}"),
                        Decision::ManualReview,
                        DocType::Invoice,
                        1,
                        &["pii.card_number"],
                    )
                })
                .collect(),
            cases: (0..cases)
                .map(|i| case(&format!("c{i:05}"), CaseStatus::Open, 200 - i as i64 % 200))
                .collect(),
            reads: Cell::new(0),
        }
    }

    fn limits(pages: usize) -> DigestLimits {
        DigestLimits {
            page_size: 10,
            max_record_pages: pages,
            max_case_pages: pages,
        }
    }

    #[test]
    fn collect_reads_every_page_within_the_bounds() {
        let store = fake(35, 25);
        let (since, until) = period_ending(at(NOW), 24);
        let d = block_on(collect(&store, since, until, 24, at(NOW), limits(10)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.documents.processed, 35);
        assert!(!d.truncated());
        assert_eq!(d.open_cases.total, 25);
        assert_eq!(d.top_failed_checks[0].documents, 35);
        assert_eq!(d.lists.len(), 1);
        assert_eq!(d.lists[0].sha256_short, "0123456789ab");
        assert_eq!(d.lists[0].entries, 17);
        assert!(d.lists_seen_at.is_some());
        // 4 record pages, 1 record read for the lists, 3 case pages.
        assert_eq!(store.reads.get(), 8);
    }

    #[test]
    fn collect_stops_at_its_bound_and_says_at_least() {
        let store = fake(1000, 1000);
        let (since, until) = period_ending(at(NOW), 24);
        let d = block_on(collect(&store, since, until, 24, at(NOW), limits(3)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.documents.processed, 30);
        assert!(d.documents.truncated);
        assert_eq!(d.open_cases.total, 30);
        assert!(d.open_cases.truncated);
        assert!(d.truncated());
        assert_eq!(store.reads.get(), 3 + 1 + 3);
    }

    #[test]
    fn a_quiet_period_still_names_the_lists_in_force() {
        let mut store = fake(3, 0);
        for r in &mut store.records {
            r.processed_at = at(NOW) - Duration::days(3);
        }
        let (since, until) = period_ending(at(NOW), 24);
        let d = block_on(collect(&store, since, until, 24, at(NOW), limits(3)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.documents.processed, 0);
        assert_eq!(d.lists.len(), 1);
        assert_eq!(d.lists_seen_at, Some(at(NOW) - Duration::days(3)));
    }

    #[test]
    fn the_digest_holds_no_personal_data() {
        let store = fake(5, 5);
        let (since, until) = period_ending(at(NOW), 24);
        let d = block_on(collect(&store, since, until, 24, at(NOW), limits(3)))
            .unwrap_or_else(|e| panic!("{e}"));
        let text = serde_json::to_string(&d).unwrap_or_default();
        for private in ["Jane", "Doe", "C-PRIVATE", "s3://", "example.invalid"] {
            assert!(!text.contains(private), "{private} in {text}");
        }
        let back: Digest = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, d);
    }
}
