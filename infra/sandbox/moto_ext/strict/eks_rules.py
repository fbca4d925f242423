"""EKS refusals the botocore model does not state (EKS API reference, EKS user guide).

Where AWS documents that "the node group deployment will fail" (the launch template's fields,
the instances' tag count), EKS accepts the call and the node group or update fails later; the
sandbox refuses the call at once with InvalidParameterException so a test sees the mistake at the
request that made it.
"""

from __future__ import annotations

from typing import Any, Iterable

from .ec2_rules import TAGS_PER_RESOURCE, counted_tags
from .errors import Refusal
from .rules import Context, rule

MAX_TAINTS = 50
MAX_TAGS = 50
# Tags EKS puts on the instances of a managed node group besides the template's own. Their exact
# list is not documented for instances; these two are the ones EKS puts on the node group's Auto
# Scaling group with PropagateAtLaunch (counted conservatively).
EKS_INSTANCE_TAGS = ("eks:cluster-name", "eks:nodegroup-name")


def _invalid(context: Context, rule_name: str, message: str) -> Refusal:
    members = {"clusterName": context.params.get("clusterName"), "nodegroupName": context.params.get("nodegroupName")}
    return Refusal(rule_name, "InvalidParameterException", message, members={k: v for k, v in members.items() if v})


def _template_version(context: Context, spec: Any) -> tuple[Any, Any] | None:
    """The EC2 launch template version a request's launchTemplate points at, or None when it
    does not resolve (eks_nodegroups answers that case with its own InvalidParameterException)."""
    if not isinstance(spec, dict):
        return None
    ec2 = context.ec2()
    try:
        template = ec2.get_launch_template(spec["id"]) if spec.get("id") else ec2.get_launch_template_by_name(spec.get("name"))
        version = template.get_version(spec["version"]) if spec.get("version") else template.default_version()
    except Exception:  # noqa: BLE001 - any lookup failure: not this rule's business
        return None
    return template, version


@rule("eks", "CreateNodegroup")
def launch_template_request_fields(context: Context) -> Iterable[Refusal]:
    """CreateNodegroup: with a launch template, diskSize and remoteAccess must be left out; with a
    template that names an instance type, instanceTypes; with one that names an image (custom
    AMI), version and releaseVersion, and amiType unless it is CUSTOM."""
    params = context.params
    spec = params.get("launchTemplate")
    if not spec:
        return
    if params.get("diskSize") is not None:
        yield _invalid(context, "eks.lt.disk-size", "Disk size must be specified within the launch template, not as diskSize.")
    if params.get("remoteAccess") is not None:
        yield _invalid(
            context,
            "eks.lt.remote-access",
            "Remote access configuration cannot be specified with a launch template; put the key pair and security "
            "groups in the launch template.",
        )
    resolved = _template_version(context, spec)
    if resolved is None:
        return
    template, version = resolved
    data = version.data
    if data.get("InstanceType") and params.get("instanceTypes"):
        yield _invalid(
            context,
            "eks.lt.instance-types",
            f"Launch template {template.id} version {version.number} sets InstanceType, so instanceTypes must be left out.",
        )
    if data.get("ImageId"):
        for member in ("version", "releaseVersion"):
            if params.get(member):
                yield _invalid(
                    context,
                    "eks.lt.custom-ami-version",
                    f"Launch template {template.id} version {version.number} specifies an image id (custom AMI), so "
                    f"{member} must be left out.",
                )
        ami_type = params.get("amiType")
        if ami_type and ami_type != "CUSTOM":
            yield _invalid(
                context,
                "eks.lt.ami-type",
                f"You cannot specify an AMI Type other than CUSTOM, when specifying an image id in your launch template "
                f"(amiType {ami_type}, template {template.id} version {version.number}). Leave amiType out.",
            )


# Fields of RequestLaunchTemplateData that managed node groups refuse (EKS API reference,
# LaunchTemplateSpecification; EKS user guide, "Launch template configuration basics").
def _forbidden_template_fields(data: dict[str, Any]) -> list[str]:
    found = []
    if data.get("IamInstanceProfile"):
        found.append("IamInstanceProfile")
    for i, interface in enumerate(data.get("NetworkInterfaces") or [], 1):
        if isinstance(interface, dict) and interface.get("SubnetId"):
            found.append(f"NetworkInterfaces.{i}.SubnetId")
    if data.get("InstanceInitiatedShutdownBehavior"):
        found.append("InstanceInitiatedShutdownBehavior")
    if data.get("InstanceMarketOptions"):
        found.append("InstanceMarketOptions (Spot requests: use capacityType SPOT)")
    if (data.get("HibernationOptions") or {}).get("Configured"):
        found.append("HibernationOptions")
    return found


@rule("eks", "CreateNodegroup", "UpdateNodegroupVersion")
def launch_template_data_fields(context: Context) -> Iterable[Refusal]:
    resolved = _template_version(context, context.params.get("launchTemplate"))
    if resolved is None:
        return
    template, version = resolved
    forbidden = _forbidden_template_fields(version.data)
    if forbidden:
        yield _invalid(
            context,
            "eks.lt.forbidden-fields",
            f"Launch template {template.id} version {version.number} contains {', '.join(forbidden)}, which managed "
            "node groups do not allow; remove them from the template.",
        )
    instance_tags = [
        tag
        for spec in version.data.get("TagSpecifications") or []
        if isinstance(spec, dict) and spec.get("ResourceType") == "instance"
        for tag in counted_tags(spec.get("Tags"))
    ]
    added = [key for key in EKS_INSTANCE_TAGS if key not in {t.get("Key") for t in instance_tags}]
    if len(instance_tags) + len(added) > TAGS_PER_RESOURCE:
        yield _invalid(
            context,
            "eks.lt.instance-tags",
            f"Launch template {template.id} version {version.number} tags instances with {len(instance_tags)} tags and "
            f"EKS adds {', '.join(added)}: more than the {TAGS_PER_RESOURCE} tags an EC2 instance can have.",
        )


def _update_config_problem(update_config: Any) -> str | None:
    if not isinstance(update_config, dict):
        return None
    given = [k for k in ("maxUnavailable", "maxUnavailablePercentage") if update_config.get(k) is not None]
    if len(given) == 2:
        return "updateConfig takes maxUnavailable or maxUnavailablePercentage, not both."
    if not given and update_config.get("updateStrategy") is None:
        return "updateConfig needs maxUnavailable or maxUnavailablePercentage."
    return None


@rule("eks", "CreateNodegroup", "UpdateNodegroupConfig")
def update_config(context: Context) -> Iterable[Refusal]:
    problem = _update_config_problem(context.params.get("updateConfig"))
    if problem:
        yield _invalid(context, "eks.update-config", problem)


def _nodegroup(context: Context) -> Any:
    cluster = context.eks().clusters.get(context.params.get("clusterName"))
    return cluster.nodegroups.get(context.params.get("nodegroupName")) if cluster is not None else None


@rule("eks", "CreateNodegroup", "UpdateNodegroupConfig")
def taint_count(context: Context) -> Iterable[Refusal]:
    params = context.params
    if context.request.operation.name == "CreateNodegroup":
        count = len(params.get("taints") or [])
    else:
        change = params.get("taints") or {}
        nodegroup = _nodegroup(context)
        current = {(t.get("key"), t.get("effect")) for t in (getattr(nodegroup, "taints", None) or [])}
        for taint in change.get("removeTaints") or []:
            current.discard((taint.get("key"), taint.get("effect")))
        for taint in change.get("addOrUpdateTaints") or []:
            current.add((taint.get("key"), taint.get("effect")))
        count = len(current)
    if count > MAX_TAINTS:
        yield _invalid(context, "eks.taints", f"A node group can have at most {MAX_TAINTS} taints; this request gives it {count}.")


@rule("eks", "TagResource")
def tags_per_resource(context: Context) -> Iterable[Refusal]:
    arn = context.params.get("resourceArn") or ""
    new = context.params.get("tags") or {}
    existing: dict[str, str] = {}
    try:
        existing = dict(context.eks().list_tags_for_resource(arn) or {})
    except Exception:  # noqa: BLE001 - an unknown ARN is moto's NotFoundException to give
        return
    merged = {**existing, **new}
    if len(merged) > MAX_TAGS:
        yield Refusal(
            "eks.tags-per-resource",
            "BadRequestException",
            f"A resource can have at most {MAX_TAGS} tags; {arn} has {len(existing)} and this request would make it "
            f"{len(merged)}.",
        )
