//! `compliance lists fetch|show` against a real HTTP server on loopback serving the real list
//! files: a good fetch installs them, a bad one (garbage, truncated, shrunk, 404) leaves the
//! installed folder byte for byte as it was, a 500 is retried.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

mod common;
use common::{assert_exit, compliance, describe, stderr, stdout, TempDir};

fn fixture(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/lists")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../config/lists/ofac-sample")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 server on loopback: each path answers from a queue of replies (the last one
// repeats), and every request is counted.

#[derive(Clone)]
enum Reply {
    Body(Vec<u8>),
    Status(u16, &'static str, Option<&'static str>),
    /// Declares `declared` bytes, sends `body`, closes the connection.
    Truncated {
        declared: usize,
        body: Vec<u8>,
    },
}

#[derive(Clone, Default)]
struct Server {
    port: u16,
    routes: Arc<Mutex<HashMap<String, VecDeque<Reply>>>>,
    hits: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let server = Server {
            port: listener.local_addr().expect("address").port(),
            ..Server::default()
        };
        let handler = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = handler.clone();
                std::thread::spawn(move || handler.answer(stream));
            }
        });
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn set(&self, path: &str, replies: Vec<Reply>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), replies.into());
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    fn answer(&self, stream: TcpStream) {
        let mut reader = BufReader::new(match stream.try_clone() {
            Ok(s) => s,
            Err(_) => return,
        });
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) if line == "\r\n" || line == "\n" => break,
                Ok(_) => {}
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        *self.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let reply = {
            let mut routes = self.routes.lock().unwrap();
            match routes.get_mut(&path) {
                Some(queue) if queue.len() > 1 => queue.pop_front(),
                Some(queue) => queue.front().cloned(),
                None => None,
            }
        }
        .unwrap_or(Reply::Status(404, "Not Found", None));
        let mut stream = stream;
        let _ = match reply {
            Reply::Body(body) => write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nLast-Modified: Tue, 24 Nov 2026 15:04:05 GMT\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .and_then(|_| stream.write_all(&body)),
            Reply::Status(code, reason, retry_after) => {
                let extra = retry_after
                    .map(|r| format!("Retry-After: {r}\r\n"))
                    .unwrap_or_default();
                write!(
                    stream,
                    "HTTP/1.1 {code} {reason}\r\n{extra}Content-Length: 5\r\nConnection: close\r\n\r\noops!"
                )
            }
            Reply::Truncated { declared, body } => write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            )
            .and_then(|_| stream.write_all(&body)),
        };
        let _ = stream.flush();
    }

    /// Serves the full OFAC 2021 set under /ofac/ with the official file names.
    fn serve_ofac_2021(&self) {
        for (remote, file) in OFAC_FILES {
            self.set(
                &format!("/ofac/{remote}"),
                vec![Reply::Body(fixture(&format!("ofac-2021/{file}")))],
            );
        }
    }

    /// Serves the bundled 17-entry sample under /ofac/.
    fn serve_ofac_sample(&self) {
        for (remote, file) in OFAC_FILES {
            self.set(&format!("/ofac/{remote}"), vec![Reply::Body(sample(file))]);
        }
    }

    fn ofac_args(&self) -> Vec<String> {
        vec![
            "--only".into(),
            "ofac".into(),
            "--source".into(),
            format!("ofac={}", self.url("/ofac/")),
        ]
    }
}

const OFAC_FILES: [(&str, &str); 4] = [
    ("SDN.CSV", "sdn.csv"),
    ("ALT.CSV", "alt.csv"),
    ("ADD.CSV", "add.csv"),
    ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
];

// ---------------------------------------------------------------------------------------------

fn run(base: &[&str], extra: &[String]) -> std::process::Output {
    let mut args: Vec<&str> = base.to_vec();
    args.extend(extra.iter().map(String::as_str));
    compliance(&args)
}

fn fetch(dir: &Path, extra: &[String]) -> std::process::Output {
    let dir = dir.display().to_string();
    run(&["lists", "fetch", "--dir", &dir], extra)
}

/// The only stdout line, as JSON.
fn json(output: &std::process::Output) -> Value {
    let out = stdout(output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "one JSON line\n{}", describe(output));
    serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", lines[0]))
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

fn manifest(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_slice(&bytes).expect("manifest is JSON")
}

/// Installs the full OFAC 2021 list into `root/lists` and returns that folder.
fn install_ofac_2021(server: &Server, root: &TempDir) -> PathBuf {
    server.serve_ofac_2021();
    let dir = root.path().join("lists");
    let output = fetch(&dir, &server.ofac_args());
    assert_exit(&output, 0, "fetch the OFAC 2021 list");
    dir
}

#[test]
fn a_good_fetch_installs_every_list_and_show_reports_them() {
    let server = Server::start();
    server.serve_ofac_2021();
    server.set(
        "/un/consolidated.xml",
        vec![Reply::Body(fixture("un/UN_consolidated.xml"))],
    );
    server.set(
        "/csl/consolidated.csv",
        vec![Reply::Body(fixture("us/us_csl.csv"))],
    );
    server.set("/bis/dpl.txt", vec![Reply::Body(fixture("us/bis_dpl.txt"))]);
    let root = TempDir::new("lists-good");
    let dir = root.path().join("lists");
    let sources: Vec<String> = [
        format!("ofac={}", server.url("/ofac")),
        format!("un={}", server.url("/un/consolidated.xml")),
        format!("csl={}", server.url("/csl/consolidated.csv")),
        format!("dpl={}", server.url("/bis/dpl.txt")),
    ]
    .into_iter()
    .flat_map(|s| ["--source".to_string(), s])
    .chain(["--json".to_string()])
    .collect();

    let output = fetch(&dir, &sources);
    assert_exit(&output, 0, "fetch every list");
    let report = json(&output);
    assert_eq!(report["installed"], true, "{report:#}");
    assert_eq!(
        report["previous"],
        Value::Null,
        "a first install has no previous set"
    );
    let ids: Vec<&str> = report["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .map(|l| l["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        ["ofac_sdn", "un_sc", "us_csl", "bis_dpl"],
        "{report:#}"
    );
    let ofac = &report["lists"][0];
    assert_eq!(ofac["entries"], 8976);
    assert_eq!(ofac["previous_entries"], Value::Null);
    assert_eq!(ofac["source"], server.url("/ofac/"));
    assert_eq!(
        ofac["published"], "2026-11-24T15:04:05Z",
        "OFAC's CSV carries no date: the Last-Modified header is recorded"
    );
    assert!(
        report["lists"][1]["entries"].as_u64().unwrap_or(0) > 900,
        "the UN list: 730 individuals, 273 entities\n{report:#}"
    );

    let mut installed: Vec<String> = std::fs::read_dir(&dir)
        .expect("installed folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    installed.sort();
    assert_eq!(
        installed,
        [
            "add.csv",
            "alt.csv",
            "bis_dpl.txt",
            // The saved screening index, written with the manifest: `scan` and `screen`
            // load it instead of parsing and indexing the files.
            "index.bin",
            "manifest.json",
            "sdn.csv",
            "sdn_comments.csv",
            "un_consolidated.xml",
            "us_csl.csv"
        ]
    );
    assert_eq!(
        std::fs::read(dir.join("sdn.csv")).unwrap(),
        fixture("ofac-2021/sdn.csv"),
        "installed byte for byte"
    );
    let manifest = manifest(&dir);
    let entry = manifest["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == "ofac_sdn"))
        .expect("ofac_sdn in the manifest");
    assert_eq!(entry["entries"], 8976);
    assert_eq!(
        entry["files"],
        serde_json::json!(["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"])
    );
    assert_eq!(entry["sha256"], ofac["sha256"]);

    // `show` reports what is installed, with the manifest's source and dates.
    let dir_arg = dir.display().to_string();
    let output = compliance(&["lists", "show", "--dir", &dir_arg, "--json"]);
    assert_exit(&output, 0, "lists show");
    let shown = json(&output);
    let lists = shown["lists"].as_array().expect("lists");
    assert_eq!(lists.len(), 4, "{shown:#}");
    let shown_ofac = lists
        .iter()
        .find(|l| l["id"] == "ofac_sdn")
        .expect("ofac_sdn shown");
    assert_eq!(shown_ofac["entries"], 8976);
    assert_eq!(shown_ofac["sha256"], entry["sha256"]);
    assert_eq!(shown_ofac["source"], server.url("/ofac/"));
    assert_eq!(shown_ofac["published"], "2026-11-24T15:04:05Z");
    assert_eq!(shown_ofac["fetched_at"], entry["fetched_at"]);
    let output = compliance(&["lists", "show", "--dir", &dir_arg]);
    assert_exit(&output, 0, "lists show (table)");
    let table = stdout(&output);
    assert!(table.starts_with("LIST "), "{table}");
    assert!(
        table.contains("ofac_sdn") && table.contains("8976"),
        "{table}"
    );

    // A scan with these lists names their versions in the record.
    let document = Path::new(common::DOCUMENTS).join("kyc-application-okafor.txt");
    let output = compliance(&[
        "scan",
        &document.display().to_string(),
        "--lists",
        &dir_arg,
        "--no-store",
        "--json",
    ]);
    assert_exit(&output, 0, "scan with the fetched lists");
    let record = json(&output);
    let used: Vec<(&str, u64)> = record["lists"]
        .as_array()
        .expect("lists in the record")
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["entries"].as_u64().unwrap()))
        .collect();
    assert!(used.contains(&("ofac_sdn", 8976)), "{used:?}");
    assert_eq!(used.len(), 4, "{used:?}");

    // The same files again: nothing is replaced, the folder is untouched.
    let before = snapshot(root.path());
    let output = fetch(&dir, &sources);
    assert_exit(&output, 0, "fetch the same lists again");
    assert_eq!(json(&output)["unchanged"], true);
    assert!(
        stderr(&output).contains("unchanged"),
        "{}",
        describe(&output)
    );
    assert_eq!(snapshot(root.path()), before);
}

#[test]
fn a_garbage_or_truncated_download_is_rejected_and_the_installed_lists_stay_byte_identical() {
    let server = Server::start();
    let root = TempDir::new("lists-garbage");
    let dir = install_ofac_2021(&server, &root);
    let before = snapshot(root.path());

    // An HTML page served with 200 where the SDN file should be.
    server.set(
        "/ofac/SDN.CSV",
        vec![Reply::Body(
            b"<!DOCTYPE html><html><body>Service temporarily moved</body></html>".to_vec(),
        )],
    );
    let output = fetch(&dir, &server.ofac_args());
    assert_exit(&output, 1, "an HTML page instead of SDN.CSV");
    let err = stderr(&output);
    assert!(err.contains("ofac_sdn"), "{err}");
    assert!(err.contains("SDN.CSV: not an OFAC SDN main file"), "{err}");
    assert!(err.contains("HTML page"), "{err}");
    assert!(err.contains("is unchanged"), "{err}");
    assert_eq!(snapshot(root.path()), before, "nothing replaced");

    // The first half of the real file: it parses, but half the list is gone.
    let sdn = fixture("ofac-2021/sdn.csv");
    server.set(
        "/ofac/SDN.CSV",
        vec![Reply::Body(sdn[..sdn.len() / 2].to_vec())],
    );
    let output = fetch(&dir, &server.ofac_args());
    assert_exit(&output, 1, "a truncated SDN.CSV");
    let err = stderr(&output);
    assert!(err.contains("ofac_sdn"), "{err}");
    assert!(err.contains("shrank from 8976 to"), "{err}");
    assert_eq!(snapshot(root.path()), before, "nothing replaced");

    // The connection closes before the declared length: the transfer itself fails.
    server.set(
        "/ofac/SDN.CSV",
        vec![Reply::Truncated {
            declared: sdn.len(),
            body: sdn[..1000].to_vec(),
        }],
    );
    let hits_before = server.hits("/ofac/SDN.CSV");
    let mut args = server.ofac_args();
    args.extend(["--retries".into(), "1".into(), "--json".into()]);
    let output = fetch(&dir, &args);
    assert_exit(&output, 1, "a connection cut short");
    let report = json(&output);
    assert_eq!(report["installed"], false);
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{report:#}");
    let error = errors[0].as_str().unwrap();
    assert!(
        error.starts_with(&format!(
            "ofac_sdn ({}): {}",
            server.url("/ofac/"),
            server.url("/ofac/SDN.CSV")
        )),
        "{error}"
    );
    assert!(error.contains("after 2 attempts"), "{error}");
    assert_eq!(
        server.hits("/ofac/SDN.CSV") - hits_before,
        2,
        "retried once"
    );
    assert_eq!(snapshot(root.path()), before, "nothing replaced");
    let leftovers: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["lists"], "no staging folder left behind");
}

#[test]
fn a_list_that_shrank_sharply_is_rejected_unless_allowed() {
    let server = Server::start();
    let root = TempDir::new("lists-shrink");
    let dir = install_ofac_2021(&server, &root);
    let before = snapshot(root.path());
    let installed_sha = manifest(&dir)["lists"][0]["sha256"].clone();

    server.serve_ofac_sample();
    let output = fetch(&dir, &server.ofac_args());
    assert_exit(&output, 1, "17 entries where 8976 were");
    let err = stderr(&output);
    assert!(
        err.contains("ofac_sdn (http://127.0.0.1:")
            && err.contains("shrank from 8976 to 17 entries (-99.8%), more than the 10% allowed"),
        "{err}"
    );
    assert_eq!(snapshot(root.path()), before);

    // A deliberate replacement: allowed, and the previous set is kept beside.
    let mut args = server.ofac_args();
    args.extend(["--max-shrink".into(), "1".into()]);
    let output = fetch(&dir, &args);
    assert_exit(&output, 0, "--max-shrink 1 accepts it");
    let out = stdout(&output);
    assert!(
        out.contains("ofac_sdn") && out.contains("17") && out.contains("8976"),
        "{out}"
    );
    assert_eq!(manifest(&dir)["lists"][0]["entries"], 17);
    let previous = root.path().join("lists.previous");
    assert_eq!(manifest(&previous)["lists"][0]["sha256"], installed_sha);
    assert_eq!(
        std::fs::read(previous.join("sdn.csv")).unwrap(),
        fixture("ofac-2021/sdn.csv")
    );

    // A minimum of entries holds even for a first install.
    let fresh = root.path().join("fresh");
    let mut args = server.ofac_args();
    args.extend(["--min-entries".into(), "100".into()]);
    let output = fetch(&fresh, &args);
    assert_exit(&output, 1, "fewer than --min-entries");
    assert!(
        stderr(&output).contains("only 17 entries, fewer than the minimum of 100"),
        "{}",
        describe(&output)
    );
    assert!(!fresh.exists());
}

#[test]
fn server_errors_are_retried_and_a_404_fails_cleanly() {
    let server = Server::start();
    server.serve_ofac_2021();
    server.set(
        "/ofac/SDN.CSV",
        vec![
            Reply::Status(500, "Internal Server Error", None),
            Reply::Status(429, "Too Many Requests", Some("1")),
            Reply::Body(fixture("ofac-2021/sdn.csv")),
        ],
    );
    let root = TempDir::new("lists-retry");
    let dir = root.path().join("lists");
    let output = fetch(&dir, &server.ofac_args());
    assert_exit(&output, 0, "500, then 429, then 200");
    assert_eq!(server.hits("/ofac/SDN.CSV"), 3);
    let err = stderr(&output);
    assert!(
        err.contains("HTTP 500 Internal Server Error; retrying in 0.5 s"),
        "{err}"
    );
    assert!(
        err.contains("HTTP 429 Too Many Requests; retrying in 1.0 s"),
        "{err}"
    );
    assert_eq!(manifest(&dir)["lists"][0]["entries"], 8976);

    // A missing file fails at once (a 404 is not retried) and installs nothing.
    server.set("/ofac/ADD.CSV", vec![Reply::Status(404, "Not Found", None)]);
    let fresh = root.path().join("fresh");
    let output = fetch(&fresh, &server.ofac_args());
    assert_exit(&output, 1, "a 404");
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{}: HTTP 404 Not Found",
            server.url("/ofac/ADD.CSV")
        )),
        "{err}"
    );
    assert!(!err.contains("retrying"), "{err}");
    assert_eq!(server.hits("/ofac/ADD.CSV"), 2, "once per fetch");
    assert!(!fresh.exists(), "nothing installed");
}

#[test]
fn usage_errors_exit_2() {
    let root = TempDir::new("lists-usage");
    let dir = root.path().join("lists");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--source", "ofac=http://example.org/ofac/"],
            "plain HTTP is accepted only from a loopback address",
        ),
        (&["--only", "dpl"], "dpl has no official download URL"),
        (&["--only", "eu"], "unknown list source `eu`"),
        (&["--source", "ofac"], "expected NAME=URL"),
        (&["--max-shrink", "1.5"], "not a fraction between 0 and 1"),
    ];
    for (args, expected) in cases {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let output = fetch(&dir, &args);
        assert_exit(&output, 2, expected);
        assert!(stderr(&output).contains(expected), "{}", describe(&output));
    }
    assert!(!dir.exists());

    let output = compliance(&["lists", "show", "--dir", &dir.display().to_string()]);
    assert_exit(&output, 1, "show with nothing installed");
    assert!(
        stderr(&output).contains("no lists installed"),
        "{}",
        describe(&output)
    );
}
