"""Reads see the lifecycle where its timers say it is: DescribeNodegroup, ListNodegroups and
DeleteCluster settle the cluster's node groups before moto reads them.
"""

from __future__ import annotations

from typing import Any, Callable

from .lifecycle import (
    lock,
    settle,
)

def _settling(original: Callable[..., Any], cluster_arg: str) -> Callable[..., Any]:
    """Wraps a backend method so the named cluster is settled before moto reads it."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            name = kwargs.get(cluster_arg, args[0] if args else None)
            cluster = self.clusters.get(name)
            if cluster is not None:
                settle(cluster)
            return original(self, *args, **kwargs)

    return method


def install() -> None:
    from moto.eks.models import EKSBackend

    EKSBackend.describe_nodegroup = _settling(EKSBackend.describe_nodegroup, "cluster_name")  # type: ignore[method-assign]
    EKSBackend.list_nodegroups = _settling(EKSBackend.list_nodegroups, "cluster_name")  # type: ignore[method-assign]
    EKSBackend.delete_cluster = _settling(EKSBackend.delete_cluster, "name")  # type: ignore[method-assign]
