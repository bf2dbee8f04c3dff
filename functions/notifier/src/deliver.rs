//! Posting a payload to one webhook, with bounded retries.
//!
//! - 2xx: delivered.
//! - 429, 5xx, and network errors (connection refused or reset, timeouts): retried with
//!   exponential backoff and jitter, or after the `Retry-After` the server asked for (whole
//!   seconds; capped at [`RetryPolicy::max_retry_after`]).
//! - Any other status (400, 403, 404, a redirect, ...): permanent, not retried. Slack answers
//!   400 `invalid_payload` or 404 `channel_not_found`; retrying cannot change that.
//! - At most [`RetryPolicy::max_attempts`] attempts and [`RetryPolicy::total_budget`] in all
//!   (a wait that would end past the budget is not started), well inside the function's
//!   timeout.
//!
//! Logs carry the alert id, kind, target, attempt and status; never the URL (a credential)
//! nor the payload. reqwest's errors name the URL, so they are never formatted as they are.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use crate::message::AlertMessage;
use crate::NotifierError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Slack,
    Teams,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Slack => "slack",
            Target::Teams => "teams",
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff; doubled after every attempt, with jitter.
    pub base_delay: Duration,
    /// The longest computed backoff.
    pub max_delay: Duration,
    /// The longest wait a `Retry-After` can impose; longer requests are cut to this.
    pub max_retry_after: Duration,
    /// One request, connection included.
    pub request_timeout: Duration,
    /// Everything for one target: attempts and waits. The targets are posted to concurrently,
    /// so this bounds the invocation (plus a little), inside the function's 30 s timeout.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(10),
            request_timeout: Duration::from_secs(5),
            total_budget: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: exponential, with "equal jitter" (half fixed,
    /// half random) so that concurrent invocations do not retry in step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(random_unit())
    }
}

/// A uniformly distributed number in [0, 1), from the standard library's randomly seeded
/// hasher (jitter needs no cryptographic quality and no extra dependency).
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The client: rustls, no redirects (a webhook that redirects is misconfigured, and the
/// redirect would carry the payload elsewhere), HTTPS only unless a loopback test URL is
/// configured.
pub fn http_client(
    policy: &RetryPolicy,
    plain_http: bool,
) -> Result<reqwest::Client, NotifierError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .https_only(!plain_http)
        .connect_timeout(policy.request_timeout)
        .timeout(policy.request_timeout)
        .user_agent(concat!("compliance-notifier/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            NotifierError::Config(format!("cannot build the HTTP client: {}", e.without_url()))
        })
}

/// One target took the alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub alert_id: String,
    pub target: Target,
    pub status: u16,
    pub attempts: u32,
}

/// One target did not take the alert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryFailure {
    /// A status that no retry changes (4xx other than 429, a redirect).
    #[error("{target} rejected the message: HTTP {status}{}", detail_suffix(.detail))]
    Rejected {
        target: Target,
        status: u16,
        /// Slack's error code (`invalid_blocks`, `no_text`, ...) when the body is one.
        detail: Option<String>,
    },
    /// 429, 5xx or network errors until the attempts or the time budget ran out.
    #[error("{target} failed after {attempts} attempts: {last}")]
    Exhausted {
        target: Target,
        attempts: u32,
        last: String,
    },
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

impl DeliveryFailure {
    pub fn retryable(&self) -> bool {
        matches!(self, DeliveryFailure::Exhausted { .. })
    }

    pub fn target(&self) -> Target {
        match self {
            DeliveryFailure::Rejected { target, .. }
            | DeliveryFailure::Exhausted { target, .. } => *target,
        }
    }
}

enum Outcome {
    Delivered(u16),
    Permanent(u16, Option<String>),
    Transient {
        what: String,
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
}

/// Posts `body` to `url`, retrying per `policy`.
pub async fn post(
    http: &reqwest::Client,
    policy: &RetryPolicy,
    target: Target,
    url: &Url,
    alert: &AlertMessage,
    body: &Value,
) -> Result<Delivered, DeliveryFailure> {
    let alert_id = alert.alert_id();
    let kind = alert.kind();
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        Err(e) => {
            return Err(DeliveryFailure::Rejected {
                target,
                status: 0,
                detail: Some(format!("payload not serialisable: {e}")),
            })
        }
    };
    let started = Instant::now();
    let mut attempts = 0;
    let mut last = String::from("not attempted: no time left");
    while attempts < policy.max_attempts.max(1) {
        let remaining = policy.total_budget.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            break;
        }
        attempts += 1;
        let outcome = attempt(
            http,
            url,
            bytes.clone(),
            policy.request_timeout.min(remaining),
        )
        .await;
        let (what, status, retry_after) = match outcome {
            Outcome::Delivered(status) => {
                tracing::info!(
                    alert_id,
                    kind,
                    target = target.as_str(),
                    attempt = attempts,
                    status,
                    "delivered"
                );
                return Ok(Delivered {
                    alert_id: alert_id.to_string(),
                    target,
                    status,
                    attempts,
                });
            }
            Outcome::Permanent(status, detail) => {
                tracing::error!(
                    alert_id,
                    kind,
                    target = target.as_str(),
                    attempt = attempts,
                    status,
                    detail = detail.as_deref(),
                    "rejected; not retried"
                );
                return Err(DeliveryFailure::Rejected {
                    target,
                    status,
                    detail,
                });
            }
            Outcome::Transient {
                what,
                status,
                retry_after,
            } => (what, status, retry_after),
        };
        last = what;
        if attempts >= policy.max_attempts {
            tracing::error!(alert_id, kind, target = target.as_str(), attempt = attempts, status, error = %last, "giving up: attempts exhausted");
            break;
        }
        let wait = match retry_after {
            Some(asked) => asked.min(policy.max_retry_after),
            None => policy.backoff(attempts),
        };
        if started.elapsed() + wait >= policy.total_budget {
            tracing::error!(alert_id, kind, target = target.as_str(), attempt = attempts, status, error = %last, wait_ms = wait.as_millis() as u64, "giving up: the next wait would pass the time budget");
            break;
        }
        tracing::warn!(alert_id, kind, target = target.as_str(), attempt = attempts, status, error = %last, wait_ms = wait.as_millis() as u64, "retrying");
        tokio::time::sleep(wait).await;
    }
    Err(DeliveryFailure::Exhausted {
        target,
        attempts,
        last,
    })
}

async fn attempt(http: &reqwest::Client, url: &Url, body: Vec<u8>, timeout: Duration) -> Outcome {
    let response = http
        .post(url.clone())
        .header(CONTENT_TYPE, "application/json")
        .timeout(timeout)
        .body(body)
        .send()
        .await;
    let response = match response {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Transient {
                what: describe_error(&e),
                status: None,
                retry_after: None,
            }
        }
    };
    let status = response.status();
    if status.is_success() {
        return Outcome::Delivered(status.as_u16());
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Outcome::Transient {
            what: format!("HTTP {}", status.as_u16()),
            status: Some(status.as_u16()),
            retry_after: retry_after(response.headers()),
        };
    }
    // Only an error code made of lower-case letters and underscores (Slack's) is kept: a
    // body echoing the request would put message text into logs.
    let detail = match tokio::time::timeout(Duration::from_secs(2), response.text()).await {
        Ok(Ok(text)) => error_code(&text),
        _ => None,
    };
    Outcome::Permanent(status.as_u16(), detail)
}

/// `Retry-After` in whole seconds (the HTTP-date form is ignored: the backoff applies).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn error_code(body: &str) -> Option<String> {
    let body = body.trim();
    (!body.is_empty()
        && body.len() <= 64
        && body.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    .then(|| body.to_string())
}

/// What went wrong, without the URL reqwest would put in its message.
/// The I/O error kind underneath (`connection refused`, `connection reset`, ...) is named: it
/// carries no URL.
fn describe_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_request() || e.is_body() {
        "request failed"
    } else {
        "network error"
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return format!("{what}: {}", io.kind());
        }
        source = s.source();
    }
    what.to_string()
}
