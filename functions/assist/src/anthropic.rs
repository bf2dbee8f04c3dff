//! Anthropic's Messages API, with the answer held to the schema by a tool the model is made
//! to call: the tool's input is the answer.

use compliance_core::assist::{AssistRequest, ModelReply};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use serde::Deserialize;
use serde_json::json;

use crate::config::{ApiKey, AssistConfig, DEFAULT_ANTHROPIC_BASE_URL};
use crate::http::{endpoint, post_json, secret_header};
use crate::retry::Failure;
use crate::AssistError;

const API_VERSION: &str = "2023-06-01";
pub(crate) const TOOL_DESCRIPTION: &str =
    "Record what kind of document this is, how sure you are, and whom it names.";

pub(crate) struct Anthropic {
    http: reqwest::Client,
    url: Url,
    model: String,
    headers: HeaderMap,
}

impl Anthropic {
    pub fn new(
        config: &AssistConfig,
        key: Option<&ApiKey>,
        http: reqwest::Client,
    ) -> Result<Self, AssistError> {
        let base = config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_ANTHROPIC_BASE_URL);
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(API_VERSION),
        );
        if let Some(key) = key {
            headers.insert(
                HeaderName::from_static("x-api-key"),
                secret_header(key.expose())?,
            );
        }
        Ok(Self {
            http,
            url: endpoint(base, &["v1", "messages"])?,
            model: config.model.clone(),
            headers,
        })
    }

    pub fn body(&self, request: &AssistRequest) -> serde_json::Value {
        json!({
            "model": self.model,
            "max_tokens": request.max_output_tokens,
            "temperature": 0,
            "system": request.instructions,
            "messages": [{"role": "user", "content": request.document}],
            "tools": [{
                "name": request.schema_name,
                "description": TOOL_DESCRIPTION,
                "input_schema": request.schema,
            }],
            "tool_choice": {"type": "tool", "name": request.schema_name},
        })
    }

    pub async fn attempt(&self, request: &AssistRequest) -> Result<ModelReply, Failure> {
        let response: Messages = post_json(
            &self.http,
            &self.url,
            self.headers.clone(),
            &self.body(request),
        )
        .await?;
        reply(response, request.schema_name)
    }
}

#[derive(Deserialize)]
struct Messages {
    #[serde(default)]
    content: Vec<Block>,
    stop_reason: Option<String>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    input: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Usage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
}

fn reply(response: Messages, tool: &str) -> Result<ModelReply, Failure> {
    match response.stop_reason.as_deref() {
        Some("max_tokens") => {
            return Err(Failure::permanent(
                "the answer was cut at the output token limit (stop_reason max_tokens)",
            ))
        }
        Some("refusal") => {
            return Err(Failure::permanent(
                "refused: the model declined to answer (stop_reason refusal)",
            ))
        }
        _ => {}
    }
    let input = response
        .content
        .into_iter()
        .find(|b| b.kind == "tool_use" && b.name.as_deref() == Some(tool))
        .and_then(|b| b.input)
        .ok_or_else(|| {
            Failure::permanent(format!(
                "no {tool} tool call in the response (stop_reason {})",
                response.stop_reason.as_deref().unwrap_or("none")
            ))
        })?;
    let usage = response.usage;
    Ok(ModelReply {
        answer: input.to_string(),
        input_tokens: usage.as_ref().and_then(|u| u.input_tokens),
        output_tokens: usage.as_ref().and_then(|u| u.output_tokens),
    })
}
