"""Runtime controls of the sandbox and the HTTP control API that tests use to steer them.

The controls are process-wide (one sandbox serves one test worker). They are restored to their
start-up values by ``POST /moto-api/reset``, together with moto's own state, so every test starts
from the same known configuration: a test that slows the roll down or arms a failure cannot leak
into the next one.

Routes (JSON in, JSON out), served on the same port as moto:

    GET  /_sandbox/health          liveness plus identity, used by the readiness checks
    GET  /_sandbox/config          the current controls
    POST /_sandbox/config          change any of the durations (seconds), or nodegroupModifiedAtMoves
    POST /_sandbox/fail-next-roll  arm a failure for the next roll of one node group
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

SERVICE_NAME = "enclave-pools-sandbox"

# Durations a test may change at run time, by their JSON name, with the environment variable that
# gives the start-up value and the built-in default.
DURATIONS: dict[str, tuple[str, float]] = {
    "rollSeconds": ("SANDBOX_ROLL_SECONDS", 2.0),
    "configUpdateSeconds": ("SANDBOX_CONFIG_UPDATE_SECONDS", 0.0),
    "nodegroupCreateSeconds": ("SANDBOX_NODEGROUP_CREATE_SECONDS", 0.0),
    "nodegroupDeleteSeconds": ("SANDBOX_NODEGROUP_DELETE_SECONDS", 0.0),
}

# When an update moves the node group's `modifiedAt`. EKS documents the field only as "the last
# modification to the object" and not whether an update's start, end or both count; decision 0084
# must hold for each, so a test can pick one. Start-up value: the environment, else "end".
MODIFIED_AT_MOVES = ("end", "start", "both")
MODIFIED_AT_SETTING = "nodegroupModifiedAtMoves"


def _modified_at_from_env() -> str:
    raw = os.environ.get("SANDBOX_NODEGROUP_MODIFIED_AT_MOVES", "") or "end"
    if raw not in MODIFIED_AT_MOVES:
        raise SystemExit(f"sandbox: SANDBOX_NODEGROUP_MODIFIED_AT_MOVES={raw!r} must be one of {MODIFIED_AT_MOVES}")
    return raw


# Codes a failed roll may report. The first ones are EKS `ErrorCode` values (DescribeUpdate
# errors[].errorCode); AsgInstanceLaunchFailures is a `NodegroupIssueCode` that EKS reports in the
# node group's health, which the brief asks to be injectable too.
KNOWN_FAILURE_CODES = (
    "PodEvictionFailure",
    "NodeCreationFailure",
    "AsgInstanceLaunchFailures",
    "InsufficientFreeAddresses",
    "AccessDenied",
    "Unknown",
)


def _duration_from_env(variable: str, default: float) -> float:
    raw = os.environ.get(variable)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"sandbox: {variable}={raw!r} is not a number of seconds") from None
    if value < 0:
        raise SystemExit(f"sandbox: {variable}={raw!r} must be >= 0")
    return value


@dataclass
class ArmedFailure:
    cluster_name: str
    nodegroup_name: str
    error_code: str
    error_message: str | None
    resource_ids: list[str] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "clusterName": self.cluster_name,
            "nodegroupName": self.nodegroup_name,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "resourceIds": self.resource_ids,
        }


@dataclass
class Controls:
    durations: dict[str, float] = field(default_factory=dict)
    armed_failures: dict[tuple[str, str], ArmedFailure] = field(default_factory=dict)
    # How many of the next instances a node group launches start without Nitro Enclaves.
    launch_without_enclaves: int = 0
    modified_at_moves: str = "end"
    lock: threading.RLock = field(default_factory=threading.RLock)

    def restore_defaults(self) -> None:
        with self.lock:
            self.durations = {
                name: _duration_from_env(variable, default) for name, (variable, default) in DURATIONS.items()
            }
            self.armed_failures = {}
            self.launch_without_enclaves = 0
            self.modified_at_moves = _modified_at_from_env()

    def update_moves_modified_at(self, when: str) -> bool:
        """Whether an update's `when` ("start" or "end") moves the node group's modifiedAt."""
        with self.lock:
            return self.modified_at_moves in (when, "both")

    def set_launch_without_enclaves(self, count: int) -> None:
        with self.lock:
            self.launch_without_enclaves = count

    def take_launch_without_enclaves(self) -> bool:
        """True (and one fewer left) when the next instance must start without enclaves."""
        with self.lock:
            if self.launch_without_enclaves <= 0:
                return False
            self.launch_without_enclaves -= 1
            return True

    def duration(self, name: str) -> float:
        with self.lock:
            return self.durations[name]

    def take_armed_failure(self, cluster_name: str, nodegroup_name: str) -> ArmedFailure | None:
        """Consumes the failure armed for this node group's next roll, if any."""
        with self.lock:
            return self.armed_failures.pop((cluster_name, nodegroup_name), None)

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                **self.durations,
                "armedFailures": [f.to_json() for f in self.armed_failures.values()],
                "launchWithoutEnclaves": self.launch_without_enclaves,
                MODIFIED_AT_SETTING: self.modified_at_moves,
            }


controls = Controls()
controls.restore_defaults()

# Extra sections that other modules add to GET /_sandbox/config (e.g. the edge zones).
config_sections: dict[str, Callable[[], Any]] = {}


class ControlRequestError(Exception):
    pass


def _set_config(body: dict[str, Any]) -> dict[str, Any]:
    settable = sorted([*DURATIONS, MODIFIED_AT_SETTING])
    unknown = sorted(set(body) - set(settable))
    if unknown:
        raise ControlRequestError(f"unknown setting(s) {unknown}; settable: {settable}")
    durations = {name: value for name, value in body.items() if name in DURATIONS}
    moves = body.get(MODIFIED_AT_SETTING)
    if MODIFIED_AT_SETTING in body and moves not in MODIFIED_AT_MOVES:
        raise ControlRequestError(f"{MODIFIED_AT_SETTING} must be one of {list(MODIFIED_AT_MOVES)}, got {moves!r}")
    with controls.lock:
        for name, value in durations.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ControlRequestError(f"{name} must be a number of seconds >= 0, got {value!r}")
        for name, value in durations.items():
            controls.durations[name] = float(value)
        if isinstance(moves, str):
            controls.modified_at_moves = moves
    return _config()


def _arm_failure(body: dict[str, Any]) -> dict[str, Any]:
    cluster = body.get("clusterName")
    nodegroup = body.get("nodegroupName")
    code = body.get("errorCode")
    message = body.get("errorMessage")
    resource_ids = body.get("resourceIds")
    for name, value in (("clusterName", cluster), ("nodegroupName", nodegroup), ("errorCode", code)):
        if not isinstance(value, str) or not value:
            raise ControlRequestError(f"{name} is required (a non-empty string)")
    if message is not None and not isinstance(message, str):
        raise ControlRequestError("errorMessage must be a string when given")
    if resource_ids is not None and not (
        isinstance(resource_ids, list) and all(isinstance(r, str) for r in resource_ids)
    ):
        raise ControlRequestError("resourceIds must be a list of strings when given")
    failure = ArmedFailure(cluster, nodegroup, code, message, resource_ids)
    with controls.lock:
        controls.armed_failures[(cluster, nodegroup)] = failure
    return {"armed": failure.to_json(), "knownErrorCodes": list(KNOWN_FAILURE_CODES)}


def _config() -> dict[str, Any]:
    result = controls.to_json()
    for name, section in config_sections.items():
        result[name] = section()
    return result


# Set once the launcher's warm-up has run (see warmup.py); until then health says "starting".
ready = threading.Event()


def _health() -> dict[str, Any]:
    import moto

    status = "ok" if ready.is_set() else "starting"
    return {"status": status, "service": SERVICE_NAME, "moto": moto.__version__, "pid": os.getpid()}


ROUTES: dict[tuple[str, str], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("GET", "/_sandbox/health"): lambda _body: _health(),
    ("GET", "/_sandbox/config"): lambda _body: _config(),
    ("POST", "/_sandbox/config"): _set_config,
    ("POST", "/_sandbox/fail-next-roll"): _arm_failure,
}


def handle_control_request(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "").rstrip("/")
    route = ROUTES.get((method, path))
    status, payload = "200 OK", {}
    if route is None:
        known = [f"{m} {p}" for m, p in ROUTES]
        status, payload = "404 Not Found", {"error": f"no control route {method} {path}", "routes": known}
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ControlRequestError("the request body must be a JSON object")
            payload = route(body)
        except (ControlRequestError, json.JSONDecodeError) as error:
            status, payload = "400 Bad Request", {"error": str(error)}
    data = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def install() -> None:
    """Serves /_sandbox/* ahead of moto and ties the controls to moto's reset."""
    import moto.server
    from moto.moto_api._internal.models import MotoAPIBackend

    base = moto.server.DomainDispatcherApplication

    class SandboxDispatcher(base):  # type: ignore[misc, valid-type]
        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("PATH_INFO", "").startswith("/_sandbox/"):
                return handle_control_request(environ, start_response)
            return super().__call__(environ, start_response)

    # moto.server.main() builds its application from this module-level name.
    moto.server.DomainDispatcherApplication = SandboxDispatcher  # type: ignore[misc]

    original_reset = MotoAPIBackend.reset

    def reset(self: Any) -> None:
        original_reset(self)
        controls.restore_defaults()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
