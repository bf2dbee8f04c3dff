//! Runs the processor on one event, exactly as the Lambda handler does (S3 read, pipeline,
//! DynamoDB write, SNS publish), and prints the process's peak resident memory: the figure a
//! Lambda memory size must cover. Used by `scripts/bench-lambda-memory.sh` against moto.
//!
//! Usage: peak_memory EVENT.json   (configuration from the same environment as the Lambda)

use processor::{Config, Processor};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: peak_memory EVENT.json")?;
    let event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let processor = Processor::load(&config, &aws).await?;
    let response = processor.handle_event(event).await?;
    println!("{response}");
    let status = std::fs::read_to_string("/proc/self/status")?;
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: unknown");
    println!(
        "peak resident memory {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
    Ok(())
}
