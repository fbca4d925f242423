"""CreateNodegroup: EKS's defaults and checks, and the optional CREATING phase.

AWS behaviour reproduced (EKS API reference, CreateNodegroup and Nodegroup): `version` defaults to
the cluster's Kubernetes version, the only accepted value, and must be left out for a custom AMI
(moto: "1.19", anything accepted); the launch template must exist and its version is resolved to
a number (default version when omitted); `instanceTypes` is not invented when the template names
an instance type (and both at once are refused), `diskSize` is not invented with a template,
`remoteAccess` never; for a CUSTOM AMI, `releaseVersion` is the AMI id; `updateConfig` is kept as
given (moto drops it). `clientRequestToken` replays return the same node group.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..control import controls
from .lifecycle import (
    cluster_named,
    invalid,
    release_version_for,
    resolve_launch_template,
    state_of,
    lock,
    settle,
)

def _wrap_create_nodegroup(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_nodegroup(self: Any, **kwargs: Any) -> Any:
        with lock:
            cluster_name, nodegroup_name = kwargs["cluster_name"], kwargs["nodegroup_name"]
            cluster = cluster_named(self, cluster_name)
            settle(cluster)
            token = kwargs.get("client_request_token")
            existing = cluster.nodegroups.get(nodegroup_name)
            if existing is not None and token and existing.client_request_token == token:
                return existing

            launch_template = kwargs.get("launch_template")
            image_id = None
            template_instance_type = None
            if launch_template:
                template, resolved = resolve_launch_template(
                    self.account_id, self.region_name, launch_template, cluster_name, nodegroup_name
                )
                kwargs["launch_template"] = {"name": template.name, "version": str(resolved.number), "id": template.id}
                image_id = resolved.image_id or None
                template_instance_type = resolved.instance_type or None
                if image_id and not kwargs.get("ami_type"):
                    # The API reference says to leave amiType out when the template names an image;
                    # EKS then reports the node group as CUSTOM (moto would invent AL2_x86_64).
                    kwargs["ami_type"] = "CUSTOM"
                if template_instance_type and kwargs.get("instance_types"):
                    raise invalid(
                        "The launch template sets InstanceType, so instanceTypes must not be given as well.",
                        cluster_name,
                        nodegroup_name,
                    )
            requested_version = kwargs.get("version")
            if requested_version:
                if requested_version != cluster.version:
                    raise invalid(
                        f"Node group version {requested_version} must be the cluster's version {cluster.version} "
                        "(or be left out).",
                        cluster_name,
                        nodegroup_name,
                    )
                if launch_template and image_id and kwargs.get("ami_type") == "CUSTOM":
                    raise invalid(
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
                nodegroup.release_version = image_id if custom else release_version_for(nodegroup.version)

            seconds = controls.duration("nodegroupCreateSeconds")
            if seconds > 0:
                state_of(nodegroup).create_due = time.monotonic() + seconds
                nodegroup.status = "CREATING"
            return nodegroup

    return create_nodegroup


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
    from moto.eks.models import EKSBackend
    from moto.eks.responses import EKSResponse

    EKSBackend.create_nodegroup = _wrap_create_nodegroup(EKSBackend.create_nodegroup)  # type: ignore[method-assign]
    EKSResponse.create_nodegroup = _response_create_nodegroup(EKSResponse.create_nodegroup)  # type: ignore[method-assign]
