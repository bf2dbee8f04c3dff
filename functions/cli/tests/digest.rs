//! `compliance digest`: the digest of a local store seeded by `compliance scan` of the sample
//! documents, as JSON (the message the audit API publishes) and as text; nothing personal in
//! either.

mod common;

use std::collections::BTreeMap;

use common::{assert_exit, compliance, stderr, stdout, TempDir, DOCUMENTS};
use serde_json::Value;

fn scan(store: &str, path: &str) -> Vec<Value> {
    let out = compliance(&["scan", "--json", "--quiet", "--store", store, path]);
    assert_exit(&out, 0, "scan");
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn digest_json(store: &str, extra: &[&str]) -> Value {
    let mut argv = vec!["digest", "--json", "--store", store];
    argv.extend_from_slice(extra);
    let out = compliance(&argv);
    assert_exit(&out, 0, "digest --json");
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn the_digest_counts_what_was_scanned() {
    let dir = TempDir::new("digest");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let lines = scan(store, DOCUMENTS);
    assert!(lines.len() >= 20, "{} samples", lines.len());

    let d = digest_json(store, &[]);
    assert_eq!(d["kind"], "digest");
    assert!(
        d["digest_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("digest:")),
        "{d}"
    );
    let mut decisions: BTreeMap<String, u64> = BTreeMap::new();
    for l in &lines {
        *decisions
            .entry(l["decision"].as_str().expect("decision").to_string())
            .or_default() += 1;
    }
    let docs = &d["documents"];
    assert_eq!(docs["processed"], lines.len() as u64, "{d}");
    for decision in ["approved", "manual_review", "rejected", "unreadable"] {
        let expected = decisions.get(decision).copied().unwrap_or(0);
        assert!(expected > 0, "the samples have every decision");
        assert_eq!(docs[decision], expected, "{decision}: {d}");
    }
    assert_eq!(docs["truncated"], false);

    // Every document not approved opened a case, all of them young.
    let not_approved = lines.len() as u64 - decisions["approved"];
    let open = &d["open_cases"];
    assert_eq!(open["total"], not_approved, "{d}");
    assert_eq!(open["past_sla"], 0);
    assert_eq!(open["buckets"][0]["label"], "under 1 day");
    assert_eq!(open["buckets"][0]["cases"], not_approved);
    assert_eq!(open["oldest"].as_array().expect("oldest").len(), 5);

    // Failed checks: the most frequent, counted once per document.
    let mut checks: BTreeMap<String, u64> = BTreeMap::new();
    for l in &lines {
        let mut ids: Vec<&str> = l["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "fail" || c["status"] == "error")
            .map(|c| c["id"].as_str().expect("id"))
            .collect();
        ids.dedup();
        for id in ids {
            *checks.entry(id.to_string()).or_default() += 1;
        }
    }
    let top = &d["top_failed_checks"][0];
    let most = checks.values().max().copied().expect("failed checks");
    assert_eq!(top["documents"], most, "{d}");
    assert_eq!(checks[top["check_id"].as_str().expect("id")], most);

    // The list versions the samples were screened against.
    let listed: Vec<&str> = lines[0]["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .map(|l| l["id"].as_str().expect("list id"))
        .collect();
    let in_force: Vec<&str> = d["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .map(|l| l["id"].as_str().expect("list id"))
        .collect();
    assert!(!in_force.is_empty(), "{d}");
    assert_eq!(in_force, listed);
    assert_eq!(
        d["lists"][0]["sha256_short"].as_str().map(str::len),
        Some(12)
    );

    // Nothing personal: no file names, no names from the samples, no customer ids.
    let text = d.to_string();
    for private in [
        "passport-lindqvist",
        "Lindqvist",
        "LINDQVIST",
        "Moreno",
        "Okafor",
        ".txt",
        DOCUMENTS,
    ] {
        assert!(!text.contains(private), "{private} in {text}");
    }

    // A period before the scans has no documents, but the cases still wait and the lists
    // in force are still named.
    let earlier = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
    let d = digest_json(store, &["--until", &earlier, "--hours", "48"]);
    assert_eq!(d["documents"]["processed"], 0, "{d}");
    assert_eq!(d["open_cases"]["total"], not_approved);

    // The text form says the same.
    let out = compliance(&["digest", "--store", store]);
    assert_exit(&out, 0, "digest");
    let text = stdout(&out);
    assert!(text.starts_with("Compliance digest: "), "{text}");
    assert!(
        text.contains(&format!(
            "Documents processed: {} (approved {}",
            lines.len(),
            decisions["approved"]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("Open cases: {not_approved} (escalated 0)")),
        "{text}"
    );
    assert!(
        text.contains("Sanctions lists in force (as screened at"),
        "{text}"
    );
    assert!(!text.contains("Lindqvist"), "{text}");
}

#[test]
fn the_digest_needs_a_store_and_sane_hours() {
    let dir = TempDir::new("digest-usage");
    let missing = dir.path().join("none.sqlite3");
    let out = compliance(&["digest", "--store", missing.to_str().expect("UTF-8")]);
    assert_exit(&out, 2, "no store");
    assert!(stderr(&out).contains("no audit store"), "{}", stderr(&out));
    for hours in ["0", "745", "a day"] {
        let out = compliance(&["digest", "--hours", hours, "--store", "x"]);
        assert_exit(&out, 2, hours);
    }
}
