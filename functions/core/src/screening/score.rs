//! Comparing two names.
//!
//! Both names are folded to tokens (`normalize`), then aligned one to one: each token pairs
//! with at most one token (or run of up to three adjacent tokens, for names written together
//! or apart) on the other side, best pairs first. A side's coverage is the share of its
//! weight (letters; particles and initials count little) that found a partner, times how
//! well it matched. The score leans on the better-covered side, so a missing middle name
//! costs little and a different surname costs a lot.

use rphonetic::DoubleMetaphone;

use super::normalize::{skeleton, tokenize, Token};
use super::EntityType;

/// Name similarity at or above which a list entry is reported, unless the rules file says
/// otherwise. Chosen on the labelled pairs (see the README's accuracy figures), recall first.
pub const DEFAULT_THRESHOLD: f64 = 0.80;

/// Below this, two tokens are not the same word.
const TOKEN_FLOOR: f64 = 0.80;
/// Below this share of unchanged letters, sounding or starting alike is not enough.
const EDIT_FLOOR: f64 = 0.6;
/// Weight of the better-covered side in the score, and the same when that side is one word.
const LEAN: f64 = 0.8;
const LEAN_ONE_WORD: f64 = 0.55;
/// Taken off when each name has a word the other lacks.
const CONFLICT_PENALTY: f64 = 0.08;
/// Longest run of adjacent tokens compared with one token (`Plat Ono Vich`, `Platonovich`).
pub(super) const MAX_RUN: usize = 3;
/// More tokens than this are not compared (a sentence is not a name).
pub const MAX_TOKENS: usize = 12;

/// A name folded and keyed once, so that a list is prepared at load time and each query once.
#[derive(Debug, Clone)]
pub struct PreparedName {
    pub tokens: Vec<PreparedToken>,
    /// Runs of two or three adjacent words written together (`jin ping` as `jinping`).
    pub(super) runs: Vec<(Run, PreparedToken)>,
    pub(super) total_weight: f64,
    /// Bit i set when word i is keyed (neither initial nor particle).
    pub(super) keyed_mask: u16,
    /// Number of initials.
    pub(super) initials: usize,
    /// Bit i set when word i is `bin` (see `generation`).
    pub(super) bins: u16,
}

#[derive(Debug, Clone)]
pub struct PreparedToken {
    pub token: Token,
    pub weight: f64,
    /// Blocking keys (hashed): Double Metaphone primary and alternate, first three letters,
    /// consonant skeleton, last three letters (a mistyped first letter); 0 where a word has none. Two words are compared only when they
    /// share one, which is what lets the index find every possible match.
    pub keys: [u64; 5],
    /// The letters and digits the word holds, one bit each: every one of them missing from
    /// the other word costs an edit, a bound that rules most pairs out before any distance.
    pub letters: u64,
    /// Digits only: compared only with the same number.
    pub numeric: bool,
}

/// Russian, Ukrainian and Belarusian patronymics: often left out, so weak evidence.
fn is_patronymic(word: &str) -> bool {
    word.len() > 6
        && [
            "ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna",
        ]
        .iter()
        .any(|suffix| word.ends_with(suffix))
}

fn weight(token: &Token) -> f64 {
    let len = token.text.len() as f64;
    if token.particle || is_patronymic(&token.text) {
        0.3 * len.min(3.0)
    } else if token.is_initial() {
        1.0
    } else {
        len.min(12.0)
    }
}

/// A word weighed and keyed.
pub fn prepare_token(token: Token) -> PreparedToken {
    let w = weight(&token);
    PreparedToken::new(token, w)
}

thread_local! {
    static METAPHONE: DoubleMetaphone = DoubleMetaphone::default();
    /// What `prepare_token` made of the words screened lately, by text.
    static SCREENED_WORDS: std::cell::RefCell<ScreenedWords> = Default::default();
}

/// Words remembered per thread before the memory of them is emptied (a few hundred KB).
const SCREENED_WORDS_KEPT: usize = 8_192;

/// A word's weight, keys, letters and whether it is numeric, by text and particle flag: all
/// that `prepare_token` makes of a word depends on those alone.
type ScreenedWords = std::collections::HashMap<
    std::sync::Arc<str>,
    (bool, f64, [u64; 5], u64, bool),
    super::index::FastHash,
>;

/// Empties this thread's memory of screened words (see `forget_similar_words`).
pub(super) fn forget_screened_words() {
    SCREENED_WORDS.with(|words| words.borrow_mut().clear());
}

/// `prepare_token` for screened names: names share their words (given names, `mohammed`,
/// `trading`), and Double Metaphone is most of preparing one, so a word seen lately is
/// prepared from memory (the same answer: it depends on the word alone).
fn prepare_screened_token(token: Token) -> PreparedToken {
    let remembered = SCREENED_WORDS.with(|words| {
        words
            .borrow()
            .get(&*token.text)
            .copied()
            .filter(|remembered| remembered.0 == token.particle)
    });
    if let Some((_, weight, keys, letters, numeric)) = remembered {
        return PreparedToken {
            token,
            weight,
            keys,
            letters,
            numeric,
        };
    }
    let prepared = prepare_token(token);
    SCREENED_WORDS.with(|words| {
        let mut words = words.borrow_mut();
        if words.len() >= SCREENED_WORDS_KEPT {
            words.clear();
        }
        words.insert(
            prepared.token.text.clone(),
            (
                prepared.token.particle,
                prepared.weight,
                prepared.keys,
                prepared.letters,
                prepared.numeric,
            ),
        );
    });
    prepared
}

/// One bit per letter or digit present; anything else shares the last bit (which only makes
/// the bound below weaker, never wrong).
fn letter_set(text: &[u8]) -> u64 {
    text.iter().fold(0u64, |set, &b| {
        set | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'0'..=b'9' => 1 << (26 + b - b'0'),
            _ => 1 << 63,
        }
    })
}

/// Whether words of these lengths (in letters) can be similar at all: the length difference
/// alone must leave EDIT_FLOOR of the longer word unchanged. `token_similarity` is 0 for
/// any pair of words not written in a vowel-poor script that fails this, so the index skips
/// them without looking.
pub fn lengths_may_match(a: usize, b: usize) -> bool {
    1.0 - a.abs_diff(b) as f64 / a.max(b) as f64 >= EDIT_FLOOR
}

/// As `lengths_may_match`, with the letters each word lacks counted as edits.
pub fn letters_may_match(a: &PreparedToken, b: &PreparedToken) -> bool {
    letter_sets_may_match(a.token.text.len(), a.letters, b.token.text.len(), b.letters)
}

/// `letters_may_match` on lengths and letter sets alone.
pub fn letter_sets_may_match(a_len: usize, a: u64, b_len: usize, b: u64) -> bool {
    1.0 - f64::from(min_edits(a, b)) / a_len.max(b_len) as f64 >= EDIT_FLOOR
}

/// Whether words of these lengths `edits` apart at least can be similar at all: as
/// `letter_sets_may_match`, with the bound given.
pub fn edits_may_match(edits: usize, a_len: usize, b_len: usize) -> bool {
    1.0 - edits as f64 / a_len.max(b_len) as f64 >= EDIT_FLOOR
}

/// A lower bound on the edit distance of two words from their letter sets: each letter one
/// word has and the other lacks takes a deletion or substitution of its own.
pub fn min_edits(a: u64, b: u64) -> u32 {
    (a & !b).count_ones().max((b & !a).count_ones())
}

/// FNV-1a over the key's kind and text: keys are short and not attacker-chosen in a way that
/// matters (a collision only adds a candidate), so a fast hash beats SipHash here.
fn key_hash(kind: u8, text: &str) -> u64 {
    if text.is_empty() {
        return 0;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in std::iter::once(kind).chain(text.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

/// `key_hash(b's', &skeleton(word))` without building the skeleton.
fn skeleton_key(word: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    feed(b's');
    let mut last = None;
    let mut empty = true;
    for c in word.chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'h') || last == Some(c) {
            continue;
        }
        last = Some(c);
        empty = false;
        let mut utf8 = [0u8; 4];
        for &byte in c.encode_utf8(&mut utf8).as_bytes() {
            feed(byte);
        }
    }
    if empty {
        0
    } else {
        h.max(1)
    }
}

impl PreparedToken {
    fn new(token: Token, weight: f64) -> Self {
        Self::with_keys(token, weight, true)
    }

    /// `phonetic`: whether to compute Double Metaphone keys (not for words written together,
    /// whose other keys suffice and which are many).
    fn with_keys(token: Token, weight: f64, phonetic: bool) -> Self {
        let keys = if token.is_initial() || token.text.bytes().all(|b| b.is_ascii_digit()) {
            [0, 0, key_hash(b'x', &token.text), 0, 0]
        } else {
            let (primary, alternate) = if phonetic {
                // Both codes from one pass (`encode` and `encode_alternate` each make both).
                METAPHONE.with(|m| {
                    let codes = m.double_metaphone(&token.text);
                    (codes.primary(), codes.alternate())
                })
            } else {
                (String::new(), String::new())
            };
            // Borrowed, not collected: the keys of every listed word are made at cold start.
            let prefix_end = token
                .text
                .char_indices()
                .nth(3)
                .map_or(token.text.len(), |(at, _)| at);
            let prefix = token.text.get(..prefix_end).unwrap_or_default();
            let suffix = if token.text.len() > 3 {
                token.text.get(token.text.len() - 3..).unwrap_or_default()
            } else {
                ""
            };
            [
                key_hash(b'p', &primary),
                key_hash(b'p', &alternate),
                key_hash(b'x', prefix),
                skeleton_key(&token.text),
                key_hash(b'e', suffix),
            ]
        };
        let letters = letter_set(token.text.as_bytes());
        let numeric = token.text.bytes().all(|b| b.is_ascii_digit());
        Self {
            token,
            weight,
            keys,
            letters,
            numeric,
        }
    }

    /// Whether this word brings candidates from the index: an initial or a particle alone
    /// identifies no one.
    pub fn keyed(&self) -> bool {
        !self.token.is_initial() && !self.token.particle
    }

    pub fn shares_key(&self, other: &PreparedToken) -> bool {
        self.keys.iter().any(|k| *k != 0 && other.keys.contains(k))
    }
}

impl PreparedName {
    pub fn new(name: &str, kind: Option<EntityType>) -> Self {
        Self::with_cache(name, kind, &mut prepare_screened_token)
    }

    /// As `new`, preparing each word through `prepare` (the index caches words it has seen:
    /// lists repeat the same words thousands of times).
    pub fn with_cache(
        name: &str,
        kind: Option<EntityType>,
        prepare: &mut dyn FnMut(Token) -> PreparedToken,
    ) -> Self {
        let mut tokens = tokenize(name, kind);
        tokens.truncate(MAX_TOKENS);
        let tokens: Vec<PreparedToken> = tokens.into_iter().map(prepare).collect();
        let tokens_len = tokens.len();
        let total_weight = tokens.iter().map(|t| t.weight).sum();
        let keyed_mask = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.keyed())
            .fold(0u16, |m, (i, _)| m | (1 << i));
        let initials = tokens.iter().filter(|t| t.token.is_initial()).count();
        let bins = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| &*t.token.text == "bin")
            .fold(0u16, |m, (i, _)| m | (1 << i));
        let mut name = Self {
            tokens,
            runs: Vec::with_capacity(n_runs(tokens_len)),
            total_weight,
            keyed_mask,
            initials,
            bins,
        };
        let n = name.tokens.len();
        for len in 2..=MAX_RUN.min(n) {
            for start in 0..=n - len {
                let run = Run { start, len };
                let joined = joined(&name, run);
                name.runs.push((run, joined));
            }
        }
        name
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Words that identify: not particles, not initials.
    pub fn distinctive_words(&self) -> usize {
        self.keyed_mask.count_ones() as usize
    }

    /// The words and runs that the index files (and a query looks up), each with the mask of
    /// the words it stands for and whether it is a run.
    pub fn keyed_units(&self) -> impl Iterator<Item = (&PreparedToken, u16, bool)> + '_ {
        self.numbered_keyed_units()
            .map(|(_, t, mask, run)| (t, mask, run))
    }

    /// `keyed_units`, each with its unit number (single words first, then runs): the number
    /// `compare_score_with` gives its similarity function.
    pub fn numbered_keyed_units(
        &self,
    ) -> impl Iterator<Item = (usize, &PreparedToken, u16, bool)> + '_ {
        self.units()
            .enumerate()
            .filter(|(_, (run, t))| run.len > 1 || t.keyed())
            .map(|(i, (run, t))| (i, t, run.mask(), run.len > 1))
    }

    /// The token of every unit (single words, then runs), in unit order.
    pub(super) fn units_in_order(&self) -> impl Iterator<Item = &PreparedToken> {
        self.units().map(|(_, t)| t)
    }

    /// Number of units (single words and runs).
    pub fn unit_count(&self) -> usize {
        self.tokens.len() + self.runs.len()
    }

    /// Single words and runs, each with its position.
    fn units(&self) -> impl Iterator<Item = (Run, &PreparedToken)> {
        self.tokens
            .iter()
            .enumerate()
            .map(|(start, t)| (Run { start, len: 1 }, t))
            .chain(self.runs.iter().map(|(r, t)| (*r, t)))
    }
}

/// Runs of two and three words in a name of `n` words.
pub(super) fn n_runs(n: usize) -> usize {
    n.saturating_sub(1) + n.saturating_sub(2)
}

/// Run number `j` of a name of `n` words: every run of two adjacent words in order, then
/// every run of three (the order `PreparedName` makes them in).
pub(super) fn run_at(n: usize, j: usize) -> Option<Run> {
    let twos = n.saturating_sub(1);
    if j < twos {
        return Some(Run { start: j, len: 2 });
    }
    let start = j - twos;
    (MAX_RUN >= 3 && start < n.saturating_sub(2)).then_some(Run { start, len: 3 })
}

/// What scoring reads of a name. A screened name owns its words (`PreparedName`); a listed
/// name refers to the index's table of words (`ListedName`), so that 25,000 listed names
/// hold numbers rather than copies.
pub trait NameView {
    /// Number of words.
    fn token_count(&self) -> usize;
    fn token(&self, i: usize) -> Option<&PreparedToken>;
    /// The weight of word `i` (what `token(i)` weighs).
    fn weight(&self, i: usize) -> Option<f64> {
        self.token(i).map(|t| t.weight)
    }
    /// Run number `j` (see `run_at`) and its word.
    fn run(&self, j: usize) -> Option<(Run, &PreparedToken)>;
    fn total_weight(&self) -> f64;
    /// Bit i set when word i is keyed (neither initial nor particle).
    fn keyed_mask(&self) -> u16;
    /// Number of initials.
    fn initials(&self) -> usize;
    /// Bit i set when word i is `bin` (see `generation`).
    fn bins(&self) -> u16;
}

impl NameView for PreparedName {
    fn token_count(&self) -> usize {
        self.tokens.len()
    }
    fn token(&self, i: usize) -> Option<&PreparedToken> {
        self.tokens.get(i)
    }
    fn run(&self, j: usize) -> Option<(Run, &PreparedToken)> {
        self.runs.get(j).map(|(r, t)| (*r, t))
    }
    fn total_weight(&self) -> f64 {
        self.total_weight
    }
    fn keyed_mask(&self) -> u16 {
        self.keyed_mask
    }
    fn initials(&self) -> usize {
        self.initials
    }
    fn bins(&self) -> u16 {
        self.bins
    }
}

/// A listed name as the index holds it: the numbers of its words, then of its runs, in a
/// table of prepared words shared by every name.
#[derive(Debug, Clone, Copy)]
pub struct ListedName<'a> {
    pub(super) units: &'a [u32],
    /// Beside `units`: each unit's weight, read without reaching the table.
    pub(super) weights: &'a [f64],
    pub(super) tokens: usize,
    /// The index's words, then the other tokens names hold (initials, particles, runs
    /// prepared differently), numbered after them.
    pub(super) words: &'a [PreparedToken],
    pub(super) extras: &'a [PreparedToken],
    pub(super) total_weight: f64,
    pub(super) keyed_mask: u16,
    pub(super) initials: usize,
    pub(super) bins: u16,
}

impl<'a> ListedName<'a> {
    fn table(&self, id: u32) -> Option<&'a PreparedToken> {
        table_token(self.words, self.extras, id)
    }
}

/// Token `id` of the index's table: a word, or one of the extras numbered after them.
pub(super) fn table_token<'a>(
    words: &'a [PreparedToken],
    extras: &'a [PreparedToken],
    id: u32,
) -> Option<&'a PreparedToken> {
    let id = id as usize;
    match id.checked_sub(words.len()) {
        None => words.get(id),
        Some(extra) => extras.get(extra),
    }
}

impl NameView for ListedName<'_> {
    fn token_count(&self) -> usize {
        self.tokens
    }
    fn token(&self, i: usize) -> Option<&PreparedToken> {
        if i >= self.tokens {
            return None;
        }
        self.table(*self.units.get(i)?)
    }
    fn weight(&self, i: usize) -> Option<f64> {
        if i >= self.tokens {
            return None;
        }
        self.weights.get(i).copied()
    }
    fn run(&self, j: usize) -> Option<(Run, &PreparedToken)> {
        let run = run_at(self.tokens, j)?;
        Some((run, self.table(*self.units.get(self.tokens + j)?)?))
    }
    fn total_weight(&self) -> f64 {
        self.total_weight
    }
    fn keyed_mask(&self) -> u16 {
        self.keyed_mask
    }
    fn initials(&self) -> usize {
        self.initials
    }
    fn bins(&self) -> u16 {
        self.bins
    }
}

/// Single words and runs of a name, each with its position.
fn units<N: NameView + ?Sized>(name: &N) -> impl Iterator<Item = (Run, &PreparedToken)> {
    let n = name.token_count();
    (0..n)
        .filter_map(move |start| name.token(start).map(|t| (Run { start, len: 1 }, t)))
        .chain((0..n_runs(n)).filter_map(move |j| name.run(j)))
}

/// The most a name's share of matched weight can be when only the words in `mask` found a
/// partner by key. Initials and particles are not keyed but may still pair, and each of the
/// other side's initials can vouch for one letter of a word here.
pub fn share_bound<N: NameView + ?Sized>(name: &N, mask: u16, other_initials: usize) -> f64 {
    share_bound_by(
        name.token_count(),
        name.keyed_mask(),
        name.total_weight(),
        |i| name.weight(i),
        mask,
        other_initials,
    )
}

/// `share_bound` from a name's word count, keyed mask, total weight and word weights.
pub(super) fn share_bound_by(
    tokens: usize,
    keyed_mask: u16,
    total_weight: f64,
    weight: impl Fn(usize) -> Option<f64>,
    mask: u16,
    other_initials: usize,
) -> f64 {
    let words = 1u32
        .checked_shl(tokens as u32)
        .map_or(u32::MAX, |above| above - 1);
    // The reachable words' weights, summed in word order (one bit each, lowest first).
    let mut reachable_words = u32::from(mask | !keyed_mask) & words;
    let mut weights = 0.0f64;
    while reachable_words != 0 {
        if let Some(weight) = weight(reachable_words.trailing_zeros() as usize) {
            weights += weight;
        }
        reachable_words &= reachable_words - 1;
    }
    let reachable = other_initials as f64 + weights;
    (reachable / total_weight.max(f64::EPSILON)).min(1.0)
}

/// (query words, listed words, similarity) of one aligned pair.
pub type WordPair = (String, String, f64);

/// How two names compare, with the token pairs that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct NameScore {
    pub score: f64,
    /// (query words, listed words, similarity), best first.
    pub pairs: Vec<WordPair>,
}

/// Similarity of two single words in 0..1; 0 when they are not the same word.
pub fn token_similarity(a: &PreparedToken, b: &PreparedToken) -> f64 {
    similarity_by(a, b, &mut edit_distance_within)
}

/// A screened word prepared to be compared with many listed words: its bit-parallel edit
/// distance state (where each letter stands) is built once, not once per listed word.
pub struct WordComparator<'a> {
    word: &'a PreparedToken,
    /// `None` for a word longer than 64 bytes: compared by `edit_distance_within`.
    positions: Option<BytePositions>,
}

impl<'a> WordComparator<'a> {
    pub fn new(word: &'a PreparedToken) -> Self {
        Self {
            word,
            positions: BytePositions::new(word.token.text.as_bytes()),
        }
    }

    /// `token_similarity(word, other)`, exactly.
    pub fn similarity(&self, other: &PreparedToken) -> f64 {
        similarity_by(self.word, other, &mut |x, y, most| match &self.positions {
            Some(positions) => Some(positions.osa_distance(y)).filter(|&d| d <= most),
            None => edit_distance_within(x, y, most),
        })
    }
}

/// Folded words hold only lower-case letters and digits: their number, 0 to 35.
fn letter_number(byte: u8) -> Option<usize> {
    match byte {
        b'a'..=b'z' => Some(usize::from(byte - b'a')),
        b'0'..=b'9' => Some(26 + usize::from(byte - b'0')),
        _ => None,
    }
}

/// Where each letter and digit stands in a word of 1 to 64 letters and digits, a bit per
/// position: the table of the bit-parallel Jaro matching (small, as one is built per pair).
struct LetterPositions {
    at: [u64; 36],
}

impl LetterPositions {
    /// `None` for an empty word, a longer one, or one with other bytes.
    fn new(word: &[u8]) -> Option<Self> {
        if word.is_empty() || word.len() > 64 {
            return None;
        }
        let mut at = [0u64; 36];
        for (i, &byte) in word.iter().enumerate() {
            *at.get_mut(letter_number(byte)?)? |= 1 << i;
        }
        Some(Self { at })
    }

    /// The positions of `byte`; `None` for a byte no word here holds.
    fn of(&self, byte: u8) -> Option<u64> {
        self.at.get(letter_number(byte)?).copied()
    }
}

/// Where each byte stands in a word of 1 to 64 bytes, a bit per position: the table of the
/// bit-parallel edit distance, built once per screened word.
struct BytePositions {
    len: usize,
    at: [u64; 256],
}

impl BytePositions {
    /// `None` for an empty word or one longer than 64 bytes.
    fn new(word: &[u8]) -> Option<Self> {
        if word.is_empty() || word.len() > 64 {
            return None;
        }
        let mut at = [0u64; 256];
        for (i, &byte) in word.iter().enumerate() {
            at[usize::from(byte)] |= 1 << i;
        }
        Some(Self {
            len: word.len(),
            at,
        })
    }

    /// Optimal string alignment distance of the word to `other` (Hyyrö 2003, one machine
    /// word: as `rapidfuzz` computes it).
    fn osa_distance(&self, other: &[u8]) -> usize {
        let (mut vp, mut vn, mut d0, mut previous) = (!0u64, 0u64, 0u64, 0u64);
        let mut distance = self.len;
        let last = 1u64 << (self.len - 1);
        for &byte in other {
            let pm = self.at[usize::from(byte)];
            let transposed = ((!d0 & pm) << 1) & previous;
            d0 = ((pm & vp).wrapping_add(vp) ^ vp) | pm | vn | transposed;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            distance += usize::from(hp & last != 0);
            distance = distance.saturating_sub(usize::from(hn & last != 0));
            let hp = (hp << 1) | 1;
            let hn = hn << 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            previous = pm;
        }
        distance
    }
}

/// An edit distance of two words when it is at most the bound given, `None` when more.
type DistanceWithin<'a> = dyn FnMut(&[u8], &[u8], usize) -> Option<usize> + 'a;

/// `token_similarity` with the edit distance given.
fn similarity_by(
    a: &PreparedToken,
    b: &PreparedToken,
    distance_within: &mut DistanceWithin,
) -> f64 {
    let (x, y) = (&*a.token.text, &*b.token.text);
    if x == y {
        return 1.0;
    }
    if a.numeric || b.numeric {
        return 0.0;
    }
    if a.token.is_initial() || b.token.is_initial() {
        let (initial, word) = if a.token.is_initial() { (x, y) } else { (y, x) };
        return if word.len() > 1 && word.starts_with(initial) {
            0.9
        } else {
            0.0
        };
    }
    // Words that share no blocking key (sound, beginning, consonants) are not compared, nor
    // is a particle with a word that is not one.
    if a.token.particle != b.token.particle || !a.shares_key(b) {
        return 0.0;
    }
    // Transliterated from a script without short vowels: the consonants are what can agree.
    if a.token.vowel_poor || b.token.vowel_poor {
        let (a_skeleton, b_skeleton) = (skeleton(x), skeleton(y));
        if a_skeleton.is_empty() {
            return 0.0;
        }
        if a_skeleton == b_skeleton {
            return 0.92;
        }
        let s = jaro_winkler(a_skeleton.as_bytes(), b_skeleton.as_bytes());
        if s >= 0.88 && a_skeleton.len() >= 3 {
            return s * 0.95;
        }
    }
    let longest = x.len().max(y.len()) as f64;
    // Every remaining path needs at least EDIT_FLOOR of the letters unchanged, and a length
    // difference is that many edits at least, as is each letter one word lacks: most pairs
    // stop here, before any distance.
    if !lengths_may_match(x.len(), y.len()) || !letters_may_match(a, b) {
        return 0.0;
    }
    let short = x.len().min(y.len()) <= 4;
    // The most edits that leave EDIT_FLOOR of the letters unchanged: the distance is only
    // worked out that far (bit-parallel, so the distance comes before Jaro-Winkler).
    let most = most_edits(x.len().max(y.len()));
    let Some(edits) = distance_within(x.as_bytes(), y.as_bytes(), most) else {
        return 0.0;
    };
    let by_edits = 1.0 - edits as f64 / longest;
    let mut s = if short {
        // Short words: Jaro-Winkler is generous, one edit in four letters is a different word.
        by_edits.max(if edits <= 1 && x.len() >= 3 && y.len() >= 3 {
            0.85
        } else {
            0.0
        })
    } else {
        // Jaro-Winkler rewards a shared beginning; a word that needs many edits is another
        // word that starts alike (Castillo, Castro): the edits floor above keeps those out.
        jaro_winkler(x.as_bytes(), y.as_bytes()).max(by_edits)
    };
    let sounds_alike = a.keys[0] != 0
        && (a.keys[0] == b.keys[0] || a.keys[0] == b.keys[1] || a.keys[1] == b.keys[0]);
    if sounds_alike && x.len().min(y.len()) >= 3 {
        s = s.max(0.88);
    }
    if s < TOKEN_FLOOR {
        0.0
    } else {
        s
    }
}

/// The most edits that leave EDIT_FLOOR of `longest` letters unchanged.
fn most_edits_counted(longest: usize) -> usize {
    let mut most = 0;
    while most < longest && 1.0 - (most + 1) as f64 / longest as f64 >= EDIT_FLOOR {
        most += 1;
    }
    most
}

/// `most_edits_counted`, looked up for the lengths words have.
fn most_edits(longest: usize) -> usize {
    static TABLE: std::sync::OnceLock<[u8; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u8; 256];
        for (len, most) in table.iter_mut().enumerate() {
            *most = most_edits_counted(len) as u8;
        }
        table
    });
    match table.get(longest) {
        Some(most) => usize::from(*most),
        None => most_edits_counted(longest),
    }
}

/// Jaro-Winkler similarity of two ASCII words: `strsim::jaro_winkler`'s arithmetic exactly
/// (a test holds the two equal), on the stack and over bytes for words up to 64 letters.
fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    const MAX: usize = 64;
    if a.len() > MAX || b.len() > MAX {
        return strsim::jaro_winkler(
            std::str::from_utf8(a).unwrap_or_default(),
            std::str::from_utf8(b).unwrap_or_default(),
        );
    }
    let sim = jaro(a, b);
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    } else if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    match jaro_bits(a, b) {
        Some(similarity) => similarity,
        None => jaro_by_bytes(a, b),
    }
}

/// `jaro` of two words of 1 to 64 letters and digits, matching a letter with the first
/// unmatched one of the other word in range by bit masks instead of a scan: the same
/// matches, transpositions and arithmetic. `None` for other words.
fn jaro_bits(a: &[u8], b: &[u8]) -> Option<f64> {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len > 64 {
        return None;
    }
    let b_positions = LetterPositions::new(b)?;
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    let below = |n: usize| {
        if n >= 64 {
            u64::MAX
        } else {
            (1u64 << n) - 1
        }
    };
    let (mut a_matched, mut b_matched) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let low = i.saturating_sub(search_range);
        let high = b_len.min(i + search_range + 1);
        let free = b_positions.of(x)? & below(high) & !below(low) & !b_matched;
        if free != 0 {
            b_matched |= free & free.wrapping_neg();
            a_matched |= 1 << i;
            matches += 1;
        }
    }
    if matches == 0 {
        return Some(0.0);
    }
    let mut transpositions = 0usize;
    while a_matched != 0 {
        let (i, j) = (a_matched.trailing_zeros(), b_matched.trailing_zeros());
        if a.get(i as usize) != b.get(j as usize) {
            transpositions += 1;
        }
        a_matched &= a_matched - 1;
        b_matched &= b_matched.wrapping_sub(1);
    }
    transpositions /= 2;
    Some(
        ((matches as f64 / a_len as f64)
            + (matches as f64 / b_len as f64)
            + ((matches - transpositions) as f64 / matches as f64))
            / 3.0,
    )
}

/// `jaro` by scanning, for words `jaro_bits` does not take (at most 64 bytes each).
fn jaro_by_bytes(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    let mut a_flags = [false; 64];
    let mut b_flags = [false; 64];
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let low = i.saturating_sub(search_range);
        let high = b_len.min(i + search_range + 1);
        let window = b.iter().zip(b_flags.iter_mut()).take(high).skip(low);
        for (y, flag) in window {
            if y == x && !*flag {
                a_flags[i] = true;
                *flag = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut b_matched = b
        .iter()
        .zip(b_flags.iter())
        .filter(|(_, f)| **f)
        .map(|(c, _)| c);
    for (x, _) in a.iter().zip(a_flags.iter()).filter(|(_, f)| **f) {
        if b_matched.next().is_some_and(|y| y != x) {
            transpositions += 1;
        }
    }
    transpositions /= 2;
    ((matches as f64 / a_len as f64)
        + (matches as f64 / b_len as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

/// Optimal string alignment distance (edits, with adjacent transpositions) of two words when
/// it is at most `most`; `None` when it is more. Bit-parallel (Hyyrö 2003, from rapidfuzz):
/// a machine word per column instead of a cell, which is what makes comparing a screened
/// word with every listed word of a posting cheap.
fn edit_distance_within(a: &[u8], b: &[u8], most: usize) -> Option<usize> {
    use rapidfuzz::distance::osa;
    osa::distance_with_args(
        a.iter().copied(),
        b.iter().copied(),
        &osa::Args::default().score_cutoff(most),
    )
}

#[cfg(test)]
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    edit_distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// One side of a candidate pair: a run of adjacent tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub(super) start: usize,
    pub(super) len: usize,
}

impl Run {
    fn mask(self) -> u16 {
        (((1u32 << self.len) - 1) << self.start) as u16
    }
}

/// The highest score two names can reach given each side's bound from `share_bound`.
pub fn score_bound(query_share: f64, listed_share: f64) -> f64 {
    let (low, high) = if query_share < listed_share {
        (query_share, listed_share)
    } else {
        (listed_share, query_share)
    };
    (1.0 - LEAN) * low + LEAN * high
}

fn joined(name: &PreparedName, run: Run) -> PreparedToken {
    let parts = &name.tokens[run.start..run.start + run.len];
    let mut text = String::with_capacity(parts.iter().map(|t| t.token.text.len()).sum());
    for part in parts {
        text.push_str(&part.token.text);
    }
    let token = Token {
        vowel_poor: parts.iter().any(|t| t.token.vowel_poor),
        particle: false,
        text: text.into(),
    };
    PreparedToken::with_keys(token, parts.iter().map(|t| t.weight).sum(), false)
}

/// How many `bin` a word comes after, when the name does not start with `bin`; 0 otherwise.
fn generation<N: NameView + ?Sized>(name: &N, position: usize) -> u32 {
    if name.bins() & 1 != 0 || name.token_count() == 0 {
        return 0;
    }
    let before = 1u32
        .checked_shl(position as u32)
        .map_or(u32::MAX, |b| b - 1);
    (u32::from(name.bins()) & before).count_ones()
}

/// Compares a screened name with a listed one.
pub fn compare(query: &PreparedName, listed: &impl NameView) -> NameScore {
    let mut pairs = Vec::new();
    let score = align(query, listed, Some(&mut pairs), &mut |_, a, _, b| {
        token_similarity(a, b)
    });
    NameScore { score, pairs }
}

/// `compare`'s score alone, without naming the pairs (what screening needs for every
/// candidate; the pairs are named only for the hits).
pub fn compare_score(query: &PreparedName, listed: &impl NameView) -> f64 {
    align(query, listed, None, &mut |_, a, _, b| {
        token_similarity(a, b)
    })
}

/// `compare_score` with the word similarities given by `similarity(query unit, query word,
/// listed unit, listed word)`, units numbered as [`PreparedName::numbered_keyed_units`] numbers them:
/// the index passes the similarities it worked out while finding the candidates.
pub fn compare_score_with(
    query: &PreparedName,
    listed: &impl NameView,
    similarity: &mut dyn FnMut(usize, &PreparedToken, usize, &PreparedToken) -> f64,
) -> f64 {
    align(query, listed, None, similarity)
}

/// What the index knows of a screened name's word similarities, by listed unit (numbered as
/// [`PreparedName::numbered_keyed_units`] numbers them).
pub trait KnownSimilarities {
    /// `None` when the listed unit is not filed (an initial, a particle): it is compared with
    /// every query unit. Otherwise the keyed query units similar to it, (unit number,
    /// similarity); every other keyed query unit is not similar to it.
    fn similar_query_units(&self, listed_unit: usize) -> Option<&[(u16, f64)]>;
}

/// One pairing of a unit of each side that is similar at all.
#[derive(Debug, Clone, Copy)]
pub struct Pairing {
    s: f64,
    q: Run,
    l: Run,
    /// Unit numbers: between equal pairings, the first in (query, listed) unit order wins.
    qi: u16,
    li: u16,
}

/// Whether a unit of each side may pair at all: a run only ever faces a single token
/// ("jin ping" ~ "jinping"), and an initial stands for one word, never for several written
/// together.
fn may_pair(qr: Run, a: &PreparedToken, lr: Run, b: &PreparedToken) -> bool {
    if qr.len > 1 {
        lr.len == 1 && !b.token.is_initial()
    } else {
        lr.len == 1 || !a.token.is_initial()
    }
}

/// `compare_score_with` (and, with `pairs`, `compare`) where the index already knows which
/// filed words are similar: only the pairings that can be similar at all are looked at.
/// `buffer` is working memory, reused between calls.
pub fn compare_known(
    query: &PreparedName,
    listed: &impl NameView,
    known: &dyn KnownSimilarities,
    buffer: &mut Vec<Pairing>,
    pairs: Option<&mut Vec<WordPair>>,
) -> f64 {
    buffer.clear();
    if query.is_empty() || listed.token_count() == 0 {
        return 0.0;
    }
    let query_tokens = query.tokens.len();
    for (li, (lr, b)) in units(listed).enumerate() {
        let mut push = |qi: usize, qr: Run, s: f64| {
            if s > 0.0 {
                buffer.push(Pairing {
                    s,
                    q: qr,
                    l: lr,
                    qi: qi as u16,
                    li: li as u16,
                });
            }
        };
        match known.similar_query_units(li) {
            Some(found) => {
                for &(qi, s) in found {
                    let qi = usize::from(qi);
                    let unit = if qi < query_tokens {
                        query.tokens.get(qi).map(|a| (Run { start: qi, len: 1 }, a))
                    } else {
                        query.runs.get(qi - query_tokens).map(|(r, a)| (*r, a))
                    };
                    if let Some((qr, a)) = unit {
                        if may_pair(qr, a, lr, b) {
                            push(qi, qr, s);
                        }
                    }
                }
                // Initials and particles of the query are not filed: compared here.
                for (qi, a) in query.tokens.iter().enumerate().filter(|(_, a)| !a.keyed()) {
                    let qr = Run { start: qi, len: 1 };
                    if may_pair(qr, a, lr, b) {
                        push(qi, qr, token_similarity(a, b));
                    }
                }
            }
            None => {
                for (qi, (qr, a)) in query.units().enumerate() {
                    if may_pair(qr, a, lr, b) {
                        push(qi, qr, token_similarity(a, b));
                    }
                }
            }
        }
    }
    resolve(query, listed, buffer, pairs)
}

fn align(
    query: &PreparedName,
    listed: &impl NameView,
    pairs: Option<&mut Vec<WordPair>>,
    similarity: &mut dyn FnMut(usize, &PreparedToken, usize, &PreparedToken) -> f64,
) -> f64 {
    if query.is_empty() || listed.token_count() == 0 {
        return 0.0;
    }
    // Every candidate pairing of a token or run on one side with a token or run on the other.
    let mut candidates: Vec<Pairing> = Vec::with_capacity(16);
    for (qi, (qr, a)) in query.units().enumerate() {
        for (li, (lr, b)) in units(listed).enumerate() {
            if !may_pair(qr, a, lr, b) {
                continue;
            }
            let s = similarity(qi, a, li, b);
            if s > 0.0 {
                candidates.push(Pairing {
                    s,
                    q: qr,
                    l: lr,
                    qi: qi as u16,
                    li: li as u16,
                });
            }
        }
    }
    resolve(query, listed, &mut candidates, pairs)
}

/// Pairs the units of two names one to one, best pairings first, and scores the result.
fn resolve(
    query: &PreparedName,
    listed: &impl NameView,
    candidates: &mut [Pairing],
    mut pairs: Option<&mut Vec<WordPair>>,
) -> f64 {
    // Best pairs first; between equals, the longer run (one word for two) wins, then the
    // first in unit order.
    candidates.sort_unstable_by(|a, b| {
        b.s.total_cmp(&a.s)
            .then((b.q.len + b.l.len).cmp(&(a.q.len + a.l.len)))
            .then(a.qi.cmp(&b.qi))
            .then(a.li.cmp(&b.li))
    });
    // Words already paired, a bit each (at most MAX_TOKENS words a side).
    let (mut q_used, mut l_used) = (0u16, 0u16);
    let (mut q_cover, mut l_cover) = (0.0, 0.0);
    let mut anchored = false;
    for &Pairing {
        s, q: qr, l: lr, ..
    } in candidates.iter()
    {
        if q_used & qr.mask() != 0 || l_used & lr.mask() != 0 {
            continue;
        }
        let q_range = qr.start..qr.start + qr.len;
        let l_range = lr.start..lr.start + lr.len;
        anchored |= unit_keyed(query, qr) && unit_keyed(listed, lr);
        q_used |= qr.mask();
        l_used |= lr.mask();
        let q_weight = weight_of(query, q_range.clone());
        let l_weight = weight_of(listed, l_range.clone());
        // An initial vouches for one letter of the name it stands for, not the whole name.
        let is_initial = |t: &PreparedToken| t.token.is_initial();
        let initial_pair = qr.len == 1
            && lr.len == 1
            && (query.token(qr.start).is_some_and(is_initial)
                || listed.token(lr.start).is_some_and(is_initial));
        let (q_credit, l_credit) = if initial_pair {
            (q_weight.min(l_weight), q_weight.min(l_weight))
        } else {
            (q_weight, l_weight)
        };
        // `X bin Y` is X, son of Y: the same words across `bin` are another person.
        let s = if generation(query, qr.start) != generation(listed, lr.start) {
            s * 0.7
        } else {
            s
        };
        q_cover += s * q_credit;
        l_cover += s * l_credit;
        if let Some(pairs) = pairs.as_deref_mut() {
            pairs.push((words_of(query, q_range), words_of(listed, l_range), s));
        }
    }
    // Each side has a word the other lacks (another given name, another patronymic, a
    // different initial): evidence of two different people or companies.
    let conflict = if unmatched(query, q_used) && unmatched(listed, l_used) {
        CONFLICT_PENALTY
    } else {
        0.0
    };
    // Initials and particles agreeing make no match without a word that identifies.
    if !anchored {
        return 0.0;
    }
    let q_share = q_cover / query.total_weight.max(f64::EPSILON);
    let l_share = l_cover / listed.total_weight().max(f64::EPSILON);
    let (low, high, covered_keyed_mask) = if q_share < l_share {
        (q_share, l_share, listed.keyed_mask())
    } else {
        (l_share, q_share, query.keyed_mask)
    };
    // A name that is all there in the other (a missing middle name or patronymic, an alias
    // that is the short form) is nearly the same name; but one word found inside a longer
    // name is not.
    let lean = if covered_keyed_mask.count_ones() >= 2 {
        LEAN
    } else {
        LEAN_ONE_WORD
    };
    ((1.0 - lean) * low + lean * high - conflict).clamp(0.0, 1.0)
}

/// Whether a unit of a name identifies (a run, or a keyed word).
fn unit_keyed<N: NameView + ?Sized>(name: &N, run: Run) -> bool {
    run.len > 1 || name.keyed_mask() & run.mask() != 0
}

/// The summed weight of words `range` of a name, in word order.
fn weight_of<N: NameView + ?Sized>(name: &N, range: std::ops::Range<usize>) -> f64 {
    range.filter_map(|i| name.weight(i)).sum()
}

/// Words `range` of a name, written out.
fn words_of<N: NameView + ?Sized>(name: &N, range: std::ops::Range<usize>) -> String {
    let mut text = String::new();
    for (i, t) in range.filter_map(|i| name.token(i)).enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&t.token.text);
    }
    text
}

/// Whether a name has a word, not a particle, outside `used`.
fn unmatched<N: NameView + ?Sized>(name: &N, used: u16) -> bool {
    (0..name.token_count())
        .filter_map(|i| name.token(i).map(|t| (i, t)))
        .any(|(i, t)| used & (1 << i) == 0 && !t.token.particle)
}

/// Similarity of two names written out, for `compliance match` and tests.
pub fn similarity(a: &str, b: &str, kind: Option<EntityType>) -> f64 {
    compare(&PreparedName::new(a, kind), &PreparedName::new(b, kind)).score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_key_is_the_key_of_the_skeleton() {
        for word in [
            "muhammad",
            "mhmd",
            "aeiou",
            "",
            "khoroshev",
            "llama",
            "ßtraße",
            "bb",
            "hawwa",
            "xyz",
        ] {
            assert_eq!(
                skeleton_key(word),
                key_hash(b's', &skeleton(word)),
                "{word}"
            );
        }
    }

    fn sim(a: &str, b: &str) -> f64 {
        similarity(a, b, Some(EntityType::Individual))
    }

    #[test]
    fn word_order_initials_and_typos() {
        assert!(sim("Moreno, Daniel", "Daniel Moreno") > 0.99);
        assert!(sim("Hans J Friedrich", "Hans Joachim Friedrich") >= DEFAULT_THRESHOLD);
        assert!(sim("Hans O Friedrich", "Hans Joachim Friedrich") < DEFAULT_THRESHOLD);
        assert!(sim("Alexander Luakshenko", "Alexander Lukashenko") >= DEFAULT_THRESHOLD);
        assert!(sim("Ihab Makhlouf", "Rami Makhlouf") < DEFAULT_THRESHOLD);
    }

    #[test]
    fn written_together_or_apart() {
        assert!(sim("SergeiLavrov", "Sergei Lavrov") >= DEFAULT_THRESHOLD);
        assert!(
            sim(
                "Nikolai Plat Ono Vich Patrushev",
                "Nikolai Platonovich Patrushev"
            ) >= DEFAULT_THRESHOLD
        );
        assert!(sim("习近平", "Xi Jinping") >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn jaro_winkler_is_strsims() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "jellyfish",
            "smellyfish",
            "muhammad",
            "mhmd",
            "qaddafi",
            "gadhafi",
            "khoroshev",
            "xoroshev",
            "aaaaab",
            "baaaaa",
            "abcdefghijklmnopqrstuvwxyz",
            "zyxwvutsrqponmlkjihgfedcba",
        ];
        for a in words {
            for b in words {
                let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
                assert_eq!(
                    ours.to_bits(),
                    strsim::jaro_winkler(a, b).to_bits(),
                    "{a} {b}"
                );
            }
        }
    }

    /// Words with transpositions, dropped vowels, transliteration variants and digits.
    const DISTANCE_WORDS: [&str; 17] = [
        "a",
        "ab",
        "ba",
        "abc",
        "martha",
        "marhta",
        "dixon",
        "dicksonx",
        "muhammad",
        "mhmd",
        "qaddafi",
        "gadhafi",
        "khoroshev",
        "xoroshev",
        "ivan4",
        "1234",
        "abcdefghij",
    ];

    #[test]
    fn bit_parallel_jaro_and_distance_are_the_scanned_ones() {
        let mut words: Vec<String> = DISTANCE_WORDS.iter().map(|w| w.to_string()).collect();
        words.extend(
            [
                "aaaaab",
                "baaaaa",
                "abab",
                "baba",
                "zz",
                "a1b2c3",
                "mississippi",
            ]
            .map(String::from),
        );
        words.push("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01".into());
        words.push("bacdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz10".into());
        for a in &words {
            for b in &words {
                let (x, y) = (a.as_bytes(), b.as_bytes());
                assert_eq!(
                    jaro_bits(x, y).map(f64::to_bits),
                    Some(jaro_by_bytes(x, y).to_bits()),
                    "{a} {b}"
                );
                let positions = BytePositions::new(x).expect("short word");
                assert_eq!(
                    positions.osa_distance(y),
                    strsim::osa_distance(a, b),
                    "{a} {b}"
                );
            }
        }
        // Other bytes, longer words: not taken, left to the general code.
        assert!(LetterPositions::new(b"o'brien").is_none());
        assert!(BytePositions::new(&[b'a'; 65]).is_none());
        assert_eq!(
            BytePositions::new(b"o'brien").map(|p| p.osa_distance(b"obrien")),
            Some(1)
        );
        assert!(jaro_bits(b"ab-c", b"abc").is_none());
    }

    #[test]
    fn bounded_distance_is_the_distance() {
        let words = DISTANCE_WORDS;
        for a in words {
            for b in words {
                let full = strsim::osa_distance(a, b);
                assert_eq!(edit_distance(a.as_bytes(), b.as_bytes()), full, "{a} {b}");
                for most in 0..12 {
                    let within = edit_distance_within(a.as_bytes(), b.as_bytes(), most);
                    assert_eq!(within, (full <= most).then_some(full), "{a} {b} {most}");
                }
            }
        }
    }

    #[test]
    fn the_letter_bound_never_exceeds_the_distance() {
        // The long word is left out: its letter set alone says nothing new.
        let words = &DISTANCE_WORDS[..DISTANCE_WORDS.len() - 1];
        for a in words {
            for b in words {
                let bound = min_edits(letter_set(a.as_bytes()), letter_set(b.as_bytes()));
                assert!(
                    bound as usize <= edit_distance(a.as_bytes(), b.as_bytes()),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn edit_bounds_and_generations_are_the_counted_ones() {
        for longest in 0..300 {
            assert_eq!(
                most_edits(longest),
                most_edits_counted(longest),
                "{longest}"
            );
        }
        // `generation` from the mask of `bin` words, against counting them.
        for name in [
            "Salim bin Ali bin Hamad",
            "bin Laden Osama",
            "Ali Hamad",
            "Ahmad bin",
            "",
        ] {
            let prepared = PreparedName::new(name, Some(EntityType::Individual));
            for position in 0..=prepared.tokens.len() {
                let counted = if prepared
                    .tokens
                    .first()
                    .is_none_or(|t| &*t.token.text == "bin")
                {
                    0
                } else {
                    prepared.tokens[..position]
                        .iter()
                        .filter(|t| &*t.token.text == "bin")
                        .count() as u32
                };
                assert_eq!(
                    generation(&prepared, position),
                    counted,
                    "{name} {position}"
                );
            }
        }
    }

    #[test]
    fn other_scripts() {
        assert!(sim("Владимир Путин", "Vladimir Putin") >= DEFAULT_THRESHOLD);
        assert!(sim("محمد علي", "Mohamed Ali") >= DEFAULT_THRESHOLD);
    }
}
