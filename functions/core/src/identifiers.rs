//! Financial identifiers: IBAN (ISO 13616), BIC (ISO 9362), LEI (ISO 17442).
//!
//! Each validator returns a [`Verdict`]: `valid` means well formed and, where the identifier
//! carries them, check digits right; nothing else (no bank directory, no GLEIF or SWIFT lookup).
//! The `reason` says in plain language what was found, without repeating the value (it may be
//! personal data); at most a country code, a position or the two check digits appear in it.
//!
//! Rules and the choices made where the standards leave room:
//! * **IBAN**: whitespace (spaces, and the no-break spaces PDF text often has) is ignored and
//!   letters are upper-cased. The country code must be in the embedded IBAN registry
//!   (`data/iban_registry.json`, mdomke/schwifty's spec derived from the SWIFT IBAN registry,
//!   MIT), the length must be the registry length, the BBAN must match the registry structure
//!   (`n` digits, `a` upper-case letters, `c` letters or digits, `!` fixed length), the check
//!   digits must not be `00`, `01` or `99` (ISO 13616 computes them as 98 - n mod 97, so they
//!   are always 02..98, yet `01`, `00` and `99` pass mod-97 whenever `98`, `97` and `02` would),
//!   and the rearranged number mod 97 must be 1. Territories the registry lists with their
//!   parent's IBAN format (AX with FI, GF/GP/.. with FR, IM/JE/GG with GB) are accepted under
//!   their own code, as schwifty does; the verdict notes that their banks normally issue the
//!   parent's IBANs. Countries outside the SWIFT registry (validator.js also accepts DZ, IR,
//!   MA, MZ, ...) are rejected as unknown.
//! * **BIC**: 8 or 11 characters, no spaces. Lower case is accepted and upper-cased, as
//!   validator.js does (its vectors are all upper case; SWIFT prints BICs in upper case but a
//!   lower-case BIC in a document names the same institution). Institution code: 4 letters;
//!   country: an ISO 3166-1 alpha-2 code or XK (Kosovo, used by SWIFT); location: 2 letters or
//!   digits (second character `0` marks a test BIC, still valid); branch: 3 letters or digits.
//!   BICs have no check digits.
//! * **LEI**: 20 characters, upper-cased, the first 18 letters or digits, the last two digits,
//!   ISO 7064 mod 97-10 over the whole string (A=10 .. Z=35) equal to 1. Check digits `00`,
//!   `01` and `99` are rejected for the same reason as in IBANs: ISO 17442 derives them as
//!   98 - n mod 97, so no issued LEI carries them.
//!
//! Nothing here panics on any input; the embedded registry is parsed once, and if it could not
//! be parsed every IBAN verdict says "IBAN registry unavailable" instead.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The kinds of identifier the product checks. MRZ and payment cards are validated elsewhere
/// (`crate::mrz`, `crate::extract`); they are listed so callers can name every kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    Mrz,
    Iban,
    Bic,
    Lei,
    Card,
}

impl IdKind {
    /// Every kind, in declaration order.
    pub const ALL: [IdKind; 5] = [
        IdKind::Mrz,
        IdKind::Iban,
        IdKind::Bic,
        IdKind::Lei,
        IdKind::Card,
    ];

    /// The name used on the command line and in serialised verdicts (same as serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Mrz => "mrz",
            IdKind::Iban => "iban",
            IdKind::Bic => "bic",
            IdKind::Lei => "lei",
            IdKind::Card => "card",
        }
    }

    /// The inverse of [`IdKind::as_str`]; surrounding whitespace and case are ignored.
    pub fn parse(s: &str) -> Option<IdKind> {
        let s = s.trim();
        IdKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

/// The outcome of validating one identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub kind: IdKind,
    /// Well formed and check digits right; nothing else.
    pub valid: bool,
    /// Plain language; never repeats the identifier itself.
    pub reason: String,
    /// ISO country code carried by the identifier (IBAN, BIC), when it is a known one.
    pub country: Option<String>,
}

impl Verdict {
    fn ok(kind: IdKind, reason: String, country: Option<String>) -> Verdict {
        Verdict {
            kind,
            valid: true,
            reason,
            country,
        }
    }

    fn bad(kind: IdKind, reason: String, country: Option<String>) -> Verdict {
        Verdict {
            kind,
            valid: false,
            reason,
            country,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IBAN registry
// ---------------------------------------------------------------------------------------------

/// mdomke/schwifty's IBAN spec (derived from the SWIFT IBAN registry), MIT; see data/README.md.
const IBAN_REGISTRY_JSON: &str = include_str!("../data/iban_registry.json");

/// One character class of a BBAN structure (SWIFT registry notation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// `n`: digits 0-9.
    Digit,
    /// `a`: upper-case letters A-Z.
    Letter,
    /// `c`: upper- and lower-case letters and digits; the IBAN is upper-cased first.
    Alnum,
}

impl CharClass {
    fn from_code(code: u8) -> Option<CharClass> {
        match code {
            b'n' => Some(CharClass::Digit),
            b'a' => Some(CharClass::Letter),
            b'c' => Some(CharClass::Alnum),
            _ => None,
        }
    }

    fn matches(self, c: u8) -> bool {
        match self {
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::Letter => c.is_ascii_uppercase(),
            CharClass::Alnum => c.is_ascii_digit() || c.is_ascii_uppercase(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            CharClass::Digit => "a digit",
            CharClass::Letter => "a letter",
            CharClass::Alnum => "a letter or digit",
        }
    }
}

/// A fixed-length run of one character class, such as `4!a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    len: usize,
    class: CharClass,
}

/// Parse a BBAN structure such as `4!a6!n8!c`. Only fixed-length (`!`) segments of `n`, `a` and
/// `c` are accepted: that is all the registry uses, and anything else is reported, not guessed.
fn parse_structure(spec: &str) -> Result<Vec<Segment>, String> {
    let bytes = spec.as_bytes();
    let mut segments = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let mut len: usize = 0;
        while let Some(d) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            len = len
                .checked_mul(10)
                .and_then(|l| l.checked_add(usize::from(d - b'0')))
                .ok_or_else(|| format!("segment length too large in {spec:?}"))?;
            i += 1;
        }
        if i == start || len == 0 {
            return Err(format!("segment without a length in {spec:?}"));
        }
        if bytes.get(i) != Some(&b'!') {
            return Err(format!(
                "variable-length segment in {spec:?} is not supported"
            ));
        }
        i += 1;
        let class = bytes
            .get(i)
            .copied()
            .and_then(CharClass::from_code)
            .ok_or_else(|| format!("unknown character class in {spec:?}"))?;
        i += 1;
        segments.push(Segment { len, class });
    }
    if segments.is_empty() {
        return Err("empty BBAN structure".to_string());
    }
    Ok(segments)
}

/// The registry entry of one country, checked for internal consistency.
#[derive(Debug, Clone)]
struct IbanSpec {
    /// The country code IBANs of this entry begin with according to the registry's
    /// `iban_spec`; differs from the entry's own code for territories (AX -> FI, GF -> FR ...).
    format_prefix: String,
    iban_length: usize,
    bban_spec: String,
    bban: Vec<Segment>,
}

#[derive(Debug, Deserialize)]
struct RawIbanSpec {
    country: String,
    bban_spec: String,
    bban_length: usize,
    iban_spec: String,
    iban_length: usize,
}

#[derive(Debug)]
struct IbanRegistry {
    specs: HashMap<String, IbanSpec>,
    /// Entries present in the file but internally inconsistent, with what is wrong. The unit
    /// tests require this to be empty for the embedded file.
    unusable: BTreeMap<String, String>,
}

fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn check_entry(key: &str, raw: &RawIbanSpec) -> Result<IbanSpec, String> {
    if !is_country_code(key) {
        return Err("key is not a two-letter country code".to_string());
    }
    if raw.country != key {
        return Err(format!("entry names country {:?}", raw.country));
    }
    let bban = parse_structure(&raw.bban_spec)?;
    let total: usize = bban.iter().map(|s| s.len).sum();
    if total != raw.bban_length {
        return Err(format!(
            "BBAN structure {} is {total} characters but bban_length is {}",
            raw.bban_spec, raw.bban_length
        ));
    }
    if raw.iban_length != raw.bban_length + 4 {
        return Err(format!(
            "iban_length {} is not bban_length {} + 4",
            raw.iban_length, raw.bban_length
        ));
    }
    let prefix = raw.iban_spec.get(..2).unwrap_or_default();
    let rest = raw.iban_spec.get(2..).unwrap_or_default();
    if !is_country_code(prefix) || rest.strip_prefix("2!n") != Some(raw.bban_spec.as_str()) {
        return Err(format!(
            "iban_spec {} is not <country>2!n{}",
            raw.iban_spec, raw.bban_spec
        ));
    }
    Ok(IbanSpec {
        format_prefix: prefix.to_string(),
        iban_length: raw.iban_length,
        bban_spec: raw.bban_spec.clone(),
        bban,
    })
}

impl IbanRegistry {
    fn parse(json: &str) -> Result<IbanRegistry, String> {
        let raw: BTreeMap<String, RawIbanSpec> =
            serde_json::from_str(json).map_err(|e| format!("cannot parse registry: {e}"))?;
        if raw.is_empty() {
            return Err("registry has no countries".to_string());
        }
        let mut specs = HashMap::new();
        let mut unusable = BTreeMap::new();
        for (key, entry) in &raw {
            match check_entry(key, entry) {
                Ok(spec) => {
                    specs.insert(key.clone(), spec);
                }
                Err(e) => {
                    unusable.insert(key.clone(), e);
                }
            }
        }
        Ok(IbanRegistry { specs, unusable })
    }
}

static IBAN_REGISTRY: LazyLock<Result<IbanRegistry, String>> =
    LazyLock::new(|| IbanRegistry::parse(IBAN_REGISTRY_JSON));

fn iban_registry() -> Result<&'static IbanRegistry, &'static str> {
    IBAN_REGISTRY.as_ref().map_err(String::as_str)
}

/// The IBAN length the registry gives a country, if it knows the country.
pub fn iban_length(country: &str) -> Option<usize> {
    iban_registry()
        .ok()
        .and_then(|reg| reg.specs.get(country))
        .map(|spec| spec.iban_length)
}

/// Country codes of the embedded IBAN registry, sorted (empty if it is unavailable).
pub fn iban_countries() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = match iban_registry() {
        Ok(reg) => reg.specs.keys().map(String::as_str).collect(),
        Err(_) => Vec::new(),
    };
    codes.sort_unstable();
    codes
}

// ---------------------------------------------------------------------------------------------
// ISO 3166-1 alpha-2
// ---------------------------------------------------------------------------------------------

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted (same set as tzdata's
/// `iso3166.tab` and validator.js's `isISO31661Alpha2`). XK (Kosovo) is user-assigned and
/// accepted separately for BICs.
const ISO_3166_ALPHA2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Whether `code` is an assigned ISO 3166-1 alpha-2 country code (upper case).
pub fn is_iso_country(code: &str) -> bool {
    ISO_3166_ALPHA2.binary_search(&code).is_ok()
}

/// A country code a BIC may carry: ISO 3166-1 alpha-2, XK, or any IBAN registry country.
fn is_bic_country(code: &str) -> bool {
    code == "XK"
        || is_iso_country(code)
        || iban_registry().is_ok_and(|reg| reg.specs.contains_key(code))
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// ISO 7064 mod 97-10 remainder of an ASCII string of digits and upper-case letters, letters
/// counting as two digits (A=10 .. Z=35). `None` if any other byte is present.
fn mod97(bytes: impl IntoIterator<Item = u8>) -> Option<u32> {
    let mut rem: u32 = 0;
    for b in bytes {
        rem = match b {
            b'0'..=b'9' => (rem * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(rem)
}

/// The first character that is not an ASCII letter or digit, as a 1-based position.
fn first_invalid_char(chars: &[char]) -> Option<(usize, char)> {
    chars
        .iter()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map(|(i, c)| (i + 1, *c))
}

/// Upper-case ASCII letters; anything else is left as it is (and rejected later).
fn upper(chars: impl Iterator<Item = char>) -> Vec<char> {
    chars.map(|c| c.to_ascii_uppercase()).collect()
}

fn ascii(chars: &[char]) -> Vec<u8> {
    chars
        .iter()
        .filter_map(|c| u8::try_from(u32::from(*c)).ok())
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Check digits ISO 7064 mod 97-10 never produces (it yields 98 - n mod 97, i.e. 02..98).
fn is_reserved_check_digits(cd: &str) -> bool {
    matches!(cd, "00" | "01" | "99")
}

// ---------------------------------------------------------------------------------------------
// IBAN
// ---------------------------------------------------------------------------------------------

/// Validate an IBAN (ISO 13616) against the embedded IBAN registry.
pub fn validate_iban(input: &str) -> Verdict {
    let kind = IdKind::Iban;
    let chars = upper(input.chars().filter(|c| !c.is_whitespace()));
    let n = chars.len();
    if n == 0 {
        return Verdict::bad(kind, "IBAN is empty".to_string(), None);
    }
    let registry = match iban_registry() {
        Ok(reg) => reg,
        Err(e) => {
            return Verdict::bad(kind, format!("IBAN registry unavailable ({e})"), None);
        }
    };
    let cc: String = chars.iter().take(2).collect();
    let country = (is_country_code(&cc) && registry.specs.contains_key(&cc)).then(|| cc.clone());

    if let Some((pos, _)) = first_invalid_char(&chars) {
        return Verdict::bad(
            kind,
            format!(
                "IBAN contains an invalid character at position {pos} (only letters A-Z and \
                 digits are allowed; spaces are ignored)"
            ),
            country,
        );
    }
    // From here on every character is an ASCII letter or digit.
    let bytes = ascii(&chars);
    if n < 2 {
        return Verdict::bad(
            kind,
            "IBAN is too short to hold a country code (1 character)".to_string(),
            None,
        );
    }
    if !is_country_code(&cc) {
        return Verdict::bad(
            kind,
            "IBAN must start with a two-letter country code".to_string(),
            None,
        );
    }
    let Some(spec) = registry.specs.get(&cc) else {
        let reason = match registry.unusable.get(&cc) {
            Some(e) => format!("IBAN registry entry for {cc} is unusable: {e}"),
            None => format!("unknown IBAN country code {cc}: not in the IBAN registry"),
        };
        return Verdict::bad(kind, reason, None);
    };
    if n != spec.iban_length {
        return Verdict::bad(
            kind,
            format!(
                "wrong length for country {cc}: got {n} character{}, expected {}",
                plural(n),
                spec.iban_length
            ),
            country,
        );
    }
    let cd: String = chars.iter().skip(2).take(2).collect();
    if !cd.bytes().all(|b| b.is_ascii_digit()) {
        return Verdict::bad(
            kind,
            "IBAN check digits (positions 3-4) must be digits".to_string(),
            country,
        );
    }
    let bban = bytes.get(4..).unwrap_or_default();
    let mut offset = 0;
    for seg in &spec.bban {
        let part = bban.get(offset..offset + seg.len).unwrap_or_default();
        if let Some(i) = part.iter().position(|b| !seg.class.matches(*b)) {
            return Verdict::bad(
                kind,
                format!(
                    "BBAN structure mismatch at position {}: expected {} (registry structure \
                     {} for {cc})",
                    4 + offset + i + 1,
                    seg.class.describe(),
                    spec.bban_spec
                ),
                country,
            );
        }
        offset += seg.len;
    }
    if is_reserved_check_digits(&cd) {
        return Verdict::bad(
            kind,
            format!("IBAN check digits {cd} are never issued (ISO 13616 allows 02 to 98 only)"),
            country,
        );
    }
    let rearranged = bban.iter().chain(bytes.get(..4).unwrap_or_default());
    match mod97(rearranged.copied()) {
        Some(1) => {}
        Some(rem) => {
            return Verdict::bad(
                kind,
                format!("IBAN check digits are wrong (mod-97 remainder {rem}, expected 1)"),
                country,
            );
        }
        None => {
            return Verdict::bad(
                kind,
                "IBAN contains a character that cannot be checked".to_string(),
                country,
            );
        }
    }
    let mut reason = format!(
        "valid IBAN for {cc}: length {n}, BBAN structure {} and mod-97 check digits are right",
        spec.bban_spec
    );
    if spec.format_prefix != cc {
        reason.push_str(&format!(
            " (the registry lists {cc} under the {} IBAN format; banks there normally issue {} \
             IBANs)",
            spec.format_prefix, spec.format_prefix
        ));
    }
    Verdict::ok(kind, reason, country)
}

// ---------------------------------------------------------------------------------------------
// BIC
// ---------------------------------------------------------------------------------------------

/// Validate a BIC (ISO 9362): format and country only, BICs have no check digits.
pub fn validate_bic(input: &str) -> Verdict {
    let kind = IdKind::Bic;
    let chars = upper(input.trim().chars());
    let n = chars.len();
    if n == 0 {
        return Verdict::bad(kind, "BIC is empty".to_string(), None);
    }
    let cc: String = chars.iter().skip(4).take(2).collect();
    let country = (is_country_code(&cc) && is_bic_country(&cc)).then(|| cc.clone());

    if let Some((pos, c)) = first_invalid_char(&chars) {
        let reason = if c.is_whitespace() {
            format!("BIC contains a space at position {pos} (BICs are written without spaces)")
        } else {
            format!(
                "BIC contains an invalid character at position {pos} (only letters A-Z and \
                 digits are allowed)"
            )
        };
        return Verdict::bad(kind, reason, country);
    }
    if n != 8 && n != 11 {
        return Verdict::bad(
            kind,
            format!("BIC must be 8 or 11 characters, got {n}"),
            country,
        );
    }
    if let Some(i) = chars.iter().take(4).position(|c| !c.is_ascii_uppercase()) {
        return Verdict::bad(
            kind,
            format!(
                "BIC institution code (positions 1-4) must be letters: position {} is a digit",
                i + 1
            ),
            country,
        );
    }
    if let Some(i) = chars
        .iter()
        .skip(4)
        .take(2)
        .position(|c| !c.is_ascii_uppercase())
    {
        return Verdict::bad(
            kind,
            format!(
                "BIC country code (positions 5-6) must be letters: position {} is a digit",
                i + 5
            ),
            None,
        );
    }
    if country.is_none() {
        return Verdict::bad(
            kind,
            format!("unknown country code {cc} in BIC (not an ISO 3166-1 country, nor XK)"),
            None,
        );
    }
    // Location (positions 7-8) and branch (9-11) are letters or digits: checked above.
    let mut notes = Vec::new();
    if chars.get(7) == Some(&'0') {
        notes.push("a test BIC: location code ends in 0");
    }
    if n == 11 && chars.get(8..11) == Some(&['X', 'X', 'X'][..]) {
        notes.push("branch XXX: primary office");
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    Verdict::ok(
        kind,
        format!(
            "valid BIC format: {n} characters, country {cc}{notes}; BICs carry no check digits"
        ),
        country,
    )
}

// ---------------------------------------------------------------------------------------------
// LEI
// ---------------------------------------------------------------------------------------------

/// Validate an LEI (ISO 17442): 20 characters, ISO 7064 mod 97-10 check digits.
pub fn validate_lei(input: &str) -> Verdict {
    let kind = IdKind::Lei;
    let chars = upper(input.trim().chars());
    let n = chars.len();
    if n == 0 {
        return Verdict::bad(kind, "LEI is empty".to_string(), None);
    }
    if let Some((pos, _)) = first_invalid_char(&chars) {
        return Verdict::bad(
            kind,
            format!(
                "LEI contains an invalid character at position {pos} (only letters A-Z and \
                 digits are allowed)"
            ),
            None,
        );
    }
    if n != 20 {
        return Verdict::bad(kind, format!("LEI must be 20 characters, got {n}"), None);
    }
    let cd: String = chars.iter().skip(18).collect();
    if !cd.bytes().all(|b| b.is_ascii_digit()) {
        return Verdict::bad(
            kind,
            "LEI check digits (positions 19-20) must be digits".to_string(),
            None,
        );
    }
    if is_reserved_check_digits(&cd) {
        return Verdict::bad(
            kind,
            format!(
                "LEI check digits {cd} are never issued (ISO 7064 mod 97-10 gives 02 to 98 only)"
            ),
            None,
        );
    }
    match mod97(ascii(&chars)) {
        Some(1) => Verdict::ok(
            kind,
            "valid LEI: 20 characters and ISO 7064 mod 97-10 check digits are right".to_string(),
            None,
        ),
        Some(rem) => Verdict::bad(
            kind,
            format!("LEI check digits are wrong (mod-97 remainder {rem}, expected 1)"),
            None,
        ),
        None => Verdict::bad(
            kind,
            "LEI contains a character that cannot be checked".to_string(),
            None,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

fn looks_like_card(s: &str) -> bool {
    let first_last_digits = s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && s.chars().last().is_some_and(|c| c.is_ascii_digit());
    let only_allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    let digits = s.chars().filter(char::is_ascii_digit).count();
    first_last_digits && only_allowed && (12..=19).contains(&digits)
}

fn looks_like_iban(chars: &[char]) -> bool {
    (15..=34).contains(&chars.len())
        && chars.iter().take(2).all(char::is_ascii_alphabetic)
        && chars.iter().skip(2).take(2).all(char::is_ascii_digit)
        && chars.iter().all(char::is_ascii_alphanumeric)
}

fn looks_like_bic(chars: &[char]) -> bool {
    let cc: String = chars
        .iter()
        .skip(4)
        .take(2)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (chars.len() == 8 || chars.len() == 11)
        && chars.iter().take(6).all(char::is_ascii_alphabetic)
        && chars.iter().all(char::is_ascii_alphanumeric)
        && is_bic_country(&cc)
}

fn looks_like_lei(chars: &[char]) -> bool {
    chars.len() == 20
        && chars.iter().all(char::is_ascii_alphanumeric)
        && chars.iter().skip(18).all(char::is_ascii_digit)
}

/// A payment card number (ISO/IEC 7812): 12 to 19 digits (spaces and dashes allowed), a
/// correct Luhn check digit, and a prefix of a known card network.
pub fn validate_card(input: &str) -> Verdict {
    use crate::extract::{has_card_prefix, luhn_valid};
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let bad = |reason: String| Verdict::bad(IdKind::Card, reason, None);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return bad("a card number has only digits (spaces and dashes allowed)".into());
    }
    if !(12..=19).contains(&digits.len()) {
        return bad(format!(
            "a card number has 12 to 19 digits, this has {}",
            digits.len()
        ));
    }
    if !luhn_valid(&digits) {
        return bad("the Luhn check digit is wrong".into());
    }
    if !has_card_prefix(&digits) {
        return bad("Luhn-valid, but the prefix belongs to no known card network".into());
    }
    Verdict::ok(
        IdKind::Card,
        "Luhn check digit correct and the prefix belongs to a card network".into(),
        None,
    )
}

/// Guess the kind of a single value from its shape (case is ignored):
/// * card: 12-19 digits, spaces and dashes allowed between them;
/// * IBAN: 2 letters, 2 digits, then letters or digits, 15-34 characters once spaces are removed;
/// * BIC: 8 or 11 letters or digits, the first 6 letters, positions 5-6 a known country code;
/// * LEI: 20 letters or digits, the last two digits.
///
/// A 20-character value can have both the IBAN and the LEI shape (`AT61...` followed by digits);
/// then it is an LEI only if its LEI check digits are right and it is not a valid IBAN, otherwise
/// an IBAN. MRZ lines are detected by the caller.
pub fn detect_kind(input: &str) -> Option<IdKind> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return None;
    }
    if looks_like_card(trimmed) {
        return Some(IdKind::Card);
    }
    let compact: Vec<char> = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    let plain: Vec<char> = trimmed.chars().collect();
    let iban = looks_like_iban(&compact);
    let lei = looks_like_lei(&plain);
    match (iban, lei) {
        (true, true) => {
            // Only a right LEI checksum on a value that is not a right IBAN makes it an LEI:
            // two letters then two digits is the IBAN's own opening, and rare in LEIs.
            if validate_lei(trimmed).valid && !validate_iban(trimmed).valid {
                Some(IdKind::Lei)
            } else {
                Some(IdKind::Iban)
            }
        }
        (true, false) => Some(IdKind::Iban),
        (false, true) => Some(IdKind::Lei),
        (false, false) => looks_like_bic(&plain).then_some(IdKind::Bic),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_registry_parses_completely() {
        let reg = IbanRegistry::parse(IBAN_REGISTRY_JSON).expect("embedded registry parses");
        assert!(
            reg.unusable.is_empty(),
            "inconsistent registry entries: {:?}",
            reg.unusable
        );
        assert_eq!(reg.specs.len(), 103);
        let de = reg.specs.get("DE").expect("DE in registry");
        assert_eq!(de.iban_length, 22);
        assert_eq!(de.bban_spec, "8!n10!n");
        assert_eq!(de.format_prefix, "DE");
        assert_eq!(
            reg.specs.get("GF").map(|s| s.format_prefix.as_str()),
            Some("FR")
        );
        // The lazily parsed static is the same data.
        assert_eq!(iban_countries().len(), 103);
    }

    #[test]
    fn broken_registry_is_an_error_not_a_panic() {
        assert!(IbanRegistry::parse("").is_err());
        assert!(IbanRegistry::parse("{}").is_err());
        assert!(IbanRegistry::parse("[1, 2]").is_err());
        let bad = r#"{"DE": {"country": "DE", "bban_spec": "8!n10n", "bban_length": 18,
                      "iban_spec": "DE2!n8!n10n", "iban_length": 22},
                      "AT": {"country": "AT", "bban_spec": "5!n11!n", "bban_length": 17,
                      "iban_spec": "AT2!n5!n11!n", "iban_length": 21}}"#;
        let reg = IbanRegistry::parse(bad).expect("valid JSON");
        assert!(reg.specs.is_empty());
        assert_eq!(reg.unusable.len(), 2);
    }

    #[test]
    fn structure_parser() {
        assert_eq!(
            parse_structure("4!a6!n8!c"),
            Ok(vec![
                Segment {
                    len: 4,
                    class: CharClass::Letter
                },
                Segment {
                    len: 6,
                    class: CharClass::Digit
                },
                Segment {
                    len: 8,
                    class: CharClass::Alnum
                },
            ])
        );
        for bad in [
            "",
            "4a",
            "!n",
            "0!n",
            "4!x",
            "4!",
            "99999999999999999999999!n",
        ] {
            assert!(parse_structure(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn iso_list_is_sorted_and_unique() {
        assert!(ISO_3166_ALPHA2.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_3166_ALPHA2.iter().all(|c| is_country_code(c)));
        assert!(is_bic_country("XK"));
        assert!(is_bic_country("DE"));
        assert!(!is_bic_country("XX"));
        // Every IBAN registry country is an ISO country or XK.
        for cc in iban_countries() {
            assert!(
                cc == "XK" || ISO_3166_ALPHA2.binary_search(&cc).is_ok(),
                "{cc}"
            );
        }
    }

    #[test]
    fn mod97_matches_known_values() {
        // ISO 7064 example: 794 -> check digits 44 (98 - 79400 mod 97).
        assert_eq!(mod97(*b"79444"), Some(1));
        assert_eq!(mod97(*b"A"), Some(10));
        assert_eq!(mod97(*b"Z"), Some(35));
        assert_eq!(mod97(*b"a"), None);
        assert_eq!(mod97(std::iter::empty()), Some(0));
    }

    #[test]
    fn kind_names_round_trip() {
        for k in IdKind::ALL {
            assert_eq!(IdKind::parse(k.as_str()), Some(k));
            assert_eq!(IdKind::parse(&k.as_str().to_uppercase()), Some(k));
            let json = serde_json::to_string(&k).expect("serialises");
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            let back: IdKind = serde_json::from_str(&json).expect("deserialises");
            assert_eq!(back, k);
        }
        assert_eq!(IdKind::parse(" iban "), Some(IdKind::Iban));
        assert_eq!(IdKind::parse("swiftcode"), None);
        assert_eq!(IdKind::parse(""), None);
    }

    #[test]
    fn quick_checks() {
        assert!(validate_iban("GB82 WEST 1234 5698 7654 32").valid);
        assert!(validate_bic("DEUTDEFF").valid);
        assert!(validate_lei("5299007NTWCC3U23WM81").valid);
        assert!(!validate_lei("5299007NTWCC3U23WM82").valid);
    }
}
