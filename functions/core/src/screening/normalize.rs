//! Folding names to comparable tokens.

use unicode_normalization::UnicodeNormalization;

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
