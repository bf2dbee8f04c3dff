//! Sanctions lists and fuzzy name screening.
//!
//! `lists` reads the published formats (OFAC SDN CSV set, UN consolidated XML, BIS Denied
//! Persons List, US Consolidated Screening List, a bank's own CSV) into one entry model;
//! `normalize` folds names to comparable tokens; `score` compares two names; `index` finds the
//! few entries worth scoring so that cost grows slowly with list size. `Screener` ties them
//! together and is built once per process (at cold start in Lambda).

pub mod lists;
pub mod normalize;
pub mod saved;
pub mod score;

mod index;

use serde::{Deserialize, Serialize};

pub use index::{forget_similar_words, Screener};

/// What a list entry (or a screened name) is. A person is never a hit for a vessel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Individual,
    Entity,
    Vessel,
    Aircraft,
}

impl EntityType {
    /// Reads the schema names users and benchmarks give (`Person`, `Company`,
    /// `Organization`, `LegalEntity`, `Vessel`, `Aircraft`) and this type's own names.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" => Some(Self::Individual),
            "company" | "organization" | "organisation" | "legalentity" | "legal_entity"
            | "entity" => Some(Self::Entity),
            "vessel" | "ship" => Some(Self::Vessel),
            "aircraft" | "airplane" => Some(Self::Aircraft),
            _ => None,
        }
    }
}

/// A date of birth as lists give it: often only a year, sometimes a month and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl BirthDate {
    pub fn year(year: i32) -> Self {
        Self {
            year,
            month: None,
            day: None,
        }
    }

    /// Whether `date` could be this (possibly partial) date.
    pub fn admits(&self, date: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        self.year == date.year()
            && self.month.is_none_or(|m| m == date.month())
            && self.day.is_none_or(|d| d == date.day())
    }
}

/// An identity document or registration number given by a list (passport, national ID,
/// IMO number, tax id, …). `number` keeps only upper-case letters and digits so that
/// `A 123-456` and `a123456` compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdNumber {
    pub kind: String,
    pub number: String,
    /// ISO 3166-1 alpha-2 of the issuing country, when the list says.
    pub country: Option<String>,
}

impl IdNumber {
    pub fn new(kind: impl Into<String>, number: &str, country: Option<String>) -> Self {
        Self {
            kind: kind.into(),
            number: normalize_id_number(number),
            country,
        }
    }
}

/// Upper-case letters and digits only.
pub fn normalize_id_number(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// One designated person, company, vessel or aircraft.
#[derive(Debug, Clone, PartialEq)]
pub struct ListEntry {
    /// The entry's id in its list (OFAC `ent_num`, UN reference number, …).
    pub id: String,
    /// The primary name as listed.
    pub name: String,
    pub entity_type: EntityType,
    pub programs: Vec<String>,
    /// Other names: a.k.a., f.k.a., spellings in other scripts.
    pub aliases: Vec<String>,
    pub birth_dates: Vec<BirthDate>,
    /// ISO 3166-1 alpha-2 codes of nationality or citizenship (for entities: country of
    /// registration), where the list's text could be resolved.
    pub nationalities: Vec<String>,
    pub id_numbers: Vec<IdNumber>,
    /// Addresses, one line each, as listed.
    pub addresses: Vec<String>,
}

impl ListEntry {
    pub fn new(id: impl Into<String>, name: impl Into<String>, entity_type: EntityType) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            entity_type,
            programs: Vec::new(),
            aliases: Vec::new(),
            birth_dates: Vec::new(),
            nationalities: Vec::new(),
            id_numbers: Vec::new(),
            addresses: Vec::new(),
        }
    }

    /// The primary name then every alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Which list and which version of it was used: recorded in every audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    /// `ofac_sdn`, `un_sc`, `bis_dpl`, `us_csl`, or `custom:<file stem>`.
    pub id: String,
    /// Where it came from: a URL, a folder or an S3 prefix.
    pub source: String,
    /// Publication date as the publisher gives it, when known.
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

/// What is known about the screened party. Only `name` is required; every other field
/// corroborates or weakens a name match when the list entry has it too.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub name: String,
    pub entity_type: Option<EntityType>,
    pub birth_date: Option<chrono::NaiveDate>,
    /// ISO 3166-1 alpha-2 (alpha-3 and English names are resolved).
    pub nationality: Option<String>,
    pub id_numbers: Vec<String>,
}

impl Query {
    pub fn name(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// One possible match, with the reasons a reviewer needs to judge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub list: String,
    pub entry_id: String,
    /// The listed name or alias that matched best.
    pub matched_name: String,
    /// The entry's primary name.
    pub listed_name: String,
    pub entity_type: EntityType,
    pub programs: Vec<String>,
    /// Final score in 0..1 after corroboration.
    pub score: f64,
    /// Name similarity alone.
    pub name_score: f64,
    pub birth_date_agrees: Option<bool>,
    pub nationality_agrees: Option<bool>,
    /// An identity document number on both sides is the same: a hit on its own.
    pub id_number_matches: bool,
    /// Why this is a hit, in plain words (token alignment, corroboration).
    pub why: Vec<String>,
}
