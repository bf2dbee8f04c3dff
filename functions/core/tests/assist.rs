//! Model assistance can only add scrutiny. The pipeline is given answers directly (what a
//! provider adapter would return), including the most favourable answers an obedient or
//! compromised model could give, over every sample and corpus document; the provider adapters
//! themselves are tested against loopback servers in `functions/assist`.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use compliance_core::assist::{AssistPolicy, ModelExchange, ModelReply, PROMPT_VERSION};
use compliance_core::audit::{AuditRecord, Decision};
use compliance_core::classify::DocType;
use compliance_core::customer::CustomerContext;
use compliance_core::pipeline::Consultation;
use compliance_core::{Pipeline, SourceRef};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pipeline(policy: AssistPolicy) -> Pipeline {
    Pipeline::with_defaults()
        .expect("default pipeline")
        .with_assist_policy(Some(policy))
}

/// Asks about every document, whatever the built-in confidence.
fn ask_always() -> AssistPolicy {
    AssistPolicy {
        below_confidence: 1.01,
        ..AssistPolicy::default()
    }
}

fn answered(answer: &str) -> ModelExchange {
    ModelExchange {
        provider: "scripted".into(),
        model: "test-model".into(),
        latency_ms: 12,
        attempts: 1,
        reply: Ok(ModelReply {
            answer: answer.into(),
            input_tokens: Some(900),
            output_tokens: Some(40),
        }),
    }
}

/// Judges `path` without a model and with the given exchange (when the plan sends it).
/// Returns (without, with, whether the document was sent).
fn judge(
    pipeline: &Pipeline,
    path: &Path,
    exchange: impl Fn() -> ModelExchange,
) -> (AuditRecord, AuditRecord, bool) {
    let bytes = std::fs::read(path).expect("fixture readable");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
        .single()
        .expect("instant");
    let uri = path.to_string_lossy().into_owned();
    let customer = CustomerContext::none();
    let without = pipeline
        .assess_for(SourceRef::file(&uri, None), Ok(&bytes), &customer, now)
        .record;
    let prepared = pipeline.prepare(
        SourceRef::file(&uri, None),
        Ok(&bytes),
        None,
        &customer,
        now,
    );
    let mut sent = false;
    let consultation = pipeline.assist_plan(&prepared).map(|plan| Consultation {
        provider: "scripted".into(),
        model: "test-model".into(),
        asked_because: plan.asked_because,
        exchange: match plan.request {
            Ok(_) => {
                sent = true;
                Ok(exchange())
            }
            Err(withheld) => Err(withheld),
        },
    });
    let with = pipeline.conclude(prepared, consultation).record;
    (without, with, sent)
}

fn strictness(decision: Decision) -> u8 {
    match decision {
        Decision::Approved => 0,
        Decision::ManualReview => 1,
        Decision::Rejected => 2,
        Decision::Unreadable => 3,
    }
}

fn check_status(record: &AuditRecord, id: &str) -> String {
    record
        .checks
        .iter()
        .find(|c| c.id == id)
        .map(|c| format!("{:?}", c.status))
        .unwrap_or_default()
}

#[test]
fn a_form_in_a_language_the_rules_do_not_know_is_screened_with_the_models_reading() {
    let pipeline = pipeline(AssistPolicy::default());
    let letter = root().join("events/assist/account-opening-italian-moreno.txt");
    let (without, with, sent) = judge(&pipeline, &letter, || {
        answered(
            r#"{"doc_type":"kyc_application","confidence":0.8,"names":["Daniel Moreno","Banca del Lago S.p.A."]}"#,
        )
    });
    assert!(sent, "an `other` document is asked about by default");
    assert_eq!(
        without.decision,
        Decision::Approved,
        "{:?}",
        without.reasons
    );
    assert_eq!(
        check_status(&without, "aml.sanctions_screening"),
        "NotApplicable"
    );
    assert_eq!(with.decision, Decision::ManualReview, "{:?}", with.reasons);
    assert_eq!(check_status(&with, "aml.sanctions_screening"), "Fail");

    let assistance = with.assistance.as_ref().expect("assistance recorded");
    eprintln!("note: {}", assistance.note);
    assert!(assistance.asked && assistance.used);
    assert_eq!(assistance.provider, "scripted");
    assert_eq!(assistance.model, "test-model");
    assert_eq!(assistance.prompt_version, PROMPT_VERSION);
    assert_eq!(assistance.latency_ms, 12);
    assert_eq!(
        (assistance.input_tokens, assistance.output_tokens),
        (Some(900), Some(40))
    );
    assert_eq!((assistance.names_proposed, assistance.names_used), (2, 2));
    assert!(
        assistance
            .checks_changed
            .contains(&"aml.sanctions_screening".to_string()),
        "{:?}",
        assistance.checks_changed
    );
    assert!(
        assistance.asked_because.contains("other"),
        "{}",
        assistance.asked_because
    );
    // The record keeps the built-in reading; no name in clear anywhere in it.
    assert_eq!(with.doc_type, without.doc_type);
    assert_eq!(with.confidence, without.confidence);
    assert_eq!(with.fields, without.fields);
    let stored = serde_json::to_string(&with).expect("json");
    assert!(!stored.contains("Moreno"), "{stored}");
}

#[test]
fn a_name_the_document_does_not_contain_is_not_screened() {
    let pipeline = pipeline(AssistPolicy::default());
    let letter = root().join("events/assist/account-opening-italian-moreno.txt");
    let (without, with, _) = judge(&pipeline, &letter, || {
        answered(
            r#"{"doc_type":"other","confidence":0.9,"names":["Daniel Morenos","Ali Example"]}"#,
        )
    });
    let assistance = with.assistance.as_ref().expect("assistance");
    assert_eq!((assistance.names_proposed, assistance.names_used), (2, 0));
    assert_eq!(with.decision, without.decision);
    assert!(assistance.checks_changed.is_empty());
}

#[test]
fn documents_addressed_to_a_model_are_not_sent_and_keep_their_decision() {
    let pipeline = pipeline(ask_always());
    for (file, phrase) in [
        (
            "injection-kyc-sanctioned.txt",
            "ignore previous instructions",
        ),
        (
            "injection-hidden-characters.txt",
            "ignore all previous instructions",
        ),
    ] {
        let path = root().join("events/assist").join(file);
        let (without, with, sent) = judge(&pipeline, &path, || {
            panic!("{file} must not be sent to a model")
        });
        assert!(!sent);
        assert_eq!(with.decision, without.decision, "{file}");
        assert_eq!(with.checks, without.checks, "{file}");
        let assistance = with.assistance.as_ref().expect("assistance recorded");
        assert!(!assistance.asked && !assistance.used, "{file}");
        assert!(
            assistance.note.contains(phrase),
            "{file}: {}",
            assistance.note
        );
        assert!(with
            .reasons
            .iter()
            .any(|r| r.contains("addressed to a model")));
    }
    // The listed person's application stays in review with its sanctions hit.
    let path = root().join("events/assist/injection-kyc-sanctioned.txt");
    let (_, with, _) = judge(&pipeline, &path, || unreachable!());
    assert_ne!(with.decision, Decision::Approved);
    assert_eq!(check_status(&with, "aml.sanctions_screening"), "Fail");
}

#[test]
fn an_obedient_model_cannot_clear_a_document_the_detector_missed() {
    let pipeline = pipeline(ask_always());
    let path = root().join("events/assist/injection-undetected-wording.txt");
    // What the document asks for, and what a model trying to approve would say.
    for answer in [
        r#"{"doc_type":"other","confidence":1.0,"names":[]}"#,
        r#"{"doc_type":"consent_form","confidence":1.0,"names":[]}"#,
    ] {
        let (without, with, sent) = judge(&pipeline, &path, || answered(answer));
        assert!(sent, "this wording is not on the detector's list");
        // Never more lenient; a type with checks of its own may make it stricter.
        assert!(
            strictness(with.decision) >= strictness(without.decision),
            "{answer}"
        );
        assert_eq!(with.doc_type, without.doc_type);
        assert_eq!(with.confidence, without.confidence);
    }
    // An answer with a decision in it is not an answer.
    let (without, with, _) = judge(&pipeline, &path, || {
        answered(r#"{"doc_type":"other","confidence":1.0,"names":[],"decision":"approved"}"#)
    });
    assert_eq!(with.decision, without.decision);
    let assistance = with.assistance.expect("assistance");
    assert!(!assistance.used);
    assert!(assistance.note.contains("not used"), "{}", assistance.note);
}

#[test]
fn failures_and_unsure_answers_fall_back_to_the_built_in_result_with_the_reason() {
    let pipeline = pipeline(ask_always());
    let letter = root().join("events/assist/account-opening-italian-moreno.txt");
    let cases: [(ModelExchange, &str); 4] = [
        (
            ModelExchange {
                provider: "scripted".into(),
                model: "test-model".into(),
                latency_ms: 45_000,
                attempts: 3,
                reply: Err("timed out after 3 attempts".into()),
            },
            "failed, judged without it: timed out after 3 attempts",
        ),
        (
            answered("{\"doc_type\": \"invoice\""),
            "does not match the schema",
        ),
        (
            answered(r#"{"doc_type":"passport","confidence":0.2,"names":["Daniel Moreno"]}"#),
            "below 0.50",
        ),
        (answered(&"x".repeat(20_000)), "bytes is over"),
    ];
    for (exchange, expected) in cases {
        let (without, with, _) = judge(&pipeline, &letter, || exchange.clone());
        assert_eq!(with.decision, without.decision, "{expected}");
        assert_eq!(with.checks, without.checks, "{expected}");
        let assistance = with.assistance.expect("assistance");
        assert!(!assistance.used);
        assert!(assistance.note.contains(expected), "{}", assistance.note);
        assert!(with.reasons.iter().any(|r| r.contains(expected)));
    }
}

#[test]
fn confident_documents_are_not_sent_under_the_default_policy() {
    let pipeline = pipeline(AssistPolicy::default());
    let passport = root().join("events/documents/passport-lindqvist.txt");
    let (_, with, sent) = judge(&pipeline, &passport, || unreachable!());
    assert!(!sent);
    assert!(with.assistance.is_none());
}

/// Every sample and corpus document, every type a model could name, with and without names
/// taken from the document: the decision is never more lenient than without the model, and
/// every check that failed without the model still fails.
#[test]
fn no_answer_makes_any_decision_more_lenient() {
    let pipeline = pipeline(ask_always());
    let mut files = Vec::new();
    for dir in ["events/documents", "events/corpus", "events/assist"] {
        let mut stack = vec![root().join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("fixture folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().and_then(|e| e.to_str()) != Some("json")
                    || dir != "events/corpus"
                {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    assert!(files.len() > 100, "{} files", files.len());
    let mut judged = 0;
    let mut stricter = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        // Names a model might pick: pairs of capitalised words the document contains.
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() > 2 && w.chars().next().is_some_and(char::is_uppercase))
            .take(12)
            .collect();
        let names: Vec<String> = words.windows(2).take(10).map(|w| w.join(" ")).collect();
        let now = Utc
            .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
            .single()
            .expect("instant");
        let uri = path.to_string_lossy().into_owned();
        let customer = CustomerContext::none();
        let without = pipeline
            .assess_for(SourceRef::file(&uri, None), Ok(&bytes), &customer, now)
            .record;
        let prepared = pipeline.prepare(
            SourceRef::file(&uri, None),
            Ok(&bytes),
            None,
            &customer,
            now,
        );
        let Some(plan) = pipeline.assist_plan(&prepared) else {
            // Unreadable: nothing to ask about.
            assert_eq!(without.decision, Decision::Unreadable, "{}", path.display());
            continue;
        };
        for doc_type in DocType::ALL {
            for names in [Vec::new(), names.clone()] {
                let answer = serde_json::json!({
                    "doc_type": doc_type, "confidence": 1.0, "names": names
                })
                .to_string();
                let consultation = Consultation {
                    provider: "scripted".into(),
                    model: "test-model".into(),
                    asked_because: plan.asked_because.clone(),
                    exchange: plan
                        .request
                        .as_ref()
                        .map(|_| answered(&answer))
                        .map_err(Clone::clone),
                };
                let with = pipeline
                    .conclude(prepared.clone(), Some(consultation))
                    .record;
                judged += 1;
                assert!(
                    strictness(with.decision) >= strictness(without.decision),
                    "{}: {answer} turned {:?} into {:?}",
                    path.display(),
                    without.decision,
                    with.decision
                );
                for check in without.checks.iter().filter(|c| {
                    matches!(
                        c.status,
                        compliance_core::checks::Status::Fail
                            | compliance_core::checks::Status::Error
                    )
                }) {
                    assert_eq!(
                        check_status(&with, &check.id),
                        format!("{:?}", check.status),
                        "{}: {answer} cleared {}",
                        path.display(),
                        check.id
                    );
                }
                assert_eq!(with.doc_type, without.doc_type);
                assert_eq!(with.confidence, without.confidence);
                if strictness(with.decision) > strictness(without.decision) {
                    stricter += 1;
                }
            }
        }
    }
    // The answers do change something: some made decisions stricter.
    assert!(stricter > 0, "{judged} judged, none stricter");
    eprintln!(
        "{} files, {judged} consultations, {stricter} made the decision stricter, none more lenient",
        files.len()
    );
}
