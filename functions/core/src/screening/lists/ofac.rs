//! The OFAC SDN CSV set as published: no header, `-0-` as null, CRLF, a trailing 0x1A byte.

use sha2::{Digest, Sha256};

use super::ListKind;
use crate::error::CoreError;
use crate::screening::{BirthDate, EntityType, ListEntry, ListVersion, SanctionsList};

const NULL: &str = "-0-";

fn field(record: &csv::StringRecord, i: usize) -> Option<String> {
    let v = record.get(i)?.trim();
    if v.is_empty() || v == NULL {
        None
    } else {
        Some(v.to_string())
    }
}

/// OFAC files end with a DOS end-of-file byte (0x1A) that a CSV reader would take as data.
fn strip_eof_marker(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], 0x1A | b'\r' | b'\n') {
        end -= 1;
    }
    &bytes[..end]
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(strip_eof_marker(bytes))
}

pub(super) fn recognise(bytes: &[u8]) -> Option<ListKind> {
    let record = csv_reader(bytes).records().next()?.ok()?;
    let numeric = |i: usize| record.get(i).is_some_and(|v| !v.is_empty() && v.trim().bytes().all(|b| b.is_ascii_digit()));
    match record.len() {
        12 if numeric(0) => Some(ListKind::OfacSdn),
        5 if numeric(0) && numeric(1) => Some(ListKind::OfacAlt),
        _ => None,
    }
}

/// Parses `sdn.csv` with its aliases from `alt.csv` (which may be empty).
pub(super) fn load(sdn: &[u8], alt: &[u8], source: &str) -> Result<SanctionsList, CoreError> {
    let mut entries = Vec::new();
    for (row, record) in csv_reader(sdn).records().enumerate() {
        let record = record.map_err(|e| CoreError::List {
            list: "sdn.csv".into(),
            detail: format!("row {}: {e}", row + 1),
        })?;
        let (Some(uid), Some(name)) = (field(&record, 0), field(&record, 1)) else {
            continue;
        };
        let entity_type = match field(&record, 2).as_deref() {
            Some("individual") => EntityType::Individual,
            Some("vessel") => EntityType::Vessel,
            Some("aircraft") => EntityType::Aircraft,
            _ => EntityType::Entity,
        };
        let mut entry = ListEntry::new(uid, name, entity_type);
        entry.programs = field(&record, 3)
            .map(|p| {
                p.split("] [")
                    .map(|s| s.trim_matches(|c| c == '[' || c == ']').to_string())
                    .collect()
            })
            .unwrap_or_default();
        entry.birth_dates = birth_dates_in_remarks(&field(&record, 11).unwrap_or_default());
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(CoreError::List {
            list: "sdn.csv".into(),
            detail: "no entries".into(),
        });
    }
    let by_uid: std::collections::HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    for (row, record) in csv_reader(alt).records().enumerate() {
        let record = record.map_err(|e| CoreError::List {
            list: "alt.csv".into(),
            detail: format!("row {}: {e}", row + 1),
        })?;
        if let (Some(uid), Some(alias)) = (field(&record, 0), field(&record, 3)) {
            if let Some(&i) = by_uid.get(&uid) {
                entries[i].aliases.push(alias);
            }
        }
    }
    let mut hasher = Sha256::new();
    hasher.update(sdn);
    hasher.update(alt);
    Ok(SanctionsList {
        version: ListVersion {
            id: "ofac_sdn".into(),
            source: source.into(),
            published: None,
            entries: entries.len(),
            sha256: hex::encode(hasher.finalize()),
        },
        entries,
    })
}

fn birth_dates_in_remarks(remarks: &str) -> Vec<BirthDate> {
    use chrono::Datelike;
    remarks
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("DOB "))
        .filter_map(|d| crate::extract::parse_date(d.trim()))
        .map(|d| BirthDate {
            year: d.year(),
            month: Some(d.month()),
            day: Some(d.day()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_bundled_ofac_sample() {
        let lists = crate::screening::lists::bundled().unwrap();
        let list = &lists[0];
        assert_eq!(list.entries.len(), 17);
        let moreno = list.entries.iter().find(|e| e.id == "15102").unwrap();
        assert_eq!(moreno.entity_type, EntityType::Individual);
        assert_eq!(
            moreno.birth_dates,
            vec![BirthDate {
                year: 1972,
                month: Some(10),
                day: Some(12)
            }]
        );
        let hesa = list.entries.iter().find(|e| e.id == "11195").unwrap();
        assert!(hesa.aliases.contains(&"HESA TRADE CENTER".to_string()));
    }
}
