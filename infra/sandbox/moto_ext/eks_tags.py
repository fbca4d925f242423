"""EKS TagResource / UntagResource / ListTagsForResource on node groups, not only clusters.

AWS behaviour reproduced (EKS API reference, TagResource: "Associates the specified tags to an
Amazon EKS resource with the specified resourceArn", clusters and managed node groups alike).
moto tags clusters only and answers a node group ARN with ResourceNotFoundException. An unknown
ARN stays moto's ResourceNotFoundException (AWS: NotFoundException).
"""

from __future__ import annotations

from typing import Any, Callable


def _tagged(backend: Any, resource_arn: str) -> Any | None:
    for cluster in backend.clusters.values():
        if cluster.arn == resource_arn:
            return cluster
        for nodegroup in cluster.nodegroups.values():
            if nodegroup.arn == resource_arn:
                return nodegroup
    return None


def _on_nodegroups(original: Callable[..., Any], apply: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def method(self: Any, resource_arn: str, *args: Any) -> Any:
        resource = _tagged(self, resource_arn)
        if resource is None or resource in self.clusters.values():
            return original(self, resource_arn, *args)
        return apply(resource, *args)

    return method


def _remove(resource: Any, keys: Any) -> None:
    for key in keys if isinstance(keys, list) else [keys]:
        resource.tags.pop(key, None)


def install() -> None:
    from moto.eks.models import EKSBackend

    EKSBackend.tag_resource = _on_nodegroups(EKSBackend.tag_resource, lambda r, tags: r.tags.update(tags))  # type: ignore[method-assign]
    EKSBackend.untag_resource = _on_nodegroups(EKSBackend.untag_resource, _remove)  # type: ignore[method-assign]
    EKSBackend.list_tags_for_resource = _on_nodegroups(EKSBackend.list_tags_for_resource, lambda r: r.tags)  # type: ignore[method-assign]
