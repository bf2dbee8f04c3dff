//! Re-screening speed: stored subjects judged per second on one core against the entries a
//! list update changed, for a daily update (25 entries of the full OFAC SDN 2021 new) and for
//! a first install (every entry of SDN and UN new). The subjects are the real names of the
//! labelled name pairs, each with a date of birth.
//!
//! `cargo bench -p compliance-core --bench rescreen`

mod support;

use std::hint::black_box;

use chrono::{NaiveDate, Utc};
use compliance_core::classify::DocType;
use compliance_core::customer::{CustomerContext, CustomerRef};
use compliance_core::rescreen::{Rescreen, Subject};
use compliance_core::rules::RuleSet;
use compliance_core::screening::lists;
use compliance_core::screening::SanctionsList;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn subjects() -> Vec<Subject> {
    let pairs = include_str!("../tests/fixtures/name-matching/name_pairs.csv");
    let mut reader = csv::Reader::from_reader(pairs.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .enumerate()
        .map(|(i, r)| Subject {
            document_id: format!("{i:032x}"),
            document: format!("s3://bucket/incoming/{i}.pdf"),
            customer: CustomerRef {
                id: Some(format!("C-{i}")),
                ..CustomerRef::default()
            },
            doc_type: DocType::Passport,
            names: vec![r[1].to_string()],
            birth_date: NaiveDate::from_ymd_opt(1960 + (i % 50) as i32, 1 + (i % 12) as u32, 1),
            nationality: None,
            id_numbers: Vec::new(),
            screened_at: Utc::now(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let all = support::sdn_and_un();
    let current = lists::load(&all, "bench").expect("load");
    // The day before: 25 SDN entries not yet listed.
    let previous: Vec<SanctionsList> = current
        .iter()
        .map(|l| {
            let mut l = l.clone();
            if l.version.id == "ofac_sdn" {
                l.entries.truncate(l.entries.len() - 25);
            }
            l
        })
        .collect();
    let rules = RuleSet::default_rules().expect("rules");
    let subjects = subjects();
    let none = CustomerContext::none();

    let mut group = c.benchmark_group("rescreen");
    group.throughput(Throughput::Elements(subjects.len() as u64));
    group.sample_size(10);
    let daily = Rescreen::new(&previous, &current);
    assert_eq!(daily.changed_entries, 25);
    group.bench_function("daily update (25 new entries)", |b| {
        b.iter(|| {
            for s in &subjects {
                black_box(daily.judge(&rules, s, &none, Utc::now()));
            }
        })
    });
    let first = Rescreen::new(&[], &current);
    group.bench_function("first install (every entry new)", |b| {
        b.iter(|| {
            for s in &subjects {
                black_box(first.judge(&rules, s, &none, Utc::now()));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
