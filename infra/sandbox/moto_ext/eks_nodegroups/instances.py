"""Node groups backed by real sandbox instances and an Auto Scaling group.

AWS behaviour reproduced (EKS user guide, "Managed node groups" and "Managed node update
behavior"; EKS API reference `Nodegroup.resources.autoScalingGroups`):
  * a node group on a launch template owns an EC2 Auto Scaling group (the one EKS reports in
    `resources.autoScalingGroups`) whose desired capacity is the node group's desiredSize, with one
    moto EC2 instance per node, launched from the node group's launch template version (its image,
    instance type, user data, tags and EnclaveOptions), tagged `eks:cluster-name`,
    `eks:nodegroup-name` and `aws:autoscaling:groupName`;
  * a version update replaces the instances batch by batch, at most `maxUnavailable` (or
    `maxUnavailablePercentage` of desiredSize, at least one) at a time, spread over the roll's
    duration; a failed update stops half way, leaving the rest on the old version;
  * a scaling change adds or removes instances; deleting the node group terminates them and
    deletes the group.

Sandbox-only controls (control API): ``POST /_sandbox/advance-roll`` replaces the next batch of a
node group's roll at once, and once all are replaced ends the update (deterministic tests), ``POST /_sandbox/launch-without-enclaves`` makes
the next N instances start without Nitro Enclaves whatever the template says.

Node groups without a launch template get no instances (EKS would launch its own AMI).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..control import ControlRequestError, ROUTES, controls
from . import lifecycle
from .lifecycle import SandboxUpdate, lock

EKS_TAGS = ("eks:cluster-name", "eks:nodegroup-name")


@dataclass
class Roll:
    update: SandboxUpdate
    target_version: str
    started: float
    seconds: float
    batch_size: int
    pending: list[str]  # ids of instances still on the old version, replaced in this order
    batches_total: int
    batches_done: int = 0
    advanced: int = 0  # batches pushed by the control API ahead of the clock


@dataclass
class Fleet:
    asg_name: str
    template_id: str
    version: str
    subnets: list[str]
    roll: Roll | None = None
    launched: int = field(default=0)


def fleet_of(nodegroup: Any) -> Fleet | None:
    return getattr(nodegroup, "sandbox_fleet", None)


def _backends(nodegroup: Any) -> tuple[Any, Any]:
    from moto.autoscaling.models import autoscaling_backends
    from moto.ec2.models import ec2_backends

    # arn:<partition>:eks:<region>:<account>:nodegroup/<cluster>/<name>/<uuid>
    _, _, _, region, account, _ = nodegroup.arn.split(":", 5)
    return ec2_backends[account][region], autoscaling_backends[account][region]


def _group(nodegroup: Any, fleet: Fleet) -> Any:
    return _backends(nodegroup)[1].autoscaling_groups[fleet.asg_name]


def _instance_state(instance: Any, group: Any, version: str) -> Any:
    """moto reports every group member on the template's default version; EKS nodes run the
    version they were launched from (DescribeAutoScalingGroups Instances[].LaunchTemplate)."""
    from moto.autoscaling.models import InstanceState

    class FleetInstanceState(InstanceState):
        @property
        def launch_template(self) -> dict[str, Any] | None:
            template = super().launch_template
            return {**template, "Version": version} if template else None

    return FleetInstanceState(instance, autoscaling_group=group)


def _point_group_at(nodegroup: Any, fleet: Fleet, version: str) -> None:
    """The group's own launch template version (what new instances start from)."""
    group = _group(nodegroup, fleet)
    group.launch_template_version = version
    group.provided_launch_template_version = version


def _launch(nodegroup: Any, fleet: Fleet, count: int, version: str) -> list[Any]:
    if count <= 0:
        return []
    ec2, _ = _backends(nodegroup)
    group = _group(nodegroup, fleet)
    template = ec2.get_launch_template(fleet.template_id)
    data = template.get_version(version).data
    enclaves = bool((data.get("EnclaveOptions") or {}).get("Enabled"))
    launched = []
    for _ in range(count):
        subnet = fleet.subnets[fleet.launched % len(fleet.subnets)] if fleet.subnets else None
        fleet.launched += 1
        reservation = ec2.run_instances(
            None,
            1,
            None,
            [],
            launch_template={"LaunchTemplateId": fleet.template_id, "Version": version},
            instance_type=(nodegroup.instance_types or ["t3.medium"])[0],
            is_instance_type_default=True,
            subnet_id=subnet,
            tags={},
        )
        for instance in reservation.instances:
            # Set directly: moto counts its own `aws:ec2launchtemplate:*` tags against the 50-tag
            # limit (EC2 does not count `aws:` tags), and the eks.lt.instance-tags rule already
            # keeps the template's tags plus these two within 50.
            ec2.tags[instance.id].update(
                {
                    "eks:cluster-name": nodegroup.cluster_name,
                    "eks:nodegroup-name": nodegroup.nodegroup_name,
                    "aws:autoscaling:groupName": fleet.asg_name,
                }
            )
            # moto does not model EnclaveOptions; its serializer emits the attribute as is.
            instance.enclave_options = {"Enabled": enclaves and not controls.take_launch_without_enclaves()}
            instance.autoscaling_group = group
            group.instance_states.append(_instance_state(instance, group, version))
            launched.append(instance)
    return launched


def _terminate(nodegroup: Any, fleet: Fleet, instance_ids: list[str]) -> None:
    if not instance_ids:
        return
    ec2, _ = _backends(nodegroup)
    group = _group(nodegroup, fleet)
    group.instance_states = [s for s in group.instance_states if s.instance.id not in set(instance_ids)]
    ec2.terminate_instances(instance_ids)


def _running_ids(nodegroup: Any, fleet: Fleet) -> list[str]:
    return [s.instance.id for s in _group(nodegroup, fleet).instance_states]


def _sync_size(nodegroup: Any, fleet: Fleet) -> None:
    scaling = nodegroup.scaling_config or {}
    group = _group(nodegroup, fleet)
    group.min_size = scaling.get("minSize", 0)
    group.max_size = scaling.get("maxSize", 1)
    group.desired_capacity = scaling.get("desiredSize", 0)
    running = _running_ids(nodegroup, fleet)
    missing = group.desired_capacity - len(running)
    if missing > 0:
        _launch(nodegroup, fleet, missing, fleet.version)
    elif missing < 0:
        _terminate(nodegroup, fleet, running[: -missing])


def create_fleet(nodegroup: Any) -> None:
    template = nodegroup.launch_template or {}
    if not template.get("id"):
        return
    _, autoscaling = _backends(nodegroup)
    name = nodegroup.resources["autoScalingGroups"][0]["name"]
    subnets = list(nodegroup.subnets or [])
    autoscaling.create_auto_scaling_group(
        name=name,
        availability_zones=[],
        desired_capacity=0,
        max_size=(nodegroup.scaling_config or {}).get("maxSize", 1),
        min_size=0,
        launch_config_name=None,
        launch_template={"LaunchTemplateId": template["id"], "Version": str(template["version"])},
        vpc_zone_identifier=",".join(subnets),
        default_cooldown=None,
        health_check_period=None,
        health_check_type="EC2",
        load_balancers=[],
        target_group_arns=[],
        placement_group=None,
        termination_policies=[],
        tags=[
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": key,
                "Value": value,
                "PropagateAtLaunch": True,
            }
            for key, value in zip(EKS_TAGS, (nodegroup.cluster_name, nodegroup.nodegroup_name))
        ],
    )
    fleet = Fleet(name, template["id"], str(template["version"]), subnets)
    nodegroup.sandbox_fleet = fleet
    _sync_size(nodegroup, fleet)


def delete_fleet(nodegroup: Any) -> None:
    fleet = fleet_of(nodegroup)
    if fleet is None:
        return
    _terminate(nodegroup, fleet, _running_ids(nodegroup, fleet))
    _backends(nodegroup)[1].autoscaling_groups.pop(fleet.asg_name, None)
    nodegroup.sandbox_fleet = None


def _batch_size(nodegroup: Any) -> int:
    config = nodegroup.update_config or {}
    desired = (nodegroup.scaling_config or {}).get("desiredSize", 1) or 1
    if config.get("maxUnavailable"):
        return max(1, int(config["maxUnavailable"]))
    if config.get("maxUnavailablePercentage"):
        return max(1, math.floor(desired * int(config["maxUnavailablePercentage"]) / 100))
    return 1


def start_roll(nodegroup: Any, update: SandboxUpdate, target_version: str, seconds: float) -> None:
    fleet = fleet_of(nodegroup)
    if fleet is None:
        return
    pending = _running_ids(nodegroup, fleet)
    size = _batch_size(nodegroup)
    # EKS points the group at the new version when the update starts (update behaviour, step 1).
    _point_group_at(nodegroup, fleet, target_version)
    fleet.roll = Roll(update, target_version, time.monotonic(), seconds, size, pending, math.ceil(len(pending) / size))


def _replace_batches(nodegroup: Any, fleet: Fleet, roll: Roll, until: int) -> None:
    until = min(until, roll.batches_total)
    while roll.batches_done < until:
        batch = roll.pending[: roll.batch_size]
        roll.pending = roll.pending[roll.batch_size :]
        # Like EKS: the new nodes come up before the old ones are drained and terminated.
        _launch(nodegroup, fleet, len(batch), roll.target_version)
        _terminate(nodegroup, fleet, batch)
        roll.batches_done += 1


def progress(nodegroup: Any, now: float) -> None:
    """Replaces the batches the roll's clock (or the control API) has reached."""
    fleet = fleet_of(nodegroup)
    roll = fleet.roll if fleet else None
    if fleet is None or roll is None or roll.update.status != "InProgress":
        return
    fraction = 1.0 if roll.seconds <= 0 else min(1.0, (now - roll.started) / roll.seconds)
    by_clock = math.floor(fraction * roll.batches_total)
    if roll.update.failure is not None:
        by_clock = min(by_clock, roll.batches_total // 2)
    _replace_batches(nodegroup, fleet, roll, max(by_clock, roll.advanced))


def complete(nodegroup: Any, update: SandboxUpdate) -> None:
    """At the end of a roll: all instances on the new version, or (failed) half of them."""
    fleet = fleet_of(nodegroup)
    roll = fleet.roll if fleet else None
    if fleet is None or roll is None or roll.update is not update:
        return
    if update.status == "Successful":
        _replace_batches(nodegroup, fleet, roll, roll.batches_total)
        fleet.version = roll.target_version
    else:
        _replace_batches(nodegroup, fleet, roll, roll.batches_total // 2)
        # The node group reports its old version after a failed update; so does its group here
        # (AWS does not document what the group points at then).
        _point_group_at(nodegroup, fleet, fleet.version)
    fleet.roll = None


def _advance_roll(body: dict[str, Any]) -> dict[str, Any]:
    from moto.eks.models import eks_backends

    cluster_name, nodegroup_name = body.get("clusterName"), body.get("nodegroupName")
    account, region = body.get("accountId", "123456789012"), body.get("region")
    if not all(isinstance(v, str) and v for v in (cluster_name, nodegroup_name, region)):
        raise ControlRequestError("clusterName, nodegroupName and region are required")
    with lock:
        cluster = eks_backends[account][region].clusters.get(cluster_name)
        nodegroup = cluster.nodegroups.get(nodegroup_name) if cluster else None
        fleet = fleet_of(nodegroup) if nodegroup else None
        if fleet is None or fleet.roll is None:
            raise ControlRequestError(f"node group {cluster_name}/{nodegroup_name} has no roll in progress")
        roll = fleet.roll
        if roll.update.failure is not None and roll.advanced >= roll.batches_total // 2:
            return {"batchesDone": roll.batches_done, "batchesTotal": roll.batches_total, "stopped": True}
        if roll.batches_done >= roll.batches_total:
            # Every batch is replaced: one more call ends the update (Successful) at the next read,
            # so a test drives a roll from start to end without its clock.
            roll.update.due = time.monotonic()
            return {"batchesDone": roll.batches_done, "batchesTotal": roll.batches_total, "stopped": False, "ended": True}
        roll.advanced = min(roll.batches_total, max(roll.advanced, roll.batches_done) + 1)
        _replace_batches(nodegroup, fleet, roll, roll.advanced)
        return {"batchesDone": roll.batches_done, "batchesTotal": roll.batches_total, "stopped": False}


def _launch_without_enclaves(body: dict[str, Any]) -> dict[str, Any]:
    count = body.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ControlRequestError("count must be an integer >= 0")
    controls.set_launch_without_enclaves(count)
    return {"launchWithoutEnclaves": count}


def _after(original: Callable[..., Any], then: Callable[[Any, Any, dict[str, Any]], None]) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            result = original(self, *args, **kwargs)
            then(self, result, kwargs)
            return result

    return method


def _nodegroup_of(backend: Any, kwargs: dict[str, Any]) -> Any:
    cluster = backend.clusters.get(kwargs.get("cluster_name"))
    return cluster.nodegroups.get(kwargs.get("nodegroup_name")) if cluster else None


def install() -> None:
    """Installed after the other node group patches: it wraps their wrappers."""
    from moto.eks.models import EKSBackend

    lifecycle.progress_hooks.append(progress)
    lifecycle.completion_hooks.append(complete)
    lifecycle.roll_start_hooks.append(start_roll)

    def created(backend: Any, nodegroup: Any, _kwargs: dict[str, Any]) -> None:
        if fleet_of(nodegroup) is None:
            create_fleet(nodegroup)

    def reconfigured(backend: Any, _result: Any, kwargs: dict[str, Any]) -> None:
        nodegroup = _nodegroup_of(backend, kwargs)
        fleet = fleet_of(nodegroup) if nodegroup is not None else None
        if fleet is not None and kwargs.get("scaling_config"):
            _sync_size(nodegroup, fleet)

    original_delete = EKSBackend.delete_nodegroup

    def delete_nodegroup(self: Any, cluster_name: str, nodegroup_name: str) -> Any:
        with lock:
            cluster = self.clusters.get(cluster_name)
            nodegroup = cluster.nodegroups.get(nodegroup_name) if cluster else None
            result = original_delete(self, cluster_name=cluster_name, nodegroup_name=nodegroup_name)
            if nodegroup is not None:
                delete_fleet(nodegroup)
            return result

    EKSBackend.create_nodegroup = _after(EKSBackend.create_nodegroup, created)  # type: ignore[method-assign]
    EKSBackend.update_nodegroup_config = _after(EKSBackend.update_nodegroup_config, reconfigured)  # type: ignore[method-assign]
    EKSBackend.delete_nodegroup = delete_nodegroup  # type: ignore[method-assign]
    ROUTES[("POST", "/_sandbox/advance-roll")] = _advance_roll
    ROUTES[("POST", "/_sandbox/launch-without-enclaves")] = _launch_without_enclaves
