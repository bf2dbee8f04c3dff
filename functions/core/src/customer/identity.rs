//! Identity prints: what lets two documents of one customer be compared (names, date of birth,
//! document numbers, addresses) without storing those values in clear.
//!
//! Each value is normalised (transliterated, case- and order-free, honorifics dropped) and then
//! keyed-hashed (HMAC-SHA-256, cut to 64 bits) with the deployment's identity key. Without the
//! key a print cannot be reversed by hashing a dictionary of names; with it, equal values give
//! equal prints. Names keep one print per word, one per word sound (Double Metaphone, so that
//! `Mueller` and `Müller` agree) and one per initial, so word order, a missing middle name and
//! an initial are tolerated.

use hmac::{Hmac, Mac};
use rphonetic::{DoubleMetaphone, Encoder};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::classify::DocType;
use crate::extract::Fields;
use crate::screening::normalize::{skeleton, tokenize};
use crate::screening::EntityType;

/// The secret that keys identity prints. At least 16 bytes; 32 random bytes are generated for
/// a new deployment (a Secrets Manager secret in AWS, a key file locally).
#[derive(Clone)]
pub struct IdentityKey {
    key: Vec<u8>,
    /// Short public fingerprint of the key: prints made under different keys never compare.
    id: String,
}

impl std::fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdentityKey({})", self.id)
    }
}

impl IdentityKey {
    pub const MIN_BYTES: usize = 16;

    pub fn from_bytes(key: &[u8]) -> Result<Self, String> {
        if key.len() < Self::MIN_BYTES {
            return Err(format!(
                "the identity key has {} bytes, fewer than {}",
                key.len(),
                Self::MIN_BYTES
            ));
        }
        let mut this = Self {
            key: key.to_vec(),
            id: String::new(),
        };
        this.id = this.print("key-id:", "");
        Ok(this)
    }

    /// A key written as text (a secret's value or a key file): hex of at least 16 bytes, or
    /// failing that the UTF-8 bytes of a long random string such as CloudFormation generates.
    pub fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match hex::decode(text) {
            Ok(bytes) => Self::from_bytes(&bytes),
            Err(_) if text.len() >= 32 => Self::from_bytes(text.as_bytes()),
            Err(_) => Err("the identity key must be hex of at least 16 bytes, or at least 32 characters of random text".into()),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The word prints of a name as typed (a reviewer's search): the same prints the
    /// documents' identities carry, so a name is found without being stored in clear.
    pub fn name_word_prints(&self, name: &str) -> Vec<String> {
        let mut words: Vec<String> = name_print(name, self)
            .words
            .into_iter()
            .filter(|w| !w.word.is_empty())
            .map(|w| w.word)
            .collect();
        words.sort();
        words.dedup();
        words
    }

    fn print(&self, domain: &str, value: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail; an empty print would only
        // make comparisons say "not comparable".
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(domain.as_bytes());
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..8])
    }
}

/// The prints of one document's subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Fingerprint of the key the prints were made with.
    pub key_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<NamePrint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<AddressPrint>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamePrint {
    pub words: Vec<WordPrint>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordPrint {
    /// The folded word; empty for an initial.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub word: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sound: String,
    pub initial: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressPrint {
    pub words: Vec<String>,
}

/// Document types whose names are the customer's own. A transaction export or an invoice
/// names counterparties and suppliers, who are not the customer.
pub fn names_the_customer(doc_type: DocType) -> bool {
    matches!(
        doc_type,
        DocType::Passport
            | DocType::NationalId
            | DocType::DrivingLicence
            | DocType::ProofOfAddress
            | DocType::BankStatement
            | DocType::KycApplication
            | DocType::ConsentForm
            | DocType::TaxForm
    )
}

fn is_identity_document(doc_type: DocType) -> bool {
    matches!(
        doc_type,
        DocType::Passport | DocType::NationalId | DocType::DrivingLicence
    )
}

/// The most names printed per document: the subject's name as printed and as in the MRZ.
const MAX_NAMES: usize = 3;
const MAX_ADDRESSES: usize = 3;

impl Identity {
    /// Prints of the document's subject; `None` for documents that do not name the customer.
    pub fn of(doc_type: DocType, fields: &Fields, key: &IdentityKey) -> Option<Identity> {
        if !names_the_customer(doc_type) {
            return None;
        }
        let names = fields
            .names
            .iter()
            .take(MAX_NAMES)
            .map(|n| name_print(n, key))
            .filter(|p| !p.words.is_empty())
            .collect();
        // A document number is compared only where it is the number of an identity document:
        // on the document itself, or as stated in an application.
        let id_numbers = if is_identity_document(doc_type) || doc_type == DocType::KycApplication {
            fields
                .document_number
                .iter()
                .map(|n| {
                    n.chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .collect::<String>()
                })
                .filter(|n| n.len() >= 5)
                .map(|n| key.print("id:", &n.to_ascii_uppercase()))
                .collect()
        } else {
            Vec::new()
        };
        let addresses = fields
            .addresses
            .iter()
            .take(MAX_ADDRESSES)
            .map(|a| AddressPrint {
                words: address_words(a)
                    .iter()
                    .map(|w| key.print("addr:", w))
                    .collect(),
            })
            .filter(|a| !a.words.is_empty())
            .collect();
        Some(Identity {
            key_id: key.id().to_string(),
            names,
            birth_date: fields
                .date_of_birth
                .map(|d| key.print("dob:", &d.to_string())),
            id_numbers,
            addresses,
        })
    }
}

thread_local! {
    static METAPHONE: DoubleMetaphone = DoubleMetaphone::default();
}

fn name_print(name: &str, key: &IdentityKey) -> NamePrint {
    let words = tokenize(name, Some(EntityType::Individual))
        .into_iter()
        .filter(|t| !t.particle && !t.text.is_empty())
        .map(|t| {
            let initial: String = t.text.chars().take(1).collect();
            if t.is_initial() {
                return WordPrint {
                    word: String::new(),
                    sound: String::new(),
                    initial: key.print("init:", &initial),
                };
            }
            let sound = if t.vowel_poor {
                skeleton(&t.text)
            } else {
                METAPHONE.with(|m| m.encode(&t.text))
            };
            WordPrint {
                word: key.print("word:", &t.text),
                sound: if sound.is_empty() {
                    String::new()
                } else {
                    key.print("sound:", &sound)
                },
                initial: key.print("init:", &initial),
            }
        })
        .collect();
    NamePrint { words }
}

/// Folded address words: ASCII, upper case, common abbreviations written one way, house
/// numbers and postcodes kept (they are what tells two addresses apart).
pub fn address_words(address: &str) -> Vec<String> {
    let folded = any_ascii::any_ascii(address).to_ascii_uppercase();
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            match w {
                "STREET" | "STR" | "STRASSE" => "ST",
                "ROAD" => "RD",
                "AVENUE" | "AV" => "AVE",
                "BOULEVARD" => "BLVD",
                "APARTMENT" | "APT" | "FLAT" | "UNIT" => "APT",
                "DRIVE" => "DR",
                "LANE" => "LN",
                "PLACE" => "PL",
                "SQUARE" => "SQ",
                "NUMBER" | "NO" | "NR" => "",
                other => other,
            }
            .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.dedup();
    words
}

/// How two values of one attribute compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Agrees,
    Differs,
    /// One side lacks the value, or the prints were made with different keys.
    NotComparable,
}

/// Two names agree when every word of the shorter one is found in the longer one (by spelling
/// or sound, an initial by its letter), in any order, and at least one whole word matched.
pub fn compare_names(a: &NamePrint, b: &NamePrint) -> Comparison {
    if a.words.is_empty() || b.words.is_empty() {
        return Comparison::NotComparable;
    }
    let (short, long) = if a.words.len() <= b.words.len() {
        (a, b)
    } else {
        (b, a)
    };
    let mut used = vec![false; long.words.len()];
    let mut whole_words = 0;
    for w in &short.words {
        let whole = long.words.iter().enumerate().position(|(i, v)| {
            !used[i]
                && !w.word.is_empty()
                && !v.word.is_empty()
                && (w.word == v.word || (!w.sound.is_empty() && w.sound == v.sound))
        });
        let found = whole.or_else(|| {
            long.words.iter().enumerate().position(|(i, v)| {
                !used[i] && (w.word.is_empty() || v.word.is_empty()) && w.initial == v.initial
            })
        });
        match found {
            Some(i) => {
                used[i] = true;
                if whole.is_some() {
                    whole_words += 1;
                }
            }
            None => return Comparison::Differs,
        }
    }
    // One word alone ("Smith") agrees with a full name only if both are that one word.
    let enough = whole_words >= 2 || (whole_words == 1 && long.words.len() == 1);
    if enough {
        Comparison::Agrees
    } else {
        Comparison::Differs
    }
}

/// Any name of one document agreeing with any name of the other.
pub fn compare_name_sets(a: &[NamePrint], b: &[NamePrint]) -> Comparison {
    any_agrees(a, b, compare_names)
}

/// `Agrees` if any pair agrees, else `Differs` if any pair could be compared.
fn any_agrees<T>(a: &[T], b: &[T], compare: impl Fn(&T, &T) -> Comparison) -> Comparison {
    let mut result = Comparison::NotComparable;
    for x in a {
        for y in b {
            match compare(x, y) {
                Comparison::Agrees => return Comparison::Agrees,
                Comparison::Differs => result = Comparison::Differs,
                Comparison::NotComparable => {}
            }
        }
    }
    result
}

/// Share of address words in common (Jaccard): 0.6 or more is the same address written
/// differently (a missing country, `Street` for `St`).
pub fn compare_addresses(a: &AddressPrint, b: &AddressPrint) -> Comparison {
    if a.words.is_empty() || b.words.is_empty() {
        return Comparison::NotComparable;
    }
    let common = a.words.iter().filter(|w| b.words.contains(w)).count();
    let union = a.words.len() + b.words.len() - common;
    let smaller = a.words.len().min(b.words.len());
    // All of the shorter address found in the longer also agrees (one omits the city).
    if common as f64 / union as f64 >= 0.6 || (smaller >= 3 && common == smaller) {
        Comparison::Agrees
    } else {
        Comparison::Differs
    }
}

pub fn compare_address_sets(a: &[AddressPrint], b: &[AddressPrint]) -> Comparison {
    any_agrees(a, b, compare_addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> IdentityKey {
        IdentityKey::from_bytes(&[7u8; 32]).unwrap()
    }

    fn names(a: &str, b: &str) -> Comparison {
        compare_names(&name_print(a, &key()), &name_print(b, &key()))
    }

    #[test]
    fn names_compare_across_order_middle_names_initials_and_transliteration() {
        assert_eq!(
            names("Martina Sofia Lindqvist", "LINDQVIST, Martina"),
            Comparison::Agrees
        );
        assert_eq!(
            names("Grace Liu", "G. Liu"),
            Comparison::Differs,
            "one whole word is not enough"
        );
        assert_eq!(names("Grace Mei Liu", "Grace M. Liu"), Comparison::Agrees);
        assert_eq!(
            names("Jürgen Müller", "Juergen Mueller"),
            Comparison::Agrees
        );
        assert_eq!(
            names("Алексей Навальный", "Aleksei Navalny"),
            Comparison::Agrees
        );
        assert_eq!(names("Mr John Smith", "John Smith"), Comparison::Agrees);
        assert_eq!(
            names("Martina Lindqvist", "Peter Lindqvist"),
            Comparison::Differs
        );
        assert_eq!(
            names("Martina Lindqvist", "Daniel Moreno"),
            Comparison::Differs
        );
    }

    #[test]
    fn prints_depend_on_the_key_and_hide_the_value() {
        let other = IdentityKey::from_bytes(&[8u8; 32]).unwrap();
        let a = name_print("Martina Lindqvist", &key());
        let b = name_print("Martina Lindqvist", &other);
        assert_ne!(a, b);
        assert_ne!(key().id(), other.id());
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.to_lowercase().contains("lindqvist"));
        assert!(IdentityKey::from_bytes(&[1u8; 8]).is_err());
        assert!(IdentityKey::from_text("short").is_err());
        assert!(IdentityKey::from_text(&"ab".repeat(16)).is_ok());
    }

    #[test]
    fn addresses_compare_by_their_words() {
        let p = |s: &str| AddressPrint {
            words: address_words(s)
                .iter()
                .map(|w| key().print("addr:", w))
                .collect(),
        };
        assert_eq!(
            compare_addresses(
                &p("12 Harbour Street, Zenith 4021"),
                &p("12 HARBOUR ST ZENITH 4021 UTOPIA")
            ),
            Comparison::Agrees
        );
        assert_eq!(
            compare_addresses(
                &p("12 Harbour Street, Zenith 4021"),
                &p("7 Mill Lane, Eastport 9100")
            ),
            Comparison::Differs
        );
    }
}
