//! `compliance check-id`: the verdict on one identifier. `valid` means well formed with correct
//! check digits; facts about the holder's document (expired) are separate keys.

use chrono::NaiveDate;
use compliance_core::audit::SCHEMA_VERSION;
use compliance_core::identifiers::{self, IdKind};
use compliance_core::{mask, mrz};
use serde_json::{json, Value};

/// What the user asked to check: the lines of one MRZ, or one other identifier.
#[derive(Debug, PartialEq, Eq)]
pub enum Subject {
    Mrz(Vec<String>),
    Single(IdKind, String),
}

/// Groups the command-line values into subjects. An MRZ's lines are separate arguments (or
/// one argument with line breaks); every other value is checked on its own.
pub fn subjects(kind: Option<IdKind>, values: &[String]) -> Result<Vec<Subject>, String> {
    let lines: Vec<String> = values
        .iter()
        .flat_map(|v| v.lines())
        .map(|l| l.trim().replace(' ', ""))
        .filter(|l| !l.is_empty())
        .collect();
    if kind == Some(IdKind::Mrz) || (kind.is_none() && looks_like_mrz(&lines)) {
        return Ok(vec![Subject::Mrz(lines)]);
    }
    values
        .iter()
        .map(|value| {
            let kind = match kind {
                Some(k) => k,
                None => identifiers::detect_kind(value).ok_or_else(|| {
                    "cannot tell what kind of identifier this is; pass --kind mrz|iban|bic|lei|card"
                        .to_string()
                })?,
            };
            Ok(Subject::Single(kind, value.clone()))
        })
        .collect()
}

fn looks_like_mrz(lines: &[String]) -> bool {
    let shape = matches!(
        (lines.len(), lines.first().map(String::len)),
        (2, Some(44)) | (2, Some(36)) | (3, Some(30))
    );
    shape
        && lines.iter().any(|l| l.contains('<'))
        && lines.iter().all(|l| {
            l.len() == lines[0].len()
                && l.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
        })
}

/// The verdict as the `check-id.schema.json` object.
pub fn verdict(subject: &Subject, today: NaiveDate, show_pii: bool) -> Value {
    match subject {
        Subject::Mrz(lines) => mrz_verdict(lines, today, show_pii),
        Subject::Single(IdKind::Mrz, value) => {
            mrz_verdict(std::slice::from_ref(value), today, show_pii)
        }
        Subject::Single(IdKind::Card, value) => card_verdict(value, show_pii),
        Subject::Single(kind, value) => {
            let v = match kind {
                IdKind::Iban => identifiers::validate_iban(value),
                IdKind::Bic => identifiers::validate_bic(value),
                _ => identifiers::validate_lei(value),
            };
            let compact: String = value.split_whitespace().collect::<String>().to_uppercase();
            // An IBAN is a customer's account; BICs and LEIs identify institutions and are
            // public.
            let shown = if show_pii || *kind != IdKind::Iban {
                compact
            } else {
                mask::identifier(&compact)
            };
            let mut out = json!({
                "schema_version": SCHEMA_VERSION,
                "kind": v.kind.as_str(),
                "valid": v.valid,
                "reason": v.reason,
                "value": shown,
            });
            if let Some(country) = v.country {
                out["country"] = Value::from(country);
            }
            out
        }
    }
}

fn mrz_verdict(lines: &[String], today: NaiveDate, show_pii: bool) -> Value {
    let shown = if show_pii {
        lines.join("\n")
    } else {
        // The document code and issuing state only: the rest is personal data.
        let head: String = lines
            .first()
            .map(|l| l.chars().take(5).collect())
            .unwrap_or_default();
        format!("{head}… ({} line(s))", lines.len())
    };
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let Some(parsed) = mrz::parse_lines(&refs, today) else {
        let lengths: Vec<String> = lines.iter().map(|l| l.len().to_string()).collect();
        return json!({
            "schema_version": SCHEMA_VERSION,
            "kind": "mrz",
            "valid": false,
            "reason": format!(
                "not an ICAO 9303 MRZ: expected TD1 (3 lines of 30), TD2 (2 of 36) or TD3 (2 of 44) in A-Z, 0-9 and <; got {} line(s) of length {}",
                lines.len(),
                if lengths.is_empty() { "0".to_string() } else { lengths.join(", ") }
            ),
            "value": shown,
        });
    };
    let failed = parsed.failed_check_digits();
    let valid = failed.is_empty();
    let reason = if valid {
        format!(
            "{} MRZ: all {} check digits correct",
            parsed.format.name(),
            parsed.check_digits.len()
        )
    } else {
        format!(
            "{} MRZ: check digit wrong for {}",
            parsed.format.name(),
            failed.join(", ")
        )
    };
    let expired = parsed.expiry_date.map(|d| d < today);
    json!({
        "schema_version": SCHEMA_VERSION,
        "kind": "mrz",
        "valid": valid,
        "reason": reason,
        "value": shown,
        "country": parsed.issuing_state.trim_end_matches('<'),
        "mrz_format": parsed.format.name(),
        "check_digits": parsed.check_digits.iter().map(|c| json!({"field": c.field, "ok": c.ok})).collect::<Vec<_>>(),
        "expired": expired,
        "expires_on": parsed.expiry_date.map(|d| d.to_string()),
    })
}

fn card_verdict(value: &str, show_pii: bool) -> Value {
    let v = identifiers::validate_card(value);
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "kind": "card",
        "valid": v.valid,
        "reason": v.reason,
        "value": if show_pii { digits } else { mask::card(value) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn mrz_lines_are_one_subject() {
        let lines = vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_string(),
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_string(),
        ];
        let s = subjects(None, &lines).unwrap_or_default();
        assert_eq!(s.len(), 1);
        let v = verdict(&s[0], today(), false);
        assert_eq!(v["kind"], "mrz");
        assert_eq!(v["valid"], true, "{v}");
        // The ICAO specimen expired in 2012: still a valid MRZ.
        assert_eq!(v["expired"], true);
        assert_eq!(v["expires_on"], "2012-04-15");
        assert!(!v.to_string().contains("ERIKSSON"));
    }

    #[test]
    fn card_verdicts() {
        let ok = card_verdict("4111 1111 1111 1111", false);
        assert_eq!(ok["valid"], true);
        assert_eq!(ok["value"], "****1111");
        assert_eq!(card_verdict("4111 1111 1111 1112", false)["valid"], false);
        assert_eq!(card_verdict("12ab", false)["valid"], false);
    }
}
