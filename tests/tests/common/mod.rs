//! Test harness: one moto server per test binary, started on a free loopback port, and helpers
//! that create uniquely named AWS resources in it.

#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::Value;

#[path = "buckets.rs"]
mod buckets;
#[allow(unused_imports)] // Only the sealing tests read the retention.
pub use buckets::ARCHIVE_RETENTION_DAYS;
pub use buckets::{create_archive_bucket, create_bucket};
#[path = "table.rs"]
mod table;
pub use table::create_audit_table;
#[allow(unused_imports)] // Only the test binaries that keep subjects use it.
pub use table::create_subjects_table;

/// Panics with every violation when `value` breaks its schema under `schemas/`.
pub fn assert_conforms(output: compliance_contract::Output, value: &Value) {
    static CONTRACT: OnceLock<compliance_contract::Contract> = OnceLock::new();
    let contract = CONTRACT
        .get_or_init(|| compliance_contract::Contract::load().unwrap_or_else(|e| panic!("{e}")));
    if let Err(e) = contract.validate(output, value) {
        panic!("{e}\nvalue: {value:#}");
    }
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

pub fn load_event(name: &str) -> Value {
    let path = workspace_root().join("events").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn sample_document(name: &str) -> Vec<u8> {
    let path = workspace_root().join("events/documents").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub mod fault_proxy;
pub mod lists_server;
mod moto;
pub use moto::moto_endpoint;
// Only the OCR tests start moto through a script; every test binary includes this module.
#[allow(unused_imports)]
pub use moto::use_moto_script;

pub fn sdk_config_for(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(
            aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "moto"),
        ))
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(20))
                .build(),
        )
        .build()
}

pub fn sdk_config() -> SdkConfig {
    sdk_config_for(&moto_endpoint())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test in any run uses: the process id plus a counter.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// The AWS resources of one test, all uniquely named.
pub struct Stack {
    pub config: SdkConfig,
    pub bucket: String,
    pub table: String,
    pub topic_arn: String,
    pub queue_url: String,
    /// The bucket with Object Lock where records are sealed, as in template.yaml.
    pub archive_bucket: String,
    pub s3: aws_sdk_s3::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
}

impl Stack {
    pub async fn create() -> Stack {
        let config = sdk_config();
        let s3 = compliance_aws::s3_client(&config);
        let dynamodb = aws_sdk_dynamodb::Client::new(&config);
        let sns = aws_sdk_sns::Client::new(&config);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let bucket = unique("documents");
        let table = unique("audit");

        create_bucket(&s3, &bucket, false).await;
        s3.put_bucket_versioning()
            .bucket(&bucket)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder()
                    .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("enable versioning");

        create_audit_table(&dynamodb, &table).await;
        let archive_bucket = unique("audit-archive");
        create_archive_bucket(&s3, &archive_bucket).await;

        let topic_arn = sns
            .create_topic()
            .name(unique("alerts"))
            .send()
            .await
            .expect("create topic")
            .topic_arn
            .expect("topic arn");
        let queue_url = sqs
            .create_queue()
            .queue_name(unique("alerts-subscriber"))
            .send()
            .await
            .expect("create queue")
            .queue_url
            .expect("queue url");
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes")
            .attributes
            .and_then(|a| {
                a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                    .cloned()
            })
            .expect("queue arn");
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .send()
            .await
            .expect("subscribe queue");

        Stack {
            config,
            bucket,
            table,
            topic_arn,
            queue_url,
            archive_bucket,
            s3,
            dynamodb,
            sqs,
        }
    }

    pub fn processor_config(&self) -> processor::Config {
        processor::Config {
            audit_table: self.table.clone(),
            alert_topic_arn: self.topic_arn.clone(),
            max_object_bytes: 5 * 1024 * 1024,
            incoming_prefix: Some("incoming/".into()),
            rules_path: None,
            rules_s3_uri: None,
            lists_dir: None,
            lists_s3_uri: None,
            customer_key_pattern: None,
            customer_id_tag: None,
            identity_key_secret_arn: None,
            subjects_table: None,
            audit_archive_bucket: Some(self.archive_bucket.clone()),
        }
    }

    pub fn audit_api_config(&self) -> audit_api::Config {
        audit_api::Config {
            audit_table: self.table.clone(),
            alert_topic_arn: self.topic_arn.clone(),
            case_sla_hours: audit_api::DEFAULT_CASE_SLA_HOURS,
            audit_archive_bucket: Some(self.archive_bucket.clone()),
            ..audit_api::Config::default()
        }
    }

    /// The audit API as its Lambda builds it at cold start (built-in rules; the identity key
    /// read from the secret when one is given).
    pub async fn audit_api(&self, identity_secret_arn: Option<&str>) -> audit_api::AuditApi {
        let config = audit_api::Config {
            identity_key_secret_arn: identity_secret_arn.map(str::to_string),
            ..self.audit_api_config()
        };
        audit_api::AuditApi::load(&config, &self.config)
            .await
            .expect("audit API cold start")
    }

    pub fn processor(&self) -> processor::Processor {
        processor::Processor::new(&self.processor_config(), &self.config).expect("processor")
    }

    /// Uploads bytes and returns (version id, etag, size) as S3 reports them.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> (String, String, u64) {
        let size = bytes.len() as u64;
        let out = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(bytes.into())
            .send()
            .await
            .expect("put object");
        (
            out.version_id.expect("version id (versioned bucket)"),
            out.e_tag.unwrap_or_default().trim_matches('"').to_string(),
            size,
        )
    }

    /// Uploads `bytes` under `key` and returns the S3 event of the upload.
    pub async fn upload(&self, key: &str, bytes: Vec<u8>) -> Value {
        let (version, etag, size) = self.put(key, bytes).await;
        let mut event = s3_event("s3-put.json", &self.bucket, &version, &etag, size);
        event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
        event
    }

    /// Uploads `bytes` under `key`, has `processor` handle the S3 event for it, and returns
    /// the document's audit record.
    #[allow(dead_code)] // Not every test binary that includes this module processes documents.
    pub async fn process(
        &self,
        processor: &processor::Processor,
        key: &str,
        bytes: Vec<u8>,
    ) -> Value {
        let event = self.upload(key, bytes).await;
        processor.handle_event(event).await.expect("handled");
        self.items()
            .await
            .into_iter()
            .find(|item| item["source"]["key"] == key)
            .unwrap_or_else(|| panic!("no audit record for {key}"))
    }

    pub async fn all_items(&self) -> Vec<Value> {
        let out = self
            .dynamodb
            .scan()
            .table_name(&self.table)
            .consistent_read(true)
            .send()
            .await
            .expect("scan");
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).expect("item as JSON"))
            .collect()
    }

    /// Every audit record item, as JSON, each checked against its schema.
    pub async fn items(&self) -> Vec<Value> {
        self.all_items()
            .await
            .into_iter()
            .filter(|item| item["sk"] == compliance_aws::RECORD_SK)
            .inspect(|value| {
                // The item is the audit record plus the table's keys and the indexes' attributes.
                let mut record = value.clone();
                if let Some(o) = record.as_object_mut() {
                    o.remove("pk");
                    o.remove("sk");
                    for attribute in [
                        compliance_aws::CUSTOMER_ID_ATTRIBUTE,
                        compliance_aws::query::MONTH_ATTRIBUTE,
                        compliance_aws::query::SEVERITY_ATTRIBUTE,
                        compliance_aws::query::FAILED_CHECKS_ATTRIBUTE,
                    ] {
                        o.remove(attribute);
                    }
                }
                assert_conforms(compliance_contract::Output::AuditRecord, &record);
            })
            .collect()
    }

    /// The items of one customer's partition (`CUST#<id>`), sorted by sort key; the view is
    /// checked against its schema.
    pub async fn customer_items(&self, customer_id: &str) -> Vec<Value> {
        let pk = compliance_aws::customers::customer_pk(customer_id);
        let mut items: Vec<Value> = self
            .all_items()
            .await
            .into_iter()
            .filter(|item| item["pk"] == pk.as_str())
            .collect();
        items.sort_by(|a, b| a["sk"].as_str().cmp(&b["sk"].as_str()));
        for item in &items {
            if item["sk"] == compliance_aws::customers::VIEW_SK {
                let mut view = item.clone();
                if let Some(o) = view.as_object_mut() {
                    o.remove("pk");
                    o.remove("sk");
                }
                assert_conforms(compliance_contract::Output::Customer, &view);
            }
        }
        items
    }

    /// A Secrets Manager secret holding a generated identity key (64 random letters and
    /// digits, as the template's GenerateSecretString makes); returns (ARN, value).
    pub async fn identity_secret(&self) -> (String, String) {
        use std::hash::{BuildHasher, Hasher};
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let value: String = (0..64)
            .map(|i| {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_usize(i);
                char::from(ALPHABET[(h.finish() % ALPHABET.len() as u64) as usize])
            })
            .collect();
        let secrets = aws_sdk_secretsmanager::Client::new(&self.config);
        let arn = secrets
            .create_secret()
            .name(unique("identity-key"))
            .secret_string(&value)
            .send()
            .await
            .expect("create secret")
            .arn
            .expect("secret arn");
        (arn, value)
    }

    /// Drains the subscriber queue: waits until no message has arrived for `quiet`.
    pub async fn alerts(&self, quiet: Duration) -> Vec<Value> {
        let mut messages = Vec::new();
        let mut last = Instant::now();
        while last.elapsed() < quiet {
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("receive");
            for m in out.messages.unwrap_or_default() {
                last = Instant::now();
                let body: Value =
                    serde_json::from_str(m.body.as_deref().unwrap_or("")).expect("SNS envelope");
                let alert: Value = body["Message"]
                    .as_str()
                    .and_then(|m| serde_json::from_str(m).ok())
                    .expect("the SNS message is the alert JSON");
                let schema = if alert["kind"] == "customer_status" {
                    compliance_contract::Output::CustomerAlert
                } else {
                    compliance_contract::Output::Alert
                };
                assert_conforms(schema, &alert);
                messages.push(body);
                if let Some(handle) = m.receipt_handle {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("delete message");
                }
            }
        }
        messages
    }
}

/// The same event delivered ten times at once to one processor.
pub async fn ten_at_once(
    processor: &std::sync::Arc<processor::Processor>,
    event: &Value,
) -> Vec<Result<Value, processor::ProcessorError>> {
    deliver_at_once(
        (0..10)
            .map(|_| (processor.clone(), event.clone()))
            .collect(),
    )
    .await
}

/// Every delivery at the same instant (behind a barrier), each with its processor.
pub async fn deliver_at_once(
    deliveries: Vec<(std::sync::Arc<processor::Processor>, Value)>,
) -> Vec<Result<Value, processor::ProcessorError>> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(deliveries.len()));
    let tasks: Vec<_> = deliveries
        .into_iter()
        .map(|(processor, event)| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                processor.handle_event(event).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("delivery task"));
    }
    results
}

/// Fills a fixture S3 event with the real bucket, version, etag and size of an upload.
pub fn s3_event(fixture: &str, bucket: &str, version: &str, etag: &str, size: u64) -> Value {
    let mut event = load_event(fixture);
    let object = &mut event["Records"][0]["s3"];
    object["bucket"]["name"] = Value::from(bucket);
    object["bucket"]["arn"] = Value::from(format!("arn:aws:s3:::{bucket}"));
    object["object"]["versionId"] = Value::from(version);
    object["object"]["eTag"] = Value::from(etag);
    object["object"]["size"] = Value::from(size);
    event
}

pub fn read_to_string(mut r: impl Read) -> String {
    let mut s = String::new();
    let _ = r.read_to_string(&mut s);
    s
}
