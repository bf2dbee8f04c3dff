//! Retries, timeouts and the time budget, the same for every provider.
//!
//! Each attempt is bounded by the per-request timeout (or what is left of the budget, if
//! less). A failed attempt is retried when the failure is transient (408, 409, 429, 500, 502,
//! 503, 504, 529, a connection failure, a timeout), after the provider's `Retry-After` when it
//! gave one, or else after an exponential backoff with full jitter. A wait that would pass
//! the budget is not begun: the consultation stops at once with the reason.
//!
//! The schedule and the loop are backon's: its `adjust` hook sees each failure and the
//! backoff's next delay, which is where `Retry-After` replaces the delay, full jitter is
//! applied (backon's own jitter adds to the delay rather than drawing below it) and the
//! budget is enforced.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use compliance_core::assist::ModelReply;
use reqwest::header::HeaderMap;

use crate::config::Limits;

/// First backoff delay, before jitter; doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The least time worth starting a request with: a request cut short by the budget has
/// still been paid for. A quarter of the request timeout, at most half a second.
pub(crate) fn min_attempt_time(limits: &Limits) -> Duration {
    (limits.request_timeout / 4).min(Duration::from_millis(500))
}

/// Longest reason recorded.
pub(crate) const MAX_REASON_CHARS: usize = 200;

/// HTTP statuses worth another attempt: timeouts, conflicts, rate limits, overloads.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500 | 502 | 503 | 504 | 529)
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// Short and safe to record: no key, no document text, no response body.
    pub reason: String,
    pub retryable: bool,
    /// How long the provider asked us to wait before the next attempt.
    pub retry_after: Option<Duration>,
    pub status: Option<u16>,
}

impl Failure {
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            retryable: false,
            retry_after: None,
            status: None,
        }
    }

    pub fn transient(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            retryable: true,
            retry_after: None,
            status: None,
        }
    }

    /// A non-success HTTP status, with the provider's error type or code when it gave one.
    pub fn http(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> Self {
        let reason = match code {
            Some(code) => format!("HTTP {status} ({code})"),
            None => format!("HTTP {status}"),
        };
        Self {
            reason,
            retryable: is_retryable_status(status),
            retry_after,
            status: Some(status),
        }
    }
}

/// What the provider asked: `retry-after-ms` (OpenAI), then `Retry-After` in delta-seconds or
/// as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms.min(86_400_000.0) / 1000.0));
        }
    }
    parse_retry_after(header("retry-after")?, SystemTime::now())
}

/// `Retry-After`'s value: delta-seconds, or an HTTP date (a date in the past means now).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds.min(86_400)));
    }
    // Some servers send fractional seconds.
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            return Some(Duration::from_secs_f64(seconds.min(86_400.0)));
        }
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A random delay from zero to `cap` ("full jitter"), which spreads out clients that failed
/// together.
fn full_jitter(cap: Duration) -> Duration {
    cap.mul_f64(fastrand::f64())
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Cuts a reason to [`MAX_REASON_CHARS`] characters.
pub(crate) fn bounded(reason: String) -> String {
    if reason.chars().count() <= MAX_REASON_CHARS {
        return reason;
    }
    let mut cut: String = reason.chars().take(MAX_REASON_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Runs `attempt` (given its timeout) until it succeeds, fails for good, the attempts run out
/// or the budget would be passed. Returns the attempts made and the outcome.
pub(crate) async fn with_retries<F, Fut>(
    limits: &Limits,
    deadline: Instant,
    provider: &str,
    model: &str,
    attempt: F,
) -> (u32, Result<ModelReply, String>)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<ModelReply, Failure>>,
{
    let attempts = AtomicU32::new(0);
    // Why the loop stopped before the attempts ran out, when it did.
    let stopped_early: Mutex<Option<String>> = Mutex::new(None);
    let (attempts_ref, stopped_ref, attempt_ref) = (&attempts, &stopped_early, &attempt);

    let backoff = ExponentialBuilder::default()
        .with_min_delay(FIRST_BACKOFF)
        .with_max_delay(MAX_BACKOFF)
        .with_factor(2.0)
        .with_max_times(limits.max_attempts.saturating_sub(1) as usize);

    let outcome = (move || async move {
        let number = attempts_ref.fetch_add(1, Ordering::SeqCst) + 1;
        let timeout = limits
            .request_timeout
            .min(deadline.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(timeout, attempt_ref()).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(failure)) => {
                tracing::warn!(provider, model, attempt = number, status = failure.status, reason = %failure.reason, "model request failed");
                Err(failure)
            }
            Err(_) => {
                tracing::warn!(provider, model, attempt = number, timeout_ms = timeout.as_millis() as u64, "model request timed out");
                Err(Failure::transient(format!(
                    "timed out after {} ms",
                    timeout.as_millis()
                )))
            }
        }
    })
    .retry(backoff)
    .sleep(tokio::time::sleep)
    .when(|failure: &Failure| failure.retryable)
    .adjust(move |failure: &Failure, next: Option<Duration>| {
        // `None`: the attempts have run out.
        let planned = next?;
        let wait = match failure.retry_after {
            Some(asked) => asked,
            None => full_jitter(planned),
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        if wait + min_attempt_time(limits) > remaining {
            let why = match failure.retry_after {
                Some(asked) => format!(
                    "rate limited, {}: the provider asked to wait {}, beyond the {} left of the budget",
                    failure.reason,
                    seconds(asked),
                    seconds(remaining)
                ),
                None => format!(
                    "{}; no time left in the budget for another attempt",
                    failure.reason
                ),
            };
            tracing::warn!(provider, model, status = failure.status, wait_ms = wait.as_millis() as u64, remaining_ms = remaining.as_millis() as u64, "giving up: the wait would pass the budget");
            if let Ok(mut stopped) = stopped_ref.lock() {
                *stopped = Some(why);
            }
            return None;
        }
        tracing::info!(provider, model, status = failure.status, wait_ms = wait.as_millis() as u64, "retrying");
        Some(wait)
    })
    .await;

    let attempts = attempts.load(Ordering::SeqCst);
    let outcome = outcome.map_err(|failure| {
        let stopped = stopped_early.lock().ok().and_then(|mut s| s.take());
        bounded(match stopped {
            Some(why) => why,
            None if failure.retryable && attempts > 1 => {
                format!("{} (gave up after {attempts} attempts)", failure.reason)
            }
            None => failure.reason,
        })
    });
    (attempts, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("0.5", now),
            Some(Duration::from_millis(500))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn retry_after_ms_comes_first() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "20".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(20)));
        headers.insert("retry-after-ms", "250".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(250)));
    }

    #[test]
    fn full_jitter_stays_below_the_cap() {
        let cap = Duration::from_millis(800);
        let draws: Vec<Duration> = (0..200).map(|_| full_jitter(cap)).collect();
        assert!(draws.iter().all(|d| *d <= cap));
        assert!(
            draws.iter().any(|d| *d < cap / 2),
            "full jitter draws from zero"
        );
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for status in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422, 501] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn reasons_are_bounded() {
        let long = bounded("x".repeat(500));
        assert_eq!(long.chars().count(), MAX_REASON_CHARS);
        assert_eq!(bounded("short".into()), "short");
    }
}
