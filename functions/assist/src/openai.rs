//! OpenAI-compatible chat completions (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp server),
//! with the answer held to the schema by `response_format: json_schema` in strict mode.

use compliance_core::assist::{AssistRequest, ModelReply};
use reqwest::header::{HeaderMap, HeaderName, AUTHORIZATION};
use reqwest::Url;
use serde::Deserialize;
use serde_json::json;

use crate::config::{ApiKey, AssistConfig, AuthHeader, MaxTokensField, DEFAULT_OPENAI_BASE_URL};
use crate::http::{endpoint, post_json, secret_header};
use crate::retry::Failure;
use crate::AssistError;

pub(crate) struct OpenAi {
    http: reqwest::Client,
    url: Url,
    model: String,
    headers: HeaderMap,
    max_tokens_field: MaxTokensField,
}

impl OpenAi {
    pub fn new(
        config: &AssistConfig,
        key: Option<&ApiKey>,
        http: reqwest::Client,
    ) -> Result<Self, AssistError> {
        let base = config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_OPENAI_BASE_URL);
        let mut headers = HeaderMap::new();
        if let Some(key) = key {
            match config.auth_header {
                AuthHeader::Bearer => {
                    headers.insert(
                        AUTHORIZATION,
                        secret_header(&format!("Bearer {}", key.expose()))?,
                    );
                }
                AuthHeader::ApiKey => {
                    headers.insert(
                        HeaderName::from_static("api-key"),
                        secret_header(key.expose())?,
                    );
                }
            }
        }
        Ok(Self {
            http,
            url: endpoint(base, &["chat", "completions"])?,
            model: config.model.clone(),
            headers,
            max_tokens_field: config.max_tokens_field,
        })
    }

    pub fn body(&self, request: &AssistRequest) -> serde_json::Value {
        let mut body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": request.instructions},
                {"role": "user", "content": request.document},
            ],
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": request.schema,
                    "strict": true,
                },
            },
        });
        body[self.max_tokens_field.as_str()] = json!(request.max_output_tokens);
        body
    }

    pub async fn attempt(&self, request: &AssistRequest) -> Result<ModelReply, Failure> {
        let response: Completion = post_json(
            &self.http,
            &self.url,
            self.headers.clone(),
            &self.body(request),
        )
        .await?;
        reply(response)
    }
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

fn reply(response: Completion) -> Result<ModelReply, Failure> {
    let choice = response
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| Failure::permanent("no choice in the response"))?;
    let message = choice.message.unwrap_or(Message {
        content: None,
        refusal: None,
    });
    if let Some(refusal) = message.refusal.filter(|r| !r.trim().is_empty()) {
        // The refusal's words are not recorded: they may quote the document.
        return Err(Failure::permanent(format!(
            "refused: the model declined to answer ({} characters of explanation not recorded)",
            refusal.chars().count()
        )));
    }
    match choice.finish_reason.as_deref() {
        Some("length") => {
            return Err(Failure::permanent(
                "the answer was cut at the output token limit (finish_reason length)",
            ))
        }
        Some("content_filter") => {
            return Err(Failure::permanent(
                "the provider's content filter stopped the answer",
            ))
        }
        _ => {}
    }
    let answer = message
        .content
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| Failure::permanent("no answer in the response (empty message content)"))?;
    let usage = response.usage;
    Ok(ModelReply {
        answer,
        input_tokens: usage.as_ref().and_then(|u| u.prompt_tokens),
        output_tokens: usage.as_ref().and_then(|u| u.completion_tokens),
    })
}
