//! The compliance checks. Each one returns a result for every document (pass, fail, error or
//! not_applicable) so the audit record shows what was and was not examined. Messages never
//! carry personal data in clear.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::classify::DocType;
use crate::extract::Fields;
use crate::mask;
use crate::rules::{Category, OnFail, Rule, RuleSet, Severity};
use crate::screening::{SanctionsList, ScreeningMatch};

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
    pub fields: &'a Fields,
    pub lists: &'a [SanctionsList],
    pub today: NaiveDate,
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
    match rule.id.as_str() {
        "kyc.mrz_check_digits" => mrz_check_digits(ctx),
        "kyc.document_expiry" => document_expiry(rule, ctx),
        "kyc.minimum_age" => minimum_age(rule, ctx),
        "aml.sanctions_screening" => sanctions(rule, ctx),
        "transaction.cash_threshold" => cash_threshold(rule, ctx),
        "gdpr.consent" => consent(ctx),
        "pii.card_numbers" => card_numbers(ctx),
        other => Finding::new(Status::Error, format!("no implementation for `{other}`")),
    }
}

fn mrz_check_digits(ctx: &CheckContext<'_>) -> Finding {
    let Some(mrz) = &ctx.fields.mrz else {
        return Finding::new(
            Status::Error,
            "no machine-readable zone found on an identity document",
        );
    };
    let failed = mrz.failed_check_digits();
    if failed.is_empty() {
        Finding::new(
            Status::Pass,
            format!("{} MRZ: all check digits valid", mrz.format.name()),
        )
    } else {
        Finding::new(
            Status::Fail,
            format!(
                "{} MRZ: invalid check digit for {}",
                mrz.format.name(),
                failed.join(", ")
            ),
        )
        .with_evidence(serde_json::json!({ "failed_check_digits": failed }))
    }
}

fn document_expiry(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let Some(expiry) = ctx.fields.expiry_date else {
        return Finding::new(Status::Error, "no expiry date found");
    };
    let margin = rule.param_i64("expiring_within_days", 30);
    let days_left = (expiry - ctx.today).num_days();
    if days_left < 0 {
        Finding::new(Status::Fail, format!("document expired on {expiry}"))
    } else if days_left <= margin {
        Finding::new(
            Status::Fail,
            format!("document expires on {expiry}, within {margin} days"),
        )
    } else {
        Finding::new(Status::Pass, format!("valid until {expiry}"))
    }
}

fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

fn minimum_age(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let Some(birth) = ctx.fields.date_of_birth else {
        return Finding::new(Status::Error, "no date of birth found");
    };
    let minimum = rule.param_i64("minimum_age_years", 18);
    let age = age_on(birth, ctx.today);
    if age < 0 || birth > ctx.today {
        Finding::new(Status::Fail, "date of birth lies in the future")
    } else if i64::from(age) < minimum {
        Finding::new(
            Status::Fail,
            format!("customer is under the minimum age of {minimum}"),
        )
    } else {
        Finding::new(Status::Pass, format!("customer is at least {minimum}"))
    }
}

fn sanctions(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    if ctx.lists.is_empty() {
        return Finding::new(Status::Error, "no sanctions list loaded");
    }
    if ctx.fields.names.is_empty() {
        return Finding::new(Status::Error, "no name found to screen");
    }
    let threshold = rule.param_f64("match_threshold", 0.88);
    let mut hits: Vec<(String, ScreeningMatch)> = Vec::new();
    for name in &ctx.fields.names {
        for list in ctx.lists {
            for m in list.screen(name, ctx.fields.date_of_birth, threshold) {
                hits.push((name.clone(), m));
            }
        }
    }
    let screened = ctx.fields.names.len();
    if hits.is_empty() {
        return Finding::new(
            Status::Pass,
            format!("{screened} name(s) screened, no match at or above {threshold}"),
        );
    }
    hits.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    let best = &hits[0];
    let evidence: Vec<serde_json::Value> = hits
        .iter()
        .take(10)
        .map(|(name, m)| {
            serde_json::json!({
                "screened_name": mask::name(name),
                "list": m.list,
                "entry_uid": m.uid,
                "listed_name": m.listed_name,
                "entity_type": m.entity_type,
                "programs": m.programs,
                "score": m.score,
                "birth_date_agrees": m.birth_date_agrees,
            })
        })
        .collect();
    Finding::new(
        Status::Fail,
        format!(
            "possible sanctions match: {} matches {} entry {} with score {:.2}{}",
            mask::name(&best.0),
            best.1.list,
            best.1.uid,
            best.1.score,
            match best.1.birth_date_agrees {
                Some(true) => ", date of birth agrees",
                Some(false) => ", date of birth differs",
                None => "",
            }
        ),
    )
    .with_evidence(serde_json::Value::Array(evidence))
}

fn cash_threshold(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let transactions = &ctx.fields.transactions;
    if transactions.is_empty() {
        return Finding::new(Status::NotApplicable, "no transactions found");
    }
    let threshold = rule.param_f64("threshold_usd", 10_000.0);
    let cash: Vec<_> = transactions
        .iter()
        .filter(|t| t.is_cash() && t.currency == "USD")
        .collect();
    let single: Vec<usize> = cash
        .iter()
        .filter(|t| t.amount > threshold)
        .map(|t| t.row)
        .collect();
    // Multiple cash transactions by or for one person on one business day count as one, cash
    // in and cash out each on its own (31 CFR 1010.313).
    let mut per_day: BTreeMap<DayKey, (f64, Vec<usize>)> = BTreeMap::new();
    for t in &cash {
        let key = (t.party.to_lowercase(), t.date, t.is_cash_out());
        let slot = per_day.entry(key).or_default();
        slot.0 += t.amount;
        slot.1.push(t.row);
    }
    let aggregated: Vec<&Vec<usize>> = per_day
        .values()
        .filter(|(total, rows)| *total > threshold && rows.len() > 1)
        .map(|(_, rows)| rows)
        .collect();
    let other_currency = transactions
        .iter()
        .filter(|t| t.is_cash() && t.currency != "USD")
        .count();
    if single.is_empty() && aggregated.is_empty() {
        let mut message = format!(
            "{} cash transaction(s), none over USD {threshold:.0} alone or per person and day",
            cash.len()
        );
        if other_currency > 0 {
            message.push_str(&format!(
                "; {other_currency} cash transaction(s) in other currencies not converted"
            ));
        }
        return Finding::new(Status::Pass, message);
    }
    let mut parts = Vec::new();
    if !single.is_empty() {
        parts.push(format!(
            "{} cash transaction(s) over USD {threshold:.0} (rows {})",
            single.len(),
            join_rows(&single)
        ));
    }
    for rows in &aggregated {
        parts.push(format!(
            "cash by one person on one day aggregates over USD {threshold:.0} (rows {})",
            join_rows(rows)
        ));
    }
    Finding::new(
        Status::Fail,
        format!("currency transaction report required: {}", parts.join("; ")),
    )
    .with_evidence(
        serde_json::json!({ "rows_over_threshold": single, "aggregated_rows": aggregated }),
    )
}

/// Person, business day, and whether the cash went out (withdrawal) or came in.
type DayKey = (String, Option<NaiveDate>, bool);

fn join_rows(rows: &[usize]) -> String {
    rows.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn consent(ctx: &CheckContext<'_>) -> Finding {
    let Some(c) = &ctx.fields.consent else {
        return Finding::new(Status::Fail, "no consent statement found");
    };
    let mut missing = Vec::new();
    if !c.given {
        missing.push("affirmative consent (ticked box or statement)");
    }
    if c.purpose.as_deref().is_none_or(|p| p.trim().len() < 3) {
        missing.push("purpose of processing");
    }
    if c.date.is_none() {
        missing.push("date");
    }
    if !c.signed {
        missing.push("signature");
    }
    if missing.is_empty() {
        Finding::new(
            Status::Pass,
            "consent given, purpose stated, dated and signed",
        )
    } else {
        Finding::new(
            Status::Fail,
            format!("consent incomplete: missing {}", missing.join(", ")),
        )
    }
}

fn card_numbers(ctx: &CheckContext<'_>) -> Finding {
    let cards = &ctx.fields.card_numbers;
    if cards.is_empty() {
        return Finding::new(Status::Pass, "no full card numbers found");
    }
    let masked: Vec<String> = cards.iter().map(|c| mask::card(c)).collect();
    Finding::new(
        Status::Fail,
        format!(
            "{} full payment card number(s) in the document: {}",
            cards.len(),
            masked.join(", ")
        ),
    )
    .with_evidence(serde_json::json!({ "cards": masked }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_birthdays() {
        let birth = NaiveDate::from_ymd_opt(2008, 11, 26).unwrap();
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()),
            17
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()),
            18
        );
    }
}
