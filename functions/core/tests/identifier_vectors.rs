//! IBAN, BIC and LEI validation against published test vectors and real identifiers.
//!
//! Fixture: `tests/fixtures/identifiers/identifier_vectors.json`.
//! * `tests`: the `isIBAN` and `isBIC` test groups of validatorjs/validator.js (MIT, licence next
//!   to the fixture), unchanged, as harvested into the shared real-data folder. Each group is
//!   one upstream `test({validator, args, valid, invalid})` call; validator.js has no LEI test.
//! * `lei`: the two 20-character "Legal Entity Number"s of the OFAC SDN data in the shared
//!   folder (public domain), other OFAC "Legal Entity Number"s that are not LEIs, and invalid
//!   values derived from the valid ones by one typing error each.
//!
//! How validator.js's verdicts map onto this crate:
//! * `isIBAN` without args = country table + length/structure regex + mod-97: compared one to
//!   one, except [`OUTSIDE_SWIFT_REGISTRY`].
//! * `isIBAN` with `{whitelist}` / `{blacklist}` adds a caller's country filter, which is not part
//!   of ISO 13616. It is emulated on top of `validate_iban` (valid and country allowed), so
//!   these vectors are all used: e.g. `BE71 0961 2345 6769` is a correct IBAN that is "invalid"
//!   upstream only because the whitelist is DK and GB.
//! * `isBIC`: compared one to one. validator.js upper-cases before checking the country code
//!   and its regex takes both cases; `validate_bic` accepts lower case too (checked below).

use std::collections::BTreeSet;
use std::path::PathBuf;

use compliance_core::identifiers::{
    detect_kind, validate_bic, validate_iban, validate_lei, IdKind, Verdict,
};
use serde::Deserialize;

mod common;
use common::Group;

#[derive(Debug, Deserialize)]
struct Fixture {
    source: String,
    licence: String,
    tests: Vec<Group>,
    lei: LeiVectors,
}

#[derive(Debug, Deserialize)]
struct LeiVectors {
    source: String,
    licence: String,
    valid: Vec<LeiEntry>,
    invalid: Vec<LeiEntry>,
    invalid_derived: Vec<LeiEntry>,
}

#[derive(Debug, Deserialize)]
struct LeiEntry {
    value: String,
}

/// validator.js-valid IBANs that `validate_iban` rejects, on purpose.
///
/// validator.js's country table (`ibanRegexThroughCountryCode`) goes beyond the SWIFT IBAN
/// registry: it also has Algeria, Iran, Morocco and Mozambique, whose "IBANs" are national
/// formats not registered with SWIFT under ISO 13616. The embedded registry (schwifty's spec,
/// derived from SWIFT's) does not list them, so they are unknown countries here. Each entry
/// must still be rejected for exactly that reason and must still be in the fixture.
const OUTSIDE_SWIFT_REGISTRY: &[&str] = &[
    "IR200170000000339545727003",
    "MZ97123412341234123412341",
    "MA64011519000001205000534921",
    "DZ580002100001113000000570",
    "IR576406610070915600106898",
];

const MIN_IBAN_VECTORS: usize = 90;
const MIN_BIC_VECTORS: usize = 12;
const MIN_LEI_VECTORS: usize = 20;

fn fixture() -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/identifiers/identifier_vectors.json");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&raw).expect("identifier_vectors.json has the expected shape")
}

fn groups<'a>(fx: &'a Fixture, validator: &'a str) -> impl Iterator<Item = &'a Group> + 'a {
    fx.tests.iter().filter(move |g| g.validator == validator)
}

/// `(value, expected)` for every vector of a group.
fn cases(g: &Group) -> impl Iterator<Item = (&str, bool)> {
    g.valid
        .iter()
        .map(|v| (v.as_str(), true))
        .chain(g.invalid.iter().map(|v| (v.as_str(), false)))
}

/// The `whitelist` / `blacklist` country options of an `isIBAN` group.
fn country_filter(args: Option<&serde_json::Value>) -> (Option<Vec<String>>, Vec<String>) {
    let opts = args.and_then(|a| a.get(0));
    let list = |key: &str| -> Option<Vec<String>> {
        opts.and_then(|o| o.get(key))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
    };
    (list("whitelist"), list("blacklist").unwrap_or_default())
}

/// The value as the validators see it: whitespace removed, upper case.
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The reason must not repeat the identifier (it may be personal data).
fn assert_reason_private(value: &str, v: &Verdict) {
    let c = compact(value);
    if c.chars().count() >= 8 {
        assert!(
            !compact(&v.reason).contains(&c),
            "reason repeats the value {value:?}: {}",
            v.reason
        );
    }
    assert!(!v.reason.is_empty());
}

/// Independent ISO 7064 mod 97-10 remainder (big-integer free, digit by digit).
fn oracle_mod97(s: &str) -> u32 {
    s.chars()
        .map(|c| c.to_digit(36).expect("alphanumeric"))
        .fold(0, |r, d| {
            if d < 10 {
                (r * 10 + d) % 97
            } else {
                (r * 100 + d) % 97
            }
        })
}

fn oracle_iban_mod97(iban: &str) -> u32 {
    let c = compact(iban);
    oracle_mod97(&format!("{}{}", &c[4..], &c[..4]))
}

#[test]
fn fixture_keeps_source_and_licence() {
    let fx = fixture();
    assert!(fx.source.starts_with("validatorjs/validator.js@"));
    assert!(fx.licence.starts_with("MIT"));
    assert!(fx.lei.source.contains("OFAC"));
    assert!(fx.lei.licence.contains("public domain"));
    assert!(fx.tests.iter().all(|g| !g.it.is_empty()));
}

#[test]
fn iban_vectors_match_validator_js() {
    let fx = fixture();
    let mut checked = 0;
    let mut exceptions_seen = BTreeSet::new();
    let mut filtered_by_args = 0;
    let mut failures = Vec::new();
    for g in groups(&fx, "isIBAN") {
        let (whitelist, blacklist) = country_filter(g.args.as_ref());
        for (value, expected) in cases(g) {
            let v = validate_iban(value);
            assert_eq!(v.kind, IdKind::Iban);
            assert_reason_private(value, &v);
            checked += 1;
            if OUTSIDE_SWIFT_REGISTRY.contains(&value) {
                assert!(
                    expected,
                    "{value} is listed as an exception but upstream rejects it"
                );
                assert!(!v.valid, "{value}: {}", v.reason);
                assert!(
                    v.reason.contains("not in the IBAN registry"),
                    "{value}: {}",
                    v.reason
                );
                exceptions_seen.insert(value);
                continue;
            }
            let country = v.country.clone().unwrap_or_default();
            let allowed = whitelist.as_ref().is_none_or(|w| w.contains(&country))
                && !blacklist.contains(&country);
            if v.valid && !allowed {
                filtered_by_args += 1;
            }
            if (v.valid && allowed) != expected {
                failures.push(format!(
                    "{value:?} (args {:?}): upstream valid={expected}, ours valid={} ({})",
                    g.args, v.valid, v.reason
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "IBAN mismatches:\n{}",
        failures.join("\n")
    );
    let listed: BTreeSet<&str> = OUTSIDE_SWIFT_REGISTRY.iter().copied().collect();
    assert_eq!(
        exceptions_seen, listed,
        "stale entries in OUTSIDE_SWIFT_REGISTRY"
    );
    assert!(
        filtered_by_args > 0,
        "the whitelist/blacklist groups were not exercised"
    );
    assert!(checked >= MIN_IBAN_VECTORS, "only {checked} IBAN vectors");
}

#[test]
fn iban_invalid_vectors_fail_for_the_specific_reason() {
    let expect = [
        ("XX22YYY1234567890123", "unknown IBAN country code XX"),
        (
            "FR14 2004 1010 0505 0001 3",
            "wrong length for country FR: got 21 characters, expected 27",
        ),
        ("FR7630006000011234567890189@", "invalid character at position 28"),
        ("FR7630006000011234567890189\u{1F605}", "invalid character at position 28"),
        ("FR763000600001123456!!\u{1F928}7890189@", "invalid character at position 21"),
        (
            "VG46H07Y0223060094359858",
            "BBAN structure mismatch at position 6: expected a letter (registry structure 4!a16!n for VG)",
        ),
        (
            "IE95TE8270900834048660",
            "BBAN structure mismatch at position 7: expected a letter",
        ),
        (
            "PS072435171802145240705922007",
            "BBAN structure mismatch at position 5: expected a letter",
        ),
    ];
    for (value, reason) in expect {
        let v = validate_iban(value);
        assert!(!v.valid, "{value}");
        assert!(v.reason.contains(reason), "{value}: {}", v.reason);
    }
    // The BBAN-structure cases really do pass mod-97: only the registry structure rejects them.
    for value in ["VG46H07Y0223060094359858", "IE95TE8270900834048660"] {
        assert_eq!(oracle_iban_mod97(value), 1, "{value}");
    }
}

#[test]
fn bic_vectors_match_validator_js() {
    let fx = fixture();
    let mut checked = 0;
    let mut failures = Vec::new();
    for g in groups(&fx, "isBIC") {
        assert!(g.args.is_none(), "isBIC groups take no options");
        for (value, expected) in cases(g) {
            let v = validate_bic(value);
            assert_eq!(v.kind, IdKind::Bic);
            assert_reason_private(value, &v);
            if v.valid != expected {
                failures.push(format!(
                    "{value:?}: upstream valid={expected}, ours valid={} ({})",
                    v.valid, v.reason
                ));
            }
            // validator.js accepts lower case; so do we, with the same verdict.
            assert_eq!(
                validate_bic(&value.to_lowercase()).valid,
                expected,
                "{value}"
            );
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "BIC mismatches:\n{}",
        failures.join("\n")
    );
    assert!(checked >= MIN_BIC_VECTORS, "only {checked} BIC vectors");
}

#[test]
fn lei_vectors() {
    let fx = fixture();
    let mut checked = 0;
    for e in &fx.lei.valid {
        let v = validate_lei(&e.value);
        assert!(v.valid, "{}: {}", e.value, v.reason);
        assert_eq!(v.kind, IdKind::Lei);
        assert_eq!(v.country, None);
        assert_reason_private(&e.value, &v);
        checked += 1;
    }
    for e in fx.lei.invalid.iter().chain(&fx.lei.invalid_derived) {
        let v = validate_lei(&e.value);
        assert!(!v.valid, "{} should be invalid", e.value);
        assert_reason_private(&e.value, &v);
        checked += 1;
    }
    assert!(fx.lei.valid.len() >= 2);
    assert!(checked >= MIN_LEI_VECTORS, "only {checked} LEI vectors");
}

#[test]
fn iban_reserved_check_digits_are_rejected_although_mod97_passes() {
    // Same BBAN, check digits 98/97/02 are the computed ones; 01/00/99 differ by 97 and so
    // leave the mod-97 remainder at 1, but ISO 13616 never issues them.
    let pairs = [
        ("DE98370400440532013032", "DE01370400440532013032", "01"),
        ("DE97370400440532013050", "DE00370400440532013050", "00"),
        ("DE02370400440532013014", "DE99370400440532013014", "99"),
    ];
    for (good, reserved, cd) in pairs {
        let v = validate_iban(good);
        assert!(v.valid, "{good}: {}", v.reason);
        assert_eq!(oracle_iban_mod97(reserved), 1, "{reserved} passes mod-97");
        let v = validate_iban(reserved);
        assert!(!v.valid, "{reserved} must be rejected");
        assert!(
            v.reason
                .contains(&format!("check digits {cd} are never issued")),
            "{reserved}: {}",
            v.reason
        );
        assert_eq!(v.country.as_deref(), Some("DE"));
    }
}

#[test]
fn lei_reserved_check_digits_are_rejected_although_mod97_passes() {
    let pairs = [
        ("5299007NTWCC3U003198", "5299007NTWCC3U003101", "01"),
        ("5299007NTWCC3U006302", "5299007NTWCC3U006399", "99"),
    ];
    for (good, reserved, cd) in pairs {
        assert!(validate_lei(good).valid, "{good}");
        assert_eq!(oracle_mod97(reserved), 1);
        let v = validate_lei(reserved);
        assert!(!v.valid, "{reserved}");
        assert!(
            v.reason.contains(&format!("check digits {cd}")),
            "{}",
            v.reason
        );
    }
}

#[test]
fn iban_length_must_equal_registry_length() {
    assert!(validate_iban("DE89 3704 0044 0532 0130 00").valid);
    let v = validate_iban("DE89 3704 0044 0532 0130 0");
    assert!(!v.valid);
    assert_eq!(
        v.reason,
        "wrong length for country DE: got 21 characters, expected 22"
    );
    assert_eq!(v.country.as_deref(), Some("DE"));

    assert!(validate_iban("NO9386011117947").valid);
    let v = validate_iban("NO93860111179470");
    assert!(!v.valid);
    assert!(
        v.reason.contains("got 16 characters, expected 15"),
        "{}",
        v.reason
    );

    // A Belgian (16) BBAN under the Dutch code (18) with fixed-up check digits: mod-97 passes,
    // the registry length does not.
    let bban = "539007547034";
    let cd = 98 - oracle_mod97(&format!("{bban}NL00"));
    let iban = format!("NL{cd:02}{bban}");
    assert_eq!(oracle_iban_mod97(&iban), 1);
    let v = validate_iban(&iban);
    assert!(!v.valid);
    assert!(
        v.reason.contains("got 16 characters, expected 18"),
        "{}",
        v.reason
    );
}

#[test]
fn iban_details() {
    // Lower case, no-break spaces and tabs are fine.
    for ok in [
        "de89 3704 0044 0532 0130 00",
        "DE89\u{a0}3704\u{a0}0044\u{a0}0532\u{a0}0130\u{a0}00",
        "\tGB82 WEST 1234 5698 7654 32\n",
    ] {
        let v = validate_iban(ok);
        assert!(v.valid, "{ok:?}: {}", v.reason);
    }
    // Wrong check digits: the remainder is reported.
    let bad = "DE88370400440532013000";
    let v = validate_iban(bad);
    assert!(!v.valid);
    assert_eq!(
        v.reason,
        format!(
            "IBAN check digits are wrong (mod-97 remainder {}, expected 1)",
            oracle_iban_mod97(bad)
        )
    );
    // Hyphens are not IBAN separators.
    assert!(!validate_iban("DE89-3704-0044-0532-0130-00").valid);
    // Country handling.
    let v = validate_iban("DZ580002100001113000000570");
    assert_eq!(v.country, None);
    assert!(
        v.reason.contains("unknown IBAN country code DZ"),
        "{}",
        v.reason
    );
    let v = validate_iban("1234567890123456");
    assert!(v.reason.contains("two-letter country code"), "{}", v.reason);
    let v = validate_iban("DEXX370400440532013000");
    assert!(
        v.reason
            .contains("check digits (positions 3-4) must be digits"),
        "{}",
        v.reason
    );
    // Territories listed with their parent's format are accepted under their own code, with a
    // note (GF accounts normally carry FR IBANs).
    let bban = "20041010050500013M02606";
    let cd = 98 - oracle_mod97(&format!("{bban}GF00"));
    let gf = format!("GF{cd:02}{bban}");
    let v = validate_iban(&gf);
    assert!(v.valid, "{}", v.reason);
    assert_eq!(v.country.as_deref(), Some("GF"));
    assert!(v.reason.contains("FR IBAN format"), "{}", v.reason);
    // A valid IBAN of every shape the registry uses for letters: Malta (4!a5!n18!c).
    assert!(validate_iban("MT84 MALT 0110 0001 2345 MTLC AST0 01S").valid);
}

#[test]
fn bic_details() {
    let v = validate_bic("SBICKEN1345");
    assert!(v.valid);
    assert_eq!(v.country.as_deref(), Some("KE"));
    assert!(v.reason.contains("no check digits"));

    let v = validate_bic("SBICXKN1YYP");
    assert!(v.valid, "XK (Kosovo) is accepted: {}", v.reason);
    assert_eq!(v.country.as_deref(), Some("XK"));

    let v = validate_bic("DEUTDEF0");
    assert!(v.valid, "test BICs are valid: {}", v.reason);
    assert!(v.reason.contains("test BIC"), "{}", v.reason);

    let v = validate_bic("deutdeffxxx");
    assert!(v.valid);
    assert!(v.reason.contains("primary office"), "{}", v.reason);
    assert!(
        validate_bic("  DEUTDEFF  ").valid,
        "surrounding whitespace is trimmed"
    );

    let cases = [
        ("DEUT DE FF", "space at position 5"),
        ("DEUTXXFF", "unknown country code XX"),
        (
            "D3UTDEFF",
            "institution code (positions 1-4) must be letters: position 2",
        ),
        (
            "DEUTD3FF",
            "country code (positions 5-6) must be letters: position 6",
        ),
        ("DEUTDEFFXX", "8 or 11 characters, got 10"),
        ("DEUTDEF\u{e9}", "invalid character at position 8"),
        ("", "BIC is empty"),
    ];
    for (value, reason) in cases {
        let v = validate_bic(value);
        assert!(!v.valid, "{value:?}");
        assert!(v.reason.contains(reason), "{value:?}: {}", v.reason);
    }
    assert_eq!(validate_bic("DEUTXXFF").country, None);
}

#[test]
fn lei_details() {
    assert!(
        validate_lei("5299007ntwcc3u23wm81").valid,
        "lower case is upper-cased"
    );
    assert!(validate_lei(" 485100GBI2SE0KIX8T70\n").valid);
    let cases = [
        ("5299007NTWCC3U23WM8", "must be 20 characters, got 19"),
        ("851683897", "must be 20 characters, got 9"),
        (
            "5299007NTWCC3U23WMA1",
            "check digits (positions 19-20) must be digits",
        ),
        (
            "5299007NTWCC3U23WM82",
            "check digits are wrong (mod-97 remainder",
        ),
        ("5299007NTWCC3U23 WM81", "invalid character at position 17"),
        ("", "LEI is empty"),
    ];
    for (value, reason) in cases {
        let v = validate_lei(value);
        assert!(!v.valid, "{value:?}");
        assert!(v.reason.contains(reason), "{value:?}: {}", v.reason);
        assert_eq!(v.country, None);
    }
}

#[test]
fn detect_kind_by_shape() {
    let cases: &[(&str, Option<IdKind>)] = &[
        ("DE89 3704 0044 0532 0130 00", Some(IdKind::Iban)),
        ("de89370400440532013000", Some(IdKind::Iban)),
        // IBAN shape even when the check digits are wrong or the country unknown.
        ("DE00370400440532013000", Some(IdKind::Iban)),
        ("XX22YYY1234567890123", Some(IdKind::Iban)),
        ("DEUTDEFF", Some(IdKind::Bic)),
        ("DEUTDEFF500", Some(IdKind::Bic)),
        ("sbicxkn1yyp", Some(IdKind::Bic)),
        ("5299007NTWCC3U23WM81", Some(IdKind::Lei)),
        ("485100GBI2SE0KIX8T70", Some(IdKind::Lei)),
        ("4111 1111 1111 1111", Some(IdKind::Card)),
        ("4111-1111-1111-1111", Some(IdKind::Card)),
        ("411111111111", Some(IdKind::Card)),
        ("4111111111111111111", Some(IdKind::Card)),
        // 20 characters, both IBAN- and LEI-shaped: whichever check passes wins...
        ("AT611904300234573201", Some(IdKind::Iban)),
        ("AT611904300234573285", Some(IdKind::Lei)),
        ("AB12CDEF3456GHIJ7840", Some(IdKind::Lei)),
        // ...and with neither, the IBAN opening (two letters, two digits) wins.
        ("AT611904300234573202", Some(IdKind::Iban)),
        ("XX22YYY1234567890123", Some(IdKind::Iban)),
        // Nothing fits.
        ("", None),
        ("   ", None),
        ("hello world", None),
        ("PASSPORT", None),    // 8 letters, but PO is no country
        ("DEUTXXFF", None),    // unknown country
        ("12345678901", None), // 11 digits: too short for a card
        ("41111111111111111111111", None),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", None),
        ("L898902C36UTO7408122F1204159ZE184226B<<<<<10", None),
        ("4111 1111 1111 111-", None),
    ];
    let mut failures = Vec::new();
    for (value, expected) in cases {
        let got = detect_kind(value);
        if got != *expected {
            failures.push(format!("{value:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The tie-breaks above rest on these verdicts.
    assert!(validate_iban("AT611904300234573201").valid);
    assert!(!validate_lei("AT611904300234573201").valid);
    assert!(validate_lei("AT611904300234573285").valid);
    assert!(!validate_iban("AT611904300234573285").valid);
    assert!(!validate_iban("AT611904300234573202").valid);
    assert!(!validate_lei("AT611904300234573202").valid);
}

#[test]
fn detect_kind_agrees_with_the_vectors() {
    let fx = fixture();
    for g in groups(&fx, "isIBAN") {
        for value in &g.valid {
            assert_eq!(detect_kind(value), Some(IdKind::Iban), "{value}");
        }
    }
    for g in groups(&fx, "isBIC") {
        for value in &g.valid {
            assert_eq!(detect_kind(value), Some(IdKind::Bic), "{value}");
        }
    }
    for e in &fx.lei.valid {
        assert_eq!(detect_kind(&e.value), Some(IdKind::Lei), "{}", e.value);
    }
}

#[test]
fn odd_input_never_panics_and_is_never_valid() {
    let long_letters = "A".repeat(10_000);
    let long_digits = "1".repeat(10_000);
    let long_de = format!("DE89{}", "0".repeat(9_996));
    let long_spaces = " ".repeat(10_000);
    let long_accents = "\u{e9}".repeat(10_000);
    let long_emoji = "\u{1F605}".repeat(10_000);
    let long_mixed = "DE89 3704 \u{200b}".repeat(1_000);
    let inputs: Vec<&str> = vec![
        "",
        " ",
        "\0",
        "\u{feff}",
        "\u{200b}",
        "\u{202e}DE89370400440532013000",
        "DE89370400440532013000\u{0301}",
        "ÐË89370400440532013000",
        "ＤＥ８９３７０４００４４０５３２０１３０００",
        "٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩",
        "ß",
        "ıiİ",
        "D",
        "DE",
        "DE8",
        "DE89",
        "SBIC",
        "SBICKE",
        "\u{1F605}\u{1F605}\u{1F605}\u{1F605}\u{1F605}\u{1F605}\u{1F605}\u{1F605}",
        "ДЕ89370400440532013000",
        "銀行銀行銀行銀行",
        &long_letters,
        &long_digits,
        &long_de,
        &long_spaces,
        &long_accents,
        &long_emoji,
        &long_mixed,
    ];
    for input in inputs {
        for v in [
            validate_iban(input),
            validate_bic(input),
            validate_lei(input),
        ] {
            assert!(!v.valid, "{:?}… accepted as {:?}", input.get(..20), v.kind);
            assert!(v.reason.len() < 300, "reason too long: {}", v.reason);
            assert_reason_private(input, &v);
        }
        let _ = detect_kind(input);
    }
    assert_eq!(detect_kind(&long_letters), None);
    assert_eq!(detect_kind(&long_de), None);
}

#[test]
fn verdict_serialises_with_snake_case_kind() {
    let v = validate_iban("GB82 WEST 1234 5698 7654 32");
    let json = serde_json::to_value(&v).expect("serialises");
    assert_eq!(json["kind"], "iban");
    assert_eq!(json["valid"], true);
    assert_eq!(json["country"], "GB");
    let json = serde_json::to_value(validate_lei("5299007NTWCC3U23WM81")).expect("serialises");
    assert_eq!(json["country"], serde_json::Value::Null);
}
