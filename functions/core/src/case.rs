//! Cases: every document not approved outright opens one, and reviewers close it with a
//! recorded decision. The original audit record is never changed; each reviewer action is an
//! appended [`CaseEvent`], and the [`Case`] itself only carries the current state, with a
//! revision so that two reviewers acting at once cannot both win.
//!
//! A case's id is the id of the document version it is about: one case per document version,
//! and the alert for that document names it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditRecord, Decision};
use crate::checks::Status;
use crate::classify::DocType;
use crate::rules::Severity;

/// The longest reviewer name and reason kept.
pub const MAX_REVIEWER_CHARS: usize = 200;
pub const MAX_REASON_CHARS: usize = 2000;
/// The most sanctions hits remembered on a case (the AML check keeps ten in its evidence).
const MAX_HITS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Waiting for a reviewer.
    Open,
    /// Waiting for a senior reviewer; still open.
    Escalated,
    /// Decided: see the case's `resolution`.
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 3] = [CaseStatus::Open, CaseStatus::Escalated, CaseStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Escalated => "escalated",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Open and escalated cases both wait for someone.
    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reviewer can do to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// The document is acceptable after all: closes the case as approved.
    Approve,
    /// Closes the case as rejected.
    Reject,
    /// Hands the case to a senior reviewer; it stays open.
    Escalate,
    /// One sanctions hit of the case is not the listed party. Remembered for the customer, so
    /// the same list entry is suppressed on their later documents. The case stays open: the
    /// reviewer still approves or rejects the document.
    FalsePositive,
    /// Opens a closed case again (for instance after new information).
    Reopen,
}

impl ReviewAction {
    pub const ALL: [ReviewAction; 5] = [
        ReviewAction::Approve,
        ReviewAction::Reject,
        ReviewAction::Escalate,
        ReviewAction::FalsePositive,
        ReviewAction::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAction::Approve => "approve",
            ReviewAction::Reject => "reject",
            ReviewAction::Escalate => "escalate",
            ReviewAction::FalsePositive => "false_positive",
            ReviewAction::Reopen => "reopen",
        }
    }

    /// Accepts `false-positive` as well as `false_positive`.
    pub fn parse(s: &str) -> Option<ReviewAction> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        ReviewAction::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for ReviewAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a closed case was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    Approved,
    Rejected,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Approved => "approved",
            Resolution::Rejected => "rejected",
        }
    }

    /// The document's decision once a reviewer has settled it.
    pub fn decision(self) -> Decision {
        match self {
            Resolution::Approved => Decision::Approved,
            Resolution::Rejected => Decision::Rejected,
        }
    }
}

/// A sanctions hit of the case's document: what a false positive may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseHit {
    pub list: String,
    pub entry_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The document id of the document version the case is about.
    pub case_id: String,
    pub document_id: String,
    /// The path or `s3://bucket/key` of the document.
    pub document: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub doc_type: DocType,
    /// The pipeline's decision that opened the case (never changed).
    pub decision: Decision,
    pub severity: Severity,
    /// Ids of the checks that failed or could not be evaluated.
    pub failed_checks: Vec<String>,
    /// Sanctions hits raised on the document (list and entry), for false-positive decisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hits: Vec<CaseHit>,
    pub status: CaseStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// When the document was judged: the case's age counts from here.
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the case was last closed (time to decision = closed_at - opened_at).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Number of reviewer events applied; 0 for a case nobody has touched.
    pub revision: u64,
    pub rules_version: String,
}

/// One reviewer action, appended to the case's history and never changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub case_id: String,
    /// The case's revision after this event: 1 for the first, and so on.
    pub seq: u64,
    pub action: ReviewAction,
    pub reviewer: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub from: CaseStatus,
    pub to: CaseStatus,
    /// For `false_positive`: the list entry cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit: Option<CaseHit>,
}

/// What a reviewer asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub action: ReviewAction,
    pub reviewer: String,
    pub reason: String,
    /// For `false_positive`: which hit. May be omitted when the case has exactly one.
    pub hit: Option<CaseHit>,
}

/// Why a review was refused. Every variant is the reviewer's to fix; none is worth a retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("the {what} is {len} characters long, more than {max}")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("case {case_id} is closed ({resolution}); reopen it first")]
    Closed {
        case_id: String,
        resolution: &'static str,
    },
    #[error("case {0} is already escalated")]
    AlreadyEscalated(String),
    #[error("case {0} is not closed; only a closed case can be reopened")]
    NotClosed(String),
    #[error("case {0} names no customer: a false positive is remembered per customer")]
    NoCustomer(String),
    #[error("case {case_id} has no sanctions hit {list} {entry_id}")]
    NoSuchHit {
        case_id: String,
        list: String,
        entry_id: String,
    },
    #[error("case {case_id} has {hits} sanctions hits: name one with its list and entry id")]
    WhichHit { case_id: String, hits: usize },
    #[error("case {0} has no sanctions hit to clear")]
    NoHits(String),
}

impl Case {
    /// The case a stored record opens; `None` for an approved document.
    pub fn open(record: &AuditRecord) -> Option<Case> {
        if !record.decision.needs_alert() {
            return None;
        }
        let mut hits: Vec<CaseHit> = Vec::new();
        for check in record
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail && c.id.starts_with("aml."))
        {
            let entries = check.evidence.as_array().map(Vec::as_slice).unwrap_or(&[]);
            for e in entries {
                // Suppressed hits are already cleared for this customer.
                if e.get("suppressed_by").is_some() {
                    continue;
                }
                let (Some(list), Some(entry_id)) = (
                    e.get("list").and_then(|v| v.as_str()),
                    e.get("entry_id").and_then(|v| v.as_str()),
                ) else {
                    continue;
                };
                let hit = CaseHit {
                    list: list.to_string(),
                    entry_id: entry_id.to_string(),
                };
                if !hits.contains(&hit) && hits.len() < MAX_HITS {
                    hits.push(hit);
                }
            }
        }
        Some(Case {
            case_id: record.document_id.clone(),
            document_id: record.document_id.clone(),
            document: record.document.clone(),
            customer_id: record.customer.id.clone(),
            doc_type: record.doc_type,
            decision: record.decision,
            severity: record.severity(),
            failed_checks: record.failed_checks().map(|c| c.id.clone()).collect(),
            hits,
            status: CaseStatus::Open,
            resolution: None,
            opened_at: record.processed_at,
            updated_at: record.processed_at,
            closed_at: None,
            revision: 0,
            rules_version: record.rules_version.clone(),
        })
    }

    /// How long the case has waited (or waited until it was closed).
    pub fn age(&self, now: DateTime<Utc>) -> chrono::Duration {
        self.closed_at.unwrap_or(now) - self.opened_at
    }

    /// The document's decision as it stands: the reviewer's when closed, else the pipeline's.
    pub fn effective_decision(&self) -> Decision {
        match (self.status, self.resolution) {
            (CaseStatus::Closed, Some(r)) => r.decision(),
            _ => self.decision,
        }
    }

    /// Applies a reviewer's request: the case after it, and the event to append. Refuses a
    /// move the case's status does not allow, so a closed case cannot be decided again
    /// without being reopened.
    pub fn apply(
        &self,
        request: &ReviewRequest,
        at: DateTime<Utc>,
    ) -> Result<(Case, CaseEvent), ReviewError> {
        let reviewer = bounded("reviewer", &request.reviewer, MAX_REVIEWER_CHARS)?;
        let reason = bounded("reason", &request.reason, MAX_REASON_CHARS)?;
        let closed = |case: &Case| ReviewError::Closed {
            case_id: case.case_id.clone(),
            resolution: case.resolution.map_or("no resolution", Resolution::as_str),
        };
        let mut next = self.clone();
        let mut hit = None;
        match request.action {
            ReviewAction::Approve | ReviewAction::Reject => {
                if !self.status.is_open() {
                    return Err(closed(self));
                }
                next.status = CaseStatus::Closed;
                next.resolution = Some(if request.action == ReviewAction::Approve {
                    Resolution::Approved
                } else {
                    Resolution::Rejected
                });
                next.closed_at = Some(at);
            }
            ReviewAction::Escalate => match self.status {
                CaseStatus::Open => next.status = CaseStatus::Escalated,
                CaseStatus::Escalated => {
                    return Err(ReviewError::AlreadyEscalated(self.case_id.clone()))
                }
                CaseStatus::Closed => return Err(closed(self)),
            },
            ReviewAction::Reopen => {
                if self.status.is_open() {
                    return Err(ReviewError::NotClosed(self.case_id.clone()));
                }
                next.status = CaseStatus::Open;
                next.resolution = None;
                next.closed_at = None;
            }
            ReviewAction::FalsePositive => {
                if !self.status.is_open() {
                    return Err(closed(self));
                }
                if self.customer_id.is_none() {
                    return Err(ReviewError::NoCustomer(self.case_id.clone()));
                }
                hit = Some(self.which_hit(request.hit.as_ref())?);
            }
        }
        next.revision = self.revision + 1;
        next.updated_at = at;
        let event = CaseEvent {
            case_id: self.case_id.clone(),
            seq: next.revision,
            action: request.action,
            reviewer,
            reason,
            at,
            from: self.status,
            to: next.status,
            hit,
        };
        Ok((next, event))
    }

    fn which_hit(&self, named: Option<&CaseHit>) -> Result<CaseHit, ReviewError> {
        match named {
            Some(h) => self
                .hits
                .iter()
                .find(|c| c.list == h.list.trim() && c.entry_id == h.entry_id.trim())
                .cloned()
                .ok_or_else(|| ReviewError::NoSuchHit {
                    case_id: self.case_id.clone(),
                    list: h.list.clone(),
                    entry_id: h.entry_id.clone(),
                }),
            None => match self.hits.as_slice() {
                [only] => Ok(only.clone()),
                [] => Err(ReviewError::NoHits(self.case_id.clone())),
                many => Err(ReviewError::WhichHit {
                    case_id: self.case_id.clone(),
                    hits: many.len(),
                }),
            },
        }
    }
}

fn bounded(what: &'static str, value: &str, max: usize) -> Result<String, ReviewError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ReviewError::Empty(what));
    }
    // Control characters would let a reason forge lines in a report or a terminal.
    let value: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let len = value.chars().count();
    if len > max {
        return Err(ReviewError::TooLong { what, len, max });
    }
    Ok(value)
}

/// A case with its history: what `audit show` and `GET /documents/{id}` return beside the
/// record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFile {
    pub case: Case,
    pub events: Vec<CaseEvent>,
    /// Whole seconds the case has waited (or waited until closed), when this was read.
    pub age_seconds: i64,
}

impl CaseFile {
    pub fn new(case: Case, mut events: Vec<CaseEvent>, now: DateTime<Utc>) -> Self {
        events.sort_by_key(|e| e.seq);
        let age_seconds = case.age(now).num_seconds().max(0);
        Self {
            case,
            events,
            age_seconds,
        }
    }
}

/// An open case in a list of cases waiting for review, with how long it has waited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCase {
    #[serde(flatten)]
    pub case: Case,
    pub age_seconds: i64,
}

impl OpenCase {
    pub fn new(case: Case, now: DateTime<Utc>) -> Self {
        let age_seconds = case.age(now).num_seconds().max(0);
        Self { case, age_seconds }
    }
}

/// Everything about one document version: its audit record as stored (never changed) and,
/// when its decision opened one, the case with every reviewer action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentFile {
    pub record: AuditRecord,
    pub case: Option<CaseFile>,
}
