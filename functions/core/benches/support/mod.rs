//! What the benchmarks share: the list fixtures read as files.

use std::path::Path;

use compliance_core::screening::lists::ListFile;

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
