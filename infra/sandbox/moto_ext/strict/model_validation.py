"""Validation of a request's parameters against its botocore input shape, as the AWS front ends do.

Checks every constraint the model states: required members, string length (``min``/``max``, in
characters), list and map sizes, number ranges, ``pattern`` and ``enum``. The SDK clients check
only some of these (botocore: required, min, types; SDK v3: required URI labels), so a request
the client lets through can still be one AWS refuses; that is what this module catches.

Each violation names its rule (``model.required``, ``model.length``, ``model.range``,
``model.pattern``, ``model.enum``, ``model.type``) so the sandbox can count and report them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .operations import UnreadableValue

_patterns: dict[str, re.Pattern[str] | None] = {}

# Enums not enforced: EC2's InstanceType lists the types of the model's release, while EC2 itself
# answers an unknown type per operation (DescribeInstanceTypes: InvalidInstanceType, RunInstances:
# InvalidParameterValue), which moto already does; a new type must not be refused for being new.
UNENFORCED_ENUMS = frozenset({"InstanceType"})


def _pattern(source: str) -> re.Pattern[str] | None:
    """The model's pattern compiled for Python, or None when it uses Java-only syntax (\\p{..}
    classes): such a pattern is skipped rather than guessed at."""
    if source not in _patterns:
        try:
            _patterns[source] = re.compile(source, re.DOTALL)
        except re.error:
            _patterns[source] = None
    return _patterns[source]


@dataclass
class Violation:
    rule: str
    path: str
    value: Any
    constraint: str
    # The query-protocol parameter name (EC2 spells members differently on the wire).
    wire_name: str
    missing: bool = False


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _check(value: Any, shape: Any, path: str, wire: str, found: list[Violation]) -> None:
    if value is None:
        return
    if isinstance(value, UnreadableValue):
        found.append(Violation("model.type", path, value.raw, f"Member must be {value.expected}", wire))
        return
    metadata = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            found.append(Violation("model.type", path, value, "Member must be a structure", wire))
            return
        _check_structure(value, shape, path, wire, found, frozenset())
    elif kind == "list":
        if not isinstance(value, list):
            found.append(Violation("model.type", path, value, "Member must be a list", wire))
            return
        _check_size(len(value), metadata, path, value, wire, found, "length")
        for i, element in enumerate(value, 1):
            _check(element, shape.member, f"{path}.{i}.member", f"{wire}.{i}", found)
    elif kind == "map":
        if not isinstance(value, dict):
            found.append(Violation("model.type", path, value, "Member must be a map", wire))
            return
        _check_size(len(value), metadata, path, value, wire, found, "length")
        for key, element in value.items():
            _check(key, shape.key, f"{path}.key", wire, found)
            _check(element, shape.value, f"{path}.{key}", f"{wire}.{key}", found)
    elif kind == "string":
        if not isinstance(value, str):
            return
        _check_size(len(value), metadata, path, value, wire, found, "length")
        enum = metadata.get("enum")
        if enum and value not in enum and shape.name not in UNENFORCED_ENUMS:
            found.append(
                Violation(
                    "model.enum", path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]", wire
                )
            )
        source = metadata.get("pattern")
        if source:
            compiled = _pattern(source)
            if compiled is not None and compiled.search(value) is None:
                found.append(
                    Violation("model.pattern", path, value, f"Member must satisfy regular expression pattern: {source}", wire)
                )
    elif kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        low, high = metadata.get("min"), metadata.get("max")
        if low is not None and value < low:
            found.append(Violation("model.range", path, value, f"Member must have value greater than or equal to {low}", wire))
        if high is not None and value > high:
            found.append(Violation("model.range", path, value, f"Member must have value less than or equal to {high}", wire))


def _check_size(size: int, metadata: dict[str, Any], path: str, value: Any, wire: str, found: list[Violation], what: str) -> None:
    low, high = metadata.get("min"), metadata.get("max")
    if low is not None and size < low:
        found.append(Violation("model.length", path, value, f"Member must have {what} greater than or equal to {low}", wire))
    if high is not None and size > high:
        found.append(Violation("model.length", path, value, f"Member must have {what} less than or equal to {high}", wire))


def _check_structure(
    value: dict[str, Any], shape: Any, path: str, wire: str, found: list[Violation], unread: frozenset[str]
) -> None:
    for name in shape.required_members:
        if value.get(name) is None and name not in unread:
            found.append(
                Violation(
                    "model.required",
                    f"{path}.{name}" if path else name,
                    None,
                    "Member must not be null",
                    _wire(shape.members[name], name, wire),
                    missing=True,
                )
            )
    for name, member_value in value.items():
        member_shape = shape.members.get(name)
        if member_shape is not None:
            _check(member_value, member_shape, f"{path}.{name}" if path else name, _wire(member_shape, name, wire), found)


def _wire(member_shape: Any, name: str, parent: str) -> str:
    """The member's name on the EC2 query wire (queryName, else the capitalised locationName)."""
    serialization = member_shape.serialization
    own = serialization.get("queryName")
    if own is None:
        location_name = serialization.get("name")
        own = location_name[0].upper() + location_name[1:] if location_name else name
    return f"{parent}.{own}" if parent else own


def validate(params: dict[str, Any], input_shape: Any, unread: frozenset[str] = frozenset()) -> list[Violation]:
    if input_shape is None:
        return []
    found: list[Violation] = []
    _check_structure(params, input_shape, "", "", found, unread)
    return found


def coral_message(violations: list[Violation]) -> str:
    """The message the AWS JSON front ends give: "1 validation error detected: Value 'x' at
    'path' failed to satisfy constraint: Member must ..."."""
    count = len(violations)
    parts = []
    for v in violations:
        shown = "null" if v.missing else f"'{_shown(v.value)}'"
        parts.append(f"Value {shown} at '{v.path}' failed to satisfy constraint: {v.constraint}")
    noun = "validation error" if count == 1 else "validation errors"
    return f"{count} {noun} detected: " + "; ".join(parts)
