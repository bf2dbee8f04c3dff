//! Card data that should not be in documents.

use super::{CheckContext, Finding, Status};
use crate::mask;
use crate::rules::{ParamSpec, Rule};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &["pii.card_numbers"];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "pii.card_numbers" => card_numbers(ctx),
        _ => return None,
    })
}

pub(super) fn card_numbers(ctx: &CheckContext<'_>) -> Finding {
    let cards = &ctx.fields.card_numbers;
    if cards.is_empty() {
        return Finding::new(Status::Pass, "no full card numbers found");
    }
    // Bounded: a dump of card numbers must still make a record that fits the audit store.
    let masked: Vec<String> = cards.iter().take(200).map(|c| mask::card(c)).collect();
    let shown = if cards.len() > 20 {
        format!("{} and {} more", masked[..20].join(", "), cards.len() - 20)
    } else {
        masked.join(", ")
    };
    Finding::new(
        Status::Fail,
        format!(
            "{} full payment card number(s) in the document: {}",
            cards.len(),
            shown
        ),
    )
    .with_evidence(serde_json::json!({
        "cards": masked,
        "lines": ctx.fields.card_lines.iter().take(200).collect::<Vec<_>>(),
        "cards_total": cards.len(),
    }))
}
