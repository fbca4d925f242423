"""DeleteNodegroup with an optional DELETING phase (`Nodegroup.status` DELETING before it disappears).
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..control import controls
from .lifecycle import (
    cluster_named,
    nodegroup_named,
    state_of,
    lock,
    settle,
)

def _wrap_delete_nodegroup(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_nodegroup(self: Any, cluster_name: str, nodegroup_name: str) -> Any:
        with lock:
            cluster = cluster_named(self, cluster_name)
            settle(cluster)
            seconds = controls.duration("nodegroupDeleteSeconds")
            if seconds <= 0:
                return original(self, cluster_name=cluster_name, nodegroup_name=nodegroup_name)
            nodegroup = nodegroup_named(cluster, nodegroup_name)
            state = state_of(nodegroup)
            if state.delete_due is None:
                state.delete_due = time.monotonic() + seconds
            nodegroup.status = "DELETING"
            return nodegroup

    return delete_nodegroup


def install() -> None:
    from moto.eks.models import EKSBackend

    EKSBackend.delete_nodegroup = _wrap_delete_nodegroup(EKSBackend.delete_nodegroup)  # type: ignore[method-assign]
