//! The customer view: every document of one customer judged together. Which documents the
//! rules require and which of them are present and valid, whether the documents agree about
//! who the customer is, and an overall status with its reasons.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::identity::{compare_address_sets, compare_name_sets, Comparison, Identity};
use crate::audit::{AlertState, AlertStatus, AuditRecord, Decision};
use crate::classify::DocType;
use crate::rules::CustomerRequirement;

/// What the view keeps of one document: enough to judge the customer, nothing in clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDocument {
    pub customer_id: String,
    pub document_id: String,
    pub document: String,
    pub doc_type: DocType,
    /// The decision as it stands: a reviewer's, once their case is closed.
    pub decision: Decision,
    /// The pipeline's decision, when a reviewer's decision replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_decision: Option<Decision>,
    pub processed_at: DateTime<Utc>,
    pub rules_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The record's first reasons, for a reviewer reading the customer view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

impl CustomerDocument {
    /// The customer's summary of a stored record; `None` when it names no customer.
    pub fn of(record: &AuditRecord) -> Option<Self> {
        Some(Self {
            customer_id: record.customer.id.clone()?,
            document_id: record.document_id.clone(),
            document: record.document.clone(),
            doc_type: record.doc_type,
            decision: record.decision,
            pipeline_decision: None,
            processed_at: record.processed_at,
            rules_version: record.rules_version.clone(),
            identity: record.identity.clone(),
            reasons: record.reasons.iter().take(5).cloned().collect(),
        })
    }

    /// The summary with a reviewer's decision in place of the pipeline's (`None` keeps the
    /// pipeline's, as after a case is reopened).
    pub fn reviewed(mut self, decision: Option<Decision>) -> Self {
        if let Some(decision) = decision.filter(|d| *d != self.decision) {
            self.pipeline_decision = Some(self.decision);
            self.decision = decision;
        }
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    /// Every required document is present and approved, and they agree.
    Complete,
    /// A required document is missing or not (yet) approved; nothing else is wrong.
    Incomplete,
    /// A reviewer must look: a document awaits review, or documents disagree.
    NeedsReview,
    /// A document was rejected and no approved document replaces it.
    Rejected,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Complete => "complete",
            CustomerStatus::Incomplete => "incomplete",
            CustomerStatus::NeedsReview => "needs_review",
            CustomerStatus::Rejected => "rejected",
        }
    }

    /// Statuses a compliance officer must hear about when the customer moves into them.
    pub fn needs_alert(self) -> bool {
        matches!(self, CustomerStatus::NeedsReview | CustomerStatus::Rejected)
    }
}

impl std::fmt::Display for CustomerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementState {
    pub name: String,
    pub types: Vec<DocType>,
    /// `satisfied`, `missing` or `not_valid` (present, but none approved).
    pub state: String,
    /// The approved document that meets it (the latest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied_by: Option<String>,
    /// Every current document of these types with its decision.
    pub documents: Vec<DocumentDecision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentDecision {
    pub document_id: String,
    pub document: String,
    pub doc_type: DocType,
    pub decision: Decision,
}

/// One attribute compared across the customer's documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeAgreement {
    /// `name`, `date_of_birth`, `id_number` or `address`.
    pub attribute: String,
    pub result: Comparison,
    /// How many documents carry the attribute.
    pub documents: usize,
    /// Pairs of documents (by `document`) that disagree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<[String; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub schema_version: u32,
    pub customer_id: String,
    pub status: CustomerStatus,
    pub reasons: Vec<String>,
    pub requirements: Vec<RequirementState>,
    pub agreement: Vec<AttributeAgreement>,
    /// Every document of the customer, oldest first; a re-upload of the same key replaces
    /// the earlier version in the judgement but stays listed.
    pub documents: Vec<DocumentDecision>,
    pub rules_version: String,
    pub computed_at: DateTime<Utc>,
    /// Raised by one on every stored recomputation: the store refuses a write based on an
    /// older revision, so two documents processed at once cannot lose one another.
    pub revision: u64,
    /// The status before this recomputation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<CustomerStatus>,
    pub alert: AlertState,
}

/// Version of the customer view's shape.
pub const VIEW_SCHEMA_VERSION: u32 = 1;

/// Judges the customer from all their documents. `previous` is the stored view, if any: the
/// new one gets the next revision, and an alert when the status moved into one that needs it
/// (or a pending alert of the previous view, with the same status, is carried on).
pub fn assess_customer(
    customer_id: &str,
    documents: &[CustomerDocument],
    requirements: &[CustomerRequirement],
    rules_version: &str,
    previous: Option<&CustomerView>,
    now: DateTime<Utc>,
) -> CustomerView {
    let mut all: Vec<&CustomerDocument> = documents
        .iter()
        .filter(|d| d.customer_id == customer_id)
        .collect();
    all.sort_by(|a, b| {
        a.processed_at
            .cmp(&b.processed_at)
            .then(a.document_id.cmp(&b.document_id))
    });
    all.dedup_by(|a, b| a.document_id == b.document_id);
    // The latest version of each uploaded key or path is the one that counts.
    let mut latest: BTreeMap<&str, &CustomerDocument> = BTreeMap::new();
    for d in &all {
        latest.insert(d.document.as_str(), d);
    }
    let mut current: Vec<&CustomerDocument> = latest.into_values().collect();
    current.sort_by_key(|a| a.processed_at);

    let decision_of = |d: &CustomerDocument| DocumentDecision {
        document_id: d.document_id.clone(),
        document: d.document.clone(),
        doc_type: d.doc_type,
        decision: d.decision,
    };
    let mut reasons = Vec::new();
    let mut status = CustomerStatus::Complete;
    let mut raise = |s: CustomerStatus| status = status.max(s);

    let mut states = Vec::new();
    for req in requirements {
        let of_type: Vec<&&CustomerDocument> = current
            .iter()
            .filter(|d| req.types.contains(&d.doc_type))
            .collect();
        let approved = of_type
            .iter()
            .rev()
            .find(|d| d.decision == Decision::Approved);
        let state = match (of_type.is_empty(), approved) {
            (true, _) => "missing",
            (false, Some(_)) => "satisfied",
            (false, None) => "not_valid",
        };
        match state {
            "missing" => {
                reasons.push(format!("{}: no document yet", req.name));
                raise(CustomerStatus::Incomplete);
            }
            "not_valid" => {
                let decisions: Vec<String> = of_type
                    .iter()
                    .map(|d| format!("{} {}", d.doc_type, d.decision))
                    .collect();
                reasons.push(format!(
                    "{}: present but not approved ({})",
                    req.name,
                    decisions.join(", ")
                ));
                raise(CustomerStatus::Incomplete);
            }
            _ => {}
        }
        states.push(RequirementState {
            name: req.name.clone(),
            types: req.types.clone(),
            state: state.to_string(),
            satisfied_by: approved.map(|d| d.document_id.clone()),
            documents: of_type.iter().map(|d| decision_of(d)).collect(),
        });
    }

    for d in &current {
        let replaced = states
            .iter()
            .any(|s| s.types.contains(&d.doc_type) && s.state == "satisfied");
        match d.decision {
            Decision::Rejected if !replaced => {
                reasons.push(format!("{} ({}) was rejected", d.document, d.doc_type));
                raise(CustomerStatus::Rejected);
            }
            Decision::ManualReview | Decision::Unreadable if !replaced => {
                reasons.push(format!(
                    "{} ({}) awaits review: {}",
                    d.document, d.doc_type, d.decision
                ));
                raise(CustomerStatus::NeedsReview);
            }
            _ => {}
        }
    }

    let agreement = compare_documents(&current);
    for a in &agreement {
        if a.result == Comparison::Differs {
            let pairs: Vec<String> = a
                .conflicts
                .iter()
                .take(3)
                .map(|[x, y]| format!("{x} and {y}"))
                .collect();
            reasons.push(format!(
                "{} differs between documents: {}",
                a.attribute.replace('_', " "),
                pairs.join("; ")
            ));
            raise(CustomerStatus::NeedsReview);
        }
    }
    if status == CustomerStatus::Complete {
        reasons.push("every required document is present, approved and consistent".into());
    }

    let revision = previous.map_or(1, |p| p.revision + 1);
    let previous_status = previous.map(|p| p.status);
    let alert_id = format!("customer:{customer_id}:{revision}");
    let alert = match previous {
        Some(p) if p.status == status && p.alert.status == AlertStatus::Pending => p.alert.clone(),
        _ if previous_status != Some(status) && status.needs_alert() => AlertState {
            status: AlertStatus::Pending,
            alert_id: Some(alert_id),
            sent_at: None,
        },
        _ => AlertState {
            status: AlertStatus::NotRequired,
            alert_id: None,
            sent_at: None,
        },
    };
    CustomerView {
        schema_version: VIEW_SCHEMA_VERSION,
        customer_id: customer_id.to_string(),
        status,
        reasons,
        requirements: states,
        agreement,
        documents: all.iter().map(|d| decision_of(d)).collect(),
        rules_version: rules_version.to_string(),
        computed_at: now,
        revision,
        previous_status,
        alert,
    }
}

/// Compares every pair of current documents on each attribute both carry.
fn compare_documents(current: &[&CustomerDocument]) -> Vec<AttributeAgreement> {
    let with_identity: Vec<(&CustomerDocument, &Identity)> = current
        .iter()
        .filter_map(|d| d.identity.as_ref().map(|i| (*d, i)))
        .collect();
    let mut out = Vec::new();
    let mut attribute =
        |name: &str,
         has: &dyn Fn(&Identity) -> bool,
         compare: &dyn Fn(&Identity, &Identity) -> Comparison| {
            let carrying: Vec<&(&CustomerDocument, &Identity)> =
                with_identity.iter().filter(|(_, i)| has(i)).collect();
            let mut result = Comparison::NotComparable;
            let mut conflicts = Vec::new();
            for (i, (da, ia)) in carrying.iter().enumerate() {
                for (db, ib) in carrying.iter().skip(i + 1) {
                    if ia.key_id != ib.key_id {
                        continue;
                    }
                    match compare(ia, ib) {
                        Comparison::Agrees if result == Comparison::NotComparable => {
                            result = Comparison::Agrees
                        }
                        Comparison::Differs => {
                            result = Comparison::Differs;
                            conflicts.push([da.document.clone(), db.document.clone()]);
                        }
                        _ => {}
                    }
                }
            }
            out.push(AttributeAgreement {
                attribute: name.to_string(),
                result,
                documents: carrying.len(),
                conflicts,
            });
        };
    attribute("name", &|i| !i.names.is_empty(), &|a, b| {
        compare_name_sets(&a.names, &b.names)
    });
    attribute("date_of_birth", &|i| i.birth_date.is_some(), &|a, b| {
        if a.birth_date == b.birth_date {
            Comparison::Agrees
        } else {
            Comparison::Differs
        }
    });
    // A renewed passport legitimately has a new number, and an application names one of the
    // customer's identity documents: it agrees when any of them carries the number it states.
    let carrying: Vec<&(&CustomerDocument, &Identity)> = with_identity
        .iter()
        .filter(|(_, i)| !i.id_numbers.is_empty())
        .collect();
    let mut result = Comparison::NotComparable;
    let mut conflicts = Vec::new();
    for (application, stated) in carrying
        .iter()
        .filter(|(d, _)| d.doc_type == DocType::KycApplication)
    {
        let documents: Vec<&&(&CustomerDocument, &Identity)> = carrying
            .iter()
            .filter(|(d, i)| d.doc_type != DocType::KycApplication && i.key_id == stated.key_id)
            .collect();
        if documents.is_empty() {
            continue;
        }
        let found = documents
            .iter()
            .any(|(_, i)| i.id_numbers.iter().any(|n| stated.id_numbers.contains(n)));
        if found {
            if result == Comparison::NotComparable {
                result = Comparison::Agrees;
            }
        } else {
            result = Comparison::Differs;
            for (d, _) in &documents {
                conflicts.push([application.document.clone(), d.document.clone()]);
            }
        }
    }
    let id_number = AttributeAgreement {
        attribute: "id_number".into(),
        result,
        documents: carrying.len(),
        conflicts,
    };
    attribute("address", &|i| !i.addresses.is_empty(), &|a, b| {
        compare_address_sets(&a.addresses, &b.addresses)
    });
    out.insert(2, id_number);
    out
}
