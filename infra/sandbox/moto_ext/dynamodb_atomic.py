"""DynamoDB: a conditional write checks its condition and writes as one step.

AWS: "Individual write operations such as UpdateItem are atomic and always operate on the most
recent version of the item, regardless of concurrency" (DynamoDB developer guide, "Best practices
for handling concurrent updates in DynamoDB"); optimistic locking with a version attribute relies
on it: of writers that all expect the version they read, one succeeds and the others get
ConditionalCheckFailedException ("Optimistic locking with version number").

moto's server is threaded and its backend reads the item, evaluates the condition and stores the
new item without a lock, so two requests that arrive together can both pass the same condition:
the fault suite measured three of ten conditional status writes on one revision succeeding.
Every item write of the backend (PutItem, UpdateItem, DeleteItem, TransactWriteItems) now runs
under one lock; reads are not blocked.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable

_lock = threading.RLock()

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def _serialized(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def under_lock(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return write(*args, **kwargs)

    return under_lock


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))
