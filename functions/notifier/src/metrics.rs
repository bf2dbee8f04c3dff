//! The notifier's CloudWatch metrics (Embedded Metric Format lines, see
//! [`compliance_aws::metrics`]): one line per alert and target, saying whether the target took
//! it. `template.yaml`'s dashboard and alarms use these names; `tests/metric_names.rs` holds
//! the two to each other.

use compliance_aws::metrics::{MetricSet, Unit};

use crate::deliver::Target;

/// The `Service` dimension of every notifier metric.
pub const SERVICE: &str = "notifier";

/// Alerts a target took (0 or 1 per line), also per `Channel`.
pub const ALERTS_DELIVERED: &str = "AlertsDelivered";
/// Alerts a target did not take after the retries, or refused (0 or 1 per line), also per
/// `Channel`.
pub const ALERT_DELIVERY_FAILURES: &str = "AlertDeliveryFailures";

/// The extra dimension: `slack` or `teams` ([`Target::as_str`]).
pub const CHANNEL_DIMENSION: &str = "Channel";

/// Every metric name the notifier emits.
pub const METRIC_NAMES: [&str; 2] = [ALERTS_DELIVERED, ALERT_DELIVERY_FAILURES];

/// The line for one alert posted to one target: both metrics, one of them 1, so that the
/// failure rate is their ratio.
pub fn delivery_metrics(target: Target, delivered: bool) -> MetricSet {
    let (ok, failed) = if delivered { (1.0, 0.0) } else { (0.0, 1.0) };
    MetricSet::new(SERVICE)
        .dimension(CHANNEL_DIMENSION, target.as_str())
        .value(ALERTS_DELIVERED, Unit::Count, ok)
        .value(ALERT_DELIVERY_FAILURES, Unit::Count, failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_per_alert_and_channel() {
        for (target, delivered, ok, failed) in [
            (Target::Slack, true, 1.0, 0.0),
            (Target::Teams, true, 1.0, 0.0),
            (Target::Slack, false, 0.0, 1.0),
            (Target::Teams, false, 0.0, 1.0),
        ] {
            let doc = delivery_metrics(target, delivered).to_json(1_700_000_000_000);
            assert_eq!(
                doc["_aws"]["CloudWatchMetrics"][0],
                json!({
                    "Namespace": "Compliance",
                    "Dimensions": [["Service"], ["Service", "Channel"]],
                    "Metrics": [
                        {"Name": "AlertsDelivered", "Unit": "Count"},
                        {"Name": "AlertDeliveryFailures", "Unit": "Count"},
                    ]
                })
            );
            assert_eq!(doc["Service"], "notifier");
            assert_eq!(doc["Channel"], target.as_str());
            assert_eq!(doc["AlertsDelivered"], ok, "{target} {delivered}");
            assert_eq!(doc["AlertDeliveryFailures"], failed, "{target} {delivered}");
        }
    }
}
