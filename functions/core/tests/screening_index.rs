//! The index loses no match: over the full OFAC SDN (2021) and UN lists, screening through
//! the index gives exactly the hits that scoring every listed name gives, at the default
//! threshold and at a lower one, for names from the labelled benchmark, listed names with
//! typos, dropped and reordered words, and unrelated names.

use std::path::Path;

use compliance_core::screening::score::DEFAULT_THRESHOLD;
use compliance_core::screening::{lists, Query, Screener};

fn full_lists() -> Screener {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lists");
    let mut loaded = lists::load_dir(&root.join("ofac-2021")).expect("OFAC lists");
    loaded.extend(lists::load_dir(&root.join("un")).expect("UN list"));
    Screener::new(loaded)
}

/// Deterministic variants of a listed name: a typo, a dropped word, reversed word order.
fn variants(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut out = Vec::new();
    if let Some(longest) = words.iter().max_by_key(|w| w.len()) {
        let chars: Vec<char> = longest.chars().collect();
        if chars.len() > 4 {
            let mut typo = chars.clone();
            typo.swap(2, 3);
            let typo: String = typo.into_iter().collect();
            out.push(name.replacen(longest, &typo, 1));
            let dropped: String = chars[..chars.len() - 1].iter().collect();
            out.push(name.replacen(longest, &dropped, 1));
        }
    }
    if words.len() > 2 {
        out.push(words[1..].join(" "));
    }
    if words.len() > 1 {
        out.push(words.iter().rev().cloned().collect::<Vec<_>>().join(" "));
    }
    out
}

#[test]
fn index_finds_every_match_that_scoring_all_names_finds() {
    let screener = full_lists();
    assert!(
        screener.indexed_names() > 20_000,
        "{}",
        screener.indexed_names()
    );
    let mut queries: Vec<String> = Vec::new();
    let pairs = include_str!("fixtures/name-matching/name_pairs.csv");
    let mut reader = csv::Reader::from_reader(pairs.as_bytes());
    for record in reader.records().step_by(3) {
        let record = record.expect("csv");
        queries.push(record[2].to_string());
    }
    let mut listed = 0;
    for list in screener.lists() {
        for entry in list.entries.iter().step_by(97) {
            queries.extend(variants(&entry.name));
            listed += 1;
        }
    }
    queries.extend(
        [
            "John Smith",
            "Maria Garcia Lopez",
            "Acme Trading Ltd",
            "Wei Zhang",
            "Abdullah Al Saud",
            // Listed words spelt alike in a vowel-poor script and in Latin letters were once
            // filed under one of the two only, and the index missed UN TAi.066 and TAi.067.
            "SOUSSOU, Habib",
            "Habib Soussou",
        ]
        .map(String::from),
    );
    assert!(
        listed > 90 && queries.len() > 400,
        "{listed} {}",
        queries.len()
    );
    let mut hits = 0;
    for name in &queries {
        let query = Query::name(name.as_str());
        // Scoring every name once at the lower threshold serves both comparisons.
        let exhaustive = screener.screen_exhaustive(&query, 0.7);
        for threshold in [DEFAULT_THRESHOLD, 0.7] {
            let indexed = screener.screen(&query, threshold);
            let expected: Vec<_> = exhaustive
                .iter()
                .filter(|h| h.score >= threshold)
                .cloned()
                .collect();
            if indexed != expected {
                let missing: Vec<_> = expected.iter().filter(|h| !indexed.contains(h)).collect();
                let extra: Vec<_> = indexed.iter().filter(|h| !expected.contains(h)).collect();
                panic!("{name} at {threshold}: index lost {missing:#?}\nindex added {extra:#?}");
            }
            hits += expected.len();
        }
    }
    // The comparison is only meaningful if the queries do find things.
    assert!(
        hits > queries.len(),
        "{hits} hits for {} queries",
        queries.len()
    );
}
