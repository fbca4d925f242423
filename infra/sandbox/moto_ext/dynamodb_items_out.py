"""DynamoDB responses: items already in their wire form are written out as they are.

What is slow in moto 5.2.5, and is not AWS behaviour: every response goes through moto's generic
serializer, which walks the botocore output shape. An item is a map of `AttributeValue`
structures, and for each value (and each value nested in an M or L) the serializer tries all ten
members of the structure (S, N, B, SS, NS, BS, M, L, NULL, BOOL), each through an attribute picker
that tries several spellings of the name. moto's items are already in the wire form
(`{"S": "text"}`, `{"M": {...}}`), so all of that work reproduces its input. Measured in-process: a
Scan of 250 status rows of ~6 KB, projected to the 13 attributes `get pools` reads, took 8 s, three
quarters of it in the serializer; on the sandbox `get pools` at 1,000 pools took 19 s.

Here, in JSON-protocol responses, an `AttributeValue` whose value is a plain wire-form value
(exactly one of S, N, BOOL, NULL, SS, NS, M, L, holding the Python types the JSON form has, M
and L holding plain values in turn) is written as it is: the same JSON the generic path writes for
it. Anything else (binary values, which the serializer base64-encodes, or any other form) takes
moto's own path.
"""

from __future__ import annotations

from typing import Any

_SCALAR_TYPES: dict[str, type] = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
_SET_TYPES = frozenset({"SS", "NS"})


def _plain(value: Any) -> bool:
    """True when `value` is one wire-form AttributeValue the generic serializer would copy as is."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in _SCALAR_TYPES:
        return type(inner) is _SCALAR_TYPES[kind]
    if kind in _SET_TYPES:
        return isinstance(inner, list) and all(type(member) is str for member in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(
            type(name) is str and _plain(member) for name, member in inner.items()
        )
    if kind == "L":
        return isinstance(inner, list) and all(_plain(member) for member in inner)
    return False


def install() -> None:
    from moto.core.serialize import JSONSerializer

    original = JSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and _plain(value):
            self._default_serialize(serialized, value, shape, key)
            return
        original(self, serialized, value, shape, key)

    JSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]
