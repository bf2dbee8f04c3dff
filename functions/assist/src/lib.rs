//! Optional model assistance: the core's [`ClassificationAssistant`] port for OpenAI-compatible
//! servers (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp), Anthropic and Amazon Bedrock.
//!
//! Every consultation is bounded the same way whatever the provider: a timeout per request, a
//! time budget per document that includes waiting for a slot and between attempts, a few
//! retries of transient failures (honouring `Retry-After`), and a cap on requests in flight.
//! A failure never becomes an error: it comes back as the exchange's `reply: Err(reason)`,
//! a short reason that names the status and the provider's error type, never the key, the
//! document or a response body.
//!
//! ```no_run
//! # async fn cold_start(aws: &aws_config::SdkConfig) -> Result<(), compliance_assist::AssistError> {
//! use compliance_assist::{AssistConfig, Assistant, PlainKeys};
//! let assistant = match AssistConfig::from_env(PlainKeys::Refused)? {
//!     Some(config) => Some(Assistant::connect(&config, Some(aws)).await?),
//!     None => None, // assistance is off
//! };
//! # Ok(()) }
//! ```

use std::time::{Duration, Instant};

use compliance_core::assist::{AssistRequest, ClassificationAssistant, ModelExchange};
use tokio::sync::Semaphore;

mod anthropic;
mod bedrock;
mod config;
mod http;
mod keys;
mod openai;
mod retry;

pub use config::{
    ApiKey, AssistConfig, AuthHeader, KeySource, Limits, MaxTokensField, PlainKeys, Provider,
    DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_BUDGET_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_CONCURRENCY,
    DEFAULT_OPENAI_BASE_URL, DEFAULT_TIMEOUT_MS,
};

/// Why assistance could not be set up (at cold start; consultations never fail this way).
#[derive(Debug, thiserror::Error)]
pub enum AssistError {
    /// A setting is missing, malformed or contradicts another.
    #[error("{variable}: {problem}")]
    Config {
        variable: &'static str,
        problem: String,
    },
    /// The key could not be read from where the setting says it is.
    #[error("{setting} {id}: {problem}")]
    Key {
        setting: &'static str,
        id: String,
        problem: String,
    },
    /// The HTTP or AWS client could not be built.
    #[error("{0}")]
    Client(String),
}

enum Backend {
    OpenAi(openai::OpenAi),
    Anthropic(anthropic::Anthropic),
    Bedrock(bedrock::Bedrock),
}

/// A configured model provider with its bounds. Share one per process: its cap on requests
/// in flight holds across every concurrent [`ClassificationAssistant::ask`].
pub struct Assistant {
    provider: Provider,
    model: String,
    backend: Backend,
    limits: Limits,
    slots: Semaphore,
}

impl std::fmt::Debug for Assistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assistant")
            .field("provider", &self.provider)
            .field("model", &self.model)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Assistant {
    /// Builds the assistant, reading the key once from Secrets Manager or SSM when the
    /// configuration says so. `aws` is needed for Bedrock and for those keys.
    pub async fn connect(
        config: &AssistConfig,
        aws: Option<&aws_config::SdkConfig>,
    ) -> Result<Self, AssistError> {
        let key = keys::load(&config.key, aws).await?;
        let connect_timeout = config.limits.request_timeout.min(Duration::from_secs(10));
        let backend = match config.provider {
            Provider::OpenAi => Backend::OpenAi(openai::OpenAi::new(
                config,
                key.as_ref(),
                http::client(connect_timeout)?,
            )?),
            Provider::Anthropic => Backend::Anthropic(anthropic::Anthropic::new(
                config,
                key.as_ref(),
                http::client(connect_timeout)?,
            )?),
            Provider::Bedrock => {
                let aws = aws.ok_or_else(|| {
                    AssistError::Client(
                        "Bedrock needs the function's AWS configuration (credentials and region)"
                            .into(),
                    )
                })?;
                Backend::Bedrock(bedrock::Bedrock::new(config, aws)?)
            }
        };
        tracing::info!(
            provider = config.provider.as_str(),
            model = config.model.as_str(),
            request_timeout_ms = config.limits.request_timeout.as_millis() as u64,
            budget_ms = config.limits.budget.as_millis() as u64,
            max_attempts = config.limits.max_attempts,
            max_concurrency = config.limits.max_concurrency,
            "model assistance configured"
        );
        Ok(Self {
            provider: config.provider,
            model: config.model.clone(),
            backend,
            limits: config.limits,
            slots: Semaphore::new(config.limits.max_concurrency),
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn attempt(
        &self,
        request: &AssistRequest,
    ) -> Result<compliance_core::assist::ModelReply, retry::Failure> {
        match &self.backend {
            Backend::OpenAi(client) => client.attempt(request).await,
            Backend::Anthropic(client) => client.attempt(request).await,
            Backend::Bedrock(client) => client.attempt(request).await,
        }
    }
}

impl ClassificationAssistant for Assistant {
    fn provider(&self) -> &str {
        self.provider.as_str()
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn ask(&self, request: &AssistRequest) -> ModelExchange {
        let started = Instant::now();
        let deadline = started + self.limits.budget;
        let provider = self.provider.as_str();
        let exchange = |attempts: u32, reply| ModelExchange {
            provider: provider.to_string(),
            model: self.model.clone(),
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempts,
            reply,
        };
        // Waiting for a slot counts against the budget.
        let _slot = match tokio::time::timeout_at(deadline.into(), self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_closed)) => return exchange(0, Err("the assistant is shut down".into())),
            Err(_) => {
                tracing::warn!(
                    provider,
                    model = self.model.as_str(),
                    wait_ms = started.elapsed().as_millis() as u64,
                    "no request slot within the budget"
                );
                return exchange(
                    0,
                    Err(format!(
                        "waited {:.1} s for one of {} request slots: the budget ran out",
                        started.elapsed().as_secs_f64(),
                        self.limits.max_concurrency
                    )),
                );
            }
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining < retry::min_attempt_time(&self.limits) {
            tracing::warn!(
                provider,
                model = self.model.as_str(),
                wait_ms = started.elapsed().as_millis() as u64,
                "too little of the budget left after waiting for a request slot"
            );
            return exchange(
                0,
                Err(format!(
                    "waited {:.1} s for one of {} request slots: too little of the budget left",
                    started.elapsed().as_secs_f64(),
                    self.limits.max_concurrency
                )),
            );
        }
        let (attempts, reply) =
            retry::with_retries(&self.limits, deadline, provider, &self.model, || {
                self.attempt(request)
            })
            .await;
        let exchange = exchange(attempts, reply);
        tracing::info!(
            provider,
            model = self.model.as_str(),
            attempt = exchange.attempts,
            latency_ms = exchange.latency_ms,
            ok = exchange.reply.is_ok(),
            "model consulted"
        );
        exchange
    }
}
