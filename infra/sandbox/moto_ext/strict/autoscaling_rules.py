"""EC2 Auto Scaling refusals the botocore model does not state, for the tag operations.

Sources (docs/sandbox.md cites them per rule): the `Tag` shape of botocore's autoscaling model
("ResourceType: The only supported value is auto-scaling-group"; "ResourceId: The name of the Auto
Scaling group"), and the EC2 Auto Scaling user guide, "Tag Auto Scaling groups and instances"
(tag restrictions: at most 50 tags per Auto Scaling group; the `aws:` prefix is reserved for AWS
and cannot be used in a key).
"""

from __future__ import annotations

from typing import Any, Iterable

from .errors import Refusal
from .rules import Context, rule

MAX_TAGS_PER_GROUP = 50


def _groups(context: Context) -> Any:
    from moto.autoscaling.models import autoscaling_backends

    return autoscaling_backends[context.account_id][context.request.region].autoscaling_groups


def _tags(context: Context) -> list[dict[str, Any]]:
    tags = context.params.get("Tags") or []
    return [t for t in tags if isinstance(t, dict)]


@rule("autoscaling", "CreateOrUpdateTags", "DeleteTags")
def tag_targets(context: Context) -> Iterable[Refusal]:
    groups = _groups(context)
    for tag in _tags(context):
        if tag.get("ResourceType") != "auto-scaling-group":
            yield Refusal(
                "autoscaling.tag-resource-type",
                "ValidationError",
                f"ResourceType {tag.get('ResourceType')!r} is not supported; the only supported value is auto-scaling-group.",
            )
        name = tag.get("ResourceId")
        if not name or name not in groups:
            yield Refusal(
                "autoscaling.tag-resource-id",
                "ValidationError",
                f"ResourceId {name!r} does not name an Auto Scaling group.",
            )


@rule("autoscaling", "CreateOrUpdateTags")
def tag_keys_and_count(context: Context) -> Iterable[Refusal]:
    groups = _groups(context)
    added: dict[str, set[str]] = {}
    for tag in _tags(context):
        key = str(tag.get("Key") or "")
        if key.lower().startswith("aws:"):
            yield Refusal(
                "autoscaling.tag-aws-prefix",
                "ValidationError",
                f"Tag key {key!r} begins with aws:, which is reserved for AWS use.",
            )
        added.setdefault(str(tag.get("ResourceId") or ""), set()).add(key)
    for name, keys in added.items():
        group = groups.get(name)
        if group is None:
            continue
        existing = {t.get("Key") for t in group.tags}
        total = len(existing | keys)
        if total > MAX_TAGS_PER_GROUP:
            yield Refusal(
                "autoscaling.tags-per-group",
                "LimitExceeded",
                f"An Auto Scaling group can have at most {MAX_TAGS_PER_GROUP} tags; {name} has {len(existing)} and this request would make it {total}.",
            )
