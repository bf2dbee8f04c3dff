//! A record that carries a model consultation conforms, in the audit store and in `scan
//! --json`; an assistance block that claims a decision, or carries text, does not.

use chrono::Utc;
use compliance_contract::{Contract, Output};
use compliance_core::assist::{AssistPolicy, ModelExchange, ModelReply};
use compliance_core::customer::CustomerContext;
use compliance_core::pipeline::Consultation;
use compliance_core::{Pipeline, SourceRef};
use serde_json::Value;

fn assisted_record(reply: Result<&str, &str>) -> Value {
    let pipeline = Pipeline::with_defaults()
        .expect("pipeline")
        .with_assist_policy(Some(AssistPolicy::default()));
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../events/assist/account-opening-italian-moreno.txt"
    );
    let bytes = std::fs::read(path).expect("fixture");
    let customer = CustomerContext::none();
    let prepared = pipeline.prepare(
        SourceRef::file(path, None),
        Ok(&bytes),
        None,
        &customer,
        Utc::now(),
    );
    let plan = pipeline
        .assist_plan(&prepared)
        .expect("an `other` document is asked about");
    let consultation = Consultation {
        provider: "openai".into(),
        model: "gpt-4o-mini".into(),
        asked_because: plan.asked_because,
        exchange: Ok(ModelExchange {
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            latency_ms: 850,
            attempts: 2,
            reply: reply
                .map(|answer| ModelReply {
                    answer: answer.into(),
                    input_tokens: Some(512),
                    output_tokens: Some(31),
                })
                .map_err(String::from),
        }),
    };
    let record = pipeline.conclude(prepared, Some(consultation)).record;
    serde_json::to_value(record).expect("json")
}

#[test]
fn assisted_records_conform_and_broken_assistance_does_not() {
    let contract = Contract::load().expect("contract");
    let used = assisted_record(Ok(
        r#"{"doc_type":"kyc_application","confidence":0.9,"names":["Daniel Moreno"]}"#,
    ));
    assert_eq!(used["assistance"]["used"], true);
    let failed = assisted_record(Err("HTTP 503 after 3 attempts"));
    assert_eq!(failed["assistance"]["used"], false);
    for record in [&used, &failed] {
        if let Err(e) = contract.validate(Output::AuditRecord, record) {
            panic!("{e}");
        }
    }

    let mut with_decision = used.clone();
    with_decision["assistance"]["decision"] = Value::from("approved");
    let mut with_text = used.clone();
    with_text["assistance"]["document_text"] = Value::from("Nome e cognome: ...");
    let mut bad_type = used.clone();
    bad_type["assistance"]["suggested_type"] = Value::from("cheque");
    let mut no_note = used;
    no_note["assistance"]
        .as_object_mut()
        .map(|o| o.remove("note"));
    for (what, broken) in [
        ("a decision", with_decision),
        ("document text", with_text),
        ("a type outside the vocabulary", bad_type),
        ("no note", no_note),
    ] {
        assert!(
            contract.validate(Output::AuditRecord, &broken).is_err(),
            "assistance with {what} was accepted"
        );
    }
}
