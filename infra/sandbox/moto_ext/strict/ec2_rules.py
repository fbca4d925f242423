"""EC2 refusals the botocore model does not state (EC2 API reference and user guide).

The launch-template rules apply when a template (version) is written. AWS documents each limit
for the instance the template launches; at which call EC2 refuses a template that breaks one
(CreateLaunchTemplate or the later RunInstances) is not documented, so the sandbox refuses at the
earliest point, with the error code EC2 uses for the same value in RunInstances.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterable

from .errors import Refusal
from .rules import Context, rule

USER_DATA_LIMIT_BYTES = 16_384
TAGS_PER_RESOURCE = 50
DEFAULT_CLIENT_TOKEN_LIMIT = 64

# Instance tag keys when tags are in instance metadata (EC2 user guide, "View tags for your EC2
# instances using instance metadata"): letters, digits and + - = . , _ : @ only; no spaces or /;
# not only "." or "..", and not "_index".
_IMDS_TAG_KEY = re.compile(r"^[A-Za-z0-9+\-=.,_:@]+$")
_IMDS_RESERVED_KEYS = {".", "..", "_index"}

# EBS volume limits per type (LaunchTemplateEbsBlockDeviceRequest: Iops, Throughput, VolumeSize).
IOPS_RANGE = {"gp3": (3_000, 80_000), "io1": (100, 64_000), "io2": (100, 256_000)}
THROUGHPUT_RANGE = {"gp3": (125, 2_000)}
SIZE_RANGE_GIB = {
    "gp2": (1, 16_384),
    "gp3": (1, 65_536),
    "io1": (4, 16_384),
    "io2": (4, 65_536),
    "st1": (125, 16_384),
    "sc1": (125, 16_384),
    "standard": (1, 1_024),
}


def _refuse(rule_name: str, code: str, message: str) -> Refusal:
    return Refusal(rule_name, code, message)


_token_limits: dict[tuple[str, str], int] = {}


def _client_token_limit(operation: Any) -> int:
    """The limit the operation's ClientToken documentation states ("Maximum 128 ASCII characters"
    for launch templates, 64 for RunInstances); 64 ("Ensuring idempotency in Amazon EC2 API
    requests": "up to 64 ASCII characters") where it states none."""
    key = (operation.service_model.service_name, operation.name)
    if key not in _token_limits:
        documentation = operation.input_shape.members["ClientToken"].documentation or ""
        match = re.search(r"[Mm]aximum (\d+) ASCII", documentation)
        _token_limits[key] = int(match.group(1)) if match else DEFAULT_CLIENT_TOKEN_LIMIT
    return _token_limits[key]


@rule("ec2")
def client_token(context: Context) -> Iterable[Refusal]:
    token = context.params.get("ClientToken")
    if not isinstance(token, str):
        return
    limit = _client_token_limit(context.request.operation)
    if len(token) > limit or not token.isascii():
        yield _refuse(
            "ec2.client-token",
            "InvalidParameterValue",
            f"Value ({token}) for parameter clientToken is invalid. The client token must be at most {limit} "
            "ASCII characters.",
        )


def _template_data(context: Context) -> dict[str, Any]:
    data = context.params.get("LaunchTemplateData")
    return data if isinstance(data, dict) else {}


@rule("ec2", "CreateLaunchTemplate", "CreateLaunchTemplateVersion", "RunInstances")
def user_data_size(context: Context) -> Iterable[Refusal]:
    data = _template_data(context) or context.params
    user_data = data.get("UserData")
    if not isinstance(user_data, str) or not user_data:
        return
    try:
        decoded = base64.b64decode(user_data, validate=True)
    except (binascii.Error, ValueError):
        yield _refuse("ec2.user-data-base64", "InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.")
        return
    if len(decoded) > USER_DATA_LIMIT_BYTES:
        yield _refuse(
            "ec2.user-data-size",
            "InvalidParameterValue",
            f"User data is limited to {USER_DATA_LIMIT_BYTES} bytes; this one is {len(decoded)} bytes after base64 "
            "decoding.",
        )


def counted_tags(tags: Any) -> list[dict[str, Any]]:
    """Tags that count against the per-resource limit: keys with the reserved `aws:` prefix do not
    (EC2 user guide, "Tag restrictions")."""
    if not isinstance(tags, list):
        return []
    return [t for t in tags if isinstance(t, dict) and not str(t.get("Key", "")).lower().startswith("aws:")]


def _tag_specifications(context: Context) -> list[tuple[str, dict[str, Any]]]:
    found = [("TagSpecification", s) for s in context.params.get("TagSpecifications") or [] if isinstance(s, dict)]
    found += [
        ("LaunchTemplateData.TagSpecification", s)
        for s in _template_data(context).get("TagSpecifications") or []
        if isinstance(s, dict)
    ]
    return found


@rule("ec2", "CreateLaunchTemplate", "CreateLaunchTemplateVersion", "RunInstances", "CreateTags")
def tags_per_resource(context: Context) -> Iterable[Refusal]:
    groups = [(where, spec.get("ResourceType"), spec.get("Tags")) for where, spec in _tag_specifications(context)]
    if context.request.operation.name == "CreateTags":
        groups.append(("Tag", "resource", context.params.get("Tags")))
    for where, resource_type, tags in groups:
        count = len(counted_tags(tags))
        if count > TAGS_PER_RESOURCE:
            yield _refuse(
                "ec2.tags-per-resource",
                "TagLimitExceeded",
                f"The maximum number of tags per resource is {TAGS_PER_RESOURCE}; {where} for {resource_type} has "
                f"{count} (tags with the aws: prefix do not count).",
            )


def imds_tag_key_problem(key: str) -> str | None:
    if key in _IMDS_RESERVED_KEYS:
        return f"the key {key!r} is reserved"
    if not _IMDS_TAG_KEY.match(key):
        return "keys may use only letters, digits and + - = . , _ : @ (no spaces or /)"
    return None


@rule("ec2", "CreateLaunchTemplate", "CreateLaunchTemplateVersion", "RunInstances")
def imds_tag_keys(context: Context) -> Iterable[Refusal]:
    data = _template_data(context) or context.params
    metadata = data.get("MetadataOptions") or {}
    if not isinstance(metadata, dict) or metadata.get("InstanceMetadataTags") != "enabled":
        return
    for _where, spec in _tag_specifications(context):
        if spec.get("ResourceType") != "instance":
            continue
        for tag in spec.get("Tags") or []:
            key = str(tag.get("Key", "")) if isinstance(tag, dict) else ""
            problem = imds_tag_key_problem(key)
            if problem:
                yield _refuse(
                    "ec2.imds-tag-keys",
                    "InvalidParameterValue",
                    f"The instance tag key {key!r} is not allowed while InstanceMetadataTags is enabled: {problem}. "
                    "Rename the tag or disable instance metadata tags.",
                )


@rule("ec2", "CreateLaunchTemplate", "CreateLaunchTemplateVersion", "RunInstances")
def enclaves_with_hibernation(context: Context) -> Iterable[Refusal]:
    data = _template_data(context) or context.params
    enclaves = (data.get("EnclaveOptions") or {}).get("Enabled") is True
    hibernation = (data.get("HibernationOptions") or {}).get("Configured") is True
    if enclaves and hibernation:
        yield _refuse(
            "ec2.enclaves-with-hibernation",
            "InvalidParameterCombination",
            "You can't enable Nitro Enclaves and hibernation on the same instance: EnclaveOptions.Enabled and "
            "HibernationOptions.Configured are both true.",
        )


def _within_volume_range(rule_name, field, value, volume_type, ranges, supported, unit):
    """EC2's two refusals for a volume setting: not supported by the type, or outside its range."""
    if volume_type not in ranges:
        yield _refuse(
            rule_name,
            "InvalidParameterCombination",
            f"{field} is supported for {supported} volumes only, not {volume_type}.",
        )
        return
    low, high = ranges[volume_type]
    if not low <= value <= high:
        yield _refuse(rule_name, "InvalidParameterValue", f"{field} {value} is outside {low}-{high}{unit} for {volume_type} volumes.")


@rule("ec2", "CreateLaunchTemplate", "CreateLaunchTemplateVersion", "RunInstances")
def ebs_volume_limits(context: Context) -> Iterable[Refusal]:
    data = _template_data(context) or context.params
    for i, mapping in enumerate(data.get("BlockDeviceMappings") or [], 1):
        ebs = mapping.get("Ebs") if isinstance(mapping, dict) else None
        if not isinstance(ebs, dict):
            continue
        where = f"BlockDeviceMapping.{i}.Ebs"
        # Without VolumeType the AMI's snapshot decides; launch templates document gp2 as the default.
        volume_type = ebs.get("VolumeType") or "gp2"
        iops, throughput, size = ebs.get("Iops"), ebs.get("Throughput"), ebs.get("VolumeSize")
        if iops is not None:
            yield from _within_volume_range(
                "ec2.ebs-iops", f"{where}.Iops", iops, volume_type, IOPS_RANGE, "io1, io2 and gp3", ""
            )
        elif volume_type in ("io1", "io2"):
            yield _refuse("ec2.ebs-iops", "MissingParameter", f"{where}.Iops is required for {volume_type} volumes.")
        if throughput is not None:
            yield from _within_volume_range(
                "ec2.ebs-throughput", f"{where}.Throughput", throughput, volume_type, THROUGHPUT_RANGE, "gp3", " MiB/s"
            )
        if size is not None and volume_type in SIZE_RANGE_GIB:
            low, high = SIZE_RANGE_GIB[volume_type]
            if not low <= size <= high:
                yield _refuse(
                    "ec2.ebs-volume-size",
                    "InvalidParameterValue",
                    f"{where}.VolumeSize {size} GiB is outside {low}-{high} GiB for {volume_type} volumes.",
                )
