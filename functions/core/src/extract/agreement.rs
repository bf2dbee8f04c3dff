//! The MRZ against the printed (visual inspection zone) fields, field by field (ICAO 9303):
//! a forged page or an altered MRZ shows as a disagreement.

use std::collections::BTreeMap;

use super::Printed;
use crate::mrz::Mrz;
use crate::screening::lists::country_code;

/// Upper-case ASCII letters of a name, as an MRZ writes them: accents dropped by
/// transliteration, everything else a separator.
fn mrz_name_tokens(name: &str) -> Vec<String> {
    any_ascii::any_ascii(name)
        .to_uppercase()
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The MRZ may truncate names (TD3 has 39 characters for both), so an MRZ token agrees with a
/// printed one when it is the same or, for the last MRZ token, a prefix of it.
fn names_agree(mrz: &[String], printed: &[String]) -> bool {
    if mrz.is_empty() || printed.is_empty() || mrz.len() > printed.len() {
        return mrz.is_empty() && printed.is_empty();
    }
    mrz.iter().enumerate().all(|(i, m)| {
        let p = &printed[i];
        m == p || (i + 1 == mrz.len() && p.starts_with(m.as_str()))
    }) && (mrz.len() == printed.len() || mrz.join("").len() >= 30)
}

pub(crate) fn compact_number(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase()
}

/// Per field, whether the MRZ and the printed label agree, for every field both give. A
/// printed date that cannot be read disagrees. A printed nationality is compared only when it
/// names a country (`SWE`, `Sweden`); a demonym such as `Swedish` is left out.
pub fn mrz_agreement(mrz: &Mrz, printed: &Printed) -> BTreeMap<&'static str, bool> {
    let mut out = BTreeMap::new();
    if let Some(surname) = &printed.surname {
        out.insert(
            "surname",
            names_agree(&mrz_name_tokens(&mrz.surname), &mrz_name_tokens(surname)),
        );
    }
    if let Some(given) = &printed.given_names {
        out.insert(
            "given_names",
            names_agree(&mrz_name_tokens(&mrz.given_names), &mrz_name_tokens(given)),
        );
    }
    match (printed.date_of_birth, &printed.date_of_birth_raw) {
        (Some(date), _) => {
            out.insert("date_of_birth", mrz.birth_date == Some(date));
        }
        (None, Some(_)) => {
            out.insert("date_of_birth", false);
        }
        (None, None) => {}
    }
    if let Some(number) = &printed.document_number {
        out.insert(
            "document_number",
            compact_number(number) == compact_number(&mrz.document_number),
        );
    }
    match (printed.expiry_date, &printed.expiry_date_raw) {
        (Some(date), _) => {
            out.insert("expiry_date", mrz.expiry_date == Some(date));
        }
        (None, Some(_)) => {
            out.insert("expiry_date", false);
        }
        (None, None) => {}
    }
    if let Some(nationality) = &printed.nationality {
        let printed_country = printed_country(nationality);
        let mrz_country = country_code(mrz.nationality.trim());
        match (printed_country, mrz_country) {
            (Some(p), Some(m)) => {
                out.insert("nationality", p == m);
            }
            // Both codes, but not ISO ones (the ICAO specimen state UTO): compare as written.
            _ if is_code(nationality) => {
                out.insert("nationality", nationality.trim() == mrz.nationality.trim());
            }
            _ => {}
        }
    }
    out
}

fn is_code(s: &str) -> bool {
    let s = s.trim();
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// `SWE`, `Sweden`, `SWEDEN`, `Sweden / Suède`.
fn printed_country(s: &str) -> Option<&'static str> {
    let first = s.split('/').next().unwrap_or(s).trim();
    country_code(first).or_else(|| {
        let title: String = first
            .split_whitespace()
            .map(|w| {
                let lower = w.to_lowercase();
                let mut chars = lower.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ");
        country_code(&title)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn tokens(s: &str) -> Vec<String> {
        mrz_name_tokens(s)
    }

    #[test]
    fn names_agree_across_accents_and_truncation() {
        assert!(names_agree(&tokens("LINDQVIST"), &tokens("Lindqvist")));
        assert!(names_agree(&tokens("MULLER"), &tokens("Müller")));
        assert!(!names_agree(&tokens("MULLER"), &tokens("Miller")));
        assert!(!names_agree(&tokens("ANNA"), &tokens("ANNA MARIA")));
        // A TD3 name field truncated at 39 characters.
        assert!(names_agree(
            &tokens("BARTHOLOMEW ALEXANDER MAXIMILIAN FREDE"),
            &tokens("Bartholomew Alexander Maximilian Frederick")
        ));
    }

    #[test]
    fn field_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let mrz = crate::mrz::parse_lines(
            &[
                "P<SWEERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36SWE7408122F1204159ZE184226B<<<<<10",
            ],
            today,
        )
        .unwrap();
        let printed = Printed {
            surname: Some("Eriksson".into()),
            given_names: Some("Anna".into()),
            date_of_birth: NaiveDate::from_ymd_opt(1974, 8, 12),
            date_of_birth_raw: Some("12 Aug 1974".into()),
            document_number: Some("L898902C3".into()),
            expiry_date: None,
            expiry_date_raw: Some("soon".into()),
            nationality: Some("SWEDEN".into()),
        };
        let agreement = mrz_agreement(&mrz, &printed);
        assert_eq!(agreement.get("surname"), Some(&true));
        assert_eq!(agreement.get("given_names"), Some(&false));
        assert_eq!(agreement.get("date_of_birth"), Some(&true));
        assert_eq!(agreement.get("document_number"), Some(&true));
        assert_eq!(agreement.get("expiry_date"), Some(&false));
        assert_eq!(agreement.get("nationality"), Some(&true));
        let demonym = Printed {
            nationality: Some("Swedish".into()),
            ..Printed::default()
        };
        assert!(mrz_agreement(&mrz, &demonym).is_empty());
    }
}
