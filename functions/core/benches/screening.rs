//! Sanctions screening speed on the full OFAC SDN (2021) and UN consolidated lists:
//! list parsing (cold start), index build, loading the saved index (`index.bin`) instead of
//! both, and names screened per second on one core.
//!
//! `cargo bench -p compliance-core --bench screening`

mod support;

use std::hint::black_box;

use compliance_core::screening::lists;
use compliance_core::screening::score::DEFAULT_THRESHOLD;
use compliance_core::screening::{forget_similar_words, Screener};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let all = support::sdn_and_un();
    let total_bytes: usize = all.iter().map(|f| f.bytes.len()).sum();

    let mut group = c.benchmark_group("cold start");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(total_bytes as u64));
    group.bench_function("parse OFAC SDN + UN", |b| {
        b.iter(|| lists::load(black_box(&all), "bench").expect("load"))
    });
    let loaded = lists::load(&all, "bench").expect("load");
    // The index alone, as a cold start pays it: the copy of the lists it is given and the
    // dropping of the index afterwards are left out of the time.
    group.bench_function("build index", |b| {
        b.iter_batched(
            || loaded.clone(),
            |lists| Screener::new(black_box(lists)),
            BatchSize::PerIteration,
        )
    });
    // What a cold start with `index.bin` pays instead of both: the saved screener, lists
    // included, checked (checksum, build, digests) and loaded.
    let built = Screener::new(loaded.clone());
    let saved = built.to_bytes();
    let digests: Vec<(String, String)> = built
        .versions()
        .into_iter()
        .map(|v| (v.id, v.sha256))
        .collect();
    eprintln!("saved index: {} bytes", saved.len());
    group.throughput(Throughput::Bytes(saved.len() as u64));
    group.bench_function("load saved index", |b| {
        // As for the build, the dropping of the screener afterwards is left out.
        b.iter_with_large_drop(|| {
            Screener::from_bytes(black_box(&saved), &digests).expect("saved index")
        })
    });
    // The check of a folder's files against the saved digests (SHA-256 of every list file).
    group.throughput(Throughput::Bytes(total_bytes as u64));
    group.bench_function("digests of the list files", |b| {
        b.iter(|| lists::digests(black_box(&all)))
    });
    drop(built);
    group.finish();

    // Screening with the screener a cold start has: loaded from the saved index, with the
    // similar words of every listed word found when it was saved.
    let screener = Screener::from_bytes(&saved, &digests).expect("saved index");
    drop(saved);
    let queries = support::benchmark_queries(&screener);
    let mut group = c.benchmark_group("screening");
    group.sample_size(10);
    group.throughput(Throughput::Elements(queries.len() as u64));
    // Each iteration from an empty cache of similar words: only the words the batch itself
    // repeats are found in it (a cold Lambda's first batch).
    group.bench_function("names against OFAC SDN + UN, word cache cold", |b| {
        b.iter(|| {
            forget_similar_words();
            screen_all(&screener, &queries)
        })
    });
    // The same names again with the cache as the last pass left it (a warm Lambda screening
    // names whose words it has seen).
    group.bench_function("names against OFAC SDN + UN, word cache warm", |b| {
        b.iter(|| screen_all(&screener, &queries))
    });
    // A screener built from the list files (no saved index, as `compliance screen --lists`
    // on a folder without `index.bin`): every screened word is searched for.
    let built = Screener::new(loaded);
    group.bench_function(
        "names against OFAC SDN + UN, word cache cold, index built not saved",
        |b| {
            b.iter(|| {
                forget_similar_words();
                screen_all(&built, &queries)
            })
        },
    );
    group.finish();
}

fn screen_all(screener: &Screener, queries: &[compliance_core::screening::Query]) -> usize {
    queries
        .iter()
        .map(|q| screener.screen(black_box(q), DEFAULT_THRESHOLD).len())
        .sum::<usize>()
}

criterion_group!(benches, bench);
criterion_main!(benches);
