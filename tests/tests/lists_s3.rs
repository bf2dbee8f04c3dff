//! Sanctions lists under an S3 prefix (`LISTS_S3_URI`): `compliance lists fetch --s3` downloads
//! them from a loopback HTTP server into moto's S3, a processor built with LISTS_S3_URI screens
//! against exactly those versions and names them in its audit records, a rejected download
//! leaves every object as it was, and a half-written update makes the processor use the
//! previous set rather than a mix.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::lists_server::{fixtures, ofac_2021, ofac_sample, read, Server};
use common::{moto_endpoint, s3_event, sample_document, workspace_root, Stack};
use processor::{Config, Processor, ProcessorError};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The `compliance` binary: this crate cannot name another package's binary. `cargo test
// --workspace` has built it beside this test; when it is older than the sources (this test run
// alone after an edit), it is built here. Building it here when it is fresh would not be free:
// `-p compliance-cli` unifies dependency features differently from the workspace and relinks.

/// The newest modification time of the files the binary is built from.
fn newest_source(root: &Path) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> = ["functions", "config", "Cargo.toml", "Cargo.lock"]
        .iter()
        .map(|p| root.join(p))
        .collect();
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            if let Ok(entries) = std::fs::read_dir(&path) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if let Ok(modified) = meta.modified() {
            newest = newest.max(modified);
        }
    }
    newest
}

fn compliance_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("COMPLIANCE_BIN") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().expect("test executable");
        // target/<profile>/deps/lists_s3-<hash>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let bin = profile_dir.join(format!("compliance{}", std::env::consts::EXE_SUFFIX));
        let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
        if built.is_some_and(|t| t >= newest_source(&workspace_root())) {
            return bin;
        }
        let target_dir = profile_dir.parent().expect("target folder");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "compliance-cli",
                "--bin",
                "compliance",
                "--profile",
                profile,
            ])
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(workspace_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p compliance-cli failed");
        bin
    })
}

/// Runs `compliance` against moto, with dummy credentials and nothing from the caller's AWS
/// or COMPLIANCE_* settings.
fn compliance(args: &[&str]) -> Output {
    Command::new(compliance_bin())
        .args(args)
        .env_remove("COMPLIANCE_LISTS")
        .env_remove("COMPLIANCE_STORE")
        .env_remove("COMPLIANCE_RULES")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", moto_endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-1")
        .output()
        .expect("run compliance")
}

fn describe(output: &Output) -> String {
    format!(
        "exit status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_exit(output: &Output, code: i32, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{what}\n{}",
        describe(output)
    );
}

// ---------------------------------------------------------------------------------------------

fn lists_uri(stack: &Stack) -> String {
    format!("s3://{}/lists/", stack.bucket)
}

fn fetch_ofac(stack: &Stack, server: &Server, extra: &[&str]) -> Output {
    let uri = lists_uri(stack);
    let source = format!("ofac={}", server.url("/ofac/"));
    let mut args = vec![
        "lists", "fetch", "--s3", &uri, "--only", "ofac", "--source", &source,
    ];
    args.extend_from_slice(extra);
    compliance(&args)
}

/// Every object version under `lists/`: key -> (version id, bytes of the current version).
async fn objects(stack: &Stack) -> BTreeMap<String, (Vec<String>, Vec<u8>)> {
    let versions = stack
        .s3
        .list_object_versions()
        .bucket(&stack.bucket)
        .prefix("lists/")
        .send()
        .await
        .expect("list object versions");
    let mut objects: BTreeMap<String, (Vec<String>, Vec<u8>)> = BTreeMap::new();
    for v in versions.versions() {
        let key = v.key().expect("key").to_string();
        let entry = objects.entry(key).or_default();
        entry.0.push(v.version_id().unwrap_or_default().to_string());
    }
    for (key, entry) in objects.iter_mut() {
        entry.0.sort();
        if let Ok(out) = stack
            .s3
            .get_object()
            .bucket(&stack.bucket)
            .key(key)
            .send()
            .await
        {
            entry.1 = out
                .body
                .collect()
                .await
                .expect("body")
                .into_bytes()
                .to_vec();
        }
    }
    objects
}

async fn get(stack: &Stack, key: &str) -> Vec<u8> {
    let out = stack
        .s3
        .get_object()
        .bucket(&stack.bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e}"));
    out.body
        .collect()
        .await
        .expect("body")
        .into_bytes()
        .to_vec()
}

fn config_with_lists(stack: &Stack, uri: &str) -> Config {
    Config {
        lists_s3_uri: Some(uri.to_string()),
        ..stack.processor_config()
    }
}

fn versions(processor: &Processor) -> Vec<(String, usize, String)> {
    processor
        .lists()
        .into_iter()
        .map(|v| (v.id, v.entries, v.sha256))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_fetched_into_s3_are_those_the_processor_screens_against() {
    let stack = Stack::create().await;
    let server = Server::start();
    server.serve_ofac(&ofac_2021());
    server.set(
        "/un/consolidated.xml",
        read(&fixtures().join("un/UN_consolidated.xml")),
    );
    let uri = lists_uri(&stack);
    let ofac = format!("ofac={}", server.url("/ofac/"));
    let un = format!("un={}", server.url("/un/consolidated.xml"));
    let output = compliance(&[
        "lists", "fetch", "--s3", &uri, "--only", "ofac,un", "--source", &ofac, "--source", &un,
        "--json",
    ]);
    assert_exit(&output, 0, "lists fetch --s3");

    let stored: Vec<String> = objects(&stack).await.into_keys().collect();
    assert_eq!(
        stored,
        [
            "lists/add.csv",
            "lists/alt.csv",
            "lists/index.bin",
            "lists/manifest.json",
            "lists/sdn.csv",
            "lists/sdn_comments.csv",
            "lists/un_consolidated.xml"
        ]
    );
    assert_eq!(
        get(&stack, "lists/sdn.csv").await,
        read(&ofac_2021().join("sdn.csv"))
    );
    let manifest: Value =
        serde_json::from_slice(&get(&stack, "lists/manifest.json").await).expect("manifest");
    let manifest_versions: Vec<(String, usize, String)> = manifest["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["entries"].as_u64().unwrap() as usize,
                l["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(manifest_versions[0].0, "ofac_sdn");
    assert_eq!(manifest_versions[0].1, 8976);
    assert_eq!(manifest_versions[1].0, "un_sc");

    // The saved index (`index.bin`, written before the manifest) is what a cold start loads:
    // the same lists as parsing the files gives, without parsing them.
    let location = compliance_aws::lists::ListsLocation::parse(&uri).expect("location");
    let limits = compliance_aws::lists::ReadLimits::default();
    let from_index = compliance_aws::lists::load(&stack.s3, &location, limits)
        .await
        .expect("load");
    assert!(from_index.from_index, "the saved index was used");
    let mut indexed: Vec<(String, usize, String)> = from_index
        .screener
        .versions()
        .into_iter()
        .map(|v| (v.id, v.entries, v.sha256))
        .collect();
    indexed.sort();
    assert_eq!(indexed, manifest_versions);

    // Built once (cold start), the processor holds exactly the fetched versions...
    let processor = Processor::load(&config_with_lists(&stack, &uri), &stack.config)
        .await
        .unwrap_or_else(|e| panic!("processor with LISTS_S3_URI: {e}"));
    let mut loaded = versions(&processor);
    loaded.sort();
    assert_eq!(loaded, manifest_versions);

    // ...and every audit record names them, with the URL they were downloaded from.
    let key = "incoming/lists-s3/kyc.txt";
    let (version, etag, size) = stack
        .put(key, sample_document("kyc-application-okafor.txt"))
        .await;
    let mut event = s3_event("s3-put.json", &stack.bucket, &version, &etag, size);
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
    processor.handle_event(event).await.expect("handled");
    let record = stack
        .items()
        .await
        .into_iter()
        .find(|item| item["source"]["key"] == key)
        .expect("audit record");
    let lists = record["lists"].as_array().expect("lists in the record");
    assert_eq!(lists.len(), 2, "{record:#}");
    let ofac_record = lists
        .iter()
        .find(|l| l["id"] == "ofac_sdn")
        .expect("ofac_sdn");
    assert_eq!(ofac_record["entries"], 8976);
    assert_eq!(ofac_record["sha256"], manifest["lists"][0]["sha256"]);
    assert_eq!(ofac_record["source"], server.url("/ofac/"));

    // `lists show --s3` reports the same.
    let output = compliance(&["lists", "show", "--s3", &uri, "--json"]);
    assert_exit(&output, 0, "lists show --s3");
    let shown: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        shown["lists"].as_array().map(Vec::len),
        Some(2),
        "{shown:#}"
    );
    assert_eq!(shown["lists"][0]["sha256"], manifest["lists"][0]["sha256"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_download_leaves_the_s3_objects_unchanged() {
    let stack = Stack::create().await;
    let server = Server::start();
    server.serve_ofac(&ofac_2021());
    assert_exit(&fetch_ofac(&stack, &server, &[]), 0, "first fetch");
    let before = objects(&stack).await;
    assert!(before.contains_key("lists/manifest.json"));

    // 17 entries where 8,976 were.
    server.serve_ofac(&ofac_sample());
    let output = fetch_ofac(&stack, &server, &[]);
    assert_exit(&output, 1, "a sharply shrunk list");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("shrank from 8976 to 17 entries") && err.contains(&lists_uri(&stack)),
        "{err}"
    );
    assert_eq!(
        objects(&stack).await,
        before,
        "no object written, none removed"
    );

    // An HTML page instead of the SDN file.
    server.serve_ofac(&ofac_2021());
    server.set(
        "/ofac/SDN.CSV",
        b"<html><body>maintenance</body></html>".to_vec(),
    );
    let output = fetch_ofac(&stack, &server, &[]);
    assert_exit(&output, 1, "an HTML page");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("HTML page"),
        "{}",
        describe(&output)
    );
    // A missing file.
    server.routes.lock().unwrap().remove("/ofac/SDN.CSV");
    assert_exit(&fetch_ofac(&stack, &server, &[]), 1, "a 404");
    assert_eq!(
        objects(&stack).await,
        before,
        "no object written, none removed"
    );

    // The processor still loads the installed set.
    let processor = Processor::load(
        &config_with_lists(&stack, &lists_uri(&stack)),
        &stack.config,
    )
    .await
    .expect("processor");
    assert_eq!(versions(&processor)[0].1, 8976);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_written_update_makes_the_processor_use_the_previous_set() {
    let stack = Stack::create().await;
    let server = Server::start();
    let uri = lists_uri(&stack);

    // The sample, then the full list: the sample is kept under previous/.
    server.serve_ofac(&ofac_sample());
    assert_exit(&fetch_ofac(&stack, &server, &[]), 0, "fetch the sample");
    server.serve_ofac(&ofac_2021());
    let output = fetch_ofac(&stack, &server, &[]);
    assert_exit(&output, 0, "fetch the full list");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(&format!("{uri}previous/")),
        "{}",
        describe(&output)
    );
    assert_eq!(
        get(&stack, "lists/previous/sdn.csv").await,
        read(&ofac_sample().join("sdn.csv"))
    );
    let config = config_with_lists(&stack, &uri);
    let processor = Processor::load(&config, &stack.config)
        .await
        .expect("processor");
    assert_eq!(versions(&processor)[0].1, 8976);

    // An update that died after one file: the files no longer match the manifest.
    stack
        .put("lists/alt.csv", read(&ofac_sample().join("alt.csv")))
        .await;
    let processor = Processor::load(&config, &stack.config)
        .await
        .expect("processor falls back to previous/");
    let (id, entries, _) = &versions(&processor)[0];
    assert_eq!(
        (id.as_str(), *entries),
        ("ofac_sdn", 17),
        "the previous set, whole"
    );

    // With no consistent previous set either, the cold start fails rather than screen
    // against a mix.
    stack
        .s3
        .delete_object()
        .bucket(&stack.bucket)
        .key("lists/previous/manifest.json")
        .send()
        .await
        .expect("delete");
    stack
        .put("lists/previous/alt.csv", read(&ofac_2021().join("alt.csv")))
        .await;
    match Processor::load(&config, &stack.config).await {
        Err(ProcessorError::Config(message)) => {
            assert!(
                message.contains("do not match manifest.json for ofac_sdn")
                    && message.contains("previous/"),
                "{message}"
            );
        }
        Err(other) => panic!("not a configuration error: {other}"),
        Ok(_) => panic!("the processor loaded an inconsistent set"),
    }

    // An empty prefix is a configuration error too, not a silent fallback to the sample.
    let empty = config_with_lists(&stack, &format!("s3://{}/no-lists/", stack.bucket));
    match Processor::load(&empty, &stack.config).await {
        Err(ProcessorError::Config(message)) => {
            assert!(message.contains("no list files"), "{message}")
        }
        Err(other) => panic!("not a configuration error: {other}"),
        Ok(_) => panic!("the processor loaded with no lists"),
    }

    // LISTS_S3_URI is for Processor::load only.
    match Processor::new(&config, &stack.config) {
        Err(ProcessorError::Config(message)) => assert!(message.contains("LISTS_S3_URI")),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("Processor::new ignored LISTS_S3_URI"),
    }
}

/// A damaged or stale `index.bin` is never used: the lists are parsed and indexed from the
/// files, with the same versions.
#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_saved_index_falls_back_to_the_files() {
    let stack = Stack::create().await;
    let server = Server::start();
    server.serve_ofac(&ofac_sample());
    assert_exit(&fetch_ofac(&stack, &server, &[]), 0, "lists fetch --s3");
    let location = compliance_aws::lists::ListsLocation::parse(&lists_uri(&stack)).expect("uri");
    let limits = compliance_aws::lists::ReadLimits::default();
    let good = compliance_aws::lists::load(&stack.s3, &location, limits)
        .await
        .expect("load");
    assert!(good.from_index);

    let mut index = get(&stack, "lists/index.bin").await;
    let middle = index.len() / 2;
    index[middle] ^= 0x55;
    stack
        .s3
        .put_object()
        .bucket(&stack.bucket)
        .key("lists/index.bin")
        .body(index.into())
        .send()
        .await
        .expect("put damaged index");
    let rebuilt = compliance_aws::lists::load(&stack.s3, &location, limits)
        .await
        .expect("load from the files");
    assert!(!rebuilt.from_index, "the damaged index was refused");
    assert_eq!(rebuilt.screener.versions(), good.screener.versions());
}
