//! `compliance report`: the Markdown figures against the scanned samples and the reviews made,
//! and an HTML page that is self-contained and escapes a hostile document name.

mod common;

use std::collections::BTreeMap;

use common::{assert_exit, compliance, stdout, TempDir, DOCUMENTS};
use serde_json::Value;

const HOSTILE: &str = "<img src=x onerror=alert(1)>.txt";

fn scan(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["scan", "--json", "--quiet"];
    all.extend_from_slice(args);
    let out = compliance(&all);
    assert_exit(&out, 0, "scan");
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn review(store: &str, case: &str, decision: &str, reviewer: &str) {
    let out = compliance(&[
        "review",
        case,
        "--decision",
        decision,
        "--reason",
        "checked",
        "--reviewer",
        reviewer,
        "--store",
        store,
    ]);
    assert_exit(&out, 0, &format!("review {decision}"));
}

fn failed_checks(line: &Value) -> Vec<String> {
    line["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

fn report(store: &str, extra: &[&str]) -> String {
    let today = chrono::Utc::now().date_naive();
    let since = today.to_string();
    let until = (today + chrono::Days::new(1)).to_string();
    let mut argv = vec![
        "report", "--since", &since, "--until", &until, "--store", store,
    ];
    argv.extend_from_slice(extra);
    let out = compliance(&argv);
    assert_exit(&out, 0, "report");
    stdout(&out)
}

const DECISIONS: [&str; 4] = ["approved", "manual_review", "rejected", "unreadable"];

#[test]
fn the_report_counts_what_was_scanned_and_reviewed() {
    let dir = TempDir::new("report");
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(&uploads).expect("mkdir");
    // Empty: unreadable, so it opens a case and is listed among the open ones.
    std::fs::write(uploads.join(HOSTILE), "").expect("hostile file");
    let store = dir.path().join("audit.sqlite3");
    let store = store.to_str().expect("UTF-8");
    let mut lines = scan(&["--store", store, uploads.to_str().expect("UTF-8")]);
    lines.extend(scan(&["--store", store, DOCUMENTS]));
    let reviewable: Vec<&str> = lines
        .iter()
        .filter(|l| l["decision"] == "manual_review")
        .map(|l| l["document_id"].as_str().expect("id"))
        .collect();
    assert!(reviewable.len() >= 3);
    review(store, reviewable[0], "approve", "ana");
    review(store, reviewable[1], "reject", "ana");
    review(store, reviewable[2], "escalate", "bo");

    let md = report(store, &[]);
    // Decisions, in total and by type.
    let count = |pred: &dyn Fn(&Value) -> bool| lines.iter().filter(|l| pred(l)).count();
    let mut all = format!("| **All** | {} |", lines.len());
    for d in DECISIONS {
        all.push_str(&format!(" {} |", count(&|l| l["decision"] == d)));
    }
    assert!(md.contains(&all), "{all}\n{md}");
    let mut types: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for l in &lines {
        types
            .entry(l["doc_type"].as_str().expect("type"))
            .or_default()
            .push(l);
    }
    for (t, of_type) in &types {
        let mut row = format!("| `{t}` | {} |", of_type.len());
        for d in DECISIONS {
            row.push_str(&format!(
                " {} |",
                of_type.iter().filter(|l| l["decision"] == d).count()
            ));
        }
        assert!(md.contains(&row), "{row}\n{md}");
    }
    // Failed checks: documents per check.
    let mut checks: BTreeMap<String, usize> = BTreeMap::new();
    for l in &lines {
        for c in failed_checks(l) {
            *checks.entry(c).or_default() += 1;
        }
    }
    for (c, n) in &checks {
        let row = format!("| `{c}` | {n} |");
        assert!(md.contains(&row), "{row}\n{md}");
    }
    // Cases: every document not approved outright opened one; three were reviewed.
    let opened = lines.iter().filter(|l| l["decision"] != "approved").count();
    let cases = format!("| {opened} | {} | 1 | 1 | 1 |", opened - 3);
    assert!(md.contains(&cases), "{cases}\n{md}");
    let open = format!(
        "{} open case(s), 1 escalated, 0 waiting longer than the 24-hour SLA",
        opened - 2
    );
    assert!(md.contains(&open), "{open}\n{md}");
    assert!(md.contains("| under 4 hours |"), "{md}");
    // Time to decision: the approval and the rejection.
    assert!(md.contains("| Cases closed |"), "{md}");
    let closed_row = md
        .lines()
        .skip_while(|l| !l.starts_with("| Cases closed"))
        .nth(2)
        .expect("the time to decision row");
    assert!(closed_row.starts_with("| 2 |"), "{closed_row}");
    // Reviewer actions.
    assert!(md.contains("| ana | 2 | 1 | 1 | 0 | 0 | 0 |"), "{md}");
    assert!(md.contains("| bo | 1 | 0 | 0 | 1 | 0 | 0 |"), "{md}");
    // The hostile name is shown as text, never as markup.
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");

    // A period with nothing in it still says so.
    let out = compliance(&[
        "report",
        "--since",
        "2020-01-01",
        "--until",
        "2020-02-01",
        "--store",
        store,
    ]);
    assert_exit(&out, 0, "an empty period");
    assert!(stdout(&out).contains("| **All** | 0 | 0 | 0 | 0 | 0 |"));
    // Open cases are those of now, whatever the period.
    assert!(stdout(&out).contains(&open));
    let backwards = compliance(&[
        "report",
        "--since",
        "2020-02-01",
        "--until",
        "2020-01-01",
        "--store",
        store,
    ]);
    assert_exit(&backwards, 2, "--since after --until");

    // HTML: one page with nothing to fetch or run, the hostile name escaped.
    let html_file = dir.path().join("report.html");
    let html_path = html_file.to_str().expect("UTF-8");
    let out = report(
        store,
        &[
            "--format",
            "html",
            "--output",
            html_path,
            "--sla-hours",
            "0",
        ],
    );
    assert!(out.is_empty(), "{out}");
    let html = std::fs::read_to_string(&html_file).expect("report file");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for forbidden in [
        "http://", "https://", "<script", "<img", "src=\"", "href=", "url(",
    ] {
        assert!(
            !html.to_ascii_lowercase().contains(forbidden),
            "{forbidden} in the HTML report"
        );
    }
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.txt"));
    assert!(html.contains("<svg"), "bar charts inline");
    assert!(html.contains("<style>"));
    // With an SLA of 0 hours every open case is past it.
    assert!(
        html.contains(&format!(
            "{} waiting longer than the 0-hour SLA",
            opened - 2
        )),
        "every open case past a 0-hour SLA"
    );
}
