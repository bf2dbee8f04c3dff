//! The processor Lambda: S3 `ObjectCreated` events, delivered directly, through SQS or through
//! EventBridge, become audit records in DynamoDB and alerts on SNS; a document that names its
//! customer also updates that customer's view.

mod assist;
pub mod events;
mod identity;
pub mod metrics;
pub mod ocr;

use std::path::PathBuf;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use compliance_assist::Assistant;
use compliance_aws::archive::S3RecordArchive;
use compliance_aws::lists::{ListsLocation, ReadLimits};
use compliance_aws::{DynamoAuditStore, S3DocumentSource, SnsAlertSink};
use compliance_core::assist::AssistPolicy;
use compliance_core::customer::{CustomerClaims, IdentityKey, KeyPattern};
use compliance_core::intake::IntakeLimits;
use compliance_core::ports::{PortError, Retry};
use compliance_core::rules::{RuleSet, MAX_RULES_BYTES};
use compliance_core::screening::{lists, saved, ListVersion, Screener};
use compliance_core::service::{process_document, process_document_assisted};
use compliance_core::{Pipeline, SourceRef};
use lambda_runtime::Diagnostic;
use serde_json::{json, Value};

pub use assist::assistance_from_env;
pub use events::decode_s3_key;
pub use identity::load_identity_key;
pub use ocr::{OcrDocumentSource, OcrProvider};

#[derive(Debug, thiserror::Error)]
pub enum ProcessorError {
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Core(#[from] compliance_core::CoreError),
    #[error("unrecognised event: {0}")]
    UnrecognisedEvent(String),
    #[error("{failed} of {total} documents failed: {first}")]
    Documents {
        failed: usize,
        total: usize,
        first: PortError,
    },
}

impl ProcessorError {
    /// Whether the platform retrying the same event can help.
    pub fn retryable(&self) -> bool {
        match self {
            ProcessorError::Documents { first, .. } => first.retry == Retry::Transient,
            _ => false,
        }
    }
}

impl From<ProcessorError> for Diagnostic {
    fn from(err: ProcessorError) -> Self {
        let error_type = if err.retryable() {
            "Transient"
        } else {
            "Permanent"
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: err.to_string(),
        }
    }
}

/// Configuration read once at cold start from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub audit_table: String,
    pub alert_topic_arn: String,
    pub max_object_bytes: u64,
    /// Only keys under this prefix are processed (the template scopes the trigger to it too).
    pub incoming_prefix: Option<String>,
    /// Rules file on the function's file system (`RULES_PATH`).
    pub rules_path: Option<PathBuf>,
    /// Rules file as an S3 object, `s3://bucket/key` (`RULES_S3_URI`), read once at cold start.
    pub rules_s3_uri: Option<String>,
    /// Folder of list files on the function's file system (`LISTS_DIR`).
    pub lists_dir: Option<PathBuf>,
    /// Prefix of the installed lists, `s3://bucket/prefix/` (`LISTS_S3_URI`), read once at
    /// cold start and kept for the life of the process. Neither this nor `lists_dir`: the
    /// bundled OFAC sample.
    pub lists_s3_uri: Option<String>,
    /// Where the customer id sits in object keys (`CUSTOMER_KEY_PATTERN`, e.g.
    /// `incoming/{customer_id}/{file}`); none: keys name no customer.
    pub customer_key_pattern: Option<KeyPattern>,
    /// The object tag holding the customer id (`CUSTOMER_ID_TAG`); none: tags are not read.
    pub customer_id_tag: Option<String>,
    /// The Secrets Manager secret holding the identity key (`IDENTITY_KEY_SECRET_ARN`), read
    /// once at cold start; none: documents get no identity prints and a customer's
    /// documents are not compared.
    pub identity_key_secret_arn: Option<String>,
    /// The DynamoDB table keeping screened parties for re-screening (`SUBJECTS_TABLE`); none:
    /// they are not kept, and a list update re-screens no past document.
    pub subjects_table: Option<String>,
    /// The S3 bucket with Object Lock where every audit record is sealed once it is stored
    /// (`AUDIT_ARCHIVE_BUCKET`; see `compliance_aws::archive`); none: records are not sealed.
    pub audit_archive_bucket: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ProcessorError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration from any variable lookup (the environment, or a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ProcessorError> {
        let required = |name: &str| {
            var(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| ProcessorError::Config(format!("{name} is not set")))
        };
        let optional = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let max_object_bytes = match optional("MAX_OBJECT_BYTES") {
            Some(v) => v.parse().map_err(|_| {
                ProcessorError::Config(format!("MAX_OBJECT_BYTES is not a number: {v}"))
            })?,
            None => IntakeLimits::default().max_bytes,
        };
        let rules_path = optional("RULES_PATH").map(PathBuf::from);
        let rules_s3_uri = optional("RULES_S3_URI");
        if let Some(uri) = &rules_s3_uri {
            if rules_path.is_some() {
                return Err(ProcessorError::Config(
                    "RULES_PATH and RULES_S3_URI are both set: set one".into(),
                ));
            }
            parse_s3_uri(uri)?;
        }
        let lists_dir = optional("LISTS_DIR").map(PathBuf::from);
        let lists_s3_uri = optional("LISTS_S3_URI");
        if let Some(uri) = &lists_s3_uri {
            if lists_dir.is_some() {
                return Err(ProcessorError::Config(
                    "LISTS_DIR and LISTS_S3_URI are both set: set one".into(),
                ));
            }
            lists_location(uri)?;
        }
        let customer_key_pattern = optional("CUSTOMER_KEY_PATTERN")
            .map(|p| {
                KeyPattern::parse(p.trim())
                    .map_err(|e| ProcessorError::Config(format!("CUSTOMER_KEY_PATTERN: {e}")))
            })
            .transpose()?;
        Ok(Self {
            audit_table: required("AUDIT_TABLE")?,
            alert_topic_arn: required("ALERT_TOPIC_ARN")?,
            max_object_bytes,
            incoming_prefix: optional("INCOMING_PREFIX"),
            rules_path,
            rules_s3_uri,
            lists_dir,
            lists_s3_uri,
            customer_key_pattern,
            customer_id_tag: optional("CUSTOMER_ID_TAG").map(|t| t.trim().to_string()),
            identity_key_secret_arn: optional("IDENTITY_KEY_SECRET_ARN")
                .map(|a| a.trim().to_string()),
            subjects_table: optional("SUBJECTS_TABLE").map(|t| t.trim().to_string()),
            audit_archive_bucket: optional("AUDIT_ARCHIVE_BUCKET").map(|b| b.trim().to_string()),
        })
    }
}

/// `s3://bucket/key` as (bucket, key).
pub fn parse_s3_uri(uri: &str) -> Result<(String, String), ProcessorError> {
    uri.strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
        .map(|(bucket, key)| (bucket.to_string(), key.to_string()))
        .ok_or_else(|| {
            ProcessorError::Config(format!(
                "RULES_S3_URI `{uri}` is not an S3 object URI (s3://bucket/key)"
            ))
        })
}

/// `LISTS_S3_URI` as a list location.
pub fn lists_location(uri: &str) -> Result<ListsLocation, ProcessorError> {
    ListsLocation::parse(uri).map_err(|e| ProcessorError::Config(format!("LISTS_S3_URI: {e}")))
}

/// Loads the sanctions lists: every list under `LISTS_S3_URI` (checked against its
/// `manifest.json`, bounded in object count and bytes), the folder of `LISTS_DIR`, or the
/// bundled OFAC sample. A configured source that is empty, unreadable or inconsistent fails
/// the cold start: screening against the wrong lists is worse than not running.
///
/// A saved index (`index.bin`, written by `compliance lists fetch`) beside the lists is loaded
/// instead of parsing the files and building the index when it matches them (see
/// `compliance_core::screening::saved`); otherwise the files are parsed, with a warning.
pub async fn load_lists(
    config: &Config,
    s3: &compliance_aws::S3Client,
) -> Result<Screener, ProcessorError> {
    let (screener, source) = match (&config.lists_s3_uri, &config.lists_dir) {
        (Some(_), Some(_)) => {
            return Err(ProcessorError::Config(
                "LISTS_DIR and LISTS_S3_URI are both set: set one".into(),
            ))
        }
        (Some(uri), None) => {
            let location = lists_location(uri)?;
            let loaded = compliance_aws::lists::load(s3, &location, ReadLimits::default())
                .await
                .map_err(|e| ProcessorError::Config(e.to_string()))?;
            tracing::info!(
                location = %loaded.location,
                saved_index = loaded.from_index,
                "sanctions lists ready"
            );
            (loaded.screener, loaded.location.uri())
        }
        (None, _) => (local_lists(config)?, local_lists_source(config)),
    };
    log_lists(&screener.versions(), &source);
    Ok(screener)
}

/// The lists of `LISTS_DIR` (from its saved index when that matches the files), else the
/// bundled sample.
fn local_lists(config: &Config) -> Result<Screener, ProcessorError> {
    Ok(match &config.lists_dir {
        Some(dir) => {
            let (screener, index) = saved::load_dir_with_index(dir)?;
            tracing::info!(folder = %dir.display(), saved_index = ?index, "sanctions lists ready");
            screener
        }
        None => Screener::new(lists::bundled()?),
    })
}

fn local_lists_source(config: &Config) -> String {
    config
        .lists_dir
        .as_ref()
        .map_or("bundled sample".into(), |d| d.display().to_string())
}

fn log_lists(versions: &[ListVersion], source: &str) {
    for version in versions {
        tracing::info!(
            list = %version.id,
            entries = version.entries,
            sha256 = %version.sha256,
            published = version.published.as_deref().unwrap_or("unknown"),
            source = %source,
            "sanctions list loaded"
        );
    }
}

/// Reads the rules object, at most [`MAX_RULES_BYTES`] of it.
async fn fetch_rules_object(
    s3: &compliance_aws::S3Client,
    uri: &str,
) -> Result<Vec<u8>, ProcessorError> {
    let (bucket, key) = parse_s3_uri(uri)?;
    compliance_aws::lists::get_bounded(s3, &bucket, &key, MAX_RULES_BYTES as u64, "a rules file")
        .await
        .map_err(|e| ProcessorError::Config(format!("rules object {uri}: {e}")))
}

/// Loads and validates the rules: the S3 object of `RULES_S3_URI` (read once, at most
/// [`MAX_RULES_BYTES`]), the file of `RULES_PATH`, or the built-in rules. Any problem is a
/// configuration error naming every problem with its line and column: the cold start fails
/// rather than running with half a rules file.
pub async fn load_rules(
    config: &Config,
    s3: &compliance_aws::S3Client,
) -> Result<RuleSet, ProcessorError> {
    let rules = match (&config.rules_s3_uri, &config.rules_path) {
        (Some(_), Some(_)) => {
            return Err(ProcessorError::Config(
                "RULES_PATH and RULES_S3_URI are both set: set one".into(),
            ))
        }
        (Some(uri), None) => {
            let bytes = fetch_rules_object(s3, uri).await?;
            RuleSet::parse_bytes(&bytes, uri)
        }
        (None, Some(path)) => RuleSet::from_file(path),
        (None, None) => RuleSet::default_rules(),
    }
    .map_err(|e| ProcessorError::Config(e.to_string()))?;
    tracing::info!(
        rules_version = %rules.version,
        source = config
            .rules_s3_uri
            .as_deref()
            .or(config.rules_path.as_ref().and_then(|p| p.to_str()))
            .unwrap_or("built-in"),
        rules = rules.rules.len(),
        "rules loaded"
    );
    Ok(rules)
}

pub struct Processor {
    pipeline: Pipeline,
    source: ocr::ProcessorSource,
    store: DynamoAuditStore,
    sink: SnsAlertSink,
    incoming_prefix: Option<String>,
    /// The language model asked about unsure documents, when the deployment configures one.
    assistant: Option<Assistant>,
}

impl Processor {
    /// Builds the processor at cold start: loads and validates the rules (from S3 when
    /// `RULES_S3_URI` is set), the lists (from S3 when `LISTS_S3_URI` is set) and the identity
    /// key (from Secrets Manager when `IDENTITY_KEY_SECRET_ARN` is set). Any problem here fails
    /// the cold start loudly rather than running with half a configuration. Built once per
    /// process, it keeps the lists and the key for every later invocation.
    pub async fn load(
        config: &Config,
        aws: &aws_config::SdkConfig,
    ) -> Result<Self, ProcessorError> {
        let s3 = compliance_aws::s3_client(aws);
        let rules = load_rules(config, &s3).await?;
        let lists = load_lists(config, &s3).await?;
        let identity_key = match &config.identity_key_secret_arn {
            Some(arn) => Some(load_identity_key(aws, arn).await?),
            None => None,
        };
        Self::assemble(config, aws, s3, rules, lists, identity_key)
    }

    /// [`Processor::load`] without S3 configuration: for a configuration whose rules and lists
    /// are local files or the built-in ones.
    pub fn new(config: &Config, aws: &aws_config::SdkConfig) -> Result<Self, ProcessorError> {
        if config.rules_s3_uri.is_some() {
            return Err(ProcessorError::Config(
                "RULES_S3_URI is read by Processor::load, not Processor::new".into(),
            ));
        }
        if config.lists_s3_uri.is_some() {
            return Err(ProcessorError::Config(
                "LISTS_S3_URI is read by Processor::load, not Processor::new".into(),
            ));
        }
        if config.identity_key_secret_arn.is_some() {
            return Err(ProcessorError::Config(
                "IDENTITY_KEY_SECRET_ARN is read by Processor::load, not Processor::new".into(),
            ));
        }
        let rules = match &config.rules_path {
            Some(path) => RuleSet::from_file(path),
            None => RuleSet::default_rules(),
        }
        .map_err(|e| ProcessorError::Config(e.to_string()))?;
        let lists = local_lists(config)?;
        log_lists(&lists.versions(), &local_lists_source(config));
        Self::assemble(
            config,
            aws,
            compliance_aws::s3_client(aws),
            rules,
            lists,
            None,
        )
    }

    fn assemble(
        config: &Config,
        aws: &aws_config::SdkConfig,
        s3: compliance_aws::S3Client,
        rules: RuleSet,
        lists: Screener,
        identity_key: Option<IdentityKey>,
    ) -> Result<Self, ProcessorError> {
        let limits = IntakeLimits {
            max_bytes: config.max_object_bytes,
            ..IntakeLimits::default()
        };
        let mut pipeline = Pipeline::with_screener(rules, lists, limits)
            .with_customer_key_pattern(config.customer_key_pattern.clone());
        if let Some(key) = identity_key {
            pipeline = pipeline.with_identity_key(key);
        }
        tracing::info!(
            audit_archive = config.audit_archive_bucket.as_deref().unwrap_or("none"),
            "audit records sealed"
        );
        tracing::info!(
            customer_key_pattern = config
                .customer_key_pattern
                .as_ref()
                .map_or("none", KeyPattern::as_str),
            customer_id_tag = config.customer_id_tag.as_deref().unwrap_or("none"),
            identity_key = pipeline
                .identity_key
                .as_ref()
                .map_or("none", IdentityKey::id),
            "customer configuration"
        );
        let source = ocr::OcrDocumentSource::new(
            S3DocumentSource::new(s3.clone(), config.max_object_bytes)
                .with_customer_tag(config.customer_id_tag.clone()),
            None,
            pipeline.limits.clone(),
        );
        Ok(Self {
            pipeline,
            source,
            store: DynamoAuditStore::new(
                compliance_aws::DynamoClient::new(aws),
                config.audit_table.clone(),
            )
            .with_subjects_table(config.subjects_table.clone())
            .with_archive(
                config
                    .audit_archive_bucket
                    .as_ref()
                    .map(|bucket| S3RecordArchive::new(s3.clone(), bucket)),
            )
            .settling_customer_alerts(),
            sink: SnsAlertSink::new(
                compliance_aws::SnsClient::new(aws),
                config.alert_topic_arn.clone(),
            ),
            incoming_prefix: config.incoming_prefix.clone(),
            assistant: None,
        })
    }

    /// Asks `assistant` about the documents `policy` names (see `compliance_core::assist`).
    pub fn with_assistance(mut self, assistance: Option<(Assistant, AssistPolicy)>) -> Self {
        match assistance {
            Some((assistant, policy)) => {
                self.pipeline.assist = Some(policy);
                self.assistant = Some(assistant);
            }
            None => {
                self.pipeline.assist = None;
                self.assistant = None;
            }
        }
        self
    }

    /// Turns on OCR of PDFs without a text layer (`OCR_PROVIDER`, read once at cold start; see
    /// [`OcrProvider::from_env`]). Without it such a PDF is recorded as unreadable, needing OCR.
    pub fn with_ocr(mut self, provider: Option<OcrProvider>, aws: &aws_config::SdkConfig) -> Self {
        let recognizer = provider.map(|provider| match provider {
            OcrProvider::Textract => compliance_aws::textract::TextractRecognizer::new(
                compliance_aws::textract::TextractClient::new(aws),
            ),
        });
        tracing::info!(
            ocr = provider.map_or("none", OcrProvider::as_str),
            "OCR configuration"
        );
        self.source.set_recognizer(recognizer);
        self
    }

    /// The rules this processor applies.
    pub fn rules(&self) -> &RuleSet {
        &self.pipeline.rules
    }

    /// The versions of the lists this processor screens against (as every audit record
    /// names them).
    pub fn lists(&self) -> Vec<ListVersion> {
        self.pipeline.screener.versions()
    }

    /// Handles any of the supported event shapes. S3 and EventBridge events fail as a whole
    /// when a document fails (the platform retries; records are idempotent); SQS batches report
    /// failures per message.
    pub async fn handle_event(&self, event: Value) -> Result<Value, ProcessorError> {
        match events::parse_event(event)
            .map_err(|e| ProcessorError::UnrecognisedEvent(e.to_string()))?
        {
            events::Event::Objects(locations) => self.process_all(locations).await,
            events::Event::Sqs(event) => {
                let response = self.handle_sqs(event).await;
                serde_json::to_value(response)
                    .map_err(|e| ProcessorError::UnrecognisedEvent(e.to_string()))
            }
            events::Event::TestEvent => Ok(json!({ "skipped": "s3:TestEvent" })),
        }
    }

    async fn handle_sqs(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        for message in event.records {
            let id = message.message_id.clone().unwrap_or_default();
            // S3 -> SNS -> SQS wraps the S3 event once more in an SNS envelope.
            let outcome = match events::message_event(message.body.as_deref()) {
                Ok(body) => Box::pin(self.handle_event(body)).await.map(|_| ()),
                Err(e) => Err(ProcessorError::UnrecognisedEvent(e.to_string())),
            };
            if let Err(err) = outcome {
                tracing::error!(message_id = %id, error = %err, "message failed; SQS will redeliver it");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                response.batch_item_failures.push(failure);
            }
        }
        response
    }

    async fn process_all(&self, locations: Vec<SourceRef>) -> Result<Value, ProcessorError> {
        let total = locations.len();
        let mut results = Vec::new();
        let mut failures: Vec<PortError> = Vec::new();
        for location in locations {
            if let (Some(prefix), Some(key)) = (&self.incoming_prefix, &location.key) {
                if !key.starts_with(prefix.as_str()) {
                    tracing::warn!(prefix = %prefix, "object outside the incoming prefix skipped");
                    results.push(json!({ "skipped": "outside incoming prefix" }));
                    continue;
                }
            }
            let started = std::time::Instant::now();
            let processed = match &self.assistant {
                Some(assistant) => {
                    process_document_assisted(
                        &self.pipeline,
                        &self.source,
                        &self.store,
                        &self.sink,
                        assistant,
                        location,
                        CustomerClaims::default(),
                    )
                    .await
                }
                None => {
                    process_document(
                        &self.pipeline,
                        &self.source,
                        &self.store,
                        &self.sink,
                        location,
                        CustomerClaims::default(),
                    )
                    .await
                }
            };
            match processed {
                Ok(outcome) => {
                    metrics::document_metrics(&outcome, started.elapsed()).emit();
                    let r = &outcome.record;
                    // A customer id is the bank's identifier, not personal data.
                    tracing::info!(
                        document_id = %r.document_id,
                        doc_type = %r.doc_type,
                        decision = %r.decision,
                        newly_recorded = outcome.newly_recorded,
                        alert_published = outcome.alert_published,
                        customer_id = r.customer.id.as_deref().unwrap_or(""),
                        customer_id_source = r.customer.source.map_or("", |s| s.as_str()),
                        customer_problem = r.customer.problem.is_some(),
                        customer_status = outcome.customer.as_ref().map_or("", |v| v.status.as_str()),
                        customer_view_revision = outcome.customer.as_ref().map_or(0, |v| v.revision),
                        "document processed"
                    );
                    results.push(json!({
                        "document_id": r.document_id,
                        "decision": r.decision,
                        "newly_recorded": outcome.newly_recorded,
                        "alert_published": outcome.alert_published,
                    }));
                }
                Err(err) => {
                    metrics::failure_metrics(err.retry).emit();
                    tracing::error!(operation = err.operation, retryable = (err.retry == Retry::Transient), error = %err.message, "document failed");
                    failures.push(err);
                }
            }
        }
        if let Some(first) = failures.first() {
            return Err(ProcessorError::Documents {
                failed: failures.len(),
                total,
                first: first.clone(),
            });
        }
        Ok(json!({ "documents": results }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_uri_is_an_s3_object() {
        let (bucket, key) = parse_s3_uri("s3://config-bucket/rules/2026.11.toml").unwrap();
        assert_eq!(
            (bucket.as_str(), key.as_str()),
            ("config-bucket", "rules/2026.11.toml")
        );
        for bad in [
            "s3://bucket",
            "s3://bucket/",
            "s3:///key",
            "https://b/k",
            "bucket/key",
        ] {
            assert!(
                matches!(parse_s3_uri(bad), Err(ProcessorError::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_uri_is_an_s3_prefix() {
        let location = lists_location("s3://config-bucket/lists").unwrap();
        assert_eq!(location.uri(), "s3://config-bucket/lists/");
        for bad in ["lists/", "https://b/lists", "s3:///lists"] {
            match lists_location(bad) {
                Err(ProcessorError::Config(message)) => {
                    assert!(message.starts_with("LISTS_S3_URI: "), "{message}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const REQUIRED: [(&str, &str); 2] = [
        ("AUDIT_TABLE", "audit"),
        (
            "ALERT_TOPIC_ARN",
            "arn:aws:sns:eu-west-1:123456789012:alerts",
        ),
    ];

    #[test]
    fn customer_settings_are_read_from_the_environment() {
        let none = Config::from_vars(vars(&REQUIRED)).unwrap();
        assert!(none.customer_key_pattern.is_none());
        assert!(none.customer_id_tag.is_none());
        assert!(none.identity_key_secret_arn.is_none());

        let mut all = REQUIRED.to_vec();
        all.extend([
            ("CUSTOMER_KEY_PATTERN", "incoming/{customer_id}/{file}"),
            ("CUSTOMER_ID_TAG", "customer-id"),
            (
                "IDENTITY_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:identity-AbCdEf",
            ),
        ]);
        let config = Config::from_vars(vars(&all)).unwrap();
        let pattern = config.customer_key_pattern.unwrap();
        assert_eq!(
            pattern.customer_id("incoming/C-1/a.pdf").as_deref(),
            Some("C-1")
        );
        assert_eq!(config.customer_id_tag.as_deref(), Some("customer-id"));
        assert!(config
            .identity_key_secret_arn
            .unwrap()
            .ends_with("identity-AbCdEf"));

        // Empty values are unset (what the template passes when a parameter is empty).
        let mut empty = REQUIRED.to_vec();
        empty.extend([("CUSTOMER_KEY_PATTERN", ""), ("CUSTOMER_ID_TAG", " ")]);
        let config = Config::from_vars(vars(&empty)).unwrap();
        assert!(config.customer_key_pattern.is_none() && config.customer_id_tag.is_none());
    }

    #[test]
    fn invalid_customer_key_pattern_fails_the_cold_start() {
        for bad in [
            "incoming/{file}",
            "incoming/c-{customer_id}/{file}",
            "{file}/{customer_id}",
        ] {
            let mut env = REQUIRED.to_vec();
            env.push(("CUSTOMER_KEY_PATTERN", bad));
            match Config::from_vars(vars(&env)) {
                Err(ProcessorError::Config(message)) => {
                    assert!(message.starts_with("CUSTOMER_KEY_PATTERN: "), "{message}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn keys_are_form_decoded() {
        assert_eq!(
            decode_s3_key("inbox/Q3+report%2Bfinal+%281%29.pdf"),
            "inbox/Q3 report+final (1).pdf"
        );
        assert_eq!(
            decode_s3_key("incoming/r%C3%A9sum%C3%A9.txt"),
            "incoming/résumé.txt"
        );
    }
}
