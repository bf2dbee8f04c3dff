//! The API key, read once at cold start from Secrets Manager or SSM Parameter Store. Errors
//! say which setting, which secret and why (the service's error code and message), never the
//! value.

use compliance_aws::runtime::SecretValue;

use crate::config::{ApiKey, KeySource};
use crate::AssistError;

/// The key a source names: `None` for no key.
pub(crate) async fn load(
    source: &KeySource,
    aws: Option<&aws_config::SdkConfig>,
) -> Result<Option<ApiKey>, AssistError> {
    let needs_aws = |setting: &'static str, id: &str| {
        aws.ok_or_else(|| AssistError::Key {
            setting,
            id: id.to_string(),
            problem: "no AWS configuration to read it with".into(),
        })
    };
    match source {
        KeySource::None => Ok(None),
        KeySource::Plain(key) => Ok(Some(key.clone())),
        KeySource::SecretsManager(arn) => {
            const SETTING: &str = "LLM_API_KEY_SECRET_ARN";
            let aws = needs_aws(SETTING, arn)?;
            let problem = |problem: String| AssistError::Key {
                setting: SETTING,
                id: arn.clone(),
                problem,
            };
            let text = read_secret(aws, arn).await.map_err(problem)?;
            key_from_secret(&text).map(Some).map_err(problem)
        }
        KeySource::Parameter(name) => {
            const SETTING: &str = "LLM_API_KEY_PARAMETER";
            let aws = needs_aws(SETTING, name)?;
            let problem = |problem: String| AssistError::Key {
                setting: SETTING,
                id: name.clone(),
                problem,
            };
            let text = read_parameter(aws, name).await.map_err(problem)?;
            ApiKey::new(text).map(Some).map_err(problem)
        }
    }
}

/// The secret's string value (the shared reader of the stack's secrets).
async fn read_secret(aws: &aws_config::SdkConfig, arn: &str) -> Result<String, String> {
    match compliance_aws::runtime::read_secret(aws, arn).await? {
        SecretValue::Text(text) => Ok(text),
        SecretValue::Binary(_) => {
            Err("the secret is binary: store the key as its string value".into())
        }
    }
}

async fn read_parameter(aws: &aws_config::SdkConfig, name: &str) -> Result<String, String> {
    let output = aws_sdk_ssm::Client::new(aws)
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| match e.as_service_error() {
            Some(service) => format!(
                "cannot read the parameter: {}: {}",
                aws_sdk_ssm::error::ProvideErrorMetadata::code(service).unwrap_or("Unknown"),
                aws_sdk_ssm::error::ProvideErrorMetadata::message(service).unwrap_or("")
            ),
            None => format!(
                "cannot read the parameter: {}",
                aws_sdk_ssm::error::DisplayErrorContext(&e)
            ),
        })?;
    output
        .parameter()
        .and_then(|p| p.value())
        .map(str::to_string)
        .ok_or_else(|| "the parameter has no value".into())
}

/// The key in a secret's string: the whole string, or the `api_key` of a JSON object.
pub(crate) fn key_from_secret(text: &str) -> Result<ApiKey, String> {
    let text = text.trim();
    if text.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|_| "the secret looks like JSON but does not parse".to_string())?;
        let key = value
            .get("api_key")
            .and_then(|k| k.as_str())
            .ok_or_else(|| "the secret is JSON without a string `api_key`".to_string())?;
        return ApiKey::new(key);
    }
    ApiKey::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_the_key_or_json_with_it() {
        assert_eq!(key_from_secret(" sk-1\n"), ApiKey::new("sk-1"));
        assert_eq!(
            key_from_secret(r#"{"api_key": "sk-2", "note": "rotated monthly"}"#),
            ApiKey::new("sk-2")
        );
        let missing = key_from_secret(r#"{"key": "sk-3"}"#).unwrap_err();
        assert!(missing.contains("api_key"), "{missing}");
        assert!(!missing.contains("sk-3"), "{missing}");
        assert!(key_from_secret(r#"{"api_key": "sk-4""#).is_err());
        assert!(key_from_secret("   ").is_err());
    }
}
