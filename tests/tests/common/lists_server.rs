//! A loopback HTTP server for the list downloads (path -> body, with a `Last-Modified` date,
//! 404 otherwise), and the list fixtures it serves. Used by the tests of `compliance lists
//! fetch --s3` and of the scheduled list refresh.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::workspace_root;

/// The date every served file claims (the refresh records OFAC's publication date from it).
pub const LAST_MODIFIED: &str = "Wed, 01 Dec 2021 12:00:00 GMT";

#[derive(Clone, Default)]
pub struct Server {
    pub port: u16,
    pub routes: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl Server {
    pub fn start() -> Server {
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

    fn answer(&self, mut stream: TcpStream) {
        let Ok(clone) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(clone);
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) if line.trim().is_empty() => break,
                Ok(_) => {}
            }
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let body = self.routes.lock().unwrap().get(path).cloned();
        let _ = match body {
            Some(body) => write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nLast-Modified: {LAST_MODIFIED}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            )
            .and_then(|_| stream.write_all(&body)),
            None => write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        };
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn set(&self, path: &str, body: Vec<u8>) {
        self.routes.lock().unwrap().insert(path.into(), body);
    }

    /// Serves an OFAC SDN set (a folder with sdn.csv, alt.csv, add.csv, sdn_comments.csv)
    /// under /ofac/ with the official names.
    pub fn serve_ofac(&self, folder: &Path) {
        for (remote, file) in [
            ("SDN.CSV", "sdn.csv"),
            ("ALT.CSV", "alt.csv"),
            ("ADD.CSV", "add.csv"),
            ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
        ] {
            self.set(&format!("/ofac/{remote}"), read(&folder.join(file)));
        }
    }

    pub fn serve_un(&self, body: Vec<u8>) {
        self.set("/un/consolidated.xml", body);
    }

    /// `LISTS_SOURCES` for this server.
    pub fn sources(&self) -> String {
        format!(
            "ofac={},un={}",
            self.url("/ofac/"),
            self.url("/un/consolidated.xml")
        )
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixtures() -> PathBuf {
    workspace_root().join("functions/core/tests/fixtures/lists")
}

pub fn ofac_2021() -> PathBuf {
    fixtures().join("ofac-2021")
}

pub fn ofac_sample() -> PathBuf {
    workspace_root().join("config/lists/ofac-sample")
}
