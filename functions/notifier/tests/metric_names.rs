//! `template.yaml`'s alarms and dashboard name the metrics the functions emit, exactly: a
//! metric renamed in the code (or mistyped in the template) would leave an alarm watching a
//! metric that never arrives, which CloudWatch treats as all quiet.
//!
//! What the processor and the notifier emit is read from their own metric lines (the
//! builders' EMF documents); the audit API's case metrics job must name each metric the
//! template gives it as a string literal in `functions/audit-api/src`.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use compliance_core::audit::Decision;
use compliance_core::ports::Retry;
use compliance_core::service::Outcome;
use compliance_core::{Pipeline, SourceRef};
use notifier::Target;
use serde_json::Value;
use support::repo_file;

const NAMESPACE: &str = "Compliance";
const AUDIT_API: &str = "audit-api";

/// One metric the code emits: its service, and the extra dimension it is also published
/// with, with the values that dimension takes.
#[derive(Debug, Default)]
struct Emitted {
    service: String,
    dimension: Option<String>,
    values: BTreeSet<String>,
}

/// One use of a metric of the namespace in the template.
#[derive(Debug)]
struct Use {
    place: String,
    name: String,
    dimensions: Vec<(String, String)>,
}

/// The metrics of an EMF document, recorded with its service and extra dimension.
fn record(emitted: &mut BTreeMap<String, Emitted>, doc: &Value) {
    let cw = &doc["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(cw["Namespace"], NAMESPACE, "{doc}");
    let service = doc["Service"].as_str().expect("a Service dimension");
    let extra = cw["Dimensions"]
        .as_array()
        .expect("dimension sets")
        .iter()
        .filter_map(|set| set.get(1).and_then(Value::as_str))
        .next();
    for metric in cw["Metrics"].as_array().expect("metrics") {
        let name = metric["Name"].as_str().expect("a metric name");
        let entry = emitted.entry(name.to_string()).or_default();
        entry.service = service.to_string();
        if let Some(extra) = extra {
            entry.dimension = Some(extra.to_string());
            if let Some(value) = doc[extra].as_str() {
                entry.values.insert(value.to_string());
            }
        }
    }
}

/// Every metric line the processor and the notifier can write.
fn emitted() -> BTreeMap<String, Emitted> {
    let mut emitted = BTreeMap::new();
    let pipeline = Pipeline::with_defaults().expect("default rules and lists");
    let record_of = pipeline
        .assess(
            SourceRef::s3("bucket", "incoming/empty.txt", None, None, None),
            Ok(b"".as_slice()),
            Default::default(),
        )
        .record;
    for decision in Decision::ALL {
        let mut outcome = Outcome {
            record: record_of.clone(),
            fields: None,
            newly_recorded: true,
            alert_published: true,
            customer: None,
        };
        outcome.record.decision = decision;
        let doc = processor::metrics::document_metrics(&outcome, Duration::from_millis(1));
        record(&mut emitted, &doc.to_json(0));
        // A document a language model was consulted about adds the model's metrics.
        outcome.record.assistance = Some(compliance_core::assist::Assistance {
            provider: "openai".into(),
            model: "gpt-test".into(),
            prompt_version: compliance_core::assist::PROMPT_VERSION.into(),
            asked_because: "built-in confidence 0.40 is below 0.60".into(),
            asked: true,
            latency_ms: 900,
            attempts: 1,
            input_tokens: Some(600),
            output_tokens: Some(30),
            used: true,
            suggested_type: Some(compliance_core::classify::DocType::Invoice),
            suggested_confidence: Some(0.8),
            names_proposed: 1,
            names_used: 1,
            checks_changed: Vec::new(),
            note: String::new(),
        });
        let doc = processor::metrics::document_metrics(&outcome, Duration::from_millis(1));
        record(&mut emitted, &doc.to_json(0));
    }
    for retry in [Retry::Transient, Retry::Permanent] {
        record(
            &mut emitted,
            &processor::metrics::failure_metrics(retry).to_json(0),
        );
    }
    for target in [Target::Slack, Target::Teams] {
        for delivered in [true, false] {
            let doc = notifier::metrics::delivery_metrics(target, delivered);
            record(&mut emitted, &doc.to_json(0));
        }
    }
    // The constants the crates export are what their lines carry.
    let names = |service: &str| -> BTreeSet<String> {
        emitted
            .iter()
            .filter(|(_, e)| e.service == service)
            .map(|(n, _)| n.clone())
            .collect()
    };
    let constants = |list: &[&str]| list.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        names(processor::metrics::SERVICE),
        constants(&processor::metrics::METRIC_NAMES)
    );
    assert_eq!(
        names(notifier::metrics::SERVICE),
        constants(&notifier::metrics::METRIC_NAMES)
    );
    emitted
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// `MetricName:` entries of the template whose `Namespace:` (a sibling key) is the
/// namespace, with their `Dimensions:` (`- Name: ...` / `Value: ...` below).
fn yaml_uses(template: &str) -> Vec<Use> {
    let lines: Vec<&str> = template.lines().collect();
    let mut uses = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(name) = line.trim().strip_prefix("MetricName:") else {
            continue;
        };
        let depth = indent(line);
        let in_block = |l: &str| l.trim().is_empty() || indent(l) >= depth;
        let start = at - lines[..at].iter().rev().take_while(|l| in_block(l)).count();
        let end = at + 1 + lines[at + 1..].iter().take_while(|l| in_block(l)).count();
        let block = &lines[start..end];
        let namespace = block
            .iter()
            .filter(|l| indent(l) == depth)
            .find_map(|l| l.trim().strip_prefix("Namespace:"))
            .map(str::trim);
        if namespace != Some(NAMESPACE) {
            continue;
        }
        let mut dimensions = Vec::new();
        let mut pending: Option<String> = None;
        let mut in_dimensions = false;
        for l in block {
            let t = l.trim();
            if indent(l) == depth {
                in_dimensions = t == "Dimensions:";
                continue;
            }
            if !in_dimensions {
                continue;
            }
            if let Some(n) = t.trim_start_matches("- ").strip_prefix("Name:") {
                pending = Some(n.trim().to_string());
            } else if let (Some(v), Some(n)) = (t.strip_prefix("Value:"), pending.take()) {
                dimensions.push((n, v.trim().to_string()));
            }
        }
        uses.push(Use {
            place: format!("template.yaml line {}", at + 1),
            name: name.trim().to_string(),
            dimensions,
        });
    }
    uses
}

/// The dashboard's metric rows of the namespace: `["Compliance", NAME, DIM, VALUE, ...,
/// {options}]`.
fn dashboard_uses(template: &str) -> Vec<Use> {
    let mut uses = Vec::new();
    let needle = format!("[\"{NAMESPACE}\"");
    for (at, _) in template.match_indices(&needle) {
        let row = &template[at..];
        let Some(end) = row.find(']') else {
            panic!("unterminated dashboard row at byte {at}")
        };
        let row = without_placeholders(&row[..=end]);
        let items: Vec<Value> = serde_json::from_str(&row)
            .unwrap_or_else(|e| panic!("dashboard row {row} is not JSON: {e}"));
        let strings: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
        let line = template[..at].lines().count();
        assert!(
            strings.len() >= 2 && strings[2..].chunks_exact(2).remainder().is_empty(),
            "dashboard row line {line}: {row}"
        );
        uses.push(Use {
            place: format!("template.yaml line {line} (dashboard)"),
            name: strings[1].to_string(),
            dimensions: strings[2..]
                .chunks(2)
                .map(|pair| (pair[0].to_string(), pair[1].to_string()))
                .collect(),
        });
    }
    uses
}

/// `${...}` of `!Sub` replaced by `0` (they only occur inside strings or as numbers).
fn without_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        out.push('0');
        rest = rest[at..].find('}').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The audit API's sources, for its metric names.
fn audit_api_source() -> String {
    let dir = repo_file("functions/audit-api/src");
    let mut text = String::new();
    let mut dirs = vec![dir];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("functions/audit-api/src") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                text.push_str(&std::fs::read_to_string(&path).expect("a source file"));
            }
        }
    }
    text
}

/// A problem with one use, or none.
fn check(use_: &Use, emitted: &BTreeMap<String, Emitted>, audit_api: &str) -> Option<String> {
    let service = use_
        .dimensions
        .iter()
        .find(|(n, _)| n == "Service")
        .map(|(_, v)| v.as_str());
    let Some(service) = service else {
        return Some("no Service dimension (every metric is published with it)".into());
    };
    let others: Vec<&(String, String)> = use_
        .dimensions
        .iter()
        .filter(|(n, _)| n != "Service")
        .collect();
    if service == AUDIT_API {
        if !audit_api.contains(&format!("\"{}\"", use_.name)) {
            return Some(format!(
                "the audit API does not emit {} (no such string in functions/audit-api/src)",
                use_.name
            ));
        }
        if !audit_api.contains(&format!("\"{AUDIT_API}\"")) {
            return Some("the audit API's service is not named \"audit-api\"".into());
        }
        return (!others.is_empty())
            .then(|| format!("the audit API's metrics have no dimension {others:?}"));
    }
    let Some(e) = emitted.get(&use_.name) else {
        return Some(format!("no function emits {}", use_.name));
    };
    if e.service != service {
        return Some(format!(
            "{} is emitted by {}, not {service}",
            use_.name, e.service
        ));
    }
    match (others.as_slice(), &e.dimension) {
        ([], _) => None,
        ([(name, value)], Some(dimension)) if name == dimension => (!e.values.contains(value))
            .then(|| format!("{name} is never {value} (only {:?})", e.values)),
        _ => Some(format!(
            "{} is published per Service and per {:?} only, not per {others:?}",
            use_.name, e.dimension
        )),
    }
}

#[test]
fn the_templates_alarms_and_dashboard_name_metrics_the_code_emits() {
    let template = std::fs::read_to_string(repo_file("template.yaml")).expect("template.yaml");
    let emitted = emitted();
    let audit_api = audit_api_source();
    let alarms = yaml_uses(&template);
    let dashboard = dashboard_uses(&template);
    assert!(
        alarms.iter().any(|u| u.name == "ProcessingFailures")
            && alarms.iter().any(|u| u.name == "OldestOpenCaseAgeSeconds"),
        "the alarms on processing failures and on the case SLA were not found: {alarms:?}"
    );
    let problems: Vec<String> = alarms
        .iter()
        .chain(&dashboard)
        .filter_map(|u| {
            check(u, &emitted, &audit_api).map(|p| format!("{}: {}: {p}", u.place, u.name))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Every metric the processor and the notifier emit is on the dashboard.
    let shown: BTreeSet<&str> = dashboard.iter().map(|u| u.name.as_str()).collect();
    let missing: Vec<&String> = emitted
        .keys()
        .filter(|n| !shown.contains(n.as_str()))
        .collect();
    assert!(missing.is_empty(), "not on the dashboard: {missing:?}");
}

#[test]
fn the_parser_sees_a_mistyped_metric() {
    let template = "
  A:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: Compliance
      MetricName: ProcessingFailure
      Dimensions:
        - Name: Service
          Value: processor
        - Name: Retry
          Value: sometimes
      Statistic: Sum
  B:
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
  C:
    Properties:
      DashboardBody: !Sub |
        [\"Compliance\", \"AlertsDelivered\", \"Service\", \"notifier\", \"Channel\", \"email\", {\"label\": \"${X}\"}]
";
    let emitted = emitted();
    let alarms = yaml_uses(template);
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(
        alarms[0].dimensions,
        [
            ("Service".to_string(), "processor".to_string()),
            ("Retry".to_string(), "sometimes".to_string())
        ]
    );
    let problem = check(&alarms[0], &emitted, "").expect("a problem");
    assert!(
        problem.contains("no function emits ProcessingFailure"),
        "{problem}"
    );
    let mut fixed = alarms.into_iter().next().expect("the alarm");
    fixed.name = "ProcessingFailures".into();
    let problem = check(&fixed, &emitted, "").expect("a problem");
    assert!(problem.contains("Retry is never sometimes"), "{problem}");

    let dashboard = dashboard_uses(template);
    assert_eq!(dashboard.len(), 1);
    let problem = check(&dashboard[0], &emitted, "").expect("a problem");
    assert!(problem.contains("Channel is never email"), "{problem}");
}
