//! Re-screening on the AWS path, against moto server: a document processed by the processor
//! keeps its subject in the subjects table; a list update that adds one entry matching that
//! subject, re-screened by the re-screening function (start message, fan-out to segments,
//! each segment through the real SQS queue), records one hit, opens one case and publishes
//! one alert; running it again alerts nothing; a false positive the reviewer recorded stays
//! suppressed when the entry changes; a segment short of time hands over to its
//! continuation and nothing is lost.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{create_subjects_table, sample_document, unique, Stack};
use compliance_aws::lists::ListsLocation;
use compliance_aws::DynamoAuditStore;
use compliance_core::customer::{FalsePositive, KeyPattern};
use compliance_core::ports::{CaseStore, CustomerStore};
use compliance_core::rescreen::RescreenRequest;
use compliance_core::screening::lists::{self, ListFile, Manifest, ManifestList};
use rescreen::{Config, MessageOutcome, Rescreener};

const QUIET: Duration = Duration::from_secs(2);
const HEADER: &str = "id,name,type,aliases,date_of_birth,nationality\n";
const UNRELATED: &str = "W-1,Ivan Petrovich Sidorov,individual,,1960,\n";
const LINDQVIST: &str = "W-2,Martina Sofia Lindqvist,individual,,1988,\n";
const LINDQVIST_WITH_ALIAS: &str = "W-2,Martina Sofia Lindqvist,individual,M. S. Lindqvist,1988,\n";

struct Rig {
    stack: Stack,
    subjects_table: String,
    rescreen_queue: String,
    lists: ListsLocation,
}

impl Rig {
    async fn create() -> Rig {
        let stack = Stack::create().await;
        let subjects_table = unique("subjects");
        create_subjects_table(&stack.dynamodb, &subjects_table).await;
        let rescreen_queue = stack
            .sqs
            .create_queue()
            .queue_name(unique("rescreen"))
            .send()
            .await
            .expect("create queue")
            .queue_url
            .expect("queue url");
        let lists =
            ListsLocation::parse(&format!("s3://{}/lists/", stack.bucket)).expect("location");
        Rig {
            stack,
            subjects_table,
            rescreen_queue,
            lists,
        }
    }

    /// Installs a watchlist as `compliance lists fetch --s3` would: the installed set moves
    /// to `previous/`, the manifest is written last.
    async fn install(&self, rows: &[&str]) {
        let file = ListFile {
            name: "watchlist.csv".into(),
            bytes: format!("{HEADER}{}", rows.concat()).into_bytes(),
        };
        let loaded = lists::load(std::slice::from_ref(&file), &self.lists.uri()).expect("loads");
        let manifest = Manifest {
            lists: loaded
                .iter()
                .map(|l| ManifestList {
                    id: l.version.id.clone(),
                    source: "test".into(),
                    published: Some("2026-11-26".into()),
                    fetched_at: Utc::now().to_rfc3339(),
                    files: vec![file.name.clone()],
                    entries: l.version.entries,
                    sha256: l.version.sha256.clone(),
                })
                .collect(),
        };
        compliance_aws::lists::write_set(
            &self.stack.s3,
            &self.lists,
            &[file],
            serde_json::to_vec(&manifest).expect("manifest"),
        )
        .await
        .expect("install lists");
    }

    fn processor_config(&self) -> processor::Config {
        processor::Config {
            lists_s3_uri: Some(self.lists.uri()),
            subjects_table: Some(self.subjects_table.clone()),
            customer_key_pattern: Some(
                KeyPattern::parse("incoming/{customer_id}/{file}").expect("pattern"),
            ),
            ..self.stack.processor_config()
        }
    }

    fn rescreen_config(&self) -> Config {
        Config {
            audit_table: self.stack.table.clone(),
            subjects_table: self.subjects_table.clone(),
            alert_topic_arn: self.stack.topic_arn.clone(),
            queue_url: self.rescreen_queue.clone(),
            segments: 2,
            page_size: 200,
            reserve: Duration::from_secs(60),
            rules_s3_uri: None,
            audit_archive_bucket: Some(self.stack.archive_bucket.clone()),
        }
    }

    async fn rescreener(&self, config: &Config) -> Rescreener {
        Rescreener::load(config, &self.stack.config)
            .await
            .expect("cold start")
    }

    /// The messages waiting on the re-screening queue (received and deleted).
    async fn queued(&self) -> Vec<RescreenRequest> {
        let mut requests = Vec::new();
        loop {
            let out = self
                .stack
                .sqs
                .receive_message()
                .queue_url(&self.rescreen_queue)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("receive");
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() {
                return requests;
            }
            for m in messages {
                requests.push(
                    serde_json::from_str(m.body.as_deref().unwrap_or("")).expect("a request"),
                );
                self.stack
                    .sqs
                    .delete_message()
                    .queue_url(&self.rescreen_queue)
                    .receipt_handle(m.receipt_handle.unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }

    /// A whole run as the queue drives it: the start message, then every message the
    /// function sends itself until the queue is empty. Returns every message's outcome.
    async fn run(&self, rescreener: &Rescreener, deadline_ms: u64) -> Vec<MessageOutcome> {
        let start = RescreenRequest::start(self.lists.uri(), "from the list refresh");
        let mut outcomes = vec![rescreener.process(&start, 0).await.expect("start")];
        loop {
            let queued = self.queued().await;
            if queued.is_empty() {
                return outcomes;
            }
            for request in queued {
                outcomes.push(
                    rescreener
                        .process(&request, deadline_ms)
                        .await
                        .expect("segment"),
                );
            }
        }
    }

    fn store(&self) -> DynamoAuditStore {
        DynamoAuditStore::new(
            compliance_aws::DynamoClient::new(&self.stack.config),
            self.stack.table.clone(),
        )
    }
}

fn sum(outcomes: &[MessageOutcome], f: impl Fn(&MessageOutcome) -> usize) -> usize {
    outcomes.iter().map(f).sum()
}

fn sanctions_alerts(alerts: &[serde_json::Value]) -> Vec<serde_json::Value> {
    alerts
        .iter()
        .filter_map(|envelope| {
            serde_json::from_str::<serde_json::Value>(envelope["Message"].as_str()?).ok()
        })
        .filter(|alert| {
            alert["failed_checks"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["id"] == "aml.sanctions_screening"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_entry_matching_a_past_customer_opens_one_case_and_one_alert() {
    let rig = Rig::create().await;
    rig.install(&[UNRELATED]).await;
    let processor = processor::Processor::load(&rig.processor_config(), &rig.stack.config)
        .await
        .expect("processor cold start");
    let record = rig
        .stack
        .process(
            &processor,
            "incoming/C-7/passport-lindqvist.txt",
            sample_document("passport-lindqvist.txt"),
        )
        .await;
    assert_eq!(record["decision"], "approved", "{record:#}");
    // Another customer, who matches nothing on the lists.
    rig.stack
        .process(
            &processor,
            "incoming/C-8/kyc-application-okafor.txt",
            sample_document("kyc-application-okafor.txt"),
        )
        .await;
    assert!(
        rig.stack.alerts(QUIET).await.is_empty(),
        "approved: no alert"
    );

    rig.install(&[UNRELATED, LINDQVIST]).await;
    let rescreener = rig.rescreener(&rig.rescreen_config()).await;
    let outcomes = rig.run(&rescreener, 0).await;
    assert_eq!(outcomes[0].segments_sent, 2, "{outcomes:?}");
    assert_eq!(outcomes[0].changed_entries, 1, "only W-2 is new");
    assert_eq!(
        sum(&outcomes, |o| o.subjects),
        2,
        "both documents re-screened once"
    );
    assert_eq!(sum(&outcomes, |o| o.hits), 1, "{outcomes:?}");
    assert_eq!(sum(&outcomes, |o| o.new_records), 1);
    assert_eq!(sum(&outcomes, |o| o.alerts_published), 1);

    let alerts = sanctions_alerts(&rig.stack.alerts(QUIET).await);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let alert = &alerts[0];
    let id = alert["document_id"].as_str().expect("document id");
    let text = alert.to_string();
    assert!(
        !text.contains("Lindqvist") && !text.contains("LINDQVIST"),
        "masked: {text}"
    );
    let stored = rig
        .store()
        .get(id)
        .await
        .expect("read")
        .expect("hit recorded");
    assert_eq!(stored.customer.id.as_deref(), Some("C-7"));
    let origin = stored.rescreen.as_ref().expect("a re-screening record");
    assert_eq!(origin.document_id, record["document_id"].as_str().unwrap());
    assert_eq!(origin.changed_entries, 1);
    assert!(stored.lists.iter().any(|l| l.id == "custom:watchlist"));
    let case = rig
        .store()
        .case(id)
        .await
        .expect("read case")
        .expect("case opened");
    assert!(case.hits.iter().any(|h| h.entry_id == "W-2"), "{case:?}");

    // The job run again (a duplicate message, a retried schedule): nothing new.
    let again = rig.run(&rescreener, 0).await;
    assert_eq!(sum(&again, |o| o.hits), 1, "the hit is still found");
    assert_eq!(sum(&again, |o| o.new_records), 0, "{again:?}");
    assert_eq!(sum(&again, |o| o.alerts_published), 0);
    assert!(sanctions_alerts(&rig.stack.alerts(QUIET).await).is_empty());

    // The reviewer clears W-2 for C-7; the entry then changes (a new alias): still cleared.
    rig.store()
        .record_false_positive(&FalsePositive {
            customer_id: "C-7".into(),
            list: "custom:watchlist".into(),
            entry_id: "W-2".into(),
            reviewer: "analyst@bank.example".into(),
            reason: "different person: date of birth and nationality differ on file".into(),
            recorded_at: Utc::now(),
            document_id: Some(id.to_string()),
        })
        .await
        .expect("false positive");
    rig.install(&[UNRELATED, LINDQVIST_WITH_ALIAS]).await;
    let cleared = rig.run(&rescreener, 0).await;
    assert_eq!(cleared[0].changed_entries, 1, "W-2 changed");
    assert_eq!(sum(&cleared, |o| o.hits), 0, "{cleared:?}");
    assert!(sanctions_alerts(&rig.stack.alerts(QUIET).await).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_segment_short_of_time_continues_from_its_cursor() {
    let rig = Rig::create().await;
    rig.install(&[UNRELATED]).await;
    let processor = processor::Processor::load(&rig.processor_config(), &rig.stack.config)
        .await
        .expect("processor cold start");
    for (customer, file) in [
        ("C-1", "passport-lindqvist.txt"),
        ("C-2", "kyc-application-okafor.txt"),
        ("C-3", "passport-deu-brandt.txt"),
    ] {
        rig.stack
            .process(
                &processor,
                &format!("incoming/{customer}/{file}"),
                sample_document(file),
            )
            .await;
    }
    rig.stack.alerts(QUIET).await;
    rig.install(&[UNRELATED, LINDQVIST]).await;
    // One segment, one subject a page, and an invocation always short of time: every page
    // hands over to a continuation message.
    let config = Config {
        segments: 1,
        page_size: 1,
        reserve: Duration::from_secs(600),
        ..rig.rescreen_config()
    };
    let rescreener = rig.rescreener(&config).await;
    let soon = (Utc::now().timestamp_millis() + 1_000) as u64;
    let outcomes = rig.run(&rescreener, soon).await;
    let continued = outcomes
        .iter()
        .filter(|o| o.continued_from.is_some())
        .count();
    assert!(continued >= 2, "{outcomes:?}");
    assert_eq!(
        sum(&outcomes, |o| o.subjects),
        3,
        "each subject once: {outcomes:?}"
    );
    assert_eq!(sum(&outcomes, |o| o.new_records), 1);
    assert_eq!(sanctions_alerts(&rig.stack.alerts(QUIET).await).len(), 1);
}
