//! Transaction screening of transaction reports and statements.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{CheckContext, Finding, Status};
use crate::rules::{ParamKind, ParamSpec, Rule};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &["transaction.cash_threshold"];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[ParamSpec {
    check: "transaction.cash_threshold",
    name: "threshold_usd",
    kind: ParamKind::Number,
    description:
        "cash above this amount (USD) in one transaction or per person and day requires a CTR",
}];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "transaction.cash_threshold" => cash_threshold(rule, ctx),
        _ => return None,
    })
}

pub(super) fn cash_threshold(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
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

pub(super) fn join_rows(rows: &[usize]) -> String {
    rows.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
