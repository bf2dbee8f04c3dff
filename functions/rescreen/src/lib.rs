//! The re-screening Lambda. The list refresh sends a [`RescreenRequest`] to this function's
//! queue after installing new lists; the function answers it by sending one message per scan
//! segment of the subjects table, and each segment message screens its subjects page by page
//! against the entries that are new or changed since the previous lists. A segment that runs
//! short of time sends itself again with its cursor, so a table of millions of subjects is
//! covered by as many invocations as it takes; a message that fails is delivered again (then
//! parked in the dead-letter queue), and since hit records are keyed by party and lists
//! version, a page processed twice records and alerts nothing twice.

use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use compliance_aws::lists::{ListsLocation, ReadLimits};
use compliance_aws::{DynamoAuditStore, SnsAlertSink};
use compliance_core::ports::{PortError, Retry};
use compliance_core::query::PageRequest;
use compliance_core::rescreen::{Rescreen, RescreenRequest};
use compliance_core::rules::{RuleSet, MAX_RULES_BYTES};
use compliance_core::service::{rescreen_page, RescreenProgress};
use lambda_runtime::Diagnostic;
use serde::Serialize;

/// Segments of the subjects scan a run is split into, unless `RESCREEN_SEGMENTS` says.
pub const DEFAULT_SEGMENTS: u32 = 4;
/// Subjects read per page, unless `RESCREEN_PAGE_SIZE` says.
pub const DEFAULT_PAGE_SIZE: usize = 200;
/// Time kept back from the invocation's deadline to hand the rest of a segment over.
pub const DEFAULT_RESERVE: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum RescreenError {
    #[error("configuration: {0}")]
    Config(String),
    /// The message is not a re-screening request: retrying cannot help.
    #[error("message {message_id}: {detail}")]
    Malformed { message_id: String, detail: String },
    /// The installed lists are being replaced: the message is tried again later.
    #[error("lists {0}: an update is in progress")]
    ListsInFlux(String),
    #[error(transparent)]
    Core(#[from] compliance_core::CoreError),
    #[error(transparent)]
    Port(#[from] PortError),
}

impl RescreenError {
    /// Whether delivering the same message again can help.
    pub fn retryable(&self) -> bool {
        match self {
            RescreenError::ListsInFlux(_) => true,
            RescreenError::Port(e) => e.retry == Retry::Transient,
            _ => false,
        }
    }
}

impl From<RescreenError> for Diagnostic {
    fn from(err: RescreenError) -> Self {
        Diagnostic {
            error_type: if err.retryable() {
                "Transient"
            } else {
                "Permanent"
            }
            .into(),
            error_message: err.to_string(),
        }
    }
}

/// Configuration read once at cold start.
#[derive(Debug, Clone)]
pub struct Config {
    pub audit_table: String,
    pub subjects_table: String,
    pub alert_topic_arn: String,
    /// This function's own queue: segment and continuation messages go there.
    pub queue_url: String,
    pub segments: u32,
    pub page_size: usize,
    pub reserve: Duration,
    /// The rules file as an S3 object (`RULES_S3_URI`), as the processor reads it: its
    /// sanctions threshold applies. None: the built-in rules.
    pub rules_s3_uri: Option<String>,
    /// Where the records of re-screening hits are sealed, as the processor seals its own
    /// (`AUDIT_ARCHIVE_BUCKET`); none: not sealed.
    pub audit_archive_bucket: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, RescreenError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, RescreenError> {
        let optional = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &str| {
            optional(name).ok_or_else(|| RescreenError::Config(format!("{name} is not set")))
        };
        let number = |name: &str, default: u64, max: u64| -> Result<u64, RescreenError> {
            match optional(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        RescreenError::Config(format!("{name} must be a number from 1 to {max}"))
                    }),
            }
        };
        Ok(Self {
            audit_table: required("AUDIT_TABLE")?,
            subjects_table: required("SUBJECTS_TABLE")?,
            alert_topic_arn: required("ALERT_TOPIC_ARN")?,
            queue_url: required("RESCREEN_QUEUE_URL")?,
            segments: number(
                "RESCREEN_SEGMENTS",
                u64::from(DEFAULT_SEGMENTS),
                u64::from(compliance_aws::subjects::MAX_SEGMENTS),
            )? as u32,
            page_size: number("RESCREEN_PAGE_SIZE", DEFAULT_PAGE_SIZE as u64, 1_000)? as usize,
            reserve: Duration::from_secs(number(
                "RESCREEN_RESERVE_SECONDS",
                DEFAULT_RESERVE.as_secs(),
                600,
            )?),
            rules_s3_uri: optional("RULES_S3_URI"),
            audit_archive_bucket: optional("AUDIT_ARCHIVE_BUCKET"),
        })
    }
}

/// What one message did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct MessageOutcome {
    pub lists_version: String,
    pub changed_entries: usize,
    /// Segment messages sent (a start message fans out).
    pub segments_sent: u32,
    pub subjects: usize,
    pub hits: usize,
    pub new_records: usize,
    pub alerts_published: usize,
    /// The segment ran short of time and sent itself again from this cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continued_from: Option<String>,
}

pub struct Rescreener {
    rules: RuleSet,
    store: DynamoAuditStore,
    sink: SnsAlertSink,
    s3: compliance_aws::S3Client,
    sqs: aws_sdk_sqs::Client,
    config: Config,
}

impl Rescreener {
    pub async fn load(config: &Config, aws: &aws_config::SdkConfig) -> Result<Self, RescreenError> {
        let s3 = compliance_aws::s3_client(aws);
        let rules = match &config.rules_s3_uri {
            Some(uri) => {
                let (bucket, key) = uri
                    .strip_prefix("s3://")
                    .and_then(|rest| rest.split_once('/'))
                    .filter(|(b, k)| !b.is_empty() && !k.is_empty())
                    .ok_or_else(|| {
                        RescreenError::Config(format!(
                            "RULES_S3_URI `{uri}` is not s3://bucket/key"
                        ))
                    })?;
                let bytes = compliance_aws::lists::get_bounded(
                    &s3,
                    bucket,
                    key,
                    MAX_RULES_BYTES as u64,
                    "a rules file",
                )
                .await
                .map_err(|e| RescreenError::Config(format!("rules object {uri}: {e}")))?;
                RuleSet::parse_bytes(&bytes, uri)
            }
            None => RuleSet::default_rules(),
        }
        .map_err(|e| RescreenError::Config(e.to_string()))?;
        Ok(Self {
            rules,
            store: DynamoAuditStore::new(
                compliance_aws::DynamoClient::new(aws),
                config.audit_table.clone(),
            )
            .with_subjects_table(Some(config.subjects_table.clone()))
            .with_archive(
                config.audit_archive_bucket.as_ref().map(|bucket| {
                    compliance_aws::archive::S3RecordArchive::new(s3.clone(), bucket)
                }),
            ),
            sink: SnsAlertSink::new(
                compliance_aws::SnsClient::new(aws),
                config.alert_topic_arn.clone(),
            ),
            s3,
            sqs: aws_sdk_sqs::Client::new(aws),
            config: config.clone(),
        })
    }

    /// Every message of the batch; the failed ones are reported so that only they come back.
    pub async fn handle_event(
        &self,
        event: SqsEvent,
        deadline_ms: u64,
    ) -> Result<SqsBatchResponse, RescreenError> {
        let mut response = SqsBatchResponse::default();
        for message in event.records {
            let message_id = message.message_id.clone().unwrap_or_default();
            let result = match serde_json::from_str::<RescreenRequest>(
                message.body.as_deref().unwrap_or(""),
            ) {
                Ok(request) => self.process(&request, deadline_ms).await,
                Err(e) => Err(RescreenError::Malformed {
                    message_id: message_id.clone(),
                    detail: format!(
                        "not a re-screening request ({:?} at line {} column {})",
                        e.classify(),
                        e.line(),
                        e.column()
                    ),
                }),
            };
            match result {
                Ok(outcome) => tracing::info!(
                    message_id = %message_id,
                    lists_version = %outcome.lists_version,
                    changed_entries = outcome.changed_entries,
                    segments_sent = outcome.segments_sent,
                    subjects = outcome.subjects,
                    hits = outcome.hits,
                    new_records = outcome.new_records,
                    alerts = outcome.alerts_published,
                    continued = outcome.continued_from.is_some(),
                    "re-screening message done"
                ),
                Err(e) => {
                    // Delivered again, then parked in the dead-letter queue: never dropped.
                    tracing::error!(message_id = %message_id, retryable = e.retryable(), error = %e, "re-screening message failed");
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = message_id;
                    response.batch_item_failures.push(failure);
                }
            }
        }
        Ok(response)
    }

    /// Loads the lists in force and the previous ones, then fans out (a start message) or
    /// screens the segment until done or short of time.
    pub async fn process(
        &self,
        request: &RescreenRequest,
        deadline_ms: u64,
    ) -> Result<MessageOutcome, RescreenError> {
        let location =
            ListsLocation::parse(&request.lists_uri).map_err(|e| RescreenError::Malformed {
                message_id: String::new(),
                detail: format!("lists_uri: {e}"),
            })?;
        let current =
            compliance_aws::lists::load(&self.s3, &location, ReadLimits::default()).await?;
        if current.location != location {
            return Err(RescreenError::ListsInFlux(location.uri()));
        }
        let previous = match compliance_aws::lists::load(
            &self.s3,
            &location.previous(),
            ReadLimits::default(),
        )
        .await
        {
            Ok(loaded) => Some(loaded.screener),
            Err(e) => {
                tracing::warn!(error = %e, "no previous lists: every entry counts as new");
                None
            }
        };
        let rescreen = Rescreen::new(
            previous.as_ref().map_or(&[], |s| s.lists()),
            current.screener.lists(),
        );
        drop(previous);
        drop(current);
        if rescreen.lists_version != request.lists_version {
            // Recorded for the operator; the run is keyed by the lists actually in force.
            tracing::info!(
                requested = %request.lists_version,
                in_force = %rescreen.lists_version,
                "the lists changed since the request; re-screening against those in force"
            );
        }
        let mut outcome = MessageOutcome {
            lists_version: rescreen.lists_version.clone(),
            changed_entries: rescreen.changed_entries,
            ..MessageOutcome::default()
        };
        if rescreen.changed_entries == 0 {
            return Ok(outcome);
        }
        let Some(segment) = request.segment else {
            let segments = self.config.segments;
            for segment in 0..segments {
                self.send(&RescreenRequest {
                    segment: Some(segment),
                    total_segments: Some(segments),
                    cursor: None,
                    ..request.clone()
                })
                .await?;
                outcome.segments_sent += 1;
            }
            return Ok(outcome);
        };
        let segments = request.total_segments.unwrap_or(1);
        let mut page = PageRequest {
            limit: self.config.page_size,
            cursor: request.cursor.clone(),
        };
        let mut done = RescreenProgress::default();
        loop {
            let progress = rescreen_page(
                &self.rules,
                &rescreen,
                &self.store,
                &self.sink,
                segment,
                segments,
                &page,
            )
            .await?;
            done.add(&progress);
            let Some(next) = progress.next else {
                break;
            };
            if remaining(deadline_ms) < self.config.reserve {
                self.send(&RescreenRequest {
                    cursor: Some(next.clone()),
                    ..request.clone()
                })
                .await?;
                outcome.continued_from = Some(next);
                break;
            }
            page.cursor = Some(next);
        }
        outcome.subjects = done.subjects;
        outcome.hits = done.hits;
        outcome.new_records = done.new_records;
        outcome.alerts_published = done.alerts_published;
        Ok(outcome)
    }

    async fn send(&self, request: &RescreenRequest) -> Result<(), PortError> {
        let body = serde_json::to_string(request)
            .map_err(|e| PortError::permanent("sqs:SendMessage", e.to_string()))?;
        self.sqs
            .send_message()
            .queue_url(&self.config.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| compliance_aws::port_error("sqs:SendMessage", &e))?;
        Ok(())
    }
}

/// Time left before the invocation's deadline (milliseconds since the epoch); a deadline of
/// 0 (not in Lambda) leaves all the time there is.
fn remaining(deadline_ms: u64) -> Duration {
    if deadline_ms == 0 {
        return Duration::MAX;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Duration::from_millis(deadline_ms.saturating_sub(now))
}
