//! One moto server per test process, started on first use on a free loopback port and stopped
//! when the process exits. Shared by the integration tests and the CLI's tests (which include
//! this file by path), so it needs nothing but the standard library.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Moto {
    endpoint: String,
    // Held for the life of the test process: its stdin closing is what stops moto.
    _child: Mutex<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

/// A Python script (and its first arguments) that starts moto instead of `moto_server`.
static SCRIPT: OnceLock<(PathBuf, Vec<String>)> = OnceLock::new();

/// Starts this test process's moto through `script`, run by the virtualenv's Python with
/// `args` before moto's own arguments: for a backend moto only configures inside its own
/// process (Textract's results). Call it before the first `moto_endpoint`; false when moto
/// was already started or chosen.
#[allow(dead_code)] // The OCR tests' only; this file is also included by the CLI's tests.
pub fn use_moto_script(script: PathBuf, args: Vec<String>) -> bool {
    MOTO.get().is_none() && SCRIPT.set((script, args)).is_ok()
}

/// `text` quoted for `sh`.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn moto_server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    // The workspace's .venv, from whichever crate includes this file.
    let mut dir = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let venv = d.join(".venv/bin/moto_server");
        if venv.exists() {
            return venv;
        }
        dir = d.parent().map(PathBuf::from);
    }
    panic!(
        "moto_server not found: run `scripts/test.sh` (it installs moto into .venv), or set MOTO_SERVER"
    );
}

/// The endpoint of this test binary's moto server, started on first use.
pub fn moto_endpoint() -> String {
    MOTO.get_or_init(|| {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let binary = moto_server_binary();
        let program = match SCRIPT.get() {
            Some((script, args)) => {
                let python = binary.with_file_name("python");
                let mut words = vec![
                    shell_quoted(&python.display().to_string()),
                    shell_quoted(&script.display().to_string()),
                ];
                words.extend(args.iter().map(|a| shell_quoted(a)));
                words.join(" ")
            }
            None => shell_quoted(&binary.display().to_string()),
        };
        // moto runs under a shell that waits on our stdin: when this test process exits, for
        // whatever reason, stdin closes and the shell stops moto. No orphaned servers.
        let script = format!(
            "{program} -H 127.0.0.1 -p {port} >/dev/null 2>&1 & pid=$!; cat >/dev/null; kill $pid"
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            endpoint,
            _child: Mutex::new(child),
        }
    })
    .endpoint
    .clone()
}
