//! The SNS message: which kind of alert it is (message attribute `kind`) and the alert itself,
//! read with the core's own types: a document alert, a customer status alert, or the daily
//! digest (`kind = digest`, published by the audit API's scheduled job).

use aws_lambda_events::event::sns::SnsMessage;
use compliance_core::audit::{Alert, CustomerAlert, ListsRefreshAlert};
use compliance_core::digest::{Digest, DIGEST_KIND};

use crate::NotifierError;

/// Message attribute `kind` of document alerts (and of messages without `kind`, from
/// processors older than the attribute).
pub const DOCUMENT_KIND: &str = "document";

#[derive(Debug, Clone, PartialEq)]
pub enum AlertMessage {
    Document(Alert),
    Customer(CustomerAlert),
    /// The daily digest (boxed: it is much larger than an alert).
    Digest(Box<Digest>),
    /// The scheduled list refresh could not install new lists.
    ListsRefresh(ListsRefreshAlert),
}

impl AlertMessage {
    pub fn alert_id(&self) -> &str {
        match self {
            AlertMessage::Document(a) => &a.alert_id,
            AlertMessage::Customer(a) => &a.alert_id,
            AlertMessage::Digest(d) => &d.digest_id,
            AlertMessage::ListsRefresh(a) => &a.alert_id,
        }
    }

    /// `document`, `customer_status`, `digest` or `lists_refresh`, as in the message attribute.
    pub fn kind(&self) -> &'static str {
        match self {
            AlertMessage::Document(_) => DOCUMENT_KIND,
            AlertMessage::Customer(_) => CustomerAlert::KIND,
            AlertMessage::Digest(_) => DIGEST_KIND,
            AlertMessage::ListsRefresh(_) => ListsRefreshAlert::KIND,
        }
    }
}

/// The alert in an SNS notification. Anything else (not JSON, another shape, an unknown
/// `kind`) is a permanent error that names the SNS message id and what was expected, never
/// the message's content (serde's own messages can quote values, so only their category and
/// position are kept).
pub fn parse_message(sns: &SnsMessage) -> Result<AlertMessage, NotifierError> {
    let malformed = |detail: String| NotifierError::Malformed {
        message_id: sns.message_id.clone(),
        detail,
    };
    let kind = sns
        .message_attributes
        .get("kind")
        .map(|a| a.value.as_str())
        .unwrap_or(DOCUMENT_KIND);
    let describe = |e: serde_json::Error, what: &str| {
        let category = match e.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "JSON of another shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        format!(
            "not a {what}: {category} (line {}, column {})",
            e.line(),
            e.column()
        )
    };
    match kind {
        DOCUMENT_KIND => serde_json::from_str::<Alert>(&sns.message)
            .map(AlertMessage::Document)
            .map_err(|e| malformed(describe(e, "document alert"))),
        CustomerAlert::KIND => {
            let alert = serde_json::from_str::<CustomerAlert>(&sns.message)
                .map_err(|e| malformed(describe(e, "customer status alert")))?;
            if alert.kind != CustomerAlert::KIND {
                return Err(malformed(
                    "customer status alert whose body has another kind".to_string(),
                ));
            }
            Ok(AlertMessage::Customer(alert))
        }
        DIGEST_KIND => {
            let digest = serde_json::from_str::<Digest>(&sns.message)
                .map_err(|e| malformed(describe(e, "digest")))?;
            if digest.kind != DIGEST_KIND {
                return Err(malformed("digest whose body has another kind".to_string()));
            }
            Ok(AlertMessage::Digest(Box::new(digest)))
        }
        ListsRefreshAlert::KIND => {
            let alert = serde_json::from_str::<ListsRefreshAlert>(&sns.message)
                .map_err(|e| malformed(describe(e, "lists refresh alert")))?;
            if alert.kind != ListsRefreshAlert::KIND {
                return Err(malformed(
                    "lists refresh alert whose body has another kind".to_string(),
                ));
            }
            Ok(AlertMessage::ListsRefresh(alert))
        }
        _ => Err(malformed(format!(
            "unknown message attribute kind (expected {DOCUMENT_KIND}, {}, {DIGEST_KIND} or {})",
            CustomerAlert::KIND,
            ListsRefreshAlert::KIND
        ))),
    }
}
