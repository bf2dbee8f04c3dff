//! GDPR consent (Art. 7): given by a clear affirmative act, distinguishable from other
//! matters, for a stated purpose, dated and signed (the controller must be able to show it),
//! and withdrawable as easily as given.

use super::{CheckContext, Finding, Status};
use crate::rules::{ParamSpec, Rule};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &["gdpr.consent"];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "gdpr.consent" => consent(ctx),
        _ => return None,
    })
}

pub(super) fn consent(ctx: &CheckContext<'_>) -> Finding {
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
    if !c.separate_from_other_terms {
        missing.push("consent separate from other terms (Art. 7(2))");
    }
    if !c.withdrawal_explained {
        missing.push("how to withdraw consent (Art. 7(3))");
    }
    if missing.is_empty() {
        Finding::new(
            Status::Pass,
            "consent given, separate from other terms, purpose stated, withdrawal explained, dated and signed",
        )
    } else {
        Finding::new(
            Status::Fail,
            format!("consent incomplete: missing {}", missing.join(", ")),
        )
        .with_evidence(serde_json::json!({ "missing": missing }))
    }
}
