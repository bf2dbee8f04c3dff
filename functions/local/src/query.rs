//! Reading the local audit trail back: one record by document id, and records meeting a
//! [`RecordQuery`], newest first, in pages with an opaque cursor.
//!
//! The SQL narrows by the query columns and side tables; [`RecordQuery::matches`] is applied
//! to every row as well, so the answers are those of the DynamoDB adapter. Locally the same
//! file scanned twice is two rows with the same document id: each scan is an entry of its own.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use compliance_core::audit::AuditRecord;
use compliance_core::ports::{AuditQuery, PortError};
use compliance_core::query::{Page, PageRequest, RecordQuery, RecordSummary};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, OptionalExtension};

use crate::{from_json, SqliteAuditStore};

/// How times are stored in the text columns (`processed_at`, `opened_at`): RFC 3339 in UTC as
/// chrono writes it, which sorts as text in time order (the fraction has 0, 3, 6 or 9 digits
/// and is followed by `+`, which sorts before every digit).
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// A position in an ordered listing: the sort time and the tie breaker of the last item
/// served. Encoded as hex so that callers treat it as opaque.
pub(crate) struct Cursor {
    pub kind: &'static str,
    pub at: String,
    pub key: String,
}

impl Cursor {
    pub const RECORDS: &'static str = "records.v1";
    pub const CASES: &'static str = "cases.v1";

    pub fn encode(&self) -> String {
        hex::encode(format!("{}\n{}\n{}", self.kind, self.at, self.key))
    }

    pub fn decode(
        operation: &'static str,
        kind: &'static str,
        text: &str,
    ) -> Result<Cursor, PortError> {
        let bad = |why: &str| {
            PortError::permanent(
                operation,
                format!(
                    "invalid cursor: {why}; pass back the cursor of the previous page unchanged"
                ),
            )
        };
        let bytes = hex::decode(text.trim()).map_err(|_| bad("not a cursor of this store"))?;
        let text = String::from_utf8(bytes).map_err(|_| bad("not a cursor of this store"))?;
        let mut parts = text.splitn(3, '\n');
        let (Some(found), Some(at), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("not a cursor of this store"));
        };
        if found != kind {
            return Err(bad(&format!("a cursor of {found}, not of {kind}")));
        }
        DateTime::parse_from_rfc3339(at).map_err(|_| bad("its time is not RFC 3339"))?;
        if kind == Cursor::RECORDS && key.parse::<i64>().is_err() {
            return Err(bad("its position is not a number"));
        }
        Ok(Cursor {
            kind,
            at: at.to_string(),
            key: key.to_string(),
        })
    }
}

/// The SQL narrowing of a query: the WHERE clause over `audit_records a` and its values.
fn where_clause(query: &RecordQuery) -> (String, Vec<Value>) {
    let mut sql = String::from("1 = 1");
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, value: Value| {
        values.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(decision) = query.decision {
        bind(
            &mut sql,
            " AND a.decision = ?",
            decision.as_str().to_string().into(),
        );
    }
    if let Some(doc_type) = query.doc_type {
        bind(
            &mut sql,
            " AND a.doc_type = ?",
            doc_type.as_str().to_string().into(),
        );
    }
    if let Some(customer) = &query.customer_id {
        bind(&mut sql, " AND a.customer_id = ?", customer.clone().into());
    }
    if let Some(since) = query.since {
        bind(
            &mut sql,
            " AND a.processed_at >= ?",
            timestamp(since).into(),
        );
    }
    if let Some(until) = query.until {
        bind(&mut sql, " AND a.processed_at < ?", timestamp(until).into());
    }
    if let Some(check) = &query.check_id {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM record_checks k WHERE k.seq = a.seq AND k.check_id = ?)",
            check.clone().into(),
        );
    }
    let words: BTreeSet<&String> = query.name_words.iter().collect();
    if !words.is_empty() {
        // One of the subject's names holds every word.
        let mut placeholders = Vec::new();
        for word in &words {
            values.push((*word).clone().into());
            placeholders.push(format!("?{}", values.len()));
        }
        values.push((words.len() as i64).into());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM record_names n WHERE n.seq = a.seq AND n.word IN ({})
               GROUP BY n.name_index HAVING COUNT(DISTINCT n.word) = ?{})",
            placeholders.join(", "),
            values.len()
        ));
    }
    (sql, values)
}

type Row = (i64, String, String);

impl SqliteAuditStore {
    /// Up to `limit` rows after the cursor position, newest first.
    fn record_rows(
        &self,
        query: &RecordQuery,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Vec<Row>, PortError> {
        let (mut sql, mut values) = where_clause(query);
        if let Some(cursor) = after {
            values.push(cursor.at.clone().into());
            let at = values.len();
            let seq = cursor.key.parse::<i64>().unwrap_or(i64::MAX);
            values.push(seq.into());
            sql.push_str(&format!(
                " AND (a.processed_at < ?{at} OR (a.processed_at = ?{at} AND a.seq < ?{}))",
                values.len()
            ));
        }
        values.push((limit as i64).into());
        let sql = format!(
            "SELECT a.seq, a.processed_at, a.record FROM audit_records a WHERE {sql}
             ORDER BY a.processed_at DESC, a.seq DESC LIMIT ?{}",
            values.len()
        );
        self.with_conn("sqlite:query", |c| {
            let mut stmt = c.prepare(&sql)?;
            let rows = stmt.query_map(params_from_iter(values), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect()
        })
    }
}

impl AuditQuery for SqliteAuditStore {
    async fn record(&self, document_id: &str) -> Result<Option<AuditRecord>, PortError> {
        let json: Option<String> = self.with_conn("sqlite:record", |c| {
            c.query_row(
                "SELECT record FROM audit_records WHERE document_id = ?1 ORDER BY seq DESC LIMIT 1",
                [document_id],
                |r| r.get(0),
            )
            .optional()
        })?;
        json.map(|j| from_json("sqlite:record", &j)).transpose()
    }

    async fn query_records(
        &self,
        query: &RecordQuery,
        page: &PageRequest,
    ) -> Result<Page<RecordSummary>, PortError> {
        const OP: &str = "sqlite:query";
        let limit = page.effective_limit();
        let mut after = page
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(OP, Cursor::RECORDS, c))
            .transpose()?;
        let mut items = Vec::with_capacity(limit);
        loop {
            let want = limit - items.len();
            // One more than needed says whether there is a next page.
            let rows = self.record_rows(query, after.as_ref(), want + 1)?;
            let more = rows.len() > want;
            for (seq, processed_at, json) in rows.into_iter().take(want) {
                let record: AuditRecord = from_json(OP, &json)?;
                if query.matches(&record) {
                    items.push(RecordSummary::of(&record));
                }
                after = Some(Cursor {
                    kind: Cursor::RECORDS,
                    at: processed_at,
                    key: seq.to_string(),
                });
            }
            if !more {
                return Ok(Page { items, next: None });
            }
            if items.len() >= limit {
                return Ok(Page {
                    items,
                    next: after.map(|c| c.encode()),
                });
            }
        }
    }
}
