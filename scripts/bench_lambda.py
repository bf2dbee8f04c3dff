#!/usr/bin/env python3
"""The processor as deployed, measured against moto server: cold start, per-document latency,
peak memory with the full OFAC SDN and UN lists, the writes each document costs, and the AWS
cost per million documents that follows. Called by `scripts/bench`; prints a JSON report.

What runs is the real Lambda code (`functions/processor/examples/lambda_bench.rs`: the same
`Config::from_env`, `Processor::load` and `handle_event` as `main.rs`), configured as
template.yaml configures it: lists under an S3 prefix installed by `compliance lists fetch --s3`
(with their saved index), the audit and subjects tables created from template.yaml's own
definitions (keys and indexes), an identity key in Secrets Manager, alerts to an SNS topic.

Usage: .venv/bin/python scripts/bench_lambda.py --endpoint URL --rounds N --out REPORT.json
"""

import argparse
import functools
import http.server
import json
import math
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import boto3
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "functions/core/tests/fixtures/lists"
REGION = "us-east-1"

# Public on-demand prices, us-east-1, as published on aws.amazon.com/pricing in November 2026
# (USD). Change them here for another region; the report prints every line it used.
PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "s3_put": 0.005 / 1000,
    "s3_get": 0.0004 / 1000,
    "dynamodb_write_request_unit": 0.625 / 1e6,
    "sns_publish": 0.50 / 1e6,
    "logs_ingest_gb": 0.50,
    "dynamodb_storage_gb_month": 0.25,
    "s3_storage_gb_month": 0.023,
}
# Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB.
FULL_VCPU_MB = 1769


class _TagLoader(yaml.SafeLoader):
    """Reads template.yaml, keeping CloudFormation's short tags (!Ref, !GetAtt, ...) as plain
    values: only the tables' keys and indexes are needed, which use none."""


def _any_tag(loader, _suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TagLoader.add_multi_constructor("!", _any_tag)


def template_resources():
    with open(ROOT / "template.yaml", encoding="utf-8") as f:
        return yaml.load(f, Loader=_TagLoader)["Resources"]


def create_table(dynamodb, name, properties):
    """The table with template.yaml's keys and indexes (encryption and recovery settings are
    not what is measured here)."""
    args = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
    }
    if properties.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    dynamodb.create_table(**args)


def serve(folder):
    """A loopback HTTP server for the list files, as `compliance lists fetch` downloads them."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def attribute_size(value):
    """DynamoDB's item size rules: strings and binary by length, numbers about 1 byte per two
    digits plus one, containers 3 bytes plus their elements (a close upper estimate)."""
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "N":
        return len(v.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + attribute_size(x) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + attribute_size(x) for k, x in v.items())
    return 0


def item_size(item, names=None):
    return sum(
        len(k.encode("utf-8")) + attribute_size(v)
        for k, v in item.items()
        if names is None or k in names
    )


def write_units(dynamodb, table, properties):
    """Write request units every item of the table took: the base item and each global
    secondary index the item appears in (sparse indexes hold only items carrying their keys)."""
    keys = [k["AttributeName"] for k in properties["KeySchema"]]
    units, items, size = 0, 0, 0
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            items += 1
            base = item_size(item)
            size += base
            units += math.ceil(base / 1024)
            for index in properties.get("GlobalSecondaryIndexes", []):
                index_keys = [k["AttributeName"] for k in index["KeySchema"]]
                if not all(k in item for k in index_keys):
                    continue
                projection = index["Projection"]
                if projection["ProjectionType"] == "ALL":
                    projected = base
                else:
                    names = set(keys + index_keys + projection.get("NonKeyAttributes", []))
                    projected = item_size(item, names)
                units += math.ceil(projected / 1024)
    return {"items": items, "bytes": size, "write_units": units}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--binary-dir", default=str(ROOT / "target/release"))
    parser.add_argument("--memory-mb", type=int, default=256, help="the function's memory")
    parser.add_argument(
        "--aws-io-ms",
        type=float,
        default=60.0,
        help="time a document waits on AWS in a region (S3 GET, DynamoDB writes, SNS publish)",
    )
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    client = functools.partial(session.client, endpoint_url=args.endpoint)
    s3, dynamodb, sns, sqs, secrets = (
        client(n) for n in ("s3", "dynamodb", "sns", "sqs", "secretsmanager")
    )
    resources = template_resources()
    suffix = uuid.uuid4().hex[:8]
    bucket, audit, subjects = f"bench-{suffix}", f"audit-{suffix}", f"subjects-{suffix}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    # Where records are sealed, as the template's AuditArchiveBucket (Object Lock).
    archive = f"archive-{suffix}"
    s3.create_bucket(Bucket=archive, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=archive,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1827}},
        },
    )
    create_table(dynamodb, audit, resources["AuditTable"]["Properties"])
    create_table(dynamodb, subjects, resources["SubjectsTable"]["Properties"])
    topic = sns.create_topic(Name=f"alerts-{suffix}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"alerts-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    secret = secrets.create_secret(Name=f"identity-{suffix}", SecretString=os.urandom(32).hex())
    aws_env = {
        "AWS_ENDPOINT_URL": args.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "PATH": os.environ.get("PATH", ""),
    }

    # The full lists, installed under the prefix as the list refresh installs them.
    with tempfile.TemporaryDirectory() as tmp:
        mirror = pathlib.Path(tmp)
        (mirror / "ofac").mkdir()
        for name in ("sdn", "alt", "add", "sdn_comments"):
            shutil.copy(FIXTURES / f"ofac-2021/{name}.csv", mirror / f"ofac/{name.upper()}.CSV")
        shutil.copy(FIXTURES / "un/UN_consolidated.xml", mirror / "consolidated.xml")
        server = serve(mirror)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        subprocess.run(
            [
                f"{args.binary_dir}/compliance", "lists", "fetch",
                "--s3", f"s3://{bucket}/lists/", "--only", "ofac,un",
                "--source", f"ofac={base}/ofac/", "--source", f"un={base}/consolidated.xml",
            ],
            env=aws_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        server.shutdown()

    # The sample documents, each uploaded once a round under its own key.
    documents = sorted(p for p in (ROOT / "events/documents").iterdir() if p.is_file())
    template_event = json.loads((ROOT / "events/s3-put.json").read_text())
    uploaded_bytes = 0
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as events:
        for round_ in range(args.rounds):
            for doc in documents:
                body = doc.read_bytes()
                uploaded_bytes += len(body)
                key = f"incoming/r{round_}/{doc.name}"
                put = s3.put_object(Bucket=bucket, Key=key, Body=body)
                event = json.loads(json.dumps(template_event))
                obj = event["Records"][0]["s3"]
                obj["bucket"]["name"] = bucket
                obj["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
                obj["object"]["key"] = key.replace(" ", "+")
                obj["object"]["size"] = len(body)
                obj["object"]["eTag"] = put["ETag"].strip('"')
                obj["object"]["versionId"] = put.get("VersionId", "")
                events.write(json.dumps(event) + "\n")
        events_path = events.name

    env = dict(
        aws_env,
        AUDIT_TABLE=audit,
        ALERT_TOPIC_ARN=topic,
        INCOMING_PREFIX="incoming/",
        LISTS_S3_URI=f"s3://{bucket}/lists/",
        SUBJECTS_TABLE=subjects,
        IDENTITY_KEY_SECRET_ARN=secret["ARN"],
        AUDIT_ARCHIVE_BUCKET=archive,
        RUST_LOG="warn",
    )
    started_ms = time.time() * 1000
    run = subprocess.run(
        [f"{args.binary_dir}/examples/lambda_bench", events_path],
        env=env, check=True, capture_output=True, text=True,
    )
    os.unlink(events_path)
    measured = json.loads(run.stdout.strip().splitlines()[-1])
    documents_done = measured["documents"]

    alerts = 0
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        if not messages:
            break
        alerts += len(messages)
        for m in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])

    sealed_count, sealed_bytes = 0, 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=archive):
        for version in page.get("Versions", []):
            sealed_count += 1
            sealed_bytes += version["Size"]

    audit_writes = write_units(dynamodb, audit, resources["AuditTable"]["Properties"])
    subject_writes = write_units(dynamodb, subjects, resources["SubjectsTable"]["Properties"])

    per_doc = 1 / max(documents_done, 1)
    cpu_share = min(1.0, args.memory_mb / FULL_VCPU_MB)
    billed_ms = measured["cpu_per_document_ms"] / cpu_share + args.aws_io_ms
    gb = args.memory_mb / 1024
    million = 1e6
    cost = {
        "lambda requests": PRICE["lambda_request"] * million,
        "lambda compute": billed_ms / 1000 * gb * PRICE["lambda_gb_second_arm64"] * million,
        "s3 put (the upload)": PRICE["s3_put"] * million,
        "s3 put (the sealed record)": sealed_count * per_doc * PRICE["s3_put"] * million,
        "s3 get": PRICE["s3_get"] * million,
        "dynamodb writes": (audit_writes["write_units"] + subject_writes["write_units"])
        * per_doc * PRICE["dynamodb_write_request_unit"] * million,
        "sns publish": alerts * per_doc * PRICE["sns_publish"] * million,
        # About 1 KB of JSON log lines a document at INFO.
        "cloudwatch logs": 1024 * million / 1e9 * PRICE["logs_ingest_gb"],
    }
    storage = {
        "dynamodb, per month": (audit_writes["bytes"] + subject_writes["bytes"]) * per_doc
        * million / 1e9 * PRICE["dynamodb_storage_gb_month"],
        "s3 documents, per month": uploaded_bytes * per_doc * million / 1e9
        * PRICE["s3_storage_gb_month"],
        "s3 sealed records, per month": sealed_bytes * per_doc * million / 1e9
        * PRICE["s3_storage_gb_month"],
    }
    report = {
        "documents": documents_done,
        "failures": measured["failures"],
        "distinct_samples": len(documents),
        "cold_start_ms": measured["ready_unix_ms"] - started_ms,
        "load_ms": measured["load_ms"],
        "peak_rss_after_load_mb": measured["peak_rss_after_load_kb"] / 1024,
        "peak_rss_mb": measured["peak_rss_kb"] / 1024,
        "latency_ms_on_moto": measured["latency_ms"],
        "documents_per_second_on_moto": measured["documents_per_second"],
        "cpu_per_document_ms": measured["cpu_per_document_ms"],
        "alerts_per_document": alerts * per_doc,
        "sealed_records_per_document": sealed_count * per_doc,
        "sealed_bytes_per_document": sealed_bytes * per_doc,
        "audit_table": audit_writes,
        "subjects_table": subject_writes,
        "write_units_per_document": (audit_writes["write_units"] + subject_writes["write_units"])
        * per_doc,
        "estimate": {
            "memory_mb": args.memory_mb,
            "cpu_share": cpu_share,
            "aws_io_ms_assumed": args.aws_io_ms,
            "billed_ms_per_document": billed_ms,
            "usd_per_million_documents": cost,
            "usd_per_million_total": sum(cost.values()),
            "usd_storage_per_million_documents": storage,
            "prices": PRICE,
        },
    }
    pathlib.Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
