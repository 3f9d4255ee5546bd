"""The conformance scenarios through boto3, the second client of the suite.

Usage: python boto3_conformance.py ENDPOINT TARGET   (TARGET: engine or moto)

Each scenario checks what AWS answers (the expected values below). A check that moto is known to
answer differently names its entry in MOTO_DEVIATIONS.md: against moto it is recorded as a
deviation instead of failing; against the engine it must hold. Prints one JSON document on stdout,
{"observations": {scenario.check: value}, "deviations": [...], "failures": [...]}, which the Rust
test (tests/it/conformance_boto3.rs) compares between the two targets; exits 1 on a failure.
"""

import base64
import hashlib
import io
import json
import struct
import sys
import time
import traceback
import zlib

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

BUCKET = "boto3-conformance"
MIB = 1024 * 1024


class Checks:
    """Records each observed value and compares it with what AWS answers."""

    def __init__(self, target):
        self.target = target
        self.observations = {}
        self.deviations = []
        self.failures = []
        self.scenario = ""

    def expect(self, name, actual, expected, moto_deviation=None):
        key = f"{self.scenario}.{name}"
        if actual == expected:
            self.observations[key] = actual
        elif moto_deviation and self.target == "moto":
            self.deviations.append(f"{key}: {moto_deviation} (moto answered {actual!r})")
        else:
            self.observations[key] = actual
            self.failures.append(f"{key}: expected {expected!r}, got {actual!r}")


def refusal_of(call):
    """The (HTTP status, error code, message) a call fails with, or None when it succeeds."""
    try:
        call()
    except ClientError as error:
        return (
            error.response["ResponseMetadata"]["HTTPStatusCode"],
            error.response["Error"]["Code"],
            error.response["Error"].get("Message"),
        )
    except ParamValidationError:
        return ("client-side", "ParamValidationError", None)
    return None


def error_of(call):
    """The (HTTP status, error code) a call fails with, or None when it succeeds."""
    refusal = refusal_of(call)
    return refusal and refusal[:2]


# --- S3 -------------------------------------------------------------------------------------


def s3_listing(s3, checks):
    for key in ["a/1", "a/2", "b", "sp ace/é.txt", "c+d"]:
        s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    # boto3 sends encoding-type=url and decodes the answer.
    page = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
    checks.expect(
        "v2 prefixes",
        [prefix["Prefix"] for prefix in page.get("CommonPrefixes", [])],
        ["a/", "sp ace/"],
    )
    checks.expect("v2 keys", [item["Key"] for item in page.get("Contents", [])], ["b", "c+d"])
    first = s3.list_objects_v2(Bucket=BUCKET, MaxKeys=2)
    rest = s3.list_objects_v2(
        Bucket=BUCKET, MaxKeys=10, ContinuationToken=first["NextContinuationToken"]
    )
    checks.expect(
        "v2 pages",
        [item["Key"] for item in first["Contents"] + rest["Contents"]],
        ["a/1", "a/2", "b", "c+d", "sp ace/é.txt"],
    )
    v1 = s3.list_objects(Bucket=BUCKET, Prefix="a/")
    checks.expect("v1 keys", [item["Key"] for item in v1["Contents"]], ["a/1", "a/2"])
    checks.expect("v1 truncated", v1["IsTruncated"], False)


def s3_metadata(s3, checks):
    s3.put_object(
        Bucket=BUCKET,
        Key="meta.json",
        Body=b"{}",
        ContentType="application/json",
        Metadata={"order-id": "ORD-1"},
        CacheControl="max-age=60",
    )
    head = s3.head_object(Bucket=BUCKET, Key="meta.json")
    checks.expect("metadata", head["Metadata"], {"order-id": "ORD-1"})
    checks.expect("content type", head["ContentType"], "application/json")
    checks.expect("cache control", head.get("CacheControl"), "max-age=60")
    checks.expect("length", head["ContentLength"], 2)


def crc32c(data):
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def b64(raw):
    return base64.b64encode(raw).decode()


def s3_checksums(s3, checks):
    body = b"order ORD-1, total 12.50"
    expected = {
        "CRC32": b64(struct.pack(">I", zlib.crc32(body))),
        "CRC32C": b64(struct.pack(">I", crc32c(body))),
        "SHA1": b64(hashlib.sha1(body).digest()),
        "SHA256": b64(hashlib.sha256(body).digest()),
    }
    for algorithm, value in expected.items():
        key = f"checksum-{algorithm.lower()}"
        if algorithm == "CRC32C":
            # botocore computes CRC32C only with awscrt installed: send the value computed here.
            written = s3.put_object(Bucket=BUCKET, Key=key, Body=body, ChecksumCRC32C=value)
        else:
            written = s3.put_object(Bucket=BUCKET, Key=key, Body=body, ChecksumAlgorithm=algorithm)
        # moto keeps a checksum only when the algorithm header names it.
        deviation = "S3: a checksum sent without its algorithm" if algorithm == "CRC32C" else None
        checks.expect(f"put {algorithm}", written.get(f"Checksum{algorithm}"), value, moto_deviation=deviation)
        head = s3.head_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
        checks.expect(f"head {algorithm}", head.get(f"Checksum{algorithm}"), value, moto_deviation=deviation)
    got = s3.get_object(Bucket=BUCKET, Key="checksum-sha256", ChecksumMode="ENABLED")
    checks.expect("get SHA256", got.get("ChecksumSHA256"), expected["SHA256"])
    checks.expect("get body", got["Body"].read(), body)
    checks.expect(
        "wrong crc32",
        error_of(lambda: s3.put_object(Bucket=BUCKET, Key="wrong", Body=body, ChecksumCRC32="AAAAAA==")),
        (400, "BadDigest"),
        moto_deviation="S3: a checksum of other bytes",
    )
    checks.expect(
        "wrong content-md5",
        error_of(lambda: s3.put_object(Bucket=BUCKET, Key="wrong", Body=body, ContentMD5=b64(hashlib.md5(b"other").digest()))),
        (400, "BadDigest"),
        moto_deviation="S3: a checksum of other bytes",
    )


def s3_version_pages(s3, checks):
    bucket = "boto3-versions"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="doc", Body=body)["VersionId"] for body in (b"1", b"2", b"3")]
    for key in ("logs/a", "logs/b", "readme"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed, prefixes, markers, pages = [], [], {}, []
    while True:
        page = s3.list_object_versions(Bucket=bucket, Delimiter="/", MaxKeys=2, **markers)
        pages.append(
            (
                [(version["Key"], version["IsLatest"]) for version in page.get("Versions", [])],
                [prefix["Prefix"] for prefix in page.get("CommonPrefixes", [])],
            )
        )
        listed += [version["VersionId"] for version in page.get("Versions", []) if version["Key"] == "doc"]
        if not page["IsTruncated"] or len(pages) > 5:
            break
        markers = {"KeyMarker": page["NextKeyMarker"]}
        if page.get("NextVersionIdMarker"):
            markers["VersionIdMarker"] = page["NextVersionIdMarker"]
    checks.expect("doc versions newest first", listed == ids[::-1], True)
    checks.expect(
        "pages",
        pages,
        [([("doc", True), ("doc", False)], []), ([("doc", False)], ["logs/"]), ([("readme", True)], [])],
    )


def s3_part_numbers(s3, checks):
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="parts.bin")["UploadId"]
    bodies = [b"a" * (5 * MIB), b"tail"]
    parts = [
        {"PartNumber": number, "ETag": s3.upload_part(Bucket=BUCKET, Key="parts.bin", UploadId=upload, PartNumber=number, Body=body)["ETag"]}
        for number, body in enumerate(bodies, start=1)
    ]
    s3.complete_multipart_upload(Bucket=BUCKET, Key="parts.bin", UploadId=upload, MultipartUpload={"Parts": parts})
    deviation = "S3: GetObject partNumber"
    second = s3.get_object(Bucket=BUCKET, Key="parts.bin", PartNumber=2)
    checks.expect(
        "part 2",
        (
            second["ResponseMetadata"]["HTTPStatusCode"],
            second["Body"].read() == b"tail",
            second.get("ContentRange"),
            second.get("PartsCount"),
        ),
        (206, True, f"bytes {5 * MIB}-{5 * MIB + 3}/{5 * MIB + 4}", 2),
        moto_deviation=deviation,
    )
    first = s3.head_object(Bucket=BUCKET, Key="parts.bin", PartNumber=1)
    checks.expect("head part 1", (first["ContentLength"], first.get("PartsCount")), (5 * MIB, 2), moto_deviation=deviation)
    checks.expect(
        "past the last part",
        error_of(lambda: s3.get_object(Bucket=BUCKET, Key="parts.bin", PartNumber=3)),
        (416, "InvalidPartNumber"),
        moto_deviation=deviation,
    )
    s3.put_object(Bucket=BUCKET, Key="single", Body=b"0123456789")
    whole = s3.get_object(Bucket=BUCKET, Key="single", PartNumber=1)
    checks.expect(
        "single-part object, part 1",
        (whole["ResponseMetadata"]["HTTPStatusCode"], whole["Body"].read(), whole.get("ContentRange")),
        (206, b"0123456789", "bytes 0-9/10"),
    )


def s3_upload_part_copy(s3, checks):
    s3.put_object(Bucket=BUCKET, Key="copy-source", Body=b"x" * (5 * MIB) + b"0123456789")
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="copied.bin")["UploadId"]
    source = {"Bucket": BUCKET, "Key": "copy-source"}
    first = s3.upload_part_copy(
        Bucket=BUCKET, Key="copied.bin", UploadId=upload, PartNumber=1, CopySource=source,
        CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )
    second = s3.upload_part_copy(
        Bucket=BUCKET, Key="copied.bin", UploadId=upload, PartNumber=2, CopySource=source,
        CopySourceRange=f"bytes={5 * MIB + 2}-{5 * MIB + 5}",
    )
    checks.expect(
        "part ETags",
        [first["CopyPartResult"]["ETag"], second["CopyPartResult"]["ETag"]],
        ['"' + hashlib.md5(b"x" * (5 * MIB)).hexdigest() + '"', '"' + hashlib.md5(b"2345").hexdigest() + '"'],
    )
    checks.expect(
        "range past the end",
        error_of(
            lambda: s3.upload_part_copy(
                Bucket=BUCKET, Key="copied.bin", UploadId=upload, PartNumber=3, CopySource=source,
                CopySourceRange=f"bytes=0-{5 * MIB + 10}",
            )
        ),
        (400, "InvalidArgument"),
        moto_deviation="S3: UploadPartCopy range past the source",
    )
    parts = [
        {"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]},
    ]
    s3.complete_multipart_upload(Bucket=BUCKET, Key="copied.bin", UploadId=upload, MultipartUpload={"Parts": parts})
    body = s3.get_object(Bucket=BUCKET, Key="copied.bin")["Body"].read()
    checks.expect("copied object", (len(body), body[-6:]), (5 * MIB + 4, b"xx2345"))


def s3_list_uploads(s3, checks):
    bucket = "boto3-uploads"
    s3.create_bucket(Bucket=bucket)
    ids = {}
    for key in ("a/1", "a/2", "b", "b", "c"):
        ids.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    under_a = s3.list_multipart_uploads(Bucket=bucket, Prefix="a/")
    checks.expect("prefix", [upload["Key"] for upload in under_a.get("Uploads", [])], ["a/1", "a/2"])
    pages, markers = [], {}
    while len(pages) < 5:
        page = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=2, **markers)
        pages.append(
            (
                [(upload["Key"], ids[upload["Key"]].index(upload["UploadId"])) for upload in page.get("Uploads", [])],
                [prefix["Prefix"] for prefix in page.get("CommonPrefixes", [])],
                page["IsTruncated"],
            )
        )
        if not page["IsTruncated"]:
            break
        markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page.get("NextUploadIdMarker", "")}
    checks.expect(
        "pages",
        pages,
        [([("b", 0)], ["a/"], True), ([("b", 1), ("c", 0)], [], False)],
        moto_deviation="S3: ListMultipartUploads delimiter and markers",
    )
    for key, uploads in ids.items():
        for upload in uploads:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)
    checks.expect("none left", s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []), [])


def s3_range_and_conditions(s3, checks):
    etag = s3.put_object(Bucket=BUCKET, Key="digits", Body=b"0123456789")["ETag"]
    part = s3.get_object(Bucket=BUCKET, Key="digits", Range="bytes=2-5")
    checks.expect("range body", part["Body"].read().decode(), "2345")
    checks.expect("content range", part["ContentRange"], "bytes 2-5/10")
    checks.expect(
        "range past the end",
        error_of(lambda: s3.get_object(Bucket=BUCKET, Key="digits", Range="bytes=10-")),
        (416, "InvalidRange"),
    )
    checks.expect(
        "if-none-match",
        error_of(lambda: s3.get_object(Bucket=BUCKET, Key="digits", IfNoneMatch=etag)),
        (304, "304"),
    )
    checks.expect(
        "if-match",
        error_of(lambda: s3.get_object(Bucket=BUCKET, Key="digits", IfMatch='"0000"')),
        (412, "PreconditionFailed"),
    )
    checks.expect(
        "missing key",
        error_of(lambda: s3.get_object(Bucket=BUCKET, Key="missing")),
        (404, "NoSuchKey"),
    )


def s3_copy_and_delete(s3, checks):
    s3.put_object(Bucket=BUCKET, Key="src", Body=b"x", Metadata={"a": "1"})
    s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": BUCKET, "Key": "src"})
    checks.expect("copied metadata", s3.head_object(Bucket=BUCKET, Key="dst")["Metadata"], {"a": "1"})
    s3.copy_object(
        Bucket=BUCKET,
        Key="dst2",
        CopySource={"Bucket": BUCKET, "Key": "src"},
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
    )
    checks.expect("replaced metadata", s3.head_object(Bucket=BUCKET, Key="dst2")["Metadata"], {"b": "2"})
    deleted = s3.delete_objects(
        Bucket=BUCKET, Delete={"Objects": [{"Key": "src"}, {"Key": "dst"}, {"Key": "never"}]}
    )
    checks.expect("deleted", sorted(item["Key"] for item in deleted["Deleted"]), ["dst", "never", "src"])
    quiet = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "dst2"}], "Quiet": True})
    checks.expect(
        "quiet deleted",
        quiet.get("Deleted", []),
        [],
        moto_deviation="S3: DeleteObjects quiet mode",
    )


def s3_multipart(s3, checks):
    # upload_fileobj switches to a multipart upload above 8 MiB: 8 MiB parts, here two.
    s3.upload_fileobj(io.BytesIO(b"a" * (9 * MIB)), BUCKET, "big.bin")
    head = s3.head_object(Bucket=BUCKET, Key="big.bin")
    checks.expect("length", head["ContentLength"], 9 * MIB)
    checks.expect("etag suffix", head["ETag"].endswith('-2"'), True)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="small.bin")["UploadId"]
    tags = [
        s3.upload_part(Bucket=BUCKET, Key="small.bin", UploadId=upload, PartNumber=n, Body=b"x")["ETag"]
        for n in (1, 2)
    ]
    parts = {"Parts": [{"PartNumber": n, "ETag": tag} for n, tag in zip((1, 2), tags)]}
    checks.expect(
        "entity too small",
        error_of(
            lambda: s3.complete_multipart_upload(
                Bucket=BUCKET, Key="small.bin", UploadId=upload, MultipartUpload=parts
            )
        ),
        (400, "EntityTooSmall"),
    )
    listed = s3.list_parts(Bucket=BUCKET, Key="small.bin", UploadId=upload)
    checks.expect("listed parts", [part["PartNumber"] for part in listed["Parts"]], [1, 2])
    s3.abort_multipart_upload(Bucket=BUCKET, Key="small.bin", UploadId=upload)
    checks.expect(
        "aborted",
        error_of(lambda: s3.list_parts(Bucket=BUCKET, Key="small.bin", UploadId=upload)),
        (404, "NoSuchUpload"),
    )


# --- SQS ------------------------------------------------------------------------------------


def md5_of_attributes(attributes):
    """MD5OfMessageAttributes as SQS computes it: names sorted, each name, type and value
    length-prefixed (4 bytes, big-endian), the value after a transport byte (1 string, 2 binary)."""
    digest = hashlib.md5()

    def encoded(data):
        return struct.pack(">I", len(data)) + data

    for name in sorted(attributes):
        value = attributes[name]
        digest.update(encoded(name.encode()))
        digest.update(encoded(value["DataType"].encode()))
        if "BinaryValue" in value:
            digest.update(b"\x02" + encoded(value["BinaryValue"]))
        else:
            digest.update(b"\x01" + encoded(value["StringValue"].encode()))
    return digest.hexdigest()


def queue(sqs, name, **attributes):
    return sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]


def sqs_message_attributes(sqs, checks):
    url = queue(sqs, "attributes")
    attributes = {
        "order-id": {"DataType": "String", "StringValue": "ORD-1"},
        "total": {"DataType": "Number", "StringValue": "12.50"},
        "signature": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe"},
        "region.code": {"DataType": "String.custom", "StringValue": "eu"},
    }
    sent = sqs.send_message(QueueUrl=url, MessageBody="héllo", MessageAttributes=attributes)
    checks.expect("md5 of body", sent["MD5OfMessageBody"], hashlib.md5("héllo".encode()).hexdigest())
    checks.expect("md5 of attributes", sent["MD5OfMessageAttributes"], md5_of_attributes(attributes))
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    checks.expect("attributes", received["MessageAttributes"], attributes)
    checks.expect("received md5 of attributes", received["MD5OfMessageAttributes"], md5_of_attributes(attributes))
    checks.expect("received md5 of body", received["MD5OfBody"], sent["MD5OfMessageBody"])
    prefixed = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["order.*"], VisibilityTimeout=0)
    checks.expect("no message while in flight", prefixed.get("Messages", []), [])


def sqs_system_attributes(sqs, checks):
    url = queue(sqs, "system")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
    names = message["Attributes"]
    for name in ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]:
        checks.expect(f"has {name}", name in names, True)
    checks.expect("receive count", names["ApproximateReceiveCount"], "1")
    checks.expect("timestamps are milliseconds", len(names["SentTimestamp"]), 13)
    some = sqs.receive_message(QueueUrl=url, AttributeNames=["SentTimestamp"], VisibilityTimeout=0)
    checks.expect("in flight", some.get("Messages", []), [])


def sqs_batch_errors(sqs, checks):
    url = queue(sqs, "batches")
    entry = lambda id_, body="x": {"Id": id_, "MessageBody": body}  # noqa: E731
    checks.expect(
        "duplicate ids",
        error_of(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[entry("a"), entry("a")])),
        (400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
    )
    checks.expect(
        "empty",
        error_of(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[])),
        (400, "AWS.SimpleQueueService.EmptyBatchRequest"),
    )
    checks.expect(
        "eleven",
        error_of(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[entry(str(n)) for n in range(11)])),
        (400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    )
    big = "x" * 150_000
    checks.expect(
        "too long together",
        error_of(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[entry("a", big), entry("b", big)])),
        (400, "AWS.SimpleQueueService.BatchRequestTooLong"),
        moto_deviation="SQS: BatchRequestTooLong",
    )
    checks.expect(
        "delete with duplicate ids",
        error_of(
            lambda: sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}]
            )
        ),
        (400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
        moto_deviation="SQS: DeleteMessageBatch duplicate ids",
    )
    mixed = sqs.send_message_batch(
        QueueUrl=url, Entries=[entry("ok"), {"Id": "bad", "MessageBody": "x", "DelaySeconds": 901}]
    )
    checks.expect("partial success", [item["Id"] for item in mixed.get("Successful", [])], ["ok"])
    checks.expect("partial failure", [item["Id"] for item in mixed.get("Failed", [])], ["bad"])


def sqs_fifo(sqs, checks):
    url = queue(sqs, "orders.fifo", FifoQueue="true")
    numbers = []
    for n in range(3):
        sent = sqs.send_message(
            QueueUrl=url, MessageBody=str(n), MessageGroupId="g", MessageDeduplicationId=f"d{n}"
        )
        numbers.append(int(sent["SequenceNumber"]))
    checks.expect(
        "sequence numbers increase",
        numbers == sorted(set(numbers)),
        True,
        moto_deviation="SQS: FIFO sequence numbers",
    )
    checks.expect("sequence numbers are 20 digits", len(str(numbers[0])) <= 20, True)
    again = sqs.send_message(QueueUrl=url, MessageBody="0 again", MessageGroupId="g", MessageDeduplicationId="d0")
    checks.expect("duplicate accepted", "MessageId" in again, True)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    checks.expect("bodies in order, duplicate dropped", [m["Body"] for m in received], ["0", "1", "2"])
    checks.expect(
        "missing group id",
        error_of(lambda: sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="z")),
        (400, "MissingParameter"),
    )


def sqs_receipt_handles(sqs, checks):
    url = queue(sqs, "receipts")
    checks.expect(
        "invalid handle",
        error_of(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")),
        (400, "ReceiptHandleIsInvalid"),
    )
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    second = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["ReceiptHandle"]
    checks.expect("a new handle per receive", first != second, True)
    checks.expect("stale handle delete succeeds", error_of(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle=first)), None)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second)
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    checks.expect(
        "deleted with the current handle",
        (left["ApproximateNumberOfMessages"], left["ApproximateNumberOfMessagesNotVisible"]),
        ("0", "0"),
    )
    # What the runtime does with records found invalid: visible again at once, in one batch call.
    sqs.send_message(QueueUrl=url, MessageBody="invalid")
    held = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["ReceiptHandle"]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "current", "ReceiptHandle": held, "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0},
        ],
    )
    checks.expect("visibility batch succeeds per entry", [item["Id"] for item in changed.get("Successful", [])], ["current"])
    checks.expect(
        "visibility batch fails per entry",
        [(item["Id"], item["Code"], item["SenderFault"]) for item in changed.get("Failed", [])],
        [("bad", "ReceiptHandleIsInvalid", True)],
    )
    again = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30).get("Messages", [])
    checks.expect("visible again at once", [m["Body"] for m in again], ["invalid"])


# --- DynamoDB -------------------------------------------------------------------------------


MOVE_DEVIATION = "MOTO_DEVIATIONS.md, SQS: message move tasks"
MOVE_CHECKS = ["started", "status", "moved", "to move", "no handle once over", "back on the source",
               "not a dead-letter queue", "no such queue", "unknown task"]


def sqs_message_move_tasks(sqs, checks):
    arn_of = lambda url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]  # noqa: E731
    depth = lambda url: sqs.get_queue_attributes(  # noqa: E731
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
    dlq = queue(sqs, "moves-dlq")
    dlq_arn = arn_of(dlq)
    source = queue(sqs, "moves", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}))
    for body in ["a", "b"]:
        sqs.send_message(QueueUrl=source, MessageBody=body)
    for _ in range(3):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    checks.expect("dead-lettered", depth(dlq), "2")
    try:
        handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    except ClientError as error:
        # moto 5.2 has no move tasks: every check of the scenario is its deviation.
        for name in MOVE_CHECKS:
            checks.expect(name, f"refused: {error.response['Error']['Code']}", "answered", moto_deviation=MOVE_DEVIATION)
        return
    checks.expect("started", bool(handle), True)
    for _ in range(100):
        task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        if task["Status"] != "RUNNING":
            break
        time.sleep(0.02)
    checks.expect("status", task["Status"], "COMPLETED")
    checks.expect("moved", task["ApproximateNumberOfMessagesMoved"], 2)
    checks.expect("to move", task["ApproximateNumberOfMessagesToMove"], 2)
    checks.expect("no handle once over", "TaskHandle" in task, False)
    checks.expect("back on the source", (depth(source), depth(dlq)), ("2", "0"))
    checks.expect("not a dead-letter queue", error_of(lambda: sqs.start_message_move_task(SourceArn=arn_of(source))),
                  (400, "InvalidParameterValue"))
    missing = dlq_arn.replace(":moves-dlq", ":nowhere")
    checks.expect("no such queue", error_of(lambda: sqs.start_message_move_task(SourceArn=missing)),
                  (400, "ResourceNotFoundException"))
    checks.expect("unknown task", error_of(lambda: sqs.cancel_message_move_task(TaskHandle="bm8gc3VjaCB0YXNr")),
                  (400, "ResourceNotFoundException"))


def table(dynamodb, name):
    """A table with a string partition key `pk` and a string sort key `sk`."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )


def dynamodb_items(dynamodb, checks):
    table(dynamodb, "items")
    item = {"pk": {"S": "o-1"}, "sk": {"S": "line#1"}, "qty": {"N": "2"}, "tags": {"SS": ["a"]}}
    dynamodb.put_item(TableName="items", Item=item)
    key = {"pk": {"S": "o-1"}, "sk": {"S": "line#1"}}
    checks.expect("get", dynamodb.get_item(TableName="items", Key=key)["Item"], item)
    checks.expect(
        "conditional put",
        error_of(
            lambda: dynamodb.put_item(
                TableName="items", Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        ),
        (400, "ConditionalCheckFailedException"),
    )
    try:
        dynamodb.delete_item(
            TableName="items",
            Key=key,
            ConditionExpression="qty > :q",
            ExpressionAttributeValues={":q": {"N": "5"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        old = None
    except ClientError as error:
        old = error.response.get("Item")
    checks.expect("old item on a failed condition", old, item)
    updated = dynamodb.update_item(
        TableName="items",
        Key=key,
        UpdateExpression="SET #q = #q + :one ADD tags :b REMOVE gone",
        ExpressionAttributeNames={"#q": "qty"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":b": {"SS": ["b"]}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    updated["tags"]["SS"].sort()
    checks.expect("updated new", updated, {"qty": {"N": "3"}, "tags": {"SS": ["a", "b"]}})


def dynamodb_query(dynamodb, checks):
    table(dynamodb, "lines")
    for sort in ["line#1", "line#2", "line#3", "note#1"]:
        dynamodb.put_item(TableName="lines", Item={"pk": {"S": "o-1"}, "sk": {"S": sort}})
    query = {
        "TableName": "lines",
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":p": {"S": "o-1"}, ":prefix": {"S": "line#"}},
        "ScanIndexForward": False,
        "Limit": 2,
    }
    pages = []
    while True:
        answer = dynamodb.query(**query)
        pages.append([item["sk"]["S"] for item in answer["Items"]])
        if "LastEvaluatedKey" not in answer:
            break
        query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    # A page that ends exactly at the last match still carries a LastEvaluatedKey on AWS.
    checks.expect("pages", pages, [["line#3", "line#2"], ["line#1"]])
    between = dynamodb.query(
        TableName="lines",
        KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues={":p": {"S": "o-1"}, ":a": {"S": "line#2"}, ":b": {"S": "note#1"}},
    )
    checks.expect("between", [item["sk"]["S"] for item in between["Items"]], ["line#2", "line#3", "note#1"])


def dynamodb_errors(dynamodb, checks):
    table(dynamodb, "errors")
    checks.expect(
        "missing table",
        error_of(lambda: dynamodb.get_item(TableName="nothing", Key={"pk": {"S": "a"}})),
        (400, "ResourceNotFoundException"),
    )
    checks.expect(
        "partial key",
        error_of(lambda: dynamodb.get_item(TableName="errors", Key={"pk": {"S": "a"}})),
        (400, "ValidationException"),
    )
    checks.expect(
        "item past 400 KB",
        error_of(
            lambda: dynamodb.put_item(
                TableName="errors",
                Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "body": {"S": "x" * (401 * 1024)}},
            )
        ),
        (400, "ValidationException"),
    )
    checks.expect(
        "existing table",
        error_of(lambda: table(dynamodb, "errors")),
        (400, "ResourceInUseException"),
    )


SUBSTITUTIONS = "DynamoDB: substitutions"


def dynamodb_substitutions(dynamodb, checks):
    table(dynamodb, "substitutions")
    key = {"pk": {"S": "o-1"}, "sk": {"S": "a"}}

    def update(**extra):
        return lambda: dynamodb.update_item(TableName="substitutions", Key=key, **extra)

    checks.expect(
        "unused value",
        refusal_of(update(UpdateExpression="SET amount = :a", ExpressionAttributeValues={":a": {"N": "1"}, ":v": {"S": "x"}})),
        (400, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"),
    )
    checks.expect(
        "unused name",
        refusal_of(
            update(
                UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "state", "#unused": "note"},
                ExpressionAttributeValues={":s": {"S": "new"}},
            )
        ),
        (400, "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"),
    )
    checks.expect(
        "undefined value",
        refusal_of(update(UpdateExpression="SET amount = :missing")),
        (
            400,
            "ValidationException",
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing",
        ),
    )
    item = dict(key)
    checks.expect(
        "unused value in a put",
        refusal_of(
            lambda: dynamodb.put_item(
                TableName="substitutions",
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeValues={":v": {"S": "x"}},
            )
        ),
        (400, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"),
        moto_deviation=SUBSTITUTIONS,
    )
    checks.expect(
        "undefined name in a condition",
        refusal_of(
            lambda: dynamodb.put_item(
                TableName="substitutions", Item=item, ConditionExpression="attribute_not_exists(#n)"
            )
        ),
        (
            400,
            "ValidationException",
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n",
        ),
        moto_deviation=SUBSTITUTIONS,
    )
    checks.expect(
        "values without an expression",
        refusal_of(lambda: dynamodb.scan(TableName="substitutions", ExpressionAttributeValues={":v": {"S": "x"}})),
        (400, "ValidationException", "ExpressionAttributeValues can only be specified when using expressions"),
        moto_deviation=SUBSTITUTIONS,
    )
    checks.expect(
        "nothing written",
        dynamodb.get_item(TableName="substitutions", Key=key).get("Item"),
        None,
        moto_deviation=SUBSTITUTIONS,
    )


def dynamodb_size(dynamodb, checks):
    table(dynamodb, "sizes")
    for sort, count in [("a", 1), ("b", 3), ("c", 5)]:
        dynamodb.put_item(
            TableName="sizes",
            Item={
                "pk": {"S": "o-1"},
                "sk": {"S": sort},
                "entries": {"L": [{"N": str(n)} for n in range(count)]},
                "note": {"S": "x" * count},
            },
        )
    grow = {
        "TableName": "sizes",
        "Key": {"pk": {"S": "o-1"}, "sk": {"S": "b"}},
        "UpdateExpression": "SET entries = list_append(entries, :more)",
        "ConditionExpression": "size(entries) < :max",
        "ExpressionAttributeValues": {":more": {"L": [{"N": "9"}]}, ":max": {"N": "4"}},
    }
    checks.expect("condition holds", refusal_of(lambda: dynamodb.update_item(**grow)), None)
    checks.expect(
        "condition fails",
        refusal_of(lambda: dynamodb.update_item(**grow)),
        (400, "ConditionalCheckFailedException", "The conditional request failed"),
    )
    found = dynamodb.query(
        TableName="sizes",
        KeyConditionExpression="pk = :p",
        FilterExpression="size(entries) >= :three AND size(note) <= size(entries)",
        ExpressionAttributeValues={":p": {"S": "o-1"}, ":three": {"N": "3"}},
    )
    checks.expect("filter", [item["sk"]["S"] for item in found["Items"]], ["b", "c"])


UPDATE_TABLE = "DynamoDB: UpdateTable"


def dynamodb_update_table(dynamodb, checks):
    table(dynamodb, "updated")
    dynamodb.update_table(
        TableName="updated",
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
    )
    described = dynamodb.describe_table(TableName="updated")["Table"]
    checks.expect(
        "provisioned",
        (
            described["BillingModeSummary"]["BillingMode"],
            described["ProvisionedThroughput"]["ReadCapacityUnits"],
            described["ProvisionedThroughput"]["WriteCapacityUnits"],
        ),
        ("PROVISIONED", 5, 2),
    )
    dynamodb.update_table(TableName="updated", BillingMode="PAY_PER_REQUEST")
    described = dynamodb.describe_table(TableName="updated")["Table"]
    checks.expect("on demand", described["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
    for sort, state in [("a", "new"), ("b", "paid"), ("c", "new")]:
        dynamodb.put_item(TableName="updated", Item={"pk": {"S": "o-1"}, "sk": {"S": sort}, "state": {"S": state}})
    dynamodb.update_table(
        TableName="updated",
        AttributeDefinitions=[{"AttributeName": "state", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-state",
                    "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    indexes = dynamodb.describe_table(TableName="updated")["Table"].get("GlobalSecondaryIndexes", [])
    checks.expect("index created", [index["IndexName"] for index in indexes], ["by-state"])
    fresh = dynamodb.query(
        TableName="updated",
        IndexName="by-state",
        KeyConditionExpression="#s = :new",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":new": {"S": "new"}},
    )
    checks.expect("index holds the items already there", sorted(item["sk"]["S"] for item in fresh["Items"]), ["a", "c"])
    dynamodb.update_table(TableName="updated", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-state"}}])
    indexes = dynamodb.describe_table(TableName="updated")["Table"].get("GlobalSecondaryIndexes", [])
    checks.expect("index deleted", indexes, [])
    checks.expect(
        "nothing to change",
        error_of(lambda: dynamodb.update_table(TableName="updated")),
        (400, "ValidationException"),
        moto_deviation=UPDATE_TABLE,
    )
    checks.expect(
        "capacity for an on-demand table",
        error_of(
            lambda: dynamodb.update_table(
                TableName="updated", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
            )
        ),
        (400, "ValidationException"),
        moto_deviation=UPDATE_TABLE,
    )


TOKEN = "DynamoDB: ClientRequestToken"


def dynamodb_client_request_token(dynamodb, checks):
    table(dynamodb, "tokens")

    def visit(sort):
        return [
            {
                "Update": {
                    "TableName": "tokens",
                    "Key": {"pk": {"S": "o-1"}, "sk": {"S": sort}},
                    "UpdateExpression": "ADD visits :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ]

    for _ in range(2):
        dynamodb.transact_write_items(TransactItems=visit("a"), ClientRequestToken="visit-o-1-a")
    got = dynamodb.get_item(TableName="tokens", Key={"pk": {"S": "o-1"}, "sk": {"S": "a"}})["Item"]
    checks.expect("applied once", got["visits"], {"N": "1"}, moto_deviation=TOKEN)
    checks.expect(
        "another request under the token",
        error_of(lambda: dynamodb.transact_write_items(TransactItems=visit("b"), ClientRequestToken="visit-o-1-a")),
        (400, "IdempotentParameterMismatchException"),
        moto_deviation=TOKEN,
    )


# --- SES v2 ---------------------------------------------------------------------------------

SENDER = "orders@example.com"
SES_V1_ERRORS = "SES v2: errors of the v1 backend"


def simple_content(subject="Order ORD-1"):
    return {
        "Simple": {
            "Subject": {"Data": subject},
            "Body": {"Text": {"Data": "Thanks"}, "Html": {"Data": "<p>Thanks</p>"}},
        }
    }


def ses_send(ses, checks):
    if checks.target == "moto":
        # moto, like SES in its sandbox, sends only from verified identities; the engine sends as
        # an account out of the sandbox does.
        ses.create_email_identity(EmailIdentity=SENDER)
    sent = ses.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["a@example.com"], "BccAddresses": ["audit@example.com"]},
        Content=simple_content(),
    )
    checks.expect("simple has a message id", bool(sent.get("MessageId")), True)
    raw = ses.send_email(
        Content={"Raw": {"Data": f"From: {SENDER}\r\nTo: a@example.com\r\nSubject: Raw\r\n\r\nbody".encode()}}
    )
    checks.expect("raw has a message id", bool(raw.get("MessageId")), True)
    checks.expect(
        "51 recipients",
        error_of(
            lambda: ses.send_email(
                FromEmailAddress=SENDER,
                Destination={"ToAddresses": [f"r{n}@example.com" for n in range(51)]},
                Content=simple_content(),
            )
        ),
        (400, "MessageRejected"),
    )


def ses_errors(ses, checks):
    to = {"ToAddresses": ["a@example.com"]}
    checks.expect(
        "no sender",
        error_of(lambda: ses.send_email(Destination=to, Content=simple_content())),
        (400, "BadRequestException"),
        moto_deviation=SES_V1_ERRORS,
    )
    checks.expect(
        "no recipient",
        error_of(lambda: ses.send_email(FromEmailAddress=SENDER, Content=simple_content())),
        (400, "BadRequestException"),
        moto_deviation="SES v2: a message without recipients",
    )
    checks.expect(
        "address without a domain",
        error_of(
            lambda: ses.send_email(
                FromEmailAddress=SENDER,
                Destination={"ToAddresses": ["nobody"]},
                Content=simple_content(),
            )
        ),
        (400, "BadRequestException"),
        moto_deviation=SES_V1_ERRORS,
    )
    checks.expect(
        "missing template",
        error_of(
            lambda: ses.send_email(
                FromEmailAddress=SENDER,
                Destination=to,
                Content={"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
            )
        ),
        (404, "NotFoundException"),
        moto_deviation="SES v2: template content",
    )
    checks.expect(
        "tag with a space",
        error_of(
            lambda: ses.send_email(
                FromEmailAddress=SENDER,
                Destination=to,
                Content=simple_content(),
                EmailTags=[{"Name": "bad name", "Value": "x"}],
            )
        ),
        (400, "BadRequestException"),
        moto_deviation="SES v2: message tags",
    )


# --- EventBridge ----------------------------------------------------------------------------

EVENT_KEYS = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]


def events_queue(sqs, name):
    """A queue: its URL and ARN."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def events_rule(events, bus, name, pattern, targets):
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=targets)


def events_bodies(sqs, url, expected):
    """Every body on the queue, waiting for `expected` of them, then briefly for more."""
    bodies = []
    for _ in range(20):
        wait = 1 if len(bodies) < expected else 0
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        if not messages and len(bodies) >= expected:
            break
        bodies += [json.loads(message["Body"]) for message in messages]
    return bodies


def order_entry(bus, total):
    return {
        "EventBusName": bus,
        "Source": "shop.ingest",
        "DetailType": "OrderPlaced",
        "Detail": json.dumps({"order_id": f"ORD-{total}", "total": total}),
    }


def events_delivery(clients, checks):
    events, sqs = clients
    events.create_event_bus(Name="b3-orders")
    high_url, high_arn = events_queue(sqs, "b3-high")
    all_url, all_arn = events_queue(sqs, "b3-all")
    events_rule(
        events,
        "b3-orders",
        "high-value",
        {"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">=", 1000]}]}},
        [{"Id": "high", "Arn": high_arn}],
    )
    events_rule(events, "b3-orders", "all", {"source": ["shop.ingest"]}, [{"Id": "all", "Arn": all_arn}])
    put = events.put_events(Entries=[order_entry("b3-orders", 1200), order_entry("b3-orders", 50)])
    checks.expect("failed entries", put["FailedEntryCount"], 0)
    high = events_bodies(sqs, high_url, 1)
    everything = events_bodies(sqs, all_url, 2)
    checks.expect("high-value count", len(high), 1)
    checks.expect("all count", len(everything), 2)
    event = high[0] if high else {}
    checks.expect("detail", event.get("detail"), {"order_id": "ORD-1200", "total": 1200})
    checks.expect("id is PutEvents'", event.get("id") == put["Entries"][0].get("EventId"), True)
    checks.expect("version", event.get("version"), "0")
    checks.expect("region", event.get("region"), "us-east-1")
    time = event.get("time", "")
    checks.expect("time in whole seconds", len(time) == 20 and time.endswith("Z"), True)
    checks.expect("keys", list(event), EVENT_KEYS, moto_deviation="EventBridge: the delivered event")


def events_transform(clients, checks):
    events, sqs = clients
    events.create_event_bus(Name="b3-shaped")
    quoted_url, quoted_arn = events_queue(sqs, "b3-quoted")
    bare_url, bare_arn = events_queue(sqs, "b3-bare")
    paths = {"id": "$.detail.order_id", "total": "$.detail.total"}
    events_rule(
        events,
        "b3-shaped",
        "quoted",
        {"detail-type": ["OrderPlaced"]},
        [{"Id": "quoted", "Arn": quoted_arn, "InputTransformer": {"InputPathsMap": paths, "InputTemplate": '{"order": "<id>", "total": <total>}'}}],
    )
    events.put_events(Entries=[order_entry("b3-shaped", 1200)])
    checks.expect("quoted string", events_bodies(sqs, quoted_url, 1), [{"order": "ORD-1200", "total": 1200}])
    events_rule(
        events,
        "b3-shaped",
        "bare",
        {"detail-type": ["Bare"]},
        [{"Id": "bare", "Arn": bare_arn, "InputTransformer": {"InputPathsMap": paths, "InputTemplate": '{"order": <id>}'}}],
    )
    entry = dict(order_entry("b3-shaped", 7), DetailType="Bare")
    failed = error_of(lambda: events.put_events(Entries=[entry]))
    observed = events_bodies(sqs, bare_url, 1) if failed is None else failed
    checks.expect(
        "bare string", observed, [{"order": "ORD-7"}], moto_deviation="EventBridge: a string placeholder outside quotes"
    )


def events_errors(clients, checks):
    events, sqs = clients
    put = events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "OrderPlaced", "Detail": "{}"},
            {"DetailType": "OrderPlaced", "Detail": "{}"},
            {"Source": "shop", "Detail": "{}"},
            {"Source": "shop", "DetailType": "OrderPlaced"},
            {"Source": "shop", "DetailType": "OrderPlaced", "Detail": "{not json"},
        ]
    )
    checks.expect("failed entry count", put["FailedEntryCount"], 4)
    checks.expect(
        "entry errors",
        [(entry.get("ErrorCode"), entry.get("ErrorMessage")) for entry in put["Entries"][1:]],
        [
            ("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."),
            ("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
            ("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."),
            ("MalformedDetail", "Detail is malformed."),
        ],
    )
    checks.expect(
        "eleven entries",
        error_of(lambda: events.put_events(Entries=[order_entry("default", 1)] * 11)),
        (400, "ValidationException"),
    )
    checks.expect("missing bus", error_of(lambda: events.describe_event_bus(Name="b3-nope")), (400, "ResourceNotFoundException"))
    checks.expect("delete default", error_of(lambda: events.delete_event_bus(Name="default")), (400, "ValidationException"))
    events.create_event_bus(Name="b3-errors")
    checks.expect("bus again", error_of(lambda: events.create_event_bus(Name="b3-errors")), (400, "ResourceAlreadyExistsException"))
    checks.expect(
        "bad pattern",
        error_of(lambda: events.put_rule(Name="bad", EventBusName="b3-errors", EventPattern='{"source": "shop"}')),
        (400, "InvalidEventPatternException"),
    )
    _, arn = events_queue(sqs, "b3-kept")
    events_rule(events, "b3-errors", "kept", {"source": ["shop"]}, [{"Id": "kept", "Arn": arn}])
    checks.expect(
        "rule with targets",
        error_of(lambda: events.delete_rule(Name="kept", EventBusName="b3-errors")),
        (400, "ValidationException"),
    )
    listed = events.list_targets_by_rule(Rule="kept", EventBusName="b3-errors")["Targets"]
    checks.expect("targets listed", [target["Id"] for target in listed], ["kept"])


S3_SCENARIOS = [
    s3_listing, s3_metadata, s3_checksums, s3_version_pages, s3_part_numbers, s3_upload_part_copy,
    s3_list_uploads, s3_range_and_conditions, s3_copy_and_delete, s3_multipart,
]
SQS_SCENARIOS = [
    sqs_message_attributes, sqs_system_attributes, sqs_batch_errors, sqs_fifo, sqs_receipt_handles,
    sqs_message_move_tasks,
]
DYNAMODB_SCENARIOS = [
    dynamodb_items,
    dynamodb_query,
    dynamodb_errors,
    dynamodb_substitutions,
    dynamodb_size,
    dynamodb_update_table,
    dynamodb_client_request_token,
]
SES_SCENARIOS = [ses_send, ses_errors]
EVENTS_SCENARIOS = [events_delivery, events_transform, events_errors]


def canonical(value):
    """One text per value whatever the order of its dictionaries (bytes as base64)."""
    return json.dumps(value, sort_keys=True, default=lambda raw: base64.b64encode(raw).decode())


def main():
    endpoint, target = sys.argv[1], sys.argv[2]
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    s3 = session.client("s3", endpoint_url=endpoint, config=config)
    sqs = session.client("sqs", endpoint_url=endpoint, config=config)
    dynamodb = session.client("dynamodb", endpoint_url=endpoint, config=config)
    ses = session.client("sesv2", endpoint_url=endpoint, config=config)
    events = session.client("events", endpoint_url=endpoint, config=config)
    s3.create_bucket(Bucket=BUCKET)
    checks = Checks(target)
    for client, scenarios in [(s3, S3_SCENARIOS), (sqs, SQS_SCENARIOS), (dynamodb, DYNAMODB_SCENARIOS), (ses, SES_SCENARIOS), ((events, sqs), EVENTS_SCENARIOS)]:
        for scenario in scenarios:
            checks.scenario = scenario.__name__
            try:
                scenario(client, checks)
            except Exception:  # noqa: BLE001 - a scenario that raises is a failure to report
                checks.failures.append(f"{scenario.__name__} raised:\n{traceback.format_exc()}")
    json.dump(
        {
            "observations": {key: canonical(value) for key, value in checks.observations.items()},
            "deviations": checks.deviations,
            "failures": checks.failures,
        },
        sys.stdout,
        indent=1,
        sort_keys=True,
    )
    sys.exit(1 if checks.failures else 0)


if __name__ == "__main__":
    main()
