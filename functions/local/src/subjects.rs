//! The subjects of past documents, kept for `compliance rescreen`: one row per document
//! version, replaced when the same document is scanned again.

use compliance_core::ports::{PortError, SubjectStore};
use compliance_core::query::{Page, PageRequest};
use compliance_core::rescreen::Subject;
use rusqlite::params;

use crate::{from_json, to_json, SqliteAuditStore};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS subjects (
    document_id  TEXT PRIMARY KEY,
    customer_id  TEXT,
    subject      TEXT NOT NULL
);
";

impl SubjectStore for SqliteAuditStore {
    async fn save_subject(&self, subject: &Subject) -> Result<(), PortError> {
        let json = to_json("sqlite:subject", subject)?;
        self.with_conn("sqlite:subject", |c| {
            c.execute(
                "INSERT OR REPLACE INTO subjects (document_id, customer_id, subject) VALUES (?1, ?2, ?3)",
                params![subject.document_id, subject.customer.id, json],
            )
        })?;
        Ok(())
    }

    /// Pages in document id order; the cursor is the last document id of the page. The local
    /// store does not split its scan: every subject is in segment 0.
    async fn subjects(
        &self,
        segment: u32,
        _segments: u32,
        page: &PageRequest,
    ) -> Result<Page<Subject>, PortError> {
        if segment != 0 {
            return Ok(Page::default());
        }
        let limit = page.limit.clamp(1, 10_000);
        let after = page.cursor.clone().unwrap_or_default();
        let rows: Vec<(String, String)> = self.with_conn("sqlite:subjects", |c| {
            let mut stmt = c.prepare(
                "SELECT document_id, subject FROM subjects WHERE document_id > ?1 ORDER BY document_id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, limit as i64 + 1], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect()
        })?;
        let more = rows.len() > limit;
        let rows = &rows[..rows.len().min(limit)];
        let items = rows
            .iter()
            .map(|(_, json)| from_json("sqlite:subjects", json))
            .collect::<Result<Vec<Subject>, _>>()?;
        Ok(Page {
            next: if more {
                rows.last().map(|(id, _)| id.clone())
            } else {
                None
            },
            items,
        })
    }
}
