//! The audit API's handler against moto's DynamoDB: the customer view and a document's file
//! by key, the errors a caller can get, and the refusal of requests that did not come through
//! API Gateway's IAM authorisation (cases and record queries: tests/cases.rs). Requests are the API Gateway HTTP API event in
//! `events/apigw-get-customer.json`, with the path changed per case.

mod common;

use audit_api::AuditApi;
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use common::{load_event, s3_event, sample_document, Stack};
use compliance_core::customer::KeyPattern;
use serde_json::Value;

fn request(path: &str) -> ApiGatewayV2httpRequest {
    let mut event = load_event("apigw-get-customer.json");
    event["rawPath"] = Value::from(path);
    event["requestContext"]["http"]["path"] = Value::from(path);
    serde_json::from_value(event).expect("an API Gateway HTTP API event")
}

fn body(response: &ApiGatewayV2httpResponse) -> Value {
    match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn customer_and_document_are_served_by_key() {
    let stack = Stack::create().await;
    let processor = processor::Processor::load(
        &processor::Config {
            customer_key_pattern: Some(
                KeyPattern::parse("incoming/{customer_id}/{file}").expect("pattern"),
            ),
            ..stack.processor_config()
        },
        &stack.config,
    )
    .await
    .expect("cold start");
    let key = "incoming/C-100/passport-lindqvist.txt";
    let bytes = sample_document("passport-lindqvist.txt");
    let size = bytes.len() as u64;
    let out = stack
        .s3
        .put_object()
        .bucket(&stack.bucket)
        .key(key)
        .body(bytes.into())
        .send()
        .await
        .expect("put");
    let mut event = s3_event(
        "s3-put.json",
        &stack.bucket,
        out.version_id().unwrap_or_default(),
        out.e_tag().unwrap_or_default().trim_matches('"'),
        size,
    );
    event["Records"][0]["s3"]["object"]["key"] = Value::from(key);
    processor.handle_event(event).await.expect("processed");

    let api = stack.audit_api(None).await;
    let response = api.handle(request("/customers/C-100")).await;
    assert_eq!(response.status_code, 200, "{:?}", response.body);
    let view = body(&response);
    common::assert_conforms(compliance_contract::Output::Customer, &view);
    assert_eq!(view["customer_id"], "C-100");
    assert_eq!(view["status"], "incomplete");
    let document_id = view["documents"][0]["document_id"]
        .as_str()
        .expect("document id")
        .to_string();
    assert_eq!(
        response
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );

    let response = api
        .handle(request(&format!("/documents/{document_id}")))
        .await;
    assert_eq!(response.status_code, 200, "{:?}", response.body);
    let file = body(&response);
    common::assert_conforms(compliance_contract::Output::DocumentFile, &file);
    assert_eq!(file["record"]["customer"]["id"], "C-100");
    // An approved document opens no case.
    assert!(file["case"].is_null(), "{file}");

    // What a caller gets wrong.
    let cases = [
        ("/customers/C-404", 404),
        ("/customers/not%20valid", 400),
        ("/documents/0123456789abcdef0123456789abcdef", 404),
        ("/documents/short", 400),
        ("/nothing", 404),
        ("/cases/0123456789abcdef0123456789abcdef", 404),
    ];
    for (path, status) in cases {
        let response = api.handle(request(path)).await;
        assert_eq!(response.status_code, status, "{path}: {:?}", response.body);
        assert!(body(&response)["error"].is_string(), "{path}");
    }
    let mut post = request("/customers/C-100");
    post.request_context.http.method = aws_lambda_events::http::Method::POST;
    assert_eq!(api.handle(post).await.status_code, 405);

    // A request without IAM authorisation did not come through API Gateway.
    let mut anonymous = request("/customers/C-100");
    anonymous.request_context.authorizer = None;
    assert_eq!(api.handle(anonymous).await.status_code, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_table_is_a_server_error_not_a_crash() {
    let stack = Stack::create().await;
    let api = AuditApi::load(
        &audit_api::Config {
            audit_table: "no-such-table".into(),
            ..stack.audit_api_config()
        },
        &stack.config,
    )
    .await
    .expect("cold start");
    let response = api.handle(request("/customers/C-1")).await;
    // moto answers ResourceNotFoundException: permanent, a server-side misconfiguration.
    assert_eq!(response.status_code, 500, "{:?}", response.body);
    let text = serde_json::to_string(&body(&response)).expect("json");
    assert!(
        !text.contains("C-1"),
        "no request data echoed in errors: {text}"
    );
}
