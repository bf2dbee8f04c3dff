//! Folding names to comparable tokens.
//!
//! Every name, listed or screened, goes through the same steps: Unicode compatibility
//! composition (full-width forms, ligatures), transliteration to ASCII (`any_ascii`: Cyrillic,
//! Greek, Arabic, Hebrew, CJK, Hangul, Thai, …), lower case, punctuation as a separator,
//! `SURNAME, Given` put back in reading order, digits typed for letters (`Ig0r`) read as
//! letters, ordinals and small numbers spelt out, honorifics and legal forms dropped, and
//! connecting particles (`bin`, `al`, `van`, …) kept but weighted low.

use unicode_normalization::UnicodeNormalization;

use super::EntityType;

/// One word of a folded name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Shared, not copied: a listed word is held once however many names carry it.
    pub text: std::sync::Arc<str>,
    /// Written in a script that leaves out most vowels (Arabic, Hebrew, Thai, Khmer): compare
    /// by consonant skeleton, not spelling.
    pub vowel_poor: bool,
    /// A connecting particle (`bin`, `al`, `de`, `van`, …): weak evidence either way.
    pub particle: bool,
}

impl Token {
    pub fn is_initial(&self) -> bool {
        self.text.len() == 1
    }
}

const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "sheikh",
    "shaikh",
    "sheik",
    "haji",
    "hajji",
    "herr",
    "frau",
    "mme",
    "mlle",
    "madame",
    "monsieur",
    "sr",
    "sra",
    "srta",
    "don",
    "dona",
    "dhr",
    "mevr",
    "president",
    "prasident",
    "presidente",
    "general",
    "gen",
    "col",
    "colonel",
    "capt",
    "captain",
    "maj",
    "major",
    "lt",
    "gov",
    "governor",
    "minister",
    "senator",
    "rev",
    "imam",
    "mullah",
    "hon",
    "excellency",
    "his",
    "her",
];

/// Legal forms and their abbreviations in the languages the lists use. Dropped from company
/// names: "Deutsche Bank AG" and "Deutsche Bank" are the same bank.
pub const LEGAL_FORMS: &[&str] = &[
    "llc",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "lp",
    "llp",
    "gmbh",
    "ag",
    "aktiengesellschaft",
    "aktiengeselschaft",
    "kg",
    "ug",
    "se",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "sl",
    "sau",
    "bv",
    "nv",
    "vof",
    "ab",
    "as",
    "asa",
    "oy",
    "oyj",
    "aps",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "tov",
    "pte",
    "pty",
    "bhd",
    "sdn",
    "kk",
    "cv",
    "de",
    "sp",
    "zoo",
    "z",
    "o",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "wll",
    "est",
    "establishment",
    "holding",
    "holdings",
    "group",
    "the",
    "and",
    "joint",
    "stock",
    "liability",
    "public",
    "private",
    "closed",
    "open",
    "society",
];

/// Words that tie a name together without identifying anyone.
const PARTICLES: &[&str] = &[
    "bin", "bint", "ibn", "ben", "al", "el", "ul", "ad", "ar", "as", "at", "az", "an", "abd", "de",
    "del", "della", "der", "den", "des", "di", "da", "do", "dos", "du", "la", "le", "van", "von",
    "y", "e", "of", "ould", "mac", "ap",
];

const NUMBERS: &[(&str, &str)] = &[
    ("1", "one"),
    ("2", "two"),
    ("3", "three"),
    ("4", "four"),
    ("5", "five"),
    ("6", "six"),
    ("7", "seven"),
    ("8", "eight"),
    ("9", "nine"),
    ("10", "ten"),
    ("1st", "first"),
    ("2nd", "second"),
    ("3rd", "third"),
    ("4th", "fourth"),
    ("5th", "fifth"),
    ("6th", "sixth"),
    ("7th", "seventh"),
    ("8th", "eighth"),
    ("9th", "ninth"),
    ("10th", "tenth"),
];

/// Spelling variants of the same particle or word, folded to one form.
fn canonical(word: &str) -> &str {
    match word {
        "ben" | "ibn" | "bint" | "bn" => "bin",
        "el" | "ul" => "al",
        "intl" | "int" => "international",
        "mohammad" | "mohammed" | "muhammad" | "muhammed" | "mohamed" | "mohamad" | "muhamad"
        | "mohd" => "muhammad",
        other => other,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    VowelPoor,
    Syllabic,
}

fn script(c: char) -> Script {
    match c as u32 {
        0x0590..=0x05FF
        | 0x0600..=0x06FF
        | 0x0750..=0x077F
        | 0x08A0..=0x08FF
        | 0xFB1D..=0xFB4F
        | 0xFB50..=0xFDFF
        | 0xFE70..=0xFEFF
        | 0x0E00..=0x0E7F
        | 0x1780..=0x17FF
        | 0x0700..=0x074F => Script::VowelPoor,
        // Han, Hangul syllables: one character is one syllable, often written apart in Latin.
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF => Script::Syllabic,
        _ => Script::Latin,
    }
}

/// Transliterates to lower-case ASCII words, each flagged with its script.
fn words(name: &str) -> Vec<(String, bool)> {
    let composed: std::borrow::Cow<'_, str> = if name.is_ascii() {
        name.into()
    } else {
        name.nfkc().collect::<String>().into()
    };
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut vowel_poor = false;
    let flush = |current: &mut String, vowel_poor: &mut bool, out: &mut Vec<(String, bool)>| {
        if !current.is_empty() {
            out.push((std::mem::take(current), *vowel_poor));
        }
        *vowel_poor = false;
    };
    for c in composed.chars() {
        let kind = script(c);
        let mut utf8 = [0u8; 4];
        let ascii: &str = if c.is_ascii() {
            c.encode_utf8(&mut utf8)
        } else {
            any_ascii::any_ascii_char(c)
        };
        if kind == Script::Syllabic {
            flush(&mut current, &mut vowel_poor, &mut out);
            let syllable: String = ascii
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            if !syllable.is_empty() {
                out.push((syllable, false));
            }
            continue;
        }
        // Apostrophes inside a word (`O'Brien`, `Bank's`, Arabic ʿayn) do not split it.
        if matches!(c, '\'' | '’' | '`' | 'ʿ' | 'ʾ' | 'ʼ') {
            continue;
        }
        let mut separated = false;
        for a in ascii.chars() {
            if a.is_ascii_alphanumeric() {
                current.push(a.to_ascii_lowercase());
            } else if a == '\'' || a == '`' {
                continue;
            } else {
                separated = true;
                flush(&mut current, &mut vowel_poor, &mut out);
            }
        }
        if ascii.is_empty() && !c.is_alphanumeric() && !is_mark(c) {
            separated = true;
            flush(&mut current, &mut vowel_poor, &mut out);
        }
        if !separated && kind == Script::VowelPoor && !ascii.is_empty() {
            vowel_poor = true;
        }
    }
    flush(&mut current, &mut vowel_poor, &mut out);
    out
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x05B0..=0x05C7 | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x17B4..=0x17D3)
}

/// Digits typed for letters inside a word (`Ig0r Sech1n`) read as the letters they stand for.
fn unleet(word: String) -> String {
    let letters = word.bytes().filter(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters == word.len() || NUMBERS.iter().any(|(n, _)| *n == word) {
        return word;
    }
    word.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            other => other,
        })
        .collect()
}

/// `SURNAME, Given Names` (one comma, as lists write people) back in reading order.
fn reading_order(name: &str) -> std::borrow::Cow<'_, str> {
    let mut parts = name.splitn(3, ',');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(surname), Some(given), None) if !given.trim().is_empty() => {
            format!("{} {}", given.trim(), surname.trim()).into()
        }
        _ => name.into(),
    }
}

/// Folds a name to tokens. `kind` decides which noise words go: honorifics for people,
/// legal forms for companies, both when unknown. A name made only of noise words keeps them.
pub fn tokenize(name: &str, kind: Option<EntityType>) -> Vec<Token> {
    let ordered = reading_order(name);
    let mut raw = words(&ordered);
    for (w, _) in &mut raw {
        *w = unleet(std::mem::take(w));
    }
    let person = matches!(kind, None | Some(EntityType::Individual));
    let company = !matches!(kind, Some(EntityType::Individual));
    let lists = word_lists();
    let is_noise = |w: &str| {
        (person && lists.honorifics.contains(w)) || (company && lists.legal_forms.contains(w))
    };
    // When every word left is a particle (or none is left), the noise words stay.
    let keep_noise = raw
        .iter()
        .filter(|(w, _)| !is_noise(w))
        .all(|(w, _)| lists.particles.contains(folded(w)));
    raw.into_iter()
        .filter(|(w, _)| keep_noise || !is_noise(w))
        .map(|(w, vp)| to_token(w, vp))
        .collect()
}

/// The word lists as sets: every word of every listed name is looked up in them at load.
struct WordLists {
    honorifics: std::collections::HashSet<&'static str, super::index::FastHash>,
    legal_forms: std::collections::HashSet<&'static str, super::index::FastHash>,
    particles: std::collections::HashSet<&'static str, super::index::FastHash>,
}

fn word_lists() -> &'static WordLists {
    static LISTS: std::sync::OnceLock<WordLists> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| WordLists {
        honorifics: HONORIFICS.iter().copied().collect(),
        legal_forms: LEGAL_FORMS.iter().copied().collect(),
        particles: PARTICLES.iter().copied().collect(),
    })
}

/// A word's number spelt out and its spelling variants folded: the text of its token.
fn folded(word: &str) -> &str {
    // Every number written out starts with a digit.
    let spelled = if word.starts_with(|c: char| c.is_ascii_digit()) {
        NUMBERS
            .iter()
            .find(|(n, _)| *n == word)
            .map_or(word, |(_, w)| w)
    } else {
        word
    };
    canonical(spelled)
}

fn to_token(word: String, vowel_poor: bool) -> Token {
    let text: std::sync::Arc<str> = match folded(&word) {
        same if same == word => word.into(),
        other => other.into(),
    };
    let particle = word_lists().particles.contains(&*text);
    Token {
        text,
        vowel_poor,
        particle,
    }
}

/// Plain folded words of a name, for display and simple comparisons.
pub fn tokens(name: &str) -> Vec<String> {
    tokenize(name, None)
        .into_iter()
        .map(|t| t.text.to_string())
        .collect()
}

/// The consonants of a word, repeated letters once: what survives transliteration from a
/// script that does not write short vowels (`mhmd` for محمد, `muhammad` alike).
pub fn skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'h') {
            continue;
        }
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str, kind: Option<EntityType>) -> Vec<String> {
        tokenize(name, kind)
            .into_iter()
            .map(|t| t.text.to_string())
            .collect()
    }

    #[test]
    fn folds_scripts_case_accents_and_order() {
        assert_eq!(texts("KHOROSHEV, Dmitriy", None), ["dmitriy", "khoroshev"]);
        assert_eq!(
            texts("Recep Tayyip Erdoğan", None),
            ["recep", "tayyip", "erdogan"]
        );
        assert_eq!(texts("Владимир Путин", None), ["vladimir", "putin"]);
        assert_eq!(texts("习近平", None), ["xi", "jin", "ping"]);
        assert_eq!(texts("Ｍｒ． Ｓｍｉｔｈ", None), ["smith"]);
        assert_eq!(texts("Ig0r Sech1n", None), ["igor", "sechin"]);
        assert_eq!(texts("O'Brien", None), ["obrien"]);
    }

    #[test]
    fn drops_noise_by_entity_type() {
        assert_eq!(
            texts("Deutsche Bank AG", Some(EntityType::Entity)),
            ["deutsche", "bank"]
        );
        assert_eq!(
            texts("Mr. Rami Makhlouf", Some(EntityType::Individual)),
            ["rami", "makhlouf"]
        );
        assert_eq!(texts("1st International Bank", None)[0], "first");
        assert_eq!(texts("Limited", Some(EntityType::Entity)), ["limited"]);
        // Noise words stay when only particles would be left, and numbers are spelt out.
        assert_eq!(texts("The Al", Some(EntityType::Entity)), ["the", "al"]);
        assert_eq!(texts("Mr Bin", None), ["mr", "bin"]);
        assert_eq!(texts("Ibn 2nd Ltd", None), ["bin", "second"]);
        assert_eq!(texts("Mohammed 3", None), ["muhammad", "three"]);
    }

    #[test]
    fn marks_vowel_poor_scripts_and_particles() {
        let t = tokenize("محمد بن علي", None);
        assert!(t.iter().all(|t| t.vowel_poor), "{t:?}");
        assert!(t[1].particle);
        assert_eq!(skeleton("mohamed"), skeleton("mhmd"));
    }
}
