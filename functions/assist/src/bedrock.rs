//! Amazon Bedrock's Converse API, signed with the function's AWS credentials, with the answer
//! held to the schema by a tool the model is made to call. The SDK's own retries are off: the
//! crate's retry loop applies, as for the other providers.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_bedrockruntime::config::http::HttpResponse;
use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::config::Region;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::{ConverseError, ConverseOutput};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, ConverseOutput as Output, InferenceConfiguration, Message,
    SpecificToolChoice, StopReason, SystemContentBlock, Tool, ToolChoice, ToolConfiguration,
    ToolInputSchema, ToolSpecification,
};
use aws_smithy_types::{Document, Number};
use compliance_core::assist::{AssistRequest, ModelReply};

use crate::anthropic::TOOL_DESCRIPTION;
use crate::config::AssistConfig;
use crate::retry::{is_retryable_status, parse_retry_after, Failure};
use crate::AssistError;

pub(crate) struct Bedrock {
    client: aws_sdk_bedrockruntime::Client,
    model: String,
}

impl Bedrock {
    pub fn new(config: &AssistConfig, aws: &aws_config::SdkConfig) -> Result<Self, AssistError> {
        if aws.region().is_none() && config.region.is_none() {
            return Err(AssistError::Config {
                variable: "LLM_REGION",
                problem: "Bedrock needs a region: set AWS_REGION or LLM_REGION".into(),
            });
        }
        let mut builder = aws_sdk_bedrockruntime::config::Builder::from(aws)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(config.limits.request_timeout.min(Duration::from_secs(10)))
                    .build(),
            );
        if let Some(region) = &config.region {
            builder = builder.region(Region::new(region.clone()));
        }
        if let Some(url) = &config.base_url {
            builder = builder.endpoint_url(url);
        }
        Ok(Self {
            client: aws_sdk_bedrockruntime::Client::from_conf(builder.build()),
            model: config.model.clone(),
        })
    }

    pub async fn attempt(&self, request: &AssistRequest) -> Result<ModelReply, Failure> {
        let built = (|| {
            let message = Message::builder()
                .role(ConversationRole::User)
                .content(ContentBlock::Text(request.document.clone()))
                .build()?;
            let tool = ToolSpecification::builder()
                .name(request.schema_name)
                .description(TOOL_DESCRIPTION)
                .input_schema(ToolInputSchema::Json(to_document(&request.schema)))
                .build()?;
            let tools = ToolConfiguration::builder()
                .tools(Tool::ToolSpec(tool))
                .tool_choice(ToolChoice::Tool(
                    SpecificToolChoice::builder()
                        .name(request.schema_name)
                        .build()?,
                ))
                .build()?;
            Ok::<_, aws_smithy_types::error::operation::BuildError>((message, tools))
        })();
        let (message, tools) =
            built.map_err(|_| Failure::permanent("the Bedrock request could not be built"))?;
        let output = self
            .client
            .converse()
            .model_id(&self.model)
            .system(SystemContentBlock::Text(request.instructions.clone()))
            .messages(message)
            .inference_config(
                InferenceConfiguration::builder()
                    .max_tokens(i32::try_from(request.max_output_tokens).unwrap_or(i32::MAX))
                    .temperature(0.0)
                    .build(),
            )
            .tool_config(tools)
            .send()
            .await
            .map_err(|e| failure(&e))?;
        reply(&output, request.schema_name)
    }
}

fn reply(output: &ConverseOutput, tool: &str) -> Result<ModelReply, Failure> {
    match output.stop_reason() {
        StopReason::MaxTokens => {
            return Err(Failure::permanent(
                "the answer was cut at the output token limit (stopReason max_tokens)",
            ))
        }
        StopReason::GuardrailIntervened | StopReason::ContentFiltered => {
            return Err(Failure::permanent(format!(
                "refused: stopped by a guardrail or content filter (stopReason {})",
                output.stop_reason().as_str()
            )))
        }
        _ => {}
    }
    let input = match output.output() {
        Some(Output::Message(message)) => message.content().iter().find_map(|block| match block {
            ContentBlock::ToolUse(used) if used.name() == tool => Some(used.input()),
            _ => None,
        }),
        _ => None,
    }
    .ok_or_else(|| {
        Failure::permanent(format!(
            "no {tool} tool call in the response (stopReason {})",
            output.stop_reason().as_str()
        ))
    })?;
    let usage = output.usage();
    let count = |n: i32| u64::try_from(n).ok();
    Ok(ModelReply {
        answer: to_json(input).to_string(),
        input_tokens: usage.and_then(|u| count(u.input_tokens())),
        output_tokens: usage.and_then(|u| count(u.output_tokens())),
    })
}

/// A failed call, classified like an HTTP provider's by its status; the error's code (such as
/// `ThrottlingException`) is kept, its message is not.
fn failure(e: &SdkError<ConverseError, HttpResponse>) -> Failure {
    let status = e.raw_response().map(|raw| raw.status().as_u16());
    let retry_after = e
        .raw_response()
        .and_then(|raw| raw.headers().get("retry-after"))
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    match e {
        SdkError::TimeoutError(_) => Failure::transient("timed out"),
        SdkError::DispatchFailure(dispatch) => {
            if dispatch.is_user() {
                Failure::permanent("the Bedrock request could not be sent")
            } else if dispatch.is_timeout() {
                Failure::transient("timed out")
            } else {
                Failure::transient("connection failed")
            }
        }
        SdkError::ServiceError(service) => {
            let code = service
                .err()
                .code()
                .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric()));
            match status {
                // The SDK reports a success it could not parse as a service error.
                Some(status) if (200..300).contains(&status) => {
                    Failure::permanent(format!("malformed response (HTTP {status})"))
                }
                Some(status) => Failure::http(status, code, retry_after),
                None => Failure::permanent(code.unwrap_or("service error").to_string()),
            }
        }
        SdkError::ResponseError(_) => match status {
            Some(status) if is_retryable_status(status) => Failure::http(status, None, retry_after),
            Some(status) => Failure::permanent(format!("malformed response (HTTP {status})")),
            None => Failure::permanent("malformed response"),
        },
        _ => Failure::permanent("the Bedrock request could not be built"),
    }
}

/// JSON as a Smithy document (the tool's input schema).
pub(crate) fn to_document(value: &serde_json::Value) -> Document {
    match value {
        serde_json::Value::Null => Document::Null,
        serde_json::Value::Bool(b) => Document::Bool(*b),
        serde_json::Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        serde_json::Value::String(s) => Document::String(s.clone()),
        serde_json::Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        serde_json::Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

/// A Smithy document as JSON (the tool call's input, the answer).
pub(crate) fn to_json(document: &Document) -> serde_json::Value {
    match document {
        Document::Null => serde_json::Value::Null,
        Document::Bool(b) => serde_json::Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => serde_json::Value::from(*u),
        Document::Number(Number::NegInt(i)) => serde_json::Value::from(*i),
        // A non-finite float has no JSON form; null makes the answer fail validation.
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Document::String(s) => serde_json::Value::String(s.clone()),
        Document::Array(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Document::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<serde_json::Map<_, _>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_survives_the_round_trip_through_a_document() {
        let value = serde_json::json!({
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "number", "minimum": 0, "maximum": 1.5}},
            "n": -3,
            "flag": true,
            "none": null,
            "list": ["x", 2]
        });
        assert_eq!(to_json(&to_document(&value)), value);
    }
}
