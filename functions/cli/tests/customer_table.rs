//! `compliance customer show|false-positive --table` on DynamoDB, against moto server (started
//! by this test binary; the CLI reaches it through the normal AWS endpoint variables).

mod common;
#[path = "../../../tests/tests/common/moto.rs"]
mod moto;
#[path = "../../../tests/tests/common/table.rs"]
mod table;

use std::process::{Command, Output};

use chrono::Utc;
use common::{assert_exit, describe, stdout, BIN};
use compliance_aws::DynamoAuditStore;
use compliance_core::audit::Decision;
use compliance_core::classify::DocType;
use compliance_core::customer::{assess_customer, CustomerDocument};
use compliance_core::ports::CustomerStore;
use compliance_core::rules::RuleSet;
use serde_json::Value;

fn aws_cli(endpoint: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("COMPLIANCE_STORE")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

async fn table(endpoint: &str) -> (String, DynamoAuditStore) {
    let name = format!("audit-cli-{}", std::process::id());
    let client = table::audit_table_at(endpoint, &name).await;
    (name.clone(), DynamoAuditStore::new(client, name))
}

#[tokio::test(flavor = "multi_thread")]
async fn show_and_false_positive_work_on_the_audit_table() {
    let endpoint = moto::moto_endpoint();
    let (name, store) = table(&endpoint).await;

    // A customer with one approved passport, as the processor would have stored it.
    let document = CustomerDocument {
        customer_id: "C-300".into(),
        document_id: "0123456789abcdef0123456789abcdef".into(),
        document: "s3://documents/incoming/C-300/passport.pdf".into(),
        doc_type: DocType::Passport,
        decision: Decision::Approved,
        pipeline_decision: None,
        processed_at: Utc::now(),
        rules_version: "test".into(),
        identity: None,
        reasons: vec!["all applicable checks passed".into()],
    };
    store.link_document(&document).await.expect("link");
    let rules = RuleSet::default_rules().expect("rules");
    let view = assess_customer(
        "C-300",
        &[document],
        &rules.customer.required,
        &rules.version,
        None,
        Utc::now(),
    );
    assert!(store.save_view(&view).await.expect("save"));

    let shown = aws_cli(
        &endpoint,
        &["customer", "show", "C-300", "--json", "--table", &name],
    );
    assert_exit(&shown, 0, "customer show --table");
    let json: Value = serde_json::from_str(stdout(&shown).trim()).expect("JSON");
    assert_eq!(json["customer_id"], "C-300");
    assert_eq!(json["status"], "incomplete");
    assert_eq!(json["revision"], 1);

    let missing = aws_cli(&endpoint, &["customer", "show", "C-404", "--table", &name]);
    assert_exit(&missing, 1, "customer show of an unknown customer");

    let recorded = aws_cli(
        &endpoint,
        &[
            "customer",
            "false-positive",
            "C-300",
            "--list",
            "ofac_sdn",
            "--entry",
            "15102",
            "--reviewer",
            "ana.reviewer",
            "--reason",
            "different date of birth",
            "--table",
            &name,
        ],
    );
    assert_exit(&recorded, 0, "customer false-positive --table");
    let fps = store.false_positives("C-300").await.expect("read");
    assert_eq!(fps.len(), 1, "{}", describe(&recorded));
    assert_eq!(fps[0].entry_id, "15102");
    assert_eq!(fps[0].reviewer, "ana.reviewer");
    assert!(store
        .false_positives("C-301")
        .await
        .expect("read")
        .is_empty());
    // The reviewer's decision recomputed the view (same status, nothing new to alert).
    let after = store
        .customer_view("C-300")
        .await
        .expect("read")
        .expect("view");
    assert_eq!(after.status, view.status);
}
