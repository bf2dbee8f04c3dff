//! KYC checks on identity documents: ICAO 9303 MRZ, expiry, age.

use chrono::{Datelike, NaiveDate};

use regex::Regex;

use super::{CheckContext, Finding, Status};
use crate::rules::{ParamKind, ParamSpec, Rule};

/// The checks of this module, by rule id.
pub(super) const CHECKS: &[&str] = &[
    "kyc.mrz_check_digits",
    "kyc.document_expiry",
    "kyc.minimum_age",
    "kyc.mrz_printed_agreement",
    "kyc.document_number_format",
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
    ParamSpec {
        check: "kyc.document_number_format",
        name: "formats",
        kind: ParamKind::PatternTable,
        description: "regular expression a document number must match, by ICAO issuing state code",
    },
];

pub(super) fn run(rule: &Rule, ctx: &CheckContext<'_>) -> Option<Finding> {
    Some(match rule.id.as_str() {
        "kyc.mrz_check_digits" => mrz_check_digits(ctx),
        "kyc.document_expiry" => document_expiry(rule, ctx),
        "kyc.minimum_age" => minimum_age(rule, ctx),
        "kyc.mrz_printed_agreement" => mrz_printed_agreement(ctx),
        "kyc.document_number_format" => document_number_format(rule, ctx),
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
    let evidence = serde_json::json!({
        "field": "expiry_date",
        "source": if ctx.fields.mrz.is_some() { "mrz" } else { "printed" },
        "expires_on": expiry.to_string(),
        "days_left": days_left,
        "expiring_within_days": margin,
    });
    let finding = if days_left < 0 {
        Finding::new(Status::Fail, format!("document expired on {expiry}"))
    } else if days_left <= margin {
        Finding::new(
            Status::Fail,
            format!("document expires on {expiry}, within {margin} days"),
        )
    } else {
        Finding::new(Status::Pass, format!("valid until {expiry}"))
    };
    finding.with_evidence(evidence)
}

fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
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
    // The age itself is personal data: the evidence says only which field and the outcome.
    let evidence = serde_json::json!({
        "field": "date_of_birth",
        "source": if ctx.fields.mrz.is_some() { "mrz" } else { "printed" },
        "minimum_age_years": minimum,
        "meets_minimum": age >= 0 && i64::from(age) >= minimum,
    });
    let finding = if age < 0 || birth > ctx.today {
        Finding::new(Status::Fail, "date of birth lies in the future")
    } else if i64::from(age) < minimum {
        Finding::new(
            Status::Fail,
            format!("customer is under the minimum age of {minimum}"),
        )
    } else {
        Finding::new(Status::Pass, format!("customer is at least {minimum}"))
    };
    finding.with_evidence(evidence)
}

/// The fields compared, in the order a reviewer reads them, with how messages name them.
const COMPARED_FIELDS: &[(&str, &str)] = &[
    ("surname", "surname"),
    ("given_names", "given names"),
    ("date_of_birth", "date of birth"),
    ("document_number", "document number"),
    ("expiry_date", "expiry date"),
    ("nationality", "nationality"),
];

/// ICAO 9303 MRZ against the printed (visual inspection zone) fields: a forged page or an
/// altered MRZ shows as a disagreement. The comparison itself is the extraction's
/// `mrz_agreement`, so the record's fields and this check never tell two stories.
pub(super) fn mrz_printed_agreement(ctx: &CheckContext<'_>) -> Finding {
    if ctx.fields.mrz.is_none() {
        return Finding::new(Status::NotApplicable, "no MRZ to compare");
    }
    let agreement = ctx.fields.mrz_agreement();
    let printed = &ctx.fields.printed;
    let mut compared = Vec::new();
    let mut differ = Vec::new();
    for (key, label) in COMPARED_FIELDS {
        let Some(agrees) = agreement.get(key) else {
            continue;
        };
        compared.push(*label);
        if !agrees {
            let unreadable = match *key {
                "date_of_birth" => printed.date_of_birth.is_none(),
                "expiry_date" => printed.expiry_date.is_none(),
                _ => false,
            };
            differ.push(if unreadable {
                format!("{label} (printed date unreadable)")
            } else {
                label.to_string()
            });
        }
    }
    if compared.is_empty() {
        return Finding::new(
            Status::NotApplicable,
            "no printed name, date of birth or document number to compare with the MRZ",
        );
    }
    if differ.is_empty() {
        Finding::new(
            Status::Pass,
            format!("MRZ agrees with the printed {}", compared.join(", ")),
        )
    } else {
        Finding::new(
            Status::Fail,
            format!("MRZ and printed fields disagree: {}", differ.join(", ")),
        )
        .with_evidence(serde_json::json!({ "compared": compared, "disagree": differ }))
    }
}

/// The document number's format for its issuing state, from the rule's `formats` table.
pub(super) fn document_number_format(rule: &Rule, ctx: &CheckContext<'_>) -> Finding {
    let Some(mrz) = &ctx.fields.mrz else {
        return Finding::new(
            Status::NotApplicable,
            "no MRZ, so no issuing state to take the format from",
        );
    };
    let state = mrz.issuing_state.trim_end_matches('<').to_string();
    let Some(toml::Value::String(pattern)) = rule
        .params
        .get("formats")
        .and_then(|f| f.as_table())
        .and_then(|t| t.get(&state))
    else {
        return Finding::new(
            Status::NotApplicable,
            format!("no document number format configured for {state}"),
        );
    };
    let Ok(re) = Regex::new(&format!("^(?:{pattern})$")) else {
        return Finding::new(
            Status::Error,
            format!("the format configured for {state} is not a valid regular expression"),
        );
    };
    let number = crate::extract::compact_number(&mrz.document_number);
    if re.is_match(&number) {
        Finding::new(
            Status::Pass,
            format!("document number has the {state} format"),
        )
    } else {
        Finding::new(
            Status::Fail,
            format!(
                "document number does not have the {state} format ({} characters)",
                number.len()
            ),
        )
        .with_evidence(serde_json::json!({ "issuing_state": state, "format": pattern }))
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
