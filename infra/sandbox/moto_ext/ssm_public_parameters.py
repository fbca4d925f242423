"""SSM public parameters: let the sandbox be seeded with the EKS-optimized AMI parameters.

In AWS, `/aws/service/eks/optimized-ami/<k8s>/<os>/<arch>/.../image_id` are public parameters
that every account can read with GetParameter ("Retrieve recommended Amazon Linux AMI IDs", EKS
user guide) but nobody can write: PutParameter on `/aws...` is AccessDenied. moto reproduces the
refusal but ships no EKS parameters, so nothing could ever be read there.

The sandbox lets PutParameter write names under the prefixes in SANDBOX_SSM_WRITABLE_PREFIXES
(comma separated, default `/aws/service/eks/`), so the seeded world (and tests) can publish
them through the SDK; every other `/aws` name stays reserved as in AWS. GetParameter,
GetParameters and GetParametersByPath then read them like any parameter.
"""

from __future__ import annotations

import os
from typing import Any


def writable_prefixes() -> tuple[str, ...]:
    raw = os.environ.get("SANDBOX_SSM_WRITABLE_PREFIXES", "/aws/service/eks/")
    return tuple(p.strip() for p in raw.split(",") if p.strip())


class _ReservedNamePass(str):
    """A parameter name that passes moto's reserved-prefix check (which reads `name.lower()`)
    and nothing else: it is swapped back for a plain str before moto stores anything."""

    def lower(self) -> str:
        return "/sandbox-public" + str.lower(self)


def install() -> None:
    from moto.ssm.models import SimpleSystemManagerBackend

    original_put = SimpleSystemManagerBackend.put_parameter

    def put_parameter(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(name, str) or not name.startswith(writable_prefixes()):
            return original_put(self, name, *args, **kwargs)
        parameter = original_put(self, _ReservedNamePass(name), *args, **kwargs)
        plain = str(name)
        versions = self._parameters.pop(plain)
        self._parameters[plain] = versions
        for version in versions:
            version.name = str(version.name)
        return parameter

    SimpleSystemManagerBackend.put_parameter = put_parameter  # type: ignore[method-assign]
