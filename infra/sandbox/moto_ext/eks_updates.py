"""EKS managed node groups: updates with a rolling lifecycle, idempotency tokens and defaults.

AWS behaviour reproduced (EKS API reference):
  * UpdateNodegroupVersion / DescribeUpdate / ListUpdates exist (moto: no route, HTTP 404).
    An update is `InProgress` and the node group `UPDATING` for the roll duration, then the update
    is `Successful` (node group `ACTIVE` on the new launch template version / Kubernetes version)
    or `Failed` with `errors[] {errorCode, errorMessage, resourceIds}` (node group `ACTIVE` on the
    old version).
  * An UpdateNodegroupVersion / UpdateNodegroupConfig while the node group is not ACTIVE (an
    update in progress, creating, deleting) is `ResourceInUseException` (HTTP 409).
  * `clientRequestToken`: a retry with the same token returns the same node group / update
    instead of ResourceInUseException or a second update.
  * UpdateNodegroupConfig returns an `InProgress` update with AWS `UpdateParamType` names
    (LabelsToAdd, LabelsToRemove, TaintsToAdd, TaintsToRemove, MinSize, MaxSize, DesiredSize,
    MaxUnavailable, MaxUnavailablePercentage, UpdateStrategy, NodeRepairEnabled) that
    DescribeUpdate and ListUpdates find later (moto: `Successful`, repr() values, not stored).
  * CreateNodegroup: `version` defaults to the cluster's Kubernetes version, the only accepted
    value, and must be left out for a custom AMI (moto: "1.19", anything accepted); the launch
    template must exist and its version is resolved to a number (default version when omitted);
    `instanceTypes` is not invented when the template names an instance type (and both at once
    are refused), `diskSize` is not invented with a template, `remoteAccess` never; for a CUSTOM
    AMI, `releaseVersion` is the AMI id ("Nodegroup" in the API reference).
  * Optional CREATING / DELETING phases for CreateNodegroup / DeleteNodegroup.

The update `params` value encoding (scalars as strings, lists and maps as compact JSON) is the
sandbox's choice: AWS documents the param types but not how structured values are encoded.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from .control import ArmedFailure, controls

VERSION_UPDATE = "VersionUpdate"
CONFIG_UPDATE = "ConfigUpdate"

_lock = threading.RLock()

# Issue codes a failed roll also leaves in the node group's health (NodegroupIssueCode values).
HEALTH_ISSUE_CODES = {"NodeCreationFailure", "AsgInstanceLaunchFailures", "InsufficientFreeAddresses", "AccessDenied"}

DEFAULT_FAILURE_MESSAGES = {
    "PodEvictionFailure": "Reached max retries while trying to evict pods from nodes in node group {nodegroup}",
    "NodeCreationFailure": "Instances failed to join the kubernetes cluster",
    "AsgInstanceLaunchFailures": "The Auto Scaling group could not launch instances for node group {nodegroup}",
}


def _release_version(kubernetes_version: str) -> str:
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


def _state(nodegroup: Any) -> NodegroupState:
    state = getattr(nodegroup, "sandbox", None)
    if state is None:
        state = NodegroupState()
        nodegroup.sandbox = state
    return state


def _errors() -> Any:
    from moto.eks import exceptions

    return exceptions


def _not_found(message: str, cluster: str | None = None, nodegroup: str | None = None) -> Exception:
    return _errors().ResourceNotFoundException(
        clusterName=cluster, nodegroupName=nodegroup, fargateProfileName=None, addonName=None, message=message
    )


def _invalid(message: str, cluster: str | None = None, nodegroup: str | None = None) -> Exception:
    return _errors().InvalidParameterException(
        clusterName=cluster, nodegroupName=nodegroup, fargateProfileName=None, addonName=None, message=message
    )


def _in_use(message: str, cluster: str, nodegroup: str) -> Exception:
    return _errors().ResourceInUseException(clusterName=cluster, nodegroupName=nodegroup, addonName=None, message=message)


def _cluster(backend: Any, name: str) -> Any:
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise _not_found(f"No cluster found for name: {name}.", cluster=name)
    return cluster


def _nodegroup(cluster: Any, name: str) -> Any:
    nodegroup = cluster.nodegroups.get(name)
    if nodegroup is None:
        raise _not_found(f"No node group found for name: {name}.", cluster=cluster.name, nodegroup=name)
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
    nodegroup.modified_at = utcnow()


def settle(cluster: Any) -> None:
    """Advances every node group of `cluster` to where its timers say it is now. moto has no
    background work, so the lifecycle moves forward whenever something reads or writes it."""
    now = time.monotonic()
    with _lock:
        for name, nodegroup in list(cluster.nodegroups.items()):
            state = _state(nodegroup)
            if state.create_due is not None and now >= state.create_due:
                state.create_due = None
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


def _ensure_updatable(cluster: Any, nodegroup: Any) -> None:
    state = _state(nodegroup)
    busy = state.in_progress()
    if nodegroup.status != "ACTIVE" or busy is not None:
        detail = f" (update {busy.id} is {busy.status})" if busy is not None else ""
        raise _in_use(
            f"Nodegroup cannot be updated as it is currently not in Active State: it is {nodegroup.status}{detail}. "
            "Wait for DescribeUpdate to report Successful or Failed, then retry.",
            cluster.name,
            nodegroup.nodegroup_name,
        )


def _start_update(
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
    state = _state(nodegroup)
    state.updates[update.id] = update
    if token:
        state.tokens[(kind, token)] = update.id
    nodegroup.status = "UPDATING"
    return update


def _replayed(nodegroup: Any, kind: str, token: str | None) -> SandboxUpdate | None:
    if not token:
        return None
    state = _state(nodegroup)
    update_id = state.tokens.get((kind, token))
    return state.updates.get(update_id) if update_id else None


# --- launch templates -----------------------------------------------------------------------


def _resolve_launch_template(account_id: str, region: str, spec: dict[str, Any], cluster: str, nodegroup: str) -> tuple[Any, Any]:
    """The EC2 template and version an EKS launchTemplate {id|name, version?} points at."""
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[account_id][region]
    template_id, name, version = spec.get("id"), spec.get("name"), spec.get("version")
    if template_id and name:
        raise _invalid("Specify either launchTemplate.id or launchTemplate.name, not both.", cluster, nodegroup)
    if not template_id and not name:
        raise _invalid("launchTemplate needs an id or a name.", cluster, nodegroup)
    try:
        template = ec2.get_launch_template(template_id) if template_id else ec2.get_launch_template_by_name(name)
    except Exception:  # noqa: BLE001 - any EC2 lookup error means the template does not exist
        raise _invalid(f"Launch template {template_id or name} does not exist.", cluster, nodegroup) from None
    try:
        resolved = template.get_version(version) if version else template.default_version()
    except Exception:  # noqa: BLE001
        raise _invalid(
            f"Launch template {template.id} has no version {version}.", cluster, nodegroup
        ) from None
    return template, resolved


def _is_custom_ami(nodegroup: Any) -> bool:
    return nodegroup.ami_type == "CUSTOM"


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in str(version).split("."))
    except ValueError:
        return (0,)


# --- backend operations ---------------------------------------------------------------------


def update_nodegroup_version(
    backend: Any,
    cluster_name: str,
    nodegroup_name: str,
    launch_template: dict[str, Any] | None,
    version: str | None,
    release_version: str | None,
    force: bool,
    client_request_token: str | None,
) -> SandboxUpdate:
    with _lock:
        cluster = _cluster(backend, cluster_name)
        settle(cluster)
        nodegroup = _nodegroup(cluster, nodegroup_name)
        replay = _replayed(nodegroup, VERSION_UPDATE, client_request_token)
        if replay is not None:
            return replay
        _ensure_updatable(cluster, nodegroup)

        params: list[dict[str, str]] = []
        new_lt_version: str | None = None
        new_image_id: str | None = None
        if launch_template:
            current = nodegroup.launch_template
            if not current:
                raise _invalid(
                    "The node group was not created with a launch template, so it cannot be updated with one.",
                    cluster_name,
                    nodegroup_name,
                )
            if (launch_template.get("id") and launch_template["id"] != current.get("id")) or (
                launch_template.get("name") and launch_template["name"] != current.get("name")
            ):
                raise _invalid(
                    f"The launch template must be the one the node group was created with "
                    f"(id {current.get('id')}, name {current.get('name')}); only its version can change.",
                    cluster_name,
                    nodegroup_name,
                )
            if version and _is_custom_ami(nodegroup):
                raise _invalid(
                    "Do not specify version when the launch template uses a custom AMI; put the new AMI in a new "
                    "launch template version instead.",
                    cluster_name,
                    nodegroup_name,
                )
            template, resolved = _resolve_launch_template(
                backend.account_id, backend.region_name, launch_template, cluster_name, nodegroup_name
            )
            new_lt_version = str(resolved.number)
            new_image_id = resolved.image_id or None
            params += [
                {"type": "LaunchTemplateName", "value": template.name},
                {"type": "LaunchTemplateVersion", "value": new_lt_version},
            ]
        elif nodegroup.launch_template and _is_custom_ami(nodegroup):
            raise _invalid(
                "This node group runs a custom AMI from its launch template; update it with a new launch template "
                "version (launchTemplate) instead of a Kubernetes or release version.",
                cluster_name,
                nodegroup_name,
            )

        if version:
            if _version_tuple(version) > _version_tuple(cluster.version):
                raise _invalid(
                    f"Requested Kubernetes version {version} is newer than the cluster's {cluster.version}.",
                    cluster_name,
                    nodegroup_name,
                )
            if _version_tuple(version) < _version_tuple(nodegroup.version):
                raise _invalid(
                    f"A node group cannot be rolled back from Kubernetes {nodegroup.version} to {version}.",
                    cluster_name,
                    nodegroup_name,
                )
            params.append({"type": "Version", "value": version})
        if release_version:
            params.append({"type": "ReleaseVersion", "value": release_version})
        if not launch_template and not version and not release_version:
            params += [
                {"type": "Version", "value": nodegroup.version},
                {"type": "ReleaseVersion", "value": _release_version(nodegroup.version)},
            ]

        failure = controls.take_armed_failure(cluster_name, nodegroup_name)
        if failure is not None and failure.error_code == "PodEvictionFailure" and force:
            # `force` is documented to push through pod disruption budget eviction failures.
            failure = None

        def on_success() -> None:
            if new_lt_version is not None:
                nodegroup.launch_template = {**nodegroup.launch_template, "version": new_lt_version}
            if version:
                nodegroup.version = version
            if _is_custom_ami(nodegroup) and new_image_id:
                nodegroup.release_version = new_image_id
            elif release_version:
                nodegroup.release_version = release_version
            elif not launch_template:
                nodegroup.release_version = _release_version(nodegroup.version)

        return _start_update(
            nodegroup,
            VERSION_UPDATE,
            params,
            controls.duration("rollSeconds"),
            client_request_token,
            failure=failure,
            on_success=on_success,
        )


def _config_params(
    labels: dict[str, Any] | None,
    taints: dict[str, Any] | None,
    scaling: dict[str, Any] | None,
    update_config: dict[str, Any] | None,
    node_repair: dict[str, Any] | None,
) -> list[dict[str, str]]:
    def compact(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    params: list[dict[str, str]] = []
    labels, taints = labels or {}, taints or {}
    if labels.get("addOrUpdateLabels"):
        params.append({"type": "LabelsToAdd", "value": compact(labels["addOrUpdateLabels"])})
    if labels.get("removeLabels"):
        params.append({"type": "LabelsToRemove", "value": compact(labels["removeLabels"])})
    if taints.get("addOrUpdateTaints"):
        params.append({"type": "TaintsToAdd", "value": compact(taints["addOrUpdateTaints"])})
    if taints.get("removeTaints"):
        params.append({"type": "TaintsToRemove", "value": compact(taints["removeTaints"])})
    for key, kind in (("minSize", "MinSize"), ("maxSize", "MaxSize"), ("desiredSize", "DesiredSize")):
        if scaling and scaling.get(key) is not None:
            params.append({"type": kind, "value": str(scaling[key])})
    for key, kind in (
        ("maxUnavailable", "MaxUnavailable"),
        ("maxUnavailablePercentage", "MaxUnavailablePercentage"),
        ("updateStrategy", "UpdateStrategy"),
    ):
        if update_config and update_config.get(key) is not None:
            params.append({"type": kind, "value": str(update_config[key])})
    if node_repair and node_repair.get("enabled") is not None:
        params.append({"type": "NodeRepairEnabled", "value": str(bool(node_repair["enabled"])).lower()})
    return params


def _validate_scaling(current: dict[str, Any], change: dict[str, Any] | None, cluster: str, nodegroup: str) -> None:
    if not change:
        return
    merged = {**current, **{k: v for k, v in change.items() if v is not None}}
    low, desired, high = merged.get("minSize", 0), merged.get("desiredSize", 0), merged.get("maxSize", 1)
    if low < 0 or high < 1 or not (low <= desired <= high):
        raise _invalid(
            f"scalingConfig must satisfy 0 <= minSize <= desiredSize <= maxSize and maxSize >= 1; "
            f"after this update it would be minSize={low}, desiredSize={desired}, maxSize={high}.",
            cluster,
            nodegroup,
        )


def _wrap_update_nodegroup_config(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_nodegroup_config(self: Any, cluster_name: str, nodegroup_name: str, **kwargs: Any) -> dict[str, Any]:
        with _lock:
            cluster = _cluster(self, cluster_name)
            settle(cluster)
            nodegroup = _nodegroup(cluster, nodegroup_name)
            token = kwargs.get("client_request_token")
            replay = _replayed(nodegroup, CONFIG_UPDATE, token)
            if replay is not None:
                return replay.to_api()
            _ensure_updatable(cluster, nodegroup)
            _validate_scaling(nodegroup.scaling_config, kwargs.get("scaling_config"), cluster_name, nodegroup_name)
            original(self, cluster_name=cluster_name, nodegroup_name=nodegroup_name, **kwargs)
            params = _config_params(
                kwargs.get("labels"),
                kwargs.get("taints"),
                kwargs.get("scaling_config"),
                kwargs.get("update_config"),
                kwargs.get("node_repair_config"),
            )
            update = _start_update(nodegroup, CONFIG_UPDATE, params, controls.duration("configUpdateSeconds"), token)
            return update.to_api()

    return update_nodegroup_config


def _wrap_create_nodegroup(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_nodegroup(self: Any, **kwargs: Any) -> Any:
        with _lock:
            cluster_name, nodegroup_name = kwargs["cluster_name"], kwargs["nodegroup_name"]
            cluster = _cluster(self, cluster_name)
            settle(cluster)
            token = kwargs.get("client_request_token")
            existing = cluster.nodegroups.get(nodegroup_name)
            if existing is not None and token and existing.client_request_token == token:
                return existing

            launch_template = kwargs.get("launch_template")
            image_id = None
            template_instance_type = None
            if launch_template:
                template, resolved = _resolve_launch_template(
                    self.account_id, self.region_name, launch_template, cluster_name, nodegroup_name
                )
                kwargs["launch_template"] = {"name": template.name, "version": str(resolved.number), "id": template.id}
                image_id = resolved.image_id or None
                template_instance_type = resolved.instance_type or None
                if template_instance_type and kwargs.get("instance_types"):
                    raise _invalid(
                        "The launch template sets InstanceType, so instanceTypes must not be given as well.",
                        cluster_name,
                        nodegroup_name,
                    )
            requested_version = kwargs.get("version")
            if requested_version:
                if requested_version != cluster.version:
                    raise _invalid(
                        f"Node group version {requested_version} must be the cluster's version {cluster.version} "
                        "(or be left out).",
                        cluster_name,
                        nodegroup_name,
                    )
                if launch_template and image_id and kwargs.get("ami_type") == "CUSTOM":
                    raise _invalid(
                        "Do not specify version when the launch template uses a custom AMI.",
                        cluster_name,
                        nodegroup_name,
                    )
            else:
                kwargs["version"] = cluster.version
            nodegroup = original(self, **kwargs)

            # moto shares its default dicts between node groups and invents fields AWS leaves empty.
            nodegroup.scaling_config = dict(nodegroup.scaling_config)
            nodegroup.health = {"issues": []}
            if not kwargs.get("remote_access"):
                nodegroup.remote_access = None
            if launch_template:
                # EKS falls back to t3.medium only when neither the template nor the request names a type.
                if template_instance_type:
                    nodegroup.instance_types = None
                if not kwargs.get("disk_size"):
                    nodegroup.disk_size = None
            if nodegroup.update_config is None:
                nodegroup.update_config = {"maxUnavailable": 1}
            if not kwargs.get("release_version"):
                custom = kwargs.get("ami_type") == "CUSTOM" and image_id
                nodegroup.release_version = image_id if custom else _release_version(nodegroup.version)

            seconds = controls.duration("nodegroupCreateSeconds")
            if seconds > 0:
                _state(nodegroup).create_due = time.monotonic() + seconds
                nodegroup.status = "CREATING"
            return nodegroup

    return create_nodegroup


def _wrap_delete_nodegroup(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_nodegroup(self: Any, cluster_name: str, nodegroup_name: str) -> Any:
        with _lock:
            cluster = _cluster(self, cluster_name)
            settle(cluster)
            seconds = controls.duration("nodegroupDeleteSeconds")
            if seconds <= 0:
                return original(self, cluster_name=cluster_name, nodegroup_name=nodegroup_name)
            nodegroup = _nodegroup(cluster, nodegroup_name)
            state = _state(nodegroup)
            if state.delete_due is None:
                state.delete_due = time.monotonic() + seconds
            nodegroup.status = "DELETING"
            return nodegroup

    return delete_nodegroup


def _settling(original: Callable[..., Any], cluster_arg: str) -> Callable[..., Any]:
    """Wraps a backend method so the named cluster is settled before moto reads it."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            name = kwargs.get(cluster_arg, args[0] if args else None)
            cluster = self.clusters.get(name)
            if cluster is not None:
                settle(cluster)
            return original(self, *args, **kwargs)

    return method


# --- HTTP layer -----------------------------------------------------------------------------


def _response_update_nodegroup_version(self: Any) -> Any:
    from moto.core.responses import ActionResult

    update = update_nodegroup_version(
        self.eks_backend,
        cluster_name=self._get_param("name"),
        nodegroup_name=self._get_param("nodegroupName"),
        launch_template=self._get_param("launchTemplate"),
        version=self._get_param("version"),
        release_version=self._get_param("releaseVersion"),
        force=bool(self._get_param("force")),
        client_request_token=self._get_param("clientRequestToken"),
    )
    return ActionResult({"update": update.to_api()})


def _response_describe_update(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cluster_name = self._get_param("name")
    update_id = self._get_param("updateId")
    nodegroup_name = self._get_param("nodegroupName")
    with _lock:
        cluster = _cluster(self.eks_backend, cluster_name)
        settle(cluster)
        update = None
        if nodegroup_name:
            update = _state(_nodegroup(cluster, nodegroup_name)).updates.get(update_id)
        if update is None:
            hint = "" if nodegroup_name else " (node group updates need the nodegroupName parameter)"
            raise _not_found(f"No update found for ID: {update_id}{hint}", cluster=cluster_name, nodegroup=nodegroup_name)
        return ActionResult({"update": update.to_api()})


# ListUpdates without maxResults: AWS returns 100 ids and a nextToken; the sandbox returns pages of
# this size so that a caller that does not follow nextToken fails its tests instead of production
# (where a long-lived node group accumulates more than 100 updates). maxResults is honoured as given.
LIST_UPDATES_DEFAULT_PAGE_SIZE = 2


def list_updates_order(ids_oldest_first: list[str]) -> list[str]:
    """The order ListUpdates returns update ids in. AWS documents none, so callers must not rely
    on one: the sandbox puts the newest update in the middle and the others newest to oldest
    around it, which breaks both "newest last" and (from three updates on) "newest first"."""
    if not ids_oldest_first:
        return []
    *older, newest = ids_oldest_first
    others = list(reversed(older))
    middle = (len(ids_oldest_first) - 1) // 2
    return others[:middle] + [newest] + others[middle:]


def _response_list_updates(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cluster_name = self._get_param("name")
    nodegroup_name = self._get_param("nodegroupName")
    max_results = self._get_param("maxResults")
    next_token = self._get_param("nextToken")
    with _lock:
        cluster = _cluster(self.eks_backend, cluster_name)
        settle(cluster)
        ids: list[str] = []
        if nodegroup_name:
            ids = list_updates_order(list(_state(_nodegroup(cluster, nodegroup_name)).updates))
        start = 0
        if next_token:
            if not str(next_token).isdigit() or int(next_token) > len(ids):
                raise _invalid(f"The nextToken {next_token} is not valid.", cluster_name, nodegroup_name)
            start = int(next_token)
        page_size = int(max_results) if max_results else LIST_UPDATES_DEFAULT_PAGE_SIZE
        page = ids[start : start + page_size]
        following = start + page_size
        result: dict[str, Any] = {"updateIds": page}
        if following < len(ids):
            result["nextToken"] = str(following)
        return ActionResult(result)


def _response_create_nodegroup(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateNodegroup keeps the request's updateConfig (moto drops it and reports maxUnavailable 1)."""

    def create_nodegroup(self: Any) -> Any:
        result = original(self)
        update_config = self._get_param("updateConfig")
        if update_config:
            cluster = self.eks_backend.clusters[self._get_param("name")]
            cluster.nodegroups[self._get_param("nodegroupName")].update_config = dict(update_config)
        return result

    return create_nodegroup


def install() -> None:
    from moto.eks import urls
    from moto.eks.models import EKSBackend
    from moto.eks.responses import EKSResponse

    # moto builds each service's Flask routes from this dict on the service's first request.
    urls.url_paths.update(
        {
            "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$": urls.response.dispatch,
            "{0}/clusters/(?P<name>[^/]+)/updates$": urls.response.dispatch,
            "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$": urls.response.dispatch,
        }
    )
    EKSResponse.update_nodegroup_version = _response_update_nodegroup_version  # type: ignore[attr-defined]
    EKSResponse.describe_update = _response_describe_update  # type: ignore[attr-defined]
    EKSResponse.list_updates = _response_list_updates  # type: ignore[attr-defined]
    EKSResponse.create_nodegroup = _response_create_nodegroup(EKSResponse.create_nodegroup)  # type: ignore[method-assign]

    EKSBackend.update_nodegroup_config = _wrap_update_nodegroup_config(EKSBackend.update_nodegroup_config)  # type: ignore[method-assign]
    EKSBackend.create_nodegroup = _wrap_create_nodegroup(EKSBackend.create_nodegroup)  # type: ignore[method-assign]
    EKSBackend.delete_nodegroup = _wrap_delete_nodegroup(EKSBackend.delete_nodegroup)  # type: ignore[method-assign]
    EKSBackend.describe_nodegroup = _settling(EKSBackend.describe_nodegroup, "cluster_name")  # type: ignore[method-assign]
    EKSBackend.list_nodegroups = _settling(EKSBackend.list_nodegroups, "cluster_name")  # type: ignore[method-assign]
    EKSBackend.delete_cluster = _settling(EKSBackend.delete_cluster, "name")  # type: ignore[method-assign]
