//! The compliance report of a period: decisions by document type and by failed check, the
//! cases waiting for a reviewer and how long they have waited, how long decisions took, and
//! what reviewers did. Pure: built from pages of [`RecordSummary`], the cases of those
//! documents, the open cases and the reviewer events, fed in as they are read, so that a
//! report over a large store never holds more than a page of records. Rendering is the
//! caller's.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Decision;
use crate::case::{Case, CaseEvent, CaseStatus, ReviewAction};
use crate::classify::DocType;
use crate::query::RecordSummary;

/// How many of the oldest open cases the report lists one by one.
pub const OLDEST_LISTED: usize = 20;

/// The age buckets of open cases: (label, lower bound in hours, upper bound in hours).
pub const AGE_BUCKETS: [(&str, i64, Option<i64>); 5] = [
    ("under 4 hours", 0, Some(4)),
    ("4 to 24 hours", 4, Some(24)),
    ("1 to 3 days", 24, Some(72)),
    ("3 to 7 days", 72, Some(168)),
    ("over 7 days", 168, None),
];

/// Counts of each decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionCounts {
    pub total: u64,
    pub approved: u64,
    pub manual_review: u64,
    pub rejected: u64,
    pub unreadable: u64,
}

impl DecisionCounts {
    fn add(&mut self, decision: Decision) {
        self.total += 1;
        match decision {
            Decision::Approved => self.approved += 1,
            Decision::ManualReview => self.manual_review += 1,
            Decision::Rejected => self.rejected += 1,
            Decision::Unreadable => self.unreadable += 1,
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocTypeRow {
    pub doc_type: DocType,
    #[serde(flatten)]
    pub decisions: DecisionCounts,
}

/// A check that failed (or could not be evaluated) on documents of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub check_id: String,
    /// Documents on which it failed, by the document's decision.
    #[serde(flatten)]
    pub decisions: DecisionCounts,
}

/// The cases of the period's documents, by where they stand now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCounts {
    /// Cases of documents processed in the period.
    pub opened: u64,
    pub open: u64,
    pub escalated: u64,
    pub closed_approved: u64,
    pub closed_rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBucket {
    pub label: String,
    pub min_hours: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hours: Option<i64>,
    pub cases: u64,
}

/// One open case among the oldest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCaseLine {
    pub case_id: String,
    pub document: String,
    pub doc_type: DocType,
    pub decision: Decision,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub age_seconds: i64,
    pub past_sla: bool,
}

/// Every case waiting for a reviewer when the report was made, whatever the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCases {
    pub total: u64,
    pub escalated: u64,
    /// Waiting longer than the SLA.
    pub past_sla: u64,
    pub buckets: Vec<AgeBucket>,
    /// The oldest, oldest first (at most [`OLDEST_LISTED`]).
    pub oldest: Vec<OpenCaseLine>,
}

/// How long cases closed in the period took, from the document's judgement to the closing
/// decision (of a case reopened and closed again, the last closing counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionTimes {
    pub count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<i64>,
    /// Closed later than the SLA after the document was judged.
    pub past_sla: u64,
}

/// What one reviewer did in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerRow {
    pub reviewer: String,
    pub total: u64,
    pub approve: u64,
    pub reject: u64,
    pub escalate: u64,
    pub false_positive: u64,
    pub reopen: u64,
}

impl ReviewerRow {
    pub fn get(&self, action: ReviewAction) -> u64 {
        match action {
            ReviewAction::Approve => self.approve,
            ReviewAction::Reject => self.reject,
            ReviewAction::Escalate => self.escalate,
            ReviewAction::FalsePositive => self.false_positive,
            ReviewAction::Reopen => self.reopen,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The period: documents processed at or after `since` and before `until`.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    pub sla_hours: i64,
    /// Every document judgement of the period, by the pipeline's decision. Where a store keeps
    /// every scan of a file (the local one), each scan counts.
    pub decisions: DecisionCounts,
    pub by_doc_type: Vec<DocTypeRow>,
    /// Failed checks, most frequent first.
    pub by_check: Vec<CheckRow>,
    pub cases: CaseCounts,
    pub open_cases: OpenCases,
    pub time_to_decision: DecisionTimes,
    /// Reviewers, most active first.
    pub reviewers: Vec<ReviewerRow>,
}

/// Builds a [`Report`] from what the stores return, page by page.
pub struct ReportBuilder {
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    sla: Duration,
    decisions: DecisionCounts,
    /// By the type's name (types have no order of their own).
    by_type: BTreeMap<&'static str, DocTypeRow>,
    by_check: BTreeMap<String, DecisionCounts>,
    seen_cases: BTreeSet<String>,
    cases: CaseCounts,
    closing_times: Vec<i64>,
    closed_past_sla: u64,
    open: OpenCases,
    open_seen: BTreeSet<String>,
    oldest: Vec<OpenCaseLine>,
    seen_events: BTreeSet<(String, u64)>,
    reviewers: BTreeMap<String, ReviewerRow>,
}

impl ReportBuilder {
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
            decisions: DecisionCounts::default(),
            by_type: BTreeMap::new(),
            by_check: BTreeMap::new(),
            seen_cases: BTreeSet::new(),
            cases: CaseCounts::default(),
            closing_times: Vec::new(),
            closed_past_sla: 0,
            open: OpenCases::default(),
            open_seen: BTreeSet::new(),
            oldest: Vec::new(),
            seen_events: BTreeSet::new(),
            reviewers: BTreeMap::new(),
        }
    }

    fn in_range(&self, at: DateTime<Utc>) -> bool {
        at >= self.since && at < self.until
    }

    /// A page of the period's records (outside the period they are ignored).
    pub fn add_records(&mut self, records: &[RecordSummary]) {
        for r in records {
            if !self.in_range(r.processed_at) {
                continue;
            }
            self.decisions.add(r.decision);
            self.by_type
                .entry(r.doc_type.as_str())
                .or_insert_with(|| DocTypeRow {
                    doc_type: r.doc_type,
                    decisions: DecisionCounts::default(),
                })
                .decisions
                .add(r.decision);
            let checks: BTreeSet<&String> = r.failed_checks.iter().collect();
            for check in checks {
                self.by_check
                    .entry(check.clone())
                    .or_default()
                    .add(r.decision);
            }
        }
    }

    /// The document ids of a page whose cases the report needs (the documents that were not
    /// approved outright), without the ones already added.
    pub fn case_ids(&self, records: &[RecordSummary]) -> Vec<String> {
        let ids: BTreeSet<&String> = records
            .iter()
            .filter(|r| r.decision.needs_alert() && !self.seen_cases.contains(&r.document_id))
            .map(|r| &r.document_id)
            .collect();
        ids.into_iter().cloned().collect()
    }

    /// The cases of the period's documents; each counts once however often it is added.
    pub fn add_cases(&mut self, cases: &[Case]) {
        for case in cases {
            if !self.seen_cases.insert(case.case_id.clone()) {
                continue;
            }
            self.cases.opened += 1;
            match (case.status, case.resolution) {
                (CaseStatus::Open, _) => self.cases.open += 1,
                (CaseStatus::Escalated, _) => self.cases.escalated += 1,
                (CaseStatus::Closed, Some(crate::case::Resolution::Rejected)) => {
                    self.cases.closed_rejected += 1
                }
                (CaseStatus::Closed, _) => self.cases.closed_approved += 1,
            }
            if let (CaseStatus::Closed, Some(closed_at)) = (case.status, case.closed_at) {
                if self.in_range(closed_at) {
                    let took = closed_at - case.opened_at;
                    self.closing_times.push(took.num_seconds().max(0));
                    if took > self.sla {
                        self.closed_past_sla += 1;
                    }
                }
            }
        }
    }

    /// A page of the cases open now (oldest first, as the stores return them).
    pub fn add_open_cases(&mut self, cases: &[Case]) {
        for case in cases.iter().filter(|c| c.status.is_open()) {
            if !self.open_seen.insert(case.case_id.clone()) {
                continue;
            }
            let age = case.age(self.now);
            let hours = age.num_hours();
            self.open.total += 1;
            if case.status == CaseStatus::Escalated {
                self.open.escalated += 1;
            }
            let past_sla = age > self.sla;
            if past_sla {
                self.open.past_sla += 1;
            }
            if self.open.buckets.is_empty() {
                self.open.buckets = AGE_BUCKETS
                    .iter()
                    .map(|(label, min, max)| AgeBucket {
                        label: (*label).to_string(),
                        min_hours: *min,
                        max_hours: *max,
                        cases: 0,
                    })
                    .collect();
            }
            if let Some(bucket) = self
                .open
                .buckets
                .iter_mut()
                .find(|b| hours >= b.min_hours && b.max_hours.is_none_or(|m| hours < m))
            {
                bucket.cases += 1;
            }
            self.oldest.push(OpenCaseLine {
                case_id: case.case_id.clone(),
                document: case.document.clone(),
                doc_type: case.doc_type,
                decision: case.decision,
                status: case.status,
                opened_at: case.opened_at,
                age_seconds: age.num_seconds().max(0),
                past_sla,
            });
            // Keep only the oldest few, whatever order the pages come in.
            if self.oldest.len() > OLDEST_LISTED * 2 {
                self.trim_oldest();
            }
        }
    }

    fn trim_oldest(&mut self) {
        self.oldest
            .sort_by(|a, b| (a.opened_at, &a.case_id).cmp(&(b.opened_at, &b.case_id)));
        self.oldest.truncate(OLDEST_LISTED);
    }

    /// Reviewer events (of any case); those of the period are counted, each once.
    pub fn add_events(&mut self, events: &[CaseEvent]) {
        for e in events {
            if !self.in_range(e.at) || !self.seen_events.insert((e.case_id.clone(), e.seq)) {
                continue;
            }
            let row = self
                .reviewers
                .entry(e.reviewer.clone())
                .or_insert_with(|| ReviewerRow {
                    reviewer: e.reviewer.clone(),
                    ..Default::default()
                });
            row.total += 1;
            match e.action {
                ReviewAction::Approve => row.approve += 1,
                ReviewAction::Reject => row.reject += 1,
                ReviewAction::Escalate => row.escalate += 1,
                ReviewAction::FalsePositive => row.false_positive += 1,
                ReviewAction::Reopen => row.reopen += 1,
            }
        }
    }

    pub fn finish(mut self) -> Report {
        self.trim_oldest();
        if self.open.buckets.is_empty() {
            self.open.buckets = AGE_BUCKETS
                .iter()
                .map(|(label, min, max)| AgeBucket {
                    label: (*label).to_string(),
                    min_hours: *min,
                    max_hours: *max,
                    cases: 0,
                })
                .collect();
        }
        self.open.oldest = self.oldest;
        let mut by_check: Vec<CheckRow> = self
            .by_check
            .into_iter()
            .map(|(check_id, decisions)| CheckRow {
                check_id,
                decisions,
            })
            .collect();
        by_check.sort_by(|a, b| {
            b.decisions
                .total
                .cmp(&a.decisions.total)
                .then_with(|| a.check_id.cmp(&b.check_id))
        });
        let mut reviewers: Vec<ReviewerRow> = self.reviewers.into_values().collect();
        reviewers.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then_with(|| a.reviewer.cmp(&b.reviewer))
        });
        let mut times = self.closing_times;
        times.sort_unstable();
        Report {
            since: self.since,
            until: self.until,
            generated_at: self.now,
            sla_hours: self.sla.num_hours(),
            decisions: self.decisions,
            by_doc_type: self.by_type.into_values().collect(),
            by_check,
            cases: self.cases,
            open_cases: self.open,
            time_to_decision: DecisionTimes {
                count: times.len() as u64,
                median_seconds: median(&times),
                p90_seconds: nearest_rank(&times, 90),
                max_seconds: times.last().copied(),
                past_sla: self.closed_past_sla,
            },
            reviewers,
        }
    }
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => sorted.get(n / 2).copied(),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The nearest-rank percentile of sorted values.
fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// A duration in words for a report: `3d 4h`, `5h 12m`, `42m`, `17s`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseHit, Resolution};
    use crate::rules::Severity;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn summary(id: &str, doc_type: DocType, decision: Decision, checks: &[&str]) -> RecordSummary {
        RecordSummary {
            document_id: id.into(),
            document: format!("{id}.txt"),
            doc_type,
            decision,
            severity: Severity::Medium,
            processed_at: at(2, 10),
            customer_id: None,
            failed_checks: checks.iter().map(|c| c.to_string()).collect(),
            rules_version: "r".into(),
        }
    }

    fn case(id: &str, opened: DateTime<Utc>, closed: Option<DateTime<Utc>>) -> Case {
        Case {
            case_id: id.into(),
            document_id: id.into(),
            document: format!("{id}.txt"),
            customer_id: None,
            doc_type: DocType::Passport,
            decision: Decision::ManualReview,
            severity: Severity::Medium,
            failed_checks: vec![],
            hits: Vec::<CaseHit>::new(),
            status: if closed.is_some() {
                CaseStatus::Closed
            } else {
                CaseStatus::Open
            },
            resolution: closed.map(|_| Resolution::Approved),
            opened_at: opened,
            updated_at: closed.unwrap_or(opened),
            closed_at: closed,
            revision: u64::from(closed.is_some()),
            rules_version: "r".into(),
        }
    }

    #[test]
    fn counts_times_and_ages() {
        let mut b = ReportBuilder::new(at(1, 0), at(8, 0), 24, at(8, 0));
        let page = vec![
            summary("a", DocType::Passport, Decision::Approved, &[]),
            summary("b", DocType::Passport, Decision::ManualReview, &["kyc.mrz"]),
            summary(
                "c",
                DocType::ConsentForm,
                Decision::ManualReview,
                &["gdpr.consent", "kyc.mrz"],
            ),
            summary("d", DocType::Other, Decision::Unreadable, &[]),
        ];
        b.add_records(&page);
        assert_eq!(b.case_ids(&page), vec!["b", "c", "d"]);
        let cases = vec![
            case("b", at(2, 10), Some(at(2, 12))),
            case("c", at(2, 10), Some(at(4, 10))),
            case("d", at(2, 10), None),
        ];
        b.add_cases(&cases);
        b.add_cases(&cases);
        b.add_open_cases(&[cases[2].clone(), case("old", at(1, 0), None)]);
        let report = b.finish();
        assert_eq!(report.decisions.total, 4);
        assert_eq!(report.decisions.manual_review, 2);
        assert_eq!(report.by_doc_type.len(), 3);
        assert_eq!(report.by_check[0].check_id, "kyc.mrz");
        assert_eq!(report.by_check[0].decisions.total, 2);
        assert_eq!(report.cases.opened, 3);
        assert_eq!(report.cases.closed_approved, 2);
        assert_eq!(report.time_to_decision.count, 2);
        assert_eq!(report.time_to_decision.median_seconds, Some(25 * 3600));
        assert_eq!(report.time_to_decision.max_seconds, Some(48 * 3600));
        assert_eq!(report.time_to_decision.past_sla, 1);
        assert_eq!(report.open_cases.total, 2);
        assert_eq!(report.open_cases.past_sla, 2);
        assert_eq!(report.open_cases.oldest[0].case_id, "old");
        let over_a_week = report.open_cases.buckets.last().unwrap();
        assert_eq!(over_a_week.cases, 1);
    }

    #[test]
    fn percentiles() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(median(&v), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(median(&[]), None);
        assert_eq!(human_duration(90_000), "1d 1h");
        assert_eq!(human_duration(59), "59s");
    }
}
