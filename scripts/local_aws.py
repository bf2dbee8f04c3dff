#!/usr/bin/env python3
"""Creates the processor's AWS resources in a running moto server and uploads one sample
document, so that `cargo lambda watch` / `cargo lambda invoke` run the Lambda against them.

Writes, under target/local-aws/:
  processor.env     environment for `cargo lambda watch --env-file`
  s3-put.json       events/s3-put.json with the real bucket, key, version id and ETag

Usage: .venv/bin/python scripts/local_aws.py [--endpoint URL] [--document PATH]
"""

import argparse
import json
import pathlib
import sys
import uuid

import boto3

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:5005")
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument(
        "--document", default=str(ROOT / "events/documents/kyc-application-moreno.txt")
    )
    args = parser.parse_args()

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=args.region
    )
    s3 = session.client("s3", endpoint_url=args.endpoint)
    dynamodb = session.client("dynamodb", endpoint_url=args.endpoint)
    sns = session.client("sns", endpoint_url=args.endpoint)
    sqs = session.client("sqs", endpoint_url=args.endpoint)

    suffix = uuid.uuid4().hex[:8]
    bucket = f"documents-local-{suffix}"
    table = f"audit-local-{suffix}"
    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": args.region}
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    # The same keys as AuditTable in template.yaml.
    dynamodb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    )
    topic_arn = sns.create_topic(Name=f"alerts-local-{suffix}")["TopicArn"]
    # A queue subscribed to the topic, so the alerts can be read back.
    queue_url = sqs.create_queue(QueueName=f"alerts-local-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    document = pathlib.Path(args.document)
    body = document.read_bytes()
    key = f"incoming/{document.name}"
    put = s3.put_object(Bucket=bucket, Key=key, Body=body)

    event = json.loads((ROOT / "events/s3-put.json").read_text())
    obj = event["Records"][0]["s3"]
    obj["bucket"]["name"] = bucket
    obj["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    # S3 notifications carry the key form-URL-encoded.
    obj["object"]["key"] = key.replace(" ", "+")
    obj["object"]["size"] = len(body)
    obj["object"]["eTag"] = put["ETag"].strip('"')
    obj["object"]["versionId"] = put.get("VersionId", "")

    out = ROOT / "target/local-aws"
    out.mkdir(parents=True, exist_ok=True)
    (out / "s3-put.json").write_text(json.dumps(event, indent=2) + "\n")
    env = {
        "AWS_ENDPOINT_URL": args.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": args.region,
        "AUDIT_TABLE": table,
        "ALERT_TOPIC_ARN": topic_arn,
        "INCOMING_PREFIX": "incoming/",
        "RUST_LOG": "info",
    }
    (out / "processor.env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    print(f"bucket {bucket}, table {table}, topic {topic_arn}")
    print(f"alerts queue {queue_url}")
    print(f"uploaded s3://{bucket}/{key}")
    print(f"wrote {out / 'processor.env'} and {out / 's3-put.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
