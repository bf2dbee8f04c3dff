//! The customer store in the audit table: every customer has a partition of their own, so one
//! customer's documents, view and false positives are read with a Query on one key, never a
//! Scan.
//!
//! ```text
//! pk                   sk                                         item
//! DOC#{document_id}    RECORD                                     the audit record (see lib.rs),
//!                                                                 with a top-level customer_id
//! CUST#{customer_id}   DOC#{document_id}                          link: {summary: CustomerDocument}
//! CUST#{customer_id}   VIEW                                       the CustomerView (revision, alert)
//! CUST#{customer_id}   FP#{list}#{entry_id}#{recorded_at}          a FalsePositive, append-only
//! ```
//!
//! - Links are put unconditionally: the summary of a stored record never changes, so writing
//!   it again (a redelivered event) is harmless. The summary is nested under one `summary`
//!   attribute so that link items carry no top-level `decision`, `customer_id` or
//!   `processed_at`: the `by_decision` and `by_customer` indexes hold audit records only.
//! - The view is written with a condition on its revision (`attribute_not_exists(pk)` for
//!   revision 1, `#revision = :prev` after that): two documents of one customer processed at
//!   once cannot overwrite each other's view; the loser reads again and recomputes. Its
//!   attributes are top-level but include neither `decision` nor `processed_at`, so neither
//!   index picks it up.
//! - False positives are never overwritten (`attribute_not_exists(pk)`); the time they were
//!   recorded ends their sort key, so a later decision on the same entry is a new item.
//! - Customer ids are validated by the core (ASCII letters, digits and `. _ - : @`, no `#`), so
//!   `CUST#{id}` cannot collide with another customer's partition or a document's.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use compliance_core::audit::AlertStatus;
use compliance_core::customer::{CustomerDocument, CustomerView, FalsePositive};
use compliance_core::ports::{CustomerStore, PortError};

use crate::{port_error, DynamoAuditStore};

/// Sort key of the customer view.
pub const VIEW_SK: &str = "VIEW";
/// Sort key prefix of document links.
pub const LINK_PREFIX: &str = "DOC#";
/// Sort key prefix of false positives.
pub const FALSE_POSITIVE_PREFIX: &str = "FP#";
/// The attribute of a link item holding the document summary.
pub const SUMMARY_ATTRIBUTE: &str = "summary";
/// The most items read from one customer's partition for one kind (documents or false
/// positives). A real customer has a handful of documents; a partition beyond this is an
/// anomaly a human must look at, and judging on part of it could approve on partial evidence,
/// so reading fails rather than truncates.
pub const MAX_CUSTOMER_ITEMS: usize = 10_000;

pub fn customer_pk(customer_id: &str) -> String {
    format!("CUST#{customer_id}")
}

pub fn link_sk(document_id: &str) -> String {
    format!("{LINK_PREFIX}{document_id}")
}

pub fn false_positive_sk(fp: &FalsePositive) -> String {
    format!(
        "{FALSE_POSITIVE_PREFIX}{}#{}#{}",
        fp.list,
        fp.entry_id,
        fp.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

type Item = HashMap<String, AttributeValue>;

fn is_conditional_check_failed<E>(
    err: &aws_sdk_dynamodb::error::SdkError<E, impl std::fmt::Debug>,
) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

impl DynamoAuditStore {
    /// Every item of the customer's partition whose sort key starts with `prefix`, read
    /// consistently, page by page, at most [`MAX_CUSTOMER_ITEMS`].
    async fn query_customer(
        &self,
        customer_id: &str,
        prefix: &str,
        operation: &'static str,
    ) -> Result<Vec<Item>, PortError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(customer_pk(customer_id)))
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_string()))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| port_error(operation, &e))?;
            items.extend(output.items.unwrap_or_default());
            if items.len() > MAX_CUSTOMER_ITEMS {
                return Err(PortError::permanent(
                    operation,
                    format!(
                        "customer partition holds more than {MAX_CUSTOMER_ITEMS} `{prefix}` items; not judged on part of them"
                    ),
                ));
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }
}

impl DynamoAuditStore {
    /// A stored view whose alert is pending, as this delivery should act on it: the view as
    /// it is once another delivery has sent its alert (or replaced the view), or the pending
    /// view when it stays pending and this delivery wins the claim to publish it. A transient
    /// error when another delivery holds the claim and has not finished.
    async fn settle_pending_view(&self, view: CustomerView) -> Result<CustomerView, PortError> {
        if let Some(settled) = self
            .wait_for_view_alert(&view, crate::ALERT_TAKEOVER_AFTER)
            .await?
        {
            return Ok(settled);
        }
        let claim_sk = format!("{}#{}", crate::ALERT_CLAIM_SK, view.revision);
        if self
            .claim_alert(customer_pk(&view.customer_id), claim_sk)
            .await?
        {
            tracing::warn!(
                customer_id = %view.customer_id,
                revision = view.revision,
                "customer alert still pending: this delivery publishes it"
            );
            return Ok(view);
        }
        if let Some(settled) = self
            .wait_for_view_alert(&view, crate::ALERT_TAKEOVER_AFTER)
            .await?
        {
            return Ok(settled);
        }
        Err(PortError::transient(
            "alert claim",
            format!(
                "the alert of customer {} revision {} is being published by another delivery",
                view.customer_id, view.revision
            ),
        ))
    }

    /// Reads the view until its alert is no longer pending or a newer view replaced it
    /// (`Some`), or `wait` passes.
    async fn wait_for_view_alert(
        &self,
        view: &CustomerView,
        wait: std::time::Duration,
    ) -> Result<Option<CustomerView>, PortError> {
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(crate::ALERT_POLL).await;
            let current: Option<CustomerView> = self
                .get_item(&customer_pk(&view.customer_id), VIEW_SK, "customer view")
                .await?;
            match current {
                Some(current)
                    if current.revision != view.revision
                        || current.alert.status != AlertStatus::Pending =>
                {
                    return Ok(Some(current))
                }
                Some(_) => {}
                None => {
                    return Err(PortError::transient(
                        "dynamodb:GetItem",
                        "customer view reported as existing but not found",
                    ))
                }
            }
        }
        Ok(None)
    }
}

impl CustomerStore for DynamoAuditStore {
    async fn link_document(&self, document: &CustomerDocument) -> Result<(), PortError> {
        let summary: AttributeValue = serde_dynamo::to_attribute_value(document).map_err(|e| {
            PortError::permanent("dynamodb:PutItem", format!("cannot encode link: {e}"))
        })?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(customer_pk(&document.customer_id)))
            .item("sk", AttributeValue::S(link_sk(&document.document_id)))
            .item(SUMMARY_ATTRIBUTE, summary)
            .send()
            .await
            .map_err(|e| port_error("dynamodb:PutItem", &e))?;
        Ok(())
    }

    async fn customer_documents(
        &self,
        customer_id: &str,
    ) -> Result<Vec<CustomerDocument>, PortError> {
        let items = self
            .query_customer(customer_id, LINK_PREFIX, "dynamodb:Query")
            .await?;
        items
            .into_iter()
            .map(|mut item| {
                let summary = item.remove(SUMMARY_ATTRIBUTE).ok_or_else(|| {
                    PortError::permanent("dynamodb:Query", "a customer link has no summary")
                })?;
                serde_dynamo::from_attribute_value(summary).map_err(|e| {
                    PortError::permanent(
                        "dynamodb:Query",
                        format!("stored customer link unreadable: {e}"),
                    )
                })
            })
            .collect()
    }

    async fn customer_view(&self, customer_id: &str) -> Result<Option<CustomerView>, PortError> {
        let view: Option<CustomerView> = self
            .get_item(&customer_pk(customer_id), VIEW_SK, "customer view")
            .await?;
        match view {
            Some(view)
                if self.settles_customer_alerts() && view.alert.status == AlertStatus::Pending =>
            {
                self.settle_pending_view(view).await.map(Some)
            }
            other => Ok(other),
        }
    }

    async fn save_view(&self, view: &CustomerView) -> Result<bool, PortError> {
        let mut item: Item = serde_dynamo::to_item(view).map_err(|e| {
            PortError::permanent("dynamodb:PutItem", format!("cannot encode view: {e}"))
        })?;
        item.insert(
            "pk".into(),
            AttributeValue::S(customer_pk(&view.customer_id)),
        );
        item.insert("sk".into(), AttributeValue::S(VIEW_SK.into()));
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        request = if view.revision <= 1 {
            request.condition_expression("attribute_not_exists(pk)")
        } else {
            request
                .condition_expression("#revision = :prev")
                .expression_attribute_names("#revision", "revision")
                .expression_attribute_values(
                    ":prev",
                    AttributeValue::N((view.revision - 1).to_string()),
                )
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err) if is_conditional_check_failed(&err) => Ok(false),
            Err(err) => Err(port_error("dynamodb:PutItem", &err)),
        }
    }

    async fn mark_customer_alert_sent(
        &self,
        customer_id: &str,
        revision: u64,
        sent_at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(customer_pk(customer_id)))
            .key("sk", AttributeValue::S(VIEW_SK.into()))
            .update_expression("SET #alert.#status = :sent, #alert.sent_at = :at")
            .condition_expression("#revision = :rev")
            .expression_attribute_names("#alert", "alert")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":sent", AttributeValue::S("sent".into()))
            .expression_attribute_values(":at", AttributeValue::S(sent_at.to_rfc3339()))
            .expression_attribute_values(":rev", AttributeValue::N(revision.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // A newer view replaced this one; it carries its own alert state.
            Err(err) if is_conditional_check_failed(&err) => {
                tracing::debug!(
                    customer_id,
                    revision,
                    "customer view moved on before its alert was marked sent"
                );
                Ok(())
            }
            Err(err) => Err(port_error("dynamodb:UpdateItem", &err)),
        }
    }

    async fn false_positives(&self, customer_id: &str) -> Result<Vec<FalsePositive>, PortError> {
        let items = self
            .query_customer(customer_id, FALSE_POSITIVE_PREFIX, "dynamodb:Query")
            .await?;
        items
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item(item).map_err(|e| {
                    PortError::permanent(
                        "dynamodb:Query",
                        format!("stored false positive unreadable: {e}"),
                    )
                })
            })
            .collect()
    }

    async fn record_false_positive(&self, fp: &FalsePositive) -> Result<(), PortError> {
        let mut item: Item = serde_dynamo::to_item(fp).map_err(|e| {
            PortError::permanent(
                "dynamodb:PutItem",
                format!("cannot encode false positive: {e}"),
            )
        })?;
        let pk = customer_pk(&fp.customer_id);
        let sk = false_positive_sk(fp);
        item.insert("pk".into(), AttributeValue::S(pk.clone()));
        item.insert("sk".into(), AttributeValue::S(sk.clone()));
        if self.put_if_absent(item).await? {
            return Ok(());
        }
        // The same decision written again (a retried request) is fine; a different one at the
        // same instant is refused rather than overwriting the first.
        let existing: Option<FalsePositive> = self.get_item(&pk, &sk, "false positive").await?;
        if existing.as_ref() == Some(fp) {
            Ok(())
        } else {
            Err(PortError::permanent(
                "dynamodb:PutItem",
                "another false positive for this list entry was recorded at the same instant",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_layout() {
        assert_eq!(customer_pk("C-100"), "CUST#C-100");
        assert_eq!(link_sk("abc"), "DOC#abc");
        let fp = FalsePositive {
            customer_id: "C-100".into(),
            list: "ofac_sdn".into(),
            entry_id: "15102".into(),
            reviewer: "r.analyst".into(),
            reason: "different date of birth".into(),
            recorded_at: DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
            document_id: None,
        };
        assert_eq!(
            false_positive_sk(&fp),
            "FP#ofac_sdn#15102#2026-11-20T10:00:00.000000Z"
        );
    }
}
