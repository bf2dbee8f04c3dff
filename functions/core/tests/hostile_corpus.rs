//! The hostile and broken input corpus (`events/hostile/`, written by
//! `scripts/make-hostile-corpus.py`), through the whole pipeline in process: every file gets
//! exactly one audit record whose decision and reason kind are those of
//! `events/hostile/expected.json`, without a panic, within a time bound that proves there is no
//! hang, and within a memory bound that fits a Lambda. The files too large to commit and the
//! names git cannot hold are made here, at test time.
//!
//! Bounds, and why:
//! - 30 s per file (debug build): a guard against hangs, not a benchmark. The intake time
//!   budget is 20 s; the slowest file takes well under that.
//! - 128 MB peak resident memory per file (VmHWM, reset before each file where the kernel
//!   allows it), and for the whole run: half of the processor's 256 MB, and what the
//!   README promises a 128 MB function for ordinary documents. The largest single input, a
//!   20 MB file one byte over the size limit, is refused before it is read further.
//! - 90 s for the whole corpus in a debug build.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use compliance_core::intake::IntakeLimits;
use compliance_core::{Pipeline, SourceRef};
use serde_json::Value;

const PER_FILE: Duration = Duration::from_secs(30);
const WHOLE_CORPUS: Duration = Duration::from_secs(90);
const MAX_RSS_KB: u64 = 128 * 1024;
/// The committed corpus: at least this many files, and at most this many bytes in all.
const MIN_FILES: usize = 60;
const MAX_COMMITTED_BYTES: u64 = 3 * 1024 * 1024;

fn hostile() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events/hostile")
}

/// The reason kinds of `Unreadable`, each with how its message (as the record states it after
/// `unreadable: `) is recognised: how it starts, and words it contains. The CLI test has the
/// same table.
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

#[derive(Debug, Clone)]
struct Expected {
    family: String,
    decision: String,
    reason: Option<String>,
    forbidden: Vec<String>,
}

fn parse_expected(entry: &Value, name: &str) -> Expected {
    let text = |key: &str| entry[key].as_str().map(str::to_string);
    Expected {
        family: text("family").unwrap_or_else(|| panic!("{name:?}: no family")),
        decision: text("decision").unwrap_or_else(|| panic!("{name:?}: no decision")),
        reason: text("reason"),
        forbidden: entry["must_not_appear_in_reasons"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().expect("string").to_string())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn expectations() -> (BTreeMap<String, Expected>, BTreeMap<String, Expected>) {
    let path = hostile().join("expected.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let table = |key: &str| {
        json[key]
            .as_object()
            .unwrap_or_else(|| panic!("expected.json: `{key}` is not an object"))
            .iter()
            .map(|(name, entry)| (name.clone(), parse_expected(entry, name)))
            .collect::<BTreeMap<_, _>>()
    };
    (table("files"), table("generated"))
}

/// The documents the generated entries of expected.json describe, made here. The large ones
/// are cheap to make: runs of one byte.
fn generated_bytes(name: &str, limits: &IntakeLimits) -> Vec<u8> {
    let limit = limits.max_bytes as usize;
    match name {
        "too-large-text.txt" => vec![b'a'; limit + 1],
        "too-large-pdf.pdf" => {
            let mut pdf = std::fs::read(hostile().join("files/pdf-header-within-1kb.pdf"))
                .expect("a committed PDF");
            pdf.resize(limit + 1, b' ');
            pdf
        }
        "csv-3-million-rows.csv" => {
            let mut csv = b"a,b\n".to_vec();
            csv.extend(b"1,2\n".repeat(3_000_000));
            csv
        }
        odd if odd.starts_with("name-") => odd_name_text(),
        other => panic!("expected.json lists a generated file this test cannot make: {other:?}"),
    }
}

/// The content of the committed odd-name files, which the generated odd names share.
fn odd_name_text() -> Vec<u8> {
    std::fs::read(hostile().join("files/name-no-extension")).expect("the odd-name text")
}

/// Peak resident memory of this process so far, in kB (Linux; `None` elsewhere).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak (`VmHWM`) to the current resident size, where the kernel allows it.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn reason_kind(reason: &str) -> Option<&'static str> {
    let message = reason.strip_prefix("unreadable: ")?;
    // The most specific start wins: "the PDF has no text layer and OCR ..." is not
    // "the PDF has ... pages, over the limit of ..." whatever the OCR service said.
    REASON_KINDS
        .iter()
        .filter(|(_, start, words)| message.starts_with(start) && message.contains(words))
        .max_by_key(|(_, start, _)| start.len())
        .map(|(kind, _, _)| *kind)
}

struct Outcome {
    decision: String,
    kind: Option<&'static str>,
    reasons: Vec<String>,
    elapsed: Duration,
    peak_kb: Option<u64>,
}

fn judge(pipeline: &Pipeline, name: &str, bytes: &[u8]) -> Outcome {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
        .single()
        .expect("a valid time");
    let reset = reset_peak_rss();
    let started = Instant::now();
    let record = pipeline.evaluate(
        SourceRef::file(&format!("hostile/{name}"), None),
        Ok(bytes),
        now,
    );
    let elapsed = started.elapsed();
    let peak_kb = if reset { peak_rss_kb() } else { None };
    let json = serde_json::to_value(&record).expect("the record serialises");
    let reasons: Vec<String> = json["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().expect("reason is a string").to_string())
        .collect();
    let unreadable: Vec<&String> = reasons
        .iter()
        .filter(|r| r.starts_with("unreadable: "))
        .collect();
    let decision = json["decision"].as_str().expect("decision").to_string();
    if decision == "unreadable" {
        assert_eq!(
            unreadable.len(),
            1,
            "{name:?}: an unreadable record has exactly one unreadable reason: {reasons:?}"
        );
    } else {
        assert!(unreadable.is_empty(), "{name:?}: {reasons:?}");
    }
    Outcome {
        kind: unreadable.first().and_then(|r| reason_kind(r)),
        decision,
        reasons,
        elapsed,
        peak_kb,
    }
}

#[test]
fn every_hostile_file_gets_one_clear_record_quickly_and_in_bounded_memory() {
    let (files, generated) = expectations();
    let dir = hostile().join("files");
    let mut on_disk = BTreeSet::new();
    let mut committed_bytes = 0;
    for entry in std::fs::read_dir(&dir).expect("events/hostile/files") {
        let entry = entry.expect("entry");
        committed_bytes += entry.metadata().expect("metadata").len();
        on_disk.insert(entry.file_name().into_string().expect("UTF-8 file names"));
    }
    let listed: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(
        on_disk, listed,
        "events/hostile/files and expected.json disagree: run scripts/make-hostile-corpus.py"
    );
    assert!(on_disk.len() >= MIN_FILES, "only {} files", on_disk.len());
    assert!(
        committed_bytes <= MAX_COMMITTED_BYTES,
        "the committed corpus is {committed_bytes} bytes"
    );
    // Every reason kind the corpus names is one this test can recognise.
    for (name, exp) in files.iter().chain(&generated) {
        if let Some(kind) = &exp.reason {
            assert!(
                REASON_KINDS.iter().any(|(k, _, _)| k == kind),
                "{name:?}: unknown reason kind {kind}"
            );
            assert_eq!(exp.decision, "unreadable", "{name:?}");
        }
    }

    let pipeline = Pipeline::with_defaults().expect("the default pipeline");
    let limits = pipeline.limits.clone();
    // (name, expectation, committed): the bytes are read or made one file at a time, so that
    // the test holds no more than one document.
    let cases: Vec<(String, Expected, bool)> = files
        .iter()
        .map(|(name, exp)| (name.clone(), exp.clone(), true))
        .chain(
            generated
                .iter()
                .map(|(name, exp)| (name.clone(), exp.clone(), false)),
        )
        .collect();

    let started = Instant::now();
    let mut mismatches = Vec::new();
    let mut report = Vec::new();
    let mut peak_overall = 0;
    // HOSTILE_ONLY=part runs only the files whose names contain it (when looking into one).
    let only = std::env::var("HOSTILE_ONLY").ok();
    for (name, exp, committed) in cases {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let bytes = if committed {
            std::fs::read(dir.join(&name)).expect("a corpus file")
        } else {
            generated_bytes(&name, &limits)
        };
        let outcome = judge(&pipeline, &name, &bytes);
        drop(bytes);
        let peak = outcome.peak_kb.unwrap_or(0);
        peak_overall = peak_overall.max(peak);
        eprintln!("{:>7.3}s {name:?}", outcome.elapsed.as_secs_f64());
        report.push(format!(
            "{:>7.3}s {:>7} kB  {:<14} {:<15} {name:?}",
            outcome.elapsed.as_secs_f64(),
            peak,
            outcome.decision,
            outcome.kind.unwrap_or("-"),
        ));
        if outcome.decision != exp.decision || outcome.kind != exp.reason.as_deref() {
            mismatches.push(format!(
                "{name:?} ({}): expected {} {:?}, got {} {:?}: {:?}",
                exp.family,
                exp.decision,
                exp.reason,
                outcome.decision,
                outcome.kind,
                outcome.reasons
            ));
        }
        if outcome.decision == "unreadable" && outcome.kind.is_none() {
            mismatches.push(format!("{name:?}: unclear reason: {:?}", outcome.reasons));
        }
        if outcome.elapsed >= PER_FILE {
            mismatches.push(format!(
                "{name:?} took {:?} (bound {PER_FILE:?})",
                outcome.elapsed
            ));
        }
        if outcome.peak_kb.is_some_and(|kb| kb >= MAX_RSS_KB) {
            mismatches.push(format!(
                "{name:?}: peak resident memory {peak} kB (bound {MAX_RSS_KB} kB)"
            ));
        }
        let all_reasons = outcome.reasons.join("\n");
        for forbidden in &exp.forbidden {
            assert!(
                !all_reasons.contains(forbidden.as_str()),
                "{name:?}: a reason quotes the document: {forbidden:?} in {all_reasons:?}"
            );
        }
        // Reasons are plain language about the file, never a dump of it.
        for reason in &outcome.reasons {
            assert!(
                reason.chars().count() <= 400,
                "{name:?}: a reason of {} characters",
                reason.chars().count()
            );
        }
    }
    let total = started.elapsed();
    eprintln!("{}", report.join("\n"));
    eprintln!(
        "whole corpus: {:.1} s, peak resident memory of one file {} kB, of the process {:?} kB",
        total.as_secs_f64(),
        peak_overall,
        peak_rss_kb()
    );
    assert!(
        mismatches.is_empty(),
        "outcomes differ from events/hostile/expected.json, or break the bounds:\n{}",
        mismatches.join("\n")
    );
    assert!(total < WHOLE_CORPUS, "the whole corpus took {total:?}");
    if let Some(kb) = peak_rss_kb() {
        assert!(kb < MAX_RSS_KB, "peak resident memory of the run {kb} kB");
    }
}

/// The reason-kind table must recognise every message `Unreadable` has, and only its own.
#[test]
fn every_unreadable_message_maps_to_its_own_kind() {
    use compliance_core::intake::Unreadable;
    let all = [
        Unreadable::Empty,
        Unreadable::TooLarge { size: 2, limit: 1 },
        Unreadable::Encrypted,
        Unreadable::NoTextLayer,
        Unreadable::OcrFailed {
            provider: "textract".into(),
            detail: "the PDF has 3 pages, over the limit of 1".into(),
        },
        Unreadable::CorruptPdf { detail: "x".into() },
        Unreadable::TooComplex { detail: "x".into() },
        Unreadable::TooManyPages { pages: 2, limit: 1 },
        Unreadable::ParserPanic,
        Unreadable::Timeout { seconds: 1 },
        Unreadable::Binary,
        Unreadable::Malformed {
            format: "CSV".into(),
            detail: "x".into(),
        },
        Unreadable::NotFetched { detail: "x".into() },
    ];
    for reason in all {
        let kind = serde_json::to_value(&reason).expect("serialises")["kind"]
            .as_str()
            .expect("kind")
            .to_string();
        assert_eq!(
            reason_kind(&format!("unreadable: {reason}")),
            Some(kind.as_str())
        );
    }
}
