"""EC2 launch templates: ClientToken idempotency, SourceVersion and DeleteLaunchTemplateVersions.

AWS behaviour reproduced (EC2 API reference):
  * CreateLaunchTemplate / CreateLaunchTemplateVersion `ClientToken`: a retry with the same token
    and the same parameters returns the first call's result instead of a duplicate (moto: a new
    version, or AlreadyExists); the same token with different parameters is
    `IdempotentParameterMismatch` ("Ensuring idempotency in Amazon EC2 API requests").
  * CreateLaunchTemplateVersion `SourceVersion`: the new version inherits the source version's
    data, overridden by the given LaunchTemplateData (moto ignores SourceVersion).
  * DeleteLaunchTemplateVersions: deletes up to 200 versions; the default version cannot be
    deleted; per-version failures are reported in UnsuccessfullyDeletedLaunchTemplateVersions
    (moto: HTTP 500 NotImplementedError). Deleted version numbers are never reused, `$Latest`
    resolves to the highest remaining version.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

_lock = threading.RLock()
MAX_VERSIONS_PER_DELETE = 200


def _deleted(template: Any) -> set[int]:
    deleted = getattr(template, "sandbox_deleted_versions", None)
    if deleted is None:
        deleted = set()
        template.sandbox_deleted_versions = deleted
    return deleted


def _fingerprint(querystring: dict[str, Any]) -> str:
    ignored = {"ClientToken", "Action", "Version"}
    return json.dumps({k: v for k, v in sorted(querystring.items()) if k not in ignored}, sort_keys=True)


def _idempotent(action: str, build: Any) -> Any:
    """Wraps a response method so that a repeated ClientToken replays the first result."""

    def method(self: Any) -> Any:
        from moto.ec2.exceptions import EC2ClientError

        token = self._get_param("ClientToken")
        if not token:
            return build(self)
        backend = self.ec2_backend
        with _lock:
            tokens: dict[tuple[str, str], tuple[str, Any]] = getattr(backend, "sandbox_client_tokens", None) or {}
            backend.sandbox_client_tokens = tokens
            fingerprint = _fingerprint(self.querystring)
            previous = tokens.get((action, token))
            if previous is not None:
                if previous[0] != fingerprint:
                    raise EC2ClientError(
                        "IdempotentParameterMismatch",
                        f"The client token {token} was already used by a {action} request with different "
                        "parameters. Use a new client token for a different request.",
                    )
                return previous[1]
            result = build(self)
            tokens[(action, token)] = (fingerprint, result)
            return result

    return method


def _named_template(self: Any, template_id: str | None, name: str | None) -> Any:
    """The template a request names by LaunchTemplateId or LaunchTemplateName (EC2 wants one)."""
    if template_id:
        return self.ec2_backend.get_launch_template(template_id)
    if name:
        return self.ec2_backend.get_launch_template_by_name(name)
    raise MissingParameterError("launch template ID or launch template name")


def _create_launch_template_version(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import InvalidParameterCombination, MissingParameterError
    from moto.ec2.utils import parse_user_data

    name = self._get_param("LaunchTemplateName")
    template_id = self._get_param("LaunchTemplateId")
    if name and template_id:
        raise InvalidParameterCombination("Specify either the launch template ID or the launch template name, not both.")
    template = _named_template(self, template_id, name)

    data = self._get_param("LaunchTemplateData", {})
    if "UserData" in data:
        data["UserData"] = parse_user_data(self._get_param("LaunchTemplateData.UserData"))
    source_version = self._get_param("SourceVersion")
    if source_version:
        merged = copy.deepcopy(template.get_version(source_version).data)
        merged.update(data)
        data = merged
    self.error_on_dryrun()

    version = template.create_version(data, self._get_param("VersionDescription"))
    return ActionResult(
        {
            "LaunchTemplateVersion": {
                "CreateTime": version.create_time,
                "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
                "DefaultVersion": template.is_default(version),
                "LaunchTemplateData": version.data,
                "LaunchTemplateId": template.id,
                "LaunchTemplateName": template.name,
                "VersionDescription": version.description,
                "VersionNumber": version.number,
            }
        }
    )


def _delete_launch_template_versions(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import EC2ClientError, InvalidParameterCombination, MissingParameterError

    name = self._get_param("LaunchTemplateName")
    template_id = self._get_param("LaunchTemplateId")
    versions = self._get_param("Versions", []) or self._get_param("LaunchTemplateVersion", [])
    if name and template_id:
        raise InvalidParameterCombination("Specify either the launch template ID or the launch template name, not both.")
    if not versions:
        raise MissingParameterError("LaunchTemplateVersion")
    if len(versions) > MAX_VERSIONS_PER_DELETE:
        raise EC2ClientError(
            "InvalidParameterValue",
            f"You can delete up to {MAX_VERSIONS_PER_DELETE} launch template versions in one request; "
            "use DeleteLaunchTemplate to delete a template with all its versions.",
        )
    self.error_on_dryrun()
    template = _named_template(self, template_id, name)

    succeeded: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    with _lock:
        deleted = _deleted(template)
        for raw in versions:
            number = int(raw) if str(raw).isdigit() else None

            def fail(code: str, message: str, number: int | None = number) -> None:
                item: dict[str, Any] = {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name}
                if number is not None:
                    item["VersionNumber"] = number
                item["ResponseError"] = {"Code": code, "Message": message}
                failed.append(item)

            if number is None or number < 1 or number > len(template.versions) or number in deleted:
                fail("launchTemplateVersionDoesNotExist", f"The specified launch template version {raw} does not exist.")
            elif number == template.default_version_number:
                fail(
                    "unexpectedError",
                    f"Version {number} is the default version of launch template {template.id} and cannot be "
                    "deleted. Make another version the default first, or delete the whole template.",
                )
            else:
                deleted.add(number)
                succeeded.append(
                    {"LaunchTemplateId": template.id, "LaunchTemplateName": template.name, "VersionNumber": number}
                )
    return ActionResult(
        {
            "SuccessfullyDeletedLaunchTemplateVersions": succeeded,
            "UnsuccessfullyDeletedLaunchTemplateVersions": failed,
        }
    )


def _patch_models() -> None:
    from moto.ec2.exceptions import InvalidLaunchTemplateVersionNotFound
    from moto.ec2.models.launch_templates import LaunchTemplate, LaunchTemplateBackend

    def latest_version(self: Any) -> Any:
        deleted = _deleted(self)
        for version in reversed(self.versions):
            if version.number not in deleted:
                return version
        return self.versions[-1]

    original_get_version = LaunchTemplate.get_version

    def get_version(self: Any, num: Any) -> Any:
        if str(num).lower() == "$latest":
            return latest_version(self)
        version = original_get_version(self, num)
        if version.number in _deleted(self):
            raise InvalidLaunchTemplateVersionNotFound(template_id=self.id, version=num)
        return version

    LaunchTemplate.latest_version = latest_version  # type: ignore[method-assign]
    LaunchTemplate.get_version = get_version  # type: ignore[method-assign]

    original_describe_versions = LaunchTemplateBackend.describe_launch_template_versions

    def describe_launch_template_versions(self: Any, *args: Any, **kwargs: Any) -> Any:
        max_results = kwargs.pop("max_results", None)
        if max_results is None and len(args) >= 6:
            args, max_results = args[:5], args[5]
        found = original_describe_versions(self, *args, max_results=10**9, **kwargs)
        kept = [(t, v) for t, v in found if v.number not in _deleted(t)]
        return kept[: max_results or 15]

    LaunchTemplateBackend.describe_launch_template_versions = describe_launch_template_versions  # type: ignore[method-assign]


def install() -> None:
    from moto.ec2.responses.launch_templates import LaunchTemplates

    _patch_models()
    LaunchTemplates.create_launch_template = _idempotent(  # type: ignore[method-assign]
        "CreateLaunchTemplate", LaunchTemplates.create_launch_template
    )
    LaunchTemplates.create_launch_template_version = _idempotent(  # type: ignore[method-assign]
        "CreateLaunchTemplateVersion", _create_launch_template_version
    )
    LaunchTemplates.delete_launch_template_versions = _delete_launch_template_versions  # type: ignore[attr-defined]
