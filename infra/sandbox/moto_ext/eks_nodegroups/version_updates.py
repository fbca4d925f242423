"""UpdateNodegroupVersion, DescribeUpdate and ListUpdates (moto: no route, HTTP 404).

AWS behaviour reproduced (EKS API reference): an update is `InProgress` and the node group
`UPDATING` for the roll duration, then the update is `Successful` (node group `ACTIVE` on the new
launch template version / Kubernetes version) or `Failed` with `errors[] {errorCode, errorMessage,
resourceIds}` (node group `ACTIVE` on the old version); only the node group's own launch template;
`clientRequestToken` replays; `force` pushes through pod eviction failures. ListUpdates pages and
orders its ids so callers cannot rely on an order AWS does not document.
"""

from __future__ import annotations

from typing import Any

from ..control import controls
from .lifecycle import (
    VERSION_UPDATE,
    SandboxUpdate,
    cluster_named,
    ensure_updatable,
    invalid,
    is_custom_ami,
    nodegroup_named,
    not_found,
    release_version_for,
    replayed,
    resolve_launch_template,
    roll_start_hooks,
    start_update,
    state_of,
    version_tuple,
    lock,
    settle,
)

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
    with lock:
        cluster = cluster_named(backend, cluster_name)
        settle(cluster)
        nodegroup = nodegroup_named(cluster, nodegroup_name)
        replay = replayed(nodegroup, VERSION_UPDATE, client_request_token)
        if replay is not None:
            return replay
        ensure_updatable(cluster, nodegroup)

        params: list[dict[str, str]] = []
        new_lt_version: str | None = None
        new_image_id: str | None = None
        if launch_template:
            current = nodegroup.launch_template
            if not current:
                raise invalid(
                    "The node group was not created with a launch template, so it cannot be updated with one.",
                    cluster_name,
                    nodegroup_name,
                )
            if (launch_template.get("id") and launch_template["id"] != current.get("id")) or (
                launch_template.get("name") and launch_template["name"] != current.get("name")
            ):
                raise invalid(
                    f"The launch template must be the one the node group was created with "
                    f"(id {current.get('id')}, name {current.get('name')}); only its version can change.",
                    cluster_name,
                    nodegroup_name,
                )
            if version and is_custom_ami(nodegroup):
                raise invalid(
                    "Do not specify version when the launch template uses a custom AMI; put the new AMI in a new "
                    "launch template version instead.",
                    cluster_name,
                    nodegroup_name,
                )
            template, resolved = resolve_launch_template(
                backend.account_id, backend.region_name, launch_template, cluster_name, nodegroup_name
            )
            new_lt_version = str(resolved.number)
            new_image_id = resolved.image_id or None
            params += [
                {"type": "LaunchTemplateName", "value": template.name},
                {"type": "LaunchTemplateVersion", "value": new_lt_version},
            ]
        elif nodegroup.launch_template and is_custom_ami(nodegroup):
            raise invalid(
                "This node group runs a custom AMI from its launch template; update it with a new launch template "
                "version (launchTemplate) instead of a Kubernetes or release version.",
                cluster_name,
                nodegroup_name,
            )

        if version:
            if version_tuple(version) > version_tuple(cluster.version):
                raise invalid(
                    f"Requested Kubernetes version {version} is newer than the cluster's {cluster.version}.",
                    cluster_name,
                    nodegroup_name,
                )
            if version_tuple(version) < version_tuple(nodegroup.version):
                raise invalid(
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
                {"type": "ReleaseVersion", "value": release_version_for(nodegroup.version)},
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
            if is_custom_ami(nodegroup) and new_image_id:
                nodegroup.release_version = new_image_id
            elif release_version:
                nodegroup.release_version = release_version
            elif not launch_template:
                nodegroup.release_version = release_version_for(nodegroup.version)

        seconds = controls.duration("rollSeconds")
        update = start_update(
            nodegroup,
            VERSION_UPDATE,
            params,
            seconds,
            client_request_token,
            failure=failure,
            on_success=on_success,
        )
        target = new_lt_version or str((nodegroup.launch_template or {}).get("version", ""))
        for hook in roll_start_hooks:
            hook(nodegroup, update, target, seconds)
        return update


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
    with lock:
        cluster = cluster_named(self.eks_backend, cluster_name)
        settle(cluster)
        update = None
        if nodegroup_name:
            update = state_of(nodegroup_named(cluster, nodegroup_name)).updates.get(update_id)
        if update is None:
            hint = "" if nodegroup_name else " (node group updates need the nodegroupName parameter)"
            raise not_found(f"No update found for ID: {update_id}{hint}", cluster=cluster_name, nodegroup=nodegroup_name)
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
    with lock:
        cluster = cluster_named(self.eks_backend, cluster_name)
        settle(cluster)
        ids: list[str] = []
        if nodegroup_name:
            ids = list_updates_order(list(state_of(nodegroup_named(cluster, nodegroup_name)).updates))
        start = 0
        if next_token:
            if not str(next_token).isdigit() or int(next_token) > len(ids):
                raise invalid(f"The nextToken {next_token} is not valid.", cluster_name, nodegroup_name)
            start = int(next_token)
        page_size = int(max_results) if max_results else LIST_UPDATES_DEFAULT_PAGE_SIZE
        page = ids[start : start + page_size]
        following = start + page_size
        result: dict[str, Any] = {"updateIds": page}
        if following < len(ids):
            result["nextToken"] = str(following)
        return ActionResult(result)


def install() -> None:
    from moto.eks import urls
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
