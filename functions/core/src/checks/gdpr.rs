//! GDPR consent (Art. 7).

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
