//! The US Consolidated Screening List CSV (trade.gov): eleven US government lists in one file,
//! header `source,entity_number,type,programs,name,title,addresses,federal_register_notice,
//! start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,
//! gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,
//! alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,
//! ids`.
//!
//! - id: `entity_number` when given, else `csl-` and 12 hex digits of the SHA-256 of source,
//!   name and start date (rows with the same key are one entry with several addresses);
//! - programs: the `;`-separated programs, then the sub-list (`source`, e.g. `Denied Persons
//!   List (DPL) - Bureau of Industry and Security`);
//! - type: `Individual`, `Entity`, `Vessel`, `Aircraft`; empty for most non-OFAC sources, then
//!   guessed from the name as for BIS;
//! - `alt_names`, `addresses`, `dates_of_birth`, `citizenships`, `nationalities` are
//!   `;`-separated; the vessel flag is a vessel's nationality;
//! - `ids`: `;`-separated items `[COUNTRY, ]NUMBER, KIND` (`US, 80-0890696, Tax ID No.`,
//!   `IMO 8898831, Vessel Registration Identification`); items that are not identifiers
//!   (`Website`, `Email Address`, sanctions notes ending in `-` or `:`) are left out.

use std::collections::HashMap;

use super::ofac::{id_kind, id_number};
use super::{
    country_code, decode, guess_entity_type, parse_birth_dates, push_unique, sha256_hex, stable_id,
    strip_bom,
};
use crate::error::CoreError;
use crate::screening::{EntityType, IdNumber, ListEntry, ListVersion, SanctionsList};

pub(super) fn recognise(header_line: &[u8]) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(strip_bom(header_line));
    let Some(Ok(header)) = reader.byte_records().next() else {
        return false;
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| decode(h).trim().to_lowercase())
        .collect();
    ["source", "entity_number", "name", "alt_names", "ids"]
        .iter()
        .all(|c| names.iter().any(|n| n == c))
}

fn error(detail: String) -> CoreError {
    CoreError::List {
        list: "us_csl".into(),
        detail,
    }
}

const COLUMNS: [&str; 13] = [
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "addresses",
    "start_date",
    "vessel_flag",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "ids",
];

pub(super) fn load(bytes: &[u8], source: &str) -> Result<SanctionsList, CoreError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| error(format!("header: {e}")))?
        .iter()
        .map(|h| decode(h).trim().to_lowercase())
        .collect();
    let [src, number, kind, programs, name_col, addresses, start, flag, alt_names, citizenships, dobs, nationalities, ids] =
        COLUMNS.map(|c| header.iter().position(|h| h == c));
    let mut entries: Vec<ListEntry> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| error(e.to_string()))?;
        let get = |c: Option<usize>| -> String {
            c.and_then(|c| record.get(c))
                .map(|v| decode(v).trim().to_string())
                .unwrap_or_default()
        };
        let list = |c: Option<usize>| -> Vec<String> {
            get(c)
                .split(';')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect()
        };
        let name = get(name_col)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            continue;
        }
        let sub_list = get(src);
        let id = match get(number) {
            n if !n.is_empty() => n,
            _ => stable_id("csl-", &[&sub_list, &name, &get(start)]),
        };
        let index = match by_id.get(&id) {
            Some(&i) => i,
            None => {
                let entity_type =
                    EntityType::parse(&get(kind)).unwrap_or_else(|| guess_entity_type(&name));
                by_id.insert(id.clone(), entries.len());
                entries.push(ListEntry::new(id, name, entity_type));
                entries.len() - 1
            }
        };
        let Some(entry) = entries.get_mut(index) else {
            continue;
        };
        for program in list(programs) {
            push_unique(&mut entry.programs, program);
        }
        push_unique(&mut entry.programs, sub_list);
        for alias in list(alt_names) {
            if alias != entry.name {
                push_unique(&mut entry.aliases, alias);
            }
        }
        for address in list(addresses) {
            push_unique(&mut entry.addresses, address);
        }
        for text in list(dobs) {
            for date in parse_birth_dates(&text) {
                if !entry.birth_dates.contains(&date) {
                    entry.birth_dates.push(date);
                }
            }
        }
        let mut countries = list(citizenships);
        countries.extend(list(nationalities));
        if entry.entity_type == EntityType::Vessel {
            countries.extend(list(flag));
        }
        for country in countries {
            if let Some(code) = country_code(&country) {
                push_unique(&mut entry.nationalities, code.to_string());
            }
        }
        for item in list(ids) {
            if let Some(id) = parse_id_item(&item) {
                if !entry.id_numbers.contains(&id) {
                    entry.id_numbers.push(id);
                }
            }
        }
    }
    if entries.is_empty() {
        return Err(error("no entries".into()));
    }
    Ok(SanctionsList {
        version: ListVersion {
            id: "us_csl".into(),
            source: source.into(),
            published: None,
            entries: entries.len(),
            sha256: sha256_hex([bytes]),
        },
        entries,
    })
}

/// Words a CSL id kind ends with when it is an identifier.
const ID_KIND_ENDINGS: &[&str] = &[
    "#",
    "bic",
    "card",
    "certificate",
    "code",
    "id",
    "identification",
    "license",
    "licence",
    "msn",
    "no",
    "no.",
    "number",
    "passport",
    "ssn",
];

/// `US, 80-0890696, Tax ID No.` → tax id no. 800890696, US. `None` for items that are not
/// identifiers (websites, e-mail addresses, sanctions notes).
fn parse_id_item(item: &str) -> Option<IdNumber> {
    let (rest, kind) = item.rsplit_once(',')?;
    let kind = kind.trim();
    let last_word = kind
        .rsplit([' ', '/'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if kind.ends_with(['-', ':'])
        || kind.to_ascii_lowercase().contains("flag")
        || !ID_KIND_ENDINGS.contains(&last_word.as_str())
    {
        return None;
    }
    let (country, number) = match rest.split_once(',') {
        Some((country, number)) => (country_code(country.trim()), number),
        None => (None, rest),
    };
    id_number(&id_kind(kind), number, country.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_id_items() {
        let id = |kind: &str, number: &str, country: Option<&str>| {
            Some(IdNumber::new(kind, number, country.map(str::to_string)))
        };
        assert_eq!(
            parse_id_item("US, 80-0890696, Tax ID No."),
            id("tax id no.", "800890696", Some("US"))
        );
        assert_eq!(
            parse_id_item("IMO 8898831, Vessel Registration Identification"),
            id("imo", "8898831", None)
        );
        assert_eq!(
            parse_id_item("CO, 811038291-3, NIT #"),
            id("nit", "8110382913", Some("CO"))
        );
        assert_eq!(
            parse_id_item("01200175 (Bogota), Matricula Mercantil No"),
            id("matricula mercantil no", "01200175", None)
        );
        assert_eq!(
            parse_id_item("CKLBCNBJ, SWIFT/BIC"),
            id("swift/bic", "CKLBCNBJ", None)
        );
        assert_eq!(
            parse_id_item("21795618, Passport"),
            id("passport", "21795618", None)
        );
        for item in [
            "http://www.90zavod.ru, Website",
            "transneft@ak.transneft.ru, Email Address",
            "Subject to Secondary Sanctions, Additional Sanctions Information -",
            "North Korea Sanctions Regulations, sections 510.201 and 510.210, Secondary sanctions risk:",
            "Panama, Former Vessel Flag",
            "Subject to Directive 3, Executive Order 13662 Directive Determination -",
            "no comma",
            ",",
        ] {
            assert_eq!(parse_id_item(item), None, "{item}");
        }
    }
}
