//! The audit table as `template.yaml` defines it (keys and indexes), created in the emulator.
//! Shared by the emulator tests and the CLI's `--table` tests (included with `#[path]`), so
//! that there is one copy to keep in step with the template.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};

/// Creates the table `table` with the keys and indexes of `AuditTable` in template.yaml.
pub async fn create_audit_table(dynamodb: &aws_sdk_dynamodb::Client, table: &str) {
    // Same keys as template.yaml.
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key schema")
    };
    let attr = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute")
    };
    // The indexes of template.yaml: records by customer, type, month and decision (the
    // record indexes project the summary attributes), and the sparse open-case queue.
    let summary = || {
        compliance_aws::query::SUMMARY_ATTRIBUTES
            .iter()
            .fold(
                Projection::builder().projection_type(ProjectionType::Include),
                |p, a| p.non_key_attributes(*a),
            )
            .build()
    };
    let all = || {
        Projection::builder()
            .projection_type(ProjectionType::All)
            .build()
    };
    let index = |name: &str, hash: &str, range: &str, projection: Projection| {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash))
            .key_schema(key(range, KeyType::Range))
            .projection(projection)
            .build()
            .expect("index")
    };
    let mut create = dynamodb
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range));
    for name in [
        "pk",
        "sk",
        "customer_id",
        "processed_at",
        "decision",
        "doc_type",
        "month",
        "case_queue",
        "opened_at",
    ] {
        create = create.attribute_definitions(attr(name));
    }
    create
        .global_secondary_indexes(index(
            compliance_aws::BY_CUSTOMER_INDEX,
            "customer_id",
            "processed_at",
            summary(),
        ))
        .global_secondary_indexes(index(
            compliance_aws::query::BY_TYPE_INDEX,
            "doc_type",
            "processed_at",
            summary(),
        ))
        .global_secondary_indexes(index(
            compliance_aws::query::BY_MONTH_INDEX,
            "month",
            "processed_at",
            summary(),
        ))
        .global_secondary_indexes(index(
            compliance_aws::query::BY_DECISION_INDEX,
            "decision",
            "processed_at",
            all(),
        ))
        .global_secondary_indexes(index(
            compliance_aws::cases::OPEN_CASES_INDEX,
            compliance_aws::cases::CASE_QUEUE_ATTRIBUTE,
            "opened_at",
            all(),
        ))
        .send()
        .await
        .expect("create table");
}

/// A client for the emulator at `endpoint` and a new audit table named `name` in it: what the
/// CLI's `--table` tests start from (the emulator tests build theirs in `Stack`).
pub async fn audit_table_at(endpoint: &str, name: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    create_audit_table(&client, name).await;
    client
}

/// The subjects table, keyed as in template.yaml (`SubjectsTable`).
#[allow(dead_code)] // Not every test binary including this file keeps subjects.
pub async fn create_subjects_table(dynamodb: &aws_sdk_dynamodb::Client, table: &str) {
    dynamodb
        .create_table()
        .table_name(table)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(compliance_aws::subjects::SUBJECT_KEY)
                .key_type(KeyType::Hash)
                .build()
                .expect("key"),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(compliance_aws::subjects::SUBJECT_KEY)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create subjects table");
}
