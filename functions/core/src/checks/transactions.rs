//! Transaction screening of transaction reports and statements:
//! - `transaction.cash_threshold`: currency transaction reports (31 CFR 1010.311, 1010.313);
//! - `transaction.structuring`: cash kept just under the reporting threshold;
//! - `transaction.wire_recordkeeping`: what a funds transfer of USD 3,000 or more must carry
//!   (31 CFR 1010.410);
//! - `transaction.high_risk_jurisdictions`: counterparties in listed countries (FATF's lists by
//!   default).
//!
//! Amounts in other currencies are converted with `[transactions.usd_rates]` before any
//! threshold. An amount that cannot be converted (no rate) or read is never ignored: it could
//! hide a report, so a check that finds nothing else returns `error` naming it, and one that
//! does find something returns `fail` and names it as well. Business days are calendar days in
//! `[transactions] timezone`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::{json, Value};

use super::{CheckContext, Finding, Status};
use crate::extract::Transaction;
use crate::identifiers::is_iso_country;
use crate::mask;
use crate::rules::{ParamKind, ParamSpec, Rule, TransactionSettings};

const CASH: &str = "transaction.cash_threshold";
const STRUCTURING: &str = "transaction.structuring";
const WIRES: &str = "transaction.wire_recordkeeping";
const HIGH_RISK: &str = "transaction.high_risk_jurisdictions";

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &[CASH, STRUCTURING, WIRES, HIGH_RISK];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        check: CASH,
        name: "threshold_usd",
        kind: ParamKind::Number,
        description:
            "cash above this amount (USD) in one transaction or per person, business day and direction requires a CTR (default 10000)",
    },
    ParamSpec {
        check: STRUCTURING,
        name: "threshold_usd",
        kind: ParamKind::Number,
        description: "the reporting threshold (USD) the cash is kept under (default 10000)",
    },
    ParamSpec {
        check: STRUCTURING,
        name: "band_pct",
        kind: ParamKind::Number,
        description:
            "how close under the threshold counts as just under it, in percent: 10 means from 90% to 100% of it (default 10)",
    },
    ParamSpec {
        check: STRUCTURING,
        name: "min_count",
        kind: ParamKind::Integer,
        description: "how many such transactions make a pattern (default 2)",
    },
    ParamSpec {
        check: STRUCTURING,
        name: "window_days",
        kind: ParamKind::Integer,
        description: "within how many consecutive business days (default 3)",
    },
    ParamSpec {
        check: STRUCTURING,
        name: "sum_over_threshold",
        kind: ParamKind::Bool,
        description:
            "also report cash each under the threshold, spread over two or more business days of the window, that together exceeds it (default true)",
    },
    ParamSpec {
        check: WIRES,
        name: "threshold_usd",
        kind: ParamKind::Number,
        description:
            "funds transfers of this amount (USD) or more must carry originator and beneficiary data (default 3000)",
    },
    ParamSpec {
        check: HIGH_RISK,
        name: "countries",
        kind: ParamKind::StringList,
        description:
            "ISO 3166-1 alpha-2 codes (or country names) of high-risk jurisdictions (default: FATF's call for action and increased monitoring lists, June 2026)",
    },
];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        CASH => cash_threshold(rule, ctx),
        STRUCTURING => structuring(rule, ctx),
        WIRES => wire_recordkeeping(rule, ctx),
        HIGH_RISK => high_risk_jurisdictions(rule, ctx),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// transaction.cash_threshold

pub(super) fn cash_threshold(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let (transactions, zone, threshold) = match cash_setup(rule, ctx) {
        Ok(setup) => setup,
        Err(f) => return f,
    };
    let limit = whole_usd(threshold);
    let rates = Rates::new(ctx.transactions);
    let cash: Vec<&Transaction> = transactions.iter().filter(|t| t.is_cash()).collect();
    let persons = person_ids(&cash);
    let mut problems = Problems::default();
    let mut single: Vec<(usize, f64)> = Vec::new();
    let mut groups: BTreeMap<DayKey, Vec<(usize, f64)>> = BTreeMap::new();
    for (i, t) in cash.iter().enumerate() {
        let usd = match rates.usd(t) {
            Ok(v) => v,
            Err(e) => {
                problems.add(t.row, e);
                continue;
            }
        };
        if usd > threshold {
            single.push((t.row, usd));
        }
        for flow in flows(t) {
            groups
                .entry((persons[i], t.business_day(&zone), *flow))
                .or_default()
                .push((i, usd));
        }
    }
    // Multiple cash transactions by or for one person on one business day count as one, cash
    // in and cash out each on its own (31 CFR 1010.313).
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut aggregated: Vec<Value> = Vec::new();
    let mut parts: Vec<String> = single
        .iter()
        .map(|(row, usd)| format!("row {row}: {} in one transaction", money(*usd)))
        .collect();
    for ((_, day, flow), members) in &groups {
        let total: f64 = members.iter().map(|(_, usd)| usd).sum();
        if members.len() < 2 || total <= threshold {
            continue;
        }
        let rows: Vec<usize> = members.iter().map(|(i, _)| cash[*i].row).collect();
        if !seen.insert(rows.clone()) {
            continue;
        }
        let assumed: Vec<usize> = members
            .iter()
            .filter(|(i, _)| cash[*i].direction.is_none())
            .map(|(i, _)| cash[*i].row)
            .collect();
        let day_text = day.map_or("an undated day".to_string(), |d| d.to_string());
        parts.push(format!(
            "rows {}: {} by one person on {day_text} totals {}",
            join_rows(&rows),
            flow.label(),
            money(total)
        ));
        aggregated.push(json!({
            "rows": cap(&rows),
            "business_day": day.map(|d| d.to_string()),
            "direction": flow.key(),
            "rows_without_direction": assumed,
            "total_usd": cents(total),
            "person": person_label(cash[members[0].0]),
        }));
    }
    if parts.is_empty() {
        if !problems.is_empty() {
            return problems.error_finding(
                format!(
                    "{} cash transaction(s) could not be judged against {limit}: {}; none of the other {} is over it alone or per person and business day",
                    problems.count(),
                    problems.message(),
                    cash.len() - problems.count()
                ),
                ("threshold_usd", json!(threshold)),
            );
        }
        return Finding::new(
            Status::Pass,
            format!(
                "{} cash transaction(s), none over {limit} alone or per person, business day ({zone}) and direction",
                cash.len()
            ),
        );
    }
    let mut message = format!(
        "currency transaction report required (over {limit}): {}",
        list_parts(&parts)
    );
    if !problems.is_empty() {
        message.push_str(&format!("; also not judged: {}", problems.message()));
    }
    let single_rows: Vec<usize> = single.iter().map(|(r, _)| *r).collect();
    let aggregated_rows: Vec<Value> = aggregated.iter().map(|a| a["rows"].clone()).collect();
    let mut all_rows: BTreeSet<usize> = single_rows.iter().copied().collect();
    all_rows.extend(seen.iter().flatten().copied());
    Finding::new(Status::Fail, message).with_evidence(json!({
        "rows_total": all_rows.len(),
        "rows": cap(&all_rows.into_iter().collect::<Vec<_>>()),
        "rows_over_threshold": cap(&single_rows),
        "aggregated_rows": cap(&aggregated_rows),
        "aggregated": cap(&aggregated),
        "threshold_usd": threshold,
        "business_day_time_zone": zone.name(),
        "could_not_judge": problems.evidence(),
    }))
}

// ---------------------------------------------------------------------------------------------
// transaction.structuring

/// Cash transactions of one person and direction, each not over `threshold_usd` (so none is
/// reportable on its own), are flagged when within `window_days` consecutive business days
/// either (a) at least `min_count` of them are within `band_pct` percent under the threshold,
/// or (b) with `sum_over_threshold`, at least `min_count` of them on two or more different
/// business days together exceed the threshold (days whose own aggregate is already over it,
/// hence reported under 1010.313, do not count for (b)). Undated cash cannot be placed in a
/// window and is left out (the message says how many).
fn structuring(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let (transactions, zone, threshold) = match cash_setup(rule, ctx) {
        Ok(setup) => setup,
        Err(f) => return f,
    };
    let limit = whole_usd(threshold);
    let band_pct = rule.param_f64("band_pct", 10.0);
    if !(band_pct > 0.0 && band_pct <= 100.0) {
        return Finding::new(
            Status::Error,
            format!("`band_pct` must be over 0 and at most 100, not {band_pct}"),
        );
    }
    let min_count = rule.param_i64("min_count", 2);
    let window_days = rule.param_i64("window_days", 3);
    if min_count < 1 || !(1..=366).contains(&window_days) {
        return Finding::new(
            Status::Error,
            "`min_count` must be at least 1 and `window_days` from 1 to 366",
        );
    }
    let min_count = min_count as usize;
    let sum_over = rule.param_bool("sum_over_threshold", true);
    let band_low = threshold * (1.0 - band_pct / 100.0);

    let rates = Rates::new(ctx.transactions);
    let cash: Vec<&Transaction> = transactions.iter().filter(|t| t.is_cash()).collect();
    let persons = person_ids(&cash);
    let mut problems = Problems::default();
    let mut undated = 0usize;
    // Per person and direction: (business day, USD, index into `cash`), not over the threshold.
    let mut groups: BTreeMap<(usize, Flow), Vec<Dated>> = BTreeMap::new();
    // Per person, direction and day: the day's whole cash, to know which days are reported.
    let mut daily: HashMap<(usize, Flow, NaiveDate), f64> = HashMap::new();
    for (i, t) in cash.iter().enumerate() {
        let usd = match rates.usd(t) {
            Ok(v) => v,
            Err(e) => {
                problems.add(t.row, e);
                continue;
            }
        };
        let Some(day) = t.business_day(&zone) else {
            undated += 1;
            continue;
        };
        for flow in flows(t) {
            *daily.entry((persons[i], *flow, day)).or_default() += usd;
            if usd <= threshold {
                groups
                    .entry((persons[i], *flow))
                    .or_default()
                    .push((day, usd, i));
            }
        }
    }
    let span = chrono::Duration::days(window_days - 1);
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut patterns: Vec<Value> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for ((person, flow), entries) in &mut groups {
        entries.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        let mut near: BTreeSet<usize> = BTreeSet::new();
        let mut summed: BTreeSet<usize> = BTreeSet::new();
        let starts: BTreeSet<NaiveDate> = entries.iter().map(|e| e.0).collect();
        for start in starts {
            let end = start.checked_add_signed(span).unwrap_or(NaiveDate::MAX);
            // Entries are sorted by day: the window is a slice.
            let lo = entries.partition_point(|e| e.0 < start);
            let hi = entries.partition_point(|e| e.0 <= end);
            let window: Vec<&Dated> = entries[lo..hi].iter().collect();
            let in_band: Vec<usize> = window
                .iter()
                .filter(|e| e.1 >= band_low)
                .map(|e| e.2)
                .collect();
            if in_band.len() >= min_count {
                near.extend(in_band);
            }
            if sum_over {
                let unreported: Vec<&&Dated> = window
                    .iter()
                    .filter(|e| {
                        daily
                            .get(&(*person, *flow, e.0))
                            .is_none_or(|total| *total <= threshold)
                    })
                    .collect();
                let days: BTreeSet<NaiveDate> = unreported.iter().map(|e| e.0).collect();
                let total: f64 = unreported.iter().map(|e| e.1).sum();
                if days.len() >= 2 && unreported.len() >= min_count && total > threshold {
                    summed.extend(unreported.iter().map(|e| e.2));
                }
            }
        }
        if near.is_empty() && summed.is_empty() {
            continue;
        }
        let members: BTreeSet<usize> = near.union(&summed).copied().collect();
        let mut rows: Vec<usize> = members.iter().map(|i| cash[*i].row).collect();
        rows.sort_unstable();
        if !seen.insert(rows.clone()) {
            continue;
        }
        let flagged: Vec<&Dated> = entries.iter().filter(|e| members.contains(&e.2)).collect();
        let total: f64 = flagged.iter().map(|e| e.1).sum();
        let first = flagged.iter().map(|e| e.0).min();
        let last = flagged.iter().map(|e| e.0).max();
        let mut criteria = Vec::new();
        let mut how = Vec::new();
        if !near.is_empty() {
            criteria.push("near_threshold");
            how.push(format!("{} within {band_pct}% under {limit}", near.len()));
        }
        if !summed.is_empty() {
            criteria.push("sum_over_threshold");
            how.push(format!(
                "{} each under {limit} but together over it across business days",
                summed.len()
            ));
        }
        let (first_text, last_text) = (
            first.map(|d| d.to_string()).unwrap_or_default(),
            last.map(|d| d.to_string()).unwrap_or_default(),
        );
        parts.push(format!(
            "rows {}: {} by one person from {first_text} to {last_text} ({}; total {})",
            join_rows(&rows),
            flow.label(),
            how.join("; "),
            money(total)
        ));
        patterns.push(json!({
            "rows": cap(&rows),
            "person": person_label(cash[*members.iter().next().unwrap_or(&0)]),
            "direction": flow.key(),
            "first_business_day": first.map(|d| d.to_string()),
            "last_business_day": last.map(|d| d.to_string()),
            "total_usd": cents(total),
            "criteria": criteria,
        }));
    }
    let undated_note = if undated > 0 {
        format!("; {undated} undated cash transaction(s) could not be placed in a window")
    } else {
        String::new()
    };
    let settings = json!({
        "threshold_usd": threshold,
        "band_pct": band_pct,
        "min_count": min_count,
        "window_days": window_days,
        "sum_over_threshold": sum_over,
    });
    if parts.is_empty() {
        if !problems.is_empty() {
            return problems.error_finding(
                format!(
                    "{} cash transaction(s) could not be judged: {}; no pattern among the others{undated_note}",
                    problems.count(),
                    problems.message()
                ),
                ("settings", json!(settings)),
            );
        }
        return Finding::new(
            Status::Pass,
            format!(
                "{} cash transaction(s), no structuring pattern ({min_count} or more within {band_pct}% under {limit}{} within {window_days} business day(s)){undated_note}",
                cash.len(),
                if sum_over { ", or together over it across days" } else { "" }
            ),
        );
    }
    let mut message = format!("possible structuring: {}", list_parts(&parts));
    if !problems.is_empty() {
        message.push_str(&format!("; also not judged: {}", problems.message()));
    }
    message.push_str(&undated_note);
    let all_rows: BTreeSet<usize> = seen.iter().flatten().copied().collect();
    Finding::new(Status::Fail, message).with_evidence(json!({
        "rows_total": all_rows.len(),
        "rows": cap(&all_rows.into_iter().collect::<Vec<_>>()),
        "patterns": cap(&patterns),
        "settings": settings,
        "business_day_time_zone": zone.name(),
        "could_not_judge": problems.evidence(),
    }))
}

// ---------------------------------------------------------------------------------------------
// transaction.wire_recordkeeping

/// The elements 31 CFR 1010.410(a) and (f) ask of a funds transfer, by meaning. When the
/// export has no originator or beneficiary columns, the customer is the originator of an
/// outgoing (or undirected) transfer and the beneficiary of an incoming one, and the
/// counterparty columns stand for the other side.
fn missing_elements(t: &Transaction) -> Vec<&'static str> {
    let incoming = t.is_incoming();
    let first = |values: &[&str]| values.iter().any(|v| !v.trim().is_empty());
    let (customer_side, other) = (
        [t.party.as_str(), t.address.as_str(), t.account.as_str()],
        [
            t.counterparty.name.as_str(),
            t.counterparty.address.as_str(),
            t.counterparty.account.as_str(),
        ],
    );
    let (originator_fallback, beneficiary_fallback) = if incoming {
        (other, customer_side)
    } else {
        (customer_side, other)
    };
    let mut missing = Vec::new();
    if !first(&[&t.originator.name, originator_fallback[0]]) {
        missing.push("originator name");
    }
    if !first(&[
        &t.originator.address,
        &t.originator.account,
        originator_fallback[1],
        originator_fallback[2],
    ]) {
        missing.push("originator address or account");
    }
    if t.amount_missing {
        missing.push("amount");
    }
    if t.date.is_none() && t.timestamp.is_none() {
        missing.push("execution date");
    }
    if !first(&[&t.beneficiary.name, beneficiary_fallback[0]]) {
        missing.push("beneficiary name");
    }
    if !first(&[
        &t.beneficiary.account,
        &t.beneficiary.address,
        beneficiary_fallback[2],
        beneficiary_fallback[1],
    ]) {
        missing.push("beneficiary account or address");
    }
    missing
}

fn wire_recordkeeping(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let transactions = &ctx.fields.transactions;
    if transactions.is_empty() {
        return Finding::new(Status::NotApplicable, "no transactions found");
    }
    let threshold = match positive(rule, "threshold_usd", 3_000.0) {
        Ok(t) => t,
        Err(f) => return f,
    };
    let limit = whole_usd(threshold);
    let rates = Rates::new(ctx.transactions);
    let mut problems = Problems::default();
    let mut failing: Vec<(usize, Vec<&'static str>)> = Vec::new();
    let (mut in_scope, mut below) = (0usize, 0usize);
    for t in transactions.iter().filter(|t| t.is_funds_transfer()) {
        let missing = missing_elements(t);
        match rates.usd(t) {
            Ok(usd) if usd < threshold => below += 1,
            Ok(_) => {
                in_scope += 1;
                if !missing.is_empty() {
                    failing.push((t.row, missing));
                }
            }
            // An unknown amount cannot be shown to be under the threshold.
            Err(Unusable::NoAmount) => {
                in_scope += 1;
                failing.push((t.row, missing));
            }
            // Complete records pass whatever the amount; incomplete ones need the amount.
            Err(_) if missing.is_empty() => in_scope += 1,
            Err(e) => problems.add(t.row, e),
        }
    }
    if failing.is_empty() {
        if !problems.is_empty() {
            return problems.error_finding(
                format!(
                    "{} incomplete funds transfer(s) could not be compared with {limit}: {}",
                    problems.count(),
                    problems.message()
                ),
                ("threshold_usd", json!(threshold)),
            );
        }
        let message = if in_scope == 0 {
            format!("no funds transfers of {limit} or more ({below} below)")
        } else {
            format!(
                "{in_scope} funds transfer(s) of {limit} or more, each with originator name and address or account, amount, date, beneficiary name and account or address"
            )
        };
        return Finding::new(Status::Pass, message);
    }
    let parts: Vec<String> = failing
        .iter()
        .map(|(row, missing)| format!("row {row}: {}", missing.join(", ")))
        .collect();
    let mut message = format!(
        "{} funds transfer(s) of {limit} or more lack what 31 CFR 1010.410 requires: {}",
        failing.len(),
        list_parts(&parts)
    );
    if !problems.is_empty() {
        message.push_str(&format!("; also not judged: {}", problems.message()));
    }
    let rows: Vec<usize> = failing.iter().map(|(r, _)| *r).collect();
    let details: Vec<Value> = failing
        .iter()
        .map(|(row, missing)| json!({ "row": row, "missing": missing }))
        .collect();
    Finding::new(Status::Fail, message).with_evidence(json!({
        "rows_total": rows.len(),
        "rows": cap(&rows),
        "missing": cap(&details),
        "threshold_usd": threshold,
        "could_not_judge": problems.evidence(),
    }))
}

// ---------------------------------------------------------------------------------------------
// transaction.high_risk_jurisdictions

/// FATF, June 2026: "High-Risk Jurisdictions subject to a Call for Action" (KP, IR, MM) and
/// "Jurisdictions under Increased Monitoring". Used when a rule gives no `countries`; the
/// shipped config/rules.toml carries the same list (a test keeps the two equal).
const FATF_JUNE_2026: &[&str] = &[
    "KP", "IR", "MM", // call for action
    "AO", "BA", "BG", "BO", "CD", "CI", "CM", "HT", "IQ", "KE", "KW", "LA", "LB", "MC", "NP", "PG",
    "SS", "SY", "VE", "VG", "VN", "YE",
];

/// Any country column of the row (resolved from a code or a name), and the country of every
/// IBAN or BIC given for the originator, beneficiary or counterparty.
fn high_risk_jurisdictions(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let transactions = &ctx.fields.transactions;
    if transactions.is_empty() {
        return Finding::new(Status::NotApplicable, "no transactions found");
    }
    let listed = match countries_param(rule) {
        Ok(l) => l,
        Err(message) => return Finding::new(Status::Error, message),
    };
    let mut hits: Vec<Value> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    let mut rows: BTreeSet<usize> = BTreeSet::new();
    let mut unrecognised: Vec<Value> = Vec::new();
    let mut screened = 0usize;
    for t in transactions {
        let mut found: Vec<(String, String)> = Vec::new();
        for c in &t.countries {
            screened += 1;
            match country_code(&c.value) {
                Some(code) => found.push((c.column.clone(), code)),
                None => unrecognised.push(json!({ "row": t.row, "column": c.column })),
            }
        }
        for (side, details) in [
            ("originator", &t.originator),
            ("beneficiary", &t.beneficiary),
            ("counterparty", &t.counterparty),
        ] {
            let ibans: BTreeSet<String> = [&details.iban, &details.account]
                .into_iter()
                .filter_map(|a| iban_country(a))
                .collect();
            for code in ibans {
                screened += 1;
                found.push((format!("{side} IBAN"), code));
            }
            if let Some(code) = bic_country(&details.bic) {
                screened += 1;
                found.push((format!("{side} BIC"), code));
            }
        }
        let mut by_code: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (column, code) in found {
            if listed.contains(&code) {
                hits.push(json!({ "row": t.row, "column": column, "country": code }));
                by_code.entry(code).or_default().push(column);
            }
        }
        for (code, columns) in by_code {
            rows.insert(t.row);
            parts.push(format!("row {}: {code} ({})", t.row, columns.join(", ")));
        }
    }
    let unrecognised_note = if unrecognised.is_empty() {
        String::new()
    } else {
        format!(
            "; {} country value(s) not recognised as a code or a known name",
            unrecognised.len()
        )
    };
    if screened == 0 {
        return Finding::new(
            Status::NotApplicable,
            "no counterparty country, IBAN or BIC in the document",
        );
    }
    if hits.is_empty() {
        return Finding::new(
            Status::Pass,
            format!(
                "{screened} country indication(s) screened, none in the {} listed jurisdictions{unrecognised_note}",
                listed.len()
            ),
        )
        .with_evidence(if unrecognised.is_empty() {
            Value::Null
        } else {
            json!({ "unrecognised_countries": cap(&unrecognised) })
        });
    }
    Finding::new(
        Status::Fail,
        format!(
            "{} transaction(s) involve high-risk jurisdictions: {}{unrecognised_note}",
            rows.len(),
            list_parts(&parts)
        ),
    )
    .with_evidence(json!({
        "rows_total": rows.len(),
        "rows": cap(&rows.into_iter().collect::<Vec<_>>()),
        "hits": cap(&hits),
        "unrecognised_countries": cap(&unrecognised),
    }))
}

fn countries_param(rule: &Rule) -> Result<BTreeSet<String>, String> {
    let Some(value) = rule.params.get("countries") else {
        return Ok(FATF_JUNE_2026.iter().map(|c| c.to_string()).collect());
    };
    let toml::Value::Array(items) = value else {
        return Err("`countries` must be a list of country codes".into());
    };
    items
        .iter()
        .map(|item| match item {
            toml::Value::String(s) => country_code(s).ok_or_else(|| {
                format!("`countries` entry `{s}` is neither an ISO 3166-1 alpha-2 code nor a known country name")
            }),
            other => Err(format!("`countries` entry {other} is not a string")),
        })
        .collect()
}

/// Country names (English, and where easy French, German, Spanish, Dutch) and alpha-3 codes
/// of the listed jurisdictions and of common counterparties, folded (ASCII, lower case).
#[rustfmt::skip]
const COUNTRY_NAMES: &[(&str, &[&str])] = &[
    ("KP", &["north korea", "dprk", "democratic people s republic of korea", "korea democratic people s republic of", "korea dpr", "prk", "coree du nord", "nordkorea", "corea del norte", "noord korea"]),
    ("IR", &["iran", "islamic republic of iran", "iran islamic republic of", "irn", "persia", "iran republique islamique d"]),
    ("MM", &["myanmar", "burma", "mmr", "birmanie", "birma"]),
    ("AO", &["angola", "ago"]),
    ("BA", &["bosnia and herzegovina", "bosnia herzegovina", "bosnia", "bih", "bosnie herzegovine", "bosnien und herzegowina", "bosnia y herzegovina", "bosnie en herzegovina"]),
    ("BG", &["bulgaria", "bgr", "bulgarie", "bulgarien", "bulgarije"]),
    ("BO", &["bolivia", "plurinational state of bolivia", "bolivia plurinational state of", "bol", "bolivie", "bolivien"]),
    ("CD", &["democratic republic of the congo", "congo democratic republic", "congo democratic republic of the", "dr congo", "drc", "congo kinshasa", "cod", "republique democratique du congo", "rd congo", "demokratische republik kongo", "republica democratica del congo"]),
    ("CI", &["cote d ivoire", "ivory coast", "civ", "elfenbeinkuste", "costa de marfil", "ivoorkust"]),
    ("CM", &["cameroon", "cmr", "cameroun", "kamerun", "camerun", "kameroen"]),
    ("HT", &["haiti", "hti"]),
    ("IQ", &["iraq", "irq", "irak"]),
    ("KE", &["kenya", "ken", "kenia"]),
    ("KW", &["kuwait", "kwt", "koweit", "koeweit"]),
    ("LA", &["laos", "lao pdr", "lao", "lao people s democratic republic", "republique democratique populaire lao"]),
    ("LB", &["lebanon", "lbn", "liban", "libanon", "libano"]),
    ("MC", &["monaco", "mco", "monako", "monaco principality of"]),
    ("NP", &["nepal", "npl"]),
    ("PG", &["papua new guinea", "png", "papouasie nouvelle guinee", "papua neuguinea", "papua nueva guinea", "papoea nieuw guinea"]),
    ("SS", &["south sudan", "ssd", "soudan du sud", "sudsudan", "sudan del sur", "zuid soedan"]),
    ("SY", &["syria", "syrian arab republic", "syr", "syrie", "syrien", "siria", "syrie republique arabe"]),
    ("VE", &["venezuela", "bolivarian republic of venezuela", "venezuela bolivarian republic of", "ven"]),
    ("VG", &["british virgin islands", "virgin islands british", "virgin islands uk", "virgin islands u k", "bvi", "vgb", "iles vierges britanniques", "britische jungferninseln", "islas virgenes britanicas", "britse maagdeneilanden"]),
    ("VN", &["vietnam", "viet nam", "vnm", "viet nam socialist republic of"]),
    ("YE", &["yemen", "yem", "jemen"]),
    ("DZ", &["algeria", "dza", "algerie", "algerien", "argelia", "algerije"]),
    ("NA", &["namibia", "nam", "namibie"]),
    ("NG", &["nigeria", "nga"]),
    ("ZA", &["south africa", "zaf", "afrique du sud", "sudafrika", "sudafrica", "zuid afrika"]),
    ("MZ", &["mozambique", "moz", "mosambik"]),
    ("BF", &["burkina faso", "bfa"]),
    ("AF", &["afghanistan", "afg"]),
    ("CU", &["cuba", "cub", "kuba"]),
    ("RU", &["russia", "russian federation", "rus", "russie", "russland", "rusia", "rusland"]),
    ("UA", &["ukraine", "ukr", "ucrania", "oekraine"]),
    ("US", &["united states", "united states of america", "usa", "us", "u s a", "etats unis", "vereinigte staaten", "estados unidos", "verenigde staten"]),
    ("GB", &["united kingdom", "great britain", "uk", "gbr", "england", "royaume uni", "vereinigtes konigreich", "reino unido", "verenigd koninkrijk"]),
    ("DE", &["germany", "deu", "allemagne", "deutschland", "alemania", "duitsland"]),
    ("FR", &["france", "fra", "frankreich", "francia", "frankrijk"]),
    ("NL", &["netherlands", "the netherlands", "holland", "nld", "pays bas", "niederlande", "paises bajos", "nederland"]),
    ("BE", &["belgium", "bel", "belgique", "belgien", "belgica", "belgie"]),
    ("LU", &["luxembourg", "lux", "luxemburg", "luxemburgo"]),
    ("CH", &["switzerland", "che", "suisse", "schweiz", "suiza", "zwitserland"]),
    ("AT", &["austria", "aut", "autriche", "osterreich", "oostenrijk"]),
    ("IT", &["italy", "ita", "italie", "italien", "italia", "italie"]),
    ("ES", &["spain", "esp", "espagne", "spanien", "espana", "spanje"]),
    ("PT", &["portugal", "prt"]),
    ("IE", &["ireland", "irl", "irlande", "irland", "irlanda", "ierland"]),
    ("PL", &["poland", "pol", "pologne", "polen", "polonia"]),
    ("SE", &["sweden", "swe", "suede", "schweden", "suecia", "zweden"]),
    ("DK", &["denmark", "dnk", "danemark", "danemark", "dinamarca", "denemarken"]),
    ("NO", &["norway", "nor", "norvege", "norwegen", "noruega", "noorwegen"]),
    ("FI", &["finland", "fin", "finlande", "finnland", "finlandia"]),
    ("CA", &["canada", "can", "kanada"]),
    ("MX", &["mexico", "mex", "mexique", "mexiko"]),
    ("BR", &["brazil", "bra", "bresil", "brasilien", "brasil", "brazilie"]),
    ("JP", &["japan", "jpn", "japon"]),
    ("CN", &["china", "chn", "chine", "people s republic of china"]),
    ("HK", &["hong kong", "hkg"]),
    ("SG", &["singapore", "sgp", "singapour", "singapur"]),
    ("IN", &["india", "ind", "inde", "indien"]),
    ("AU", &["australia", "aus", "australie", "australien"]),
    ("AE", &["united arab emirates", "uae", "are", "emirats arabes unis"]),
    ("TR", &["turkey", "turkiye", "tur", "turquie", "turkei", "turquia", "turkije"]),
    ("PH", &["philippines", "phl", "philippinen", "filipinas", "filipijnen"]),
];

/// An ISO 3166-1 alpha-2 code from a code or a name: `ir`, `IRN`, `Iran`, `North Korea`,
/// `DPRK`, `Côte d’Ivoire`. `UK` and `EL` (EU usage) are read as `GB` and `GR`.
fn country_code(raw: &str) -> Option<String> {
    let folded = fold(raw);
    if folded.is_empty() {
        return None;
    }
    if folded.len() == 2 {
        let code = folded.to_uppercase();
        let code = match code.as_str() {
            "UK" => "GB".to_string(),
            "EL" => "GR".to_string(),
            _ => code,
        };
        return is_iso_country(&code).then_some(code);
    }
    let without_article = folded.strip_prefix("the ").unwrap_or(&folded);
    COUNTRY_NAMES
        .iter()
        .find(|(_, names)| names.contains(&without_article))
        .map(|(code, _)| code.to_string())
}

/// The country of an IBAN (`IR06 2960 ...` -> IR), from its shape only.
fn iban_country(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let b = s.as_bytes();
    let shaped = (15..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_alphanumeric);
    let code = s.get(..2)?;
    (shaped && is_iso_country(code)).then(|| code.to_string())
}

/// The country of a BIC (ISO 9362: 4 letters institution, 2 letters country, 2 location,
/// optional 3 branch).
fn bic_country(raw: &str) -> Option<String> {
    let s = raw.trim().to_uppercase();
    let b = s.as_bytes();
    let shaped = (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    let code = s.get(4..6)?;
    (shaped && is_iso_country(code)).then(|| code.to_string())
}

// ---------------------------------------------------------------------------------------------
// Shared: time zone, currency conversion, persons, directions, formatting.

/// What both cash checks start from: the transactions (not applicable without any), the
/// business-day time zone and the threshold in USD.
fn cash_setup<'a>(
    rule: &Rule,
    ctx: &CheckContext<'a>,
) -> Result<(&'a [Transaction], Tz, f64), Finding> {
    let transactions = ctx.fields.transactions.as_slice();
    if transactions.is_empty() {
        return Err(Finding::new(Status::NotApplicable, "no transactions found"));
    }
    let zone = time_zone(ctx.transactions)?;
    let threshold = positive(rule, "threshold_usd", 10_000.0)?;
    Ok((transactions, zone, threshold))
}

fn time_zone(settings: &TransactionSettings) -> Result<Tz, Finding> {
    settings.timezone.parse::<Tz>().map_err(|_| {
        Finding::new(
            Status::Error,
            format!(
                "business-day time zone `{}` is not an IANA time zone name (set [transactions] timezone, e.g. \"America/New_York\")",
                settings.timezone
            ),
        )
    })
}

fn positive(rule: &Rule, key: &str, default: f64) -> Result<f64, Finding> {
    let v = rule.param_f64(key, default);
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Finding::new(
            Status::Error,
            format!("`{key}` must be a positive amount, not {v}"),
        ))
    }
}

/// Why an amount cannot be compared with a USD threshold.
#[derive(Debug, Clone, PartialEq)]
enum Unusable {
    NoAmount,
    NoRate(String),
    BadRate(String),
}

/// USD per unit of each currency, by upper-case code.
struct Rates(BTreeMap<String, f64>);

impl Rates {
    fn new(settings: &TransactionSettings) -> Self {
        Self(
            settings
                .usd_rates
                .iter()
                .map(|(k, v)| (k.trim().to_uppercase(), *v))
                .collect(),
        )
    }

    fn usd(&self, t: &Transaction) -> Result<f64, Unusable> {
        if t.amount_missing || !t.amount.is_finite() {
            return Err(Unusable::NoAmount);
        }
        let amount = t.amount.abs();
        if t.currency == "USD" {
            return Ok(amount);
        }
        match self.0.get(&t.currency) {
            None => Err(Unusable::NoRate(t.currency.clone())),
            Some(r) if r.is_finite() && *r > 0.0 => Ok(amount * r),
            Some(_) => Err(Unusable::BadRate(t.currency.clone())),
        }
    }
}

/// Rows that could not be judged, and why.
#[derive(Default)]
struct Problems {
    no_amount: Vec<usize>,
    no_rate: BTreeMap<String, Vec<usize>>,
    bad_rate: BTreeMap<String, Vec<usize>>,
}

impl Problems {
    /// The check's result when only unjudgeable rows stand between it and a pass: an error,
    /// never a pass, since those rows could hide what the check looks for.
    fn error_finding(&self, message: String, setting: (&str, Value)) -> Finding {
        let mut evidence = json!({
            "rows": cap(&self.rows()),
            "rows_total": self.count(),
            "could_not_judge": self.evidence(),
        });
        evidence[setting.0] = setting.1;
        Finding::new(Status::Error, message).with_evidence(evidence)
    }

    fn add(&mut self, row: usize, why: Unusable) {
        match why {
            Unusable::NoAmount => self.no_amount.push(row),
            Unusable::NoRate(c) => self.no_rate.entry(c).or_default().push(row),
            Unusable::BadRate(c) => self.bad_rate.entry(c).or_default().push(row),
        }
    }

    fn is_empty(&self) -> bool {
        self.count() == 0
    }

    fn count(&self) -> usize {
        self.rows().len()
    }

    fn rows(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .no_amount
            .iter()
            .chain(self.no_rate.values().flatten())
            .chain(self.bad_rate.values().flatten())
            .copied()
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    fn message(&self) -> String {
        let mut parts = Vec::new();
        for (currency, rows) in &self.no_rate {
            let shown = if currency.is_empty() { "?" } else { currency };
            parts.push(format!(
                "no USD rate for {shown} ({}); add it under [transactions.usd_rates]",
                rows_text(rows)
            ));
        }
        for (currency, rows) in &self.bad_rate {
            parts.push(format!(
                "the USD rate for {currency} is not a positive number ({}); fix it under [transactions.usd_rates]",
                rows_text(rows)
            ));
        }
        if !self.no_amount.is_empty() {
            parts.push(format!(
                "amount missing or unreadable ({})",
                rows_text(&self.no_amount)
            ));
        }
        list_parts(&parts)
    }

    fn evidence(&self) -> Value {
        if self.is_empty() {
            return Value::Null;
        }
        json!({
            "no_usd_rate": self.no_rate,
            "invalid_usd_rate": self.bad_rate,
            "amount_missing": self.no_amount,
        })
    }
}

/// Person (group id), business day and direction.
type DayKey = (usize, Option<NaiveDate>, Flow);

/// A cash transaction placed in time: business day, USD amount, index into the cash list.
type Dated = (NaiveDate, f64, usize);

/// Cash in and cash out are aggregated apart (31 CFR 1010.313(b)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Flow {
    In,
    Out,
}

impl Flow {
    fn label(self) -> &'static str {
        match self {
            Flow::In => "cash in",
            Flow::Out => "cash out",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Flow::In => "cash_in",
            Flow::Out => "cash_out",
        }
    }
}

/// A transaction whose direction the export does not give counts both ways, so that no
/// aggregate that might be due is missed.
fn flows(t: &Transaction) -> &'static [Flow] {
    if t.is_cash_out() {
        &[Flow::Out]
    } else if t.is_incoming() {
        &[Flow::In]
    } else {
        &[Flow::In, Flow::Out]
    }
}

/// Groups transactions by person: two transactions are by or for the same person when they
/// share the customer's name (compared folded) or the account. Transactions naming neither
/// (a one-customer statement) are one person. Returns a group id per transaction.
fn person_ids(items: &[&Transaction]) -> Vec<usize> {
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..items.len()).collect();
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, t) in items.iter().enumerate() {
        let mut keys = Vec::new();
        let name = fold(&t.party);
        if name.chars().any(|c| c.is_ascii_alphanumeric()) {
            keys.push(format!("n:{name}"));
        }
        let account: String = t
            .account
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        if !account.is_empty() {
            keys.push(format!("a:{account}"));
        }
        if keys.is_empty() {
            keys.push("unidentified".into());
        }
        for key in keys {
            match first.get(&key) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                    }
                }
                None => {
                    first.insert(key, i);
                }
            }
        }
    }
    (0..items.len()).map(|i| find(&mut parent, i)).collect()
}

/// How a person appears in evidence: the masked name, else the masked account.
fn person_label(t: &Transaction) -> String {
    if !t.party.trim().is_empty() {
        mask::name(&t.party)
    } else if !t.account.trim().is_empty() {
        mask::identifier(t.account.trim())
    } else {
        "unidentified".into()
    }
}

/// ASCII, lower case, words separated by single spaces: `Côte d’Ivoire` -> `cote d ivoire`.
fn fold(raw: &str) -> String {
    any_ascii::any_ascii(raw)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `USD 12,500.00`.
fn money(usd: f64) -> String {
    let cents = (usd * 100.0).round() as i64;
    let (whole, frac) = (cents / 100, (cents % 100).abs());
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if whole < 0 { "-" } else { "" };
    format!("USD {sign}{grouped}.{frac:02}")
}

/// `USD 10,000` (cents only when there are some).
fn whole_usd(usd: f64) -> String {
    let text = money(usd);
    text.strip_suffix(".00").map(str::to_string).unwrap_or(text)
}

fn cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// At most this many findings are spelled out in a message, and this many rows or items kept
/// in an evidence list (with the total beside it): an audit record must stay small (a
/// DynamoDB item is at most 400 KB) whatever the size of the export.
const MAX_LISTED: usize = 20;
const MAX_EVIDENCE: usize = 200;

/// The first findings, `; and N more` after them.
fn list_parts(parts: &[String]) -> String {
    let mut text = parts
        .iter()
        .take(MAX_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if parts.len() > MAX_LISTED {
        text.push_str(&format!("; and {} more", parts.len() - MAX_LISTED));
    }
    text
}

/// The first items of an evidence list.
fn cap<T: serde::Serialize>(items: &[T]) -> Value {
    json!(items.iter().take(MAX_EVIDENCE).collect::<Vec<_>>())
}

/// `row 3` or `rows 1, 2`.
fn rows_text(rows: &[usize]) -> String {
    match rows {
        [one] => format!("row {one}"),
        _ => format!("rows {}", join_rows(rows)),
    }
}

/// `1, 2, 3`; a long list ends with `… (N in all)`.
pub(super) fn join_rows(rows: &[usize]) -> String {
    let mut text = rows
        .iter()
        .take(MAX_LISTED)
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if rows.len() > MAX_LISTED {
        text.push_str(&format!(", … ({} in all)", rows.len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_country_list_is_the_built_in_default() {
        let rules = crate::rules::RuleSet::default_rules().expect("default rules");
        let rule = rules.rule(HIGH_RISK).expect("high-risk rule shipped");
        let shipped = countries_param(rule).expect("valid list");
        let built_in: BTreeSet<String> = FATF_JUNE_2026.iter().map(|c| c.to_string()).collect();
        assert_eq!(shipped, built_in);
    }

    #[test]
    fn country_codes_from_codes_and_names() {
        for (raw, code) in [
            ("IR", "IR"),
            ("ir", "IR"),
            ("IRN", "IR"),
            ("Iran", "IR"),
            ("Iran, Islamic Republic of", "IR"),
            ("North Korea", "KP"),
            ("DPRK", "KP"),
            ("Côte d’Ivoire", "CI"),
            ("the Netherlands", "NL"),
            ("UK", "GB"),
            ("Deutschland", "DE"),
        ] {
            assert_eq!(country_code(raw).as_deref(), Some(code), "{raw}");
        }
        assert_eq!(country_code("XX"), None);
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(
            iban_country("IR06 2960 0000 0010 0324 2000 01").as_deref(),
            Some("IR")
        );
        assert_eq!(iban_country("ACC-1001"), None);
        assert_eq!(bic_country("DEUTDEFF").as_deref(), Some("DE"));
        assert_eq!(bic_country("BARCGB22XXX").as_deref(), Some("GB"));
        assert_eq!(bic_country("ACC-1001"), None);
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(money(12_500.0), "USD 12,500.00");
        assert_eq!(money(999.5), "USD 999.50");
        assert_eq!(money(1_234_567.891), "USD 1,234,567.89");
    }
}
