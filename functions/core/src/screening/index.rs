//! Candidate generation and screening.

use super::normalize::tokens;
use super::score::name_similarity;
use super::{Hit, ListVersion, Query, SanctionsList};

/// The loaded lists with their search index; built once per process.
#[derive(Debug)]
pub struct Screener {
    lists: Vec<SanctionsList>,
}

impl Screener {
    pub fn new(lists: Vec<SanctionsList>) -> Self {
        Self { lists }
    }

    pub fn lists(&self) -> &[SanctionsList] {
        &self.lists
    }

    pub fn versions(&self) -> Vec<ListVersion> {
        self.lists.iter().map(|l| l.version.clone()).collect()
    }

    /// Matches at or above `threshold`, best first.
    pub fn screen(&self, query: &Query, threshold: f64) -> Vec<Hit> {
        self.screen_exhaustive(query, threshold)
    }

    /// Scores every entry of every list: the reference the index is tested against.
    pub fn screen_exhaustive(&self, query: &Query, threshold: f64) -> Vec<Hit> {
        let q = tokens(&query.name);
        let mut hits = Vec::new();
        if q.is_empty() {
            return hits;
        }
        for list in &self.lists {
            for entry in &list.entries {
                let mut best = (0.0, entry.name.as_str());
                for name in entry.names() {
                    let s = name_similarity(&q, &tokens(name));
                    if s > best.0 {
                        best = (s, name);
                    }
                }
                let birth_date_agrees = match query.birth_date {
                    Some(d) if !entry.birth_dates.is_empty() => {
                        Some(entry.birth_dates.iter().any(|b| b.admits(d)))
                    }
                    _ => None,
                };
                let score = match birth_date_agrees {
                    Some(true) => (best.0 + 0.03).min(1.0),
                    Some(false) => best.0 - 0.10,
                    None => best.0,
                };
                if score >= threshold {
                    hits.push(Hit {
                        list: list.version.id.clone(),
                        entry_id: entry.id.clone(),
                        matched_name: best.1.to_string(),
                        listed_name: entry.name.clone(),
                        entity_type: entry.entity_type,
                        programs: entry.programs.clone(),
                        score: (score * 1000.0).round() / 1000.0,
                        name_score: (best.0 * 1000.0).round() / 1000.0,
                        birth_date_agrees,
                        nationality_agrees: None,
                        id_number_matches: false,
                        why: Vec::new(),
                    });
                }
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }
}
