"""The strict sandbox: every AWS request is checked as AWS would check it before moto sees it.

Two layers, both in front of moto's dispatcher:
  1. model validation (model_validation.py) against the botocore service model of the request's
     operation: required members, lengths, ranges, patterns, enums;
  2. semantic rules (ec2_rules.py, eks_rules.py): documented AWS refusals no model states.

A refused request gets AWS's error code and the protocol's error shape (errors.py); moto never
sees it. This is always on. For diagnosis only, ``SANDBOX_STRICT=count`` lets every request
through and logs each one the sandbox would refuse (``sandbox strict: would refuse ...``) with
the rule's name, which is how the per-rule counts in the notes were taken.

Per-process figures (requests checked, time spent, refusals per rule) are in
``GET /_sandbox/config`` under ``strict``.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections import Counter
from typing import Any

from . import autoscaling_rules, ec2_rules, eks_rules  # noqa: F401 - importing registers the rules
from .errors import Refusal, render, validation_code
from .model_validation import coral_message, validate
from .operations import ParsedRequest, parse
from .rules import refusals_for

MODES = ("enforce", "count")


def _mode() -> str:
    mode = os.environ.get("SANDBOX_STRICT", "enforce") or "enforce"
    if mode not in MODES:
        raise SystemExit(f"sandbox: SANDBOX_STRICT={mode!r} must be one of {MODES} (default enforce)")
    return mode


class Statistics:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.not_checked = 0
        self.seconds = 0.0
        self.by_rule: Counter[str] = Counter()

    def record(self, seconds: float, checked: bool, refusals: list[Refusal]) -> None:
        with self.lock:
            if not checked:
                self.not_checked += 1
                return
            self.requests += 1
            self.seconds += seconds
            for refusal in refusals:
                self.by_rule[refusal.rule] += 1

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            mean = self.seconds / self.requests * 1e6 if self.requests else 0.0
            return {
                "mode": mode,
                "requestsChecked": self.requests,
                # Requests without an AWS operation the sandbox knows (no SigV4 scope, other services).
                "requestsNotChecked": self.not_checked,
                "checkMicrosecondsMean": round(mean, 1),
                "refusalsByRule": dict(sorted(self.by_rule.items())),
            }


mode = _mode()
statistics = Statistics()


def model_refusals(request: ParsedRequest) -> list[Refusal]:
    violations = validate(request.params, request.operation.input_shape, request.unread_members)
    if not violations:
        return []
    refusals = []
    protocol = request.protocol
    if protocol == "ec2":
        # EC2 reports one parameter at a time, by its wire name.
        for v in violations:
            if v.missing:
                message = f"The request must contain the parameter {v.wire_name}"
            else:
                message = f"Value ({v.value}) for parameter {v.wire_name} is invalid. {v.constraint}"
            refusals.append(Refusal(v.rule, validation_code(protocol, request.operation, v.missing), message))
        return refusals
    code = validation_code(protocol, request.operation, any(v.missing for v in violations))
    message = coral_message(violations)
    members = {}
    if request.service == "eks":
        members = {k: request.params[k] for k in ("clusterName", "nodegroupName") if isinstance(request.params.get(k), str)}
    # One response carries every violation (as AWS's JSON front ends do); each is counted.
    return [Refusal(v.rule, code, message, members=members) for v in violations]


def check(request: ParsedRequest) -> list[Refusal]:
    refusals = model_refusals(request)
    if refusals and mode == "enforce":
        # Semantic rules assume a well-formed request, as the services' own checks do.
        return refusals
    try:
        return refusals + refusals_for(request)
    except Exception as error:  # noqa: BLE001 - a rule that trips over odd input must not break the sandbox
        print(f"sandbox strict: a semantic rule failed on {request.operation.name}: {error!r}", file=sys.stderr, flush=True)
        return refusals


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _streaming(environ: dict[str, Any]) -> bool:
    # S3 object uploads (aws-chunked payloads, large bodies) are not read: their members are headers.
    return "aws-chunked" in (environ.get("HTTP_CONTENT_ENCODING") or "") or environ.get(
        "HTTP_X_AMZ_CONTENT_SHA256", ""
    ).startswith("STREAMING-")


def install() -> None:
    import moto.server

    from ..control import config_sections, ready

    config_sections["strict"] = statistics.to_json
    base = moto.server.DomainDispatcherApplication

    class StrictDispatcher(base):  # type: ignore[misc, valid-type]
        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            path = environ.get("PATH_INFO", "")
            if path.startswith(("/_sandbox/", "/moto-api/")) or _streaming(environ):
                return super().__call__(environ, start_response)
            started = time.perf_counter()
            body = _read_body(environ)
            try:
                request = parse(environ, body)
                refusals = check(request) if request is not None else []
            except Exception as error:  # noqa: BLE001 - never let the checker take the sandbox down
                print(f"sandbox strict: could not check {environ.get('PATH_INFO')}: {error!r}", file=sys.stderr, flush=True)
                request, refusals = None, []
            if ready.is_set():
                # The warm-up's requests load the botocore models; they are start-up, not per-request cost.
                statistics.record(time.perf_counter() - started, request is not None, refusals)
            if request is None or not refusals:
                return super().__call__(environ, start_response)
            operation = f"{request.service}.{request.operation.name}"
            if mode == "count":
                for refusal in refusals:
                    print(
                        f"sandbox strict: would refuse {operation} rule={refusal.rule} code={refusal.code}: "
                        f"{refusal.message}",
                        file=sys.stderr,
                        flush=True,
                    )
                return super().__call__(environ, start_response)
            first = refusals[0]
            print(f"sandbox strict: refused {operation} rule={first.rule} code={first.code}: {first.message}", file=sys.stderr, flush=True)
            status, headers, payload = render(request.protocol, request.operation.service_model, first)
            start_response(status, [*headers, ("Content-Length", str(len(payload)))])
            return [payload]

    moto.server.DomainDispatcherApplication = StrictDispatcher  # type: ignore[misc]
