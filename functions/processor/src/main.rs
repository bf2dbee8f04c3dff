use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use processor::{Config, OcrProvider, Processor};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    compliance_aws::runtime::init_logging();
    let config = Config::from_env()?;
    let ocr = OcrProvider::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let assistance = processor::assistance_from_env(&aws).await?;
    let processor = Processor::load(&config, &aws)
        .await?
        .with_ocr(ocr, &aws)
        .with_assistance(assistance);
    let processor = &processor;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        processor.handle_event(event.payload).await
    }))
    .await
}
