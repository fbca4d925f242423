"""UpdateNodegroupConfig as a real, stored update (moto: `Successful`, repr() values, not stored).

AWS behaviour reproduced (EKS API reference): the call returns an `InProgress` update with
`UpdateParamType` names (LabelsToAdd, LabelsToRemove, TaintsToAdd, TaintsToRemove, MinSize,
MaxSize, DesiredSize, MaxUnavailable, MaxUnavailablePercentage, UpdateStrategy,
NodeRepairEnabled) that DescribeUpdate and ListUpdates find later; `ResourceInUseException` while
the node group is not ACTIVE; `clientRequestToken` replays; minSize <= desiredSize <= maxSize.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from ..control import controls
from .lifecycle import (
    CONFIG_UPDATE,
    cluster_named,
    ensure_updatable,
    invalid,
    nodegroup_named,
    replayed,
    start_update,
    lock,
    settle,
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
        raise invalid(
            f"scalingConfig must satisfy 0 <= minSize <= desiredSize <= maxSize and maxSize >= 1; "
            f"after this update it would be minSize={low}, desiredSize={desired}, maxSize={high}.",
            cluster,
            nodegroup,
        )


def _wrap_update_nodegroup_config(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_nodegroup_config(self: Any, cluster_name: str, nodegroup_name: str, **kwargs: Any) -> dict[str, Any]:
        with lock:
            cluster = cluster_named(self, cluster_name)
            settle(cluster)
            nodegroup = nodegroup_named(cluster, nodegroup_name)
            token = kwargs.get("client_request_token")
            replay = replayed(nodegroup, CONFIG_UPDATE, token)
            if replay is not None:
                return replay.to_api()
            ensure_updatable(cluster, nodegroup)
            _validate_scaling(nodegroup.scaling_config, kwargs.get("scaling_config"), cluster_name, nodegroup_name)
            original(self, cluster_name=cluster_name, nodegroup_name=nodegroup_name, **kwargs)
            params = _config_params(
                kwargs.get("labels"),
                kwargs.get("taints"),
                kwargs.get("scaling_config"),
                kwargs.get("update_config"),
                kwargs.get("node_repair_config"),
            )
            update = start_update(nodegroup, CONFIG_UPDATE, params, controls.duration("configUpdateSeconds"), token)
            return update.to_api()

    return update_nodegroup_config


def install() -> None:
    from moto.eks.models import EKSBackend

    EKSBackend.update_nodegroup_config = _wrap_update_nodegroup_config(EKSBackend.update_nodegroup_config)  # type: ignore[method-assign]
