//! The list refresh Lambda, invoked daily by an EventBridge Scheduler schedule.
//!
//! - **Configuration** (read once at cold start, see [`Config::from_vars`]): `LISTS_S3_URI`
//!   (required), `LISTS_SOURCES` (`ofac,un`, or `ofac=https://…` for another URL; empty: every
//!   source with an official URL), `LISTS_MIN_ENTRIES`, `LISTS_MAX_SHRINK`, `LISTS_MAX_BYTES`,
//!   `LISTS_DOWNLOAD_TIMEOUT_SECONDS`, `LISTS_DOWNLOAD_RETRIES`, `ALERT_TOPIC_ARN` (required),
//!   `RESCREEN_QUEUE_URL` (optional; empty: no re-screening is requested).
//! - **Event**: anything; the schedule sends `{"job":"lists_refresh","execution_id":…,
//!   "scheduled_time":…}` and the execution id names the alert, so that a retried invocation's
//!   alert is recognisable as the same one.
//! - **Installed** (new lists): logged, metrics, and when `RESCREEN_QUEUE_URL` is set a
//!   [`RescreenRequest::start`] for the new manifest is sent to that queue.
//! - **Unchanged**: logged, metrics; nothing written, nothing sent.
//! - **Rejected** (a file of another kind, one that does not load, a list that shrank sharply
//!   or has too few entries) and **failed**: nothing is replaced, and a
//!   [`ListsRefreshAlert`] (`kind = lists_refresh`) is published to the alert topic with the
//!   lists still in force, read from the installed manifest.
//! - **Retries**: the invocation succeeds after a rejection (the same files would be rejected
//!   again: the next day's run, or an operator, decides) and after downloads that failed (they
//!   were already retried with backoff within the invocation; a source that is down for longer
//!   is retried by the next scheduled run, and the alert says the lists are stale). It fails
//!   with a `Transient` error, so that Lambda runs it again, when a retry can help: the
//!   installed lists could not be read from S3 (throttling, network), an installation stopped
//!   part-way (readers use `previous/` until a complete run), or the alert or the re-screening
//!   request could not be sent.
//!
//! Logs name list ids, URLs (without credentials), entry counts and SHA-256s, never a file's
//! content.

use aws_sdk_sns::types::MessageAttributeValue;
use chrono::{DateTime, Utc};
use compliance_aws::lists::{get_bounded, ListsLocation, MANIFEST};
use compliance_aws::metrics::{MetricSet, Unit};
use compliance_core::audit::ListsRefreshAlert;
use compliance_core::rescreen::RescreenRequest;
use compliance_core::rules::Severity;
use compliance_core::screening::lists::update::UpdatePolicy;
use compliance_core::screening::lists::Manifest;
use compliance_core::screening::ListVersion;
use lambda_runtime::Diagnostic;
use serde::Serialize;
use serde_json::Value;

use crate::fetch::{
    select, version_of, FetchOptions, Fetcher, Log, Outcome, Selected, Stage, Target,
};

pub const LISTS_S3_URI_VAR: &str = "LISTS_S3_URI";
pub const LISTS_SOURCES_VAR: &str = "LISTS_SOURCES";
pub const MIN_ENTRIES_VAR: &str = "LISTS_MIN_ENTRIES";
pub const MAX_SHRINK_VAR: &str = "LISTS_MAX_SHRINK";
pub const MAX_BYTES_VAR: &str = "LISTS_MAX_BYTES";
pub const TIMEOUT_VAR: &str = "LISTS_DOWNLOAD_TIMEOUT_SECONDS";
pub const RETRIES_VAR: &str = "LISTS_DOWNLOAD_RETRIES";
pub const ALERT_TOPIC_VAR: &str = "ALERT_TOPIC_ARN";
pub const RESCREEN_QUEUE_VAR: &str = "RESCREEN_QUEUE_URL";

/// The metrics' `Service` dimension.
pub const SERVICE: &str = "lists-refresh";

/// Per download in the Lambda (the CLI allows 300 s): several files must fit in the function's
/// timeout, retries included.
pub const DEFAULT_LAMBDA_TIMEOUT_SECS: u64 = 120;
pub const DEFAULT_LAMBDA_RETRIES: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The configuration is missing or invalid: fails the cold start.
    #[error("configuration: {0}")]
    Config(String),
    /// Nothing could be installed, and running again soon can help (see the module docs).
    #[error("lists not refreshed ({stage}): {reasons}")]
    Failed {
        stage: &'static str,
        reasons: String,
    },
    /// The alert could not be published.
    #[error("sns:Publish of alert {alert_id}: {detail}")]
    Alert { alert_id: String, detail: String },
    /// New lists were installed, but the re-screening request could not be sent.
    #[error(
        "sqs:SendMessage of the re-screening request for {lists_uri} {lists_version}: {detail}"
    )]
    Rescreen {
        lists_uri: String,
        lists_version: String,
        detail: String,
    },
}

impl RefreshError {
    /// Whether the platform running the invocation again can help.
    pub fn retryable(&self) -> bool {
        !matches!(self, RefreshError::Config(_))
    }
}

impl From<RefreshError> for Diagnostic {
    fn from(err: RefreshError) -> Self {
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

/// The configuration, read once at cold start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub lists_s3_uri: String,
    /// `NAME=URL` overrides of the official URLs.
    pub sources: Vec<String>,
    /// The sources fetched; empty: every source with a URL.
    pub only: Vec<String>,
    pub options: FetchOptions,
    pub alert_topic_arn: String,
    pub rescreen_queue_url: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, RefreshError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration from any variable lookup (the environment, or a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, RefreshError> {
        let value = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &str| {
            value(name).ok_or_else(|| RefreshError::Config(format!("{name} is not set")))
        };
        fn number<T: std::str::FromStr>(
            name: &str,
            value: Option<String>,
            default: T,
        ) -> Result<T, RefreshError> {
            match value {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| {
                    RefreshError::Config(format!("{name} must be a number, not `{v}`"))
                }),
            }
        }
        let lists_s3_uri = required(LISTS_S3_URI_VAR)?;
        ListsLocation::parse(&lists_s3_uri)
            .map_err(|e| RefreshError::Config(format!("{LISTS_S3_URI_VAR}: {e}")))?;
        let mut sources = Vec::new();
        let mut only = Vec::new();
        for item in value(LISTS_SOURCES_VAR)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match item.split_once('=') {
                Some((name, _)) => {
                    only.push(name.trim().to_string());
                    sources.push(item.to_string());
                }
                None => only.push(item.to_string()),
            }
        }
        let max_shrink: f64 = number(
            MAX_SHRINK_VAR,
            value(MAX_SHRINK_VAR),
            UpdatePolicy::DEFAULT_MAX_SHRINK,
        )?;
        if !(0.0..=1.0).contains(&max_shrink) {
            return Err(RefreshError::Config(format!(
                "{MAX_SHRINK_VAR} must be a fraction between 0 and 1"
            )));
        }
        let options = FetchOptions {
            policy: UpdatePolicy {
                min_entries: number(
                    MIN_ENTRIES_VAR,
                    value(MIN_ENTRIES_VAR),
                    UpdatePolicy::DEFAULT_MIN_ENTRIES,
                )?,
                max_shrink,
            },
            max_bytes: number(
                MAX_BYTES_VAR,
                value(MAX_BYTES_VAR),
                FetchOptions::DEFAULT_MAX_BYTES,
            )?,
            timeout: std::time::Duration::from_secs(number(
                TIMEOUT_VAR,
                value(TIMEOUT_VAR),
                DEFAULT_LAMBDA_TIMEOUT_SECS,
            )?),
            retries: number(RETRIES_VAR, value(RETRIES_VAR), DEFAULT_LAMBDA_RETRIES)?,
        };
        let config = Self {
            lists_s3_uri,
            sources,
            only,
            options,
            alert_topic_arn: required(ALERT_TOPIC_VAR)?,
            rescreen_queue_url: value(RESCREEN_QUEUE_VAR),
        };
        // Unknown sources and refused URLs fail the cold start, not every run.
        select(&config.sources, &config.only)
            .map_err(|e| RefreshError::Config(format!("{LISTS_SOURCES_VAR}: {e}")))?;
        Ok(config)
    }
}

/// What one invocation did (the Lambda's response).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshResponse {
    /// `installed`, `unchanged`, `rejected` or `failed`.
    pub outcome: &'static str,
    /// `s3://bucket/prefix/`.
    pub location: String,
    /// Lists that differ from the versions installed before.
    pub changed: Vec<String>,
    /// SHA-256 of the `manifest.json` in force after the run, when known.
    pub manifest_sha256: Option<String>,
    /// The lists fetched (installed or unchanged), or those still in force (rejected, failed).
    pub lists: Vec<ListVersion>,
    /// Why nothing was installed.
    pub reasons: Vec<String>,
    /// The alert published, if any.
    pub alert_id: Option<String>,
    /// Whether a re-screening start message was sent.
    pub rescreen_requested: bool,
}

/// Progress and warnings of the refresh, in the JSON log.
struct TracingLog;

impl Log for TracingLog {
    fn notice(&self, message: &str) {
        tracing::info!("{message}");
    }
    fn warn(&self, message: &str) {
        tracing::warn!("{message}");
    }
}

/// The function: clients and configuration built once.
pub struct ListsRefresh {
    config: Config,
    fetcher: Fetcher,
    selected: Vec<Selected>,
    location: ListsLocation,
    target: Target,
    s3: compliance_aws::S3Client,
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
}

fn string_attribute(value: &str) -> Result<MessageAttributeValue, String> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|e| e.to_string())
}

/// An id made of the characters an alert id may hold, at most 128 of them.
fn clean_id(raw: &str) -> Option<String> {
    let id: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .take(128)
        .collect();
    (!id.is_empty()).then_some(id)
}

impl ListsRefresh {
    pub fn new(config: Config, aws: &aws_config::SdkConfig) -> Result<Self, RefreshError> {
        let location = ListsLocation::parse(&config.lists_s3_uri)
            .map_err(|e| RefreshError::Config(format!("{LISTS_S3_URI_VAR}: {e}")))?;
        let selected = select(&config.sources, &config.only)
            .map_err(|e| RefreshError::Config(format!("{LISTS_SOURCES_VAR}: {e}")))?;
        let fetcher = Fetcher::new(config.options.clone()).map_err(RefreshError::Config)?;
        let s3 = compliance_aws::s3_client(aws);
        Ok(Self {
            target: Target::S3 {
                location: location.clone(),
                client: s3.clone(),
            },
            location,
            selected,
            fetcher,
            s3,
            sns: aws_sdk_sns::Client::new(aws),
            sqs: aws_sdk_sqs::Client::new(aws),
            config,
        })
    }

    /// One scheduled run.
    pub async fn handle(&self, event: Value) -> Result<RefreshResponse, RefreshError> {
        let at = Utc::now();
        let alert_id = event
            .get("execution_id")
            .and_then(Value::as_str)
            .and_then(clean_id)
            .map(|id| format!("{}:{id}", ListsRefreshAlert::KIND))
            .unwrap_or_else(|| {
                format!(
                    "{}:{}",
                    ListsRefreshAlert::KIND,
                    at.format("%Y%m%dT%H%M%S%.3fZ")
                )
            });
        let location = self.location.uri();
        tracing::info!(
            location = %location,
            sources = %self.selected.iter().map(|s| s.source.name).collect::<Vec<_>>().join(","),
            "refreshing the sanctions lists"
        );
        let outcome = self
            .fetcher
            .refresh(&self.target, &self.selected, &TracingLog)
            .await;
        let outcome_name = match &outcome {
            Outcome::Installed(_) => "installed",
            Outcome::Unchanged(_) => "unchanged",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Failed { .. } => "failed",
        };
        let changed_count = match &outcome {
            Outcome::Installed(i) => i.changed().len(),
            _ => 0,
        };
        MetricSet::new(SERVICE)
            .dimension("Outcome", outcome_name)
            .value("ListsRefreshRuns", Unit::Count, 1.0)
            .value("ListsChanged", Unit::Count, changed_count as f64)
            .emit();

        match outcome {
            Outcome::Installed(installed) => {
                for l in &installed.lists {
                    tracing::info!(
                        list = %l.list.id,
                        entries = l.list.entries,
                        previous_entries = ?l.previous_entries,
                        published = ?l.list.published,
                        sha256 = %l.list.sha256,
                        changed = l.changed,
                        "list installed"
                    );
                }
                let changed = installed.changed();
                tracing::info!(
                    location = %location,
                    manifest_sha256 = %installed.manifest_sha256,
                    changed = %changed.join(","),
                    previous = ?installed.previous,
                    "new lists installed"
                );
                let mut rescreen_requested = false;
                if let Some(queue_url) = &self.config.rescreen_queue_url {
                    if !changed.is_empty() {
                        self.request_rescreen(queue_url, &location, &installed.manifest_sha256)
                            .await?;
                        rescreen_requested = true;
                    }
                }
                Ok(RefreshResponse {
                    outcome: outcome_name,
                    location,
                    changed,
                    manifest_sha256: Some(installed.manifest_sha256),
                    lists: installed.lists.iter().map(|l| l.version()).collect(),
                    reasons: Vec::new(),
                    alert_id: None,
                    rescreen_requested,
                })
            }
            Outcome::Unchanged(unchanged) => {
                tracing::info!(
                    location = %location,
                    manifest_sha256 = %unchanged.manifest_sha256,
                    "the downloaded lists are those installed; nothing replaced"
                );
                Ok(RefreshResponse {
                    outcome: outcome_name,
                    location,
                    changed: Vec::new(),
                    manifest_sha256: Some(unchanged.manifest_sha256),
                    lists: unchanged.lists.iter().map(|l| l.version()).collect(),
                    reasons: Vec::new(),
                    alert_id: None,
                    rescreen_requested: false,
                })
            }
            Outcome::Rejected { problems } => {
                let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
                for p in &problems {
                    tracing::warn!(
                        list = ?p.list,
                        source = ?p.source,
                        kind = ?p.kind,
                        reason = %p.reason,
                        "list rejected; the installed lists stay"
                    );
                }
                let (in_force, sha) = self.lists_in_force().await;
                self.alert(
                    &alert_id,
                    outcome_name,
                    Severity::High,
                    &reasons,
                    &in_force,
                    at,
                )
                .await?;
                Ok(RefreshResponse {
                    outcome: outcome_name,
                    location,
                    changed: Vec::new(),
                    manifest_sha256: sha,
                    lists: in_force,
                    reasons,
                    alert_id: Some(alert_id),
                    rescreen_requested: false,
                })
            }
            Outcome::Failed {
                stage,
                reasons,
                transient,
            } => {
                let stage_name = match stage {
                    Stage::ReadInstalled => "read_installed",
                    Stage::Download => "download",
                    Stage::Install => "install",
                };
                tracing::error!(
                    location = %location,
                    stage = stage_name,
                    transient,
                    reasons = %reasons.join("; "),
                    "lists not refreshed"
                );
                let (in_force, sha) = self.lists_in_force().await;
                self.alert(
                    &alert_id,
                    outcome_name,
                    Severity::Medium,
                    &reasons,
                    &in_force,
                    at,
                )
                .await?;
                if transient {
                    return Err(RefreshError::Failed {
                        stage: stage_name,
                        reasons: reasons.join("; "),
                    });
                }
                Ok(RefreshResponse {
                    outcome: outcome_name,
                    location,
                    changed: Vec::new(),
                    manifest_sha256: sha,
                    lists: in_force,
                    reasons,
                    alert_id: Some(alert_id),
                    rescreen_requested: false,
                })
            }
        }
    }

    /// The lists the installed manifest names, and its SHA-256; none (with a warning) when it
    /// cannot be read.
    async fn lists_in_force(&self) -> (Vec<ListVersion>, Option<String>) {
        let key = format!("{}{MANIFEST}", self.location.prefix);
        match get_bounded(
            &self.s3,
            &self.location.bucket,
            &key,
            1024 * 1024,
            "a list manifest",
        )
        .await
        {
            Ok(bytes) => {
                let sha = crate::fetch::sha256_hex(&bytes);
                match serde_json::from_slice::<Manifest>(&bytes) {
                    Ok(m) => (m.lists.iter().map(version_of).collect(), Some(sha)),
                    Err(e) => {
                        tracing::warn!(error = %e, "the installed manifest is unreadable");
                        (Vec::new(), Some(sha))
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "the installed manifest could not be read");
                (Vec::new(), None)
            }
        }
    }

    async fn alert(
        &self,
        alert_id: &str,
        outcome: &str,
        severity: Severity,
        reasons: &[String],
        in_force: &[ListVersion],
        at: DateTime<Utc>,
    ) -> Result<(), RefreshError> {
        let alert = ListsRefreshAlert {
            alert_id: alert_id.to_string(),
            kind: ListsRefreshAlert::KIND.to_string(),
            outcome: outcome.to_string(),
            location: self.location.uri(),
            reasons: reasons.to_vec(),
            lists_in_force: in_force.to_vec(),
            severity,
            at,
        };
        let failed = |detail: String| RefreshError::Alert {
            alert_id: alert_id.to_string(),
            detail,
        };
        let message = serde_json::to_string(&alert).map_err(|e| failed(e.to_string()))?;
        let attribute = |v: &str| string_attribute(v).map_err(&failed);
        self.sns
            .publish()
            .topic_arn(&self.config.alert_topic_arn)
            .subject(format!(
                "Compliance: sanctions lists not refreshed ({outcome})"
            ))
            .message(message)
            .message_attributes("kind", attribute(ListsRefreshAlert::KIND)?)
            .message_attributes("outcome", attribute(outcome)?)
            .message_attributes("severity", attribute(severity.as_str())?)
            .message_attributes("alert_id", attribute(alert_id)?)
            .send()
            .await
            .map_err(|e| failed(aws_sdk_sns::error::DisplayErrorContext(&e).to_string()))?;
        tracing::info!(alert_id, outcome, "lists_refresh alert published");
        Ok(())
    }

    async fn request_rescreen(
        &self,
        queue_url: &str,
        lists_uri: &str,
        manifest_sha256: &str,
    ) -> Result<(), RefreshError> {
        let request = RescreenRequest::start(lists_uri, manifest_sha256);
        let failed = |detail: String| RefreshError::Rescreen {
            lists_uri: lists_uri.to_string(),
            lists_version: manifest_sha256.to_string(),
            detail,
        };
        let body = serde_json::to_string(&request).map_err(|e| failed(e.to_string()))?;
        self.sqs
            .send_message()
            .queue_url(queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| failed(aws_sdk_sqs::error::DisplayErrorContext(&e).to_string()))?;
        tracing::info!(
            lists_uri,
            lists_version = manifest_sha256,
            "re-screening requested"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, RefreshError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        (LISTS_S3_URI_VAR, "s3://bucket/lists/"),
        (ALERT_TOPIC_VAR, "arn:aws:sns:eu-west-1:123456789012:alerts"),
    ];

    #[test]
    fn defaults_and_sources() {
        let c = config(&BASE).unwrap();
        assert!(c.sources.is_empty() && c.only.is_empty());
        assert_eq!(c.rescreen_queue_url, None);
        assert_eq!(c.options.retries, DEFAULT_LAMBDA_RETRIES);
        assert_eq!(c.options.policy, UpdatePolicy::default());

        let mut vars = BASE.to_vec();
        vars.push((LISTS_SOURCES_VAR, " ofac , un=http://127.0.0.1:9/un.xml"));
        vars.push((MAX_SHRINK_VAR, "0.25"));
        vars.push((MIN_ENTRIES_VAR, "100"));
        vars.push((RESCREEN_QUEUE_VAR, ""));
        let c = config(&vars).unwrap();
        assert_eq!(c.only, ["ofac", "un"]);
        assert_eq!(c.sources, ["un=http://127.0.0.1:9/un.xml"]);
        assert_eq!(c.options.policy.max_shrink, 0.25);
        assert_eq!(c.options.policy.min_entries, 100);
        assert_eq!(c.rescreen_queue_url, None);
    }

    #[test]
    fn bad_settings_fail_the_cold_start() {
        for (name, value) in [
            (LISTS_SOURCES_VAR, "eu"),
            (LISTS_SOURCES_VAR, "ofac=http://example.org/"),
            (MAX_SHRINK_VAR, "1.5"),
            (MIN_ENTRIES_VAR, "many"),
            (LISTS_S3_URI_VAR, "https://bucket/lists"),
        ] {
            let mut vars = BASE.to_vec();
            vars.retain(|(k, _)| *k != name);
            vars.push((name, value));
            assert!(
                matches!(config(&vars), Err(RefreshError::Config(_))),
                "{name}={value}"
            );
        }
        assert!(matches!(
            config(&BASE[..1]),
            Err(RefreshError::Config(m)) if m.contains(ALERT_TOPIC_VAR)
        ));
    }

    #[test]
    fn alert_ids_keep_safe_characters() {
        assert_eq!(clean_id("a1-b2_c:3.d"), Some("a1-b2_c:3.d".into()));
        assert_eq!(clean_id("x y/z"), Some("xyz".into()));
        assert_eq!(clean_id("  "), None);
    }
}
