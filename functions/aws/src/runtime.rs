//! What every Lambda of the stack does at cold start: JSON logs, and secrets read once.

use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata};

/// JSON logs (CloudWatch parses them), filtered by `RUST_LOG` (see [`log_filter`]), no
/// timestamps (Lambda adds them). Every function calls this first.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(log_filter(&std::env::var("RUST_LOG").unwrap_or_default()))
        .with_current_span(false)
        .without_time()
        .init();
}

/// The AWS SDK's crates log whole request and response bodies at TRACE: audit records,
/// screening subjects with names in clear, secrets. They are held at DEBUG whatever
/// `RUST_LOG` says, so that turning the stack's `LogLevel` to `trace` cannot put personal data
/// in the logs.
const SDK_TARGETS: &[&str] = &[
    "aws_config",
    "aws_runtime",
    "aws_sigv4",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_types",
    "aws_sdk_bedrockruntime",
    "aws_sdk_dynamodb",
    "aws_sdk_s3",
    "aws_sdk_secretsmanager",
    "aws_sdk_sns",
    "aws_sdk_sqs",
    "aws_sdk_ssm",
    "aws_sdk_textract",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
];

/// The filter of `directives` (`RUST_LOG` syntax; invalid ones are ignored, empty means
/// `info`), with the AWS SDK and HTTP crates capped at DEBUG.
pub fn log_filter(directives: &str) -> tracing_subscriber::EnvFilter {
    let directives = if directives.trim().is_empty() {
        "info"
    } else {
        directives
    };
    let mut filter = tracing_subscriber::EnvFilter::builder().parse_lossy(directives);
    for target in SDK_TARGETS {
        let cap = format!("{target}=debug");
        if let Ok(directive) = cap.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// A secret's value, as stored.
pub enum SecretValue {
    Text(String),
    Binary(Vec<u8>),
}

/// Reads a Secrets Manager secret. The error says why (the service's code and message, or
/// the transport failure) and never contains the value; the caller names the setting.
pub async fn read_secret(aws: &aws_config::SdkConfig, arn: &str) -> Result<SecretValue, String> {
    let output = aws_sdk_secretsmanager::Client::new(aws)
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| match e.as_service_error() {
            Some(service) => format!(
                "cannot read the secret: {}: {}",
                service.code().unwrap_or("Unknown"),
                service.message().unwrap_or("")
            ),
            None => format!("cannot read the secret: {}", DisplayErrorContext(&e)),
        })?;
    match (output.secret_string(), output.secret_binary()) {
        (Some(text), _) => Ok(SecretValue::Text(text.to_string())),
        (None, Some(blob)) => Ok(SecretValue::Binary(blob.as_ref().to_vec())),
        (None, None) => Err("the secret has no value".to_string()),
    }
}

/// The identity key (HMAC key of the identity prints) from its secret, read once at cold
/// start: its string value (hex, or a long random string such as CloudFormation generates) or
/// its binary value. Only the key's public fingerprint is logged. The error names the setting.
pub async fn load_identity_key(
    aws: &aws_config::SdkConfig,
    arn: &str,
) -> Result<compliance_core::customer::IdentityKey, String> {
    use compliance_core::customer::IdentityKey;
    let key = match read_secret(aws, arn)
        .await
        .map_err(|e| format!("IDENTITY_KEY_SECRET_ARN {arn}: {e}"))?
    {
        SecretValue::Text(text) => IdentityKey::from_text(&text),
        SecretValue::Binary(bytes) => IdentityKey::from_bytes(&bytes),
    }
    .map_err(|e| format!("IDENTITY_KEY_SECRET_ARN {arn}: not a usable identity key: {e}"))?;
    tracing::info!(identity_key = key.id(), "identity key loaded");
    Ok(key)
}
