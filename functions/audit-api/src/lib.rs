//! The audit API: HTTP routes over the audit table, behind an API Gateway HTTP API whose
//! routes require IAM (SigV4) authorisation; and the scheduled `case_metrics` and
//! `daily_digest` jobs.
//!
//! - `GET /customers/{id}`: the customer view (`schemas/customer.schema.json`).
//! - `GET /documents/{document_id}`: the document file: its audit record as stored and its
//!   case with every reviewer action (`schemas/document-file.schema.json`).
//! - `GET /records?decision=&doc_type=&customer_id=&name=&check_id=&since=&until=&limit=&cursor=`:
//!   summaries of the records meeting every criterion, newest first.
//! - `GET /cases?limit=&cursor=`: the open and escalated cases, oldest first, with their age.
//! - `POST /cases/{case_id}/decisions`: a reviewer's decision, recorded as the IAM caller.
//! - Invoked with `{"job":"case_metrics"}` (EventBridge Scheduler): the backlog of waiting
//!   cases as CloudWatch metrics.
//! - Invoked with `{"job":"daily_digest","scheduled_time":"..."}` (EventBridge Scheduler,
//!   daily): the digest of the period (`DIGEST_PERIOD_HOURS`, 24 by default) ending at the
//!   scheduled time (without one, at the run's hour), published to the alert topic with
//!   `kind = digest`, for the notifier to post to Slack and Teams.
//!
//! Every read is by key or through an index; nothing scans the table.

mod params;
mod review;

use std::path::PathBuf;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};
use compliance_aws::archive::S3RecordArchive;
use compliance_aws::cases::CaseBacklog;
use compliance_aws::metrics::{MetricSet, Unit};
use compliance_aws::{DynamoAuditStore, DynamoClient, SnsAlertSink, SnsClient};
use compliance_core::case::{CaseFile, DocumentFile, OpenCase};
use compliance_core::customer::{validate_customer_id, IdentityKey};
use compliance_core::digest::{self, Digest, DigestLimits};
use compliance_core::intake::IntakeLimits;
use compliance_core::ports::{AuditQuery, CaseStore, CustomerStore, PortError, Retry};
use compliance_core::query::Page;
use compliance_core::rules::{RuleSet, MAX_RULES_BYTES};
use compliance_core::Pipeline;
use lambda_runtime::Diagnostic;
use serde::Deserialize;
use serde_json::{json, Value};

pub use params::{parse_time, records_query, PageParams};

/// The metrics service name of this function.
pub const SERVICE: &str = "audit-api";
/// Hours a case may wait before it counts as past its deadline (`CASE_SLA_HOURS`).
pub const DEFAULT_CASE_SLA_HOURS: u32 = 24;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("unrecognised invocation: {0}")]
    UnrecognisedEvent(String),
    #[error("job {job}: {error}")]
    Job { job: String, error: PortError },
}

impl From<ApiError> for Diagnostic {
    fn from(err: ApiError) -> Self {
        let error_type = match &err {
            ApiError::Job { error, .. } if error.retry == Retry::Transient => "Transient",
            _ => "Permanent",
        };
        Diagnostic {
            error_type: error_type.into(),
            error_message: err.to_string(),
        }
    }
}

/// Configuration read once at cold start.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub audit_table: String,
    /// Where customer alerts go when a reviewer's decision moves a customer's status.
    pub alert_topic_arn: String,
    /// The identity key's secret (`IDENTITY_KEY_SECRET_ARN`); none: no name queries.
    pub identity_key_secret_arn: Option<String>,
    /// The rules, as the processor reads them (`RULES_S3_URI` or `RULES_PATH`; neither: the
    /// built-in rules). A customer's view is recomputed with them after a review.
    pub rules_s3_uri: Option<String>,
    pub rules_path: Option<PathBuf>,
    /// `CASE_SLA_HOURS`.
    pub case_sla_hours: u32,
    /// `DIGEST_PERIOD_HOURS`: the period of the daily digest; none: 24 hours.
    pub digest_period_hours: Option<u32>,
    /// `AUDIT_ARCHIVE_BUCKET`: where the processor seals records; `GET
    /// /documents/{id}/seal` compares a record with its sealed copy there. None: not served.
    pub audit_archive_bucket: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Self, ApiError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration from any variable lookup (the environment, or a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ApiError> {
        let optional = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &str| {
            optional(name).ok_or_else(|| ApiError::Config(format!("{name} is not set")))
        };
        let case_sla_hours = match optional("CASE_SLA_HOURS") {
            Some(v) => v.parse().ok().filter(|h| *h >= 1).ok_or_else(|| {
                ApiError::Config(format!(
                    "CASE_SLA_HOURS is not a whole number of hours: {v}"
                ))
            })?,
            None => DEFAULT_CASE_SLA_HOURS,
        };
        let digest_period_hours = match optional("DIGEST_PERIOD_HOURS") {
            Some(v) => Some(
                v.parse()
                    .ok()
                    .filter(|h| (1..=digest::MAX_PERIOD_HOURS).contains(h))
                    .ok_or_else(|| {
                        ApiError::Config(format!(
                            "DIGEST_PERIOD_HOURS is not a whole number of hours from 1 to {}: {v}",
                            digest::MAX_PERIOD_HOURS
                        ))
                    })?,
            ),
            None => None,
        };
        let config = Self {
            audit_table: required("AUDIT_TABLE")?,
            alert_topic_arn: required("ALERT_TOPIC_ARN")?,
            identity_key_secret_arn: optional("IDENTITY_KEY_SECRET_ARN"),
            rules_s3_uri: optional("RULES_S3_URI"),
            rules_path: optional("RULES_PATH").map(PathBuf::from),
            case_sla_hours,
            digest_period_hours,
            audit_archive_bucket: optional("AUDIT_ARCHIVE_BUCKET"),
        };
        if config.rules_s3_uri.is_some() && config.rules_path.is_some() {
            return Err(ApiError::Config(
                "RULES_PATH and RULES_S3_URI are both set: set one".into(),
            ));
        }
        Ok(config)
    }
}

/// `s3://bucket/key` as (bucket, key).
fn parse_s3_uri(uri: &str) -> Result<(&str, &str), ApiError> {
    uri.strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
        .ok_or_else(|| {
            ApiError::Config(format!(
                "RULES_S3_URI `{uri}` is not an S3 object URI (s3://bucket/key)"
            ))
        })
}

/// The rules the processor judges with: the same object or file, or the built-in ones. A
/// problem fails the cold start rather than recomputing views under other rules.
pub async fn load_rules(config: &Config, aws: &aws_config::SdkConfig) -> Result<RuleSet, ApiError> {
    let rules = match (&config.rules_s3_uri, &config.rules_path) {
        (Some(uri), _) => {
            let (bucket, key) = parse_s3_uri(uri)?;
            let s3 = compliance_aws::s3_client(aws);
            let bytes = compliance_aws::lists::get_bounded(
                &s3,
                bucket,
                key,
                MAX_RULES_BYTES as u64,
                "a rules file",
            )
            .await
            .map_err(|e| ApiError::Config(format!("rules object {uri}: {e}")))?;
            RuleSet::parse_bytes(&bytes, uri)
        }
        (None, Some(path)) => RuleSet::from_file(path),
        (None, None) => RuleSet::default_rules(),
    }
    .map_err(|e| ApiError::Config(e.to_string()))?;
    tracing::info!(rules_version = %rules.version, "rules loaded");
    Ok(rules)
}

/// The identity key from its secret, read once: the prints of a queried name must be made
/// with the key the processor made the stored ones with. Never logged, only its fingerprint.
pub async fn load_identity_key(
    aws: &aws_config::SdkConfig,
    arn: &str,
) -> Result<IdentityKey, ApiError> {
    compliance_aws::runtime::load_identity_key(aws, arn)
        .await
        .map_err(ApiError::Config)
}

/// The numbers of the `case_metrics` job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseMetrics {
    pub open_cases: u64,
    pub oldest_open_case_age_seconds: i64,
    pub open_cases_past_sla: u64,
}

impl CaseMetrics {
    pub fn of(backlog: &CaseBacklog, now: DateTime<Utc>) -> Self {
        Self {
            open_cases: backlog.open,
            oldest_open_case_age_seconds: backlog.oldest_age_seconds(now),
            open_cases_past_sla: backlog.past_deadline,
        }
    }

    pub fn metric_set(&self) -> MetricSet {
        MetricSet::new(SERVICE)
            .value("OpenCases", Unit::Count, self.open_cases as f64)
            .value(
                "OldestOpenCaseAgeSeconds",
                Unit::Seconds,
                self.oldest_open_case_age_seconds as f64,
            )
            .value(
                "OpenCasesPastSla",
                Unit::Count,
                self.open_cases_past_sla as f64,
            )
    }
}

/// A scheduled invocation: `{"job": "case_metrics"}`, or `{"job": "daily_digest"}` with,
/// optionally, the schedule's `"scheduled_time"` (EventBridge Scheduler's
/// `<aws.scheduler.scheduled-time>`): the digest's period then ends at that time, the same for
/// a retried run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Job {
    job: String,
    #[serde(default)]
    scheduled_time: Option<String>,
}

pub const CASE_METRICS_JOB: &str = "case_metrics";
pub const DAILY_DIGEST_JOB: &str = "daily_digest";

pub struct AuditApi {
    store: DynamoAuditStore,
    sink: SnsAlertSink,
    pipeline: Pipeline,
    identity_key: Option<IdentityKey>,
    case_sla: chrono::Duration,
    digest_period_hours: u32,
    archive: Option<S3RecordArchive>,
}

impl AuditApi {
    /// Builds the API at cold start: the rules and, when configured, the identity key.
    pub async fn load(config: &Config, aws: &aws_config::SdkConfig) -> Result<Self, ApiError> {
        let rules = load_rules(config, aws).await?;
        let identity_key = match &config.identity_key_secret_arn {
            Some(arn) => Some(load_identity_key(aws, arn).await?),
            None => None,
        };
        Ok(Self {
            store: DynamoAuditStore::new(DynamoClient::new(aws), &config.audit_table),
            sink: SnsAlertSink::new(SnsClient::new(aws), &config.alert_topic_arn),
            // Only the rules' customer requirements and version are used: no lists needed.
            pipeline: Pipeline::new(rules, Vec::new(), IntakeLimits::default()),
            identity_key,
            case_sla: chrono::Duration::hours(i64::from(config.case_sla_hours.max(1))),
            digest_period_hours: config
                .digest_period_hours
                .unwrap_or(digest::DEFAULT_PERIOD_HOURS),
            archive: config
                .audit_archive_bucket
                .as_ref()
                .map(|bucket| S3RecordArchive::new(compliance_aws::s3_client(aws), bucket)),
        })
    }

    /// One invocation: an HTTP API request, or a scheduled job.
    pub async fn handle_event(&self, payload: Value) -> Result<Value, ApiError> {
        if payload.get("job").is_some() {
            let job: Job = serde_json::from_value(payload)
                .map_err(|e| ApiError::UnrecognisedEvent(e.to_string()))?;
            let failed = |error| ApiError::Job {
                job: job.job.clone(),
                error,
            };
            return match job.job.as_str() {
                CASE_METRICS_JOB => {
                    let metrics = self.case_metrics(Utc::now()).await.map_err(failed)?;
                    metrics.metric_set().emit();
                    Ok(json!({
                        "job": CASE_METRICS_JOB,
                        "open_cases": metrics.open_cases,
                        "oldest_open_case_age_seconds": metrics.oldest_open_case_age_seconds,
                        "open_cases_past_sla": metrics.open_cases_past_sla,
                    }))
                }
                DAILY_DIGEST_JOB => {
                    let scheduled = match job.scheduled_time.as_deref() {
                        Some(text) => {
                            Some(compliance_core::query::parse_time(text).ok_or_else(|| {
                                ApiError::UnrecognisedEvent(
                                    "scheduled_time is not an RFC 3339 time".into(),
                                )
                            })?)
                        }
                        None => None,
                    };
                    let now = Utc::now();
                    let end = digest_end(scheduled, now);
                    let digest = self.daily_digest(end, now).await.map_err(failed)?;
                    Ok(json!({
                        "job": DAILY_DIGEST_JOB,
                        "digest_id": digest.digest_id,
                        "documents_processed": digest.documents.processed,
                        "open_cases": digest.open_cases.total,
                        "open_cases_past_sla": digest.open_cases.past_sla,
                        "truncated": digest.truncated(),
                    }))
                }
                other => Err(ApiError::UnrecognisedEvent(format!("no job {other}"))),
            };
        }
        let request: ApiGatewayV2httpRequest = serde_json::from_value(payload).map_err(|e| {
            ApiError::UnrecognisedEvent(format!("neither a job nor an HTTP API request: {e}"))
        })?;
        let response = self.handle(request).await;
        serde_json::to_value(response).map_err(|e| ApiError::UnrecognisedEvent(e.to_string()))
    }

    /// The backlog of waiting cases at `now`.
    pub async fn case_metrics(&self, now: DateTime<Utc>) -> Result<CaseMetrics, PortError> {
        let backlog = self.store.case_backlog(now - self.case_sla).await?;
        Ok(CaseMetrics::of(&backlog, now))
    }

    /// The digest of the period (`DIGEST_PERIOD_HOURS`) ending at `end`, with cases aged at
    /// `now`, as the store holds it.
    pub async fn digest(
        &self,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Digest, PortError> {
        let (since, until) = digest::period_ending(end, self.digest_period_hours);
        digest::collect(
            &self.store,
            since,
            until,
            self.case_sla.num_hours(),
            now,
            DigestLimits::default(),
        )
        .await
    }

    /// The `daily_digest` job: the digest, published to the alert topic (`kind = digest`).
    /// A failed read or publish fails the run (transient errors are retried by the
    /// scheduler); the next day's digest does not depend on this one.
    pub async fn daily_digest(
        &self,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Digest, PortError> {
        let digest = self.digest(end, now).await?;
        self.sink.publish_digest(&digest).await?;
        tracing::info!(
            digest_id = %digest.digest_id,
            documents_processed = digest.documents.processed,
            open_cases = digest.open_cases.total,
            open_cases_past_sla = digest.open_cases.past_sla,
            truncated = digest.truncated(),
            "digest published"
        );
        Ok(digest)
    }

    /// Answers one request. Failures are HTTP statuses, never a failed invocation: API
    /// Gateway would turn those into an opaque 500.
    pub async fn handle(&self, request: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
        // API Gateway enforces IAM on every route; a request without a caller identity did not
        // come through it.
        let Some(iam) = request
            .request_context
            .authorizer
            .as_ref()
            .and_then(|a| a.iam.as_ref())
        else {
            return respond(403, &json!({"error": "IAM authorisation required"}));
        };
        let caller = iam
            .user_arn
            .clone()
            .or_else(|| iam.caller_id.clone())
            .filter(|c| !c.trim().is_empty());
        let method = request.request_context.http.method.as_str().to_string();
        let path = request.raw_path.clone().unwrap_or_default();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (status, body) = match (method.as_str(), segments.as_slice()) {
            ("GET", ["customers", id]) => self.customer(id).await,
            ("GET", ["documents", id]) => self.document(id).await,
            ("GET", ["documents", id, "seal"]) => self.seal(id).await,
            ("GET", ["records"]) => self.records(&request).await,
            ("GET", ["cases"]) => self.open_cases(&request).await,
            ("POST", ["cases", id, "decisions"]) => match caller {
                Some(reviewer) => self.decide(id, &reviewer, &request).await,
                None => (403, json!({"error": "the caller has no IAM identity"})),
            },
            (
                _,
                ["customers" | "documents", _] | ["records" | "cases"] | ["documents", _, "seal"],
            ) => (405, json!({"error": "only GET is served on this route"})),
            (_, ["cases", _, "decisions"]) => {
                (405, json!({"error": "only POST is served on this route"}))
            }
            _ => (404, json!({"error": "no such route"})),
        };
        tracing::info!(
            method,
            route = segments.first().copied().unwrap_or(""),
            status,
            "request"
        );
        respond(status, &body)
    }

    async fn customer(&self, id: &str) -> (i64, Value) {
        let id = match validate_customer_id(id) {
            Ok(id) => id,
            Err(e) => return (400, json!({"error": e})),
        };
        match self.store.customer_view(&id).await {
            Ok(Some(view)) => to_body(200, &view),
            Ok(None) => (
                404,
                json!({"error": format!("no documents recorded for customer {id}")}),
            ),
            Err(e) => port_failure(&e),
        }
    }

    async fn document(&self, id: &str) -> (i64, Value) {
        if !is_document_id(id) {
            return (400, json!({"error": "a document id is 32 hex characters"}));
        }
        let record = match self.store.record(id).await {
            Ok(Some(record)) => record,
            Ok(None) => return (404, json!({"error": "no such document"})),
            Err(e) => return port_failure(&e),
        };
        let case = match self.store.case(id).await {
            Ok(case) => case,
            Err(e) => return port_failure(&e),
        };
        let case = match case {
            Some(case) => match self.store.case_events(id).await {
                Ok(events) => Some(CaseFile::new(case, events, Utc::now())),
                Err(e) => return port_failure(&e),
            },
            None => None,
        };
        to_body(200, &DocumentFile { record, case })
    }

    /// The record as stored now against its sealed copy (see `compliance_core::seal`): 200
    /// with the comparison whatever it found (`intact`, `altered` with the fields, `missing`,
    /// `unreadable`), so that a reviewer sees a changed record as such.
    async fn seal(&self, id: &str) -> (i64, Value) {
        if !is_document_id(id) {
            return (400, json!({"error": "a document id is 32 hex characters"}));
        }
        let Some(archive) = &self.archive else {
            return (
                404,
                json!({"error": "records are not sealed in this deployment (AUDIT_ARCHIVE_BUCKET)"}),
            );
        };
        let record = match self.store.record(id).await {
            Ok(Some(record)) => record,
            Ok(None) => return (404, json!({"error": "no such document"})),
            Err(e) => return port_failure(&e),
        };
        match archive.check(&record).await {
            Ok(report) => {
                if !report.check.is_intact() {
                    tracing::error!(document_id = %id, check = ?report.check, "record does not match its sealed copy");
                }
                to_body(200, &report)
            }
            Err(e) => port_failure(&e),
        }
    }

    async fn records(&self, request: &ApiGatewayV2httpRequest) -> (i64, Value) {
        let (query, page) =
            match records_query(&request.query_string_parameters, self.identity_key.as_ref()) {
                Ok(parsed) => parsed,
                Err(message) => return (400, json!({"error": message})),
            };
        match self.store.query_records(&query, &page).await {
            Ok(page) => page_body(page),
            Err(e) => caller_or_port_failure(&e),
        }
    }

    async fn open_cases(&self, request: &ApiGatewayV2httpRequest) -> (i64, Value) {
        let page = match PageParams::parse(&request.query_string_parameters, &[]) {
            Ok(page) => page.request,
            Err(message) => return (400, json!({"error": message})),
        };
        let now = Utc::now();
        match self.store.open_cases(&page).await {
            Ok(cases) => page_body(Page {
                items: cases
                    .items
                    .into_iter()
                    .map(|c| OpenCase::new(c, now))
                    .collect(),
                next: cases.next,
            }),
            Err(e) => caller_or_port_failure(&e),
        }
    }
}

/// Where a digest's period ends: the schedule's time cut to the minute, else the run's time cut
/// to the hour (so that a retried run covers the same period and gets the same digest id).
pub fn digest_end(scheduled: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::DurationRound;
    match scheduled {
        Some(at) => at
            .duration_trunc(chrono::Duration::minutes(1))
            .unwrap_or(at),
        None => digest::scheduled_end(now),
    }
}

pub fn is_document_id(id: &str) -> bool {
    id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())
}

fn to_body<T: serde::Serialize>(status: i64, value: &T) -> (i64, Value) {
    match serde_json::to_value(value) {
        Ok(v) => (status, v),
        Err(e) => (500, json!({"error": e.to_string()})),
    }
}

/// A page: `items`, and `next` (null on the last page).
fn page_body<T: serde::Serialize>(page: Page<T>) -> (i64, Value) {
    match serde_json::to_value(&page.items) {
        Ok(items) => (200, json!({"items": items, "next": page.next})),
        Err(e) => (500, json!({"error": e.to_string()})),
    }
}

/// A refused cursor or range is the caller's to fix (400); anything else is the store's.
fn caller_or_port_failure(e: &PortError) -> (i64, Value) {
    if compliance_aws::query::is_cursor_error(e) || compliance_aws::query::is_range_error(e) {
        return (400, json!({"error": e.message}));
    }
    port_failure(e)
}

fn port_failure(e: &PortError) -> (i64, Value) {
    tracing::warn!(operation = e.operation, retry = ?e.retry, "store failure");
    match e.retry {
        Retry::Transient => (
            503,
            json!({"error": "the audit table is unavailable; retry"}),
        ),
        Retry::Permanent => (500, json!({"error": e.operation})),
    }
}

fn respond(status: i64, body: &Value) -> ApiGatewayV2httpResponse {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = status;
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ApiError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        ("AUDIT_TABLE", "audit"),
        (
            "ALERT_TOPIC_ARN",
            "arn:aws:sns:eu-west-1:123456789012:alerts",
        ),
    ];

    #[test]
    fn configuration_is_read_and_checked() {
        let c = config(&BASE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.case_sla_hours, DEFAULT_CASE_SLA_HOURS);
        assert_eq!(c.identity_key_secret_arn, None);

        let mut vars = BASE.to_vec();
        vars.push(("CASE_SLA_HOURS", "48"));
        vars.push(("IDENTITY_KEY_SECRET_ARN", " arn:secret "));
        let c = config(&vars).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.case_sla_hours, 48);
        assert_eq!(c.identity_key_secret_arn.as_deref(), Some("arn:secret"));

        assert!(config(&BASE[..1]).is_err(), "no topic");
        for sla in ["0", "-1", "a day"] {
            let mut vars = BASE.to_vec();
            vars.push(("CASE_SLA_HOURS", sla));
            assert!(config(&vars).is_err(), "{sla}");
        }
        let mut both = BASE.to_vec();
        both.push(("RULES_S3_URI", "s3://b/config/rules.toml"));
        both.push(("RULES_PATH", "/opt/rules.toml"));
        assert!(config(&both).is_err());
    }

    #[test]
    fn the_digest_period_is_read_and_checked() {
        let c = config(&BASE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.digest_period_hours, None);
        let mut vars = BASE.to_vec();
        vars.push(("DIGEST_PERIOD_HOURS", "168"));
        let c = config(&vars).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.digest_period_hours, Some(168));
        for bad in ["0", "-1", "a week", "745"] {
            let mut vars = BASE.to_vec();
            vars.push(("DIGEST_PERIOD_HOURS", bad));
            assert!(config(&vars).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_digest_period_ends_at_the_schedule_or_the_hour() {
        let at = |s: &str| compliance_core::query::parse_time(s).unwrap_or_else(|| panic!("{s}"));
        let now = at("2026-11-26T07:03:12Z");
        assert_eq!(
            digest_end(Some(at("2026-11-26T06:59:59.9Z")), now),
            at("2026-11-26T06:59:00Z")
        );
        assert_eq!(digest_end(None, now), at("2026-11-26T07:00:00Z"));
    }

    #[test]
    fn case_metrics_are_one_emf_line() {
        let now = Utc::now();
        let backlog = CaseBacklog {
            open: 3,
            oldest_opened_at: Some(now - chrono::Duration::seconds(90)),
            past_deadline: 1,
        };
        let metrics = CaseMetrics::of(&backlog, now);
        assert_eq!(metrics.oldest_open_case_age_seconds, 90);
        let doc = metrics.metric_set().to_json(0);
        assert_eq!(doc["Service"], SERVICE);
        assert_eq!(doc["OpenCases"], 3.0);
        assert_eq!(doc["OldestOpenCaseAgeSeconds"], 90.0);
        assert_eq!(doc["OpenCasesPastSla"], 1.0);
    }
}
