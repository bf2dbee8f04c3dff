//! The notifier Lambda: subscribed to the alerts SNS topic, it posts every alert to a Slack
//! incoming webhook (Block Kit) and/or a Microsoft Teams Workflows webhook (an Adaptive Card in
//! a `message` envelope).
//!
//! - **Input**: SNS events whose message is a document alert (`compliance_core::audit::Alert`,
//!   message attribute `kind = document`, or no `kind` from older processors) or a customer
//!   status alert (`compliance_core::audit::CustomerAlert`, `kind = customer_status`), or the
//!   daily digest (`compliance_core::digest::Digest`, `kind = digest`, from the audit API's
//!   scheduled job; see [`render::digest`]). Any other `kind` is a permanent error.
//! - **Configuration** (read once at cold start): `WEBHOOKS_SECRET_ARN`, a Secrets Manager
//!   secret whose value is `{"slack_webhook_url": "...", "teams_webhook_url": "..."}` (either
//!   or both), cached for the life of the process; see [`config`].
//! - **Delivery**: the targets are posted to concurrently, each with bounded retries (see
//!   [`deliver::RetryPolicy`]). Any target that fails permanently or runs out of retries fails
//!   the invocation, so that Lambda retries the event and then parks it in the dead-letter
//!   queue.
//! - **Duplicates**: a retried event posts again to every target, including one that had
//!   already accepted it (Slack succeeded, Teams failed: the retry posts to Slack a second
//!   time); and SNS itself delivers at least once. Every message carries the `alert_id` for
//!   readers (and any downstream automation) to recognise duplicates.
//! - **Metrics**: one Embedded Metric Format line per alert and target (see [`metrics`]).
//! - **Personal data**: the alert is already masked by the processor. The notifier adds nothing
//!   from elsewhere, leaves out the S3 key (file names can carry names), caps every text it
//!   takes from the alert, and never logs webhook URLs (they are credentials) or message text.

pub mod config;
pub mod deliver;
pub mod message;
pub mod metrics;
pub mod render;

use aws_lambda_events::event::sns::SnsEvent;
use lambda_runtime::Diagnostic;
use serde::Serialize;

pub use config::{load_webhooks, Config, Webhooks};
pub use deliver::{Delivered, DeliveryFailure, RetryPolicy, Target};
pub use message::{parse_message, AlertMessage};

#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    /// The configuration or the webhook secret is missing or invalid: fails the cold start.
    #[error("configuration: {0}")]
    Config(String),
    /// The SNS message is not an alert this notifier knows. Only the SNS message id is named:
    /// the message itself is not quoted.
    #[error("SNS message {message_id}: {detail}")]
    Malformed { message_id: String, detail: String },
    /// At least one target did not take the alert.
    #[error("alert {alert_id}: {}", describe_failures(.failures))]
    Delivery {
        alert_id: String,
        failures: Vec<DeliveryFailure>,
    },
}

fn describe_failures(failures: &[DeliveryFailure]) -> String {
    failures
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl NotifierError {
    /// Whether the same event, delivered again, can succeed: only when every failed target
    /// failed transiently (429, 5xx, network). A rejected payload (another 4xx), a malformed
    /// message or a bad configuration fails again. Lambda retries either way (SNS invokes
    /// asynchronously); the error type tells the operator reading the dead-letter queue.
    pub fn retryable(&self) -> bool {
        match self {
            NotifierError::Delivery { failures, .. } => {
                !failures.is_empty() && failures.iter().all(|f| f.retryable())
            }
            NotifierError::Config(_) | NotifierError::Malformed { .. } => false,
        }
    }
}

impl From<NotifierError> for Diagnostic {
    fn from(err: NotifierError) -> Self {
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

/// What one invocation delivered (the Lambda's response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifyResponse {
    pub delivered: Vec<Delivered>,
}

/// The function: an HTTP client, the webhook targets read at cold start, the retry policy.
pub struct Notifier {
    http: reqwest::Client,
    webhooks: Webhooks,
    retry: RetryPolicy,
}

impl Notifier {
    /// Cold start: reads the webhook secret once (any problem fails the start) and builds the
    /// HTTP client.
    pub async fn load(config: &Config, aws: &aws_config::SdkConfig) -> Result<Self, NotifierError> {
        let webhooks = load_webhooks(aws, config).await?;
        Self::new(webhooks, RetryPolicy::default())
    }

    pub fn new(webhooks: Webhooks, retry: RetryPolicy) -> Result<Self, NotifierError> {
        let http = deliver::http_client(&retry, webhooks.allows_plain_http())?;
        Ok(Self {
            http,
            webhooks,
            retry,
        })
    }

    /// One SNS invocation (SNS sends one record per invocation; several are handled in turn,
    /// and the first failure is returned after all were tried).
    pub async fn handle_event(&self, event: SnsEvent) -> Result<NotifyResponse, NotifierError> {
        let mut delivered = Vec::new();
        let mut first_error = None;
        for record in &event.records {
            let result = match parse_message(&record.sns) {
                Ok(alert) => self.notify(&alert).await,
                Err(e) => {
                    tracing::error!(
                        message_id = %record.sns.message_id,
                        error = %e,
                        "not an alert; not retried usefully"
                    );
                    Err(e)
                }
            };
            match result {
                Ok(mut d) => delivered.append(&mut d),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(NotifyResponse { delivered }),
        }
    }

    /// Posts one alert to every configured target, concurrently.
    pub async fn notify(&self, alert: &AlertMessage) -> Result<Vec<Delivered>, NotifierError> {
        let slack = async {
            match self.webhooks.slack() {
                Some(url) => {
                    let body = render::slack_payload(alert);
                    Some(
                        deliver::post(&self.http, &self.retry, Target::Slack, url, alert, &body)
                            .await,
                    )
                }
                None => None,
            }
        };
        let teams = async {
            match self.webhooks.teams() {
                Some(url) => {
                    let body = render::teams_payload(alert);
                    Some(
                        deliver::post(&self.http, &self.retry, Target::Teams, url, alert, &body)
                            .await,
                    )
                }
                None => None,
            }
        };
        let (slack, teams) = tokio::join!(slack, teams);
        let mut delivered = Vec::new();
        let mut failures = Vec::new();
        for result in [slack, teams].into_iter().flatten() {
            match result {
                Ok(d) => {
                    metrics::delivery_metrics(d.target, true).emit();
                    delivered.push(d);
                }
                Err(f) => {
                    metrics::delivery_metrics(f.target(), false).emit();
                    failures.push(f);
                }
            }
        }
        if failures.is_empty() {
            Ok(delivered)
        } else {
            if !delivered.is_empty() {
                tracing::warn!(
                    alert_id = alert.alert_id(),
                    kind = alert.kind(),
                    "partial delivery: the retry will post to the targets that succeeded again"
                );
            }
            Err(NotifierError::Delivery {
                alert_id: alert.alert_id().to_string(),
                failures,
            })
        }
    }
}
