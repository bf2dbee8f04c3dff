//! The processor's CloudWatch metrics (Embedded Metric Format lines, see
//! [`compliance_aws::metrics`]): one line per document processed, one per document that failed.
//! `template.yaml`'s dashboard and alarms use these names; `functions/notifier/tests/
//! metric_names.rs` holds the two to each other.

use std::time::Duration;

use compliance_aws::metrics::{MetricSet, Unit};
use compliance_core::ports::Retry;
use compliance_core::service::Outcome;

/// The `Service` dimension of every processor metric.
pub const SERVICE: &str = "processor";

/// Documents judged (1 per line), also per `Decision`.
pub const DOCUMENTS_PROCESSED: &str = "DocumentsProcessed";
/// Wall time of one document: read, judged, recorded, alerted (milliseconds).
pub const PROCESSING_TIME: &str = "ProcessingTime";
/// Whether this delivery published the document's alert (0 or 1).
pub const ALERTS_PUBLISHED: &str = "AlertsPublished";
/// Whether this delivery opened a case (0 or 1): newly recorded and not approved.
pub const CASES_OPENED: &str = "CasesOpened";
/// Documents that failed with a port error, also per `Retry` (`transient`, `permanent`).
pub const PROCESSING_FAILURES: &str = "ProcessingFailures";

/// Documents a language model was consulted about (sent or withheld), when assistance is on.
pub const MODEL_CONSULTATIONS: &str = "ModelConsultations";
/// Whether the model's answer was used (0 or 1), per consultation.
pub const MODEL_ANSWERS_USED: &str = "ModelAnswersUsed";
/// Whether the model was asked and gave no valid answer (0 or 1): failures, timeouts, rate
/// limits and malformed answers, all judged without it.
pub const MODEL_FAILURES: &str = "ModelFailures";
/// Wall time of one consultation, retries included (milliseconds).
pub const MODEL_LATENCY: &str = "ModelLatency";
/// Tokens the provider reported, for cost.
pub const MODEL_INPUT_TOKENS: &str = "ModelInputTokens";
pub const MODEL_OUTPUT_TOKENS: &str = "ModelOutputTokens";

/// The extra dimension of [`DOCUMENTS_PROCESSED`] and its companions: the decision.
pub const DECISION_DIMENSION: &str = "Decision";
/// The extra dimension of [`PROCESSING_FAILURES`]: whether a retry can help.
pub const RETRY_DIMENSION: &str = "Retry";

/// Every metric name the processor emits.
pub const METRIC_NAMES: [&str; 11] = [
    DOCUMENTS_PROCESSED,
    PROCESSING_TIME,
    ALERTS_PUBLISHED,
    CASES_OPENED,
    PROCESSING_FAILURES,
    MODEL_CONSULTATIONS,
    MODEL_ANSWERS_USED,
    MODEL_FAILURES,
    MODEL_LATENCY,
    MODEL_INPUT_TOKENS,
    MODEL_OUTPUT_TOKENS,
];

fn flag(value: bool) -> f64 {
    if value {
        1.0
    } else {
        0.0
    }
}

/// The line for one processed document. A redelivery of a recorded document counts as
/// processed again (it was), but opens no case; it publishes the alert only if the first
/// delivery did not.
pub fn document_metrics(outcome: &Outcome, elapsed: Duration) -> MetricSet {
    let decision = outcome.record.decision;
    let metrics = MetricSet::new(SERVICE)
        .dimension(DECISION_DIMENSION, decision.as_str())
        .value(DOCUMENTS_PROCESSED, Unit::Count, 1.0)
        .value(
            PROCESSING_TIME,
            Unit::Milliseconds,
            elapsed.as_secs_f64() * 1000.0,
        )
        .value(ALERTS_PUBLISHED, Unit::Count, flag(outcome.alert_published))
        .value(
            CASES_OPENED,
            Unit::Count,
            flag(outcome.newly_recorded && decision.needs_alert()),
        );
    // Only for a consultation made by this delivery, not one read back from the store.
    match (&outcome.record.assistance, outcome.newly_recorded) {
        (Some(assistance), true) => {
            let metrics = metrics
                .value(MODEL_CONSULTATIONS, Unit::Count, 1.0)
                .value(MODEL_ANSWERS_USED, Unit::Count, flag(assistance.used))
                .value(
                    MODEL_FAILURES,
                    Unit::Count,
                    flag(assistance.asked && assistance.suggested_type.is_none()),
                )
                .value(
                    MODEL_LATENCY,
                    Unit::Milliseconds,
                    assistance.latency_ms as f64,
                );
            let tokens = |name, count: Option<u64>| (name, count.unwrap_or(0) as f64);
            [
                tokens(MODEL_INPUT_TOKENS, assistance.input_tokens),
                tokens(MODEL_OUTPUT_TOKENS, assistance.output_tokens),
            ]
            .into_iter()
            .fold(metrics, |m, (name, count)| {
                m.value(name, Unit::Count, count)
            })
        }
        _ => metrics,
    }
}

/// The line for one document that failed (reading it, storing its record or publishing its
/// alert).
pub fn failure_metrics(retry: Retry) -> MetricSet {
    let retry = match retry {
        Retry::Transient => "transient",
        Retry::Permanent => "permanent",
    };
    MetricSet::new(SERVICE)
        .dimension(RETRY_DIMENSION, retry)
        .value(PROCESSING_FAILURES, Unit::Count, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use compliance_core::Pipeline;
    use compliance_core::SourceRef;
    use serde_json::json;

    fn outcome(text: &str, newly_recorded: bool, alert_published: bool) -> Outcome {
        let pipeline = Pipeline::with_defaults().expect("default rules and lists");
        let source = SourceRef::s3("bucket", "incoming/doc.txt", None, None, None);
        let record = pipeline
            .assess(source, Ok(text.as_bytes()), Default::default())
            .record;
        Outcome {
            record,
            fields: None,
            newly_recorded,
            alert_published,
            customer: None,
        }
    }

    #[test]
    fn a_new_document_that_is_not_approved_opens_a_case_and_alerts() {
        let o = outcome("", true, true);
        let decision = o.record.decision;
        assert!(decision.needs_alert(), "an empty document is not approved");
        let doc = document_metrics(&o, Duration::from_micros(12_500)).to_json(1_700_000_000_000);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0],
            json!({
                "Namespace": "Compliance",
                "Dimensions": [["Service"], ["Service", "Decision"]],
                "Metrics": [
                    {"Name": "DocumentsProcessed", "Unit": "Count"},
                    {"Name": "ProcessingTime", "Unit": "Milliseconds"},
                    {"Name": "AlertsPublished", "Unit": "Count"},
                    {"Name": "CasesOpened", "Unit": "Count"},
                ]
            })
        );
        assert_eq!(doc["Service"], "processor");
        assert_eq!(doc["Decision"], decision.as_str());
        assert_eq!(doc["DocumentsProcessed"], 1.0);
        assert_eq!(doc["ProcessingTime"], 12.5);
        assert_eq!(doc["AlertsPublished"], 1.0);
        assert_eq!(doc["CasesOpened"], 1.0);
    }

    #[test]
    fn a_redelivery_opens_no_case() {
        let doc = document_metrics(&outcome("", false, false), Duration::ZERO).to_json(0);
        assert_eq!(doc["DocumentsProcessed"], 1.0);
        assert_eq!(doc["AlertsPublished"], 0.0);
        assert_eq!(doc["CasesOpened"], 0.0);
        assert_eq!(doc["ProcessingTime"], 0.0);
    }

    #[test]
    fn an_approved_document_opens_no_case() {
        let mut o = outcome("", true, false);
        o.record.decision = compliance_core::audit::Decision::Approved;
        let doc = document_metrics(&o, Duration::from_millis(3)).to_json(0);
        assert_eq!(doc["Decision"], "approved");
        assert_eq!(doc["CasesOpened"], 0.0);
        assert_eq!(doc["AlertsPublished"], 0.0);
    }

    #[test]
    fn failures_are_counted_per_retry_kind() {
        for (retry, value) in [
            (Retry::Transient, "transient"),
            (Retry::Permanent, "permanent"),
        ] {
            let doc = failure_metrics(retry).to_json(1);
            assert_eq!(
                doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
                json!([["Service"], ["Service", "Retry"]])
            );
            assert_eq!(
                doc["_aws"]["CloudWatchMetrics"][0]["Metrics"],
                json!([{"Name": "ProcessingFailures", "Unit": "Count"}])
            );
            assert_eq!(doc["Service"], "processor");
            assert_eq!(doc["Retry"], value);
            assert_eq!(doc["ProcessingFailures"], 1.0);
        }
    }
}
