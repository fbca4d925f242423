"""Warms the server up before it reports ready.

moto builds each service's Flask app, parses its botocore model and imports its modules on the
first request to that service, under one lock. A cold sandbox therefore answers its first seeding
in ~3 s instead of ~0.3 s, and the first test of every worker pays for it. One cheap read per
service the project uses, then a reset, moves that cost into start-up, where the harness starts
all sandboxes in parallel. All of it survives /moto-api/reset (only the data is cleared).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import urllib.request
from .control import ready

# One cheap read per service the project uses, as the SDKs send it: (signing name, method, path,
# headers, body). moto routes on the SigV4 credential scope and does not check signatures.
JSON_10 = "application/x-amz-json-1.0"
JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"
CALLS: list[tuple[str, str, str, dict[str, str], str]] = [
    ("ec2", "POST", "/", {"Content-Type": FORM}, "Action=DescribeAvailabilityZones&Version=2016-11-15"),
    ("ec2", "POST", "/", {"Content-Type": FORM}, "Action=DescribeLaunchTemplates&Version=2016-11-15"),
    ("eks", "GET", "/clusters", {}, ""),
    ("iam", "POST", "/", {"Content-Type": FORM}, "Action=ListRoles&Version=2010-05-08"),
    ("ssm", "POST", "/", {"Content-Type": JSON_11, "X-Amz-Target": "AmazonSSM.DescribeParameters"}, "{}"),
    ("s3", "GET", "/", {}, ""),
    ("sqs", "POST", "/", {"Content-Type": JSON_10, "X-Amz-Target": "AmazonSQS.ListQueues"}, "{}"),
    ("events", "POST", "/", {"Content-Type": JSON_11, "X-Amz-Target": "AWSEvents.ListRules"}, "{}"),
    ("dynamodb", "POST", "/", {"Content-Type": JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables"}, "{}"),
    (
        "dynamodb",
        "POST",
        "/",
        {"Content-Type": JSON_10, "X-Amz-Target": "DynamoDBStreams_20120810.ListStreams"},
        "{}",
    ),
    ("sts", "POST", "/", {"Content-Type": FORM}, "Action=GetCallerIdentity&Version=2011-06-15"),
]


def _wait_for_port(host: str, port: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.02)
    return False


def _warm(host: str, port: int) -> None:
    endpoint = f"http://{host}:{port}"
    region = _region()
    started = time.monotonic()
    timings: list[str] = []
    try:
        if _wait_for_port(host, port):
            for service, method, path, headers, body in CALLS:
                authorization = (
                    f"AWS4-HMAC-SHA256 Credential=warmup/20260101/{region}/{service}/aws4_request, "
                    "SignedHeaders=host, Signature=0"
                )
                request = urllib.request.Request(
                    endpoint + path,
                    data=body.encode() if body else None,
                    method=method,
                    headers={**headers, "Authorization": authorization},
                )
                call_started = time.monotonic()
                try:
                    urllib.request.urlopen(request, timeout=30).read()
                    timings.append(f"{service} {time.monotonic() - call_started:.2f}s")
                except Exception as error:  # noqa: BLE001 - warming is best effort
                    print(f"sandbox: warm-up call to {service} failed: {error}", file=sys.stderr, flush=True)
            urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30)
    except Exception as error:  # noqa: BLE001 - a failed warm-up must not keep the sandbox unready
        print(f"sandbox: warm-up failed: {error}", file=sys.stderr, flush=True)
    finally:
        ready.set()
        print(
            f"sandbox: warmed up in {time.monotonic() - started:.2f}s ({', '.join(timings)}); ready",
            file=sys.stderr,
            flush=True,
        )


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"


def start_in_background(host: str, port: int) -> None:
    if os.environ.get("SANDBOX_WARMUP", "1") == "0":
        ready.set()
        return
    threading.Thread(target=_warm, args=(host, port), name="warm-up", daemon=True).start()
