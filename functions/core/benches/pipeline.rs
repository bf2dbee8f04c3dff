//! The whole pipeline on one core, per document: intake, classification, field extraction and
//! every check of the default rules, sanctions screening against the full OFAC SDN 2021 and UN
//! consolidated lists included. One benchmark per sample document of `events/documents`, and
//! one pass over all of them (its throughput is documents per second on one core).
//!
//! `cargo bench -p compliance-core --bench pipeline`

mod support;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use compliance_core::audit::SourceRef;
use compliance_core::intake::IntakeLimits;
use compliance_core::pipeline::Pipeline;
use compliance_core::rules::RuleSet;
use compliance_core::screening::lists;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/documents");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("events/documents")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}

fn bench(c: &mut Criterion) {
    let lists = lists::load(&support::sdn_and_un(), "bench").expect("lists");
    let rules = RuleSet::default_rules().expect("rules");
    let pipeline = Pipeline::new(rules, lists, IntakeLimits::default());
    let samples = samples();
    let now = Utc::now();
    let judge = |name: &str, bytes: &[u8]| {
        let source = SourceRef::file(&format!("incoming/{name}"), Some(bytes.len() as u64));
        pipeline.evaluate(source, Ok(bytes), now)
    };

    let mut all = c.benchmark_group("pipeline");
    all.throughput(Throughput::Elements(samples.len() as u64));
    all.measurement_time(Duration::from_secs(10));
    all.bench_function("every sample document", |b| {
        b.iter(|| {
            for (name, bytes) in &samples {
                black_box(judge(name, bytes));
            }
        })
    });
    all.finish();

    let mut each = c.benchmark_group("document");
    each.sample_size(20);
    each.warm_up_time(Duration::from_millis(300));
    each.measurement_time(Duration::from_secs(1));
    for (name, bytes) in &samples {
        each.bench_function(name.as_str(), |b| b.iter(|| black_box(judge(name, bytes))));
    }
    each.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
