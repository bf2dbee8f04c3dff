//! AWS adapters for the compliance ports: S3 as the document source, DynamoDB as the audit
//! store (and the customer store, see [`customers`]), SNS as the alert sink.

pub mod archive;
pub mod cases;
pub mod customers;
pub mod digest;
pub mod lists;
pub mod metrics;
pub mod query;
pub mod runtime;
pub mod subjects;
pub mod textract;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_sns::types::MessageAttributeValue;
use chrono::{DateTime, Utc};
use compliance_core::audit::{Alert, AlertStatus, AuditRecord, CustomerAlert, SourceRef};
use compliance_core::intake::Unreadable;
use compliance_core::ports::{
    AlertSink, AuditStore, DocumentSource, Fetched, FetchedDocument, PortError, PutOutcome, Retry,
};

pub use aws_sdk_dynamodb::Client as DynamoClient;
pub use aws_sdk_s3::Client as S3Client;
pub use aws_sdk_sns::Client as SnsClient;

/// An S3 client; with a custom endpoint (an emulator or an S3-compatible store) it uses
/// path-style addressing, which such endpoints expect.
pub fn s3_client(config: &aws_config::SdkConfig) -> S3Client {
    let custom_endpoint = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || config.endpoint_url().is_some();
    let s3_config = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(custom_endpoint)
        .build();
    S3Client::from_conf(s3_config)
}

/// Sort key of the original audit record. Later entries for the same document (reviewer
/// decisions) get their own sort keys, so the original is never overwritten.
pub const RECORD_SK: &str = "RECORD";

pub fn document_pk(document_id: &str) -> String {
    format!("DOC#{document_id}")
}

/// The outcome of a conditional `PutItem`: `Ok(true)` when written, `Ok(false)` when its
/// condition did not hold (the item exists, a claim is held, a revision moved on).
pub(crate) fn conditional_put(
    result: Result<
        aws_sdk_dynamodb::operation::put_item::PutItemOutput,
        SdkError<aws_sdk_dynamodb::operation::put_item::PutItemError, HttpResponse>,
    >,
) -> Result<bool, PortError> {
    match result {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(err) => Err(port_error("dynamodb:PutItem", &err)),
    }
}

/// Maps an SDK error to a port error, deciding whether a retry can help: throttling,
/// timeouts, network failures and 5xx are transient; other client errors are not.
pub fn port_error<E>(operation: &'static str, err: &SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            PortError::transient(operation, format!("{}", DisplayErr(err)))
        }
        SdkError::ServiceError(ctx) => {
            let code = ctx.err().code().unwrap_or("Unknown");
            let message = format!("{code}: {}", ctx.err().message().unwrap_or(""));
            let throttled = code.contains("Throttl")
                || code == "ProvisionedThroughputExceededException"
                || code == "RequestLimitExceeded"
                || code == "SlowDown"
                || code == "InternalError"
                || code == "InternalFailure"
                || code == "ServiceUnavailable"
                // A 5xx whatever its code (a bare 500 or 503 from a proxy has none).
                || ctx.raw().status().is_server_error();
            if throttled {
                PortError::transient(operation, message)
            } else {
                PortError::permanent(operation, message)
            }
        }
        _ => PortError::permanent(operation, format!("{}", DisplayErr(err))),
    }
}

/// The SDK's error Display is terse; include the source chain without any request payload.
struct DisplayErr<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for DisplayErr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

/// The user metadata key that names a document's customer: uploaders send it as the header
/// `x-amz-meta-customer-id`. S3 stores metadata keys in lower case.
pub const CUSTOMER_ID_METADATA: &str = "customer-id";

/// Reads uploaded documents from S3, never more than `max_bytes` of them, with what the object
/// says about its customer: the `customer-id` user metadata and, when configured, a tag.
#[derive(Clone)]
pub struct S3DocumentSource {
    client: aws_sdk_s3::Client,
    max_bytes: u64,
    customer_tag: Option<String>,
}

impl S3DocumentSource {
    pub fn new(client: aws_sdk_s3::Client, max_bytes: u64) -> Self {
        Self {
            client,
            max_bytes,
            customer_tag: None,
        }
    }

    /// Also reads the customer id from this object tag (one GetObjectTagging call per
    /// document). `None` or an empty key: tags are not read.
    pub fn with_customer_tag(mut self, tag_key: Option<String>) -> Self {
        self.customer_tag = tag_key.filter(|k| !k.trim().is_empty());
        self
    }

    /// The value of the customer tag on the object version. A tag that cannot be read for a
    /// reason a retry will not change (access denied, the object or version gone) is treated
    /// as absent, with a warning: the document is still judged and recorded, without that
    /// claim. Throttling, 5xx and network failures are retried.
    async fn customer_tag_value(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        tag_key: &str,
    ) -> Result<Option<String>, PortError> {
        let mut request = self.client.get_object_tagging().bucket(bucket).key(key);
        if let Some(version) = version_id {
            request = request.version_id(version);
        }
        match request.send().await {
            Ok(output) => Ok(output
                .tag_set()
                .iter()
                .find(|t| t.key() == tag_key)
                .map(|t| t.value().to_string())),
            Err(err) => {
                let error = port_error("s3:GetObjectTagging", &err);
                if error.retry == Retry::Transient {
                    return Err(error);
                }
                // The code only: S3's message may quote the key, which can name a person.
                let code = err
                    .as_service_error()
                    .and_then(ProvideErrorMetadata::code)
                    .unwrap_or("unknown");
                tracing::warn!(
                    operation = "s3:GetObjectTagging",
                    code,
                    "the customer tag could not be read; the document is judged without it"
                );
                Ok(None)
            }
        }
    }
}

/// The `customer-id` user metadata value (keys compared without regard to case).
fn metadata_customer_id(
    metadata: Option<&std::collections::HashMap<String, String>>,
) -> Option<String> {
    metadata?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(CUSTOMER_ID_METADATA))
        .map(|(_, v)| v.clone())
}

impl DocumentSource for S3DocumentSource {
    /// An object that cannot be read (too large, gone, forbidden) yields no customer claims:
    /// its record is `unreadable` either way, and nothing about it is trusted.
    async fn fetch(&self, source: &SourceRef) -> Result<FetchedDocument, PortError> {
        let (Some(bucket), Some(key)) = (&source.bucket, &source.key) else {
            return Ok(Fetched::Unreadable(Unreadable::NotFetched {
                detail: "the event names no bucket or key".into(),
            })
            .into());
        };
        if let Some(size) = source.size.filter(|s| *s > self.max_bytes) {
            return Ok(Fetched::Unreadable(Unreadable::TooLarge {
                size,
                limit: self.max_bytes,
            })
            .into());
        }
        let mut request = self.client.get_object().bucket(bucket).key(key);
        if let Some(version) = &source.version_id {
            request = request.version_id(version);
        }
        let output = match request.send().await {
            Ok(output) => output,
            Err(err) => return fetch_failure(&err).map(FetchedDocument::from),
        };
        let length = output.content_length().unwrap_or(0).max(0) as u64;
        if length > self.max_bytes {
            return Ok(Fetched::Unreadable(Unreadable::TooLarge {
                size: length,
                limit: self.max_bytes,
            })
            .into());
        }
        let metadata_customer_id = metadata_customer_id(output.metadata());
        // The tags of the version just read, even when the event named none.
        let version_id = source
            .version_id
            .clone()
            .or_else(|| output.version_id().map(str::to_string));
        let mut body = output.body;
        let mut bytes = Vec::with_capacity(length as usize);
        loop {
            match body.try_next().await {
                Ok(Some(chunk)) => {
                    if (bytes.len() + chunk.len()) as u64 > self.max_bytes {
                        return Ok(Fetched::Unreadable(Unreadable::TooLarge {
                            size: (bytes.len() + chunk.len()) as u64,
                            limit: self.max_bytes,
                        })
                        .into());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(PortError::transient(
                        "s3:GetObject body",
                        DisplayErr(&e).to_string(),
                    ))
                }
            }
        }
        let tag_customer_id = match &self.customer_tag {
            Some(tag_key) => {
                self.customer_tag_value(bucket, key, version_id.as_deref(), tag_key)
                    .await?
            }
            None => None,
        };
        Ok(FetchedDocument {
            content: Fetched::Bytes(bytes),
            metadata_customer_id,
            tag_customer_id,
            recognized: None,
        })
    }
}

/// An object that is gone or forbidden will not come back on retry: record it as unreadable
/// so the upload is not silently dropped. Anything else is retried.
fn fetch_failure(err: &SdkError<GetObjectError, HttpResponse>) -> Result<Fetched, PortError> {
    if let SdkError::ServiceError(ctx) = err {
        let code = ctx.err().code().unwrap_or("");
        let detail = match (ctx.err(), code) {
            (GetObjectError::NoSuchKey(_), _) | (_, "NoSuchKey" | "NoSuchVersion" | "NotFound") => {
                Some("the object no longer exists (deleted before it was read)")
            }
            (_, "AccessDenied") => Some("access to the object was denied"),
            (_, "InvalidObjectState") => Some("the object is archived and cannot be read"),
            _ => None,
        };
        if let Some(detail) = detail {
            return Ok(Fetched::Unreadable(Unreadable::NotFetched {
                detail: detail.into(),
            }));
        }
    }
    Err(port_error("s3:GetObject", err))
}

/// Top-level attribute of an audit record item naming its customer: the partition key of the
/// `by_customer` index (template.yaml).
pub const CUSTOMER_ID_ATTRIBUTE: &str = "customer_id";

/// The index of audit records by customer (`customer_id`, `processed_at`).
pub const BY_CUSTOMER_INDEX: &str = "by_customer";

/// Stores audit records in DynamoDB: one item per document version, written once. The same
/// table holds the customer partitions (see [`customers`]).
///
/// A delivery that finds the record already stored with its alert still `pending` does not
/// publish at once: the delivery that stored it is most likely publishing it right now (the
/// same event delivered several times at once). It waits up to [`ALERT_TAKEOVER_AFTER`] for
/// the alert to be marked sent; if it is not, its publisher died or failed, and the waiting
/// deliveries take it over through a claim item (`pk` `DOC#<id>`, `sk` [`ALERT_CLAIM_SK`],
/// held [`ALERT_CLAIM_LEASE`]): the one that wins the conditional write publishes, the others
/// wait for it to finish or fail for retry. So concurrent deliveries publish one alert.
#[derive(Clone)]
pub struct DynamoAuditStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    /// The table of screening subjects kept for re-screening (see [`subjects`]); without
    /// one, subjects are not kept.
    subjects_table: Option<String>,
    /// Whether reading a customer view whose alert is pending waits for it, or takes it over,
    /// as `put_new` does for a record's alert (see [`DynamoAuditStore::settling_customer_alerts`]).
    settle_customer_alerts: bool,
    /// Where each stored record is sealed (see [`archive`]); none: records are not sealed.
    archive: Option<archive::S3RecordArchive>,
}

/// How long a delivery that finds a stored record's alert pending waits for another delivery
/// to publish it before taking it over.
pub const ALERT_TAKEOVER_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a takeover claim on a pending alert holds: the processor's timeout. A delivery
/// that dies holding it leaves the alert pending for the next delivery after that.
pub const ALERT_CLAIM_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// Sort key of a document's alert claim item (under the document's `DOC#` partition).
pub const ALERT_CLAIM_SK: &str = "ALERT_CLAIM";

/// How often a waiting delivery reads the record again.
pub(crate) const ALERT_POLL: std::time::Duration = std::time::Duration::from_millis(100);

impl DynamoAuditStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            subjects_table: None,
            settle_customer_alerts: false,
            archive: None,
        }
    }

    /// Seals every record this store writes (or finds written, on a redelivery) in `archive`,
    /// before its alert is published: a record is stored, then sealed, then alerted.
    pub fn with_archive(mut self, archive: Option<archive::S3RecordArchive>) -> Self {
        self.archive = archive;
        self
    }

    async fn seal(&self, record: &AuditRecord) -> Result<(), PortError> {
        match &self.archive {
            Some(archive) => archive.seal(record).await,
            None => Ok(()),
        }
    }

    /// For the processor, whose deliveries of one customer's documents can run at once: a
    /// customer view read with its alert still pending is waited for (another delivery is
    /// publishing it) and taken over only when it stays pending, like a record's alert, so
    /// that concurrent deliveries send a customer's status alert once. Readers that never
    /// publish (the audit API) leave it off and read the view as stored.
    pub fn settling_customer_alerts(mut self) -> Self {
        self.settle_customer_alerts = true;
        self
    }

    pub(crate) fn settles_customer_alerts(&self) -> bool {
        self.settle_customer_alerts
    }

    /// A stored record whose alert is pending, as this delivery should act on it: returned
    /// pending when this delivery is to publish the alert, sent when another delivery did.
    /// A transient error when another delivery holds the claim and has not finished.
    async fn settle_pending_alert(&self, existing: AuditRecord) -> Result<AuditRecord, PortError> {
        let id = existing.document_id.clone();
        if let Some(done) = self.wait_for_alert(&id, ALERT_TAKEOVER_AFTER).await? {
            return Ok(done);
        }
        if self
            .claim_alert(document_pk(&id), ALERT_CLAIM_SK.to_string())
            .await?
        {
            tracing::warn!(
                document_id = %id,
                "alert still pending after {}s: this delivery publishes it",
                ALERT_TAKEOVER_AFTER.as_secs()
            );
            return Ok(existing);
        }
        if let Some(done) = self.wait_for_alert(&id, ALERT_TAKEOVER_AFTER).await? {
            return Ok(done);
        }
        Err(PortError::transient(
            "alert claim",
            format!("the alert of document {id} is being published by another delivery"),
        ))
    }

    /// Reads the record until its alert is no longer pending (`Some`), or `wait` passes.
    async fn wait_for_alert(
        &self,
        document_id: &str,
        wait: std::time::Duration,
    ) -> Result<Option<AuditRecord>, PortError> {
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(ALERT_POLL).await;
            match self.get(document_id).await? {
                Some(record) if record.alert.status != AlertStatus::Pending => {
                    return Ok(Some(record))
                }
                Some(_) => {}
                None => {
                    return Err(PortError::transient(
                        "dynamodb:GetItem",
                        "record reported as existing but not found",
                    ))
                }
            }
        }
        Ok(None)
    }

    /// Takes the claim item `pk`/`sk` on a pending alert: `true` when this delivery won it
    /// (no claim yet, or the last one expired).
    pub(crate) async fn claim_alert(&self, pk: String, sk: String) -> Result<bool, PortError> {
        let now = Utc::now().timestamp_millis();
        let lease = i64::try_from(ALERT_CLAIM_LEASE.as_millis()).unwrap_or(i64::MAX);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(pk))
            .item("sk", AttributeValue::S(sk))
            .item(
                "claimed_until",
                AttributeValue::N(now.saturating_add(lease).to_string()),
            )
            .condition_expression("attribute_not_exists(pk) OR claimed_until < :now")
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .send()
            .await;
        conditional_put(result)
    }

    pub fn with_subjects_table(mut self, table: Option<String>) -> Self {
        self.subjects_table = table.filter(|t| !t.is_empty());
        self
    }

    pub async fn get(&self, document_id: &str) -> Result<Option<AuditRecord>, PortError> {
        self.get_item(&document_pk(document_id), RECORD_SK, "record")
            .await
    }

    /// Writes an item unless one with its keys exists: `Ok(false)` when it does. Items that
    /// are written once (records, false positives) never overwrite.
    pub(crate) async fn put_if_absent(
        &self,
        item: std::collections::HashMap<String, AttributeValue>,
    ) -> Result<bool, PortError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional_put(result)
    }

    /// One item by its keys, read consistently and decoded; `what` names it in errors.
    pub(crate) async fn get_item<T: serde::de::DeserializeOwned>(
        &self,
        pk: &str,
        sk: &str,
        what: &str,
    ) -> Result<Option<T>, PortError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk.to_string()))
            .key("sk", AttributeValue::S(sk.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| port_error("dynamodb:GetItem", &e))?;
        match output.item {
            Some(item) => serde_dynamo::from_item(item).map(Some).map_err(|e| {
                PortError::permanent("dynamodb:GetItem", format!("stored {what} unreadable: {e}"))
            }),
            None => Ok(None),
        }
    }
}

impl AuditStore for DynamoAuditStore {
    async fn put_new(&self, record: &AuditRecord) -> Result<PutOutcome, PortError> {
        let mut item: std::collections::HashMap<String, AttributeValue> =
            serde_dynamo::to_item(record).map_err(|e| {
                PortError::permanent("dynamodb:PutItem", format!("cannot encode record: {e}"))
            })?;
        item.insert(
            "pk".into(),
            AttributeValue::S(document_pk(&record.document_id)),
        );
        item.insert("sk".into(), AttributeValue::S(RECORD_SK.into()));
        // The key of the `by_customer` index: a customer's records without a Scan. Records
        // that name no customer carry no such attribute and stay out of the index.
        if let Some(customer_id) = &record.customer.id {
            item.insert(
                CUSTOMER_ID_ATTRIBUTE.into(),
                AttributeValue::S(customer_id.clone()),
            );
        }
        // What the record indexes key on and project (see [`query`]).
        for (name, value) in query::record_query_attributes(record) {
            item.insert(name.into(), value);
        }
        // The index items follow the record on every delivery: a crash between the two is
        // healed by the redelivery, which writes them again from the stored record.
        // A crash after the record is stored and before it is sealed is healed the same way:
        // the redelivery seals the record it finds.
        if self.put_if_absent(item).await? {
            self.seal(record).await?;
            self.put_index_items(record).await?;
            return Ok(PutOutcome::Created);
        }
        match self.get(&record.document_id).await? {
            Some(existing) => {
                self.seal(&existing).await?;
                self.put_index_items(&existing).await?;
                let existing = if existing.alert.status == AlertStatus::Pending {
                    self.settle_pending_alert(existing).await?
                } else {
                    existing
                };
                Ok(PutOutcome::AlreadyRecorded(Box::new(existing)))
            }
            None => Err(PortError::transient(
                "dynamodb:PutItem",
                "record reported as existing but not found",
            )),
        }
    }

    async fn mark_alert_sent(
        &self,
        document_id: &str,
        sent_at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(document_pk(document_id)))
            .key("sk", AttributeValue::S(RECORD_SK.into()))
            .update_expression("SET #alert.#status = :sent, #alert.sent_at = :at")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#alert", "alert")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":sent", AttributeValue::S("sent".into()))
            .expression_attribute_values(":at", AttributeValue::S(sent_at.to_rfc3339()))
            .send()
            .await
            .map_err(|e| port_error("dynamodb:UpdateItem", &e))?;
        Ok(())
    }
}

/// The `kind` message attribute of a document alert; customer alerts carry
/// [`CustomerAlert::KIND`]. Subscribers filter on it.
pub const DOCUMENT_ALERT_KIND: &str = "document";

/// Publishes alerts to an SNS topic, with attributes for subscription filter policies:
/// `kind` (`document` or `customer_status`), `severity`, `alert_id`, `customer_id` when known,
/// and `decision` and `doc_type` (documents) or `status` (customers). None carries personal
/// data: a customer id is the bank's own identifier.
#[derive(Clone)]
pub struct SnsAlertSink {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsAlertSink {
    pub fn new(client: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, PortError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| PortError::permanent("sns:Publish", e.to_string()))
}

impl AlertSink for SnsAlertSink {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        let message = serde_json::to_string(alert)
            .map_err(|e| PortError::permanent("sns:Publish", e.to_string()))?;
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(format!(
                "Compliance: {} ({})",
                alert.decision.as_str(),
                alert.doc_type.as_str()
            ))
            .message(message)
            .message_attributes("kind", string_attribute(DOCUMENT_ALERT_KIND)?)
            .message_attributes("decision", string_attribute(alert.decision.as_str())?)
            .message_attributes("severity", string_attribute(alert.severity.as_str())?)
            .message_attributes("doc_type", string_attribute(alert.doc_type.as_str())?)
            .message_attributes("alert_id", string_attribute(&alert.alert_id)?);
        if let Some(customer_id) = &alert.customer_id {
            request = request.message_attributes("customer_id", string_attribute(customer_id)?);
        }
        request
            .send()
            .await
            .map_err(|e| port_error("sns:Publish", &e))?;
        Ok(())
    }

    async fn publish_customer(&self, alert: &CustomerAlert) -> Result<(), PortError> {
        let message = serde_json::to_string(alert)
            .map_err(|e| PortError::permanent("sns:Publish", e.to_string()))?;
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(format!("Compliance: customer {}", alert.status.as_str()))
            .message(message)
            .message_attributes("kind", string_attribute(&alert.kind)?)
            .message_attributes("status", string_attribute(alert.status.as_str())?)
            .message_attributes("severity", string_attribute(alert.severity.as_str())?)
            .message_attributes("alert_id", string_attribute(&alert.alert_id)?)
            .message_attributes("customer_id", string_attribute(&alert.customer_id)?)
            .send()
            .await
            .map_err(|e| port_error("sns:Publish", &e))?;
        Ok(())
    }
}
