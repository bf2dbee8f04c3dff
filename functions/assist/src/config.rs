//! The `LLM_*` settings: which provider and model, where, with which key, and the bounds of
//! every consultation. Parsed from any variable lookup, so tests never touch the environment.

use std::fmt;
use std::time::Duration;

use crate::AssistError;

/// The provider a deployment consults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Any OpenAI-compatible chat completions server: OpenAI, Azure OpenAI, vLLM, Ollama,
    /// llama.cpp server.
    OpenAi,
    /// Anthropic's Messages API.
    Anthropic,
    /// Amazon Bedrock's Converse API, with the function's AWS credentials.
    Bedrock,
}

impl Provider {
    /// The name recorded in the audit record and accepted in `LLM_PROVIDER`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Bedrock => "bedrock",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an OpenAI-compatible server takes the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthHeader {
    /// `Authorization: Bearer KEY` (OpenAI, vLLM, llama.cpp, Azure's v1 API with Entra tokens).
    #[default]
    Bearer,
    /// `api-key: KEY` (Azure OpenAI keys).
    ApiKey,
}

/// The request field that bounds an OpenAI-compatible answer's length. OpenAI and Azure take
/// `max_completion_tokens` (their reasoning models refuse `max_tokens`); Ollama, LM Studio
/// and older llama.cpp servers read only `max_tokens` and silently ignore the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxTokensField {
    #[default]
    MaxCompletionTokens,
    MaxTokens,
}

impl MaxTokensField {
    pub fn as_str(self) -> &'static str {
        match self {
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
            MaxTokensField::MaxTokens => "max_tokens",
        }
    }
}

/// A provider's API key. Its `Debug` never shows it; only the adapters read it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key, trimmed; an empty key or one that cannot be sent in an HTTP header is refused.
    pub fn new(key: impl Into<String>) -> Result<Self, String> {
        let key = key.into().trim().to_string();
        if key.is_empty() {
            return Err("the key is empty".into());
        }
        if key
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || !c.is_ascii())
        {
            return Err("the key contains spaces, control or non-ASCII characters".into());
        }
        Ok(Self(key))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// No key (a local Ollama or llama.cpp server; Bedrock, which signs with the role).
    None,
    /// Given directly (the CLI's `LLM_API_KEY`, tests).
    Plain(ApiKey),
    /// A Secrets Manager secret (`LLM_API_KEY_SECRET_ARN`): the key, or `{"api_key": "..."}`.
    SecretsManager(String),
    /// An SSM Parameter Store SecureString (`LLM_API_KEY_PARAMETER`), read with decryption.
    Parameter(String),
}

/// Whether a key may come from a plain environment variable. A Lambda refuses: its
/// environment is readable by anyone who may read the function's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainKeys {
    /// `LLM_API_KEY`, then `OPENAI_API_KEY` or `ANTHROPIC_API_KEY` by provider (the CLI).
    Allowed,
    /// Only Secrets Manager or SSM; a plain key variable is a configuration error (Lambda).
    Refused,
}

/// The bounds of one consultation, the same for every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One HTTP request, response body included (`LLM_TIMEOUT_MS`).
    pub request_timeout: Duration,
    /// Everything for one document: waiting for a slot, requests and waits between them
    /// (`LLM_BUDGET_MS`).
    pub budget: Duration,
    /// HTTP requests per document, the first included (`LLM_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// Requests in flight at once across all documents (`LLM_MAX_CONCURRENCY`).
    pub max_concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS),
            budget: Duration::from_millis(DEFAULT_BUDGET_MS),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
        }
    }
}

pub const DEFAULT_TIMEOUT_MS: u64 = 20_000;
pub const DEFAULT_BUDGET_MS: u64 = 45_000;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
pub const DEFAULT_MAX_CONCURRENCY: usize = 4;
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";

/// Everything needed to consult a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistConfig {
    pub provider: Provider,
    /// The model (for Azure, the deployment name; for Bedrock, a model or inference profile
    /// id or ARN).
    pub model: String,
    /// The API's base URL; for Bedrock an endpoint override (VPC endpoint, tests). `None`:
    /// the provider's public endpoint.
    pub base_url: Option<String>,
    pub auth_header: AuthHeader,
    pub max_tokens_field: MaxTokensField,
    /// Bedrock only: the region of the model, when it is not the function's.
    pub region: Option<String>,
    pub key: KeySource,
    pub limits: Limits,
}

impl AssistConfig {
    /// A configuration with the defaults: the provider's public endpoint, no key, default
    /// limits.
    pub fn new(provider: Provider, model: impl Into<String>) -> Self {
        Self {
            provider,
            model: model.into(),
            base_url: None,
            auth_header: AuthHeader::default(),
            max_tokens_field: MaxTokensField::default(),
            region: None,
            key: KeySource::None,
            limits: Limits::default(),
        }
    }

    /// The configuration from the process environment; `Ok(None)` when assistance is off
    /// (`LLM_PROVIDER` unset, empty or `none`).
    pub fn from_env(plain_keys: PlainKeys) -> Result<Option<Self>, AssistError> {
        Self::from_lookup(plain_keys, |name| std::env::var(name).ok())
    }

    /// The configuration from any variable lookup (the environment, or a map in tests).
    pub fn from_lookup(
        plain_keys: PlainKeys,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, AssistError> {
        let var = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let provider = match var("LLM_PROVIDER")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("none") => return Ok(None),
            Some("openai") => Provider::OpenAi,
            Some("anthropic") => Provider::Anthropic,
            Some("bedrock") => Provider::Bedrock,
            Some(other) => {
                return Err(config_error(
                    "LLM_PROVIDER",
                    format!("`{other}` is not a provider: use openai, anthropic, bedrock or none"),
                ))
            }
        };
        let model = var("LLM_MODEL").ok_or_else(|| {
            config_error(
                "LLM_MODEL",
                format!("required with LLM_PROVIDER={provider}"),
            )
        })?;
        let base_url = var("LLM_BASE_URL")
            .map(|url| check_base_url(&url).map(|()| url))
            .transpose()?;

        let only_for_openai = |name: &'static str| {
            if provider != Provider::OpenAi && var(name).is_some() {
                Err(config_error(
                    name,
                    format!("applies to LLM_PROVIDER=openai only, not {provider}"),
                ))
            } else {
                Ok(())
            }
        };
        only_for_openai("LLM_AUTH_HEADER")?;
        only_for_openai("LLM_MAX_TOKENS_FIELD")?;
        let auth_header = match var("LLM_AUTH_HEADER")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("bearer") | Some("authorization") => AuthHeader::Bearer,
            Some("api-key") => AuthHeader::ApiKey,
            Some(other) => {
                return Err(config_error(
                    "LLM_AUTH_HEADER",
                    format!("`{other}` is not a header: use bearer or api-key"),
                ))
            }
        };
        let max_tokens_field = match var("LLM_MAX_TOKENS_FIELD").as_deref() {
            None | Some("max_completion_tokens") => MaxTokensField::MaxCompletionTokens,
            Some("max_tokens") => MaxTokensField::MaxTokens,
            Some(other) => {
                return Err(config_error(
                    "LLM_MAX_TOKENS_FIELD",
                    format!("`{other}` is not a field: use max_completion_tokens or max_tokens"),
                ))
            }
        };
        let region = var("LLM_REGION");
        if region.is_some() && provider != Provider::Bedrock {
            return Err(config_error(
                "LLM_REGION",
                format!("applies to LLM_PROVIDER=bedrock only, not {provider}"),
            ));
        }

        let limits = Limits {
            request_timeout: Duration::from_millis(number(
                &var,
                "LLM_TIMEOUT_MS",
                DEFAULT_TIMEOUT_MS,
                1..=600_000,
            )?),
            budget: Duration::from_millis(number(
                &var,
                "LLM_BUDGET_MS",
                DEFAULT_BUDGET_MS,
                1..=900_000,
            )?),
            max_attempts: number(&var, "LLM_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1..=10)?,
            max_concurrency: number(
                &var,
                "LLM_MAX_CONCURRENCY",
                DEFAULT_MAX_CONCURRENCY,
                1..=256,
            )?,
        };

        let key = key_source(provider, base_url.is_some(), plain_keys, &var)?;
        Ok(Some(Self {
            provider,
            model,
            base_url,
            auth_header,
            max_tokens_field,
            region,
            key,
            limits,
        }))
    }
}

fn config_error(variable: &'static str, problem: impl Into<String>) -> AssistError {
    AssistError::Config {
        variable,
        problem: problem.into(),
    }
}

fn check_base_url(url: &str) -> Result<(), AssistError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {
            if !parsed.username().is_empty() || parsed.password().is_some() {
                // A key in the URL would end up wherever URLs are logged.
                return Err(config_error(
                    "LLM_BASE_URL",
                    "must not carry credentials: use the key settings",
                ));
            }
            Ok(())
        }
        _ => Err(config_error(
            "LLM_BASE_URL",
            format!("`{url}` is not an http(s) URL"),
        )),
    }
}

fn number<T>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, AssistError>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let Some(text) = var(name) else {
        return Ok(default);
    };
    match text.parse::<T>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(config_error(
            name,
            format!(
                "`{text}` is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

/// The plain key variables a provider's key may come from, most specific last.
fn plain_key_variables(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::OpenAi => &["LLM_API_KEY", "OPENAI_API_KEY"],
        Provider::Anthropic => &["LLM_API_KEY", "ANTHROPIC_API_KEY"],
        Provider::Bedrock => &["LLM_API_KEY"],
    }
}

fn key_source(
    provider: Provider,
    has_base_url: bool,
    plain_keys: PlainKeys,
    var: &impl Fn(&str) -> Option<String>,
) -> Result<KeySource, AssistError> {
    let secret = var("LLM_API_KEY_SECRET_ARN");
    let parameter = var("LLM_API_KEY_PARAMETER");
    let plain = plain_key_variables(provider)
        .iter()
        .find_map(|name| var(name).map(|value| (*name, value)));

    if plain_keys == PlainKeys::Refused {
        if let Some((name, _)) = &plain {
            return Err(config_error(
                name,
                "not read here: a key in the function's environment is readable with its \
                 configuration; put it in Secrets Manager (LLM_API_KEY_SECRET_ARN) or SSM \
                 Parameter Store (LLM_API_KEY_PARAMETER) and remove this variable",
            ));
        }
    }
    let source = match (secret, parameter) {
        (Some(_), Some(_)) => {
            return Err(config_error(
                "LLM_API_KEY_SECRET_ARN",
                "LLM_API_KEY_PARAMETER is also set: set one of them",
            ))
        }
        (Some(arn), None) => KeySource::SecretsManager(arn),
        (None, Some(name)) => KeySource::Parameter(name),
        (None, None) => match plain {
            Some((name, value)) => {
                KeySource::Plain(ApiKey::new(value).map_err(|e| config_error(name, e))?)
            }
            None => KeySource::None,
        },
    };
    match (provider, &source) {
        (Provider::Bedrock, KeySource::None) => {}
        (Provider::Bedrock, source) => {
            return Err(config_error(
                match source {
                    KeySource::Parameter(_) => "LLM_API_KEY_PARAMETER",
                    KeySource::Plain(_) => "LLM_API_KEY",
                    _ => "LLM_API_KEY_SECRET_ARN",
                },
                "Bedrock signs requests with the function's AWS credentials: set no LLM key",
            ))
        }
        (Provider::Anthropic, KeySource::None) => {
            return Err(config_error(
                "LLM_API_KEY_SECRET_ARN",
                match plain_keys {
                    PlainKeys::Refused => {
                        "Anthropic needs a key: set LLM_API_KEY_SECRET_ARN or LLM_API_KEY_PARAMETER"
                    }
                    PlainKeys::Allowed => {
                        "Anthropic needs a key: set ANTHROPIC_API_KEY, LLM_API_KEY, \
                         LLM_API_KEY_SECRET_ARN or LLM_API_KEY_PARAMETER"
                    }
                },
            ))
        }
        // Without a base URL the server is OpenAI's own, which always needs a key; a local
        // server (Ollama, llama.cpp) may need none.
        (Provider::OpenAi, KeySource::None) if !has_base_url => {
            return Err(config_error(
                "LLM_API_KEY_SECRET_ARN",
                match plain_keys {
                    PlainKeys::Refused => {
                        "OpenAI needs a key: set LLM_API_KEY_SECRET_ARN or LLM_API_KEY_PARAMETER \
                         (or LLM_BASE_URL for a local server that needs none)"
                    }
                    PlainKeys::Allowed => {
                        "OpenAI needs a key: set OPENAI_API_KEY, LLM_API_KEY, \
                         LLM_API_KEY_SECRET_ARN or LLM_API_KEY_PARAMETER (or LLM_BASE_URL for a \
                         local server that needs none)"
                    }
                },
            ))
        }
        _ => {}
    }
    Ok(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(plain: PlainKeys, vars: &[(&str, &str)]) -> Result<Option<AssistConfig>, AssistError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AssistConfig::from_lookup(plain, |name| map.get(name).cloned())
    }

    fn error(plain: PlainKeys, vars: &[(&str, &str)]) -> String {
        match parse(plain, vars) {
            Err(e) => e.to_string(),
            Ok(c) => panic!("expected an error for {vars:?}, got {c:?}"),
        }
    }

    #[test]
    fn assistance_is_off_unless_a_provider_is_named() {
        assert_eq!(parse(PlainKeys::Refused, &[]).unwrap(), None);
        assert_eq!(
            parse(PlainKeys::Refused, &[("LLM_PROVIDER", "")]).unwrap(),
            None
        );
        assert_eq!(
            parse(PlainKeys::Refused, &[("LLM_PROVIDER", " none ")]).unwrap(),
            None
        );
        assert_eq!(
            parse(
                PlainKeys::Allowed,
                &[("LLM_PROVIDER", "NONE"), ("LLM_API_KEY", "k")]
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn defaults_and_every_setting() {
        let config = parse(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "anthropic"),
                ("LLM_MODEL", "claude-haiku-4-5"),
                (
                    "LLM_API_KEY_SECRET_ARN",
                    "arn:aws:secretsmanager:eu-west-1:1:secret:k",
                ),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.provider, Provider::Anthropic);
        assert_eq!(config.model, "claude-haiku-4-5");
        assert_eq!(config.base_url, None);
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.limits.request_timeout, Duration::from_secs(20));
        assert_eq!(config.limits.budget, Duration::from_secs(45));
        assert_eq!(config.limits.max_attempts, 3);
        assert_eq!(config.limits.max_concurrency, 4);
        assert_eq!(
            config.key,
            KeySource::SecretsManager("arn:aws:secretsmanager:eu-west-1:1:secret:k".into())
        );

        let config = parse(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "OpenAI"),
                ("LLM_MODEL", "gpt-4o-mini"),
                ("LLM_BASE_URL", "https://bank.openai.azure.com/openai/v1"),
                ("LLM_AUTH_HEADER", "api-key"),
                ("LLM_MAX_TOKENS_FIELD", "max_tokens"),
                ("LLM_TIMEOUT_MS", "5000"),
                ("LLM_BUDGET_MS", "12000"),
                ("LLM_MAX_ATTEMPTS", "2"),
                ("LLM_MAX_CONCURRENCY", "8"),
                ("LLM_API_KEY_PARAMETER", "/compliance/llm-key"),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.provider, Provider::OpenAi);
        assert_eq!(
            config.base_url.as_deref(),
            Some("https://bank.openai.azure.com/openai/v1")
        );
        assert_eq!(config.auth_header, AuthHeader::ApiKey);
        assert_eq!(config.max_tokens_field, MaxTokensField::MaxTokens);
        assert_eq!(
            config.limits,
            Limits {
                request_timeout: Duration::from_secs(5),
                budget: Duration::from_secs(12),
                max_attempts: 2,
                max_concurrency: 8,
            }
        );
        assert_eq!(
            config.key,
            KeySource::Parameter("/compliance/llm-key".into())
        );

        let bedrock = parse(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "bedrock"),
                ("LLM_MODEL", "eu.anthropic.claude-3-haiku-20240307-v1:0"),
                ("LLM_REGION", "eu-central-1"),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(bedrock.key, KeySource::None);
        assert_eq!(bedrock.region.as_deref(), Some("eu-central-1"));
    }

    #[test]
    fn a_local_server_needs_no_key() {
        let config = parse(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "openai"),
                ("LLM_MODEL", "llama3.2"),
                ("LLM_BASE_URL", "http://localhost:11434/v1"),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.key, KeySource::None);
    }

    #[test]
    fn plain_keys_are_read_only_where_allowed() {
        let cli = parse(
            PlainKeys::Allowed,
            &[
                ("LLM_PROVIDER", "anthropic"),
                ("LLM_MODEL", "m"),
                ("ANTHROPIC_API_KEY", "sk-ant-1"),
                ("OPENAI_API_KEY", "sk-openai"),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(cli.key, KeySource::Plain(ApiKey::new("sk-ant-1").unwrap()));
        // LLM_API_KEY comes first.
        let cli = parse(
            PlainKeys::Allowed,
            &[
                ("LLM_PROVIDER", "openai"),
                ("LLM_MODEL", "m"),
                ("LLM_API_KEY", "sk-generic"),
                ("OPENAI_API_KEY", "sk-openai"),
            ],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            cli.key,
            KeySource::Plain(ApiKey::new("sk-generic").unwrap())
        );

        for name in ["LLM_API_KEY", "OPENAI_API_KEY"] {
            let message = error(
                PlainKeys::Refused,
                &[
                    ("LLM_PROVIDER", "openai"),
                    ("LLM_MODEL", "m"),
                    (name, "sk-secret-value"),
                ],
            );
            assert!(message.starts_with(name), "{message}");
            assert!(message.contains("LLM_API_KEY_SECRET_ARN"), "{message}");
            assert!(!message.contains("sk-secret-value"), "{message}");
        }
        // Even beside a managed key: the plain one would still sit in the configuration.
        let message = error(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "anthropic"),
                ("LLM_MODEL", "m"),
                ("LLM_API_KEY_PARAMETER", "/k"),
                ("ANTHROPIC_API_KEY", "sk-ant"),
            ],
        );
        assert!(message.starts_with("ANTHROPIC_API_KEY"), "{message}");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let base = [
            ("LLM_PROVIDER", "openai"),
            ("LLM_MODEL", "m"),
            ("LLM_API_KEY", "k"),
        ];
        let with = |extra: (&'static str, &'static str)| {
            let mut vars = base.to_vec();
            vars.push(extra);
            error(PlainKeys::Allowed, &vars)
        };
        for (name, value) in [
            ("LLM_TIMEOUT_MS", "20s"),
            ("LLM_TIMEOUT_MS", "0"),
            ("LLM_BUDGET_MS", "-1"),
            ("LLM_MAX_ATTEMPTS", "0"),
            ("LLM_MAX_ATTEMPTS", "11"),
            ("LLM_MAX_CONCURRENCY", "many"),
            ("LLM_BASE_URL", "api.openai.com"),
            ("LLM_BASE_URL", "ftp://example.com"),
            ("LLM_AUTH_HEADER", "basic"),
            ("LLM_MAX_TOKENS_FIELD", "n_predict"),
        ] {
            let message = with((name, value));
            assert!(message.starts_with(name), "{name}={value}: {message}");
        }
        let message = with(("LLM_BASE_URL", "https://user:sk-key@example.com/v1"));
        assert!(message.starts_with("LLM_BASE_URL"), "{message}");
        assert!(!message.contains("sk-key"), "{message}");

        let message = error(PlainKeys::Refused, &[("LLM_PROVIDER", "gemini")]);
        assert!(message.starts_with("LLM_PROVIDER"), "{message}");
        let message = error(PlainKeys::Refused, &[("LLM_PROVIDER", "bedrock")]);
        assert!(message.starts_with("LLM_MODEL"), "{message}");
        let message = error(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "anthropic"),
                ("LLM_MODEL", "m"),
                ("LLM_AUTH_HEADER", "api-key"),
            ],
        );
        assert!(message.starts_with("LLM_AUTH_HEADER"), "{message}");
        let message = error(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "openai"),
                ("LLM_MODEL", "m"),
                ("LLM_REGION", "us-east-1"),
                ("LLM_BASE_URL", "http://localhost:8000/v1"),
            ],
        );
        assert!(message.starts_with("LLM_REGION"), "{message}");
        let message = error(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "openai"),
                ("LLM_MODEL", "m"),
                ("LLM_API_KEY_SECRET_ARN", "arn"),
                ("LLM_API_KEY_PARAMETER", "/p"),
            ],
        );
        assert!(message.contains("also set"), "{message}");
    }

    #[test]
    fn missing_or_misplaced_keys_are_refused() {
        let message = error(
            PlainKeys::Refused,
            &[("LLM_PROVIDER", "openai"), ("LLM_MODEL", "m")],
        );
        assert!(message.contains("OpenAI needs a key"), "{message}");
        let message = error(
            PlainKeys::Allowed,
            &[("LLM_PROVIDER", "anthropic"), ("LLM_MODEL", "m")],
        );
        assert!(message.contains("ANTHROPIC_API_KEY"), "{message}");
        let message = error(
            PlainKeys::Refused,
            &[
                ("LLM_PROVIDER", "bedrock"),
                ("LLM_MODEL", "m"),
                ("LLM_API_KEY_PARAMETER", "/p"),
            ],
        );
        assert!(message.starts_with("LLM_API_KEY_PARAMETER"), "{message}");
        assert!(message.contains("AWS credentials"), "{message}");
        let message = error(
            PlainKeys::Allowed,
            &[
                ("LLM_PROVIDER", "openai"),
                ("LLM_MODEL", "m"),
                ("LLM_API_KEY", "two words"),
            ],
        );
        assert!(message.starts_with("LLM_API_KEY"), "{message}");
        assert!(!message.contains("two words"), "{message}");
    }

    #[test]
    fn keys_never_show_in_debug_output() {
        let config = AssistConfig {
            key: KeySource::Plain(ApiKey::new("sk-live-123").unwrap()),
            ..AssistConfig::new(Provider::OpenAi, "m")
        };
        let printed = format!("{config:?}");
        assert!(printed.contains("[redacted]"), "{printed}");
        assert!(!printed.contains("sk-live-123"), "{printed}");
    }
}
