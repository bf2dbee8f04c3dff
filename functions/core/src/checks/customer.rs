//! Whether a document says whose it is.

use super::{CheckContext, Finding, Status};
use crate::rules::{ParamSpec, Rule};

pub(super) const CHECKS: &[&str] = &["kyc.customer_identified"];
pub(super) const PARAMS: &[ParamSpec] = &[];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    if rule.id != "kyc.customer_identified" {
        return None;
    }
    let customer = &ctx.customer.customer;
    Some(match (&customer.id, customer.source, &customer.problem) {
        (Some(_), Some(source), _) => Finding::new(
            Status::Pass,
            format!("customer id from {}", source.as_str()),
        ),
        (_, _, Some(problem)) => {
            Finding::new(Status::Fail, format!("no usable customer id: {problem}"))
        }
        _ => Finding::new(
            Status::Fail,
            "the document names no customer (no customer-id metadata, tag or key pattern match)",
        ),
    })
}
