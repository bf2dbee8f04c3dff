//! The processor's events as data: which objects an S3 notification or an EventBridge "Object
//! Created" event names, the messages of an SQS batch (an S3 event each, or one wrapped by SNS),
//! and S3's test event. Pure (no AWS client, no I/O), so that it is fuzzed as it is
//! (`fuzz/fuzz_targets/event_parsing.rs` compiles this file on its own: it uses no other module
//! of this crate).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::s3::S3Event;
use aws_lambda_events::event::sqs::SqsEvent;
use compliance_core::SourceRef;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why an event is not one the processor handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError(pub String);

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EventError {}

/// What an event asks of the processor.
#[derive(Debug)]
pub enum Event {
    /// Objects to read and judge (a direct S3 notification or an EventBridge event). Every
    /// one has a non-empty bucket and key.
    Objects(Vec<SourceRef>),
    /// An SQS batch: each message's body is an event of its own (see [`message_event`]).
    Sqs(SqsEvent),
    /// `s3:TestEvent`, sent once when a notification is configured: nothing to do.
    TestEvent,
}

/// The S3 part of an EventBridge "Object Created" event (the events crate types the envelope
/// only). EventBridge delivers the key as stored, not URL-encoded.
#[derive(Debug, Serialize, Deserialize)]
struct S3EventBridgeDetail {
    bucket: EventBridgeBucket,
    object: EventBridgeObject,
}

#[derive(Debug, Serialize, Deserialize)]
struct EventBridgeBucket {
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct EventBridgeObject {
    key: String,
    size: Option<u64>,
    etag: Option<String>,
    #[serde(rename = "version-id")]
    version_id: Option<String>,
}

/// Recognises any of the supported event shapes: EventBridge (`detail-type`), a direct S3
/// notification or an SQS batch (`Records[0].eventSource`), S3's test event.
pub fn parse_event(event: Value) -> Result<Event, EventError> {
    let unrecognised = |e: serde_json::Error| EventError(e.to_string());
    if event.get("detail-type").is_some() {
        let event: EventBridgeEvent<S3EventBridgeDetail> =
            serde_json::from_value(event).map_err(unrecognised)?;
        let object = &event.detail.object;
        let location = object_ref(
            &event.detail.bucket.name,
            &object.key,
            object.version_id.clone(),
            object.etag.clone(),
            object.size,
        )?;
        return Ok(Event::Objects(vec![location]));
    }
    let source = event
        .pointer("/Records/0/eventSource")
        .and_then(Value::as_str)
        .map(str::to_string);
    match source.as_deref() {
        Some("aws:s3") => {
            let event: S3Event = serde_json::from_value(event).map_err(unrecognised)?;
            object_refs(&event).map(Event::Objects)
        }
        Some("aws:sqs") => serde_json::from_value(event)
            .map(Event::Sqs)
            .map_err(unrecognised),
        _ if is_s3_test_event(&event) => Ok(Event::TestEvent),
        _ => Err(EventError(
            "expected an S3, SQS or EventBridge event".into(),
        )),
    }
}

/// The created objects an S3 notification names (other event names, and records without a
/// bucket or key, are left out), keys form-decoded. A record with an empty bucket name or an
/// empty key (S3 sends neither) is an error, not an object to fetch.
pub fn object_refs(event: &S3Event) -> Result<Vec<SourceRef>, EventError> {
    event
        .records
        .iter()
        .filter(|r| {
            r.event_name
                .as_deref()
                .is_none_or(|n| n.starts_with("ObjectCreated"))
        })
        .filter_map(|r| {
            let bucket = r.s3.bucket.name.as_deref()?;
            let key = decode_s3_key(r.s3.object.key.as_deref()?);
            Some(object_ref(
                bucket,
                &key,
                r.s3.object.version_id.clone().filter(|v| !v.is_empty()),
                r.s3.object.e_tag.clone().filter(|v| !v.is_empty()),
                r.s3.object.size.and_then(|s| u64::try_from(s).ok()),
            ))
        })
        .collect()
}

fn object_ref(
    bucket: &str,
    key: &str,
    version_id: Option<String>,
    etag: Option<String>,
    size: Option<u64>,
) -> Result<SourceRef, EventError> {
    if bucket.is_empty() || key.is_empty() {
        return Err(EventError(
            "an object with an empty bucket name or key".into(),
        ));
    }
    Ok(SourceRef::s3(bucket, key, version_id, etag, size))
}

/// The event an SQS message carries: its body, unwrapped once more when S3 -> SNS -> SQS put it
/// in an SNS envelope.
pub fn message_event(body: Option<&str>) -> Result<Value, EventError> {
    match body.map(serde_json::from_str::<Value>) {
        Some(Ok(body)) => Ok(match body.get("Message").and_then(Value::as_str) {
            Some(inner) if body.get("Type").is_some() => {
                serde_json::from_str(inner).unwrap_or(body)
            }
            _ => body,
        }),
        Some(Err(e)) => Err(EventError(format!("message body is not JSON: {e}"))),
        None => Err(EventError("empty message body".into())),
    }
}

/// S3 notification keys are form-URL-encoded: `+` is a space, then percent-escapes are UTF-8.
pub fn decode_s3_key(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// S3 sends `{"Event": "s3:TestEvent", ...}` once when a notification is configured.
fn is_s3_test_event(event: &Value) -> bool {
    event.get("Event").and_then(Value::as_str) == Some("s3:TestEvent")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s3_event(bucket: &str, key: &str) -> Value {
        let path = format!("{}/../../events/s3-put.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut event: Value = serde_json::from_str(&text).unwrap();
        event["Records"][0]["s3"]["bucket"]["name"] = json!(bucket);
        event["Records"][0]["s3"]["object"]["key"] = json!(key);
        event
    }

    #[test]
    fn every_shape_is_recognised() {
        for name in [
            "s3-put.json",
            "s3-put-encoded-key.json",
            "eventbridge-s3.json",
        ] {
            let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap();
            match parse_event(serde_json::from_str(&text).unwrap()) {
                Ok(Event::Objects(refs)) => assert_eq!(refs.len(), 1, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        let path = format!("{}/../../events/sqs-s3.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(Event::Sqs(batch)) = parse_event(serde_json::from_str(&text).unwrap()) else {
            panic!("sqs-s3.json");
        };
        // An S3 event, S3's test event, a body that is not JSON.
        let inner: Vec<_> = batch
            .records
            .iter()
            .map(|m| message_event(m.body.as_deref()).map(parse_event))
            .collect();
        assert!(matches!(&inner[0], Ok(Ok(Event::Objects(refs))) if refs.len() == 1));
        assert!(matches!(&inner[1], Ok(Ok(Event::TestEvent))));
        assert!(inner[2].is_err());
        assert!(matches!(
            parse_event(json!({"Event": "s3:TestEvent"})),
            Ok(Event::TestEvent)
        ));
        assert!(parse_event(json!({"hello": "world"})).is_err());
    }

    #[test]
    fn an_empty_bucket_or_key_is_an_error() {
        // An empty key (S3 never sends one) used to go on to a GetObject that could only
        // fail; fuzz/fuzz_targets/event_parsing.rs checks that every object has both.
        assert!(parse_event(s3_event("b", "")).is_err());
        assert!(parse_event(s3_event("", "k")).is_err());
        assert!(
            matches!(parse_event(s3_event("b", "+")), Ok(Event::Objects(r)) if r[0].key.as_deref() == Some(" "))
        );
        let bridge = json!({
            "version": "0", "id": "1", "detail-type": "Object Created", "source": "aws.s3",
            "account": "1", "time": "2026-11-26T00:00:00Z", "region": "eu-west-1",
            "resources": [], "detail": {"bucket": {"name": "b"}, "object": {"key": ""}}
        });
        assert!(parse_event(bridge).is_err());
    }

    #[test]
    fn sns_envelopes_are_unwrapped() {
        let inner = s3_event("b", "k").to_string();
        let wrapped = json!({"Type": "Notification", "Message": inner}).to_string();
        assert_eq!(message_event(Some(&wrapped)).unwrap(), s3_event("b", "k"));
        assert!(message_event(Some("{")).is_err());
        assert!(message_event(None).is_err());
    }
}
