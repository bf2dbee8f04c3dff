use audit_api::{AuditApi, Config};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    compliance_aws::runtime::init_logging();
    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let api = AuditApi::load(&config, &aws).await?;
    let api = &api;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        api.handle_event(event.payload).await
    }))
    .await
}
