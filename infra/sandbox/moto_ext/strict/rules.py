"""Registry of the semantic rules: AWS refusals that no botocore model states.

A rule is a function of the parsed request (and, through the context, the sandbox's state) that
returns the refusals it finds. Rules are registered per (service, operation); docs/sandbox.md lists
every rule by name with the AWS documentation it follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .errors import Refusal
from .operations import ParsedRequest

RuleFunction = Callable[["Context"], Iterable[Refusal]]

RULES: dict[tuple[str, str], list[RuleFunction]] = {}
# Rules that apply to every operation of a service (e.g. EC2 ClientToken).
SERVICE_RULES: dict[str, list[RuleFunction]] = {}


def rule(service: str, *operations: str) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        if operations:
            for operation in operations:
                RULES.setdefault((service, operation), []).append(function)
        else:
            SERVICE_RULES.setdefault(service, []).append(function)
        return function

    return register


@dataclass
class Context:
    request: ParsedRequest

    @property
    def params(self) -> dict[str, Any]:
        return self.request.params

    @property
    def account_id(self) -> str:
        import os

        from moto.iam.models import get_account_id_from

        return os.environ.get("MOTO_ACCOUNT_ID") or get_account_id_from(self.request.access_key or "AKIAEXAMPLE")

    def ec2(self) -> Any:
        from moto.ec2.models import ec2_backends

        return ec2_backends[self.account_id][self.request.region]

    def eks(self) -> Any:
        from moto.eks.models import eks_backends

        return eks_backends[self.account_id][self.request.region]


def refusals_for(request: ParsedRequest) -> list[Refusal]:
    functions = SERVICE_RULES.get(request.service, []) + RULES.get((request.service, request.operation.name), [])
    if not functions:
        return []
    context = Context(request)
    found: list[Refusal] = []
    for function in functions:
        found.extend(function(context))
    return found
