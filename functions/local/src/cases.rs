//! Cases in the local store: the `cases` table holds each case's current state, `case_events`
//! its reviewer actions (append-only, enforced by triggers).

use compliance_core::case::{Case, CaseEvent};
use compliance_core::ports::{CaseStore, PortError};
use compliance_core::query::{Page, PageRequest};
use rusqlite::{
    params, params_from_iter, Connection, OptionalExtension, Transaction, TransactionBehavior,
};

use crate::query::{timestamp, Cursor};
use crate::{from_json, to_json, SqliteAuditStore};

/// SQLite's smallest limit on bound parameters is 999; stay well below it.
const IDS_PER_STATEMENT: usize = 500;

/// The `queue` column: set while the case waits for a reviewer, so that the open cases are
/// one index range.
fn queue(case: &Case) -> Option<&'static str> {
    case.status.is_open().then_some("open")
}

fn revision(operation: &'static str, revision: u64) -> Result<i64, PortError> {
    i64::try_from(revision).map_err(|_| PortError::permanent(operation, "revision out of range"))
}

/// Opens the case unless one with its id exists; the number of rows inserted.
pub(crate) fn insert_case(conn: &Connection, case: &Case) -> rusqlite::Result<usize> {
    let json = serde_json::to_string(case)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let revision = i64::try_from(case.revision)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT OR IGNORE INTO cases (case_id, status, queue, opened_at, customer_id, revision, case_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            case.case_id,
            case.status.as_str(),
            queue(case),
            timestamp(case.opened_at),
            case.customer_id,
            revision,
            json,
        ],
    )
}

impl CaseStore for SqliteAuditStore {
    async fn open_case(&self, case: &Case) -> Result<bool, PortError> {
        // A scratch store keeps nothing (--no-store): there is nobody to review the case.
        if self.scratch {
            return Ok(true);
        }
        let inserted = self.with_conn("sqlite:case", |c| insert_case(c, case))?;
        Ok(inserted == 1)
    }

    async fn case(&self, case_id: &str) -> Result<Option<Case>, PortError> {
        let json: Option<String> = self.with_conn("sqlite:case", |c| {
            c.query_row(
                "SELECT case_json FROM cases WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()
        })?;
        json.map(|j| from_json("sqlite:case", &j)).transpose()
    }

    async fn cases(&self, case_ids: &[String]) -> Result<Vec<Case>, PortError> {
        let mut cases = Vec::new();
        for chunk in case_ids.chunks(IDS_PER_STATEMENT) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let rows: Vec<String> = self.with_conn("sqlite:cases", |c| {
                let mut stmt = c.prepare(&format!(
                    "SELECT case_json FROM cases WHERE case_id IN ({placeholders})"
                ))?;
                let rows = stmt.query_map(params_from_iter(chunk.iter()), |r| r.get(0))?;
                rows.collect()
            })?;
            for json in rows {
                cases.push(from_json("sqlite:cases", &json)?);
            }
        }
        Ok(cases)
    }

    async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, PortError> {
        let rows: Vec<String> = self.with_conn("sqlite:case_events", |c| {
            let mut stmt =
                c.prepare("SELECT event FROM case_events WHERE case_id = ?1 ORDER BY seq")?;
            let rows = stmt.query_map([case_id], |r| r.get(0))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|j| from_json("sqlite:case_events", j))
            .collect()
    }

    async fn record_review(&self, case: &Case, event: &CaseEvent) -> Result<bool, PortError> {
        const OP: &str = "sqlite:review";
        if event.case_id != case.case_id || event.seq != case.revision || case.revision == 0 {
            return Err(PortError::permanent(
                OP,
                "the event does not belong to this revision of the case",
            ));
        }
        let case_json = to_json(OP, case)?;
        let event_json = to_json(OP, event)?;
        let revision = revision(OP, case.revision)?;
        self.with_conn(OP, |c| {
            let tx = Transaction::new_unchecked(c, TransactionBehavior::Immediate)?;
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO case_events (case_id, seq, event) VALUES (?1, ?2, ?3)",
                params![event.case_id, revision, event_json],
            )?;
            let updated = if inserted == 1 {
                tx.execute(
                    "UPDATE cases SET status = ?2, queue = ?3, customer_id = ?4, revision = ?5, case_json = ?6
                     WHERE case_id = ?1 AND revision = ?7",
                    params![
                        case.case_id,
                        case.status.as_str(),
                        queue(case),
                        case.customer_id,
                        revision,
                        case_json,
                        revision - 1,
                    ],
                )?
            } else {
                0
            };
            if updated == 1 {
                tx.commit()?;
                Ok(true)
            } else {
                // Another reviewer got there first: neither the event nor the case is kept.
                tx.rollback()?;
                Ok(false)
            }
        })
    }

    async fn open_cases(&self, page: &PageRequest) -> Result<Page<Case>, PortError> {
        const OP: &str = "sqlite:open_cases";
        let limit = page.effective_limit();
        let after = page
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(OP, Cursor::CASES, c))
            .transpose()?;
        let rows: Vec<(String, String, String)> = self.with_conn(OP, |c| {
            let (sql, bound): (&str, Vec<String>) = match &after {
                None => (
                    "SELECT opened_at, case_id, case_json FROM cases WHERE queue = 'open'
                     ORDER BY opened_at ASC, case_id ASC LIMIT ?1",
                    Vec::new(),
                ),
                Some(cursor) => (
                    "SELECT opened_at, case_id, case_json FROM cases WHERE queue = 'open'
                       AND (opened_at > ?2 OR (opened_at = ?2 AND case_id > ?3))
                     ORDER BY opened_at ASC, case_id ASC LIMIT ?1",
                    vec![cursor.at.clone(), cursor.key.clone()],
                ),
            };
            let mut stmt = c.prepare(sql)?;
            let mut values: Vec<rusqlite::types::Value> = vec![(limit as i64 + 1).into()];
            values.extend(bound.into_iter().map(rusqlite::types::Value::from));
            let rows = stmt.query_map(params_from_iter(values), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect()
        })?;
        let more = rows.len() > limit;
        let mut items = Vec::with_capacity(limit.min(rows.len()));
        let mut last = None;
        for (opened_at, case_id, json) in rows.into_iter().take(limit) {
            items.push(from_json(OP, &json)?);
            last = Some(Cursor {
                kind: Cursor::CASES,
                at: opened_at,
                key: case_id,
            });
        }
        Ok(Page {
            items,
            next: if more { last.map(|c| c.encode()) } else { None },
        })
    }
}
