//! AML: sanctions screening of the names found in a document.

use super::{CheckContext, Finding, Status};
use crate::mask;
use crate::rules::{ParamKind, ParamSpec, Rule};
use crate::screening::{Hit, Query};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &["aml.sanctions_screening"];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        check: "aml.sanctions_screening",
        name: "match_threshold",
        kind: ParamKind::Number,
        description: "name similarity (0..1) at or above which a list entry is a possible match",
    },
    ParamSpec {
        check: "aml.sanctions_screening",
        name: "max_names",
        kind: ParamKind::Integer,
        description: "most names screened per document (bounds the time an export can take); with more, the check is an error, never a pass",
    },
];

/// Screening runs at about 2,000 names a second against the full OFAC and UN lists: this
/// keeps a document well inside the function's timeout.
const DEFAULT_MAX_NAMES: i64 = 10_000;

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "aml.sanctions_screening" => sanctions(rule, ctx),
        _ => return None,
    })
}

pub(super) fn sanctions(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    if ctx.screener.lists().is_empty() {
        return Finding::new(Status::Error, "no sanctions list loaded");
    }
    if ctx.fields.names.is_empty() {
        return Finding::new(Status::Error, "no name found to screen");
    }
    let threshold = rule.param_f64(
        "match_threshold",
        crate::screening::score::DEFAULT_THRESHOLD,
    );
    let max_names = usize::try_from(rule.param_i64("max_names", DEFAULT_MAX_NAMES)).unwrap_or(0);
    let mut hits: Vec<(String, Hit)> = Vec::new();
    for name in ctx.fields.names.iter().take(max_names) {
        let query = Query {
            name: name.clone(),
            birth_date: ctx.fields.date_of_birth,
            nationality: ctx.fields.nationality.clone(),
            id_numbers: ctx.fields.document_number.iter().cloned().collect(),
            ..Query::default()
        };
        for hit in ctx.screener.screen(&query, threshold) {
            hits.push((name.clone(), hit));
        }
    }
    // A hit a reviewer cleared for this customer (same list entry) is not raised again; it
    // stays in the evidence with who cleared it. Another customer's clearance never counts.
    let (suppressed, mut hits): (Vec<_>, Vec<_>) = hits.into_iter().partition(|(_, hit)| {
        ctx.customer
            .false_positive(&hit.list, &hit.entry_id)
            .is_some()
    });
    let suppressed_evidence: Vec<serde_json::Value> = suppressed
        .iter()
        .take(10)
        .filter_map(|(name, hit)| {
            let fp = ctx.customer.false_positive(&hit.list, &hit.entry_id)?;
            Some(serde_json::json!({
                "screened_name": mask::name(name),
                "list": hit.list,
                "entry_id": hit.entry_id,
                "listed_name": hit.listed_name,
                "score": hit.score,
                "suppressed_by": {
                    "customer_id": fp.customer_id,
                    "reviewer": fp.reviewer,
                    "reason": fp.reason,
                    "recorded_at": fp.recorded_at,
                },
            }))
        })
        .collect();
    let suppressed_note = if suppressed.is_empty() {
        String::new()
    } else {
        format!(
            "; {} hit(s) suppressed as false positives recorded for this customer",
            suppressed.len()
        )
    };
    let found = ctx.fields.names.len();
    let screened = found.min(max_names);
    if hits.is_empty() && screened < found {
        return Finding::new(
            Status::Error,
            format!(
                "{found} names found, only the first {screened} screened (max_names): the rest were not screened; no match among those screened"
            ),
        );
    }
    if hits.is_empty() {
        let finding = Finding::new(
            Status::Pass,
            format!(
                "{screened} name(s) screened, no match at or above {threshold}{suppressed_note}"
            ),
        );
        return if suppressed_evidence.is_empty() {
            finding
        } else {
            finding.with_evidence(serde_json::Value::Array(suppressed_evidence))
        };
    }
    hits.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    let best = &hits[0];
    let mut evidence: Vec<serde_json::Value> = hits
        .iter()
        .take(10)
        .map(|(name, m)| {
            serde_json::json!({
                "screened_name": mask::name(name),
                "list": m.list,
                "entry_id": m.entry_id,
                "matched_name": m.matched_name,
                "listed_name": m.listed_name,
                "entity_type": m.entity_type,
                "programs": m.programs,
                "score": m.score,
                "name_score": m.name_score,
                "birth_date_agrees": m.birth_date_agrees,
                "nationality_agrees": m.nationality_agrees,
                "id_number_matches": m.id_number_matches,
                "why": m.why,
            })
        })
        .collect();
    evidence.extend(suppressed_evidence);
    Finding::new(
        Status::Fail,
        format!(
            "possible sanctions match: {} matches {} entry {} with score {:.2}{}{}{}",
            mask::name(&best.0),
            best.1.list,
            best.1.entry_id,
            best.1.score,
            match best.1.birth_date_agrees {
                Some(true) => ", date of birth agrees",
                Some(false) => ", date of birth differs",
                None => "",
            },
            if screened < found {
                format!(" ({screened} of {found} names screened: max_names)")
            } else {
                String::new()
            },
            suppressed_note
        ),
    )
    .with_evidence(serde_json::Value::Array(evidence))
}

#[cfg(test)]
mod tests {
    use crate::intake::IntakeLimits;
    use crate::rules::RuleSet;
    use crate::screening::lists;
    use crate::{Pipeline, SourceRef};

    fn sanctions_result(max_names: &str, csv: &str) -> (String, String) {
        let rules_text = include_str!("../../../../config/rules.toml")
            .replace("max_names = 10000", &format!("max_names = {max_names}"));
        let rules = RuleSet::parse(&rules_text, "rules.toml").expect("rules");
        let pipeline = Pipeline::new(
            rules,
            lists::bundled().expect("lists"),
            IntakeLimits::default(),
        );
        let record = pipeline.evaluate(
            SourceRef::file("export.csv", None),
            Ok(csv.as_bytes()),
            chrono::Utc::now(),
        );
        let check = record
            .checks
            .iter()
            .find(|c| c.id == "aml.sanctions_screening")
            .expect("sanctions check");
        (format!("{:?}", check.status), check.message.clone())
    }

    const EXPORT: &str = "date,amount,currency,type,counterparty\n\
        2026-10-01,100.00,USD,wire,Ada Example\n\
        2026-10-02,200.00,USD,wire,Grace Sample\n\
        2026-10-03,300.00,USD,wire,Daniel Moreno\n";

    #[test]
    fn names_beyond_the_limit_make_an_error_never_a_pass() {
        let (status, message) = sanctions_result("1", EXPORT);
        assert_eq!(status, "Error", "{message}");
        assert!(message.contains("only the first 1 screened"), "{message}");
        let (status, message) = sanctions_result("10000", EXPORT);
        assert_eq!(status, "Fail", "{message}");
    }
}
