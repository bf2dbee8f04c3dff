use aws_lambda_events::event::sns::SnsEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use notifier::{Config, Notifier};

#[tokio::main]
async fn main() -> Result<(), Error> {
    compliance_aws::runtime::init_logging();
    let config = Config::from_env()?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let notifier = Notifier::load(&config, &aws).await?;
    let notifier = &notifier;
    run(service_fn(move |event: LambdaEvent<SnsEvent>| async move {
        notifier.handle_event(event.payload).await
    }))
    .await
}
