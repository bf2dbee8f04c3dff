//! Candidate generation and screening.
//!
//! Every listed name is folded and keyed once, when the lists load. Each word of a name is
//! filed under a few blocking keys: its Double Metaphone codes (primary and alternate), its
//! first three letters and its consonant skeleton. A screened name looks up the keys of its
//! own words and scores only the names that share at least one, so the cost follows the
//! number of plausible candidates, not the size of the lists. `screen_exhaustive` scores every
//! name instead; tests compare the two over real lists to show the index loses nothing.

use std::collections::HashMap;

use super::score::{
    compare, prepare_token, score_bound, token_similarity, PreparedName, PreparedToken, WordPair,
};
use super::{normalize_id_number, EntityType, Hit, ListEntry, ListVersion, Query, SanctionsList};

/// An ID number shorter than this is too likely to collide to be a hit on its own.
const MIN_ID_NUMBER_LEN: usize = 5;

/// A distinct word of the lists and where it occurs.
#[derive(Debug)]
struct Word {
    token: PreparedToken,
    is_run: bool,
    /// (name, mask of the name's words it stands for).
    occurrences: Vec<(u32, u16)>,
}

#[derive(Debug)]
struct IndexedName {
    entry: u32,
    /// Index into the entry's `names()`: 0 is the primary name.
    alias: u16,
    prepared: PreparedName,
}

/// The loaded lists with their search index; built once per process.
#[derive(Debug)]
pub struct Screener {
    lists: Vec<SanctionsList>,
    /// Global entry number → (list, entry in list).
    entries: Vec<(u16, u32)>,
    names: Vec<IndexedName>,
    /// Every distinct word (or run of words written together) of the listed names.
    vocabulary: Vec<Word>,
    /// Blocking key → words filed under it.
    postings: HashMap<u64, Vec<u32>, KeyHash>,
    id_numbers: HashMap<String, Vec<u32>>,
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Screener {
    pub fn new(lists: Vec<SanctionsList>) -> Self {
        let mut entries = Vec::new();
        let mut names = Vec::new();
        let mut vocabulary: Vec<Word> = Vec::new();
        let mut word_ids: HashMap<(String, bool), u32> = HashMap::new();
        let mut prepared_words: HashMap<(String, bool), PreparedToken> = HashMap::new();
        let mut id_numbers: HashMap<String, Vec<u32>> = HashMap::new();
        for (li, list) in lists.iter().enumerate() {
            for (ei, entry) in list.entries.iter().enumerate() {
                let global = entries.len() as u32;
                entries.push((li as u16, ei as u32));
                for id in &entry.id_numbers {
                    if id.number.len() >= MIN_ID_NUMBER_LEN {
                        id_numbers
                            .entry(id.number.clone())
                            .or_default()
                            .push(global);
                    }
                }
                for (alias, name) in entry.names().enumerate().take(u16::MAX as usize) {
                    let prepared =
                        PreparedName::with_cache(name, Some(entry.entity_type), &mut |token| {
                            let key = (token.text.clone(), token.vowel_poor);
                            prepared_words
                                .entry(key)
                                .or_insert_with(|| prepare_token(token))
                                .clone()
                        });
                    if prepared.is_empty() {
                        continue;
                    }
                    let name_id = names.len() as u32;
                    for (token, mask, is_run) in prepared.keyed_units() {
                        let key = (token.token.text.clone(), is_run);
                        let id = *word_ids.entry(key).or_insert_with(|| {
                            vocabulary.push(Word {
                                token: token.clone(),
                                is_run,
                                occurrences: Vec::new(),
                            });
                            (vocabulary.len() - 1) as u32
                        });
                        if let Some(word) = vocabulary.get_mut(id as usize) {
                            match word.occurrences.last_mut() {
                                Some((n, m)) if *n == name_id => *m |= mask,
                                _ => word.occurrences.push((name_id, mask)),
                            }
                        }
                    }
                    names.push(IndexedName {
                        entry: global,
                        alias: alias as u16,
                        prepared,
                    });
                }
            }
        }
        let mut postings: HashMap<u64, Vec<u32>, KeyHash> = HashMap::default();
        for (id, word) in vocabulary.iter().enumerate() {
            for key in word.token.keys.iter().filter(|k| **k != 0) {
                let posting = postings.entry(*key).or_default();
                if posting.last() != Some(&(id as u32)) {
                    posting.push(id as u32);
                }
            }
        }
        // The index lives as long as the process: give back what the growth left over.
        for word in &mut vocabulary {
            word.occurrences.shrink_to_fit();
        }
        for posting in postings.values_mut() {
            posting.shrink_to_fit();
        }
        postings.shrink_to_fit();
        vocabulary.shrink_to_fit();
        names.shrink_to_fit();
        Self {
            lists,
            entries,
            names,
            vocabulary,
            postings,
            id_numbers,
        }
    }

    pub fn lists(&self) -> &[SanctionsList] {
        &self.lists
    }

    pub fn versions(&self) -> Vec<ListVersion> {
        self.lists.iter().map(|l| l.version.clone()).collect()
    }

    /// Number of names (primary and aliases) indexed.
    pub fn indexed_names(&self) -> usize {
        self.names.len()
    }

    fn entry(&self, global: u32) -> Option<(&SanctionsList, &ListEntry)> {
        let (li, ei) = *self.entries.get(global as usize)?;
        let list = self.lists.get(li as usize)?;
        Some((list, list.entries.get(ei as usize)?))
    }

    /// Matches at or above `threshold`, best first, using the index.
    pub fn screen(&self, query: &Query, threshold: f64) -> Vec<Hit> {
        let prepared = PreparedName::new(&query.name, query.entity_type);
        let candidates = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            scratch.start(self.names.len(), self.vocabulary.len());
            for (unit, query_mask, unit_is_run) in prepared.keyed_units() {
                scratch.next_unit();
                for key in unit.keys.iter().filter(|k| **k != 0) {
                    for &word_id in self.postings.get(key).into_iter().flatten() {
                        if !scratch.first_visit(word_id) {
                            continue;
                        }
                        let Some(word) = self.vocabulary.get(word_id as usize) else {
                            continue;
                        };
                        // The same pairs `compare` would make: never a run with a run, and
                        // only words that are similar at all.
                        if (unit_is_run && word.is_run)
                            || token_similarity(unit, &word.token) <= 0.0
                        {
                            continue;
                        }
                        for &(name_id, listed_mask) in &word.occurrences {
                            scratch.add(name_id, query_mask, listed_mask);
                        }
                    }
                }
            }
            // Only names that could still reach the threshold are scored: each side's share
            // of matched weight is bounded by the words that shared a key.
            scratch
                .touched()
                .filter(|(name_id, query_mask, listed_mask)| {
                    self.names.get(*name_id as usize).is_some_and(|name| {
                        score_bound(
                            prepared.share_bound(*query_mask, &name.prepared),
                            name.prepared.share_bound(*listed_mask, &prepared),
                        ) + MAX_BONUS
                            >= threshold
                    })
                })
                .map(|(name_id, _, _)| name_id)
                .collect::<Vec<u32>>()
        });
        self.score_names(query, &prepared, candidates.into_iter(), threshold)
    }

    /// Scores every listed name: the reference the index is tested against.
    pub fn screen_exhaustive(&self, query: &Query, threshold: f64) -> Vec<Hit> {
        let prepared = PreparedName::new(&query.name, query.entity_type);
        self.score_names(query, &prepared, 0..self.names.len() as u32, threshold)
    }

    fn score_names(
        &self,
        query: &Query,
        prepared: &PreparedName,
        names: impl Iterator<Item = u32>,
        threshold: f64,
    ) -> Vec<Hit> {
        // Best name of each entry: (score, name id, pairs).
        let mut best: HashMap<u32, (f64, u32, Vec<WordPair>)> = HashMap::new();
        if !prepared.is_empty() {
            for name_id in names {
                let Some(name) = self.names.get(name_id as usize) else {
                    continue;
                };
                let Some((_, entry)) = self.entry(name.entry) else {
                    continue;
                };
                if !kinds_compatible(query.entity_type, entry.entity_type) {
                    continue;
                }
                let scored = compare(prepared, &name.prepared);
                // Corroboration can add at most this much, so a name further below the
                // threshold cannot become a hit.
                if scored.score + MAX_BONUS < threshold {
                    continue;
                }
                let slot = best
                    .entry(name.entry)
                    .or_insert((-1.0, name_id, Vec::new()));
                // Between names of one entry that score alike, the first listed wins, so the
                // result does not depend on the order candidates were found in.
                if scored.score > slot.0 || (scored.score == slot.0 && name_id < slot.1) {
                    *slot = (scored.score, name_id, scored.pairs);
                }
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .filter_map(|(global, (name_score, name_id, pairs))| {
                let name = self.names.get(name_id as usize)?;
                let hit = self.hit(query, global, name.alias, name_score, &pairs)?;
                (hit.score >= threshold).then_some(hit)
            })
            .collect();
        // An identity document number on both sides is a hit whatever the names say.
        for number in query.id_numbers.iter().map(|n| normalize_id_number(n)) {
            for &global in self.id_numbers.get(&number).into_iter().flatten() {
                if hits
                    .iter()
                    .any(|h| h.id_number_matches && self.same_entry(h, global))
                {
                    continue;
                }
                hits.retain(|h| !self.same_entry(h, global));
                let name_score = self.entry(global).map_or(0.0, |(_, entry)| {
                    entry
                        .names()
                        .map(|n| {
                            compare(prepared, &PreparedName::new(n, Some(entry.entity_type))).score
                        })
                        .fold(0.0, f64::max)
                });
                if let Some(hit) = self.hit(query, global, 0, name_score, &[]) {
                    hits.push(hit);
                }
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.list.cmp(&b.list))
                .then_with(|| a.entry_id.cmp(&b.entry_id))
        });
        hits
    }

    fn same_entry(&self, hit: &Hit, global: u32) -> bool {
        self.entry(global)
            .is_some_and(|(list, entry)| hit.list == list.version.id && hit.entry_id == entry.id)
    }

    fn hit(
        &self,
        query: &Query,
        global: u32,
        alias: u16,
        name_score: f64,
        pairs: &[WordPair],
    ) -> Option<Hit> {
        let (list, entry) = self.entry(global)?;
        let matched_name = entry.names().nth(alias as usize)?.to_string();
        let mut why = Vec::new();
        let mut score = name_score;
        if !pairs.is_empty() {
            let words: Vec<String> = pairs
                .iter()
                .map(|(_, listed, s)| {
                    if *s >= 1.0 {
                        format!("{listed} (exact)")
                    } else {
                        format!("{listed} ({s:.2})")
                    }
                })
                .collect();
            why.push(format!(
                "name {:.2} against {}: {}",
                name_score,
                if alias == 0 {
                    "the listed name"
                } else {
                    "an alias"
                },
                words.join(", ")
            ));
        }
        let birth_date_agrees = match query.birth_date {
            Some(d) if !entry.birth_dates.is_empty() => {
                Some(entry.birth_dates.iter().any(|b| b.admits(d)))
            }
            _ => None,
        };
        match birth_date_agrees {
            Some(true) => {
                score += DOB_AGREES;
                why.push("date of birth agrees".into());
            }
            Some(false) => {
                score -= DOB_DIFFERS;
                why.push("date of birth differs".into());
            }
            None => {}
        }
        let nationality_agrees = match query.nationality.as_deref().and_then(country) {
            Some(code) if !entry.nationalities.is_empty() => Some(
                entry
                    .nationalities
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&code)),
            ),
            _ => None,
        };
        match nationality_agrees {
            Some(true) => {
                score += NATIONALITY_AGREES;
                why.push("nationality agrees".into());
            }
            Some(false) => {
                score -= NATIONALITY_DIFFERS;
                why.push("nationality differs".into());
            }
            None => {}
        }
        if let (Some(q), EntityType::Vessel | EntityType::Aircraft) =
            (query.entity_type, entry.entity_type)
        {
            if q != entry.entity_type {
                score -= OTHER_KIND;
                why.push(
                    format!("listed as {:?}, screened as {q:?}", entry.entity_type).to_lowercase(),
                );
            }
        }
        let id_number_matches = query.id_numbers.iter().any(|n| {
            let n = normalize_id_number(n);
            n.len() >= MIN_ID_NUMBER_LEN && entry.id_numbers.iter().any(|i| i.number == n)
        });
        if id_number_matches {
            score = 1.0;
            why.push("identity document number matches the list entry".into());
        }
        Some(Hit {
            list: list.version.id.clone(),
            entry_id: entry.id.clone(),
            matched_name,
            listed_name: entry.name.clone(),
            entity_type: entry.entity_type,
            programs: entry.programs.clone(),
            score: round(score.clamp(0.0, 1.0)),
            name_score: round(name_score),
            birth_date_agrees,
            nationality_agrees,
            id_number_matches,
            why,
        })
    }
}

const DOB_AGREES: f64 = 0.05;
const DOB_DIFFERS: f64 = 0.15;
const NATIONALITY_AGREES: f64 = 0.02;
const NATIONALITY_DIFFERS: f64 = 0.05;
const OTHER_KIND: f64 = 0.05;
const MAX_BONUS: f64 = DOB_AGREES + NATIONALITY_AGREES;

/// Blocking keys are hashes already: use them as they are.
type KeyHash = std::hash::BuildHasherDefault<KeyHasher>;

#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// Per-thread accumulator of the candidates of one query: for each name touched, the words
/// of the query and of the name that shared a key. Dense arrays stamped with a generation, so
/// nothing is cleared between queries.
#[derive(Default)]
struct Scratch {
    generation: u32,
    stamp: Vec<u32>,
    masks: Vec<(u16, u16)>,
    touched: Vec<u32>,
    /// Words already compared with the current query word.
    unit: u32,
    word_stamp: Vec<u32>,
}

impl Scratch {
    fn start(&mut self, names: usize, words: usize) {
        if self.stamp.len() < names {
            self.stamp.resize(names, 0);
            self.masks.resize(names, (0, 0));
        }
        if self.word_stamp.len() < words {
            self.word_stamp.resize(words, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.touched.clear();
    }

    fn next_unit(&mut self) {
        self.unit = self.unit.wrapping_add(1);
        if self.unit == 0 {
            self.word_stamp.iter_mut().for_each(|s| *s = 0);
            self.unit = 1;
        }
    }

    fn first_visit(&mut self, word: u32) -> bool {
        match self.word_stamp.get_mut(word as usize) {
            Some(stamp) if *stamp != self.unit => {
                *stamp = self.unit;
                true
            }
            _ => false,
        }
    }

    fn add(&mut self, name: u32, query_mask: u16, listed_mask: u16) {
        let i = name as usize;
        let (Some(stamp), Some(masks)) = (self.stamp.get_mut(i), self.masks.get_mut(i)) else {
            return;
        };
        if *stamp != self.generation {
            *stamp = self.generation;
            *masks = (0, 0);
            self.touched.push(name);
        }
        masks.0 |= query_mask;
        masks.1 |= listed_mask;
    }

    fn touched(&self) -> impl Iterator<Item = (u32, u16, u16)> + '_ {
        self.touched.iter().map(|&n| {
            let (q, l) = self.masks.get(n as usize).copied().unwrap_or_default();
            (n, q, l)
        })
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A person is never a company, vessel or aircraft; companies, vessels and aircraft are
/// compared with each other at a small cost (a vessel is often named after its owner).
fn kinds_compatible(query: Option<EntityType>, listed: EntityType) -> bool {
    match query {
        None => true,
        Some(EntityType::Individual) => listed == EntityType::Individual,
        Some(_) => listed != EntityType::Individual,
    }
}

/// ISO 3166-1 alpha-2 of a nationality as documents give it (alpha-2, alpha-3 as in an MRZ,
/// or an English name).
fn country(text: &str) -> Option<String> {
    super::lists::country_code(text).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::lists;

    fn sample() -> Screener {
        Screener::new(lists::bundled().unwrap())
    }

    fn screen(name: &str, threshold: f64) -> Vec<Hit> {
        sample().screen(&Query::name(name), threshold)
    }

    #[test]
    fn word_order_and_case_do_not_hide_a_hit() {
        let hits = screen("Daniel Moreno", 0.9);
        assert_eq!(hits[0].entry_id, "15102");
        assert!(hits[0].score >= 0.99);
        assert!(hits[0].why[0].contains("MORENO") || hits[0].why[0].contains("moreno"));
    }

    #[test]
    fn typo_and_accents_still_match() {
        let hits = screen("Dmitriy Yurevich Khoroshév", 0.85);
        assert_eq!(
            hits.first().map(|h| h.entry_id.as_str()),
            Some("48603"),
            "{hits:?}"
        );
    }

    #[test]
    fn cyrillic_is_transliterated() {
        let hits = screen("Дмитрий Хорошев", 0.85);
        assert!(
            hits.iter().any(|h| h.listed_name.starts_with("KHOROSHEV")),
            "{hits:?}"
        );
    }

    #[test]
    fn birth_date_disagreement_weakens() {
        let s = sample();
        let mut q = Query::name("Daniel Moreno");
        q.birth_date = chrono::NaiveDate::from_ymd_opt(1972, 10, 12);
        let agree = s.screen(&q, 0.0);
        q.birth_date = chrono::NaiveDate::from_ymd_opt(1990, 1, 1);
        let differ = s.screen(&q, 0.0);
        assert_eq!(agree[0].birth_date_agrees, Some(true));
        assert!(differ[0].score < agree[0].score);
    }

    #[test]
    fn a_person_is_not_a_company() {
        let s = sample();
        let mut q = Query::name("Hesa Trade Center");
        assert!(!s.screen(&q, 0.85).is_empty());
        q.entity_type = Some(EntityType::Individual);
        assert!(s.screen(&q, 0.85).is_empty());
    }

    #[test]
    fn unrelated_name_is_clear() {
        assert!(screen("Margaret Thatcher", 0.85).is_empty());
    }

    #[test]
    fn index_agrees_with_exhaustive_on_the_sample() {
        let s = sample();
        for list in s.lists() {
            for entry in &list.entries {
                for name in entry.names() {
                    let q = Query::name(name);
                    assert_eq!(s.screen(&q, 0.7), s.screen_exhaustive(&q, 0.7), "{name}");
                }
            }
        }
    }
}
