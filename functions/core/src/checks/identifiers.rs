//! Financial identifiers written in a document: every IBAN (ISO 13616), BIC (ISO 9362) and LEI
//! (ISO 17442) must be well formed with correct check digits. A wrong one is a typo at best
//! and a redirected payment at worst.

use super::{CheckContext, Finding, Status};
use crate::extract::FoundIdentifier;
use crate::identifiers::{validate_bic, validate_iban, validate_lei, Verdict};
use crate::mask;
use crate::rules::{ParamSpec, Rule};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &["kyc.financial_identifiers"];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "kyc.financial_identifiers" => financial_identifiers(ctx),
        _ => return None,
    })
}

/// Which identifiers, how to validate them, and whether they are personal data (masked).
type IdentifierGroup<'a> = (&'a str, &'a [FoundIdentifier], fn(&str) -> Verdict, bool);

fn financial_identifiers(ctx: &CheckContext<'_>) -> Finding {
    let f = ctx.fields;
    let groups: [IdentifierGroup<'_>; 3] = [
        ("IBAN", &f.ibans, validate_iban, true),
        ("BIC", &f.bics, validate_bic, false),
        ("LEI", &f.leis, validate_lei, false),
    ];
    let mut checked = 0;
    let mut invalid = Vec::new();
    let mut messages = Vec::new();
    for (kind, found, validate, personal) in groups {
        for id in found {
            checked += 1;
            let verdict = validate(&id.value);
            if !verdict.valid {
                let shown = if personal {
                    mask::identifier(&id.value)
                } else {
                    id.value.clone()
                };
                messages.push(format!("{kind} on line {}: {}", id.line, verdict.reason));
                invalid.push(serde_json::json!({
                    "kind": kind,
                    "value": shown,
                    "line": id.line,
                    "reason": verdict.reason,
                }));
            }
        }
    }
    if checked == 0 {
        return Finding::new(Status::NotApplicable, "no IBAN, BIC or LEI found");
    }
    if invalid.is_empty() {
        Finding::new(
            Status::Pass,
            format!("{checked} IBAN/BIC/LEI identifier(s), all valid"),
        )
    } else {
        Finding::new(
            Status::Fail,
            format!(
                "{} of {checked} financial identifier(s) invalid: {}",
                invalid.len(),
                messages.join("; ")
            ),
        )
        .with_evidence(serde_json::Value::Array(invalid))
    }
}
