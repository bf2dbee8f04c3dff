//! The processor's cold start and per-document latency, measured as the Lambda runs: the same
//! `Config::from_env`, `Processor::load` (rules, lists from `LISTS_S3_URI` with their saved
//! index) and `handle_event` per S3 event (S3 read, pipeline, DynamoDB writes, SNS publish).
//! Used by `scripts/bench` against moto server; prints one JSON object.
//!
//! Usage: lambda_bench EVENTS.jsonl   (one S3 event a line; configuration from the environment)

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use processor::{Config, Processor};

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// User plus system CPU time of this process so far, in milliseconds (from /proc, in clock
/// ticks of 10 ms).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10.0
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: lambda_bench EVENTS.jsonl")?;
    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let processor = Processor::load(&config, &aws).await?;
    let ready_unix_ms = unix_ms();
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rss_after_load_kb = peak_rss_kb();
    let cpu_at_ready = cpu_ms();

    let events: Vec<serde_json::Value> = std::fs::read_to_string(&path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let mut latencies = Vec::with_capacity(events.len());
    let mut failures = 0usize;
    let run = Instant::now();
    for event in events {
        let one = Instant::now();
        if processor.handle_event(event).await.is_err() {
            failures += 1;
        }
        latencies.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    let run_s = run.elapsed().as_secs_f64();
    let cpu_per_document_ms = (cpu_ms() - cpu_at_ready) / latencies.len().max(1) as f64;
    latencies.sort_by(f64::total_cmp);
    let mean = latencies.iter().sum::<f64>() / latencies.len().max(1) as f64;
    let report = serde_json::json!({
        "ready_unix_ms": ready_unix_ms,
        "load_ms": load_ms,
        "peak_rss_after_load_kb": rss_after_load_kb,
        "documents": latencies.len(),
        "failures": failures,
        "latency_ms": {
            "mean": mean,
            "p50": percentile(&latencies, 0.50),
            "p95": percentile(&latencies, 0.95),
            "p99": percentile(&latencies, 0.99),
            "max": percentile(&latencies, 1.0),
        },
        "documents_per_second": latencies.len() as f64 / run_s.max(f64::EPSILON),
        "cpu_per_document_ms": cpu_per_document_ms,
        "peak_rss_kb": peak_rss_kb(),
    });
    println!("{report}");
    Ok(())
}
