"""Shared state of the sandbox's EKS node groups: updates, idempotency tokens, lifecycle timers.

Every patch in this package reads and advances this state. moto has no background work, so the
lifecycle moves forward (`settle`) whenever a node group is read or written.

The update `params` value encoding (scalars as strings, lists and maps as compact JSON) is the
sandbox's choice: AWS documents the param types but not how structured values are encoded.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from ..control import ArmedFailure, controls

VERSION_UPDATE = "VersionUpdate"
CONFIG_UPDATE = "ConfigUpdate"

lock = threading.RLock()

# Other patches follow the lifecycle through these (instances.py: the node group's instances).
# progress_hooks(nodegroup, now) run on every settle before updates complete; completion_hooks
# (nodegroup, update) when an update turns Successful or Failed; roll_start_hooks(nodegroup,
# update, launch template version, seconds) when a version update starts.
progress_hooks: list[Callable[[Any, float], None]] = []
completion_hooks: list[Callable[[Any, "SandboxUpdate"], None]] = []
roll_start_hooks: list[Callable[[Any, "SandboxUpdate", str, float], None]] = []

# Issue codes a failed roll also leaves in the node group's health (NodegroupIssueCode values).
HEALTH_ISSUE_CODES = {"NodeCreationFailure", "AsgInstanceLaunchFailures", "InsufficientFreeAddresses", "AccessDenied"}

DEFAULT_FAILURE_MESSAGES = {
    "PodEvictionFailure": "Reached max retries while trying to evict pods from nodes in node group {nodegroup}",
    "NodeCreationFailure": "Instances failed to join the kubernetes cluster",
    "AsgInstanceLaunchFailures": "The Auto Scaling group could not launch instances for node group {nodegroup}",
}


def release_version_for(kubernetes_version: str) -> str:
    # Shaped like an EKS-optimized AMI release (<k8s>.<patch>-<yyyymmdd>); the date is fixed.
    return f"{kubernetes_version}.0-20260101"


@dataclass
class SandboxUpdate:
    id: str
    type: str
    params: list[dict[str, str]]
    created_at: Any
    due: float
    failure: ArmedFailure | None = None
    on_success: Callable[[], None] | None = None
    status: str = "InProgress"
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "type": self.type,
            "params": self.params,
            "createdAt": self.created_at,
            "errors": self.errors,
        }


@dataclass
class NodegroupState:
    updates: dict[str, SandboxUpdate] = field(default_factory=dict)
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    create_due: float | None = None
    delete_due: float | None = None

    def in_progress(self) -> SandboxUpdate | None:
        return next((u for u in self.updates.values() if u.status == "InProgress"), None)


def state_of(nodegroup: Any) -> NodegroupState:
    state = getattr(nodegroup, "sandbox", None)
    if state is None:
        state = NodegroupState()
        nodegroup.sandbox = state
    return state


def _eks_exceptions() -> Any:
    from moto.eks import exceptions

    return exceptions


def not_found(message: str, cluster: str | None = None, nodegroup: str | None = None) -> Exception:
    return _eks_exceptions().ResourceNotFoundException(
        clusterName=cluster, nodegroupName=nodegroup, fargateProfileName=None, addonName=None, message=message
    )


def invalid(message: str, cluster: str | None = None, nodegroup: str | None = None) -> Exception:
    return _eks_exceptions().InvalidParameterException(
        clusterName=cluster, nodegroupName=nodegroup, fargateProfileName=None, addonName=None, message=message
    )


def in_use(message: str, cluster: str, nodegroup: str) -> Exception:
    return _eks_exceptions().ResourceInUseException(clusterName=cluster, nodegroupName=nodegroup, addonName=None, message=message)


def cluster_named(backend: Any, name: str) -> Any:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise not_found(f"No cluster found for name: {name}.", cluster=name)
    return cluster


def nodegroup_named(cluster: Any, name: str) -> Any:
    nodegroup = cluster.nodegroups.get(name)
    if nodegroup is None:
        raise not_found(f"No node group found for name: {name}.", cluster=cluster.name, nodegroup=name)
    return nodegroup


# --- lifecycle ------------------------------------------------------------------------------


def _complete(nodegroup: Any, update: SandboxUpdate) -> None:
    from moto.core.utils import utcnow

    failure = update.failure
    if failure is None:
        update.status = "Successful"
        if update.on_success is not None:
            update.on_success()
        if update.type == VERSION_UPDATE:
            nodegroup.health = {"issues": []}
    else:
        resource_ids = failure.resource_ids
        if resource_ids is None:
            asg = nodegroup.resources["autoScalingGroups"][0]["name"]
            resource_ids = [nodegroup.nodegroup_name] if failure.error_code == "PodEvictionFailure" else [asg]
        message = failure.error_message or DEFAULT_FAILURE_MESSAGES.get(
            failure.error_code, "The update of node group {nodegroup} failed"
        ).format(nodegroup=nodegroup.nodegroup_name)
        update.status = "Failed"
        update.errors = [{"errorCode": failure.error_code, "errorMessage": message, "resourceIds": resource_ids}]
        if failure.error_code in HEALTH_ISSUE_CODES:
            nodegroup.health = {
                "issues": [{"code": failure.error_code, "message": message, "resourceIds": resource_ids}]
            }
    for hook in completion_hooks:
        hook(nodegroup, update)
    if controls.update_moves_modified_at("end"):
        nodegroup.modified_at = utcnow()


def settle(cluster: Any) -> None:
    """Advances every node group of `cluster` to where its timers say it is now. moto has no
    background work, so the lifecycle moves forward whenever something reads or writes it."""
    now = time.monotonic()
    with lock:
        for name, nodegroup in list(cluster.nodegroups.items()):
            state = state_of(nodegroup)
            if state.create_due is not None and now >= state.create_due:
                state.create_due = None
            for progress in progress_hooks:
                progress(nodegroup, now)
            for update in state.updates.values():
                if update.status == "InProgress" and now >= update.due:
                    _complete(nodegroup, update)
            if state.delete_due is not None:
                if now >= state.delete_due:
                    del cluster.nodegroups[name]
                    cluster.nodegroup_count -= 1
                    continue
                nodegroup.status = "DELETING"
            elif state.create_due is not None:
                nodegroup.status = "CREATING"
            elif state.in_progress() is not None:
                nodegroup.status = "UPDATING"
            else:
                nodegroup.status = "ACTIVE"


def ensure_updatable(cluster: Any, nodegroup: Any) -> None:
    state = state_of(nodegroup)
    busy = state.in_progress()
    if nodegroup.status != "ACTIVE" or busy is not None:
        detail = f" (update {busy.id} is {busy.status})" if busy is not None else ""
        raise in_use(
            f"Nodegroup cannot be updated as it is currently not in Active State: it is {nodegroup.status}{detail}. "
            "Wait for DescribeUpdate to report Successful or Failed, then retry.",
            cluster.name,
            nodegroup.nodegroup_name,
        )


def start_update(
    nodegroup: Any,
    kind: str,
    params: list[dict[str, str]],
    seconds: float,
    token: str | None,
    failure: ArmedFailure | None = None,
    on_success: Callable[[], None] | None = None,
) -> SandboxUpdate:
    from moto.core.utils import utcnow

    update = SandboxUpdate(
        id=str(uuid.uuid4()),
        type=kind,
        params=params,
        created_at=utcnow(),
        due=time.monotonic() + seconds,
        failure=failure,
        on_success=on_success,
    )
    state = state_of(nodegroup)
    state.updates[update.id] = update
    if token:
        state.tokens[(kind, token)] = update.id
    nodegroup.status = "UPDATING"
    if controls.update_moves_modified_at("start"):
        nodegroup.modified_at = update.created_at
    return update


def replayed(nodegroup: Any, kind: str, token: str | None) -> SandboxUpdate | None:
    if not token:
        return None
    state = state_of(nodegroup)
    update_id = state.tokens.get((kind, token))
    return state.updates.get(update_id) if update_id else None


# --- launch templates -----------------------------------------------------------------------


def resolve_launch_template(account_id: str, region: str, spec: dict[str, Any], cluster: str, nodegroup: str) -> tuple[Any, Any]:
    """The EC2 template and version an EKS launchTemplate {id|name, version?} points at."""
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[account_id][region]
    template_id, name, version = spec.get("id"), spec.get("name"), spec.get("version")
    if template_id and name:
        raise invalid("Specify either launchTemplate.id or launchTemplate.name, not both.", cluster, nodegroup)
    if not template_id and not name:
        raise invalid("launchTemplate needs an id or a name.", cluster, nodegroup)
    try:
        template = ec2.get_launch_template(template_id) if template_id else ec2.get_launch_template_by_name(name)
    except Exception:  # noqa: BLE001 - any EC2 lookup error means the template does not exist
        raise invalid(f"Launch template {template_id or name} does not exist.", cluster, nodegroup) from None
    try:
        resolved = template.get_version(version) if version else template.default_version()
    except Exception:  # noqa: BLE001
        raise invalid(
            f"Launch template {template.id} has no version {version}.", cluster, nodegroup
        ) from None
    return template, resolved


def is_custom_ami(nodegroup: Any) -> bool:
    return nodegroup.ami_type == "CUSTOM"


def version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in str(version).split("."))
    except ValueError:
        return (0,)
