//! The compliance checks. Each one returns a result for every document (pass, fail, error or
//! not_applicable) so the audit record shows what was and was not examined. Messages never
//! carry personal data in clear.

mod aml;
mod customer;
mod gdpr;
mod identifiers;
mod kyc;
mod pii;
mod transactions;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::classify::DocType;
use crate::customer::CustomerContext;
use crate::extract::Fields;
use crate::rules::{Category, OnFail, ParamSpec, Rule, RuleSet, Severity, TransactionSettings};
use crate::screening::Screener;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Error,
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub category: Category,
    pub status: Status,
    pub severity: Severity,
    pub message: String,
    pub rule_version: String,
    pub on_fail: OnFail,
    /// Evidence a reviewer needs (masked), e.g. the sanctions entries matched.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
}

/// What a check function found, before the rule's metadata is attached.
struct Finding {
    status: Status,
    message: String,
    evidence: serde_json::Value,
}

impl Finding {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            evidence: serde_json::Value::Null,
        }
    }
    fn with_evidence(mut self, evidence: serde_json::Value) -> Self {
        self.evidence = evidence;
        self
    }
}

pub struct CheckContext<'a> {
    pub doc_type: DocType,
    pub transactions: &'a TransactionSettings,
    pub fields: &'a Fields,
    pub screener: &'a Screener,
    pub today: NaiveDate,
    /// The document's customer and their remembered false positives.
    pub customer: &'a CustomerContext,
}

/// Runs every enabled rule of the set against the document.
pub fn run_all(rules: &RuleSet, ctx: &CheckContext<'_>) -> Vec<CheckResult> {
    rules
        .rules
        .iter()
        .filter(|r| r.enabled)
        .map(|rule| {
            let finding = if rule.applies_to(ctx.doc_type) {
                run_one(rule, ctx)
            } else {
                Finding::new(
                    Status::NotApplicable,
                    format!("does not apply to {}", ctx.doc_type),
                )
            };
            CheckResult {
                id: rule.id.clone(),
                category: rule.category,
                status: finding.status,
                severity: rule.severity,
                message: finding.message,
                rule_version: rule.version.clone(),
                on_fail: rule.on_fail,
                evidence: finding.evidence,
            }
        })
        .collect()
}

fn run_one(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    kyc::run(rule, ctx)
        .or_else(|| aml::run(rule, ctx))
        .or_else(|| customer::run(rule, ctx))
        .or_else(|| transactions::run(rule, ctx))
        .or_else(|| gdpr::run(rule, ctx))
        .or_else(|| pii::run(rule, ctx))
        .or_else(|| identifiers::run(rule, ctx))
        .unwrap_or_else(|| {
            Finding::new(
                Status::Error,
                format!("no implementation for `{}`", rule.id),
            )
        })
}

/// Every check this build implements: a rules file naming another id is invalid.
pub fn known_checks() -> Vec<&'static str> {
    [
        kyc::CHECKS,
        aml::CHECKS,
        customer::CHECKS,
        transactions::CHECKS,
        gdpr::CHECKS,
        pii::CHECKS,
        identifiers::CHECKS,
    ]
    .concat()
}

/// The parameters each check accepts, with their types.
pub fn param_specs() -> Vec<&'static ParamSpec> {
    [
        kyc::PARAMS,
        aml::PARAMS,
        customer::PARAMS,
        transactions::PARAMS,
        gdpr::PARAMS,
        pii::PARAMS,
        identifiers::PARAMS,
    ]
    .into_iter()
    .flatten()
    .collect()
}
