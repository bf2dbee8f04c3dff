//! `compliance screen` and `compliance match`: real lists, the JSON contract, exit codes.

mod common;

use std::path::Path;

use compliance_contract::{Contract, Output as Schema};
use serde_json::Value;

use common::{assert_exit, compliance, describe, stderr, stdout, TempDir};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");

fn lines(output: &std::process::Output, schema: Schema) -> Vec<Value> {
    let contract = Contract::load().expect("contract");
    stdout(output)
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{}", describe(output)));
            if let Err(e) = contract.validate(schema, &value) {
                panic!("{e}");
            }
            value
        })
        .collect()
}

/// The full OFAC 2021 and UN lists in one folder, under names that say nothing of their
/// content: the folder is read by content.
fn full_lists() -> TempDir {
    let dir = TempDir::new("lists");
    let root = Path::new(FIXTURES).join("lists");
    for (from, to) in [
        ("ofac-2021/sdn.csv", "a.csv"),
        ("ofac-2021/alt.csv", "b.csv"),
        ("ofac-2021/add.csv", "c.csv"),
        ("ofac-2021/sdn_comments.csv", "d.csv"),
        ("un/UN_consolidated.xml", "e.dat"),
    ] {
        std::fs::copy(root.join(from), dir.path().join(to)).expect("copy list");
    }
    dir
}

fn entry_ids(line: &Value) -> Vec<String> {
    line["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            format!(
                "{}:{}",
                h["list"].as_str().unwrap_or(""),
                h["entry_id"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn one_name_against_the_bundled_sample() {
    let output = compliance(&["screen", "MORENO, Daniel", "--json"]);
    assert_exit(&output, 0, "screen");
    let lines = lines(&output, Schema::Screen);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["name"], "MORENO, Daniel");
    assert_eq!(entry_ids(&lines[0])[0], "ofac_sdn:15102");
    let hit = &lines[0]["hits"][0];
    assert!(hit["score"].as_f64().unwrap_or(0.0) >= 0.99, "{hit}");
    assert!(!hit["why"].as_array().expect("why").is_empty());
}

#[test]
fn batch_keeps_input_order_and_reports_empty_hits() {
    let dir = TempDir::new("batch");
    let input = dir.path().join("names.txt");
    std::fs::write(
        &input,
        "Margaret Thatcher\n\nDaniel Moreno\r\nДмитрий Хорошев\n   \nAcme Widgets\n",
    )
    .expect("write names");
    let output = compliance(&["screen", "--input", input.to_str().expect("path"), "--json"]);
    assert_exit(&output, 0, "screen --input");
    let lines = lines(&output, Schema::Screen);
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "Margaret Thatcher",
            "Daniel Moreno",
            "Дмитрий Хорошев",
            "Acme Widgets"
        ]
    );
    assert!(entry_ids(&lines[0]).is_empty());
    assert_eq!(entry_ids(&lines[1])[0], "ofac_sdn:15102");
    assert_eq!(entry_ids(&lines[2])[0], "ofac_sdn:48603", "{}", lines[2]);
    assert!(entry_ids(&lines[3]).is_empty());
}

#[test]
fn full_ofac_and_un_lists_from_one_folder() {
    let lists = full_lists();
    let dir = lists.path().to_str().expect("path");
    let output = compliance(&[
        "screen",
        "--lists",
        dir,
        "--json",
        "--type",
        "person",
        "Eric Badege",
    ]);
    assert_exit(&output, 0, "screen against UN");
    let line = &lines(&output, Schema::Screen)[0];
    assert!(
        entry_ids(line).contains(&"un_sc:CDi.001".to_string()),
        "{line}"
    );

    let output = compliance(&["screen", "--lists", dir, "--json", "Ayman al-Zawahiri"]);
    let line = &lines(&output, Schema::Screen)[0];
    assert!(
        entry_ids(line).contains(&"ofac_sdn:2676".to_string()),
        "{line}"
    );

    // A person is never matched with a company.
    let output = compliance(&[
        "screen",
        "--lists",
        dir,
        "--json",
        "--type",
        "person",
        "Aerocaribbean Airlines",
    ]);
    let line = &lines(&output, Schema::Screen)[0];
    assert!(
        !entry_ids(line).contains(&"ofac_sdn:36".to_string()),
        "{line}"
    );
    let output = compliance(&[
        "screen",
        "--lists",
        dir,
        "--json",
        "--type",
        "company",
        "Aerocaribbean Airlines",
    ]);
    let line = &lines(&output, Schema::Screen)[0];
    assert!(
        entry_ids(line).contains(&"ofac_sdn:36".to_string()),
        "{line}"
    );
}

/// `screen` without `--lists` reads the folder `lists fetch` installs into (here a custom
/// watchlist under `$XDG_DATA_HOME/compliance/lists`), and the bundled sample only when that
/// folder is empty or missing.
#[test]
fn screen_reads_the_installed_lists_by_default() {
    let data = TempDir::new("data-home");
    let installed = data.path().join("compliance/lists");
    std::fs::create_dir_all(&installed).expect("lists folder");
    let run = |name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_compliance"))
            .args(["screen", "--json", name])
            .env_remove("COMPLIANCE_LISTS")
            .env("XDG_DATA_HOME", data.path())
            .output()
            .expect("run compliance")
    };
    // Empty folder: the bundled OFAC sample.
    let output = run("MORENO, Daniel");
    assert_exit(&output, 0, "screen, nothing installed");
    assert_eq!(
        entry_ids(&lines(&output, Schema::Screen)[0])[0],
        "ofac_sdn:15102"
    );
    std::fs::write(
        installed.join("watchlist.csv"),
        "id,name,type\nBW-7,Ivan Petrovich SIDOROV,Person\n",
    )
    .expect("write watchlist");
    let output = run("Ivan Sidorov");
    assert_exit(&output, 0, "screen, watchlist installed");
    let line = &lines(&output, Schema::Screen)[0];
    assert_eq!(entry_ids(line), ["custom:watchlist:BW-7"], "{line}");
    // The installed folder replaces the sample: Moreno is not on the watchlist.
    let output = run("MORENO, Daniel");
    assert!(entry_ids(&lines(&output, Schema::Screen)[0]).is_empty());
}

#[test]
fn an_identity_number_on_the_list_is_a_hit_on_its_own() {
    let lists = full_lists();
    let dir = lists.path().to_str().expect("path");
    // OFAC 2676 carries "Passport 1084010 (Egypt)"; the name here is nothing like his.
    let output = compliance(&[
        "screen",
        "--lists",
        dir,
        "--json",
        "--id-number",
        "1084010",
        "John Smith",
    ]);
    assert_exit(&output, 0, "screen --id-number");
    let line = &lines(&output, Schema::Screen)[0];
    let hit = &line["hits"][0];
    assert_eq!(hit["entry_id"], "2676", "{line}");
    assert_eq!(hit["id_number_matches"], true);
    assert_eq!(hit["score"], 1.0);
}

#[test]
fn fail_on_hit_and_usage_errors() {
    assert_exit(
        &compliance(&["screen", "--fail-on-hit", "Daniel Moreno"]),
        3,
        "hit",
    );
    assert_exit(
        &compliance(&["screen", "--fail-on-hit", "Margaret Thatcher"]),
        0,
        "no hit",
    );
    assert_exit(
        &compliance(&["screen", "--threshold", "1.5", "x"]),
        2,
        "bad threshold",
    );
    assert_exit(&compliance(&["screen"]), 2, "no name");
    let missing = compliance(&["screen", "--lists", "/nonexistent/lists", "x"]);
    assert_exit(&missing, 1, "missing list folder");
}

#[test]
fn match_scores_the_labelled_pairs_and_reports_accuracy() {
    let pairs = Path::new(FIXTURES).join("name-matching/name_pairs.csv");
    let output = compliance(&["match", "--pairs", pairs.to_str().expect("path"), "--json"]);
    assert_exit(&output, 0, "match");
    let lines = lines(&output, Schema::Match);
    assert_eq!(lines.len(), 413);
    let lavrov = lines
        .iter()
        .find(|l| l["name1"] == "SergeiLavrov" && l["name2"] == "Sergei Lavrov")
        .expect("pair");
    assert_eq!(lavrov["match"], true);
    assert_eq!(lavrov["schema"], "Person");
    let report = stderr(&output);
    assert!(
        report.contains("413 labelled pairs") && report.contains("F1"),
        "{report}"
    );
}

#[test]
fn match_without_the_name_columns_is_a_usage_error() {
    let dir = TempDir::new("pairs");
    let file = dir.path().join("pairs.csv");
    std::fs::write(&file, "a,b\nx,y\n").expect("write");
    let output = compliance(&["match", "--pairs", file.to_str().expect("path")]);
    assert_exit(&output, 2, "missing columns");
    assert!(
        stderr(&output).contains("name1 and name2"),
        "{}",
        describe(&output)
    );
    std::fs::write(&file, "name1,name2,schema\nx,y,Planet\n").expect("write");
    let output = compliance(&["match", "--pairs", file.to_str().expect("path")]);
    assert_exit(&output, 2, "unknown schema");
}
