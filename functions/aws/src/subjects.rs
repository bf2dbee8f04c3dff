//! Screening subjects in their own DynamoDB table, kept for re-screening when the lists
//! change. The names and dates in them are personal data in clear (fuzzy matching needs
//! them), so they are kept apart from the audit table: only the processor may write them and
//! only the re-screening function may read them; the table is encrypted with the stack's key.
//!
//! ```text
//! document_id (partition key)   subject attributes (see compliance_core::rescreen::Subject)
//! ```
//!
//! Re-screening reads the table with a parallel Scan: segment `i` of `n`, one page at a time,
//! the page cursor being the last document id read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use compliance_core::ports::{PortError, SubjectStore};
use compliance_core::query::{Page, PageRequest};
use compliance_core::rescreen::Subject;

use crate::{port_error, DynamoAuditStore};

/// The partition key of the subjects table.
pub const SUBJECT_KEY: &str = "document_id";
/// Most segments of one parallel scan (DynamoDB allows a million; a run needs few).
pub const MAX_SEGMENTS: u32 = 1_000;
/// Items per page at most: a page is processed inside one invocation.
const MAX_PAGE: usize = 1_000;

impl SubjectStore for DynamoAuditStore {
    async fn save_subject(&self, subject: &Subject) -> Result<(), PortError> {
        let Some(table) = &self.subjects_table else {
            return Ok(());
        };
        let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(subject)
            .map_err(|e| PortError::permanent("dynamodb:PutItem", e.to_string()))?;
        // The same document's subject again (a redelivered event) replaces it.
        self.client
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| port_error("dynamodb:PutItem", &e))?;
        Ok(())
    }

    async fn subjects(
        &self,
        segment: u32,
        segments: u32,
        page: &PageRequest,
    ) -> Result<Page<Subject>, PortError> {
        let Some(table) = &self.subjects_table else {
            return Err(PortError::permanent(
                "dynamodb:Scan",
                "no subjects table configured (SUBJECTS_TABLE)",
            ));
        };
        if segments == 0 || segments > MAX_SEGMENTS || segment >= segments {
            return Err(PortError::permanent(
                "dynamodb:Scan",
                format!("segment {segment} of {segments} is not a valid scan segment"),
            ));
        }
        let limit = page.limit.clamp(1, MAX_PAGE) as i32;
        let mut request = self
            .client
            .scan()
            .table_name(table)
            .segment(segment as i32)
            .total_segments(segments as i32)
            .limit(limit);
        if let Some(cursor) = &page.cursor {
            request = request.exclusive_start_key(SUBJECT_KEY, AttributeValue::S(cursor.clone()));
        }
        let output = request
            .send()
            .await
            .map_err(|e| port_error("dynamodb:Scan", &e))?;
        let mut items = Vec::new();
        let mut unreadable = 0usize;
        for item in output.items.unwrap_or_default() {
            match serde_dynamo::from_item::<_, Subject>(item) {
                Ok(subject) => items.push(subject),
                // One unreadable item must not stop everyone else's re-screening; it is
                // counted in the logs for an operator (serde's message could quote a name).
                Err(_) => unreadable += 1,
            }
        }
        if unreadable > 0 {
            tracing::error!(unreadable, segment, "stored subjects unreadable; skipped");
        }
        let next = output
            .last_evaluated_key
            .and_then(|key| match key.get(SUBJECT_KEY) {
                Some(AttributeValue::S(id)) => Some(id.clone()),
                _ => None,
            });
        Ok(Page { items, next })
    }
}
