//! `POST /cases/{case_id}/decisions`: a reviewer's decision on a case. The reviewer is the IAM
//! caller API Gateway authenticated, never a name from the body.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use compliance_aws::metrics::{MetricSet, Unit};
use compliance_aws::query::base64_decode;
use compliance_core::case::{CaseHit, ReviewAction, ReviewError, ReviewRequest};
use compliance_core::service::{review_case, ReviewFailure};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{is_document_id, port_failure, AuditApi, SERVICE};

/// The largest request body read (a reason is at most 2000 characters).
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The body of a decision. Unknown fields are refused, `reviewer` among them: the reviewer
/// is whoever signed the request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    list: Option<String>,
    #[serde(default)]
    entry_id: Option<String>,
}

/// The review request from the body, or a message for a 400.
fn review_request(
    request: &ApiGatewayV2httpRequest,
    reviewer: &str,
) -> Result<ReviewRequest, String> {
    let raw = request.body.as_deref().unwrap_or("");
    let bytes = if request.is_base64_encoded {
        base64_decode(raw).ok_or("the body is not valid base64")?
    } else {
        raw.as_bytes().to_vec()
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(format!("the body is larger than {MAX_BODY_BYTES} bytes"));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(
            "the body must be JSON: {\"action\": \"approve|reject|escalate|false_positive|reopen\", \"reason\": \"...\"}"
                .into(),
        );
    }
    let body: DecisionBody =
        serde_json::from_slice(&bytes).map_err(|e| format!("the body is not a decision: {e}"))?;
    let action = ReviewAction::parse(&body.action).ok_or_else(|| {
        format!(
            "unknown action `{}`; one of {}",
            body.action,
            ReviewAction::ALL.map(ReviewAction::as_str).join(", ")
        )
    })?;
    let hit = match (body.list, body.entry_id) {
        (Some(list), Some(entry_id)) => Some(CaseHit { list, entry_id }),
        (None, None) => None,
        _ => {
            return Err(
                "`list` and `entry_id` name a sanctions hit together: give both or neither".into(),
            )
        }
    };
    if hit.is_some() && action != ReviewAction::FalsePositive {
        return Err("`list` and `entry_id` are for a false_positive decision only".into());
    }
    Ok(ReviewRequest {
        action,
        reviewer: reviewer.to_string(),
        reason: body.reason,
        hit,
    })
}

impl AuditApi {
    pub(crate) async fn decide(
        &self,
        case_id: &str,
        reviewer: &str,
        request: &ApiGatewayV2httpRequest,
    ) -> (i64, Value) {
        if !is_document_id(case_id) {
            return (
                400,
                json!({"error": "a case id is its document id: 32 hex characters"}),
            );
        }
        let review = match review_request(request, reviewer) {
            Ok(review) => review,
            Err(message) => return (400, json!({"error": message})),
        };
        let outcome = review_case(&self.pipeline, &self.store, &self.sink, case_id, &review).await;
        match outcome {
            Ok(outcome) => {
                MetricSet::new(SERVICE)
                    .dimension("Action", review.action.as_str())
                    .value("ReviewDecisions", Unit::Count, 1.0)
                    .emit();
                tracing::info!(
                    case_id,
                    action = review.action.as_str(),
                    revision = outcome.case_file.case.revision,
                    "review recorded"
                );
                crate::to_body(200, &outcome)
            }
            Err(ReviewFailure::NotFound(_)) => (404, json!({"error": "no such case"})),
            // Malformed values are the request's to fix; the others are the case's state.
            Err(ReviewFailure::Refused(
                e @ (ReviewError::Empty(_) | ReviewError::TooLong { .. }),
            )) => (400, json!({"error": e.to_string()})),
            Err(ReviewFailure::Refused(e)) => (409, json!({"error": e.to_string()})),
            // Transient (throttling, or other reviewers kept winning): 503, worth a retry.
            Err(ReviewFailure::Port(e)) => port_failure(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &str, base64: bool) -> ApiGatewayV2httpRequest {
        let mut request = ApiGatewayV2httpRequest::default();
        request.body = Some(body.to_string());
        request.is_base64_encoded = base64;
        request
    }

    #[test]
    fn a_body_api_gateway_sent_as_base64_is_read() {
        // {"action":"approve","reason":"ok"} in standard base64, padded, as API Gateway sends.
        let encoded = "eyJhY3Rpb24iOiJhcHByb3ZlIiwicmVhc29uIjoib2sifQ==";
        let review = review_request(&request(encoded, true), "arn:reviewer").expect("decision");
        assert_eq!(review.action, ReviewAction::Approve);
        assert_eq!(review.reason, "ok");
        assert_eq!(review.reviewer, "arn:reviewer");
        assert!(review_request(&request("not base64!", true), "r").is_err());
    }

    #[test]
    fn the_body_cannot_name_the_reviewer() {
        let body = r#"{"action":"approve","reason":"ok","reviewer":"someone else"}"#;
        assert!(review_request(&request(body, false), "arn:reviewer").is_err());
    }
}
