//! The saved screener (`index.bin`): loading it gives exactly the hits, explanations and list
//! versions that parsing and building give, over the full OFAC SDN (2021) and UN lists; any
//! damaged, truncated, foreign or stale saved form is refused with an error, never a panic.

use std::path::{Path, PathBuf};

use compliance_core::screening::lists::{self, ListFile};
use compliance_core::screening::saved::{self, IndexUse, SavedIndexError, INDEX_FILE};
use compliance_core::screening::score::DEFAULT_THRESHOLD;
use compliance_core::screening::{forget_similar_words, EntityType, Query, Screener};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lists")
}

fn full_files() -> Vec<ListFile> {
    let mut files = lists::read_dir_files(&root().join("ofac-2021")).expect("OFAC files");
    files.extend(lists::read_dir_files(&root().join("un")).expect("UN file"));
    files
}

fn digests(screener: &Screener) -> Vec<(String, String)> {
    screener
        .versions()
        .into_iter()
        .map(|v| (v.id, v.sha256))
        .collect()
}

/// The benchmark names, listed names and variants of them, and a few with dates of birth,
/// nationalities and types.
fn queries(screener: &Screener) -> Vec<Query> {
    let pairs = include_str!("fixtures/name-matching/name_pairs.csv");
    let mut reader = csv::Reader::from_reader(pairs.as_bytes());
    let mut names: Vec<String> = reader
        .records()
        .filter_map(Result::ok)
        .map(|r| r[2].to_string())
        .collect();
    for list in screener.lists() {
        for entry in list.entries.iter().step_by(23) {
            names.push(entry.name.to_lowercase());
            let words: Vec<&str> = entry.name.split_whitespace().collect();
            if words.len() > 1 {
                names.push(words.iter().rev().cloned().collect::<Vec<_>>().join(" "));
            }
            if let Some(alias) = entry.aliases.first() {
                names.push(alias.replacen('a', "e", 1));
            }
        }
    }
    let mut queries: Vec<Query> = names.into_iter().map(Query::name).collect();
    for list in screener.lists() {
        for entry in list.entries.iter().step_by(211) {
            queries.push(Query {
                name: entry.name.clone(),
                entity_type: Some(EntityType::Individual),
                birth_date: chrono::NaiveDate::from_ymd_opt(1970, 1, 1),
                nationality: Some("IR".into()),
                id_numbers: entry.id_numbers.iter().map(|i| i.number.clone()).collect(),
            });
        }
    }
    queries
}

fn hits_json(screener: &Screener, queries: &[Query], threshold: f64) -> Vec<String> {
    forget_similar_words();
    queries
        .iter()
        .map(|q| serde_json::to_string(&screener.screen(q, threshold)).expect("json"))
        .collect()
}

#[test]
fn a_saved_screener_gives_the_same_hits_and_explanations() {
    let built = Screener::new(lists::load(&full_files(), "fixtures").expect("lists"));
    let bytes = built.to_bytes();
    let loaded = Screener::from_bytes(&bytes, &digests(&built)).expect("loads");
    assert_eq!(loaded.versions(), built.versions());
    assert_eq!(loaded.indexed_names(), built.indexed_names());
    for (a, b) in loaded.lists().iter().zip(built.lists()) {
        assert_eq!(a.entries, b.entries);
    }
    // Saving again gives the same bytes: nothing was lost or reordered.
    assert!(loaded.to_bytes() == bytes, "saved again, the bytes differ");
    let queries = queries(&built);
    assert!(queries.len() > 1_500, "{}", queries.len());
    for threshold in [DEFAULT_THRESHOLD, 0.7] {
        let expected = hits_json(&built, &queries, threshold);
        let got = hits_json(&loaded, &queries, threshold);
        let with_hits = expected.iter().filter(|h| h.as_str() != "[]").count();
        assert!(with_hits > 300, "{with_hits}");
        for ((q, e), g) in queries.iter().zip(&expected).zip(&got) {
            assert_eq!(e, g, "{} at {threshold}", q.name);
        }
    }
}

#[test]
fn damaged_truncated_foreign_and_stale_indexes_are_refused() {
    let built = Screener::new(lists::bundled().expect("bundled"));
    let bytes = built.to_bytes();
    let expected = digests(&built);
    assert!(Screener::from_bytes(&bytes, &expected).is_ok());

    // Every truncation point (the sample's index is small enough to try them all).
    for len in 0..bytes.len() {
        assert!(
            Screener::from_bytes(&bytes[..len], &expected).is_err(),
            "truncated to {len} bytes"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Screener::from_bytes(&longer, &expected).is_err());

    // A flipped bit anywhere.
    let step = (bytes.len() / 4000).max(1);
    for at in (0..bytes.len()).step_by(step) {
        for bit in [0, 3, 7] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 1 << bit;
            assert!(
                Screener::from_bytes(&damaged, &expected).is_err(),
                "bit {bit} of byte {at} flipped"
            );
        }
    }

    // Another format, another build.
    let mut other_format = bytes.clone();
    other_format[8] = other_format[8].wrapping_add(1);
    assert!(matches!(
        Screener::from_bytes(&other_format, &expected),
        Err(SavedIndexError::Format { .. })
    ));
    assert_eq!(
        Screener::from_bytes(b"sdn.csv,,,", &expected).err(),
        Some(SavedIndexError::NotAnIndex)
    );

    // Other lists: a changed SHA-256, a list missing, a list more.
    let mut other_sha = expected.clone();
    other_sha[0].1 = "0".repeat(64);
    assert!(matches!(
        Screener::from_bytes(&bytes, &other_sha),
        Err(SavedIndexError::OtherLists(_))
    ));
    assert!(Screener::from_bytes(&bytes, &[]).is_err());
    let mut more = expected.clone();
    more.push(("un_sc".into(), "ab".repeat(32)));
    assert!(Screener::from_bytes(&bytes, &more).is_err());
}

/// Damage that keeps the checksum right (as a hostile writer would) is still refused by the
/// structural checks, or loads a screener that does not panic when used.
#[test]
fn hostile_payloads_do_not_panic() {
    let built = Screener::new(lists::bundled().expect("bundled"));
    let bytes = built.to_bytes();
    let expected = digests(&built);
    let body = 28;
    let reseal = |mut b: Vec<u8>| {
        let sum = saved_checksum_for_tests(&b[body..]);
        b[12..20].copy_from_slice(&sum.to_le_bytes());
        b
    };
    assert!(Screener::from_bytes(&reseal(bytes.clone()), &expected).is_ok());
    let step = (bytes.len() / 1500).max(1);
    for at in (body..bytes.len()).step_by(step) {
        for value in [0u8, 0xff, 0x7f, 0x80] {
            let mut damaged = bytes.clone();
            damaged[at] = value;
            let damaged = reseal(damaged);
            if let Ok(screener) = Screener::from_bytes(&damaged, &expected) {
                for name in ["Aerocaribbean Airlines", "Banco Nacional de Cuba", "x y z"] {
                    let _ = screener.screen(&Query::name(name), 0.5);
                }
            }
        }
    }
}

/// The checksum `saved` uses, recomputed through a save of the same body: the format's
/// checksum is private, so the test recovers it by saving and comparing.
fn saved_checksum_for_tests(body: &[u8]) -> u64 {
    saved::checksum_for_tests(body)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
    }
}

#[test]
fn a_folder_loads_from_its_index_only_while_the_files_match() {
    let tmp = tempdir();
    let staging = tmp.join(".lists.incoming");
    copy_dir(&root().join("ofac-2021"), &staging);
    copy_dir(&root().join("un"), &staging);
    let manifest = serde_json::json!({"lists": [{
        "id": "un_sc", "source": "https://scsanctions.un.org/x.xml", "published": "2021-01-01",
        "fetched_at": "2026-11-26T00:00:00Z", "files": ["UN_consolidated.xml"], "entries": 1003,
        "sha256": "whatever"
    }]});
    std::fs::write(staging.join("manifest.json"), manifest.to_string()).expect("manifest");
    let written = saved::write_dir_index(&staging).expect("index written");
    // Renamed into place, as `lists fetch` does.
    let dir = tmp.join("lists");
    std::fs::rename(&staging, &dir).expect("rename");

    // The plain loaders skip the index.
    let parsed = lists::load_dir(&dir).expect("parsed");
    let built = Screener::new(parsed);

    let (loaded, used) = saved::load_dir_with_index(&dir).expect("loads");
    assert_eq!(used, IndexUse::Loaded);
    assert_eq!(loaded.versions(), built.versions());
    assert_eq!(written.indexed_names(), loaded.indexed_names());
    let un = loaded
        .versions()
        .into_iter()
        .find(|v| v.id == "un_sc")
        .expect("un");
    assert_eq!(un.source, "https://scsanctions.un.org/x.xml");
    let ofac = loaded
        .versions()
        .into_iter()
        .find(|v| v.id == "ofac_sdn")
        .expect("ofac");
    assert_eq!(ofac.source, dir.display().to_string());
    let q = Query::name("Aerocaribbean Airlines");
    assert_eq!(
        loaded.screen(&q, DEFAULT_THRESHOLD),
        built.screen(&q, DEFAULT_THRESHOLD)
    );

    // A README changes nothing.
    std::fs::write(dir.join("README.md"), "lists").expect("readme");
    assert_eq!(
        saved::load_dir_with_index(&dir).expect("loads").1,
        IndexUse::Loaded
    );

    // A changed list file, a changed manifest, a new list: parsed and built again.
    let alt = std::fs::read(dir.join("alt.csv")).expect("alt");
    std::fs::write(dir.join("alt.csv"), &alt[..alt.len() / 2]).expect("alt");
    let (again, used) = saved::load_dir_with_index(&dir).expect("loads");
    assert!(matches!(used, IndexUse::Refused(_)), "{used:?}");
    assert_eq!(
        again.versions(),
        Screener::new(lists::load_dir(&dir).expect("parsed")).versions()
    );
    std::fs::write(dir.join("alt.csv"), &alt).expect("alt");
    assert_eq!(
        saved::load_dir_with_index(&dir).expect("loads").1,
        IndexUse::Loaded
    );

    std::fs::write(dir.join("manifest.json"), r#"{"lists": []}"#).expect("manifest");
    assert!(matches!(
        saved::load_dir_with_index(&dir).expect("loads").1,
        IndexUse::Refused(_)
    ));
    saved::write_dir_index(&dir).expect("index written");
    assert_eq!(
        saved::load_dir_with_index(&dir).expect("loads").1,
        IndexUse::Loaded
    );

    std::fs::copy(
        root().join("custom/bank_watchlist.csv"),
        dir.join("bank_watchlist.csv"),
    )
    .expect("custom");
    let (with_custom, used) = saved::load_dir_with_index(&dir).expect("loads");
    assert!(matches!(used, IndexUse::Refused(_)), "{used:?}");
    assert_eq!(with_custom.versions().len(), 3);

    // A damaged index: parsed and built, with the reason.
    std::fs::write(dir.join(INDEX_FILE), b"garbage").expect("index");
    let (_, used) = saved::load_dir_with_index(&dir).expect("loads");
    assert!(matches!(used, IndexUse::Refused(_)), "{used:?}");

    // No index: parsed and built.
    std::fs::remove_file(dir.join(INDEX_FILE)).expect("rm");
    assert_eq!(
        saved::load_dir_with_index(&dir).expect("loads").1,
        IndexUse::Absent
    );
    std::fs::remove_dir_all(&tmp).expect("cleanup");
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "saved-index-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp");
    dir
}

/// For profiling (`valgrind --tool=callgrind`): saves the full lists' screener to
/// `$SAVED_INDEX_PROFILE` when it is not there, else loads it from there once.
#[test]
#[ignore]
fn profile_saved_index() {
    let Some(path) = std::env::var_os("SAVED_INDEX_PROFILE") else {
        return;
    };
    let path = PathBuf::from(path);
    let digest_path = path.with_extension("digests");
    if !path.exists() {
        let built = Screener::new(lists::load(&full_files(), "fixtures").expect("lists"));
        std::fs::write(&path, built.to_bytes()).expect("write");
        let text: Vec<String> = digests(&built)
            .into_iter()
            .map(|(id, sha)| format!("{id} {sha}"))
            .collect();
        std::fs::write(&digest_path, text.join("\n")).expect("write");
        return;
    }
    let bytes = std::fs::read(&path).expect("read");
    let expected: Vec<(String, String)> = std::fs::read_to_string(&digest_path)
        .expect("digests")
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let screener = Screener::from_bytes(&bytes, &expected).expect("loads");
    assert!(screener.indexed_names() > 20_000);
}

/// The S3 path: the index is used only with the manifest and the objects it was saved with.
#[test]
fn a_prefix_loads_from_its_index_only_with_its_manifest_and_objects() {
    let mut files = full_files();
    files.push(ListFile {
        name: "bank_watchlist.csv".into(),
        bytes: std::fs::read(root().join("custom/bank_watchlist.csv")).expect("custom"),
    });
    let source = "s3://bucket/lists/";
    let built = Screener::new(lists::load(&files, source).expect("lists"));
    let ofac = built
        .versions()
        .into_iter()
        .find(|v| v.id == "ofac_sdn")
        .expect("ofac");
    let un = built
        .versions()
        .into_iter()
        .find(|v| v.id == "un_sc")
        .expect("un");
    // The manifest names OFAC and UN, not the bank's own list (carried over).
    let manifest = serde_json::to_vec(&serde_json::json!({"lists": [
        {"id": "ofac_sdn", "source": "https://ofac.example/sdn", "published": null,
         "fetched_at": "2026-11-26T00:00:00Z", "files": [], "entries": ofac.entries,
         "sha256": ofac.sha256},
        {"id": "un_sc", "source": "https://un.example/x.xml", "published": "2021-01-01",
         "fetched_at": "2026-11-26T00:00:00Z", "files": [], "entries": un.entries,
         "sha256": un.sha256},
    ]}))
    .expect("json");
    files.push(ListFile {
        name: "manifest.json".into(),
        bytes: manifest.clone(),
    });
    let built = Screener::new(lists::load(&files, source).expect("lists"));
    let index = saved::save(&built, &files, source);
    let mut objects: Vec<(String, u64)> = files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.len() as u64))
        .collect();
    objects.push((INDEX_FILE.into(), index.len() as u64));

    let loaded = saved::load_for_manifest(&index, &manifest, &objects, source).expect("loads");
    assert_eq!(loaded.versions(), built.versions());
    let q = Query::name("Ivan Sidorov");
    assert_eq!(loaded.screen(&q, 0.7), built.screen(&q, 0.7));

    // From `previous/`, the bank's list gets its new place.
    let previous =
        saved::load_for_manifest(&index, &manifest, &objects, "s3://bucket/lists/previous/")
            .expect("loads");
    let custom = previous
        .versions()
        .into_iter()
        .find(|v| v.id.starts_with("custom:"))
        .expect("custom");
    assert_eq!(
        custom.source,
        "s3://bucket/lists/previous/bank_watchlist.csv"
    );

    // Another manifest (an update being written), another object, another size: refused.
    let mut other = manifest.clone();
    other.push(b' ');
    assert!(saved::load_for_manifest(&index, &other, &objects, source).is_err());
    let mut more = objects.clone();
    more.push(("other.csv".into(), 10));
    assert!(saved::load_for_manifest(&index, &manifest, &more, source).is_err());
    let mut resized = objects.clone();
    resized[0].1 += 1;
    assert!(saved::load_for_manifest(&index, &manifest, &resized, source).is_err());
    let fewer: Vec<(String, u64)> = objects
        .iter()
        .filter(|(n, _)| n != "bank_watchlist.csv")
        .cloned()
        .collect();
    assert!(saved::load_for_manifest(&index, &manifest, &fewer, source).is_err());
    // A manifest that says another SHA-256 for a list.
    let lying = String::from_utf8(manifest.clone())
        .expect("utf8")
        .replace(&ofac.sha256, &"0".repeat(64));
    assert!(saved::load_for_manifest(&index, lying.as_bytes(), &objects, source).is_err());
}

/// Writes `index.bin` into the lists folder `$SAVED_INDEX_DIR` (for measuring the CLI with it).
#[test]
#[ignore]
fn write_index_into_folder() {
    if let Some(dir) = std::env::var_os("SAVED_INDEX_DIR") {
        saved::write_dir_index(Path::new(&dir)).expect("index written");
    }
}
