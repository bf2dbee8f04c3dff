//! `compliance audit list|show` and `compliance review` with `--table`, on DynamoDB, against
//! moto server (started by this test binary; the CLI reaches it through the normal AWS endpoint
//! variables). The table is filled by the real pipeline over the sample documents, through the
//! DynamoDB adapter, as the processor Lambda fills it.

mod common;
#[path = "../../../tests/tests/common/moto.rs"]
mod moto;
#[path = "../../../tests/tests/common/table.rs"]
mod table;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use common::{assert_exit, describe, stderr, stdout, BIN, DOCUMENTS};
use compliance_aws::DynamoAuditStore;
use compliance_contract::{Contract, Output as Schema};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::customer::{CustomerClaims, IdentityKey};
use compliance_core::intake::IntakeLimits;
use compliance_core::service::process_document;
use compliance_core::{Pipeline, SourceRef};
use compliance_local::{expand_paths, FileSource, LocalAlertSink};
use serde_json::Value;

/// The deployment's identity key, as the CLI gets it with `--table`.
const IDENTITY_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn aws_cli(endpoint: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("COMPLIANCE_STORE")
        .env_remove("COMPLIANCE_RULES")
        .env("COMPLIANCE_IDENTITY_KEY", IDENTITY_KEY)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "eu-west-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

/// The audit table with the keys and indexes of template.yaml.
async fn table(endpoint: &str) -> (String, DynamoAuditStore) {
    let name = format!("audit-query-cli-{}", std::process::id());
    let client = table::audit_table_at(endpoint, &name).await;
    (name.clone(), DynamoAuditStore::new(client, name))
}

/// Every page of `audit list --json --table` with these arguments.
fn list_all(endpoint: &str, table: &str, args: &[&str], limit: &str) -> Vec<Value> {
    let contract = Contract::load().unwrap_or_else(|e| panic!("{e}"));
    let schema = if args.contains(&"--open") {
        Schema::OpenCase
    } else {
        Schema::RecordSummary
    };
    let mut cursor: Option<String> = None;
    let mut all = Vec::new();
    for _ in 0..200 {
        let mut argv = vec![
            "audit", "list", "--json", "--table", table, "--limit", limit,
        ];
        argv.extend_from_slice(args);
        if let Some(c) = &cursor {
            argv.extend_from_slice(&["--cursor", c]);
        }
        let out = aws_cli(endpoint, &argv);
        assert_exit(&out, 0, "audit list --table");
        for line in stdout(&out).lines() {
            let v: Value = serde_json::from_str(line).expect("JSON line");
            if let Err(e) = contract.validate(schema, &v) {
                panic!("{e}\n{v:#}");
            }
            all.push(v);
        }
        cursor = stderr(&out)
            .lines()
            .find_map(|l| l.split("--cursor ").nth(1))
            .map(|c| c.trim().to_string());
        if cursor.is_none() {
            return all;
        }
    }
    panic!("the pages never ended");
}

fn ids(values: &[Value], key: &str) -> Vec<String> {
    values
        .iter()
        .map(|v| v[key].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_show_and_review_work_on_the_audit_table() {
    let endpoint = moto::moto_endpoint();
    let (name, store) = table(&endpoint).await;

    let key = IdentityKey::from_text(IDENTITY_KEY).expect("key");
    let pipeline = Pipeline::with_defaults()
        .expect("pipeline")
        .with_identity_key(key);
    let source = FileSource {
        max_bytes: IntakeLimits::default().max_bytes,
    };
    let sink = LocalAlertSink {
        log: None,
        print: false,
    };
    let mut records: Vec<AuditRecord> = Vec::new();
    for path in expand_paths(&[DOCUMENTS.into()]) {
        let file = path.display().to_string();
        let claims = CustomerClaims {
            command_line: file
                .ends_with("passport-nld-number-format.txt")
                .then(|| "C-T".to_string()),
            ..CustomerClaims::default()
        };
        let outcome = process_document(
            &pipeline,
            &source,
            &store,
            &sink,
            SourceRef::file(&file, None),
            claims,
        )
        .await
        .expect("processed");
        records.push(outcome.record);
    }

    // Every record once, in pages.
    let all = list_all(&endpoint, &name, &[], "4");
    let mut listed = ids(&all, "document_id");
    let mut expected: Vec<String> = records.iter().map(|r| r.document_id.clone()).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);

    let reviewable: BTreeSet<String> = records
        .iter()
        .filter(|r| r.decision == Decision::ManualReview)
        .map(|r| r.document_id.clone())
        .collect();
    let found: BTreeSet<String> = ids(
        &list_all(&endpoint, &name, &["--decision", "manual_review"], "50"),
        "document_id",
    )
    .into_iter()
    .collect();
    assert_eq!(found, reviewable);

    let lindqvist = records
        .iter()
        .find(|r| r.document.ends_with("passport-lindqvist.txt"))
        .expect("passport");
    let by_name = list_all(
        &endpoint,
        &name,
        &["--name", "sofia LINDQVIST", "--type", "passport"],
        "50",
    );
    assert_eq!(
        ids(&by_name, "document_id"),
        vec![lindqvist.document_id.clone()]
    );

    // The open cases, oldest first.
    let open = list_all(&endpoint, &name, &["--open"], "3");
    let open_ids: BTreeSet<String> = ids(&open, "case_id").into_iter().collect();
    let not_approved: BTreeSet<String> = records
        .iter()
        .filter(|r| r.decision != Decision::Approved)
        .map(|r| r.document_id.clone())
        .collect();
    assert_eq!(open_ids, not_approved);
    assert_eq!(open_ids.len(), open.len(), "each case once");
    let opened: Vec<&str> = open
        .iter()
        .map(|c| c["opened_at"].as_str().expect("opened_at"))
        .collect();
    let parsed: Vec<_> = opened
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("RFC 3339"))
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{opened:#?}");

    // A reviewer approves the customer's passport.
    let case = records
        .iter()
        .find(|r| r.document.ends_with("passport-nld-number-format.txt"))
        .expect("passport")
        .document_id
        .clone();
    let review = |decision: &str| {
        aws_cli(
            &endpoint,
            &[
                "review",
                &case,
                "--decision",
                decision,
                "--reason",
                "number format confirmed with the issuer",
                "--reviewer",
                "ana.reviewer",
                "--json",
                "--table",
                &name,
            ],
        )
    };
    let approved = review("approve");
    assert_exit(&approved, 0, "review --table");
    let outcome: Value = serde_json::from_str(stdout(&approved).trim()).expect("JSON");
    let contract = Contract::load().unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = contract.validate(Schema::ReviewOutcome, &outcome) {
        panic!("{e}\n{outcome:#}");
    }
    assert_eq!(outcome["case_file"]["case"]["status"], "closed");
    assert_eq!(outcome["customer"]["customer_id"], "C-T");
    assert_exit(&review("approve"), 4, "approving a closed case again");
    let open_after: Vec<String> = ids(&list_all(&endpoint, &name, &["--open"], "50"), "case_id");
    assert!(!open_after.contains(&case));
    assert_eq!(open_after.len(), open.len() - 1);

    let shown = aws_cli(
        &endpoint,
        &["audit", "show", &case, "--json", "--table", &name],
    );
    assert_exit(&shown, 0, "audit show --table");
    let file: Value = serde_json::from_str(stdout(&shown).trim()).expect("JSON");
    if let Err(e) = contract.validate(Schema::DocumentFile, &file) {
        panic!("{e}\n{file:#}");
    }
    assert_eq!(file["case"]["events"][0]["action"], "approve");
    assert_eq!(file["record"]["decision"], "manual_review");

    let customer = aws_cli(
        &endpoint,
        &["customer", "show", "C-T", "--json", "--table", &name],
    );
    assert_exit(&customer, 0, "customer show --table");
    let view: Value = serde_json::from_str(stdout(&customer).trim()).expect("JSON");
    assert_eq!(view["documents"][0]["decision"], "approved", "{view:#}");

    let unknown = aws_cli(
        &endpoint,
        &[
            "review",
            "0123456789abcdef0123456789abcdef",
            "--decision",
            "approve",
            "--reason",
            "r",
            "--reviewer",
            "r",
            "--table",
            &name,
        ],
    );
    assert_exit(&unknown, 1, "an unknown case");
    assert!(
        stderr(&unknown).contains("no case"),
        "{}",
        describe(&unknown)
    );
}
