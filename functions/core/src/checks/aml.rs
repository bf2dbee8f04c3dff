//! AML: sanctions screening of the names found in a document.

use super::{CheckContext, Finding, Status};
use crate::mask;
use crate::rules::{ParamKind, ParamSpec, Rule};
use crate::screening::{Hit, Query};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &["aml.sanctions_screening"];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[ParamSpec {
    check: "aml.sanctions_screening",
    name: "match_threshold",
    kind: ParamKind::Number,
    description: "name similarity (0..1) at or above which a list entry is a possible match",
}];

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
    let mut hits: Vec<(String, Hit)> = Vec::new();
    for name in &ctx.fields.names {
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
    Finding::new(
        Status::Fail,
        format!(
            "possible sanctions match: {} matches {} entry {} with score {:.2}{}",
            mask::name(&best.0),
            best.1.list,
            best.1.entry_id,
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
