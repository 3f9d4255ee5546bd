"""The event pattern corpus (patterns/tests/corpus.json) through a real EventBridge API.

Usage: python eventbridge_patterns.py ENDPOINT CORPUS TARGET   (TARGET: moto or engine)

For each case (against moto, cases marked `moto_unsupported` are left out by name): a rule with the case's
pattern on a custom bus, an SQS queue as its target, the case's event put on the bus, and the
queue read back. Prints one JSON document on stdout:
{"delivered": {case: true|false}, "refused": {case: reason}, "skipped": [case, ...]}.
The Rust tests (tests/it/patterns_corpus.rs) compares it with the corpus.
"""

import json
import sys
from datetime import datetime

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BUS = "patterns-corpus"
QUEUE = "patterns-corpus"


def main():
    endpoint, corpus_path, target = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(corpus_path, encoding="utf-8") as corpus_file:
        corpus = json.load(corpus_file)
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    config = Config(retries={"max_attempts": 1})
    events = session.client("events", endpoint_url=endpoint, config=config)
    sqs = session.client("sqs", endpoint_url=endpoint, config=config)
    events.create_event_bus(Name=BUS)
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]

    report = {"delivered": {}, "refused": {}, "skipped": []}
    for index, case in enumerate(corpus["cases"]):
        name = case["name"]
        if target == "moto" and "moto_unsupported" in case:
            report["skipped"].append(name)
            continue
        rule = f"case-{index}"
        try:
            events.put_rule(Name=rule, EventBusName=BUS, EventPattern=json.dumps(case["pattern"]))
        except ClientError as error:
            report["refused"][name] = error.response["Error"].get("Message", str(error))
            continue
        events.put_targets(Rule=rule, EventBusName=BUS, Targets=[{"Id": QUEUE, "Arn": queue_arn}])
        event = case["event"]
        entry = {
            "EventBusName": BUS,
            "Source": event.get("source", "shop.orders"),
            "DetailType": event.get("detail-type", "OrderPlaced"),
            "Detail": json.dumps(event.get("detail", {})),
            "Resources": event.get("resources", []),
        }
        if "time" in event:
            entry["Time"] = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
        answer = events.put_events(Entries=[entry])
        if answer.get("FailedEntryCount"):
            report["refused"][name] = f"PutEvents failed: {answer['Entries']}"
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        report["delivered"][name] = bool(messages)
        events.remove_targets(Rule=rule, EventBusName=BUS, Ids=[QUEUE])
        events.delete_rule(Name=rule, EventBusName=BUS)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
