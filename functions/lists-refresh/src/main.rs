use compliance_lists_refresh::{Config, ListsRefresh};
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    compliance_aws::runtime::init_logging();
    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let refresh = ListsRefresh::new(config, &aws)?;
    let refresh = &refresh;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        refresh.handle(event.payload).await
    }))
    .await
}
