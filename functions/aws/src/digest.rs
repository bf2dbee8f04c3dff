//! Publishing the daily digest ([`compliance_core::digest::Digest`]) to the alert topic, beside
//! the alerts, with the message attribute `kind = digest` (subscribers filter on it). Only
//! `kind` and `alert_id` (the digest id) are set: no `severity`, so that a subscription
//! filtering alerts by severity (a pager) never receives it.

use compliance_core::digest::{Digest, DIGEST_KIND};
use compliance_core::ports::PortError;

use crate::{port_error, string_attribute, SnsAlertSink};

impl SnsAlertSink {
    /// Publishes the digest as JSON.
    pub async fn publish_digest(&self, digest: &Digest) -> Result<(), PortError> {
        let message = serde_json::to_string(digest)
            .map_err(|e| PortError::permanent("sns:Publish", e.to_string()))?;
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(format!(
                "Compliance digest {}",
                digest.until.format("%Y-%m-%d %H:%M UTC")
            ))
            .message(message)
            .message_attributes("kind", string_attribute(DIGEST_KIND)?)
            .message_attributes("alert_id", string_attribute(&digest.digest_id)?)
            .send()
            .await
            .map_err(|e| port_error("sns:Publish", &e))?;
        Ok(())
    }
}
