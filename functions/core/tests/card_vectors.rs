//! Luhn and payment-card detection against validator.js's own test vectors.
//!
//! Fixture: `tests/fixtures/identifiers/cards.json`, the `isLuhnNumber` and `isCreditCard` test
//! groups of validatorjs/validator.js (MIT, licence next to the fixture), as harvested into
//! /work/shared/data/identifiers/validatorjs_vectors.json. Each group is one upstream
//! `test({validator, args, valid, invalid})` call.
//!
//! How validator.js's verdicts map onto this crate:
//! * `isLuhnNumber` first strips runs of `-` and space, then runs Luhn over what is left; any
//!   other character makes it fail. `extract::luhn_valid` takes bare digits and fails on any
//!   non-digit, so it is called on the entry with `-` and space removed, exactly as upstream.
//!   Entries with letters (`foo`, `prefix6234…`) then fail in both: no entry needs skipping.
//! * `isCreditCard` = Luhn + a provider prefix/length pattern. `extract::card_numbers` looks for
//!   Luhn-valid 13-19 digit runs with a known issuer prefix in free text, so every valid
//!   upstream card is embedded in sentences and must be found. Only the invalid entries of the
//!   provider-less group are real non-cards: in the `provider` groups, "invalid" means "a valid
//!   card of another network", so those are not used as negatives.

use std::collections::BTreeSet;
use std::path::PathBuf;

use compliance_core::extract::{card_numbers, luhn_valid};
use serde::Deserialize;

mod common;
use common::Group;

#[derive(Debug, Deserialize)]
struct Fixture {
    tests: Vec<Group>,
}

/// Valid validator.js cards that `card_numbers` is known not to report, with the reason.
/// Each must still be missed: when the issuer-prefix filter is widened, the test says so and
/// the entry has to be removed.
///
/// `has_card_prefix` in src/extract.rs knows UnionPay only by its `62` range; validator.js
/// (`unionpay: /^(6[27][0-9]{14}|^(81[0-9]{14,17}))$/`) also accepts UnionPay's `81` range,
/// which these upstream vectors use (8171 9999 2766 0000 is a published UnionPay test card).
const KNOWN_PREFIX_GAPS: &[(&str, &str)] = &[];

/// Sentences a card number appears in, in statements, forms and extracted PDF text.
const TEMPLATES: &[&str] = &[
    "Please charge card {} for this order.",
    "Card number: {}\nExpiry: 12/27",
    "Paid with card {}, thank you.",
    "Payment details (card {}) were received on 2026-01-05.",
    "{}",
    "Kartennummer {}.",
];

const MIN_LUHN_VECTORS: usize = 15;
const MIN_VALID_CARDS: usize = 20;
const MIN_INVALID_CARDS: usize = 8;

fn fixture() -> Fixture {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/identifiers/cards.json");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&raw).expect("cards.json has the expected shape")
}

/// validator.js's sanitising step: runs of `-` and space are removed, nothing else.
fn sanitise(s: &str) -> String {
    s.chars().filter(|c| *c != '-' && *c != ' ').collect()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn groups<'a>(fixture: &'a Fixture, validator: &'a str) -> impl Iterator<Item = &'a Group> {
    fixture
        .tests
        .iter()
        .filter(move |g| g.validator == validator)
}

/// Every valid card of every `isCreditCard` group, in fixture order, without repeats.
fn valid_cards(fixture: &Fixture) -> Vec<String> {
    let mut seen = BTreeSet::new();
    groups(fixture, "isCreditCard")
        .flat_map(|g| g.valid.iter())
        .filter(|c| seen.insert(sanitise(c)))
        .cloned()
        .collect()
}

fn known_gap(card: &str) -> Option<&'static str> {
    let d = digits(card);
    KNOWN_PREFIX_GAPS
        .iter()
        .find(|(n, _)| *n == d)
        .map(|(_, why)| *why)
}

#[test]
fn luhn_number_vectors() {
    let fixture = fixture();
    let mut exercised = 0;
    let mut mismatches = Vec::new();
    for group in groups(&fixture, "isLuhnNumber") {
        for (entries, expected) in [(&group.valid, true), (&group.invalid, false)] {
            for entry in entries {
                let ours = luhn_valid(&sanitise(entry));
                if ours != expected {
                    mismatches.push(format!(
                        "luhn_valid({:?}) = {ours}, validator.js says {expected} ({})",
                        sanitise(entry),
                        group.it
                    ));
                }
                exercised += 1;
            }
        }
    }
    println!(
        "isLuhnNumber vectors exercised: {exercised}; mismatches: {}",
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(
        exercised >= MIN_LUHN_VECTORS,
        "only {exercised} isLuhnNumber vectors exercised"
    );
}

#[test]
fn valid_credit_cards_pass_luhn() {
    let fixture = fixture();
    let cards = valid_cards(&fixture);
    let failing: Vec<&String> = cards.iter().filter(|c| !luhn_valid(&digits(c))).collect();
    assert!(failing.is_empty(), "valid cards failing Luhn: {failing:?}");
    assert!(
        cards.len() >= MIN_VALID_CARDS,
        "only {} valid cards",
        cards.len()
    );
}

#[test]
fn valid_credit_cards_are_found_in_sentences() {
    let fixture = fixture();
    let cards = valid_cards(&fixture);
    let mut exercised = 0;
    let mut missed = Vec::new();
    let mut gaps_now_found = Vec::new();

    for card in &cards {
        let expected = digits(card);
        for template in TEMPLATES {
            let text = template.replace("{}", card);
            let found = card_numbers(&text);
            let ok = found == vec![expected.clone()];
            match (known_gap(card), ok) {
                (Some(_), true) => gaps_now_found.push(card.clone()),
                (Some(_), false) => {}
                (None, false) => missed.push(format!("{text:?}: found {found:?}")),
                (None, true) => exercised += 1,
            }
        }
    }

    println!(
        "valid cards: {} ({} known prefix gaps), sentence checks passed: {exercised}, missed: {}",
        cards.len(),
        KNOWN_PREFIX_GAPS.len(),
        missed.len()
    );
    for (card, why) in KNOWN_PREFIX_GAPS {
        println!("known gap: {card} not reported: {why}");
    }
    assert!(
        missed.is_empty(),
        "{} valid card(s) not found exactly once:\n{}",
        missed.len(),
        missed.join("\n")
    );
    assert!(
        gaps_now_found.is_empty(),
        "listed in KNOWN_PREFIX_GAPS but now found; remove them: {gaps_now_found:?}"
    );
    for (gap, _) in KNOWN_PREFIX_GAPS {
        assert!(
            cards.iter().any(|c| digits(c) == *gap),
            "KNOWN_PREFIX_GAPS lists {gap}, which is not a valid card of the fixture"
        );
    }
    assert!(
        cards.len() - KNOWN_PREFIX_GAPS.len() >= MIN_VALID_CARDS,
        "only {} valid cards exercised",
        cards.len() - KNOWN_PREFIX_GAPS.len()
    );
}

/// All the cards in one document, one per line: each found once, in order.
#[test]
fn all_valid_cards_in_one_document() {
    let fixture = fixture();
    let cards: Vec<String> = valid_cards(&fixture)
        .into_iter()
        .filter(|c| known_gap(c).is_none())
        .collect();
    let text: String = cards
        .iter()
        .enumerate()
        .map(|(i, c)| format!("Payment {}: card {c} accepted\n", i + 1))
        .collect();
    let expected: Vec<String> = cards.iter().map(|c| digits(c)).collect();
    assert_eq!(card_numbers(&text), expected);
}

/// The invalid entries of the provider-less `isCreditCard` group: bad checksums, Luhn-valid
/// numbers outside every network's range (2721…, 2220…), over-long runs and numbers glued to
/// letters. None of them may be reported as a card.
#[test]
fn invalid_credit_cards_are_not_reported() {
    let fixture = fixture();
    let mut exercised = 0;
    let mut reported = Vec::new();
    for group in groups(&fixture, "isCreditCard").filter(|g| g.args.is_none()) {
        for entry in &group.invalid {
            for template in TEMPLATES {
                let text = template.replace("{}", entry);
                let found = card_numbers(&text);
                if !found.is_empty() {
                    reported.push(format!("{text:?}: reported {found:?}"));
                }
            }
            exercised += 1;
        }
    }
    println!(
        "invalid cards exercised: {exercised}; wrongly reported: {}",
        reported.len()
    );
    assert!(reported.is_empty(), "{}", reported.join("\n"));
    assert!(
        exercised >= MIN_INVALID_CARDS,
        "only {exercised} invalid cards exercised"
    );
}

/// KNOWN BUG (src/extract.rs, `card_numbers`): the candidate regex
/// `\b(?:\d[ -]?){12,18}\d\b` lets a short number that precedes the card with a single space
/// (a quantity, a row number in a PDF table) join the run. The joined run fails Luhn or the
/// prefix check, and `find_iter` never retries inside it, so the card is missed: upstream
/// vector 4716461583322103 is found on its own but not in "Qty 2 4716461583322103 charged".
/// A card escapes only when the joined run would exceed 19 digits (the 19-digit Visa here).
/// Run with `--ignored` to see every miss.
#[test]
fn card_after_a_short_number_is_found() {
    let fixture = fixture();
    let mut missed = Vec::new();
    for card in valid_cards(&fixture)
        .iter()
        .filter(|c| known_gap(c).is_none())
    {
        for prefix in ["Qty 2 ", "Row 1 ", "On 12 "] {
            let text = format!("{prefix}{card} charged");
            if card_numbers(&text) != vec![digits(card)] {
                missed.push(text);
            }
        }
    }
    assert!(
        missed.is_empty(),
        "{} missed:\n{}",
        missed.len(),
        missed.join("\n")
    );
}
