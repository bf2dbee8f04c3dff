//! What the benchmarks share: the list fixtures read as files.

use std::path::Path;

use compliance_core::screening::lists::ListFile;
use compliance_core::screening::{Query, Screener};

/// Every file of a list folder, by name.
pub fn files(dir: &Path) -> Vec<ListFile> {
    let mut out: Vec<ListFile> = std::fs::read_dir(dir)
        .expect("list folder")
        .map(|e| {
            let path = e.expect("entry").path();
            ListFile {
                name: path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                bytes: std::fs::read(&path).expect("read"),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The full OFAC SDN 2021 set and the UN consolidated list.
pub fn sdn_and_un() -> Vec<ListFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lists");
    let mut all = files(&root.join("ofac-2021"));
    all.extend(files(&root.join("un")));
    all
}

#[allow(dead_code)] // not every bench screens names
/// The screening benchmark's names (also `examples/screening_profile.rs`), a realistic mix: most screened names are not on any list; some are, with the spelling
/// variations real documents carry.
pub fn benchmark_queries(screener: &Screener) -> Vec<Query> {
    let pairs = include_str!("../../tests/fixtures/name-matching/name_pairs.csv");
    let mut reader = csv::Reader::from_reader(pairs.as_bytes());
    let mut names: Vec<String> = reader
        .records()
        .filter_map(Result::ok)
        .map(|r| r[2].to_string())
        .collect();
    for list in screener.lists() {
        for entry in list.entries.iter().step_by(50) {
            names.push(entry.name.to_lowercase());
        }
    }
    names.into_iter().map(Query::name).collect()
}
