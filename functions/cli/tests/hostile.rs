//! `compliance scan` over the hostile and broken input corpus (`events/hostile/`, written by
//! `scripts/make-hostile-corpus.py`): a copy of its files, plus the ones made at test time
//! (over the size limit, millions of CSV rows, names with newlines and control characters),
//! into a fresh local store. The run must end with the documented exit status, write exactly
//! one audit record (and one alert) per file with the decision and reason kind of
//! `events/hostile/expected.json`, and take bounded time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{assert_exit, compliance, describe, stdout, TempDir};

const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/hostile");
/// The whole corpus in a debug build, on a shared 2-core machine: a guard against a hang,
/// not a benchmark.
const WHOLE_CORPUS: Duration = Duration::from_secs(120);
const LIMIT: u64 = 20 * 1024 * 1024;

/// As in `functions/core/tests/hostile_corpus.rs`: reason kind, how its message starts, and
/// words it contains; the most specific start wins.
const REASON_KINDS: &[(&str, &str, &str)] = &[
    ("empty", "the file is empty", ""),
    ("too_large", "the file is ", "bytes, over the limit of"),
    ("encrypted", "encrypted PDF that needs a password", ""),
    ("no_text_layer", "the PDF has no text layer (", ""),
    ("ocr_failed", "the PDF has no text layer and OCR", ""),
    ("corrupt_pdf", "the PDF could not be parsed", ""),
    ("too_complex", "the PDF is too complex to read", ""),
    ("too_many_pages", "the PDF has ", "pages, over the limit of"),
    ("parser_panic", "the parser crashed", ""),
    ("timeout", "reading took longer than", ""),
    ("binary", "binary content that is not", ""),
    ("malformed", "invalid ", ""),
    ("not_fetched", "the object could not be fetched", ""),
];

fn reason_kind(reason: &str) -> Option<&'static str> {
    let message = reason.strip_prefix("unreadable: ")?;
    REASON_KINDS
        .iter()
        .filter(|(_, start, words)| message.starts_with(start) && message.contains(words))
        .max_by_key(|(_, start, _)| start.len())
        .map(|(kind, _, _)| *kind)
}

#[derive(Debug)]
struct Expected {
    decision: String,
    reason: Option<String>,
    forbidden: Vec<String>,
}

fn expectations() -> (BTreeMap<String, Expected>, BTreeMap<String, Expected>) {
    let path = Path::new(HOSTILE).join("expected.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let table = |key: &str| {
        json[key]
            .as_object()
            .unwrap_or_else(|| panic!("`{key}` is not an object"))
            .iter()
            .map(|(name, e)| {
                let expected = Expected {
                    decision: e["decision"].as_str().expect("decision").to_string(),
                    reason: e["reason"].as_str().map(str::to_string),
                    forbidden: e["must_not_appear_in_reasons"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|v| v.as_str().expect("string").to_string())
                                .collect()
                        })
                        .unwrap_or_default(),
                };
                (name.clone(), expected)
            })
            .collect::<BTreeMap<_, _>>()
    };
    (table("files"), table("generated"))
}

/// Writes the files of the `generated` entries into `dir`. Over-the-limit files are sparse:
/// the file source refuses them by their size, before reading a byte.
fn make_generated(dir: &Path, generated: &BTreeMap<String, Expected>) {
    let odd_text =
        std::fs::read(Path::new(HOSTILE).join("files/name-no-extension")).expect("odd-name text");
    for name in generated.keys() {
        let path = dir.join(name);
        match name.as_str() {
            "too-large-text.txt" | "too-large-pdf.pdf" => {
                let file = std::fs::File::create(&path).expect("create");
                file.set_len(LIMIT + 1).expect("set_len");
            }
            "csv-3-million-rows.csv" => {
                let mut csv = b"a,b\n".to_vec();
                csv.extend(b"1,2\n".repeat(3_000_000));
                std::fs::write(&path, csv).expect("write");
            }
            odd if odd.starts_with("name-") => std::fs::write(&path, &odd_text).expect("write"),
            other => panic!("a generated file this test cannot make: {other:?}"),
        }
    }
}

#[test]
fn scan_of_the_hostile_corpus_records_each_file_once_with_a_clear_reason() {
    let (files, generated) = expectations();
    let temp = TempDir::new("hostile");
    let docs = temp.path().join("docs");
    std::fs::create_dir_all(&docs).expect("docs dir");
    for name in files.keys() {
        std::fs::copy(Path::new(HOSTILE).join("files").join(name), docs.join(name))
            .unwrap_or_else(|e| panic!("copy {name:?}: {e}"));
    }
    make_generated(&docs, &generated);
    let mut expected: BTreeMap<String, &Expected> =
        files.iter().map(|(k, v)| (k.clone(), v)).collect();
    expected.extend(generated.iter().map(|(k, v)| (k.clone(), v)));
    let store = temp.path().join("audit.sqlite3");
    let docs_arg = docs.to_str().expect("UTF-8 temp dir");
    let store_arg = store.to_str().expect("UTF-8 temp dir");

    let started = Instant::now();
    let output = compliance(&[
        "scan",
        docs_arg,
        "--store",
        store_arg,
        "--json",
        "--quiet",
        "--no-assist",
        "--fail-on",
        "rejected,unreadable",
    ]);
    let elapsed = started.elapsed();
    eprintln!(
        "compliance scan of {} files: {:.1} s",
        expected.len(),
        elapsed.as_secs_f64()
    );
    // Documented: 3 when --fail-on matched (the corpus has unreadable files), records stored.
    assert_exit(&output, 3, "scan of the hostile corpus with --fail-on");
    assert!(
        elapsed < WHOLE_CORPUS,
        "the corpus took {elapsed:?} (bound {WHOLE_CORPUS:?})"
    );

    let name_of = |document: &str| -> String {
        Path::new(document)
            .strip_prefix(&docs)
            .unwrap_or_else(|_| panic!("{document:?} is not under {}", docs.display()))
            .to_str()
            .expect("UTF-8")
            .to_string()
    };

    // stdout: one JSON line per file.
    let out = stdout(&output);
    let mut lines: BTreeMap<String, Value> = BTreeMap::new();
    for line in out.lines() {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\n{}", describe(&output)));
        let name = name_of(value["document"].as_str().expect("document"));
        assert!(
            lines.insert(name.clone(), value).is_none(),
            "{name:?} printed twice"
        );
    }
    let all: BTreeSet<&String> = expected.keys().collect();
    assert_eq!(
        lines.keys().collect::<BTreeSet<_>>(),
        all,
        "one line per file"
    );

    // The store: exactly one record and one alert per file.
    let conn = rusqlite::Connection::open(&store).expect("open the store");
    let mut statement = conn
        .prepare("SELECT document, document_id, decision, record FROM audit_records")
        .expect("query");
    let rows: Vec<(String, String, String, String)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut records: BTreeMap<String, (String, String, Value)> = BTreeMap::new();
    for (document, id, decision, record) in rows {
        let name = name_of(&document);
        let record: Value = serde_json::from_str(&record).expect("stored record is JSON");
        assert!(
            records
                .insert(name.clone(), (id, decision, record))
                .is_none(),
            "{name:?} has more than one audit record"
        );
    }
    assert_eq!(
        records.keys().collect::<BTreeSet<_>>(),
        all,
        "one audit record per file"
    );
    let ids: BTreeSet<&String> = records.values().map(|(id, _, _)| id).collect();
    assert_eq!(ids.len(), records.len(), "document ids are distinct");
    let alerts: i64 = conn
        .query_row("SELECT COUNT(*) FROM alerts", [], |r| r.get(0))
        .expect("count alerts");
    let not_approved = records.values().filter(|(_, d, _)| d != "approved").count() as i64;
    assert_eq!(alerts, not_approved, "one alert per document not approved");

    let mut mismatches = Vec::new();
    for (name, (_, decision, record)) in &records {
        let exp = expected[name];
        let reasons: Vec<&str> = record["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| r.as_str().expect("reason"))
            .collect();
        let kind = reasons.iter().find_map(|r| reason_kind(r));
        if decision != &exp.decision || kind != exp.reason.as_deref() {
            mismatches.push(format!(
                "{name:?}: expected {} {:?}, got {decision} {kind:?}: {reasons:?}",
                exp.decision, exp.reason
            ));
        }
        if lines[name]["decision"] != record["decision"] {
            mismatches.push(format!("{name:?}: stdout and store disagree"));
        }
        let joined = reasons.join("\n");
        for forbidden in &exp.forbidden {
            if joined.contains(forbidden.as_str()) {
                mismatches.push(format!("{name:?}: a reason quotes {forbidden:?}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "records differ from events/hostile/expected.json:\n{}",
        mismatches.join("\n")
    );

    // `compliance audit list` sees the same: every unreadable file, once.
    let listed = compliance(&[
        "audit",
        "list",
        "--store",
        store_arg,
        "--decision",
        "unreadable",
        "--limit",
        "1000",
        "--json",
    ]);
    assert_exit(&listed, 0, "audit list");
    let unreadable = expected
        .values()
        .filter(|e| e.decision == "unreadable")
        .count();
    assert_eq!(
        stdout(&listed).lines().count(),
        unreadable,
        "audit list --decision unreadable\n{}",
        describe(&listed)
    );
}

/// File names that are not UTF-8 (Linux allows any byte but `/` and NUL): each file is read by
/// its own path and recorded under its own name, the bytes that are not UTF-8 written `\xHH`.
/// Before, the lossy name (with U+FFFD) was reopened as a path: such a file was "not found",
/// and two of them shared one name and one document id.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_read_and_recorded_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("non-utf8-names");
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).expect("docs");
    let text = std::fs::read(Path::new(HOSTILE).join("files/name-no-extension")).expect("text");
    for name in [
        &b"name-\xff.txt"[..],
        b"name-\xfe.txt",
        b"name-caf\xe9-latin1.txt",
    ] {
        std::fs::write(docs.join(std::ffi::OsStr::from_bytes(name)), &text).expect("write");
    }
    let store = dir.path().join("store.db");
    let docs_arg = docs.to_str().expect("temp dir is UTF-8");
    let store_arg = store.to_str().expect("temp dir is UTF-8");
    let output = compliance(&["scan", docs_arg, "--store", store_arg, "--json", "--quiet"]);
    assert_exit(&output, 0, "scan of files named in other encodings");
    let records: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let mut names: Vec<String> = records
        .iter()
        .map(|r| {
            assert_eq!(r["decision"], "approved", "read and judged: {r}");
            let document = r["document"].as_str().expect("document");
            document
                .strip_prefix(docs_arg)
                .expect("under the folder")
                .to_string()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "/name-\\xFE.txt",
            "/name-\\xFF.txt",
            "/name-caf\\xE9-latin1.txt"
        ]
    );
    let ids: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r["document_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "one document id each");
}
