//! Model assistance, when the deployment turns it on (`LLM_PROVIDER`): the provider and model
//! from `LLM_*` variables, the key from Secrets Manager or SSM (never a plain variable), the
//! policy of which documents to ask about. Read once, at cold start; a bad configuration
//! fails the cold start rather than silently running without the model.

use compliance_assist::{AssistConfig, Assistant, PlainKeys};
use compliance_core::assist::AssistPolicy;

use crate::ProcessorError;

/// The configured assistant and its policy, or `None` when assistance is off (the default).
pub async fn assistance_from_env(
    aws: &aws_config::SdkConfig,
) -> Result<Option<(Assistant, AssistPolicy)>, ProcessorError> {
    let Some(config) = AssistConfig::from_env(PlainKeys::Refused)
        .map_err(|e| ProcessorError::Config(format!("model assistance: {e}")))?
    else {
        return Ok(None);
    };
    let policy = AssistPolicy::from_lookup(|name| std::env::var(name).ok())
        .map_err(|e| ProcessorError::Config(format!("model assistance: {e}")))?;
    let assistant = Assistant::connect(&config, Some(aws))
        .await
        .map_err(|e| ProcessorError::Config(format!("model assistance: {e}")))?;
    tracing::info!(
        below_confidence = policy.below_confidence,
        for_types = ?policy.for_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        max_chars = policy.max_chars,
        "model assistance policy"
    );
    Ok(Some((assistant, policy)))
}
