//! The identity key: the HMAC key of the identity prints that let a customer's documents be
//! compared without storing names, dates of birth or document numbers in clear. It lives in a
//! Secrets Manager secret and is read once, at cold start.

use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata};
use compliance_core::customer::IdentityKey;

use crate::ProcessorError;

/// Reads the identity key from the secret `arn` (its string value: hex, or a long random
/// string such as CloudFormation generates; or its binary value). Any failure fails the cold
/// start: prints made without the key, or under another one, could not be compared with the
/// customer's earlier documents. Neither the secret nor any part of it is logged; the key's
/// public fingerprint is.
pub async fn load_identity_key(
    aws: &aws_config::SdkConfig,
    arn: &str,
) -> Result<IdentityKey, ProcessorError> {
    let config_error =
        |detail: String| ProcessorError::Config(format!("IDENTITY_KEY_SECRET_ARN {arn}: {detail}"));
    let client = aws_sdk_secretsmanager::Client::new(aws);
    let output = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            let detail = match e.as_service_error() {
                Some(service) => format!(
                    "cannot read the secret: {}: {}",
                    service.code().unwrap_or("Unknown"),
                    service.message().unwrap_or("")
                ),
                None => format!("cannot read the secret: {}", DisplayErrorContext(&e)),
            };
            config_error(detail)
        })?;
    let key = match (output.secret_string(), output.secret_binary()) {
        (Some(text), _) => IdentityKey::from_text(text),
        (None, Some(blob)) => IdentityKey::from_bytes(blob.as_ref()),
        (None, None) => Err("the secret has no value".to_string()),
    }
    .map_err(|e| config_error(format!("not a usable identity key: {e}")))?;
    tracing::info!(identity_key = key.id(), "identity key loaded");
    Ok(key)
}
