//! Sanctions lists and fuzzy name screening.
//!
//! Loads the OFAC SDN CSV set (`sdn.csv` with `alt.csv` aliases) as published, and scores
//! names by token alignment with Jaro-Winkler after Unicode folding and transliteration, so
//! that word order, accents, `SURNAME, Given` order and missing middle names do not hide a hit.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::error::CoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Individual,
    Entity,
    Vessel,
    Aircraft,
}

#[derive(Debug, Clone)]
pub struct ListEntry {
    pub uid: String,
    pub name: String,
    pub entity_type: EntityType,
    pub programs: Vec<String>,
    pub aliases: Vec<String>,
    pub birth_dates: Vec<NaiveDate>,
    /// Normalised token lists of the name and each alias.
    keys: Vec<Vec<String>>,
}

/// Which list and which version of it was used: recorded in every audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    pub id: String,
    pub source: String,
    pub published: Option<String>,
    pub entries: usize,
    /// SHA-256 over the files as loaded: the exact version, whatever the publication date says.
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct SanctionsList {
    pub version: ListVersion,
    pub entries: Vec<ListEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningMatch {
    pub list: String,
    pub uid: String,
    pub listed_name: String,
    pub entity_type: EntityType,
    pub programs: Vec<String>,
    pub score: f64,
    /// `true` when a date of birth on both sides agrees, `false` when it disagrees.
    pub birth_date_agrees: Option<bool>,
}

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

impl SanctionsList {
    /// Parses the OFAC SDN CSV set. `alt` (aliases) may be empty.
    pub fn from_ofac_csv(sdn: &[u8], alt: &[u8], source: &str) -> Result<Self, CoreError> {
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
            let programs = field(&record, 3)
                .map(|p| {
                    p.split("] [")
                        .map(|s| s.trim_matches(|c| c == '[' || c == ']').to_string())
                        .collect()
                })
                .unwrap_or_default();
            let remarks = field(&record, 11).unwrap_or_default();
            entries.push(ListEntry {
                uid,
                name,
                entity_type,
                programs,
                aliases: Vec::new(),
                birth_dates: birth_dates_in_remarks(&remarks),
                keys: Vec::new(),
            });
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
            .map(|(i, e)| (e.uid.clone(), i))
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
        for entry in &mut entries {
            entry.keys = std::iter::once(&entry.name)
                .chain(entry.aliases.iter())
                .map(|n| tokens(n))
                .filter(|t| !t.is_empty())
                .collect();
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

    /// Loads an OFAC folder (`sdn.csv`, optional `alt.csv`; `add.csv` and `sdn_comments.csv`
    /// are recognised and not needed for name screening).
    pub fn from_ofac_dir(dir: &Path) -> Result<Self, CoreError> {
        let read = |name: &str| std::fs::read(dir.join(name));
        let sdn = read("sdn.csv").map_err(|e| CoreError::List {
            list: dir.join("sdn.csv").display().to_string(),
            detail: e.to_string(),
        })?;
        let alt = read("alt.csv").unwrap_or_default();
        let mut list = Self::from_ofac_csv(&sdn, &alt, &format!("OFAC SDN ({})", dir.display()))?;
        if let Ok(published) = std::fs::read_to_string(dir.join("PUBLISHED")) {
            list.version.published = Some(published.trim().to_string());
        }
        Ok(list)
    }

    /// The small real OFAC extract bundled with the product, so that screening works with no
    /// configuration. Production deployments point to the full lists.
    pub fn bundled_sample() -> Result<Self, CoreError> {
        let mut list = Self::from_ofac_csv(
            include_bytes!("../../../config/lists/ofac-sample/sdn.csv"),
            include_bytes!("../../../config/lists/ofac-sample/alt.csv"),
            "OFAC SDN (bundled sample, moov-io/watchman test data)",
        )?;
        list.version.published = Some(
            include_str!("../../../config/lists/ofac-sample/PUBLISHED")
                .trim()
                .to_string(),
        );
        Ok(list)
    }

    /// Screens one name; returns matches at or above `threshold`, best first.
    pub fn screen(
        &self,
        name: &str,
        birth_date: Option<NaiveDate>,
        threshold: f64,
    ) -> Vec<ScreeningMatch> {
        let query = tokens(name);
        if query.is_empty() {
            return Vec::new();
        }
        let mut matches: Vec<ScreeningMatch> = self
            .entries
            .iter()
            .filter_map(|entry| {
                let name_score = entry
                    .keys
                    .iter()
                    .map(|k| name_similarity(&query, k))
                    .fold(0.0, f64::max);
                let birth_date_agrees = match (birth_date, entry.birth_dates.is_empty()) {
                    (Some(d), false) => Some(entry.birth_dates.contains(&d)),
                    _ => None,
                };
                // A date of birth on both sides corroborates or weakens a name match; it never
                // makes a match from a weak name on its own.
                let score = match birth_date_agrees {
                    Some(true) => (name_score + 0.03).min(1.0),
                    Some(false) => name_score - 0.10,
                    None => name_score,
                };
                (score >= threshold).then(|| ScreeningMatch {
                    list: self.version.id.clone(),
                    uid: entry.uid.clone(),
                    listed_name: entry.name.clone(),
                    entity_type: entry.entity_type,
                    programs: entry.programs.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                    birth_date_agrees,
                })
            })
            .collect();
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
        matches
    }
}

fn birth_dates_in_remarks(remarks: &str) -> Vec<NaiveDate> {
    remarks
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("DOB "))
        .filter_map(|d| crate::extract::parse_date(d.trim()))
        .collect()
}

const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "sheikh", "haji", "herr", "frau", "mme", "m",
    "sr", "sra", "dhr", "mevr",
];

/// Folds a name to comparable ASCII tokens: NFKD, transliteration, lower case, no punctuation,
/// no honorifics.
pub fn tokens(name: &str) -> Vec<String> {
    let decomposed: String = name.nfkd().collect();
    let ascii = any_ascii::any_ascii(&decomposed).to_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty() && !HONORIFICS.contains(t))
        .map(str::to_string)
        .collect()
}

/// Token-aligned similarity in 0..1, independent of word order. Each token of one name is
/// paired with its best counterpart in the other; the result leans towards the better covered
/// side so that a missing middle name costs little but a missing surname costs a lot.
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let coverage = |from: &[String], to: &[String]| -> f64 {
        let total: usize = from.iter().map(|t| t.len()).sum();
        let weighted: f64 = from
            .iter()
            .map(|t| {
                let best = to
                    .iter()
                    .map(|u| token_similarity(t, u))
                    .fold(0.0, f64::max);
                best * t.len() as f64
            })
            .sum();
        weighted / total.max(1) as f64
    };
    let ab = coverage(a, b);
    let ba = coverage(b, a);
    let (low, high) = if ab < ba { (ab, ba) } else { (ba, ab) };
    0.35 * low + 0.65 * high
}

fn token_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    // An initial matches a whole given name, a little below an exact match.
    if (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b)) {
        return 0.9;
    }
    let jw = strsim::jaro_winkler(a, b);
    // Jaro-Winkler is generous with short tokens; require it to be convincing.
    if jw < 0.8 {
        0.0
    } else {
        jw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SanctionsList {
        SanctionsList::bundled_sample().unwrap()
    }

    #[test]
    fn loads_bundled_ofac_sample() {
        let list = sample();
        assert_eq!(list.entries.len(), 17);
        let moreno = list.entries.iter().find(|e| e.uid == "15102").unwrap();
        assert_eq!(moreno.entity_type, EntityType::Individual);
        assert_eq!(
            moreno.birth_dates,
            vec![NaiveDate::from_ymd_opt(1972, 10, 12).unwrap()]
        );
        let hesa = list.entries.iter().find(|e| e.uid == "11195").unwrap();
        assert!(hesa.aliases.contains(&"HESA TRADE CENTER".to_string()));
    }

    #[test]
    fn word_order_and_case_do_not_hide_a_hit() {
        let hits = sample().screen("Daniel Moreno", None, 0.9);
        assert_eq!(hits[0].uid, "15102");
        assert!(hits[0].score >= 0.99);
    }

    #[test]
    fn typo_and_accents_still_match() {
        let hits = sample().screen("Dmitriy Yurevich Khoroshév", None, 0.85);
        assert_eq!(
            hits.first().map(|h| h.uid.as_str()),
            Some("48603"),
            "{hits:?}"
        );
    }

    #[test]
    fn cyrillic_is_transliterated() {
        let hits = sample().screen("Дмитрий Хорошев", None, 0.85);
        assert!(
            hits.iter().any(|h| h.listed_name.starts_with("KHOROSHEV")),
            "{hits:?}"
        );
    }

    #[test]
    fn birth_date_disagreement_weakens() {
        let list = sample();
        let agree = list.screen("Daniel Moreno", NaiveDate::from_ymd_opt(1972, 10, 12), 0.0);
        let differ = list.screen("Daniel Moreno", NaiveDate::from_ymd_opt(1990, 1, 1), 0.0);
        assert_eq!(agree[0].birth_date_agrees, Some(true));
        assert!(differ[0].score < agree[0].score);
    }

    #[test]
    fn unrelated_name_is_clear() {
        assert!(sample().screen("Margaret Thatcher", None, 0.85).is_empty());
    }
}
