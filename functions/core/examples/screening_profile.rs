//! Steady measures of screening for `valgrind --tool=callgrind` (instruction counts do not
//! move with the load of a shared machine, wall-clock figures do):
//!
//! ```text
//! cargo build --release -p compliance-core --example screening_profile
//! screening_profile save FILE            # OFAC SDN 2021 + UN parsed, built, saved to FILE
//! screening_profile load FILE            # FILE loaded (checksum, checks, arrays)
//! screening_profile dump FILE > HITS    # every hit of many names, as JSON lines
//! screening_profile screen FILE [PASSES] # FILE loaded, the benchmark's names screened
//!                                        # PASSES times (default 1) from an empty word cache
//! screening_profile warm FILE            # the same names once unmeasured, then once measured
//!                                        # (the warm pass alone)
//! valgrind --tool=callgrind --toggle-collect='*measured_*' screening_profile load FILE
//! ```
//!
//! Only the functions named `measured_*` are counted with `--toggle-collect`: `measured_load`
//! (the bytes in memory to a screener) and `measured_screen` (each pass: the first from an
//! empty word cache, later ones with the cache as the pass before left it).

use std::hint::black_box;

use compliance_core::screening::lists;
use compliance_core::screening::saved::SavedIndex;
use compliance_core::screening::score::DEFAULT_THRESHOLD;
use compliance_core::screening::{forget_similar_words, Query, Screener};

#[path = "../benches/support/mod.rs"]
mod support;

#[inline(never)]
fn measured_load(bytes: &[u8]) -> Result<Screener, Box<dyn std::error::Error>> {
    let saved = SavedIndex::parse(bytes)?;
    let digests = saved.digests.clone();
    Ok(saved.screener(&digests)?)
}

#[inline(never)]
fn measured_screen(screener: &Screener, queries: &[Query]) -> usize {
    queries
        .iter()
        .map(|q| screener.screen(black_box(q), DEFAULT_THRESHOLD).len())
        .sum()
}

/// A pass left out of the counts (it fills the word cache for `warm`).
#[inline(never)]
fn warm_up_pass(screener: &Screener, queries: &[Query]) -> usize {
    // Not the same code as `measured_screen`, or the two would be merged into one function.
    let mut hits = 0;
    for query in queries {
        hits += black_box(screener.screen(query, DEFAULT_THRESHOLD)).len();
    }
    hits
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(file)) = (args.first(), args.get(1)) else {
        return Err("usage: screening_profile save|load|screen|warm|dump FILE [PASSES]".into());
    };
    match mode.as_str() {
        "save" => {
            let all = support::sdn_and_un();
            let screener = Screener::new(lists::load(&all, "bench")?);
            let bytes = screener.to_bytes();
            std::fs::write(file, &bytes)?;
            println!(
                "{} names indexed, {} bytes saved",
                screener.indexed_names(),
                bytes.len()
            );
        }
        "load" => {
            let bytes = std::fs::read(file)?;
            let screener = measured_load(&bytes)?;
            println!("{} names indexed", screener.indexed_names());
        }
        "screen" => {
            let passes: usize = args.get(2).map_or(Ok(1), |p| p.parse())?;
            let bytes = std::fs::read(file)?;
            let screener = measured_load(&bytes)?;
            let queries = support::benchmark_queries(&screener);
            forget_similar_words();
            for pass in 0..passes {
                let hits = measured_screen(&screener, &queries);
                println!("pass {pass}: {} names, {hits} hits", queries.len());
            }
        }
        "warm" => {
            let bytes = std::fs::read(file)?;
            let screener = measured_load(&bytes)?;
            let queries = support::benchmark_queries(&screener);
            forget_similar_words();
            let cold = warm_up_pass(&screener, &queries);
            let warm = measured_screen(&screener, &queries);
            println!("{} names, {cold} hits cold, {warm} warm", queries.len());
        }
        "dump" => {
            // Every hit and explanation for many names, to compare two builds byte for byte:
            // the lists parsed and built, saved and loaded back (FILE is where it is saved).
            let all = support::sdn_and_un();
            std::fs::write(file, Screener::new(lists::load(&all, "bench")?).to_bytes())?;
            let screener = measured_load(&std::fs::read(file)?)?;
            let pairs = include_str!("../tests/fixtures/name-matching/name_pairs.csv");
            let mut reader = csv::Reader::from_reader(pairs.as_bytes());
            let mut names: Vec<String> = Vec::new();
            for record in reader.records().filter_map(Result::ok) {
                names.push(record[1].to_string());
                names.push(record[2].to_string());
            }
            for list in screener.lists() {
                for entry in &list.entries {
                    for name in entry.names() {
                        names.push(name.to_string());
                        // Misspelt: a letter dropped, two swapped, one doubled.
                        let chars: Vec<char> = name.chars().collect();
                        let at = chars.len() / 2;
                        let mut dropped = chars.clone();
                        if at < dropped.len() {
                            dropped.remove(at);
                        }
                        let mut swapped = chars.clone();
                        if at + 1 < swapped.len() {
                            swapped.swap(at / 2, at / 2 + 1);
                        }
                        let mut doubled = chars.clone();
                        if let Some(&c) = chars.get(at + 1) {
                            doubled.insert(at + 1, c);
                        }
                        for variant in [dropped, swapped, doubled] {
                            names.push(variant.into_iter().collect());
                        }
                    }
                }
            }
            let mut out = String::new();
            for (i, name) in names.iter().enumerate() {
                let threshold = if i % 2 == 0 { 0.7 } else { DEFAULT_THRESHOLD };
                let hits = screener.screen(&Query::name(name.as_str()), threshold);
                out.push_str(&serde_json::to_string(&(name, threshold, hits))?);
                out.push('\n');
            }
            print!("{out}");
        }
        _ => return Err(format!("unknown mode {mode}").into()),
    }
    Ok(())
}
