//! The bounds every provider shares: the cap on requests in flight, and the budget that
//! waiting for a slot counts against.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use compliance_assist::{AssistConfig, Limits, Provider};
use compliance_core::assist::ClassificationAssistant;
use serde_json::json;

use crate::support::*;

fn completion_body() -> String {
    json!({
        "choices": [{"message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5}
    })
    .to_string()
}

#[tokio::test]
async fn no_more_requests_are_in_flight_than_the_cap() {
    let server = SlowServer::start(Duration::from_millis(150), completion_body()).await;
    let config = AssistConfig {
        limits: Limits {
            request_timeout: Duration::from_secs(2),
            budget: Duration::from_secs(10),
            max_attempts: 1,
            max_concurrency: 2,
        },
        ..config(Provider::OpenAi, &format!("{}/v1", server.url))
    };
    let assistant = Arc::new(assistant(&config).await);
    let request = Arc::new(request());

    let started = Instant::now();
    let asks: Vec<_> = (0..10)
        .map(|_| {
            let (assistant, request) = (assistant.clone(), request.clone());
            tokio::spawn(async move { assistant.ask(&request).await })
        })
        .collect();
    for ask in asks {
        let exchange = ask.await.expect("ask");
        assert!(exchange.reply.is_ok(), "{:?}", exchange.reply);
    }

    assert_eq!(server.served.load(Ordering::SeqCst), 10);
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 2);
    // Five rounds of two: the cap held, and two did run together.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(740), "{elapsed:?}");
}

#[tokio::test]
async fn waiting_for_a_slot_counts_against_the_budget() {
    // One slot; each request takes 700 ms of a 1 s budget. The second ask gets the slot with
    // 300 ms left, less than a request is worth starting with, and makes none.
    let server = SlowServer::start(Duration::from_millis(700), completion_body()).await;
    let config = AssistConfig {
        limits: Limits {
            request_timeout: Duration::from_secs(5),
            budget: Duration::from_secs(1),
            max_attempts: 3,
            max_concurrency: 1,
        },
        ..config(Provider::OpenAi, &format!("{}/v1", server.url))
    };
    let assistant = Arc::new(assistant(&config).await);
    let request = Arc::new(request());
    let first = {
        let (assistant, request) = (assistant.clone(), request.clone());
        tokio::spawn(async move { assistant.ask(&request).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = assistant.ask(&request).await;
    let first = first.await.expect("first ask");

    assert!(first.reply.is_ok(), "{:?}", first.reply);
    let reason = failure(&second);
    assert!(reason.contains("request slots"), "{reason}");
    assert_eq!(second.attempts, 0);
    assert!(second.latency_ms >= 600, "{}", second.latency_ms);
    assert_eq!(server.served.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let config = AssistConfig {
        limits: Limits {
            max_attempts: 2,
            ..limits()
        },
        ..config(Provider::Anthropic, &format!("http://127.0.0.1:{port}"))
    };
    let exchange = assistant(&config).await.ask(&request()).await;
    let reason = failure(&exchange);
    assert!(reason.starts_with("connection failed"), "{reason}");
    assert!(!reason.contains("127.0.0.1"), "{reason}");
    assert_eq!(exchange.attempts, 2);
}
