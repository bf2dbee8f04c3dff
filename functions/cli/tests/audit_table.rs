//! `compliance audit list|show` and `compliance review` with `--table`, on DynamoDB, against
//! moto server (started by this test binary; the CLI reaches it through the normal AWS endpoint
//! variables). The table is filled by the real pipeline over the sample documents, through the
//! DynamoDB adapter, as the processor Lambda fills it.

#[path = "../../../tests/tests/common/buckets.rs"]
mod buckets;
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

#[tokio::test(flavor = "multi_thread")]
async fn verify_compares_every_record_with_its_seal() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let endpoint = moto::moto_endpoint();
    let name = format!("audit-verify-cli-{}", std::process::id());
    let dynamodb = table::audit_table_at(&endpoint, &name).await;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await;
    let s3 = compliance_aws::s3_client(&config);
    let bucket = format!("audit-archive-cli-{}", std::process::id());
    buckets::create_bucket(&s3, &bucket, false).await;
    let archive = compliance_aws::archive::S3RecordArchive::new(s3.clone(), &bucket);
    let store = DynamoAuditStore::new(dynamodb.clone(), &name).with_archive(Some(archive));

    let pipeline = Pipeline::with_defaults().expect("pipeline");
    let source = FileSource {
        max_bytes: IntakeLimits::default().max_bytes,
    };
    let sink = LocalAlertSink {
        log: None,
        print: false,
    };
    let mut ids = Vec::new();
    for path in expand_paths(&[DOCUMENTS.into()]) {
        let outcome = process_document(
            &pipeline,
            &source,
            &store,
            &sink,
            SourceRef::file(&path.display().to_string(), None),
            CustomerClaims::default(),
        )
        .await
        .expect("processed");
        ids.push(outcome.record.document_id);
    }
    assert!(ids.len() >= 5, "the sample documents");
    let since = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let verify = |json: bool| {
        let mut args = vec![
            "audit",
            "verify",
            "--table",
            &name,
            "--archive-bucket",
            &bucket,
            "--since",
            &since,
        ];
        if json {
            args.push("--json");
        }
        aws_cli(&endpoint, &args)
    };
    let out = verify(false);
    assert_exit(&out, 0, "audit verify, nothing changed");
    assert!(
        stderr(&out).contains(&format!(
            "{n} record(s) checked against their seals: {n} intact, 0 altered, 0 missing",
            n = ids.len()
        )),
        "{}",
        describe(&out)
    );
    assert_eq!(stdout(&out), "");

    // One record approved in place in the table, one sealed copy gone (a bucket without
    // Object Lock: the deployed one refuses the delete).
    dynamodb
        .update_item()
        .table_name(&name)
        .key(
            "pk",
            AttributeValue::S(compliance_aws::document_pk(&ids[0])),
        )
        .key("sk", AttributeValue::S(compliance_aws::RECORD_SK.into()))
        .update_expression("SET decision = :approved")
        .expression_attribute_values(":approved", AttributeValue::S("rejected".into()))
        .send()
        .await
        .expect("update");
    s3.delete_object()
        .bucket(&bucket)
        .key(format!("records/{}.json", ids[1]))
        .send()
        .await
        .expect("delete copy");

    let out = verify(false);
    assert_exit(&out, 3, "audit verify, a record altered and a seal missing");
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{}  altered: decision", ids[0])),
        "{text}"
    );
    assert!(text.contains(&format!("{}  missing", ids[1])), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        stderr(&out).contains(&format!("{} intact, 1 altered, 1 missing", ids.len() - 2)),
        "{}",
        describe(&out)
    );

    let out = verify(true);
    assert_exit(&out, 3, "audit verify --json");
    let reports: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(reports.len(), ids.len());
    let of = |id: &str| {
        reports
            .iter()
            .find(|r| r["document_id"] == id)
            .unwrap_or_else(|| panic!("{id} reported"))
    };
    assert_eq!(of(&ids[0])["status"], "altered");
    assert_eq!(of(&ids[0])["fields"], serde_json::json!(["decision"]));
    assert_eq!(of(&ids[1])["status"], "missing");
    assert_eq!(of(&ids[2])["status"], "intact");
}
