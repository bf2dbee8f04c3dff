//! Local adapters: documents from disk, audit records in an embedded SQLite database, alerts
//! on the terminal. They let the whole pipeline run with no AWS account and no server.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use compliance_core::audit::{Alert, AuditRecord, CustomerAlert, SourceRef};
use compliance_core::customer::{CustomerDocument, CustomerView, FalsePositive, IdentityKey};
use compliance_core::intake::Unreadable;
use compliance_core::ports::{
    AlertSink, AuditStore, CustomerStore, DocumentSource, Fetched, FetchedDocument, PortError,
    PutOutcome,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

mod cases;
mod query;
mod subjects;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("audit store {path}: {source}")]
    Store {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no home directory to place the audit store in; pass --store PATH")]
    NoHome,
    #[error("identity key {path}: {message}")]
    IdentityKey { path: String, message: String },
}

/// Reads documents from the local file system, never more than `max_bytes` of one.
pub struct FileSource {
    pub max_bytes: u64,
}

impl DocumentSource for FileSource {
    async fn fetch(&self, source: &SourceRef) -> Result<FetchedDocument, PortError> {
        Ok(read_file(Path::new(&source.uri), self.max_bytes).into())
    }
}

/// Reads one given file whatever the document is named: for a path that is not UTF-8, whose
/// [`document_name`] cannot be opened as a path.
pub struct PathSource<'a> {
    pub path: &'a Path,
    pub max_bytes: u64,
}

impl DocumentSource for PathSource<'_> {
    async fn fetch(&self, _source: &SourceRef) -> Result<FetchedDocument, PortError> {
        Ok(read_file(self.path, self.max_bytes).into())
    }
}

/// The name a local file is recorded under: its path, with each byte that is not part of
/// valid UTF-8 written `\xHH`. Lossy text would put U+FFFD in its place, so that two files
/// whose names differ only there would be recorded under one name and one document id.
pub fn document_name(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let mut name = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            name.push_str(chunk.valid());
            for byte in chunk.invalid() {
                // Writing to a String cannot fail.
                let _ = write!(name, "\\x{byte:02X}");
            }
        }
        name
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// Reads one file, never more than `max_bytes`; a file that cannot be read is `Unreadable`.
pub fn read_file(path: &Path, max_bytes: u64) -> Fetched {
    let not_fetched = |e: std::io::Error| {
        Fetched::Unreadable(Unreadable::NotFetched {
            detail: e.kind().to_string(),
        })
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return not_fetched(e),
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max_bytes {
        return Fetched::Unreadable(Unreadable::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    // `take` bounds the read even if the file grows while it is read.
    let mut bytes = Vec::with_capacity(size as usize);
    match file.take(max_bytes + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > max_bytes => Fetched::Unreadable(Unreadable::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        }),
        Ok(_) => Fetched::Bytes(bytes),
        Err(e) => not_fetched(e),
    }
}

/// Expands files and folders (recursively, sorted, hidden files skipped) into document paths.
pub fn expand_paths(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut stack = vec![input.clone()];
            let mut found = Vec::new();
            while let Some(dir) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    // Passed on as a document: it becomes an `unreadable` record, not silence.
                    found.push(dir);
                    continue;
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    let hidden = entry.file_name().to_string_lossy().starts_with('.');
                    if hidden {
                        continue;
                    }
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        found.push(path);
                    }
                }
            }
            found.sort();
            out.extend(found);
        } else {
            // A missing file is still passed on: it gets an `unreadable` record, not silence.
            out.push(input.clone());
        }
    }
    out
}

/// The default location of the local audit store: the platform's data directory
/// (`~/.local/share/compliance/audit.sqlite3` on Linux), or `COMPLIANCE_STORE`.
pub fn default_store_path() -> Result<PathBuf, LocalError> {
    if let Some(p) = std::env::var_os("COMPLIANCE_STORE") {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "compliance").ok_or(LocalError::NoHome)?;
    Ok(dirs.data_dir().join("audit.sqlite3"))
}

/// The key of the identity prints, next to the audit store: `COMPLIANCE_IDENTITY_KEY` (hex)
/// if set, else `identity.key` in `dir`, created with 32 random bytes on first use and readable
/// by its owner only. Losing it makes earlier prints incomparable with new ones.
pub fn identity_key(dir: &Path) -> Result<IdentityKey, LocalError> {
    if let Ok(text) = std::env::var("COMPLIANCE_IDENTITY_KEY") {
        return IdentityKey::from_text(&text).map_err(|message| LocalError::IdentityKey {
            path: "COMPLIANCE_IDENTITY_KEY".into(),
            message,
        });
    }
    let path = dir.join("identity.key");
    let failed = |message: String| LocalError::IdentityKey {
        path: path.display().to_string(),
        message,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => IdentityKey::from_text(&text).map_err(failed),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|source| LocalError::Io {
                path: dir.display().to_string(),
                source,
            })?;
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| failed(e.to_string()))?;
            let text = hex::encode(bytes);
            write_private(&path, &text).map_err(|e| failed(e.to_string()))?;
            IdentityKey::from_text(&text).map_err(failed)
        }
        Err(e) => Err(failed(e.to_string())),
    }
}

/// A key for one run only (`--no-store`): prints compare within the run, nothing is written.
pub fn ephemeral_identity_key() -> Result<IdentityKey, LocalError> {
    let mut bytes = [0u8; 32];
    let failed = |message: String| LocalError::IdentityKey {
        path: "(in memory)".into(),
        message,
    };
    getrandom::fill(&mut bytes).map_err(|e| failed(e.to_string()))?;
    IdentityKey::from_bytes(&bytes).map_err(failed)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // create_new: two processes starting at once must not each write a different key.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// An append-only audit log in SQLite. Every scan appends a record; the original JSON is kept
/// whole and the columns beside it make it queryable with the `sqlite3` shell.
pub struct SqliteAuditStore {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// A scratch store's file, deleted when the store is dropped.
    scratch: bool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_records (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   TEXT NOT NULL,
    document      TEXT NOT NULL,
    sha256        TEXT,
    doc_type      TEXT NOT NULL,
    decision      TEXT NOT NULL,
    processed_at  TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    alert_status  TEXT NOT NULL,
    record        TEXT NOT NULL,
    customer_id   TEXT
);
CREATE INDEX IF NOT EXISTS audit_records_document ON audit_records(document_id);
-- The local alert log: what would go to the SNS topic in AWS, once per alert id.
CREATE TABLE IF NOT EXISTS alerts (
    alert_id     TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL,
    decision     TEXT NOT NULL,
    severity     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    alert        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_records_decision ON audit_records(decision, processed_at);
-- The log is append-only: the only change allowed is marking an alert as sent.
CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records cannot be deleted'); END;
-- Customers: the latest judgement of each of their documents, their current view (with a
-- revision so that concurrent writers cannot lose one another's documents), and the false
-- positives reviewers recorded for them (append-only).
CREATE TABLE IF NOT EXISTS customer_documents (
    customer_id  TEXT NOT NULL,
    document_id  TEXT NOT NULL,
    summary      TEXT NOT NULL,
    PRIMARY KEY (customer_id, document_id)
);
CREATE TABLE IF NOT EXISTS customer_views (
    customer_id  TEXT PRIMARY KEY,
    revision     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    view         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS false_positives (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  TEXT NOT NULL,
    list         TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    record       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS false_positives_customer ON false_positives(customer_id);
CREATE TRIGGER IF NOT EXISTS false_positives_no_delete BEFORE DELETE ON false_positives
BEGIN SELECT RAISE(ABORT, 'reviewer decisions cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS false_positives_no_update BEFORE UPDATE ON false_positives
BEGIN SELECT RAISE(ABORT, 'reviewer decisions cannot be changed'); END;
-- Cases: one per document version not approved outright, with its current state (`queue` is
-- 'open' while it waits for a reviewer, NULL once closed) and its reviewer events, which are
-- appended and never changed.
CREATE TABLE IF NOT EXISTS cases (
    case_id      TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    queue        TEXT,
    opened_at    TEXT NOT NULL,
    customer_id  TEXT,
    revision     INTEGER NOT NULL,
    case_json    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_queue ON cases(queue, opened_at, case_id);
CREATE TABLE IF NOT EXISTS case_events (
    case_id      TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    event        TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER IF NOT EXISTS case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'reviewer actions cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'reviewer actions cannot be changed'); END;
-- Query side tables of audit_records (by seq): the checks that failed or could not be
-- evaluated, and the keyed word prints of the subject's names (never a name in clear).
CREATE TABLE IF NOT EXISTS record_checks (
    seq          INTEGER NOT NULL,
    check_id     TEXT NOT NULL,
    PRIMARY KEY (seq, check_id)
);
CREATE INDEX IF NOT EXISTS record_checks_check ON record_checks(check_id, seq);
CREATE TABLE IF NOT EXISTS record_names (
    seq          INTEGER NOT NULL,
    name_index   INTEGER NOT NULL,
    word         TEXT NOT NULL,
    PRIMARY KEY (seq, name_index, word)
);
CREATE INDEX IF NOT EXISTS record_names_word ON record_names(word, seq);
";

/// Indexes over columns that stores from earlier versions only have after [`migrate`].
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS audit_records_processed ON audit_records(processed_at, seq);
CREATE INDEX IF NOT EXISTS audit_records_customer ON audit_records(customer_id, processed_at);
CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records(doc_type, processed_at);
";

/// The schema version of a store whose query columns and side tables are filled
/// (`PRAGMA user_version`); earlier stores are migrated when opened.
const SCHEMA_VERSION: i64 = 2;

/// Creates what is missing and brings a store written by an earlier version up to date: the
/// query column and side tables are added and filled from the stored records, and the cases
/// of records not approved outright are opened, once.
fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(subjects::SCHEMA)?;
    if user_version(conn)? < SCHEMA_VERSION {
        migrate(conn)?;
    }
    conn.execute_batch(INDEXES)
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    for name in names {
        if name? == column {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Records read per step of the backfill, so that a large store migrates in bounded memory.
const BACKFILL_BATCH: i64 = 500;

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    // IMMEDIATE: a second process opening the same old store waits, then finds it migrated.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    if user_version(&tx)? >= SCHEMA_VERSION {
        return tx.commit();
    }
    if !has_column(&tx, "audit_records", "customer_id")? {
        tx.execute_batch("ALTER TABLE audit_records ADD COLUMN customer_id TEXT")?;
    }
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, String)> = {
            let mut stmt = tx.prepare(
                "SELECT seq, record FROM audit_records WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, BACKFILL_BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let Some(last) = batch.last().map(|(seq, _)| *seq) else {
            break;
        };
        for (seq, json) in &batch {
            // A record this version cannot read keeps no query entries; listing it reports it.
            if let Ok(record) = serde_json::from_str::<AuditRecord>(json) {
                tx.execute(
                    "UPDATE audit_records SET customer_id = ?1 WHERE seq = ?2",
                    params![record.customer.id, seq],
                )?;
                index_record(&tx, *seq, &record)?;
                // The case its first scan would have opened, had the store had cases then.
                if let Some(case) = compliance_core::case::Case::open(&record) {
                    cases::insert_case(&tx, &case)?;
                }
            }
        }
        after = last;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

/// The query side rows of one stored record: its failed checks and its name word prints.
fn index_record(conn: &Connection, seq: i64, record: &AuditRecord) -> rusqlite::Result<()> {
    let mut checks =
        conn.prepare_cached("INSERT OR IGNORE INTO record_checks (seq, check_id) VALUES (?1, ?2)")?;
    for check in record.failed_checks() {
        checks.execute(params![seq, check.id])?;
    }
    let mut names = conn.prepare_cached(
        "INSERT OR IGNORE INTO record_names (seq, name_index, word) VALUES (?1, ?2, ?3)",
    )?;
    for (index, name) in record
        .identity
        .iter()
        .flat_map(|i| i.names.iter())
        .enumerate()
    {
        for word in name.words.iter().filter(|w| !w.word.is_empty()) {
            names.execute(params![seq, index as i64, word.word])?;
        }
    }
    Ok(())
}

impl SqliteAuditStore {
    pub fn open(path: &Path) -> Result<Self, LocalError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| LocalError::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let store_err = |source| LocalError::Store {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(store_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(store_err)?;
        prepare(&conn).map_err(store_err)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            scratch: false,
        })
    }

    /// A store for one run that keeps nothing (`compliance scan --no-store`): audit records
    /// are not written at all; customer links and views (which judging customers needs) go to
    /// a file in the temporary directory, deleted when the store is dropped. A file, not
    /// memory, so that a run over a million documents keeps its memory flat.
    pub fn scratch() -> Result<Self, LocalError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "compliance-scratch-{}-{nanos}.sqlite3",
            std::process::id()
        ));
        let mut store = Self::open(&path)?;
        store.scratch = true;
        // Nothing in it outlives the run: no journal, no fsync per record.
        store
            .with_conn("sqlite:pragma", |c| {
                c.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            })
            .map_err(|e| LocalError::Io {
                path: path.display().to_string(),
                source: std::io::Error::other(e.message),
            })?;
        Ok(store)
    }

    /// A store that lives only as long as the process (`compliance scan --no-store`).
    pub fn in_memory() -> Result<Self, LocalError> {
        let store_err = |source| LocalError::Store {
            path: ":memory:".into(),
            source,
        };
        let conn = Connection::open_in_memory().map_err(store_err)?;
        prepare(&conn).map_err(store_err)?;
        Ok(Self {
            path: PathBuf::from(":memory:"),
            conn: Mutex::new(conn),
            scratch: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with_conn<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, PortError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| PortError::permanent(operation, "store lock poisoned"))?;
        f(&conn).map_err(|e| PortError::transient(operation, e.to_string()))
    }

    /// The most recent records, newest first.
    pub fn recent(&self, limit: usize) -> Result<Vec<AuditRecord>, PortError> {
        let rows: Vec<String> = self.with_conn("sqlite:select", |c| {
            let mut stmt =
                c.prepare("SELECT record FROM audit_records ORDER BY seq DESC LIMIT ?1")?;
            let rows = stmt.query_map([limit as i64], |r| r.get::<_, String>(0))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|json| {
                serde_json::from_str(json)
                    .map_err(|e| PortError::permanent("sqlite:select", e.to_string()))
            })
            .collect()
    }

    /// Appends an alert to the local alert log, once per alert id. `subject` is the document
    /// id, or `customer:{id}` for a customer status alert.
    fn log_alert(
        &self,
        alert_id: &str,
        subject: &str,
        decision: &str,
        severity: &str,
        json: &str,
    ) -> Result<(), PortError> {
        self.with_conn("sqlite:alert", |c| {
            c.execute(
                "INSERT OR IGNORE INTO alerts (alert_id, document_id, decision, severity, created_at, alert)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![alert_id, subject, decision, severity, Utc::now().to_rfc3339(), json],
            )
        })?;
        Ok(())
    }

    pub fn alert_count(&self) -> Result<u64, PortError> {
        self.with_conn("sqlite:count", |c| {
            c.query_row("SELECT COUNT(*) FROM alerts", [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
        })
    }

    pub fn count(&self) -> Result<u64, PortError> {
        self.with_conn("sqlite:count", |c| {
            c.query_row("SELECT COUNT(*) FROM audit_records", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
        })
    }
}

impl AuditStore for SqliteAuditStore {
    /// Every scan is recorded (see `put_new`), so every scan is judged in full.
    fn records_each_version_once(&self) -> bool {
        false
    }

    async fn put_new(&self, record: &AuditRecord) -> Result<PutOutcome, PortError> {
        // A scratch store keeps no records (--no-store); only what the customer view needs.
        if self.scratch {
            return Ok(PutOutcome::Created);
        }
        let json = serde_json::to_string(record)
            .map_err(|e| PortError::permanent("sqlite:insert", e.to_string()))?;
        // The record and its query rows, both or neither.
        self.with_conn("sqlite:insert", |c| {
            let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO audit_records (document_id, document, sha256, doc_type, decision, processed_at, rules_version, alert_status, record, customer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    record.document_id,
                    record.document,
                    record.sha256,
                    record.doc_type.as_str(),
                    record.decision.as_str(),
                    query::timestamp(record.processed_at),
                    record.rules_version,
                    alert_status_str(record),
                    json,
                    record.customer.id,
                ],
            )?;
            index_record(&tx, tx.last_insert_rowid(), record)?;
            tx.commit()
        })?;
        // Locally every scan is its own entry in the log: rescanning after a rules change must
        // show the new judgement, and the history of earlier ones stays.
        Ok(PutOutcome::Created)
    }

    async fn mark_alert_sent(
        &self,
        document_id: &str,
        sent_at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        if self.scratch {
            return Ok(());
        }
        let latest: Option<(i64, String)> = self.with_conn("sqlite:select", |c| {
            c.query_row(
                "SELECT seq, record FROM audit_records WHERE document_id = ?1 ORDER BY seq DESC LIMIT 1",
                [document_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        let Some((seq, json)) = latest else {
            return Err(PortError::permanent("sqlite:update", "no such record"));
        };
        let mut record: AuditRecord = serde_json::from_str(&json)
            .map_err(|e| PortError::permanent("sqlite:update", e.to_string()))?;
        record.alert.status = compliance_core::audit::AlertStatus::Sent;
        record.alert.sent_at = Some(sent_at);
        let json = serde_json::to_string(&record)
            .map_err(|e| PortError::permanent("sqlite:update", e.to_string()))?;
        self.with_conn("sqlite:update", |c| {
            c.execute(
                "UPDATE audit_records SET alert_status = 'sent', record = ?1 WHERE seq = ?2",
                params![json, seq],
            )
        })?;
        Ok(())
    }
}

impl Drop for SqliteAuditStore {
    fn drop(&mut self) {
        if self.scratch {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut name = self.path.clone().into_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
        }
    }
}

fn from_json<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    json: &str,
) -> Result<T, PortError> {
    serde_json::from_str(json)
        .map_err(|e| PortError::permanent(operation, format!("stored JSON unreadable: {e}")))
}

fn to_json<T: serde::Serialize>(operation: &'static str, value: &T) -> Result<String, PortError> {
    serde_json::to_string(value).map_err(|e| PortError::permanent(operation, e.to_string()))
}

impl CustomerStore for SqliteAuditStore {
    async fn link_document(&self, document: &CustomerDocument) -> Result<(), PortError> {
        let json = to_json("sqlite:link", document)?;
        // Locally a rescan judges the document again: the latest judgement replaces the last.
        self.with_conn("sqlite:link", |c| {
            c.execute(
                "INSERT OR REPLACE INTO customer_documents (customer_id, document_id, summary) VALUES (?1, ?2, ?3)",
                params![document.customer_id, document.document_id, json],
            )
        })?;
        Ok(())
    }

    async fn customer_documents(
        &self,
        customer_id: &str,
    ) -> Result<Vec<CustomerDocument>, PortError> {
        let rows: Vec<String> = self.with_conn("sqlite:select", |c| {
            let mut stmt = c.prepare(
                "SELECT summary FROM customer_documents WHERE customer_id = ?1 ORDER BY document_id",
            )?;
            let rows = stmt.query_map([customer_id], |r| r.get::<_, String>(0))?;
            rows.collect()
        })?;
        rows.iter().map(|j| from_json("sqlite:select", j)).collect()
    }

    async fn customer_view(&self, customer_id: &str) -> Result<Option<CustomerView>, PortError> {
        let json: Option<String> = self.with_conn("sqlite:select", |c| {
            c.query_row(
                "SELECT view FROM customer_views WHERE customer_id = ?1",
                [customer_id],
                |r| r.get(0),
            )
            .optional()
        })?;
        json.map(|j| from_json("sqlite:select", &j)).transpose()
    }

    async fn save_view(&self, view: &CustomerView) -> Result<bool, PortError> {
        let json = to_json("sqlite:view", view)?;
        let revision = i64::try_from(view.revision)
            .map_err(|_| PortError::permanent("sqlite:view", "revision out of range"))?;
        let changed = self.with_conn("sqlite:view", |c| {
            if revision == 1 {
                c.execute(
                    "INSERT OR IGNORE INTO customer_views (customer_id, revision, status, view) VALUES (?1, ?2, ?3, ?4)",
                    params![view.customer_id, revision, view.status.as_str(), json],
                )
            } else {
                c.execute(
                    "UPDATE customer_views SET revision = ?2, status = ?3, view = ?4 WHERE customer_id = ?1 AND revision = ?5",
                    params![view.customer_id, revision, view.status.as_str(), json, revision - 1],
                )
            }
        })?;
        Ok(changed == 1)
    }

    async fn mark_customer_alert_sent(
        &self,
        customer_id: &str,
        revision: u64,
        sent_at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let Some(mut view) = self.customer_view(customer_id).await? else {
            return Ok(());
        };
        // A newer revision carries its own alert state.
        if view.revision != revision {
            return Ok(());
        }
        view.alert.status = compliance_core::audit::AlertStatus::Sent;
        view.alert.sent_at = Some(sent_at);
        let json = to_json("sqlite:view", &view)?;
        let revision = i64::try_from(revision)
            .map_err(|_| PortError::permanent("sqlite:view", "revision out of range"))?;
        self.with_conn("sqlite:view", |c| {
            c.execute(
                "UPDATE customer_views SET view = ?1 WHERE customer_id = ?2 AND revision = ?3",
                params![json, customer_id, revision],
            )
        })?;
        Ok(())
    }

    async fn false_positives(&self, customer_id: &str) -> Result<Vec<FalsePositive>, PortError> {
        let rows: Vec<String> = self.with_conn("sqlite:select", |c| {
            let mut stmt = c.prepare(
                "SELECT record FROM false_positives WHERE customer_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([customer_id], |r| r.get::<_, String>(0))?;
            rows.collect()
        })?;
        rows.iter().map(|j| from_json("sqlite:select", j)).collect()
    }

    async fn record_false_positive(&self, fp: &FalsePositive) -> Result<(), PortError> {
        let json = to_json("sqlite:false_positive", fp)?;
        self.with_conn("sqlite:false_positive", |c| {
            c.execute(
                "INSERT INTO false_positives (customer_id, list, entry_id, record) VALUES (?1, ?2, ?3, ?4)",
                params![fp.customer_id, fp.list, fp.entry_id, json],
            )
        })?;
        Ok(())
    }
}

fn alert_status_str(record: &AuditRecord) -> &'static str {
    match record.alert.status {
        compliance_core::audit::AlertStatus::NotRequired => "not_required",
        compliance_core::audit::AlertStatus::Pending => "pending",
        compliance_core::audit::AlertStatus::Sent => "sent",
    }
}

/// Local alert delivery: appended to the store's `alerts` table (once per alert id) and,
/// unless quiet, printed to standard error so that standard output stays the requested data.
pub struct LocalAlertSink<'a> {
    pub log: Option<&'a SqliteAuditStore>,
    pub print: bool,
}

impl AlertSink for LocalAlertSink<'_> {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        if let Some(store) = self.log {
            store.log_alert(
                &alert.alert_id,
                &alert.document_id,
                alert.decision.as_str(),
                alert.severity.as_str(),
                &to_json("sqlite:alert", alert)?,
            )?;
        }
        if self.print {
            let checks: Vec<&str> = alert.failed_checks.iter().map(|c| c.id.as_str()).collect();
            eprintln!(
                "ALERT [{}] {} {} ({}): {}",
                alert.severity.as_str(),
                alert.decision.as_str(),
                alert.document,
                alert.doc_type.as_str(),
                if checks.is_empty() {
                    alert.reasons.join("; ")
                } else {
                    checks.join(", ")
                }
            );
        }
        Ok(())
    }

    async fn publish_customer(&self, alert: &CustomerAlert) -> Result<(), PortError> {
        if let Some(store) = self.log {
            store.log_alert(
                &alert.alert_id,
                &format!("customer:{}", alert.customer_id),
                alert.status.as_str(),
                alert.severity.as_str(),
                &to_json("sqlite:alert", alert)?,
            )?;
        }
        if self.print {
            eprintln!(
                "ALERT [{}] customer {} is {}: {}",
                alert.severity.as_str(),
                alert.customer_id,
                alert.status.as_str(),
                alert.reasons.join("; ")
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_core::ports::AuditStore;
    use compliance_core::Pipeline;

    #[test]
    fn store_appends_and_marks_alert_sent() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteAuditStore::open(&dir.path().join("a/audit.sqlite3")).unwrap();
        let pipeline = Pipeline::with_defaults().unwrap();
        let record = pipeline.evaluate(
            SourceRef::file("x.txt", None),
            Ok(b"".as_slice()),
            Utc::now(),
        );
        futures_executor::block_on(async {
            store.put_new(&record).await.unwrap();
            store
                .mark_alert_sent(&record.document_id, Utc::now())
                .await
                .unwrap();
        });
        let stored = store.recent(10).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(
            stored[0].alert.status,
            compliance_core::audit::AlertStatus::Sent
        );
        let deleted = store
            .conn
            .lock()
            .unwrap()
            .execute("DELETE FROM audit_records", []);
        assert!(deleted.is_err(), "the audit log must refuse deletes");
    }

    #[test]
    fn a_view_written_from_a_stale_revision_is_refused() {
        use compliance_core::customer::{assess_customer, FalsePositive};
        let store = SqliteAuditStore::in_memory().unwrap();
        let now = Utc::now();
        let v1 = assess_customer("C-1", &[], &[], "r", None, now);
        futures_executor::block_on(async {
            assert!(store.save_view(&v1).await.unwrap());
            // A second writer that also started from nothing loses.
            assert!(!store.save_view(&v1).await.unwrap());
            let v2 = assess_customer("C-1", &[], &[], "r2", Some(&v1), now);
            assert!(store.save_view(&v2).await.unwrap());
            // One that started from revision 1 after revision 2 was written loses too.
            assert!(!store.save_view(&v2).await.unwrap());
            assert_eq!(
                store.customer_view("C-1").await.unwrap().unwrap().revision,
                2
            );

            let fp = FalsePositive {
                customer_id: "C-1".into(),
                list: "ofac_sdn".into(),
                entry_id: "1".into(),
                reviewer: "r".into(),
                reason: "r".into(),
                recorded_at: now,
                document_id: None,
            };
            store.record_false_positive(&fp).await.unwrap();
            assert_eq!(store.false_positives("C-1").await.unwrap(), vec![fp]);
            assert!(store.false_positives("C-2").await.unwrap().is_empty());
        });
        let conn = store.conn.lock().unwrap();
        assert!(conn.execute("DELETE FROM false_positives", []).is_err());
        assert!(conn
            .execute("UPDATE false_positives SET entry_id = '2'", [])
            .is_err());
    }

    #[test]
    fn a_scratch_store_leaves_nothing_behind() {
        let store = SqliteAuditStore::scratch().unwrap();
        let path = store.path().to_path_buf();
        assert!(path.exists());
        let record = Pipeline::with_defaults().unwrap().evaluate(
            SourceRef::file("x.txt", None),
            Ok(b"".as_slice()),
            Utc::now(),
        );
        futures_executor::block_on(async {
            store.put_new(&record).await.unwrap();
            store
                .mark_alert_sent(&record.document_id, Utc::now())
                .await
                .unwrap();
        });
        assert_eq!(
            store.count().unwrap(),
            0,
            "a scratch store keeps no records"
        );
        drop(store);
        assert!(!path.exists());
    }

    #[test]
    fn the_identity_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = identity_key(dir.path()).unwrap();
        let second = identity_key(dir.path()).unwrap();
        assert_eq!(first.id(), second.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("identity.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        std::fs::write(dir.path().join("identity.key"), "short").unwrap();
        assert!(identity_key(dir.path()).is_err());
    }

    #[test]
    fn missing_file_is_unreadable_not_an_error() {
        let fetched = read_file(Path::new("/nonexistent/file.pdf"), 100);
        assert!(matches!(
            fetched,
            Fetched::Unreadable(Unreadable::NotFetched { .. })
        ));
    }
}

#[cfg(test)]
#[path = "tests/store.rs"]
mod store_tests;
