//! The scheduled list refresh (functions/lists-refresh) against moto, with the lists served from
//! a loopback HTTP server: a good fetch installs into the S3 prefix (previous set kept, manifest
//! with publication dates) and asks for a re-screening; a truncated download or a list that
//! shrank sharply is rejected, leaves every object byte-identical and raises one
//! `lists_refresh` alert; unchanged lists install nothing and ask for nothing.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use common::lists_server::{fixtures, ofac_2021, ofac_sample, read, Server};
use common::{unique, Stack};
use compliance_lists_refresh::{Config, ListsRefresh, RefreshResponse};
use serde_json::{json, Value};

fn un_xml() -> Vec<u8> {
    read(&fixtures().join("un/UN_consolidated.xml"))
}

// ---------------------------------------------------------------------------------------------
// The function, as its main builds it.

struct Fixture {
    stack: Stack,
    server: Server,
    rescreen_queue_url: String,
}

impl Fixture {
    async fn new() -> Fixture {
        let stack = Stack::create().await;
        let rescreen_queue_url = stack
            .sqs
            .create_queue()
            .queue_name(unique("rescreen"))
            .send()
            .await
            .expect("create rescreen queue")
            .queue_url
            .expect("queue url");
        Fixture {
            stack,
            server: Server::start(),
            rescreen_queue_url,
        }
    }

    fn lists_uri(&self) -> String {
        format!("s3://{}/lists/", self.stack.bucket)
    }

    fn function(&self) -> ListsRefresh {
        let vars: HashMap<&str, String> = HashMap::from([
            ("LISTS_S3_URI", self.lists_uri()),
            ("LISTS_SOURCES", self.server.sources()),
            ("ALERT_TOPIC_ARN", self.stack.topic_arn.clone()),
            ("RESCREEN_QUEUE_URL", self.rescreen_queue_url.clone()),
            ("LISTS_DOWNLOAD_RETRIES", "0".into()),
        ]);
        let config = Config::from_vars(|name| vars.get(name).cloned()).expect("configuration");
        ListsRefresh::new(config, &self.stack.config).expect("cold start")
    }

    /// One scheduled invocation.
    async fn run(&self, execution_id: &str) -> RefreshResponse {
        self.function()
            .handle(json!({
                "job": "lists_refresh",
                "execution_id": execution_id,
                "scheduled_time": "2026-11-26T06:15:00Z",
            }))
            .await
            .unwrap_or_else(|e| panic!("invocation failed: {e}"))
    }

    /// Every object version under `lists/`: key -> (version ids, bytes of the current version).
    async fn objects(&self) -> BTreeMap<String, (Vec<String>, Vec<u8>)> {
        let s3 = &self.stack.s3;
        let versions = s3
            .list_object_versions()
            .bucket(&self.stack.bucket)
            .prefix("lists/")
            .send()
            .await
            .expect("list object versions");
        let mut objects: BTreeMap<String, (Vec<String>, Vec<u8>)> = BTreeMap::new();
        for v in versions.versions() {
            let key = v.key().expect("key").to_string();
            let entry = objects.entry(key).or_default();
            entry.0.push(v.version_id().unwrap_or_default().to_string());
        }
        for (key, entry) in objects.iter_mut() {
            entry.0.sort();
            if let Ok(out) = s3
                .get_object()
                .bucket(&self.stack.bucket)
                .key(key)
                .send()
                .await
            {
                entry.1 = out
                    .body
                    .collect()
                    .await
                    .expect("body")
                    .into_bytes()
                    .to_vec();
            }
        }
        objects
    }

    async fn get(&self, key: &str) -> Vec<u8> {
        let out = self
            .stack
            .s3
            .get_object()
            .bucket(&self.stack.bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("get {key}: {e}"));
        out.body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .to_vec()
    }

    /// Drains a queue: the message bodies, until none arrived for `quiet`.
    async fn drain(&self, queue_url: &str, quiet: Duration) -> Vec<Value> {
        let sqs = &self.stack.sqs;
        let mut bodies = Vec::new();
        let mut last = Instant::now();
        while last.elapsed() < quiet {
            let out = sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("receive");
            for m in out.messages.unwrap_or_default() {
                last = Instant::now();
                bodies.push(serde_json::from_str(m.body.as_deref().unwrap_or("")).expect("JSON"));
                if let Some(handle) = m.receipt_handle {
                    sqs.delete_message()
                        .queue_url(queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("delete message");
                }
            }
        }
        bodies
    }

    async fn rescreen_requests(&self) -> Vec<Value> {
        self.drain(&self.rescreen_queue_url, Duration::from_secs(2))
            .await
    }

    /// The alerts on the topic's subscriber queue: (message attributes, alert).
    async fn alerts(&self) -> Vec<(Value, Value)> {
        self.drain(&self.stack.queue_url, Duration::from_secs(2))
            .await
            .into_iter()
            .map(|envelope| {
                let alert: Value = envelope["Message"]
                    .as_str()
                    .and_then(|m| serde_json::from_str(m).ok())
                    .expect("the SNS message is the alert JSON");
                (envelope["MessageAttributes"].clone(), alert)
            })
            .collect()
    }

    /// Installs OFAC 2021 (8,976 entries) and the UN list; drains what that sent.
    async fn install_2021(&self) -> RefreshResponse {
        self.server.serve_ofac(&ofac_2021());
        self.server.serve_un(un_xml());
        let response = self.run("install-2021").await;
        assert_eq!(response.outcome, "installed", "{response:#?}");
        assert_eq!(self.rescreen_requests().await.len(), 1);
        assert!(self.alerts().await.is_empty());
        response
    }
}

/// Checks the one `lists_refresh` alert a rejected run raised, and returns it.
fn one_rejection_alert(alerts: &[(Value, Value)], response: &RefreshResponse) -> Value {
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let (attributes, alert) = &alerts[0];
    assert_eq!(
        attributes["kind"]["Value"], "lists_refresh",
        "{attributes:#}"
    );
    assert_eq!(attributes["outcome"]["Value"], "rejected", "{attributes:#}");
    assert_eq!(attributes["severity"]["Value"], "high", "{attributes:#}");
    assert_eq!(alert["kind"], "lists_refresh");
    assert_eq!(alert["outcome"], "rejected");
    assert_eq!(
        Some(alert["alert_id"].as_str().unwrap()),
        response.alert_id.as_deref()
    );
    // The lists still in force: those installed before, from the manifest.
    let in_force: Vec<(String, u64)> = alert["lists_in_force"]
        .as_array()
        .expect("lists_in_force")
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap().to_string(),
                l["entries"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(in_force[0], ("ofac_sdn".to_string(), 8976), "{alert:#}");
    assert_eq!(in_force[1].0, "un_sc", "{alert:#}");
    alert.clone()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_good_fetch_installs_keeps_the_previous_set_and_asks_for_a_rescreen() {
    let f = Fixture::new().await;

    // A first install: the sample (17 entries) and the UN list.
    f.server.serve_ofac(&ofac_sample());
    f.server.serve_un(un_xml());
    let first = f.run("first").await;
    assert_eq!(first.outcome, "installed", "{first:#?}");
    assert_eq!(first.changed, ["ofac_sdn", "un_sc"]);
    let first_manifest = f.get("lists/manifest.json").await;
    assert_eq!(f.rescreen_requests().await.len(), 1);

    // The full list is published: installed, the sample kept under previous/.
    f.server.serve_ofac(&ofac_2021());
    let response = f.run("second").await;
    assert_eq!(response.outcome, "installed", "{response:#?}");
    assert_eq!(response.changed, ["ofac_sdn"], "the UN list did not change");
    assert_eq!(response.alert_id, None);
    assert!(response.rescreen_requested);

    // (The saved screening index, `index.bin`, is written beside the lists: not checked here.)
    let keys: Vec<String> = f
        .objects()
        .await
        .into_keys()
        .filter(|k| !k.ends_with("/index.bin"))
        .collect();
    assert_eq!(
        keys,
        [
            "lists/add.csv",
            "lists/alt.csv",
            "lists/manifest.json",
            "lists/previous/add.csv",
            "lists/previous/alt.csv",
            "lists/previous/manifest.json",
            "lists/previous/sdn.csv",
            "lists/previous/sdn_comments.csv",
            "lists/previous/un_consolidated.xml",
            "lists/sdn.csv",
            "lists/sdn_comments.csv",
            "lists/un_consolidated.xml",
        ]
    );
    assert_eq!(
        f.get("lists/sdn.csv").await,
        read(&ofac_2021().join("sdn.csv"))
    );
    assert_eq!(
        f.get("lists/previous/sdn.csv").await,
        read(&ofac_sample().join("sdn.csv"))
    );
    assert_eq!(f.get("lists/previous/manifest.json").await, first_manifest);

    // The manifest names every list with its publication date: the UN list's own
    // (dateGenerated), OFAC's from the server's Last-Modified.
    let manifest_bytes = f.get("lists/manifest.json").await;
    let manifest: Value = serde_json::from_slice(&manifest_bytes).expect("manifest");
    let lists = manifest["lists"].as_array().expect("lists");
    assert_eq!(lists.len(), 2, "{manifest:#}");
    assert_eq!(lists[0]["id"], "ofac_sdn");
    assert_eq!(lists[0]["entries"], 8976);
    assert_eq!(lists[0]["published"], "2021-12-01T12:00:00Z");
    assert_eq!(lists[0]["source"], f.server.url("/ofac/"));
    assert_eq!(lists[1]["id"], "un_sc");
    assert_eq!(lists[1]["published"], "2026-02-27");
    let sha = compliance_lists_refresh::fetch::sha256_hex(&manifest_bytes);
    assert_eq!(response.manifest_sha256.as_deref(), Some(sha.as_str()));
    let published: Vec<Option<&str>> = response
        .lists
        .iter()
        .map(|l| l.published.as_deref())
        .collect();
    assert_eq!(
        published,
        [Some("2021-12-01T12:00:00Z"), Some("2026-02-27")]
    );

    // One re-screening start message, naming the new manifest.
    let requests = f.rescreen_requests().await;
    assert_eq!(
        requests,
        [json!({ "lists_uri": f.lists_uri(), "lists_version": sha })]
    );
    let request: compliance_core::rescreen::RescreenRequest =
        serde_json::from_value(requests[0].clone()).expect("a RescreenRequest");
    assert_eq!(
        request,
        compliance_core::rescreen::RescreenRequest::start(f.lists_uri(), sha)
    );
    assert!(f.alerts().await.is_empty(), "no alert");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_download_is_rejected_and_the_old_lists_stay() {
    let f = Fixture::new().await;
    f.install_2021().await;
    let before = f.objects().await;

    // The UN list cut off mid-element.
    let un = un_xml();
    f.server.serve_un(un[..un.len() / 2].to_vec());
    let response = f.run("truncated-un").await;
    assert_eq!(response.outcome, "rejected", "{response:#?}");
    assert_eq!(
        response.alert_id.as_deref(),
        Some("lists_refresh:truncated-un")
    );
    assert!(
        response.reasons.len() == 1 && response.reasons[0].starts_with("un_sc ("),
        "{:?}",
        response.reasons
    );
    assert_eq!(f.objects().await, before, "no object written, none removed");
    let alert = one_rejection_alert(&f.alerts().await, &response);
    assert!(
        alert["reasons"][0].as_str().unwrap().contains("un_sc"),
        "{alert:#}"
    );
    assert!(f.rescreen_requests().await.is_empty());

    // The SDN file cut in half: it loads, but half the list is gone.
    f.server.serve_un(un_xml());
    let sdn = read(&ofac_2021().join("sdn.csv"));
    f.server.set("/ofac/SDN.CSV", sdn[..sdn.len() / 2].to_vec());
    let response = f.run("truncated-sdn").await;
    assert_eq!(response.outcome, "rejected", "{response:#?}");
    assert!(
        response.reasons.len() == 1
            && response.reasons[0].starts_with("ofac_sdn (")
            && response.reasons[0].contains("shrank from 8976 to"),
        "{:?}",
        response.reasons
    );
    assert_eq!(f.objects().await, before, "no object written, none removed");
    one_rejection_alert(&f.alerts().await, &response);
    assert!(f.rescreen_requests().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_that_shrank_sharply_is_rejected_and_a_failed_download_alerts() {
    let f = Fixture::new().await;
    f.install_2021().await;
    let before = f.objects().await;

    // 17 entries where 8,976 were.
    f.server.serve_ofac(&ofac_sample());
    let response = f.run("shrunk").await;
    assert_eq!(response.outcome, "rejected", "{response:#?}");
    assert_eq!(
        response.reasons,
        [format!(
            "ofac_sdn ({}): shrank from 8976 to 17 entries (-99.8%), more than the 10% allowed",
            f.server.url("/ofac/")
        )]
    );
    let in_force: Vec<&str> = response.lists.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(in_force, ["ofac_sdn", "un_sc"]);
    assert_eq!(f.objects().await, before, "no object written, none removed");
    let alert = one_rejection_alert(&f.alerts().await, &response);
    assert_eq!(alert["reasons"][0], response.reasons[0].as_str());
    assert!(f.rescreen_requests().await.is_empty());

    // A list that cannot be downloaded: nothing replaced, an alert, and the invocation
    // succeeds (the download was retried within it; the next run tries again).
    f.server.serve_ofac(&ofac_2021());
    f.server
        .routes
        .lock()
        .unwrap()
        .remove("/un/consolidated.xml");
    let response = f.run("missing").await;
    assert_eq!(response.outcome, "failed", "{response:#?}");
    assert!(
        response.reasons[0].contains("HTTP 404 Not Found"),
        "{:?}",
        response.reasons
    );
    assert_eq!(f.objects().await, before, "no object written, none removed");
    let alerts = f.alerts().await;
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0].0["kind"]["Value"], "lists_refresh");
    assert_eq!(alerts[0].1["outcome"], "failed");
    assert_eq!(alerts[0].1["alert_id"], "lists_refresh:missing");
    assert!(f.rescreen_requests().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unchanged_lists_install_nothing_and_ask_for_nothing() {
    let f = Fixture::new().await;
    let installed = f.install_2021().await;
    let before = f.objects().await;

    let response = f.run("again").await;
    assert_eq!(response.outcome, "unchanged", "{response:#?}");
    assert!(response.changed.is_empty());
    assert!(!response.rescreen_requested);
    assert_eq!(response.manifest_sha256, installed.manifest_sha256);
    assert_eq!(response.lists, installed.lists);
    assert_eq!(f.objects().await, before, "nothing written");
    assert!(f.rescreen_requests().await.is_empty(), "no re-screening");
    assert!(f.alerts().await.is_empty(), "no alert");
}
