//! KYC checks on identity documents: ICAO 9303 MRZ, expiry, age.

use chrono::{Datelike, NaiveDate};

use super::{CheckContext, Finding, Status};
use crate::rules::{ParamKind, ParamSpec, Rule};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &[
    "kyc.mrz_check_digits",
    "kyc.document_expiry",
    "kyc.minimum_age",
];

/// The parameters a rules file may give these checks.
pub(super) const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        check: "kyc.document_expiry",
        name: "expiring_within_days",
        kind: ParamKind::Integer,
        description: "fail when the document expires within this many days",
    },
    ParamSpec {
        check: "kyc.minimum_age",
        name: "minimum_age_years",
        kind: ParamKind::Integer,
        description: "minimum age of the customer in years",
    },
];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "kyc.mrz_check_digits" => mrz_check_digits(ctx),
        "kyc.document_expiry" => document_expiry(rule, ctx),
        "kyc.minimum_age" => minimum_age(rule, ctx),
        _ => return None,
    })
}

pub(super) fn mrz_check_digits(ctx: &CheckContext<'_>) -> Finding {
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

pub(super) fn document_expiry(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
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

pub(super) fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

pub(super) fn minimum_age(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
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
