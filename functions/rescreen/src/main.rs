use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use rescreen::{Config, Rescreener};

#[tokio::main]
async fn main() -> Result<(), Error> {
    compliance_aws::runtime::init_logging();
    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let rescreener = Rescreener::load(&config, &aws).await?;
    let rescreener = &rescreener;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        rescreener
            .handle_event(event.payload, event.context.deadline)
            .await
    }))
    .await
}
