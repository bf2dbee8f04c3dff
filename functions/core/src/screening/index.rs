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
    compare, compare_known, compare_score_with, edits_may_match, lengths_may_match,
    letter_sets_may_match, n_runs, prepare_token, score_bound, share_bound, share_bound_by,
    token_similarity, KnownSimilarities, ListedName, Pairing, PreparedName, PreparedToken,
    WordComparator, WordPair,
};
use super::{normalize_id_number, EntityType, Hit, ListEntry, ListVersion, Query, SanctionsList};

/// An ID number shorter than this is too likely to collide to be a hit on its own.
const MIN_ID_NUMBER_LEN: usize = 5;

/// What the candidate search needs to know of a word before looking at it: kept apart from
/// the words, 16 bytes each, so that scanning a posting reads little memory.
#[derive(Debug, Clone, Copy)]
pub(super) struct WordMeta {
    pub(super) letters: u64,
    pub(super) len: u32,
    pub(super) is_run: bool,
    pub(super) vowel_poor: bool,
}

impl WordMeta {
    /// Order within a posting: vowel-poor words (compared whatever their length), then
    /// single words, then runs, each by length.
    fn order(&self) -> (bool, bool, u32) {
        (!self.vowel_poor, self.is_run, self.len)
    }
}

/// A listed name, prepared: its units (words, then runs) are numbers in the screener's
/// table of prepared words, `Screener::name_units[start..start + units]`.
#[derive(Debug)]
pub(super) struct IndexedName {
    pub(super) entry: u32,
    /// Index into the entry's `names()`: 0 is the primary name.
    pub(super) alias: u16,
    pub(super) entity_type: EntityType,
    /// Number of words (at most `MAX_TOKENS`).
    pub(super) tokens: u8,
    pub(super) initials: u8,
    pub(super) keyed_mask: u16,
    pub(super) bins: u16,
    pub(super) start: u32,
    pub(super) total_weight: f64,
}

impl IndexedName {
    /// Number of units: words and runs.
    pub(super) fn units(&self) -> usize {
        let n = usize::from(self.tokens);
        n + n_runs(n)
    }

    fn unit_range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.units()
    }
}

pub(super) const NO_WORD: u32 = u32::MAX;

/// The loaded lists with their search index; built once per process.
#[derive(Debug)]
pub struct Screener {
    /// Tells this screener's cached word lookups from another's (lists reloaded).
    pub(super) id: u64,
    pub(super) lists: Vec<SanctionsList>,
    /// Global entry number → (list, entry in list).
    pub(super) entries: Vec<(u16, u32)>,
    pub(super) names: Vec<IndexedName>,
    /// The units of every name, a table number each (`ListedName`).
    pub(super) name_units: Vec<u32>,
    /// Beside `name_units`: the word (or run) each unit is filed as; `NO_WORD` for units
    /// that are not filed (initials, particles).
    pub(super) unit_words: Vec<u32>,
    /// Beside `name_units`: the weight of each unit's token.
    pub(super) unit_weights: Vec<f64>,
    /// Prepared tokens of names that are not the index's words (initials, particles, runs
    /// weighed otherwise): table number `words.len() + i`.
    pub(super) extras: Vec<PreparedToken>,
    /// Every distinct word (or run of words written together) of the listed names, with the
    /// script flag it was written with.
    pub(super) words: Vec<PreparedToken>,
    pub(super) meta: Vec<WordMeta>,
    /// Where word `w` occurs: `occurrences[occurrence_starts[w]..occurrence_starts[w + 1]]`,
    /// each (name, mask of the name's words it stands for), names in order.
    pub(super) occurrence_starts: Vec<u32>,
    pub(super) occurrences: Vec<(u32, u16)>,
    /// Blocking key → its range of `posting_words`, ordered by `WordMeta::order`.
    pub(super) postings: HashMap<u64, (u32, u32), KeyHash>,
    pub(super) posting_words: Vec<u32>,
    pub(super) id_numbers: HashMap<String, Vec<u32>>,
    /// The similar listed words of every listed single word, worked out when the index is
    /// saved (empty in a screener built from the lists).
    pub(super) neighbours: Neighbours,
}

/// What `Screener::similar_words` finds for each listed single word, found once when the
/// index is saved: a screened word that is a listed word (given names, family names, most
/// words of a listed name) then costs a lookup from the first query, as a warm cache would.
/// The answer is the search's own, so the hits are the same with or without it.
#[derive(Debug, Default)]
pub(super) struct Neighbours {
    /// (`text_key` of the word, word) of every single (not run) word, in order: how a
    /// screened word finds its listed twin (a binary search over one array).
    pub(super) by_text: Vec<(u64, u32)>,
    /// The similar words of the word at `by_text[i]` are `similar[starts[i]..starts[i + 1]]`.
    pub(super) starts: Vec<u32>,
    pub(super) similar: Vec<(u32, f64)>,
}

/// Extras are numbered from here while the index is built (the words are not all known yet).
const EXTRA_BASE: u32 = 1 << 31;

/// Whether two prepared tokens are the same in every field scoring reads.
pub(super) fn same_token(a: &PreparedToken, b: &PreparedToken) -> bool {
    a.token == b.token
        && a.weight.to_bits() == b.weight.to_bits()
        && a.keys == b.keys
        && a.letters == b.letters
        && a.numeric == b.numeric
}

/// A prepared token as a map key: every field of it.
#[derive(PartialEq, Eq, Hash)]
struct TokenKey {
    text: std::sync::Arc<str>,
    flags: (bool, bool, bool),
    weight: u64,
    keys: [u64; 5],
    letters: u64,
}

impl TokenKey {
    fn of(t: &PreparedToken) -> Self {
        Self {
            text: t.token.text.clone(),
            flags: (t.token.vowel_poor, t.token.particle, t.numeric),
            weight: t.weight.to_bits(),
            keys: t.keys,
            letters: t.letters,
        }
    }
}

/// The neighbours of a range of words: each word's count, then all of them in word order.
type NeighboursPart = (Vec<u32>, Vec<(u32, f64)>);

/// A word's text and script flag hashed (FNV-1a): the order of `Neighbours::by_text`, saved
/// with the index, so it must not change between builds that share the index's fingerprint.
pub(super) fn text_key(word: &PreparedToken) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in std::iter::once(u8::from(word.token.vowel_poor)).chain(word.token.text.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A new screener's id (see `Screener::id`).
pub(super) fn next_screener_id() -> u64 {
    static SCREENERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    SCREENERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A word's distinct non-zero blocking keys.
fn distinct_keys(keys: &[u64; 5]) -> impl Iterator<Item = u64> + '_ {
    keys.iter()
        .enumerate()
        .filter(|(i, k)| **k != 0 && !keys[..*i].contains(k))
        .map(|(_, k)| *k)
}

impl Screener {
    pub fn new(lists: Vec<SanctionsList>) -> Self {
        let listed_names: usize = lists
            .iter()
            .flat_map(|l| &l.entries)
            .map(|e| 1 + e.aliases.len())
            .sum();
        let mut entries = Vec::new();
        let mut names = Vec::with_capacity(listed_names);
        let mut name_units: Vec<u32> = Vec::with_capacity(listed_names * 6);
        let mut all_unit_words: Vec<u32> = Vec::with_capacity(listed_names * 6);
        let mut unit_weights: Vec<f64> = Vec::with_capacity(listed_names * 6);
        let mut extras: Vec<PreparedToken> = Vec::new();
        let mut extra_ids: HashMap<TokenKey, u32, FastHash> = HashMap::default();
        let mut words: Vec<PreparedToken> = Vec::new();
        let mut meta: Vec<WordMeta> = Vec::new();
        // Words by (flags, text), to find each distinct word once; `key` is reused so that a
        // word seen before costs no allocation.
        let mut word_ids: HashMap<String, u32, FastHash> = HashMap::default();
        let mut prepared_words: HashMap<String, PreparedToken, FastHash> = HashMap::default();
        let mut key = String::new();
        // (word, name, mask) of every keyed word and run of every name, in name order.
        let mut found: Vec<(u32, u32, u16)> = Vec::with_capacity(listed_names * 6);
        let mut id_numbers: HashMap<String, Vec<u32>> = HashMap::new();
        let flagged = |key: &mut String, text: &str, vowel_poor: bool, is_run: bool| {
            key.clear();
            key.push(match (vowel_poor, is_run) {
                (false, false) => '0',
                (true, false) => '1',
                (false, true) => '2',
                (true, true) => '3',
            });
            key.push_str(text);
        };
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
                            flagged(&mut key, &token.text, token.vowel_poor, false);
                            if let Some(prepared) = prepared_words.get(key.as_str()) {
                                // The same text, so the same word: its keys, not a copy of
                                // its text.
                                return PreparedToken {
                                    token,
                                    weight: prepared.weight,
                                    keys: prepared.keys,
                                    letters: prepared.letters,
                                    numeric: prepared.numeric,
                                };
                            }
                            let prepared = prepare_token(token);
                            prepared_words.insert(key.clone(), prepared.clone());
                            prepared
                        });
                    if prepared.is_empty() {
                        continue;
                    }
                    let name_id = names.len() as u32;
                    let start = name_units.len();
                    let mut unit_words = vec![NO_WORD; prepared.unit_count()];
                    for (unit, token, mask, is_run) in prepared.numbered_keyed_units() {
                        flagged(&mut key, &token.token.text, token.token.vowel_poor, is_run);
                        let id = match word_ids.get(key.as_str()) {
                            Some(id) => *id,
                            None => {
                                let id = words.len() as u32;
                                words.push(token.clone());
                                meta.push(WordMeta {
                                    letters: token.letters,
                                    len: token.token.text.len() as u32,
                                    is_run,
                                    vowel_poor: token.token.vowel_poor,
                                });
                                word_ids.insert(key.clone(), id);
                                id
                            }
                        };
                        found.push((id, name_id, mask));
                        if let Some(slot) = unit_words.get_mut(unit) {
                            *slot = id;
                        }
                    }
                    // Each unit by table number: the word it is filed as when that is the same
                    // token, else a token of its own (one for all names that hold it).
                    for (unit, token) in prepared.units_in_order().enumerate() {
                        let filed = unit_words.get(unit).copied().unwrap_or(NO_WORD);
                        let id = match words.get(filed as usize) {
                            Some(word) if same_token(word, token) => filed,
                            _ => {
                                let key = TokenKey::of(token);
                                *extra_ids.entry(key).or_insert_with(|| {
                                    extras.push(token.clone());
                                    (extras.len() - 1) as u32
                                }) + EXTRA_BASE
                            }
                        };
                        name_units.push(id);
                        unit_weights.push(token.weight);
                    }
                    all_unit_words.extend_from_slice(&unit_words);
                    names.push(IndexedName {
                        entry: global,
                        alias: alias as u16,
                        entity_type: entry.entity_type,
                        tokens: prepared.tokens.len() as u8,
                        initials: prepared.initials as u8,
                        keyed_mask: prepared.keyed_mask,
                        bins: prepared.bins,
                        start: start as u32,
                        total_weight: prepared.total_weight,
                    });
                }
            }
        }
        drop(word_ids);
        drop(prepared_words);
        drop(extra_ids);
        // Extras are numbered after the words, whose count is known only now.
        let word_count = words.len() as u32;
        for id in &mut name_units {
            if *id >= EXTRA_BASE {
                *id = *id - EXTRA_BASE + word_count;
            }
        }

        // Occurrences grouped by word (a counting sort: names stay in order), the masks of
        // a word found twice in one name merged.
        let mut occurrence_starts = vec![0u32; words.len() + 1];
        for &(word, _, _) in &found {
            if let Some(count) = occurrence_starts.get_mut(word as usize + 1) {
                *count += 1;
            }
        }
        for i in 1..occurrence_starts.len() {
            occurrence_starts[i] += occurrence_starts[i - 1];
        }
        let mut cursor = occurrence_starts.clone();
        let mut placed = vec![(0u32, 0u16); found.len()];
        for &(word, name, mask) in &found {
            if let Some(at) = cursor.get_mut(word as usize) {
                if let Some(slot) = placed.get_mut(*at as usize) {
                    *slot = (name, mask);
                }
                *at += 1;
            }
        }
        drop(found);
        let mut occurrences: Vec<(u32, u16)> = Vec::with_capacity(placed.len());
        let mut starts = Vec::with_capacity(occurrence_starts.len());
        for window in occurrence_starts.windows(2) {
            starts.push(occurrences.len() as u32);
            let from = occurrences.len();
            for &(name, mask) in placed
                .get(window[0] as usize..window[1] as usize)
                .unwrap_or_default()
            {
                let merged = occurrences.len() > from;
                match occurrences.last_mut() {
                    Some((n, m)) if merged && *n == name => *m |= mask,
                    _ => occurrences.push((name, mask)),
                }
            }
        }
        starts.push(occurrences.len() as u32);
        drop(placed);
        let occurrence_starts = starts;

        // Postings: each word under each of its keys, in `WordMeta::order` within a key.
        let mut order: Vec<u32> = (0..words.len() as u32).collect();
        order.sort_by_key(|&w| meta.get(w as usize).map(WordMeta::order));
        let mut postings: HashMap<u64, (u32, u32), KeyHash> =
            HashMap::with_capacity_and_hasher(words.len() * 2, KeyHash::default());
        let mut total = 0u32;
        for word in &words {
            for key in distinct_keys(&word.keys) {
                postings.entry(key).or_default().1 += 1;
                total += 1;
            }
        }
        let mut next = 0u32;
        for range in postings.values_mut() {
            let count = range.1;
            *range = (next, next);
            next += count;
        }
        let mut posting_words = vec![0u32; total as usize];
        for &w in &order {
            let Some(word) = words.get(w as usize) else {
                continue;
            };
            for key in distinct_keys(&word.keys) {
                if let Some(range) = postings.get_mut(&key) {
                    if let Some(slot) = posting_words.get_mut(range.1 as usize) {
                        *slot = w;
                    }
                    range.1 += 1;
                }
            }
        }
        postings.shrink_to_fit();
        words.shrink_to_fit();
        meta.shrink_to_fit();
        names.shrink_to_fit();
        name_units.shrink_to_fit();
        all_unit_words.shrink_to_fit();
        unit_weights.shrink_to_fit();
        extras.shrink_to_fit();
        Self {
            id: next_screener_id(),
            lists,
            entries,
            names,
            name_units,
            unit_words: all_unit_words,
            unit_weights,
            extras,
            words,
            meta,
            occurrence_starts,
            occurrences,
            postings,
            posting_words,
            id_numbers,
            neighbours: Neighbours::default(),
        }
    }

    /// The similar listed words of every listed single word (see `Neighbours`), searched on
    /// every core: about two billion instructions for the full OFAC and UN lists, paid when
    /// the index is saved, not at a cold start.
    pub(super) fn find_neighbours(&self) -> Neighbours {
        let mut by_text: Vec<(u64, u32)> = self
            .words
            .iter()
            .zip(&self.meta)
            .zip(0u32..)
            .filter(|((_, meta), _)| !meta.is_run)
            .map(|((word, _), w)| (text_key(word), w))
            .collect();
        by_text.sort_unstable();
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = by_text.len().div_ceil(threads).max(1);
        let parts: Option<Vec<NeighboursPart>> = std::thread::scope(|scope| {
            let workers: Vec<_> = by_text
                .chunks(chunk)
                .map(|words| scope.spawn(move || self.neighbours_of(words)))
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().ok())
                .collect()
        });
        // A worker that failed leaves no table: screening then searches, as without one.
        let Some(parts) = parts else {
            return Neighbours::default();
        };
        let mut starts = Vec::with_capacity(by_text.len() + 1);
        let mut similar = Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum());
        let mut next = 0u32;
        for (counts, found) in parts {
            for count in counts {
                starts.push(next);
                next += count;
            }
            similar.extend(found);
        }
        starts.push(next);
        Neighbours {
            by_text,
            starts,
            similar,
        }
    }

    /// `find_neighbours` for some of `by_text`: each word's count of similar words, and all
    /// of them in turn.
    fn neighbours_of(&self, words: &[(u64, u32)]) -> NeighboursPart {
        let mut stamps = WordStamps::default();
        let mut counts = Vec::with_capacity(words.len());
        let mut similar = Vec::new();
        for &(_, w) in words {
            match self.words.get(w as usize) {
                Some(word) => {
                    let found = self.similar_words(word, false, &mut stamps);
                    counts.push(found.len() as u32);
                    similar.extend(found);
                }
                None => counts.push(0),
            }
        }
        (counts, similar)
    }

    /// A listed name as scoring reads it.
    pub(super) fn listed(&self, name: &IndexedName) -> ListedName<'_> {
        ListedName {
            units: self.name_units.get(name.unit_range()).unwrap_or_default(),
            weights: self.unit_weights.get(name.unit_range()).unwrap_or_default(),
            tokens: usize::from(name.tokens),
            words: &self.words,
            extras: &self.extras,
            total_weight: name.total_weight,
            keyed_mask: name.keyed_mask,
            initials: usize::from(name.initials),
            bins: name.bins,
        }
    }

    /// `share_bound` of a listed name, read from its weights alone (for every name touched).
    fn listed_share_bound(&self, name: &IndexedName, mask: u16, other_initials: usize) -> f64 {
        let start = name.start as usize;
        let weights = self.unit_weights.get(start..).unwrap_or_default();
        share_bound_by(
            usize::from(name.tokens),
            name.keyed_mask,
            name.total_weight,
            |i| weights.get(i).copied(),
            mask,
            other_initials,
        )
    }

    /// The word each unit of a listed name is filed as (`NO_WORD` where none).
    fn unit_words(&self, name: &IndexedName) -> &[u32] {
        self.unit_words.get(name.unit_range()).unwrap_or_default()
    }

    /// The similar listed words of a screened single word that is a listed word, from the
    /// saved neighbours; `None` when the screener has none or the word is not listed.
    fn listed_neighbours(&self, unit: &PreparedToken) -> Option<&[(u32, f64)]> {
        let n = &self.neighbours;
        if n.starts.is_empty() {
            return None;
        }
        let key = text_key(unit);
        let first = n.by_text.partition_point(|&(k, _)| k < key);
        let same_key = n
            .by_text
            .get(first..)?
            .iter()
            .take_while(|&&(k, _)| k == key);
        for (at, &(_, w)) in (first..).zip(same_key) {
            let Some(word) = self.words.get(w as usize) else {
                continue;
            };
            // The same in everything the search reads, or its answer would not stand for
            // this one.
            let same = word.token == unit.token
                && word.keys == unit.keys
                && word.letters == unit.letters
                && word.numeric == unit.numeric;
            if same {
                let (from, to) = (*n.starts.get(at)?, *n.starts.get(at + 1)?);
                return n.similar.get(from as usize..to as usize);
            }
        }
        None
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
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            scratch.start(self.names.len(), self.words.len());
            // Single words come before runs, so that what the single words are is known when
            // their runs are looked at.
            for (unit_number, unit, query_mask, unit_is_run) in prepared.numbered_keyed_units() {
                let Scratch {
                    words,
                    known,
                    names,
                    exact,
                    ..
                } = &mut *scratch;
                let listed = if unit_is_run {
                    None
                } else {
                    self.listed_neighbours(unit)
                };
                let similar_words = match listed {
                    Some(similar) => similar,
                    None => words.similar(self.id, unit, unit_is_run, |stamps| {
                        self.similar_words(unit, unit_is_run, stamps)
                    }),
                };
                if !unit_is_run {
                    exact.extend(
                        similar_words
                            .iter()
                            .filter(|&&(word_id, similarity)| {
                                similarity >= 1.0
                                    && self.meta.get(word_id as usize).is_some_and(|m| !m.is_run)
                            })
                            .map(|&(word_id, _)| (unit_number, word_id)),
                    );
                }
                let unit_exact = || exact.iter().filter(move |(unit, _)| *unit == unit_number);
                for &(word_id, similarity) in similar_words {
                    let exact_singles = known.add(
                        word_id,
                        unit_number,
                        similarity,
                        if !unit_is_run && similarity >= 1.0 {
                            query_mask
                        } else {
                            0
                        },
                    );
                    // Names are touched only through pairings the alignment can make: they
                    // alone can credit words in the bound below. A pairing is never made when
                    // a better one within both its sides exists (taken first, it or what took
                    // its place holds a word of each side); here, a single word of the query
                    // equal to a listed word beats a run over it on either side (a query run
                    // holding it against that listed word, or it against a listed run
                    // holding that word). The similarity is kept for scoring all the same.
                    if unit_is_run && similarity < 1.0 && exact_singles & query_mask != 0 {
                        continue;
                    }
                    let listed_run = similarity < 1.0
                        && !unit_is_run
                        && self.meta.get(word_id as usize).is_some_and(|m| m.is_run)
                        && unit_exact().next().is_some();
                    let from = self.occurrence_starts.get(word_id as usize).copied();
                    let to = self.occurrence_starts.get(word_id as usize + 1).copied();
                    let (Some(from), Some(to)) = (from, to) else {
                        continue;
                    };
                    for &(name_id, listed_mask) in self
                        .occurrences
                        .get(from as usize..to as usize)
                        .unwrap_or_default()
                    {
                        if listed_run
                            && self.run_over_exact_word(
                                name_id,
                                listed_mask,
                                unit_exact().map(|&(_, word)| word),
                            )
                        {
                            continue;
                        }
                        names.touch(name_id, query_mask, listed_mask);
                    }
                }
            }
            // The query's side of the bound below depends only on its mask and the listed
            // name's initials, alike for most names touched: the last one worked out is kept.
            let mut last_query_share: Option<(u16, usize, f64)> = None;
            let mut query_share = |query_mask: u16, listed_initials: usize| match last_query_share {
                Some((mask, initials, share))
                    if mask == query_mask && initials == listed_initials =>
                {
                    share
                }
                _ => {
                    let share = share_bound(&prepared, query_mask, listed_initials);
                    last_query_share = Some((query_mask, listed_initials, share));
                    share
                }
            };
            // Only names that could still reach the threshold are scored: each side's share
            // of matched weight is bounded by the words that shared a key.
            let mut candidates: Vec<u32> = scratch
                .names
                .touched()
                .filter(|(name_id, query_mask, listed_mask)| {
                    self.names.get(*name_id as usize).is_some_and(|name| {
                        kinds_compatible(query.entity_type, name.entity_type)
                            && score_bound(
                                query_share(*query_mask, usize::from(name.initials)),
                                self.listed_share_bound(name, *listed_mask, prepared.initials),
                            ) + MAX_BONUS
                                >= threshold
                    })
                })
                .map(|(name_id, _, _)| name_id)
                .collect();
            // In name order, so that the names of one entry come together.
            candidates.sort_unstable();
            let Scratch {
                known, pairings, ..
            } = &mut *scratch;
            known.finish();
            self.score_names(
                query,
                &prepared,
                candidates.into_iter(),
                threshold,
                Some((known, pairings)),
            )
        })
    }

    /// Whether the listed run of name `name_id` over the words of `run_mask` holds one of
    /// `exact_words` (the listed words a screened word is, exactly) as one of its words: then
    /// that screened word paired with the run is never aligned, as the exact pair of the
    /// screened word with that word comes first and takes one side or the other. Only a run
    /// known to be one (two words, or the middle of three) is judged: the mask of a run word
    /// found twice in a name covers both.
    fn run_over_exact_word(
        &self,
        name_id: u32,
        run_mask: u16,
        exact_words: impl Iterator<Item = u32> + Clone,
    ) -> bool {
        let Some(name) = self.names.get(name_id as usize) else {
            return false;
        };
        let first = run_mask.trailing_zeros() as usize;
        let words_to_check = match run_mask.count_ones() {
            // Two words: one run.
            2 => run_mask,
            // Three words in a row: one run of three, or two of two sharing the middle.
            3 if run_mask >> first == 0b111 => 1 << (first + 1),
            _ => return false,
        };
        let mut left = words_to_check;
        while left != 0 {
            let at = left.trailing_zeros() as usize;
            if self
                .unit_words(name)
                .get(at)
                .is_some_and(|word| exact_words.clone().any(|exact| exact == *word))
            {
                return true;
            }
            left &= left - 1;
        }
        false
    }

    /// The listed words similar to a screened word (or run), with their similarity: the
    /// words that share a blocking key with it, within the lengths and letters that can
    /// still match, compared. `stamps` marks the words already compared.
    fn similar_words(
        &self,
        unit: &PreparedToken,
        unit_is_run: bool,
        stamps: &mut WordStamps,
    ) -> Vec<(u32, f64)> {
        stamps.next_unit(self.words.len());
        let mut found = Vec::new();
        // Built on the first word that passes the filters: a screened word none passes needs
        // no edit distance state (a zeroed table).
        let mut comparator = None;
        let unit_len = unit.token.text.len();
        let mut counts = LetterCounts::new(unit.token.text.as_bytes());
        // Lengths a word can have and still be similar, when neither word is
        // written in a vowel-poor script (those compare by consonants).
        let shortest = (1..=unit_len)
            .find(|&l| lengths_may_match(unit_len, l))
            .unwrap_or(unit_len) as u32;
        let longest = (unit_len..=4 * unit_len + 8)
            .rev()
            .find(|&l| lengths_may_match(unit_len, l))
            .unwrap_or(unit_len) as u32;
        for key in distinct_keys(&unit.keys) {
            let Some(&(from, to)) = self.postings.get(&key) else {
                continue;
            };
            let posting = self
                .posting_words
                .get(from as usize..to as usize)
                .unwrap_or_default();
            let meta = |w: &u32| self.meta.get(*w as usize);
            let vowel_poor_end = posting.partition_point(|w| meta(w).is_some_and(|m| m.vowel_poor));
            let (vowel_poor, rest) = posting.split_at(vowel_poor_end);
            let runs_start = rest.partition_point(|w| meta(w).is_some_and(|m| !m.is_run));
            let (singles, runs) = rest.split_at(runs_start);
            let window = |words: &'_ [u32]| -> std::ops::Range<usize> {
                if unit.token.vowel_poor {
                    return 0..words.len();
                }
                let low = words.partition_point(|w| meta(w).is_some_and(|m| m.len < shortest));
                let high = words.partition_point(|w| meta(w).is_some_and(|m| m.len <= longest));
                low..high.max(low)
            };
            let singles = singles.get(window(singles)).unwrap_or_default();
            // A run is never compared with a run.
            let runs = if unit_is_run {
                &[][..]
            } else {
                runs.get(window(runs)).unwrap_or_default()
            };
            for &word_id in vowel_poor.iter().chain(singles).chain(runs) {
                let Some(word_meta) = self.meta.get(word_id as usize) else {
                    continue;
                };
                if (unit_is_run && word_meta.is_run) || !stamps.first_visit(word_id) {
                    continue;
                }
                // The letters either word lacks rule most out before any distance
                // (exactly as `token_similarity` would).
                if !unit.token.vowel_poor
                    && !word_meta.vowel_poor
                    && !letter_sets_may_match(
                        unit_len,
                        unit.letters,
                        word_meta.len as usize,
                        word_meta.letters,
                    )
                {
                    continue;
                }
                // The same pairs `compare` would make: only words similar at all.
                let Some(word) = self.words.get(word_id as usize) else {
                    continue;
                };
                // Letter counts, not just letter sets: each surplus letter of either word
                // costs an edit (a transposition moves none), so a pair this rules out has a
                // distance beyond the edit floor and `token_similarity` 0.
                if !unit.token.vowel_poor
                    && !word_meta.vowel_poor
                    && !counts.may_match(word.token.text.as_bytes())
                {
                    continue;
                }
                let similarity = comparator
                    .get_or_insert_with(|| WordComparator::new(unit))
                    .similarity(word);
                if similarity <= 0.0 {
                    continue;
                }
                found.push((word_id, similarity));
            }
        }
        found
    }

    /// Scores every listed name: the reference the index is tested against.
    pub fn screen_exhaustive(&self, query: &Query, threshold: f64) -> Vec<Hit> {
        let prepared = PreparedName::new(&query.name, query.entity_type);
        self.score_names(
            query,
            &prepared,
            0..self.names.len() as u32,
            threshold,
            None,
        )
    }

    /// Scores `names` (ascending, so that the names of an entry come together). `known`:
    /// the similarities of query units and listed words found by the index (any pair of
    /// filed units not in it is not similar), with working memory; without it every pair is
    /// compared.
    fn score_names(
        &self,
        query: &Query,
        prepared: &PreparedName,
        names: impl Iterator<Item = u32>,
        threshold: f64,
        mut known: Option<(&KnownWords, &mut Vec<Pairing>)>,
    ) -> Vec<Hit> {
        // Best name of each entry: (entry, score, name id).
        let mut best: Vec<(u32, f64, u32)> = Vec::new();
        if !prepared.is_empty() {
            for name_id in names {
                let Some(name) = self.names.get(name_id as usize) else {
                    continue;
                };
                if !kinds_compatible(query.entity_type, name.entity_type) {
                    continue;
                }
                let listed = self.listed(name);
                let score = match known.as_mut() {
                    Some((words, buffer)) => compare_known(
                        prepared,
                        &listed,
                        &NameWords {
                            unit_words: self.unit_words(name),
                            words,
                        },
                        buffer,
                        None,
                    ),
                    None => compare_score_with(prepared, &listed, &mut |_, a, _, b| {
                        token_similarity(a, b)
                    }),
                };
                // Corroboration can add at most this much, so a name further below the
                // threshold cannot become a hit.
                if score + MAX_BONUS < threshold {
                    continue;
                }
                match best.last_mut() {
                    // Between names of one entry that score alike, the first listed wins, so
                    // the result does not depend on the order candidates were found in.
                    Some(slot) if slot.0 == name.entry => {
                        if score > slot.1 || (score == slot.1 && name_id < slot.2) {
                            *slot = (name.entry, score, name_id);
                        }
                    }
                    _ => best.push((name.entry, score, name_id)),
                }
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .filter_map(|(global, name_score, name_id)| {
                let name = self.names.get(name_id as usize)?;
                // The words that matched, named only for the names that may be hits.
                let pairs = match known.as_mut() {
                    Some((words, buffer)) => {
                        let mut pairs = Vec::new();
                        compare_known(
                            prepared,
                            &self.listed(name),
                            &NameWords {
                                unit_words: self.unit_words(name),
                                words,
                            },
                            buffer,
                            Some(&mut pairs),
                        );
                        pairs
                    }
                    None => compare(prepared, &self.listed(name)).pairs,
                };
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
            use std::fmt::Write;
            let mut line = format!(
                "name {:.2} against {}: ",
                name_score,
                if alias == 0 {
                    "the listed name"
                } else {
                    "an alias"
                }
            );
            for (i, (_, listed, s)) in pairs.iter().enumerate() {
                if i > 0 {
                    line.push_str(", ");
                }
                // Writing to a String cannot fail.
                let _ = if *s >= 1.0 {
                    write!(line, "{listed} (exact)")
                } else {
                    write!(line, "{listed} ({s:.2})")
                };
            }
            why.push(line);
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
pub(super) type KeyHash = std::hash::BuildHasherDefault<KeyHasher>;

#[derive(Default)]
pub(super) struct KeyHasher(u64);

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

/// FxHash (as in rustc) for the build's string-keyed maps: the words are the lists' own,
/// loaded from the operator's files, so SipHash's protection against chosen keys buys
/// nothing and costs a tenth of the cold start.
pub(super) type FastHash = std::hash::BuildHasherDefault<FxHasher>;

#[derive(Default)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
    }
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// The bytes of a screened word counted, to bound the edit distance to another word from
/// below by the letters either has more of than the other (a multiset difference: a
/// substitution, insertion or deletion changes it by one letter a side at most, a
/// transposition not at all).
struct LetterCounts {
    len: usize,
    counts: [u16; 256],
    /// Working counts of the other word; left all zero after each use.
    seen: [u16; 256],
}

impl LetterCounts {
    fn new(word: &[u8]) -> Self {
        let mut counts = [0u16; 256];
        for &b in word {
            let c = &mut counts[usize::from(b)];
            *c = c.saturating_add(1);
        }
        Self {
            len: word.len(),
            counts,
            seen: [0; 256],
        }
    }

    /// Whether `other` can be within the edit floor of the word for all its letter counts.
    fn may_match(&mut self, other: &[u8]) -> bool {
        // Letters of `other` beyond the word's count of them.
        let mut surplus = 0usize;
        for &b in other {
            let seen = &mut self.seen[usize::from(b)];
            *seen = seen.saturating_add(1);
            if *seen > self.counts[usize::from(b)] {
                surplus += 1;
            }
        }
        for &b in other {
            self.seen[usize::from(b)] = 0;
        }
        // The word's own surplus: its length less the letters the two have in common.
        let common = other.len() - surplus;
        let lacking = self.len.saturating_sub(common);
        edits_may_match(surplus.max(lacking), self.len, other.len())
    }
}

/// Per-thread working memory of a query: the names it touched, the similar words found, and
/// the cache of each screened word's similar listed words.
#[derive(Default)]
struct Scratch {
    names: NameMarks,
    words: WordCache,
    /// The query units similar to each listed word found.
    known: KnownWords,
    /// Working memory of `compare_known`.
    pairings: Vec<Pairing>,
    /// (query unit, listed word) of each single word of the query and a listed word it is
    /// exactly.
    exact: Vec<(usize, u32)>,
}

impl Scratch {
    fn start(&mut self, names: usize, words: usize) {
        self.names.start(names);
        self.known.start(words);
        self.exact.clear();
    }
}

/// For each listed word found similar to a unit of the query, the query units it is similar
/// to, with their similarity: one slot per listed word, stamped with a generation so that
/// nothing is cleared between queries.
#[derive(Default)]
struct KnownWords {
    generation: u32,
    /// By listed word: (generation, start, end) in `units`; while finding, `end` counts.
    slots: Vec<(u32, u32, u32)>,
    /// By listed word, valid with its slot: the single words of the query that are it
    /// exactly, a bit each.
    exact_singles: Vec<u16>,
    /// (listed word, query unit, similarity) as found.
    found: Vec<(u32, u16, f64)>,
    /// The listed words found, each once.
    words: Vec<u32>,
    /// `found` grouped by listed word (a counting sort).
    units: Vec<(u16, f64)>,
}

impl KnownWords {
    fn start(&mut self, words: usize) {
        if self.slots.len() < words {
            self.slots.resize(words, (0, 0, 0));
            self.exact_singles.resize(words, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.iter_mut().for_each(|s| s.0 = 0);
            self.generation = 1;
        }
        self.found.clear();
        self.words.clear();
        self.units.clear();
    }

    /// Records that query unit `unit` is similar to listed word `word`; `exact_singles`: the
    /// query's single words it is exactly (empty unless `unit` is one of them, at 1). Returns
    /// every single word of the query found so far to be the listed word exactly.
    fn add(&mut self, word: u32, unit: usize, similarity: f64, exact_singles: u16) -> u16 {
        let (Some(slot), Some(exact)) = (
            self.slots.get_mut(word as usize),
            self.exact_singles.get_mut(word as usize),
        ) else {
            return 0;
        };
        if slot.0 != self.generation {
            *slot = (self.generation, 0, 0);
            *exact = 0;
            self.words.push(word);
        }
        slot.2 += 1;
        *exact |= exact_singles;
        self.found.push((word, unit as u16, similarity));
        *exact
    }

    /// Groups what was found by listed word.
    fn finish(&mut self) {
        let mut next = 0u32;
        for &word in &self.words {
            if let Some(slot) = self.slots.get_mut(word as usize) {
                let count = slot.2;
                (slot.1, slot.2) = (next, next);
                next += count;
            }
        }
        self.units.resize(self.found.len(), (0, 0.0));
        for &(word, unit, similarity) in &self.found {
            if let Some(slot) = self.slots.get_mut(word as usize) {
                if let Some(place) = self.units.get_mut(slot.2 as usize) {
                    *place = (unit, similarity);
                }
                slot.2 += 1;
            }
        }
    }

    /// The query units similar to listed word `word`.
    fn of(&self, word: u32) -> &[(u16, f64)] {
        match self.slots.get(word as usize) {
            Some(&(generation, start, end)) if generation == self.generation => self
                .units
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }
}

/// A candidate name's filed words with what the index found of them.
struct NameWords<'a> {
    unit_words: &'a [u32],
    words: &'a KnownWords,
}

impl KnownSimilarities for NameWords<'_> {
    fn similar_query_units(&self, listed_unit: usize) -> Option<&[(u16, f64)]> {
        match self.unit_words.get(listed_unit) {
            Some(&word) if word != NO_WORD => Some(self.words.of(word)),
            _ => None,
        }
    }
}

/// For each name touched by a query, the words of the query and of the name that were found
/// similar. Dense arrays stamped with a generation, so nothing is cleared between queries.
#[derive(Default)]
struct NameMarks {
    generation: u32,
    /// By name: (generation, query mask, listed mask), side by side so that a touch reads
    /// one place.
    marks: Vec<(u32, u16, u16)>,
    touched: Vec<u32>,
}

impl NameMarks {
    fn start(&mut self, names: usize) {
        if self.marks.len() < names {
            self.marks.resize(names, (0, 0, 0));
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.marks.iter_mut().for_each(|m| m.0 = 0);
            self.generation = 1;
        }
        self.touched.clear();
    }

    fn touch(&mut self, name: u32, query_mask: u16, listed_mask: u16) {
        let Some(mark) = self.marks.get_mut(name as usize) else {
            return;
        };
        if mark.0 != self.generation {
            *mark = (self.generation, 0, 0);
            self.touched.push(name);
        }
        mark.1 |= query_mask;
        mark.2 |= listed_mask;
    }

    fn touched(&self) -> impl Iterator<Item = (u32, u16, u16)> + '_ {
        self.touched.iter().map(|&n| {
            let (_, q, l) = self.marks.get(n as usize).copied().unwrap_or_default();
            (n, q, l)
        })
    }
}

/// Words already compared with the current screened word, stamped like `NameMarks`.
#[derive(Default)]
struct WordStamps {
    unit: u32,
    stamp: Vec<u32>,
}

impl WordStamps {
    fn next_unit(&mut self, words: usize) {
        if self.stamp.len() < words {
            self.stamp.resize(words, 0);
        }
        self.unit = self.unit.wrapping_add(1);
        if self.unit == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.unit = 1;
        }
    }

    fn first_visit(&mut self, word: u32) -> bool {
        match self.stamp.get_mut(word as usize) {
            Some(stamp) if *stamp != self.unit => {
                *stamp = self.unit;
                true
            }
            _ => false,
        }
    }
}

/// Distinct screened words remembered per thread, and listed words remembered with them:
/// the cache is emptied when either bound is reached (a few MB at most, in a 128 MB Lambda).
const WORD_CACHE_WORDS: usize = 8_192;
const WORD_CACHE_PAIRS: usize = 262_144;

/// The similar listed words of each screened word seen lately. Names share their words
/// (given names, family names, `mohammed`, `trading`), so most words of a stream of names
/// have been looked up before; the answer depends only on the word and the lists, so a
/// cached answer is the same answer.
#[derive(Default)]
struct WordCache {
    /// The `Screener::id` the entries were found in.
    screener: u64,
    entries: HashMap<String, Box<[(u32, f64)]>, FastHash>,
    pairs: usize,
    key: String,
    stamps: WordStamps,
}

impl WordCache {
    fn similar(
        &mut self,
        screener: u64,
        unit: &PreparedToken,
        unit_is_run: bool,
        find: impl FnOnce(&mut WordStamps) -> Vec<(u32, f64)>,
    ) -> &[(u32, f64)] {
        if self.screener != screener {
            self.clear();
            self.screener = screener;
        }
        // Everything the search depends on: the word, how it was written, and whether it
        // is a run (runs have no phonetic keys and are not compared with runs).
        self.key.clear();
        for flag in [unit.token.vowel_poor, unit.token.particle, unit_is_run] {
            self.key.push(if flag { '1' } else { '0' });
        }
        self.key.push_str(&unit.token.text);
        if !self.entries.contains_key(self.key.as_str()) {
            let found = find(&mut self.stamps);
            if self.entries.len() >= WORD_CACHE_WORDS || self.pairs + found.len() > WORD_CACHE_PAIRS
            {
                self.clear();
            }
            self.pairs += found.len();
            self.entries
                .insert(self.key.clone(), found.into_boxed_slice());
        }
        self.entries
            .get(self.key.as_str())
            .map(|found| &found[..])
            .unwrap_or_default()
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.pairs = 0;
    }
}

/// Empties this thread's cache of similar words (and its memory of the screened words'
/// keys), so that a benchmark can measure screening from a cold cache.
pub fn forget_similar_words() {
    SCRATCH.with(|scratch| scratch.borrow_mut().words.clear());
    super::score::forget_screened_words();
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
    fn saved_neighbours_are_what_the_search_finds_for_every_listed_word() {
        let mut s = sample();
        s.neighbours = s.find_neighbours();
        let singles = s.meta.iter().filter(|m| !m.is_run).count();
        assert_eq!(s.neighbours.by_text.len(), singles);
        assert_eq!(s.neighbours.starts.len(), singles + 1);
        let mut stamps = WordStamps::default();
        for (w, word) in s.words.iter().enumerate() {
            if s.meta[w].is_run {
                continue;
            }
            let searched = s.similar_words(word, false, &mut stamps);
            assert_eq!(
                s.listed_neighbours(word),
                Some(&searched[..]),
                "{}",
                word.token.text
            );
            // A word is similar to itself, so none is left without neighbours.
            assert!(searched
                .iter()
                .any(|&(id, sim)| id as usize == w && sim == 1.0));
        }
        // A screened word that is not listed, or is listed with other flags, is searched for.
        let unlisted = prepare_token(super::super::normalize::Token {
            text: "zzqxw".into(),
            vowel_poor: false,
            particle: false,
        });
        assert!(s.listed_neighbours(&unlisted).is_none());
        let mut flagged = s.words[s.neighbours.by_text[0].1 as usize].clone();
        flagged.token.vowel_poor = !flagged.token.vowel_poor;
        flagged.keys[4] ^= 1;
        assert!(s.listed_neighbours(&flagged).is_none());
    }

    #[test]
    fn a_screener_with_saved_neighbours_gives_the_same_hits() {
        let built = sample();
        let mut with_table = sample();
        with_table.neighbours = with_table.find_neighbours();
        let names = [
            "Daniel Moreno",
            "Moreno Daniel",
            "Dmitriy Yurevich Khoroshév",
            "Дмитрий Хорошев",
            "Hesa Trade Center",
            "Nobody Atall",
        ];
        for name in names {
            for threshold in [0.5, 0.8] {
                forget_similar_words();
                let from_search = built.screen(&Query::name(name), threshold);
                forget_similar_words();
                let from_table = with_table.screen(&Query::name(name), threshold);
                assert_eq!(from_search, from_table, "{name} at {threshold}");
            }
        }
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
    fn cached_words_give_the_same_hits_and_stay_with_their_screener() {
        let names = [
            "Daniel Moreno",
            "Moreno, Daniel",
            "Dmitriy Yurevich Khoroshév",
            "Hesa Trade Center",
            "Дмитрий Хорошев",
        ];
        let first = sample();
        forget_similar_words();
        let cold: Vec<Vec<Hit>> = names
            .iter()
            .map(|n| first.screen(&Query::name(*n), 0.7))
            .collect();
        let warm: Vec<Vec<Hit>> = names
            .iter()
            .map(|n| first.screen(&Query::name(*n), 0.7))
            .collect();
        assert_eq!(cold, warm);
        assert!(cold.iter().all(|hits| !hits.is_empty()), "{cold:?}");
        // The same lists in another order number their words differently: answers cached
        // for the first screener would find the wrong names here.
        let mut reordered = lists::bundled().unwrap();
        reordered.reverse();
        for list in &mut reordered {
            list.entries.reverse();
        }
        let second = Screener::new(reordered);
        for name in names {
            let q = Query::name(name);
            assert_eq!(
                second.screen(&q, 0.7),
                second.screen_exhaustive(&q, 0.7),
                "{name}"
            );
        }
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
