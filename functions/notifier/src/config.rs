//! Configuration, read once at cold start.
//!
//! - `WEBHOOKS_SECRET_ARN` (required): the Secrets Manager secret holding the webhook URLs as
//!   JSON, `{"slack_webhook_url": "https://hooks.slack.com/services/...", "teams_webhook_url":
//!   "https://...powerplatform.com/..."}`. Either key may be left out or empty, not both; no
//!   other key is accepted (a misspelt key would silently disable a target). The secret is
//!   read once and kept for the life of the process.
//! - `WEBHOOKS_ALLOW_LOOPBACK_HTTP` (optional, `true`/`false`, default `false`): webhook URLs
//!   must be `https://`; with this set to `true`, `http://` is also accepted, but only to
//!   `127.0.0.1`, `[::1]` or `localhost` (local runs and tests against a server on the same
//!   machine). Plain HTTP to any other host is refused whatever the flag says. The template
//!   never sets it.
//!
//! The URLs are credentials: no error message, log line or `Debug` output contains them or any
//! other part of the secret's value.

use compliance_aws::runtime::{read_secret, SecretValue};
use reqwest::Url;
use serde_json::Value;

use crate::NotifierError;

pub const SECRET_ARN_VAR: &str = "WEBHOOKS_SECRET_ARN";
pub const ALLOW_LOOPBACK_HTTP_VAR: &str = "WEBHOOKS_ALLOW_LOOPBACK_HTTP";
pub const SLACK_KEY: &str = "slack_webhook_url";
pub const TEAMS_KEY: &str = "teams_webhook_url";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub webhooks_secret_arn: String,
    /// Accept `http://` webhook URLs to loopback hosts (tests, local runs).
    pub allow_loopback_http: bool,
}

impl Config {
    pub fn from_env() -> Result<Self, NotifierError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration from any variable lookup (the environment, or a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, NotifierError> {
        let webhooks_secret_arn = var(SECRET_ARN_VAR)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| NotifierError::Config(format!("{SECRET_ARN_VAR} is not set")))?;
        let allow_loopback_http = match var(ALLOW_LOOPBACK_HTTP_VAR)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(NotifierError::Config(format!(
                    "{ALLOW_LOOPBACK_HTTP_VAR} must be true or false, not `{other}`"
                )))
            }
        };
        Ok(Self {
            webhooks_secret_arn,
            allow_loopback_http,
        })
    }
}

/// The webhook URLs. `Debug` shows which targets are set, never the URLs.
#[derive(Clone)]
pub struct Webhooks {
    slack: Option<Url>,
    teams: Option<Url>,
    plain_http: bool,
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks")
            .field("slack", &self.slack.as_ref().map(|_| "<redacted>"))
            .field("teams", &self.teams.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Webhooks {
    /// Validated URLs (see the module documentation for the rules).
    pub fn new(
        slack: Option<&str>,
        teams: Option<&str>,
        allow_loopback_http: bool,
    ) -> Result<Self, NotifierError> {
        let slack = slack
            .filter(|u| !u.trim().is_empty())
            .map(|u| validate_url(SLACK_KEY, u, allow_loopback_http))
            .transpose()?;
        let teams = teams
            .filter(|u| !u.trim().is_empty())
            .map(|u| validate_url(TEAMS_KEY, u, allow_loopback_http))
            .transpose()?;
        if slack.is_none() && teams.is_none() {
            return Err(NotifierError::Config(format!(
                "no webhook configured: set {SLACK_KEY} and/or {TEAMS_KEY}"
            )));
        }
        let plain_http = [&slack, &teams]
            .into_iter()
            .flatten()
            .any(|u| u.scheme() == "http");
        Ok(Self {
            slack,
            teams,
            plain_http,
        })
    }

    /// The secret's value: a JSON object with `slack_webhook_url` and/or `teams_webhook_url`.
    /// Errors name the key at fault, never a value.
    pub fn from_secret_json(text: &str, allow_loopback_http: bool) -> Result<Self, NotifierError> {
        // Parsed as a generic value first: serde's typed errors quote the offending value.
        let value: Value = serde_json::from_str(text).map_err(|e| {
            NotifierError::Config(format!(
                "the secret is not JSON (line {}, column {}); expected {{\"{SLACK_KEY}\": \"https://...\", \"{TEAMS_KEY}\": \"https://...\"}}",
                e.line(),
                e.column()
            ))
        })?;
        let object = value
            .as_object()
            .ok_or_else(|| NotifierError::Config("the secret is not a JSON object".to_string()))?;
        if let Some(unknown) = object.keys().find(|k| *k != SLACK_KEY && *k != TEAMS_KEY) {
            // Named only when it looks like a key name, not like a pasted URL.
            let name = if unknown.len() <= 40
                && unknown
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                format!(" `{unknown}`")
            } else {
                String::new()
            };
            return Err(NotifierError::Config(format!(
                "the secret has an unknown key{name}; only {SLACK_KEY} and {TEAMS_KEY} are read"
            )));
        }
        let text_of = |key: &str| -> Result<Option<&str>, NotifierError> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(NotifierError::Config(format!(
                    "the secret's {key} is not a string"
                ))),
            }
        };
        Self::new(
            text_of(SLACK_KEY)?,
            text_of(TEAMS_KEY)?,
            allow_loopback_http,
        )
    }

    pub fn slack(&self) -> Option<&Url> {
        self.slack.as_ref()
    }

    pub fn teams(&self) -> Option<&Url> {
        self.teams.as_ref()
    }

    /// Whether any URL is plain HTTP (only possible to loopback, with the flag set).
    pub fn allows_plain_http(&self) -> bool {
        self.plain_http
    }

    /// The configured targets' names, for the cold-start log line.
    pub fn targets(&self) -> Vec<&'static str> {
        let mut t = Vec::new();
        if self.slack.is_some() {
            t.push("slack");
        }
        if self.teams.is_some() {
            t.push("teams");
        }
        t
    }
}

fn validate_url(key: &str, raw: &str, allow_loopback_http: bool) -> Result<Url, NotifierError> {
    let error = |why: &str| NotifierError::Config(format!("the secret's {key} {why}"));
    let url = Url::parse(raw.trim()).map_err(|e| error(&format!("is not a URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(error("must not carry user credentials"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error("has no host"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => {
            if allow_loopback_http {
                Ok(url)
            } else {
                Err(error(&format!(
                    "is plain http to a loopback host: allowed only with {ALLOW_LOOPBACK_HTTP_VAR}=true (tests, local runs)"
                )))
            }
        }
        "http" => Err(error(
            "must be https (plain http is accepted for 127.0.0.1, [::1] and localhost only, in tests)",
        )),
        _ => Err(error("must be an https URL")),
    }
}

/// `127.0.0.1`, `[::1]` or `localhost` (the URL parser has already normalised other spellings
/// of these addresses, such as `127.1`, and lower-cased the host).
fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
}

/// Reads the webhook secret (once, at cold start). Any failure fails the cold start with an
/// error naming the secret's ARN and what is wrong, never its value.
pub async fn load_webhooks(
    aws: &aws_config::SdkConfig,
    config: &Config,
) -> Result<Webhooks, NotifierError> {
    let arn = &config.webhooks_secret_arn;
    let config_error =
        |detail: String| NotifierError::Config(format!("{SECRET_ARN_VAR} {arn}: {detail}"));
    let text = match read_secret(aws, arn).await.map_err(config_error)? {
        SecretValue::Text(text) => text,
        SecretValue::Binary(_) => {
            return Err(config_error("the secret has no string value".to_string()))
        }
    };
    let webhooks = Webhooks::from_secret_json(&text, config.allow_loopback_http).map_err(|e| {
        let detail = match e {
            NotifierError::Config(d) => d,
            other => other.to_string(),
        };
        config_error(format!(
            "{detail} (set it with `aws secretsmanager put-secret-value --secret-id {arn} --secret-string file://webhooks.json`)"
        ))
    })?;
    tracing::info!(targets = ?webhooks.targets(), "webhook secret loaded");
    Ok(webhooks)
}
