//! Fault injection on the wire: an HTTP/1.1 forwarder on loopback in front of moto server.
//!
//! The SDK clients under test are pointed at the proxy instead of moto. Every request is
//! forwarded to moto unchanged, unless a rule matches it: then the proxy answers with the
//! canned error AWS itself sends (DynamoDB throttling, a 503, SNS's InternalError) and moto
//! never sees the request. Rules fire for their first N matches or for ever, and can be
//! cleared while the test runs ("the fault clears"). Nothing of AWS is faked: whatever is not
//! failed is the emulator's real answer.
//!
//! DynamoDB requests are passed to moto one at a time. moto serves requests on threads without
//! locking its tables, so two conditional puts of the same key sent at the same instant can
//! both succeed (the concurrency tests saw two "new" records for one key). DynamoDB makes
//! every single-item write atomic; serialising them restores that guarantee, and nothing
//! else: the processor's own calls still interleave freely.
//!
//! Blocking threads and `std::net` only, one thread per client connection (keep-alive) and
//! one upstream connection per request (`Connection: close`, read to the end).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which requests a rule fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum On {
    /// A JSON-protocol operation by its `X-Amz-Target` header, e.g.
    /// `DynamoDB_20120810.PutItem`.
    Target(String),
    /// Every JSON-protocol operation whose `X-Amz-Target` starts with this, e.g.
    /// `DynamoDB_20120810.` for the whole of DynamoDB.
    TargetPrefix(String),
    /// A query-protocol operation (SNS, SQS) by the `Action` of its form body, e.g. `Publish`.
    Action(String),
    /// S3 (REST): any request whose path starts with `/{bucket}`.
    Bucket(String),
}

impl On {
    pub fn dynamodb(operation: &str) -> Self {
        On::Target(format!("DynamoDB_20120810.{operation}"))
    }

    pub fn all_of_dynamodb() -> Self {
        On::TargetPrefix("DynamoDB_20120810.".into())
    }

    pub fn sns(action: &str) -> Self {
        On::Action(action.into())
    }

    fn matches(&self, request: &Request) -> bool {
        match self {
            On::Target(target) => request.header("x-amz-target") == Some(target.as_str()),
            On::TargetPrefix(prefix) => request
                .header("x-amz-target")
                .is_some_and(|t| t.starts_with(prefix.as_str())),
            On::Action(action) => request.form_action().as_deref() == Some(action.as_str()),
            On::Bucket(bucket) => {
                let path = request.path.split('?').next().unwrap_or("");
                path == format!("/{bucket}") || path.starts_with(&format!("/{bucket}/"))
            }
        }
    }
}

/// The answer the proxy gives instead of forwarding.
#[derive(Debug, Clone)]
pub struct Fault {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Fault {
    /// What DynamoDB answers when a table's throughput is exceeded (HTTP 400, a throttling
    /// error the SDK retries with backoff).
    pub fn dynamodb_throttled() -> Self {
        Fault {
            status: 400,
            content_type: "application/x-amz-json-1.0",
            body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}"#.into(),
        }
    }

    /// A service that is down: HTTP 503.
    pub fn dynamodb_unavailable() -> Self {
        Fault {
            status: 503,
            content_type: "application/x-amz-json-1.0",
            body: r#"{"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailableException","message":"Service unavailable (injected by the test's fault proxy)"}"#.into(),
        }
    }

    /// SNS's internal error (HTTP 500, query-protocol XML).
    pub fn sns_internal_error() -> Self {
        Fault {
            status: 500,
            content_type: "text/xml",
            body: concat!(
                r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">"#,
                "<Error><Type>Receiver</Type><Code>InternalError</Code>",
                "<Message>Request could not be completed (injected by the test's fault proxy)</Message>",
                "</Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId>",
                "</ErrorResponse>"
            )
            .into(),
        }
    }

    /// S3 shedding load: HTTP 503 `SlowDown`.
    pub fn s3_slow_down() -> Self {
        Fault {
            status: 503,
            content_type: "application/xml",
            body: concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>",
                "<RequestId>0000000000000000</RequestId></Error>"
            )
            .into(),
        }
    }
}

struct Rule {
    on: On,
    fault: Fault,
    /// How many more matches fail; `None`: every one.
    remaining: Option<usize>,
}

/// One request the proxy saw, and whether it was failed.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `X-Amz-Target`, the form `Action`, or `METHOD /path`.
    pub operation: String,
    pub faulted: bool,
}

#[derive(Default)]
struct State {
    rules: Mutex<Vec<Rule>>,
    seen: Mutex<Vec<Seen>>,
    /// Held while a DynamoDB request is with moto.
    dynamodb: Mutex<()>,
}

pub struct FaultProxy {
    port: u16,
    state: Arc<State>,
}

impl FaultProxy {
    /// Starts the proxy on a free loopback port, forwarding to `upstream`
    /// (`http://127.0.0.1:PORT`, moto's endpoint).
    pub fn start(upstream: &str) -> Self {
        let upstream = upstream
            .strip_prefix("http://")
            .unwrap_or(upstream)
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(State::default());
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                let upstream = upstream.clone();
                std::thread::spawn(move || serve(stream, &upstream, &state));
            }
        });
        FaultProxy { port, state }
    }

    /// The endpoint to give the SDK instead of moto's.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Fails the first `times` requests matching `on` (every one when `None`).
    pub fn inject(&self, on: On, fault: Fault, times: Option<usize>) {
        self.state.rules.lock().expect("rules").push(Rule {
            on,
            fault,
            remaining: times,
        });
    }

    /// The fault clears: every request is forwarded again.
    pub fn clear(&self) {
        self.state.rules.lock().expect("rules").clear();
    }

    /// The requests seen so far for `operation` (as in [`Seen::operation`]): (total, failed).
    pub fn seen(&self, operation: &str) -> (usize, usize) {
        let seen = self.state.seen.lock().expect("seen");
        let matching: Vec<&Seen> = seen.iter().filter(|s| s.operation == operation).collect();
        (
            matching.len(),
            matching.iter().filter(|s| s.faulted).count(),
        )
    }

    /// Every request failed so far.
    pub fn faults_served(&self) -> usize {
        self.state
            .seen
            .lock()
            .expect("seen")
            .iter()
            .filter(|s| s.faulted)
            .count()
    }
}

struct Request {
    method: String,
    path: String,
    version: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Action` of a query-protocol form body.
    fn form_action(&self) -> Option<String> {
        let body = std::str::from_utf8(&self.body).ok()?;
        body.split('&')
            .find_map(|pair| pair.strip_prefix("Action="))
            .map(str::to_string)
    }

    fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.to_string();
        }
        if let Some(action) = self.form_action() {
            return action;
        }
        format!(
            "{} {}",
            self.method,
            self.path.split('?').next().unwrap_or("")
        )
    }
}

/// Reads header lines up to the blank line.
fn read_headers(reader: &mut impl BufRead) -> Option<Vec<(String, String)>> {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Some(headers);
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A body framed by the headers: chunked, a content length, or (`to_end`) the rest.
fn read_body(
    reader: &mut impl BufRead,
    headers: &[(String, String)],
    to_end: bool,
) -> Option<Vec<u8>> {
    if header(headers, "transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let mut size_line = String::new();
            if reader.read_line(&mut size_line).ok()? == 0 {
                return None;
            }
            let size =
                usize::from_str_radix(size_line.trim().split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                // Trailers, then the blank line.
                read_headers(reader)?;
                return Some(body);
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..]).ok()?;
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf).ok()?;
        }
    }
    if let Some(length) = header(headers, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        return Some(body);
    }
    let mut body = Vec::new();
    if to_end {
        reader.read_to_end(&mut body).ok()?;
    }
    Some(body)
}

fn read_request(reader: &mut BufReader<TcpStream>, client: &mut TcpStream) -> Option<Request> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let version = parts.next().unwrap_or("HTTP/1.1").to_string();
    let headers = read_headers(reader)?;
    if header(&headers, "expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        client.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").ok()?;
    }
    let body = read_body(reader, &headers, false)?;
    Some(Request {
        method,
        path,
        version,
        headers,
        body,
    })
}

/// Headers that describe one hop's framing: the proxy sets its own.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "content-length",
        "transfer-encoding",
        "keep-alive",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

fn serve(client: TcpStream, upstream: &str, state: &State) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(60)));
    let mut reader = match client.try_clone() {
        Ok(s) => BufReader::new(s),
        Err(_) => return,
    };
    let mut client = client;
    while let Some(request) = read_request(&mut reader, &mut client) {
        let fault = {
            let mut rules = state.rules.lock().expect("rules");
            rules
                .iter_mut()
                .find(|r| r.remaining != Some(0) && r.on.matches(&request))
                .map(|rule| {
                    if let Some(n) = rule.remaining.as_mut() {
                        *n -= 1;
                    }
                    rule.fault.clone()
                })
        };
        state.seen.lock().expect("seen").push(Seen {
            operation: request.operation(),
            faulted: fault.is_some(),
        });
        let response = match fault {
            Some(fault) => {
                let head = format!(
                    "HTTP/1.1 {} Injected\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
                     x-amzn-RequestId: fault-proxy\r\n\r\n",
                    fault.status,
                    fault.content_type,
                    fault.body.len()
                );
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(fault.body.as_bytes());
                Some(bytes)
            }
            None if On::all_of_dynamodb().matches(&request) => {
                let _one_at_a_time = state.dynamodb.lock().unwrap_or_else(|e| e.into_inner());
                forward(&request, upstream)
            }
            None => forward(&request, upstream),
        };
        match response {
            Some(bytes) => {
                if client.write_all(&bytes).is_err() {
                    return;
                }
            }
            // moto could not be reached or answered garbage: the client sees the connection
            // drop, as it would on a real network failure.
            None => return,
        }
    }
}

/// Sends the request to moto on a fresh connection and returns the response, re-framed with
/// a content length for the client's keep-alive connection.
fn forward(request: &Request, upstream: &str) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(upstream).ok()?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut head = format!(
        "{} {} {}\r\n",
        request.method, request.path, request.version
    );
    for (name, value) in &request.headers {
        if !hop_by_hop(name) && !name.eq_ignore_ascii_case("expect") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        request.body.len()
    ));
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(&request.body).ok()?;
    stream.flush().ok()?;

    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).ok()?;
    let mut headers = read_headers(&mut reader)?;
    // 1xx interim answers: skip to the real one.
    while status_line.split_whitespace().nth(1)?.starts_with('1') {
        status_line.clear();
        reader.read_line(&mut status_line).ok()?;
        headers = read_headers(&mut reader)?;
    }
    let no_body = request.method.eq_ignore_ascii_case("HEAD")
        || matches!(status_line.split_whitespace().nth(1), Some("204" | "304"));
    let mut response = status_line.trim_end().to_string();
    response.push_str("\r\n");
    if no_body {
        for (name, value) in &headers {
            if !name.eq_ignore_ascii_case("connection") {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        response.push_str("\r\n");
        return Some(response.into_bytes());
    }
    let body = read_body(&mut reader, &headers, true)?;
    for (name, value) in &headers {
        if !hop_by_hop(name) {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    response.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = response.into_bytes();
    bytes.extend_from_slice(&body);
    Some(bytes)
}
