"""Which botocore operation an incoming request is, and its parameters as botocore would see them.

Each protocol puts the operation and its members in a different place:

  * ec2 / query (EC2, IAM, STS): ``Action`` in the form body or query string; members are
    flattened keys (``TagSpecification.1.Tag.2.Key``). EC2 names a member by its ``queryName`` or
    its capitalised ``locationName`` and numbers list elements directly; the query protocol uses
    ``locationName`` and puts list elements under ``member.N`` unless the list is flattened.
  * json (SSM, DynamoDB, Streams, EventBridge, SQS): ``X-Amz-Target: <targetPrefix>.<Operation>``
    and a JSON body keyed by ``locationName`` or the member name.
  * rest-json / rest-xml (EKS, S3): the operation is the one whose ``http.method`` and
    ``requestUri`` template match the request; members come from the URI labels, the query
    string, the headers and the body (JSON for rest-json; the XML body of rest-xml is not read).

The result is a plain dict keyed by botocore member names, plus the values that could not be
read as their shape's type, so the validator can walk it together with the input shape.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

# Services the sandbox serves, by the SigV4 signing name the SDKs use, and the botocore models
# behind each. DynamoDB Streams signs as "dynamodb" and is told apart by its X-Amz-Target prefix.
SERVICES_BY_SIGNING_NAME: dict[str, tuple[str, ...]] = {
    "ec2": ("ec2",),
    "eks": ("eks",),
    "iam": ("iam",),
    "sts": ("sts",),
    "ssm": ("ssm",),
    "s3": ("s3",),
    "sqs": ("sqs",),
    "events": ("events",),
    "dynamodb": ("dynamodb", "dynamodbstreams"),
    "autoscaling": ("autoscaling",),
}

_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


class UnreadableValue:
    """A query/URI/header value that is not of its shape's type (e.g. ``MaxResults=abc``)."""

    def __init__(self, raw: str, expected: str) -> None:
        self.raw = raw
        self.expected = expected

    def __repr__(self) -> str:
        return self.raw


@dataclass
class ParsedRequest:
    service: str
    protocol: str
    operation: Any  # botocore OperationModel
    params: dict[str, Any]
    region: str
    access_key: str
    # Members whose values the sandbox does not read (the XML body of rest-xml requests): the
    # validator does not report them as missing.
    unread_members: frozenset[str] = field(default_factory=frozenset)


class _ServiceIndex:
    """botocore models loaded once per process, with each rest service's URI templates compiled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[str, Any] = {}
        self._routes: dict[str, list[tuple[str, re.Pattern[str], list[tuple[str, str | None]], int, Any]]] = {}
        self._targets: dict[str, Any] = {}

    def model(self, name: str) -> Any:
        model = self._models.get(name)
        if model is None:
            with self._lock:
                model = self._models.get(name)
                if model is None:
                    # moto's cached copy: moto serializes its responses from the same model, so the
                    # JSON is parsed once per process.
                    from moto.core.utils import get_service_model

                    model = get_service_model(name)
                    if model.protocol == "json":
                        self._targets[model.metadata["targetPrefix"]] = model
                    self._models[name] = model
        return model

    def by_target_prefix(self, signing_name: str, prefix: str) -> Any | None:
        for name in SERVICES_BY_SIGNING_NAME.get(signing_name, ()):
            model = self.model(name)
            if model.protocol == "json" and model.metadata.get("targetPrefix") == prefix:
                return model
        return None

    def routes(self, model: Any) -> list[tuple[str, re.Pattern[str], list[tuple[str, str | None]], int, Any]]:
        routes = self._routes.get(model.service_name)
        if routes is None:
            built = []
            for name in model.operation_names:
                operation = model.operation_model(name)
                http = operation.http
                path, _, literal_query = http["requestUri"].partition("?")
                pattern = "^" + re.sub(
                    r"\\\{([A-Za-z0-9_]+)(\\\+)?\\\}",
                    lambda m: f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)",
                    re.escape(path),
                ) + "/?$"
                literals: list[tuple[str, str | None]] = []
                for part in filter(None, literal_query.split("&")):
                    key, eq, value = part.partition("=")
                    literals.append((key, value if eq else None))
                # More literal text and more literal query keys win over generic templates.
                specificity = len(literals) * 1000 + len(re.sub(r"\{[^}]+\}", "", path))
                built.append((http["method"], re.compile(pattern), literals, specificity, operation))
            built.sort(key=lambda route: -route[3])
            routes = self._routes[model.service_name] = built
        return routes


index = _ServiceIndex()


def _header(environ: dict[str, Any], name: str) -> str | None:
    key = name.upper().replace("-", "_")
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        return environ.get(key)
    return environ.get("HTTP_" + key)


def _signing_scope(environ: dict[str, Any], query: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    authorization = _header(environ, "Authorization") or ""
    match = _CREDENTIAL.search(authorization)
    if match is None:
        credential = next((v for k, v in query if k == "X-Amz-Credential"), "")
        match = _CREDENTIAL.search("Credential=" + credential)
    if match is None:
        return None
    access_key = authorization.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in authorization else ""
    return match.group(1), match.group(2), access_key


# --- scalar conversion ----------------------------------------------------------------------


def _scalar(raw: str, shape: Any) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            return UnreadableValue(raw, "an integer")
    if kind in ("float", "double"):
        try:
            return float(raw)
        except ValueError:
            return UnreadableValue(raw, "a number")
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        return UnreadableValue(raw, "true or false")
    return raw


# --- ec2 and query protocols ----------------------------------------------------------------


def _tree(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {} if child is None else {"": child}
                node[part] = child
            node = child
        last = parts[-1]
        if isinstance(node.get(last), dict):
            node[last][""] = value
        else:
            node[last] = value
    return root


def _numbered(node: Any) -> list[Any]:
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted((k for k in node if k.isdigit()), key=int)]


def _query_name(member_shape: Any, member_name: str, ec2: bool) -> str:
    serialization = member_shape.serialization
    if ec2:
        if "queryName" in serialization:
            return serialization["queryName"]
        name = serialization.get("name")
        return name[0].upper() + name[1:] if name else member_name
    return serialization.get("name", member_name)


def _from_query(node: Any, shape: Any, ec2: bool) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(node, dict):
            return {}
        result: dict[str, Any] = {}
        for member_name, member_shape in shape.members.items():
            key = _query_name(member_shape, member_name, ec2)
            if key in node:
                result[member_name] = _from_query(node[key], member_shape, ec2)
        return result
    if kind == "list":
        if ec2 or shape.serialization.get("flattened"):
            elements = _numbered(node)
        else:
            member_key = shape.member.serialization.get("name", "member")
            elements = _numbered(node.get(member_key)) if isinstance(node, dict) else []
        return [_from_query(element, shape.member, ec2) for element in elements]
    if kind == "map":
        entries = _numbered(node) if shape.serialization.get("flattened") else _numbered(
            node.get("entry") if isinstance(node, dict) else None
        )
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result_map: dict[str, Any] = {}
        for entry in entries:
            if isinstance(entry, dict) and key_name in entry:
                result_map[str(entry[key_name])] = _from_query(entry.get(value_name, ""), shape.value, ec2)
        return result_map
    if isinstance(node, dict):
        node = node.get("", "")
    return _scalar(node, shape)


# --- json bodies ----------------------------------------------------------------------------


def _from_json(value: Any, shape: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        result: dict[str, Any] = {}
        for member_name, member_shape in shape.members.items():
            key = member_shape.serialization.get("name", member_name)
            if key in value:
                result[member_name] = _from_json(value[key], member_shape)
        return result
    if kind == "list" and isinstance(value, list):
        return [_from_json(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _from_json(v, shape.value) for k, v in value.items()}
    return value


# --- entry point ----------------------------------------------------------------------------


def parse(environ: dict[str, Any], body: bytes) -> ParsedRequest | None:
    """The request as (service, operation, params), or None when it is not an AWS API request the
    sandbox validates (no SigV4 scope, a service without a model here, an unknown operation)."""
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    scope = _signing_scope(environ, query)
    if scope is None:
        return None
    region, signing_name, access_key = scope
    names = SERVICES_BY_SIGNING_NAME.get(signing_name)
    if not names:
        return None

    target = _header(environ, "X-Amz-Target")
    if target:
        prefix, _, operation_name = target.rpartition(".")
        model = index.by_target_prefix(signing_name, prefix)
        if model is None or operation_name not in model.operation_names:
            return None
        operation = model.operation_model(operation_name)
        try:
            document = json.loads(body) if body.strip() else {}
        except ValueError:
            document = {}
        params = _from_json(document, operation.input_shape) if operation.input_shape is not None else {}
        return ParsedRequest(model.service_name, model.protocol, operation, params, region, access_key)

    model = index.model(names[0])
    if model.protocol in ("ec2", "query"):
        pairs = list(query)
        content_type = (_header(environ, "Content-Type") or "").lower()
        if body and "x-www-form-urlencoded" in content_type:
            pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        action = next((v for k, v in pairs if k == "Action"), None)
        if action is None or action not in model.operation_names:
            return None
        operation = model.operation_model(action)
        tree = _tree([(k, v) for k, v in pairs if k not in ("Action", "Version")])
        params = _from_query(tree, operation.input_shape, model.protocol == "ec2") if operation.input_shape else {}
        return ParsedRequest(model.service_name, model.protocol, operation, params, region, access_key)

    if model.protocol in ("rest-json", "rest-xml"):
        return _parse_rest(model, environ, query, body, region, access_key)
    return None


def _required_located(operation: Any) -> list[Any]:
    shape = operation.input_shape
    if shape is None:
        return []
    return [
        shape.members[name]
        for name in shape.required_members
        if shape.members[name].serialization.get("location") in ("uri", "querystring", "header")
    ]


def _located_present(environ: dict[str, Any], query_keys: dict[str, str], match: Any, member: Any) -> bool:
    location = member.serialization.get("location")
    wire_name = member.serialization.get("name")
    if location == "uri":
        return wire_name in match.groupdict()
    if location == "querystring":
        return wire_name in query_keys
    return _header(environ, wire_name) is not None


def _parse_rest(
    model: Any, environ: dict[str, Any], query: list[tuple[str, str]], body: bytes, region: str, access_key: str
) -> ParsedRequest | None:
    method = environ.get("REQUEST_METHOD", "GET")
    # The raw path keeps percent-encoded slashes inside labels (EKS TagResource's /tags/{resourceArn}).
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/"
    path = raw.split("?", 1)[0] or "/"
    query_keys = {k: v for k, v in query}
    candidates = []
    for route_method, pattern, literals, specificity, operation in index.routes(model):
        if route_method != method:
            continue
        match = pattern.match(path)
        if match is None:
            continue
        if any(key not in query_keys or (value is not None and query_keys[key] != value) for key, value in literals):
            continue
        candidates.append((specificity, match, operation))
    if not candidates:
        return None
    # Several operations can share a method and URI template (S3: PutObject, CopyObject and
    # UploadPart are all PUT /{Bucket}/{Key+}); they differ in which headers or query members they
    # require. Take the most specific one whose required members are all present.
    best = None
    for specificity, match, operation in candidates:
        required = _required_located(operation)
        present = all(_located_present(environ, query_keys, match, member) for member in required)
        score = (present, specificity, len(required) if present else -len(required))
        if best is None or score > best[0]:
            best = (score, match, operation)
    _score, match, operation = best
    shape = operation.input_shape
    params: dict[str, Any] = {}
    unread: set[str] = set()
    if shape is None:
        return ParsedRequest(model.service_name, model.protocol, operation, params, region, access_key)
    labels = {k: unquote(v) for k, v in match.groupdict().items()}
    payload_member = shape.serialization.get("payload")
    body_members: list[tuple[str, Any]] = []
    for member_name, member_shape in shape.members.items():
        location = member_shape.serialization.get("location")
        wire_name = member_shape.serialization.get("name", member_name)
        if location == "uri":
            if wire_name in labels:
                params[member_name] = _scalar(labels[wire_name], member_shape)
        elif location == "querystring":
            if member_shape.type_name == "list":
                values = [v for k, v in query if k == wire_name]
                if values:
                    params[member_name] = [_scalar(v, member_shape.member) for v in values]
            elif member_shape.type_name == "map":
                continue
            elif wire_name in query_keys:
                params[member_name] = _scalar(query_keys[wire_name], member_shape)
        elif location == "header":
            value = _header(environ, wire_name)
            if value is not None and member_shape.type_name not in ("timestamp", "list", "map"):
                params[member_name] = _scalar(value, member_shape)
        elif location == "headers":
            continue
        else:
            body_members.append((member_name, member_shape))

    if model.protocol == "rest-json" and body.strip():
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if payload_member:
            if isinstance(document, dict) and shape.members[payload_member].type_name == "structure":
                params[payload_member] = _from_json(document, shape.members[payload_member])
            else:
                unread.add(payload_member)
        elif isinstance(document, dict):
            for member_name, member_shape in body_members:
                key = member_shape.serialization.get("name", member_name)
                if key in document:
                    params[member_name] = _from_json(document[key], member_shape)
    elif model.protocol == "rest-xml" or payload_member:
        unread.update(name for name, _ in body_members)
    return ParsedRequest(model.service_name, model.protocol, operation, params, region, access_key, frozenset(unread))
