//! CloudWatch metrics as Embedded Metric Format log lines: one JSON object per line on
//! standard output, which CloudWatch Logs turns into metrics without any API call (nothing to
//! throttle, nothing to retry, no permission beyond writing logs).
//!
//! Every metric of the stack is in the [`NAMESPACE`] namespace with a `Service` dimension
//! (`processor`, `notifier`, `audit-api`); some also carry one more dimension. The dashboard
//! and alarms in `template.yaml` use these names.

use std::io::Write;

use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "Compliance";

/// Units CloudWatch understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    Seconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::Seconds => "Seconds",
        }
    }
}

/// Metrics sharing a timestamp and dimensions: one log line.
#[derive(Debug, Clone)]
pub struct MetricSet {
    service: &'static str,
    /// An extra dimension (name, value); the metrics are also published without it.
    dimension: Option<(&'static str, String)>,
    values: Vec<(&'static str, Unit, f64)>,
}

impl MetricSet {
    pub fn new(service: &'static str) -> Self {
        Self {
            service,
            dimension: None,
            values: Vec::new(),
        }
    }

    /// Also publish the metrics per value of this dimension (such as `Decision`). Values are
    /// fixed vocabularies chosen by the code, never data from a document.
    pub fn dimension(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.dimension = Some((name, value.into()));
        self
    }

    pub fn value(mut self, name: &'static str, unit: Unit, value: f64) -> Self {
        self.values.push((name, unit, value));
        self
    }

    /// The EMF document, stamped with `timestamp_ms`.
    pub fn to_json(&self, timestamp_ms: i64) -> Value {
        let mut dimensions = vec![json!(["Service"])];
        if let Some((name, _)) = &self.dimension {
            dimensions.push(json!(["Service", name]));
        }
        let definitions: Vec<Value> = self
            .values
            .iter()
            .map(|(name, unit, _)| json!({"Name": name, "Unit": unit.as_str()}))
            .collect();
        let mut root = Map::new();
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": dimensions,
                    "Metrics": definitions,
                }],
            }),
        );
        root.insert("Service".into(), json!(self.service));
        if let Some((name, value)) = &self.dimension {
            root.insert((*name).into(), json!(value));
        }
        for (name, _, value) in &self.values {
            root.insert((*name).into(), json!(value));
        }
        Value::Object(root)
    }

    /// Writes the line to standard output. A metric that cannot be written is dropped with
    /// a warning: metrics never fail the work they measure.
    pub fn emit(&self) {
        let line = self.to_json(chrono::Utc::now().timestamp_millis());
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{line}").is_err() {
            tracing::warn!("a metrics line could not be written");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_set_is_an_emf_document() {
        let doc = MetricSet::new("processor")
            .dimension("Decision", "rejected")
            .value("DocumentsProcessed", Unit::Count, 1.0)
            .value("ProcessingTime", Unit::Milliseconds, 12.5)
            .to_json(1_700_000_000_000);
        let cw = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(cw["Namespace"], "Compliance");
        assert_eq!(
            cw["Dimensions"],
            json!([["Service"], ["Service", "Decision"]])
        );
        assert_eq!(
            cw["Metrics"],
            json!([
                {"Name": "DocumentsProcessed", "Unit": "Count"},
                {"Name": "ProcessingTime", "Unit": "Milliseconds"}
            ])
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(doc["Service"], "processor");
        assert_eq!(doc["Decision"], "rejected");
        assert_eq!(doc["DocumentsProcessed"], 1.0);
        assert_eq!(doc["ProcessingTime"], 12.5);
    }
}
