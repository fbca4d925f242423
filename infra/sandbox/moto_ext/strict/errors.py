"""Refusals in each protocol's error shape, so the SDK raises the same exception class as on AWS.

  * ec2:       ``<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>``
  * query:     ``<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>``
  * json:      ``{"__type": code, "message": ...}`` (plus ``x-amzn-query-error`` for services that
               are awsQueryCompatible, e.g. SQS, whose SDKs read the query-era code from it)
  * rest-json: ``x-amzn-ErrorType: code`` and ``{"message": ..., <error members>}``
  * rest-xml:  ``<Error><Code/><Message/><RequestId/></Error>``
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Refusal:
    """One reason to refuse a request: the rule that refuses it (for counting and the docs), the
    AWS error code and message, and extra members of the error structure (EKS: clusterName...)."""

    rule: str
    code: str
    message: str
    status: int = 400
    members: dict[str, Any] = field(default_factory=dict)


# Validation error codes, in order of preference, when the operation's model lists them.
_JSON_VALIDATION_CODES = ("ValidationException", "InvalidParameterException", "InvalidParameterValueException", "InvalidRequestException")


def validation_code(protocol: str, operation: Any, missing: bool) -> str:
    """The code AWS uses for a request that fails model validation, per protocol and operation."""
    if protocol == "ec2":
        return "MissingParameter" if missing else "InvalidParameterValue"
    if protocol == "query":
        return "ValidationError"
    if protocol == "rest-xml":
        return "InvalidArgument"
    listed = {shape.name for shape in operation.error_shapes}
    for code in _JSON_VALIDATION_CODES:
        if code in listed:
            return code
    return "ValidationException"


def render(protocol: str, service_model: Any, refusal: Refusal) -> tuple[str, list[tuple[str, str]], bytes]:
    request_id = str(uuid.uuid4())
    reason = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}.get(refusal.status, "Error")
    status = f"{refusal.status} {reason}"
    code, message = escape(refusal.code), escape(refusal.message)
    if protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        return status, [("Content-Type", "text/xml;charset=UTF-8")], body
    if protocol == "query":
        body = (
            f'<ErrorResponse xmlns="https://{service_model.endpoint_prefix}.amazonaws.com/doc/'
            f'{service_model.api_version}/"><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        return status, [("Content-Type", "text/xml")], body
    if protocol == "rest-xml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        return status, [("Content-Type", "application/xml")], body
    headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", refusal.code)]
    if protocol == "rest-json":
        payload = {"message": refusal.message, **refusal.members}
        return status, [("Content-Type", "application/json"), *headers], json.dumps(payload).encode()
    payload = {"__type": refusal.code, "message": refusal.message}
    if service_model.metadata.get("awsQueryCompatible") is not None:
        headers.append(("x-amzn-query-error", f"{refusal.code};Sender"))
    return status, [("Content-Type", "application/x-amz-json-1.0"), *headers], json.dumps(payload).encode()
