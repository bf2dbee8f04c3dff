//! The audit API: read-only HTTP routes over the audit table, behind an API Gateway HTTP API
//! whose routes require IAM (SigV4) authorisation.
//!
//! - `GET /customers/{id}`: the customer view (`schemas/customer.schema.json`).
//! - `GET /documents/{document_id}`: one document's audit record.
//!
//! Every lookup is a GetItem on a known key; nothing scans the table.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue};
use compliance_aws::{DynamoAuditStore, DynamoClient};
use compliance_core::customer::validate_customer_id;
use compliance_core::ports::{CustomerStore, PortError, Retry};
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("configuration: {0}")]
    Config(String),
}

/// Configuration read once at cold start.
#[derive(Debug, Clone)]
pub struct Config {
    pub audit_table: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ApiError> {
        let audit_table = std::env::var("AUDIT_TABLE")
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::Config("AUDIT_TABLE is not set".into()))?;
        Ok(Self { audit_table })
    }
}

pub struct AuditApi {
    store: DynamoAuditStore,
}

impl AuditApi {
    pub fn new(config: &Config, aws: &aws_config::SdkConfig) -> Self {
        Self::with_client(DynamoClient::new(aws), &config.audit_table)
    }

    pub fn with_client(client: DynamoClient, table: &str) -> Self {
        Self {
            store: DynamoAuditStore::new(client, table),
        }
    }

    /// Answers one request. Failures are HTTP statuses, never a failed invocation: API
    /// Gateway would turn those into an opaque 500.
    pub async fn handle(&self, request: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
        // API Gateway enforces IAM on every route; a request without a caller identity did not
        // come through it.
        if request
            .request_context
            .authorizer
            .as_ref()
            .and_then(|a| a.iam.as_ref())
            .is_none()
        {
            return respond(403, &json!({"error": "IAM authorisation required"}));
        }
        let method = request.request_context.http.method.as_str().to_string();
        let path = request.raw_path.clone().unwrap_or_default();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (status, body) = match (method.as_str(), segments.as_slice()) {
            ("GET", ["customers", id]) => self.customer(id).await,
            ("GET", ["documents", id]) => self.document(id).await,
            ("GET", _) => (404, json!({"error": "no such route"})),
            _ => (405, json!({"error": "only GET is served"})),
        };
        tracing::info!(
            method,
            route = segments.first().copied().unwrap_or(""),
            status,
            "request"
        );
        respond(status, &body)
    }

    async fn customer(&self, id: &str) -> (i64, Value) {
        let id = match validate_customer_id(id) {
            Ok(id) => id,
            Err(e) => return (400, json!({"error": e})),
        };
        match self.store.customer_view(&id).await {
            Ok(Some(view)) => match serde_json::to_value(&view) {
                Ok(v) => (200, v),
                Err(e) => (500, json!({"error": e.to_string()})),
            },
            Ok(None) => (
                404,
                json!({"error": format!("no documents recorded for customer {id}")}),
            ),
            Err(e) => port_failure(&e),
        }
    }

    async fn document(&self, id: &str) -> (i64, Value) {
        let well_formed = id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit());
        if !well_formed {
            return (400, json!({"error": "a document id is 32 hex characters"}));
        }
        match self.store.get(id).await {
            Ok(Some(record)) => match serde_json::to_value(&record) {
                Ok(v) => (200, v),
                Err(e) => (500, json!({"error": e.to_string()})),
            },
            Ok(None) => (404, json!({"error": "no such document"})),
            Err(e) => port_failure(&e),
        }
    }
}

fn port_failure(e: &PortError) -> (i64, Value) {
    tracing::warn!(operation = e.operation, retry = ?e.retry, "store failure");
    match e.retry {
        Retry::Transient => (
            503,
            json!({"error": "the audit table is unavailable; retry"}),
        ),
        Retry::Permanent => (500, json!({"error": e.operation})),
    }
}

fn respond(status: i64, body: &Value) -> ApiGatewayV2httpResponse {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = status;
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response
}
