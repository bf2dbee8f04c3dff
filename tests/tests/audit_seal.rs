//! Sealed audit records on moto: every record the processor stores is sealed once in a
//! versioned bucket with Object Lock (compliance mode), a locked copy cannot be deleted, a
//! redelivery adds no second copy, a record changed in the table afterwards is shown as
//! altered by the audit API and refused by the next delivery, and a record whose seal was
//! lost (the function died in between) is sealed by the redelivery. The template's side (the
//! bucket's lock and policy, and roles that can write a copy once and never change one) is
//! checked on the template itself, as CloudFormation reads it (cfn-lint's decoder).

mod common;

use std::time::Duration;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::types::ObjectLockMode;
use common::{load_event, sample_document, ten_at_once, Stack, ARCHIVE_RETENTION_DAYS};
use serde_json::Value;

const QUIET: Duration = Duration::from_secs(2);
const DOCUMENT: &str = "kyc-application-moreno.txt";

fn seal_request(document_id: &str) -> ApiGatewayV2httpRequest {
    let path = format!("/documents/{document_id}/seal");
    let mut event = load_event("apigw-get-customer.json");
    event["rawPath"] = Value::from(path.as_str());
    event["requestContext"]["http"]["path"] = Value::from(path.as_str());
    serde_json::from_value(event).expect("an API Gateway HTTP API event")
}

fn body(response: &ApiGatewayV2httpResponse) -> Value {
    match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    }
}

/// The versions of the sealed copy of `document_id`.
async fn sealed_versions(stack: &Stack, document_id: &str) -> Vec<String> {
    let key = format!("records/{document_id}.json");
    stack
        .s3
        .list_object_versions()
        .bucket(&stack.archive_bucket)
        .prefix(&key)
        .send()
        .await
        .expect("list versions")
        .versions()
        .iter()
        .filter(|v| v.key() == Some(key.as_str()))
        .filter_map(|v| v.version_id().map(str::to_string))
        .collect()
}

/// The current version of a sealed copy, as JSON.
async fn sealed_copy(stack: &Stack, key: &str) -> Value {
    let bytes = stack
        .s3
        .get_object()
        .bucket(&stack.archive_bucket)
        .key(key)
        .send()
        .await
        .expect("get copy")
        .body
        .collect()
        .await
        .expect("copy body")
        .into_bytes();
    serde_json::from_slice(&bytes).expect("the copy is JSON")
}

/// Uploads the sample document and returns its S3 event.
async fn upload(stack: &Stack) -> Value {
    stack
        .upload(&format!("incoming/{DOCUMENT}"), sample_document(DOCUMENT))
        .await
}

async fn seal_status(stack: &Stack, document_id: &str) -> Value {
    let api = stack.audit_api(None).await;
    let response = api.handle(seal_request(document_id)).await;
    assert_eq!(response.status_code, 200, "{:?}", response.body);
    body(&response)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_record_is_sealed_once_in_a_locked_copy_that_cannot_be_deleted() {
    let stack = Stack::create().await;
    let event = upload(&stack).await;
    let processor = std::sync::Arc::new(stack.processor());
    let first = processor.handle_event(event.clone()).await.expect("first");
    let document_id = first["documents"][0]["document_id"]
        .as_str()
        .expect("document id")
        .to_string();

    let versions = sealed_versions(&stack, &document_id).await;
    assert_eq!(versions.len(), 1, "one sealed copy");
    let key = format!("records/{document_id}.json");
    // Read from the object's headers: moto answers GetObjectRetention with a version id
    // with the object itself.
    let head = stack
        .s3
        .head_object()
        .bucket(&stack.archive_bucket)
        .key(&key)
        .version_id(&versions[0])
        .send()
        .await
        .expect("head copy");
    assert_eq!(
        head.object_lock_mode(),
        Some(&ObjectLockMode::Compliance),
        "the copy is under retention in compliance mode"
    );
    let until = head
        .object_lock_retain_until_date()
        .expect("retain until")
        .secs();
    let expected = chrono::Utc::now().timestamp() + i64::from(ARCHIVE_RETENTION_DAYS) * 86_400;
    assert!(
        (until - expected).abs() < 2 * 86_400,
        "kept {ARCHIVE_RETENTION_DAYS} days from now"
    );

    // The copy is the record: what the audit API compares, field by field.
    let stored = stack.items().await;
    assert_eq!(stored.len(), 1);
    let copy = sealed_copy(&stack, &key).await;
    assert_eq!(copy["format"], 1);
    assert_eq!(copy["record"]["document_id"], document_id.as_str());
    assert_eq!(copy["record"]["decision"], stored[0]["decision"]);
    assert_eq!(copy["record"]["alert"]["required"], true);
    assert!(copy["record"]["alert"].get("status").is_none());
    let status = seal_status(&stack, &document_id).await;
    assert_eq!(status["status"], "intact", "{status}");
    assert_eq!(status["versions"], 1);
    assert_eq!(status["key"], key.as_str());

    // Redeliveries, one and then ten at once, find the copy and write no other.
    processor.handle_event(event.clone()).await.expect("again");
    for result in ten_at_once(&processor, &event).await {
        result.expect("concurrent delivery");
    }
    let after = sealed_versions(&stack, &document_id).await;
    assert!(
        after.contains(&versions[0]),
        "the first copy is still there"
    );
    assert_eq!(seal_status(&stack, &document_id).await["status"], "intact");
    assert_eq!(stack.alerts(QUIET).await.len(), 1, "one alert");

    // Object Lock: the locked version cannot be deleted.
    let deleted = stack
        .s3
        .delete_object()
        .bucket(&stack.archive_bucket)
        .key(&key)
        .version_id(&versions[0])
        .send()
        .await;
    let err = deleted.expect_err("a locked version cannot be deleted");
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied"),
        "{err:?}"
    );
    assert!(sealed_versions(&stack, &document_id)
        .await
        .contains(&versions[0]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_changed_in_the_table_is_shown_altered_and_refused_by_the_next_delivery() {
    let stack = Stack::create().await;
    let event = upload(&stack).await;
    let processor = stack.processor();
    let first = processor.handle_event(event.clone()).await.expect("first");
    let document_id = first["documents"][0]["document_id"]
        .as_str()
        .expect("document id")
        .to_string();
    let decision = stack.items().await[0]["decision"].clone();
    assert_ne!(decision, "approved", "the sample fails screening");

    // What the processor's role could do with UpdateItem: approve the document in place.
    stack
        .dynamodb
        .update_item()
        .table_name(&stack.table)
        .key(
            "pk",
            AttributeValue::S(compliance_aws::document_pk(&document_id)),
        )
        .key("sk", AttributeValue::S(compliance_aws::RECORD_SK.into()))
        .update_expression("SET decision = :approved, reasons = :none")
        .expression_attribute_values(":approved", AttributeValue::S("approved".into()))
        .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
        .send()
        .await
        .expect("update the record in place");

    let status = seal_status(&stack, &document_id).await;
    assert_eq!(status["status"], "altered", "{status}");
    assert_eq!(status["fields"], serde_json::json!(["decision", "reasons"]));
    // The sealed copy still says what was decided.
    let key = format!("records/{document_id}.json");
    let copy = sealed_copy(&stack, &key).await;
    assert_eq!(copy["record"]["decision"], decision);

    // A redelivery does not pass over it: a permanent error (dead-letter queue, alarm).
    let err = processor
        .handle_event(event)
        .await
        .expect_err("a record that differs from its seal fails the delivery");
    assert!(!err.retryable(), "{err}");
    assert!(
        err.to_string().contains("differs from its sealed copy"),
        "{err}"
    );
    assert_eq!(sealed_versions(&stack, &document_id).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_whose_seal_was_lost_is_sealed_by_the_redelivery() {
    let stack = Stack::create().await;
    let event = upload(&stack).await;
    // The function died after storing the record and before sealing it: stored unsealed.
    let unsealed = processor::Processor::new(
        &processor::Config {
            audit_archive_bucket: None,
            ..stack.processor_config()
        },
        &stack.config,
    )
    .expect("processor");
    let first = unsealed.handle_event(event.clone()).await.expect("first");
    let document_id = first["documents"][0]["document_id"]
        .as_str()
        .expect("document id")
        .to_string();
    assert!(sealed_versions(&stack, &document_id).await.is_empty());
    assert_eq!(seal_status(&stack, &document_id).await["status"], "missing");

    stack
        .processor()
        .handle_event(event)
        .await
        .expect("redelivery");
    assert_eq!(sealed_versions(&stack, &document_id).await.len(), 1);
    assert_eq!(seal_status(&stack, &document_id).await["status"], "intact");
    assert_eq!(stack.items().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn seal_route_refuses_bad_ids_and_unknown_documents() {
    let stack = Stack::create().await;
    let api = stack.audit_api(None).await;
    let response = api.handle(seal_request("not-an-id")).await;
    assert_eq!(response.status_code, 400);
    let response = api
        .handle(seal_request("0123456789abcdef0123456789abcdef"))
        .await;
    assert_eq!(response.status_code, 404);
    let unsealed = audit_api::AuditApi::load(
        &audit_api::Config {
            audit_archive_bucket: None,
            ..stack.audit_api_config()
        },
        &stack.config,
    )
    .await
    .expect("api");
    let response = unsealed
        .handle(seal_request("0123456789abcdef0123456789abcdef"))
        .await;
    assert_eq!(response.status_code, 404);
    assert!(body(&response)["error"]
        .as_str()
        .is_some_and(|e| e.contains("not sealed")));
}

/// template.yaml as CloudFormation reads it (intrinsic functions as `Fn::*` objects), decoded
/// by cfn-lint, which `scripts/setup.sh` installs into `.venv` beside moto.
fn template() -> Value {
    let python = common::workspace_root().join(".venv/bin/python");
    let output = std::process::Command::new(&python)
        .arg("-c")
        .arg(
            "import json, sys\n\
             from cfnlint.decode import decode\n\
             template, problems = decode(sys.argv[1])\n\
             assert not problems, problems\n\
             print(json.dumps(template))",
        )
        .arg(common::workspace_root().join("template.yaml"))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup.sh)", python.display()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("template as JSON")
}

/// The statements of a role's inline policies, conditional ones (`Fn::If`) with both sides.
fn role_statements(template: &Value, role: &str) -> Vec<Value> {
    let policies = template["Resources"][role]["Properties"]["Policies"]
        .as_array()
        .unwrap_or_else(|| panic!("{role} has inline policies"));
    let mut statements = Vec::new();
    for policy in policies {
        for statement in policy["PolicyDocument"]["Statement"]
            .as_array()
            .expect("statements")
        {
            match statement.get("Fn::If") {
                Some(branches) => statements.extend(
                    branches
                        .as_array()
                        .expect("Fn::If")
                        .iter()
                        .skip(1)
                        .filter(|b| b.get("Effect").is_some())
                        .cloned(),
                ),
                None => statements.push(statement.clone()),
            }
        }
    }
    statements
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        other => panic!("unexpected Action {other}"),
    }
}

/// Whether a statement's resources name the archive bucket (`AuditArchiveBucket`).
fn names_archive(statement: &Value) -> bool {
    statement["Resource"]
        .to_string()
        .contains("AuditArchiveBucket")
}

#[test]
fn template_seals_records_in_a_locked_bucket_that_no_function_can_change() {
    let template = template();
    let bucket = &template["Resources"]["AuditArchiveBucket"];
    assert_eq!(bucket["DeletionPolicy"], "Retain");
    let properties = &bucket["Properties"];
    assert_eq!(properties["ObjectLockEnabled"], true);
    assert_eq!(properties["VersioningConfiguration"]["Status"], "Enabled");
    let retention = &properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"];
    assert_eq!(retention["Mode"]["Ref"], "AuditArchiveLockMode");
    assert_eq!(retention["Days"]["Ref"], "AuditArchiveRetentionDays");
    let parameters = &template["Parameters"];
    assert_eq!(parameters["AuditArchiveLockMode"]["Default"], "COMPLIANCE");
    let days = parameters["AuditArchiveRetentionDays"]["Default"]
        .as_i64()
        .or_else(|| {
            parameters["AuditArchiveRetentionDays"]["Default"]
                .as_str()
                .and_then(|d| d.parse().ok())
        })
        .expect("default retention");
    assert!(days >= 1827, "at least five years by default");
    assert_eq!(
        properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "aws:kms"
    );

    // The bucket policy: TLS only, writes only if the key is new, no deletes for anyone.
    let policy = &template["Resources"]["AuditArchiveBucketPolicy"]["Properties"];
    assert_eq!(policy["Bucket"]["Ref"], "AuditArchiveBucket");
    let statements = policy["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    let denied = |action: &str, condition: Option<&str>| {
        statements.iter().any(|s| {
            s["Effect"] == "Deny"
                && s["Principal"] == "*"
                && actions(s).iter().any(|a| a == action)
                && condition.is_none_or(|c| s["Condition"].to_string().contains(c))
        })
    };
    assert!(denied("s3:PutObject", Some("s3:if-none-match")));
    assert!(denied("s3:*", Some("aws:SecureTransport")));
    for action in [
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:BypassGovernanceRetention",
    ] {
        assert!(
            statements.iter().any(|s| s["Effect"] == "Deny"
                && s["Principal"] == "*"
                && s.get("Condition").is_none()
                && actions(s).iter().any(|a| a == action)),
            "{action} is denied to everyone, unconditionally"
        );
    }

    // The functions that write records seal them, and may only add copies.
    let writes = ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"];
    for (role, function, may_write) in [
        ("ProcessorFunctionRole", "ProcessorFunction", true),
        ("RescreenFunctionRole", "RescreenFunction", true),
        ("AuditApiFunctionRole", "AuditApiFunction", false),
    ] {
        let env = &template["Resources"][function]["Properties"]["Environment"]["Variables"];
        assert_eq!(
            env["AUDIT_ARCHIVE_BUCKET"]["Ref"], "AuditArchiveBucket",
            "{function}"
        );
        let on_archive: Vec<Value> = role_statements(&template, role)
            .into_iter()
            .filter(names_archive)
            .collect();
        assert!(!on_archive.is_empty(), "{role}");
        for statement in &on_archive {
            assert_eq!(statement["Effect"], "Allow", "{role}");
            for action in actions(statement) {
                let allowed = action == "s3:ListBucketVersions"
                    || (may_write && writes.contains(&action.as_str()))
                    || (!may_write
                        && ["s3:GetObject", "s3:GetObjectVersion"].contains(&action.as_str()));
                assert!(allowed, "{role} may not {action} on the archive");
            }
            if actions(statement)
                .iter()
                .any(|a| a.starts_with("s3:Put") || a.starts_with("s3:Get"))
            {
                let resource = statement["Resource"].to_string();
                assert!(
                    resource.contains("/records/*"),
                    "{role}: only records/: {resource}"
                );
            }
        }
        assert_eq!(
            on_archive
                .iter()
                .any(|s| actions(s).iter().any(|a| a == "s3:PutObject")),
            may_write,
            "{role}"
        );
    }

    // No role of the stack can delete, unlock or reconfigure the archive, nor act on every
    // resource with S3 (a wildcard would reach the archive).
    let resources = template["Resources"].as_object().expect("resources");
    for (name, resource) in resources {
        if resource["Type"] != "AWS::IAM::Role" {
            continue;
        }
        for statement in role_statements(&template, name) {
            for action in actions(&statement) {
                let forbidden = action == "s3:*"
                    || action.starts_with("s3:Delete")
                    || action == "s3:BypassGovernanceRetention"
                    || action == "s3:PutObjectRetention"
                    || action == "s3:PutBucketObjectLockConfiguration"
                    || action == "s3:PutBucketPolicy"
                    || action == "s3:PutLifecycleConfiguration";
                assert!(
                    !(forbidden && (names_archive(&statement) || statement["Resource"] == "*")),
                    "{name} may {action} on the archive"
                );
            }
        }
    }
}
