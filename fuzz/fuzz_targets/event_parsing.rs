//! The processor's event parsing: `processor::events` (direct S3 notifications, SQS batches
//! with S3 or SNS-wrapped S3 events in their messages, EventBridge, S3's test event), compiled
//! here on its own so that the AWS SDK is not built. The first byte picks the input: 0-127 a
//! JSON event, 128-255 an S3 key (raw text) for `decode_s3_key`.
//!
//! Beyond "no panic": every object named has a non-empty bucket and key and the
//! `s3://bucket/key` URI of them; an S3 notification names no more objects than it has
//! records; SQS messages are followed as the processor follows them (a few levels deep); a
//! key form-encoded here decodes back to itself.

#![no_main]

use compliance_core::SourceRef;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

#[path = "../../functions/processor/src/events.rs"]
#[allow(dead_code)]
mod events;

use events::{decode_s3_key, message_event, parse_event, Event};

fn check_objects(refs: &[SourceRef]) {
    for r in refs {
        let bucket = r.bucket.as_deref().unwrap_or_default();
        let key = r.key.as_deref().unwrap_or_default();
        assert!(!bucket.is_empty() && !key.is_empty(), "object {r:?}");
        assert_eq!(r.uri, format!("s3://{bucket}/{key}"));
    }
}

fn follow(event: Value, depth: usize) {
    let records = event
        .get("Records")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let is_s3 = event
        .pointer("/Records/0/eventSource")
        .and_then(Value::as_str)
        == Some("aws:s3");
    match parse_event(event) {
        Ok(Event::Objects(refs)) => {
            check_objects(&refs);
            if is_s3 {
                assert!(
                    refs.len() <= records,
                    "{} objects of {records} records",
                    refs.len()
                );
            } else {
                assert_eq!(refs.len(), 1, "EventBridge names one object");
            }
        }
        Ok(Event::Sqs(batch)) => {
            for message in batch.records {
                if let Ok(inner) = message_event(message.body.as_deref()) {
                    if depth < 4 {
                        follow(inner, depth + 1);
                    }
                }
            }
        }
        Ok(Event::TestEvent) | Err(_) => {}
    }
}

/// Form-URL-encodes a key as S3 does in notifications: `+` for a space, `%XX` for the rest.
fn form_encode(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if pick < 128 {
        if let Ok(event) = serde_json::from_slice::<Value>(rest) {
            follow(event, 0);
        }
    } else {
        let raw = String::from_utf8_lossy(rest);
        let _ = decode_s3_key(&raw);
        assert_eq!(decode_s3_key(&form_encode(&raw)), raw);
    }
});
