//! The identity key: the HMAC key of the identity prints that let a customer's documents be
//! compared without storing names, dates of birth or document numbers in clear. It lives in a
//! Secrets Manager secret and is read once, at cold start.

use compliance_aws::runtime::{read_secret, SecretValue};
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
    let key = match read_secret(aws, arn).await.map_err(config_error)? {
        SecretValue::Text(text) => IdentityKey::from_text(&text),
        SecretValue::Binary(bytes) => IdentityKey::from_bytes(&bytes),
    }
    .map_err(|e| config_error(format!("not a usable identity key: {e}")))?;
    tracing::info!(identity_key = key.id(), "identity key loaded");
    Ok(key)
}
