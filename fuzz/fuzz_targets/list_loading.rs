//! Sanctions list loading: `lists::recognise` and `lists::load` over the files of a list
//! folder (OFAC SDN CSV set, UN XML, BIS DPL, US CSL CSV, custom watchlist CSV, manifest,
//! `PUBLISHED`), and the saved index `Screener::from_bytes`.
//!
//! The first byte picks the mode:
//! - 0, 1 (mod 4): the rest is a folder: files separated by the byte 0x1E, named in turn
//!   `sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`, `un.xml`, `watchlist.csv`,
//!   `manifest.json`, `PUBLISHED` (content decides what a file is; the names only matter for
//!   messages, custom list ids and empty OFAC parts).
//! - 2: the rest is a saved index, as read from `index.bin`.
//! - 3: the rest is the payload (lists and index arrays) of a saved index whose header,
//!   checksum and digests are made valid here, so that the payload decoder is reached.
//!
//! Beyond "no panic": a loaded list counts its entries right, has a SHA-256, and entries with
//! an id and a name; `lists::digests` names each loaded list with its SHA-256 (else its
//! saved index would never be used); the screener built from the lists saves and loads back
//! with the same lists; a screener loaded from a saved index can screen a name.
//!
//! With `FUZZ_DUMP_INDEX_SEED=dir` set, the target writes the seeds `index-full` (mode 2) and
//! `index-payload` (mode 3) of the bundled OFAC sample's saved index into `dir` and exits: how
//! those of `seeds/list_loading` were made (remake them when the saved format changes).

#![no_main]

use std::sync::OnceLock;

use compliance_core::screening::lists::{self, ListFile};
use compliance_core::screening::saved;
use compliance_core::screening::{Query, Screener};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 8] = [
    "sdn.csv",
    "alt.csv",
    "add.csv",
    "sdn_comments.csv",
    "un.xml",
    "watchlist.csv",
    "manifest.json",
    "PUBLISHED",
];

/// A saved index of the bundled lists cut in two: its preamble (magic, format) and header
/// (core version, build fingerprint, source, digests, files), and the digests it holds.
struct Sealed {
    magic_and_format: Vec<u8>,
    header: Vec<u8>,
    payload: Vec<u8>,
    expected: Vec<(String, String)>,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

fn sealed() -> Option<&'static Sealed> {
    static SEALED: OnceLock<Option<Sealed>> = OnceLock::new();
    SEALED
        .get_or_init(|| {
            let screener = Screener::new(lists::bundled().ok()?);
            let expected: Vec<(String, String)> = screener
                .versions()
                .into_iter()
                .map(|v| (v.id, v.sha256))
                .collect();
            let bytes = screener.to_bytes();
            // magic (8) | format (4) | checksum (8) | body length (8) | body
            let body = bytes.get(28..)?;
            // Walks the header: version string, fingerprint, source, digests, files.
            let string = |at: usize| Some(at + 4 + u32_at(body, at)?);
            let mut at = string(0)? + 8;
            at = string(at)?;
            let digests = u32_at(body, at)?;
            at += 4;
            for _ in 0..digests {
                at = string(string(at)?)?;
            }
            let files = u32_at(body, at)?;
            at += 4;
            for _ in 0..files {
                at = string(at)? + 8;
            }
            Some(Sealed {
                magic_and_format: bytes.get(..12)?.to_vec(),
                header: body.get(..at)?.to_vec(),
                payload: body.get(at..)?.to_vec(),
                expected,
            })
        })
        .as_ref()
}

fn seal(sealed: &Sealed, payload: &[u8]) -> Vec<u8> {
    let mut body = sealed.header.clone();
    body.extend_from_slice(payload);
    let mut bytes = sealed.magic_and_format.clone();
    bytes.extend_from_slice(&saved::checksum_for_tests(&body).to_le_bytes());
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&body);
    bytes
}

fn screen_something(screener: &Screener) {
    let name = screener
        .lists()
        .iter()
        .flat_map(|l| l.entries.first())
        .map(|e| e.name.clone())
        .next()
        .unwrap_or_else(|| "IVAN PETROVICH SIDOROV".into());
    let _ = screener.screen(&Query::name(name), 0.8);
}

fn folder(bytes: &[u8]) {
    let files: Vec<ListFile> = bytes
        .split(|&b| b == 0x1E)
        .zip(NAMES)
        .map(|(bytes, name)| ListFile {
            name: name.to_string(),
            bytes: bytes.to_vec(),
        })
        .collect();
    for file in &files {
        let _ = lists::recognise(file);
    }
    let Ok(loaded) = lists::load(&files, "fuzz") else {
        return;
    };
    let digests = lists::digests(&files);
    for list in &loaded {
        let v = &list.version;
        assert_eq!(v.entries, list.entries.len(), "{}: entry count", v.id);
        assert!(
            v.sha256.len() == 64 && v.sha256.bytes().all(|b| b.is_ascii_hexdigit()),
            "{}: SHA-256 {:?}",
            v.id,
            v.sha256
        );
        for entry in &list.entries {
            assert!(!entry.id.is_empty(), "{}: an entry without id", v.id);
            assert!(
                !entry.name.is_empty(),
                "{}: entry {} without name",
                v.id,
                entry.id
            );
        }
        assert!(
            digests.contains(&(v.id.clone(), v.sha256.clone())),
            "digests {digests:?} miss {} {}",
            v.id,
            v.sha256
        );
    }
    let counts: Vec<usize> = loaded.iter().map(|l| l.entries.len()).collect();
    let expected: Vec<(String, String)> = loaded
        .iter()
        .map(|l| (l.version.id.clone(), l.version.sha256.clone()))
        .collect();
    let screener = Screener::new(loaded);
    screen_something(&screener);
    let again = Screener::from_bytes(&screener.to_bytes(), &expected)
        .unwrap_or_else(|e| panic!("a saved screener does not load back: {e}"));
    let again_counts: Vec<usize> = again.lists().iter().map(|l| l.entries.len()).collect();
    assert_eq!(counts, again_counts);
}

fuzz_target!(|data: &[u8]| {
    let Some(sealed) = sealed() else {
        panic!("the bundled lists do not load");
    };
    if let Some(dir) = std::env::var_os("FUZZ_DUMP_INDEX_SEED") {
        let dir = std::path::PathBuf::from(dir);
        let mut payload = vec![3u8];
        payload.extend_from_slice(&sealed.payload);
        let mut full = vec![2u8];
        full.extend_from_slice(&seal(sealed, &sealed.payload));
        for (name, seed) in [("index-payload", payload), ("index-full", full)] {
            if let Err(e) = std::fs::write(dir.join(name), seed) {
                panic!("writing {name}: {e}");
            }
        }
        std::process::exit(0);
    }
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 | 1 => folder(rest),
        2 => {
            if let Ok(screener) = Screener::from_bytes(rest, &sealed.expected) {
                screen_something(&screener);
            }
        }
        _ => {
            if let Ok(screener) = Screener::from_bytes(&seal(sealed, rest), &sealed.expected) {
                screen_something(&screener);
            }
        }
    }
});
