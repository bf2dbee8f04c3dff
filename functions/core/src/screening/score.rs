//! Comparing two names.
//!
//! Both names are folded to tokens (`normalize`), then aligned one to one: each token pairs
//! with at most one token (or run of up to three adjacent tokens, for names written together
//! or apart) on the other side, best pairs first. A side's coverage is the share of its
//! weight (letters; particles and initials count little) that found a partner, times how
//! well it matched. The score leans on the better-covered side, so a missing middle name
//! costs little and a different surname costs a lot.

use rphonetic::{DoubleMetaphone, Encoder};

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
const MAX_RUN: usize = 3;
/// More tokens than this are not compared (a sentence is not a name).
pub const MAX_TOKENS: usize = 12;

/// A name folded and keyed once, so that a list is prepared at load time and each query once.
#[derive(Debug, Clone)]
pub struct PreparedName {
    pub tokens: Vec<PreparedToken>,
    /// Runs of two or three adjacent words written together (`jin ping` as `jinping`).
    runs: Vec<(Run, PreparedToken)>,
    total_weight: f64,
}

#[derive(Debug, Clone)]
pub struct PreparedToken {
    pub token: Token,
    pub weight: f64,
    /// Blocking keys (hashed): Double Metaphone primary and alternate, first three letters,
    /// consonant skeleton, last three letters (a mistyped first letter); 0 where a word has none. Two words are compared only when they
    /// share one, which is what lets the index find every possible match.
    pub keys: [u64; 5],
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

impl PreparedToken {
    fn new(token: Token, weight: f64) -> Self {
        Self::with_keys(token, weight, true)
    }

    /// `phonetic`: whether to compute Double Metaphone keys (not for words written together,
    /// whose other keys suffice and which are many).
    fn with_keys(token: Token, weight: f64, phonetic: bool) -> Self {
        let skeleton = skeleton(&token.text);
        let keys = if token.is_initial() || token.text.bytes().all(|b| b.is_ascii_digit()) {
            [0, 0, key_hash(b'x', &token.text), 0, 0]
        } else {
            let (primary, alternate) = if phonetic {
                METAPHONE.with(|m| (m.encode(&token.text), m.encode_alternate(&token.text)))
            } else {
                (String::new(), String::new())
            };
            let prefix: String = token.text.chars().take(3).collect();
            let suffix = if token.text.len() > 3 {
                token.text.get(token.text.len() - 3..).unwrap_or_default()
            } else {
                ""
            };
            [
                key_hash(b'p', &primary),
                key_hash(b'p', &alternate),
                key_hash(b'x', &prefix),
                key_hash(b's', &skeleton),
                key_hash(b'e', suffix),
            ]
        };
        Self {
            token,
            weight,
            keys,
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
        Self::with_cache(name, kind, &mut prepare_token)
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
        let total_weight = tokens.iter().map(|t| t.weight).sum();
        let mut name = Self {
            tokens,
            runs: Vec::new(),
            total_weight,
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
        self.tokens.iter().filter(|t| t.keyed()).count()
    }

    /// The words and runs that the index files (and a query looks up), each with the mask of
    /// the words it stands for and whether it is a run.
    pub fn keyed_units(&self) -> impl Iterator<Item = (&PreparedToken, u16, bool)> + '_ {
        self.units()
            .filter(|(run, t)| run.len > 1 || t.keyed())
            .map(|(run, t)| (t, run.mask(), run.len > 1))
    }

    /// The most this side's share of matched weight can be when only the words in `mask`
    /// found a partner by key. Initials and particles are not keyed but may still pair, and
    /// each initial on the other side can vouch for one letter of a word here.
    pub fn share_bound(&self, mask: u16, other: &PreparedName) -> f64 {
        let other_initials = other.tokens.iter().filter(|t| t.token.is_initial()).count();
        let reachable: f64 = other_initials as f64
            + self
                .tokens
                .iter()
                .enumerate()
                .filter(|(i, t)| mask & (1 << i) != 0 || !t.keyed())
                .map(|(_, t)| t.weight)
                .sum::<f64>();
        (reachable / self.total_weight.max(f64::EPSILON)).min(1.0)
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
    let (x, y) = (a.token.text.as_str(), b.token.text.as_str());
    if x == y {
        return 1.0;
    }
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if numeric(x) || numeric(y) {
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
    if !a.shares_key(b) || a.token.particle != b.token.particle {
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
        let s = strsim::jaro_winkler(&a_skeleton, &b_skeleton);
        if s >= 0.88 && a_skeleton.len() >= 3 {
            return s * 0.95;
        }
    }
    let longest = x.len().max(y.len()) as f64;
    // Every remaining path needs at least EDIT_FLOOR of the letters unchanged, and a length
    // difference is that many edits at least: most pairs stop here, before any distance.
    if 1.0 - x.len().abs_diff(y.len()) as f64 / longest < EDIT_FLOOR {
        return 0.0;
    }
    let edits = edit_distance(x.as_bytes(), y.as_bytes());
    let by_edits = 1.0 - edits as f64 / longest;
    if by_edits < EDIT_FLOOR {
        return 0.0;
    }
    let jw = strsim::jaro_winkler(x, y);
    // Jaro-Winkler rewards a shared beginning; a word that needs many edits is another word
    // that starts alike (Castillo, Castro).
    let mut s = if by_edits >= EDIT_FLOOR {
        jw.max(by_edits)
    } else {
        by_edits
    };
    // Short words: Jaro-Winkler is generous, one edit in four letters is a different word.
    if x.len().min(y.len()) <= 4 {
        s = by_edits.max(if edits <= 1 && x.len() >= 3 && y.len() >= 3 {
            0.85
        } else {
            0.0
        });
    }
    let sounds_alike = a.keys[0] != 0
        && (a.keys[0] == b.keys[0] || a.keys[0] == b.keys[1] || a.keys[1] == b.keys[0]);
    if sounds_alike && x.len().min(y.len()) >= 3 && by_edits >= EDIT_FLOOR {
        s = s.max(0.88);
    }
    if s < TOKEN_FLOOR {
        0.0
    } else {
        s
    }
}

/// Optimal string alignment distance (edits, with adjacent transpositions) of two ASCII
/// words, on the stack for words up to 32 letters.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    const MAX: usize = 32;
    if a.len() > MAX || b.len() > MAX {
        return strsim::osa_distance(
            std::str::from_utf8(a).unwrap_or_default(),
            std::str::from_utf8(b).unwrap_or_default(),
        );
    }
    let mut two_back = [0usize; MAX + 1];
    let mut previous = [0usize; MAX + 1];
    let mut current = [0usize; MAX + 1];
    for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(two_back[j - 2] + 1);
            }
            current[j] = best;
        }
        two_back = previous;
        previous = current;
    }
    previous[b.len()]
}

/// One side of a candidate pair: a run of adjacent tokens.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    len: usize,
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
    let text: String = parts.iter().map(|t| t.token.text.as_str()).collect();
    let token = Token {
        vowel_poor: parts.iter().any(|t| t.token.vowel_poor),
        particle: false,
        text,
    };
    PreparedToken::with_keys(token, parts.iter().map(|t| t.weight).sum(), false)
}

/// How many `bin` a word comes after, when the name does not start with `bin`; 0 otherwise.
fn generation(name: &PreparedName, position: usize) -> usize {
    if name.tokens.first().is_none_or(|t| t.token.text == "bin") {
        return 0;
    }
    name.tokens[..position]
        .iter()
        .filter(|t| t.token.text == "bin")
        .count()
}

/// Compares a screened name with a listed one.
pub fn compare(query: &PreparedName, listed: &PreparedName) -> NameScore {
    let mut pairs = Vec::new();
    if query.is_empty() || listed.is_empty() {
        return NameScore { score: 0.0, pairs };
    }
    // Every candidate pairing of a token or run on one side with a token or run on the other
    // (a run only ever faces a single token: "jin ping" ~ "jinping").
    let mut candidates: Vec<(f64, Run, Run)> = Vec::new();
    for (qr, a) in query.units() {
        for (lr, b) in listed.units() {
            if qr.len > 1 && lr.len > 1 {
                continue;
            }
            // An initial stands for one word, never for several written together.
            if (qr.len > 1 && b.token.is_initial()) || (lr.len > 1 && a.token.is_initial()) {
                continue;
            }
            let s = token_similarity(a, b);
            if s > 0.0 {
                candidates.push((s, qr, lr));
            }
        }
    }
    // Best pairs first; between equals, the longer run (one word for two) wins.
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then((b.1.len + b.2.len).cmp(&(a.1.len + a.2.len)))
    });
    let mut q_used = vec![false; query.tokens.len()];
    let mut l_used = vec![false; listed.tokens.len()];
    let (mut q_cover, mut l_cover) = (0.0, 0.0);
    let mut anchored = false;
    let keyed = |name: &PreparedName, run: Run| run.len > 1 || name.tokens[run.start].keyed();
    for (s, qr, lr) in candidates {
        let q_range = qr.start..qr.start + qr.len;
        let l_range = lr.start..lr.start + lr.len;
        if q_used[q_range.clone()].iter().any(|u| *u) || l_used[l_range.clone()].iter().any(|u| *u)
        {
            continue;
        }
        anchored |= keyed(query, qr) && keyed(listed, lr);
        q_used[q_range.clone()].iter_mut().for_each(|u| *u = true);
        l_used[l_range.clone()].iter_mut().for_each(|u| *u = true);
        let q_weight: f64 = query.tokens[q_range.clone()].iter().map(|t| t.weight).sum();
        let l_weight: f64 = listed.tokens[l_range.clone()]
            .iter()
            .map(|t| t.weight)
            .sum();
        // An initial vouches for one letter of the name it stands for, not the whole name.
        let initial_pair = qr.len == 1
            && lr.len == 1
            && (query.tokens[qr.start].token.is_initial()
                || listed.tokens[lr.start].token.is_initial());
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
        let words = |name: &PreparedName, range: std::ops::Range<usize>| {
            name.tokens[range]
                .iter()
                .map(|t| t.token.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        pairs.push((words(query, q_range), words(listed, l_range), s));
    }
    // Each side has a word the other lacks (another given name, another patronymic, a
    // different initial): evidence of two different people or companies.
    let unmatched = |name: &PreparedName, used: &[bool]| {
        name.tokens
            .iter()
            .zip(used)
            .any(|(t, used)| !used && !t.token.particle)
    };
    let conflict = if unmatched(query, &q_used) && unmatched(listed, &l_used) {
        CONFLICT_PENALTY
    } else {
        0.0
    };
    // Initials and particles agreeing make no match without a word that identifies.
    if !anchored {
        return NameScore { score: 0.0, pairs };
    }
    let q_share = q_cover / query.total_weight.max(f64::EPSILON);
    let l_share = l_cover / listed.total_weight.max(f64::EPSILON);
    let (low, high, covered) = if q_share < l_share {
        (q_share, l_share, listed)
    } else {
        (l_share, q_share, query)
    };
    // A name that is all there in the other (a missing middle name or patronymic, an alias
    // that is the short form) is nearly the same name; but one word found inside a longer
    // name is not.
    let lean = if covered.distinctive_words() >= 2 {
        LEAN
    } else {
        LEAN_ONE_WORD
    };
    NameScore {
        score: ((1.0 - lean) * low + lean * high - conflict).clamp(0.0, 1.0),
        pairs,
    }
}

/// Similarity of two names written out, for `compliance match` and tests.
pub fn similarity(a: &str, b: &str, kind: Option<EntityType>) -> f64 {
    compare(&PreparedName::new(a, kind), &PreparedName::new(b, kind)).score
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn other_scripts() {
        assert!(sim("Владимир Путин", "Vladimir Putin") >= DEFAULT_THRESHOLD);
        assert!(sim("محمد علي", "Mohamed Ali") >= DEFAULT_THRESHOLD);
    }
}
