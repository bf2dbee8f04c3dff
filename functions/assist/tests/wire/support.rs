//! Shared by the wire tests: the request every test sends, small limits, a responder that
//! replays a script and records when each request arrived, and a bare HTTP server that
//! measures how many requests are in flight at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use compliance_assist::{ApiKey, AssistConfig, Assistant, KeySource, Limits, Provider};
use compliance_core::assist::{build_request, AssistPolicy, AssistRequest, ModelExchange};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::{Request, Respond, ResponseTemplate};

pub const KEY: &str = "sk-test-Z9y8X7w6V5u4";
pub const DOCUMENT_TEXT: &str = "INVOICE 2024-117\nBill to: Ivan Petrov\nTotal 5,000.00 EUR";
pub const ANSWER: &str = r#"{"doc_type":"invoice","confidence":0.9,"names":["Ivan Petrov"]}"#;

pub fn answer_value() -> serde_json::Value {
    serde_json::from_str(ANSWER).expect("answer JSON")
}

pub fn request() -> AssistRequest {
    build_request(
        DOCUMENT_TEXT,
        Some("0123456789abcdef0123456789abcdef"),
        &AssistPolicy::default(),
    )
}

/// Small bounds so that the suite stays fast.
pub fn limits() -> Limits {
    Limits {
        request_timeout: Duration::from_millis(400),
        budget: Duration::from_secs(5),
        max_attempts: 3,
        max_concurrency: 4,
    }
}

pub fn config(provider: Provider, base_url: &str) -> AssistConfig {
    AssistConfig {
        base_url: Some(base_url.to_string()),
        key: if provider == Provider::Bedrock {
            KeySource::None
        } else {
            KeySource::Plain(ApiKey::new(KEY).expect("key"))
        },
        limits: limits(),
        ..AssistConfig::new(provider, "test-model")
    }
}

pub async fn assistant(config: &AssistConfig) -> Assistant {
    Assistant::connect(config, None).await.expect("assistant")
}

/// The failure reason, checked to hold neither the key nor the document.
pub fn failure(exchange: &ModelExchange) -> String {
    let reason = match &exchange.reply {
        Err(reason) => reason.clone(),
        Ok(reply) => panic!("expected a failure, got {reply:?}"),
    };
    assert!(!reason.contains(KEY), "the key is in the reason: {reason}");
    assert!(
        !reason.contains("Ivan"),
        "document text is in the reason: {reason}"
    );
    assert!(
        !reason.contains("INVOICE"),
        "document text is in the reason: {reason}"
    );
    assert!(reason.chars().count() <= 200, "reason too long: {reason}");
    reason
}

/// Serves `script` in order (its last response again once it runs out) and records when each
/// request arrived.
#[derive(Clone)]
pub struct Script {
    responses: Arc<Vec<ResponseTemplate>>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Script {
    pub fn new(responses: Vec<ResponseTemplate>) -> Self {
        Self {
            responses: Arc::new(responses),
            arrivals: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().expect("arrivals").clone()
    }
}

impl Respond for Script {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().expect("arrivals");
        arrivals.push(Instant::now());
        let index = (arrivals.len() - 1).min(self.responses.len() - 1);
        self.responses[index].clone()
    }
}

pub fn json_response(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A bare HTTP/1.1 server on loopback: every request is answered with `body` after `delay`,
/// and the most requests it held at once is recorded.
pub struct SlowServer {
    pub url: String,
    pub max_in_flight: Arc<AtomicUsize>,
    pub served: Arc<AtomicUsize>,
}

impl SlowServer {
    pub async fn start(delay: Duration, body: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        let (now, max, count) = (in_flight.clone(), max_in_flight.clone(), served.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (now, max, count, body) =
                    (now.clone(), max.clone(), count.clone(), body.clone());
                tokio::spawn(async move {
                    if read_request(&mut socket).await.is_none() {
                        return;
                    }
                    let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(current, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    count.fetch_add(1, Ordering::SeqCst);
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self {
            url,
            max_in_flight,
            served,
        }
    }
}

/// Reads one request (head and a body of `content-length` bytes).
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(())
}
