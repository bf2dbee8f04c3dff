//! A bank's own watchlist CSV: `id,name,type,aliases,date_of_birth,nationality,id_numbers,
//! program` with a header, only `id` and `name` required. The format is documented on the
//! `lists` module (section "Custom watchlists").

use std::collections::HashMap;

use super::{
    country_code, decode, guess_entity_type, parse_birth_dates, push_unique, sha256_hex, strip_bom,
};
use crate::error::CoreError;
use crate::screening::{EntityType, IdNumber, ListEntry, ListVersion, SanctionsList};

const COLUMNS: [&str; 8] = [
    "id",
    "name",
    "type",
    "aliases",
    "date_of_birth",
    "nationality",
    "id_numbers",
    "program",
];

fn header_names(header: &csv::ByteRecord) -> Vec<String> {
    header
        .iter()
        .map(|h| decode(h).trim().to_lowercase())
        .collect()
}

/// A comma-separated header with an `id` and a `name` column.
pub(super) fn recognise(header_line: &[u8]) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(strip_bom(header_line));
    let Some(Ok(header)) = reader.byte_records().next() else {
        return false;
    };
    let names = header_names(&header);
    names.iter().any(|n| n == "id") && names.iter().any(|n| n == "name")
}

pub(super) fn load(bytes: &[u8], source: &str, list_id: &str) -> Result<SanctionsList, CoreError> {
    let error = |detail: String| CoreError::List {
        list: list_id.to_string(),
        detail,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let header = reader
        .byte_headers()
        .map_err(|e| error(format!("header: {e}")))?
        .clone();
    let names = header_names(&header);
    // Index of each known column in this file, if present (the first of a repeated name).
    let column: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| names.iter().position(|n| n == c))
        .collect();
    let mut entries: Vec<ListEntry> = Vec::new();
    let mut rows_of_ids: HashMap<String, u64> = HashMap::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| error(e.to_string()))?;
        let row = record.position().map_or(0, csv::Position::line);
        let get = |i: usize| -> String {
            column
                .get(i)
                .copied()
                .flatten()
                .and_then(|c| record.get(c))
                .map(|v| decode(v).trim().to_string())
                .unwrap_or_default()
        };
        let list = |i: usize| -> Vec<String> {
            get(i)
                .split(';')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect()
        };
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let (id, name) = (get(0), get(1));
        if id.is_empty() || name.is_empty() {
            return Err(error(format!("row {row}: id and name are required")));
        }
        if let Some(first) = rows_of_ids.insert(id.clone(), row) {
            return Err(error(format!(
                "row {row}: id {id} is already used on row {first}"
            )));
        }
        let kind = get(2);
        let entity_type = if kind.is_empty() {
            guess_entity_type(&name)
        } else {
            EntityType::parse(&kind).ok_or_else(|| {
                error(format!(
                    "row {row}: unknown type {kind:?} (Person, Company, Organization, Vessel \
                     or Aircraft)"
                ))
            })?
        };
        let mut entry = ListEntry::new(id, name, entity_type);
        for alias in list(3) {
            push_unique(&mut entry.aliases, alias);
        }
        for text in list(4) {
            let dates = parse_birth_dates(&text);
            if dates.is_empty() {
                return Err(error(format!(
                    "row {row}: date of birth {text:?} is not a date (1961-03-14, 1961-03, \
                     1961, 14 Mar 1961, 1958 to 1960)"
                )));
            }
            for date in dates {
                if !entry.birth_dates.contains(&date) {
                    entry.birth_dates.push(date);
                }
            }
        }
        for text in list(5) {
            let code = country_code(&text).ok_or_else(|| {
                error(format!(
                    "row {row}: nationality {text:?} is not a known country"
                ))
            })?;
            push_unique(&mut entry.nationalities, code.to_string());
        }
        for text in list(6) {
            let mut parts = text.splitn(3, ':').map(str::trim);
            let (kind, number, country) = match (parts.next(), parts.next(), parts.next()) {
                (Some(number), None, _) => ("id", number, None),
                (Some(kind), Some(number), country) => (kind, number, country),
                (None, _, _) => continue,
            };
            let country = match country.filter(|c| !c.is_empty()) {
                Some(c) => Some(country_code(c).ok_or_else(|| {
                    error(format!("row {row}: country {c:?} of {text:?} is not known"))
                })?),
                None => None,
            };
            let kind = if kind.is_empty() {
                "id".to_string()
            } else {
                kind.to_lowercase()
            };
            let id = IdNumber::new(kind, number, country.map(str::to_string));
            if id.number.is_empty() {
                return Err(error(format!(
                    "row {row}: id number {text:?} has no number"
                )));
            }
            if !entry.id_numbers.contains(&id) {
                entry.id_numbers.push(id);
            }
        }
        for program in list(7) {
            push_unique(&mut entry.programs, program);
        }
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(error("no entries".into()));
    }
    Ok(SanctionsList {
        version: ListVersion {
            id: list_id.into(),
            source: source.into(),
            published: None,
            entries: entries.len(),
            sha256: sha256_hex([bytes]),
        },
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::BirthDate;

    #[test]
    fn reads_the_documented_format() {
        let csv = "\u{feff}ID, Name ,Type,Aliases,Date_of_Birth,Nationality,ID_Numbers,Program,Notes\n\
                   BW-0001,Ivan Petrovich SIDOROV,Person,Ivan Sidorov;I. P. Sidorov,1961-03-14,RU,passport:4509 123456:RU,fraud,x\n\
                   BW-0002,Northwind Trading FZE,Company,,,AE,trade licence:784512,exit\n\
                   \n\
                   BW-0003,Hassan AL-FARSI,,,1958 to 1960,Iran;IQ,A123,PEP\n\
                   BW-0004,ACME Holdings LLC\n";
        assert!(recognise(super::super::first_line(csv.as_bytes())));
        let list = load(csv.as_bytes(), "s", "custom:t").unwrap();
        assert_eq!(list.version.id, "custom:t");
        assert_eq!(list.entries.len(), 4);
        let e = &list.entries[0];
        assert_eq!(e.entity_type, EntityType::Individual);
        assert_eq!(e.aliases, vec!["Ivan Sidorov", "I. P. Sidorov"]);
        assert_eq!(
            e.birth_dates,
            vec![BirthDate {
                year: 1961,
                month: Some(3),
                day: Some(14)
            }]
        );
        assert_eq!(e.nationalities, vec!["RU"]);
        assert_eq!(
            e.id_numbers,
            vec![IdNumber::new("passport", "4509123456", Some("RU".into()))]
        );
        assert_eq!(e.programs, vec!["fraud"]);
        assert_eq!(list.entries[1].entity_type, EntityType::Entity);
        let h = &list.entries[2];
        assert_eq!(h.entity_type, EntityType::Individual);
        assert_eq!(h.birth_dates.len(), 3);
        assert_eq!(h.nationalities, vec!["IR", "IQ"]);
        assert_eq!(h.id_numbers, vec![IdNumber::new("id", "A123", None)]);
        assert_eq!(list.entries[3].entity_type, EntityType::Entity);
    }

    #[test]
    fn rejects_bad_rows_naming_them() {
        for (csv, expected) in [
            ("id,name\n1,\n", "row 2: id and name are required"),
            (
                "id,name\n1,A\n1,B\n",
                "row 3: id 1 is already used on row 2",
            ),
            ("id,name,type\n1,A,Planet\n", "unknown type"),
            ("id,name,date_of_birth\n1,A,yesterday\n", "not a date"),
            ("id,name,nationality\n1,A,Atlantis\n", "not a known country"),
            ("id,name,id_numbers\n1,A,passport:--\n", "has no number"),
            ("id,name\n", "no entries"),
        ] {
            let err = load(csv.as_bytes(), "s", "custom:t")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{csv:?}: {err}");
        }
    }

    #[test]
    fn recognises_only_headers_with_id_and_name() {
        assert!(recognise(b"Name,ID"));
        assert!(recognise(b"\"id\",\"name\",\"extra\""));
        assert!(!recognise(b"id,full_name"));
        assert!(!recognise(b"ids,name"));
        assert!(!recognise(b""));
    }
}
