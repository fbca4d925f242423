"""DynamoDB Scan: the same pages and items as moto's, without its per-item deep copies.

AWS (DynamoDB developer guide, "Scanning tables in DynamoDB" and API reference `Scan`): a Scan
page holds at most 1 MB of *scanned* items ("If the total size of scanned items exceeds the
maximum dataset size limit of 1 MB, the scan completes"; read capacity is by item size, "not on
the amount of data that is returned"). A ProjectionExpression makes the response smaller, not the
page longer: moto already sizes pages by whole items, so its page boundaries are AWS's.

What is slow in moto 5.2.5, and is not AWS behaviour: `Table.scan` deep-copies every whole item it
returns and sizes it twice, and `Item.project` converts the whole item to plain JSON once per
projected path before picking the path out. At 1,000 status rows of ~4 KB a projected page took
seconds of CPU (docs/benchmarks.md). Here, for a table Scan with a projection, each item is sized
once, in one walk (moto's DynamoType.size re-wraps every nested value). Paths made of names only
(`a.b.c`, what this project asks for) are picked out of the stored values without converting
anything (250 status rows, the 13 attributes `get pools` reads: 10.8 s in moto, 0.35 s here,
in-process); paths with a list index are built from fresh conversions of only the top-level
attributes they start with. Items, order, page boundaries, LastEvaluatedKey, Count and ScannedCount are
unchanged; a Scan without a projection, or of an index, runs moto's own code.
"""

from __future__ import annotations

import re
from typing import Any

_LIST_ELEMENT = re.compile(r"(.+)\[(\d+)\]$")


class _ProjectedItem:
    """What the Scan response reads of a projected item: its attributes."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: dict[str, Any]) -> None:
        self.attrs = attrs


def _project_names(item: Any, paths: list[list[str]]) -> _ProjectedItem:
    """The projection of paths made of names only (`a`, `a.b.c`), picked out of the item's own
    values without converting them. A path that does not resolve (a missing name, or a name below
    something that is not a map) adds nothing. The values are the stored ones, not copies: the
    response is written out before the request ends."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    result: dict[str, Any] = {}
    for path in paths:
        leaf = _resolve(item.attrs, path)
        if leaf is None:
            continue
        target = result
        for name in path[:-1]:
            if name not in target:
                target[name] = DynamoType({"M": {}})
            target = target[name].value
        target[path[-1]] = leaf
    return _ProjectedItem(result)


def _resolve(attrs: dict[str, Any], path: list[str]) -> Any:
    value: Any = None
    source: Any = attrs
    for name in path:
        if source is None or name not in source:
            return None
        value = source[name]
        source = value.value if value.is_map() else None
    return value


def _project(item: Any, projection_expressions: list[list[str]]) -> Any:
    """Item.project's result, converting only the attributes each path can reach."""
    from botocore.utils import merge_dicts
    from moto.dynamodb.models.dynamo_type import Item, deserializer, serializer
    from moto.dynamodb.models.utilities import find_nested_key

    result: dict[str, Any] = {}
    for expr in projection_expressions:
        # find_nested_key reads only dct[expr[0]], or dct[name] for a list element `name[i]`.
        first = expr[0]
        element = _LIST_ELEMENT.match(first)
        names = {first, element.group(1)} if element else {first}
        reachable = {
            name: deserializer.deserialize(item.attrs[name].to_regular_json())
            for name in names
            if name in item.attrs
        }
        merge_dicts(result, find_nested_key(expr, reachable))
    return Item(hash_key=item.hash_key, range_key=item.range_key, attrs=serializer.serialize(result)["M"])


def _bytesize(raw: Any) -> int:
    """moto's utilities.bytesize: UTF-8 bytes of a string, or the length of bytes."""
    return len(raw if isinstance(raw, bytes) else raw.encode("utf-8"))


def _value_size(value: Any) -> int:
    """DynamoType.size() without its copies (it re-wraps every map value, and every list and map
    below it, at each level): the same number, in one walk."""
    if not hasattr(value, "type"):
        from moto.dynamodb.models.dynamo_type import DynamoType

        value = DynamoType(value)
    kind, raw = value.type, value.value
    if kind == "S":
        return _bytesize(raw)
    if kind == "M":
        return sum(_bytesize(k) + _value_size(v) for k, v in raw.items())
    if kind == "L":
        return sum(_value_size(v) for v in raw)
    if kind == "N":
        return len(str(raw))
    if kind in ("SS", "BS"):
        return sum(_bytesize(v) for v in raw)
    if kind == "NS":
        return sum(len(str(v)) for v in raw)
    if isinstance(raw, bool):
        return 1
    return _bytesize(raw)


def _item_size(item: Any) -> int:
    """Item.size(): what the 1 MB page limit counts (whole items, projected or not)."""
    return sum(_bytesize(key) + _value_size(value) for key, value in item.attrs.items())


def _scan(original: Any) -> Any:
    def scan(
        self: Any,
        filters: dict[str, Any],
        limit: int,
        exclusive_start_key: dict[str, Any],
        filter_expression: Any = None,
        index_name: str | None = None,
        consistent_read: bool = False,
        projection_expression: list[list[str]] | None = None,
        segments: Any = (None, None),
    ) -> Any:
        if index_name or not projection_expression:
            return original(
                self,
                filters,
                limit,
                exclusive_start_key,
                filter_expression,
                index_name,
                consistent_read,
                projection_expression,
                segments,
            )
        from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

        hash_attrs = [self.hash_key_attr]
        range_attrs = [self.range_key_attr]
        results: list[Any] = []
        result_size = 0
        scanned_count = 0
        last_evaluated_key = None
        processing_previous_page = exclusive_start_key is not None
        for item in self.all_items():
            if not item.is_within_segment(segments):
                continue
            if processing_previous_page:
                if self._item_comes_before_dct(item, exclusive_start_key, hash_attrs, range_attrs, True):
                    continue
                processing_previous_page = False
            size = _item_size(item)
            if len(results) == limit or result_size + size > RESULT_SIZE_LIMIT:
                last_evaluated_key = self._get_last_evaluated_key(results[-1], index_name)
                break
            if _passes(item, filters):
                # No copy: the projection below builds new items from fresh conversions.
                results.append(item)
                result_size += size
            scanned_count += 1
        if filter_expression is not None:
            results = [item for item in results if filter_expression.expr(item)]
        if all("[" not in name for path in projection_expression for name in path):
            results = [_project_names(item, projection_expression) for item in results]
        else:
            results = [_project(item, projection_expression) for item in results]
        return results, scanned_count, last_evaluated_key

    return scan


def _passes(item: Any, filters: dict[str, Any]) -> bool:
    """moto's legacy ScanFilter check, as in Table.scan."""
    for attribute_name, (comparison_operator, comparison_objs) in filters.items():
        attribute = item.attrs.get(attribute_name)
        if attribute:
            if not attribute.compare(comparison_operator, comparison_objs):
                return False
        elif comparison_operator != "NULL":
            return False
    return True


def install() -> None:
    from moto.dynamodb.models.table import Table

    Table.scan = _scan(Table.scan)  # type: ignore[method-assign]
