//! The identity key: the HMAC key of the identity prints that let a customer's documents be
//! compared without storing names, dates of birth or document numbers in clear. It lives in a
//! Secrets Manager secret and is read once, at cold start.

use compliance_core::customer::IdentityKey;

use crate::ProcessorError;

/// Reads the identity key from the secret `arn`. Any failure fails the cold start: prints made
/// without the key, or under another one, could not be compared with the customer's earlier
/// documents. Neither the secret nor any part of it is logged; the key's public fingerprint is.
pub async fn load_identity_key(
    aws: &aws_config::SdkConfig,
    arn: &str,
) -> Result<IdentityKey, ProcessorError> {
    compliance_aws::runtime::load_identity_key(aws, arn)
        .await
        .map_err(ProcessorError::Config)
}
