"""SQS queue attributes worked out when one is read, not all of them on every send.

What is slow in moto 5.2.5, and is not AWS behaviour: `Queue.attributes` builds every attribute of
the queue, including the three ApproximateNumberOfMessages* counts, each a walk over every message
in the queue with a clock read per message. SendMessage (and so SendMessageBatch, once per entry)
reads it for a single key, ContentBasedDeduplication. Every send therefore walks the whole queue,
and filling a queue costs the square of its depth. Measured on the sandbox: the resync sweep's 100
SendMessageBatch calls for 1,000 pools took 136 s, single batches 13-28 s once the queue held a few
hundred messages. On AWS a send does not depend on how many messages wait (SQS developer guide,
"Amazon SQS quotas": standard queues support a nearly unlimited number of API calls per second, and
the number of messages a queue holds is unlimited).

Here `Queue.attributes` is a read-only mapping with the same keys as moto's dict. Each value is
worked out when it is read, by the same rules moto applies when it builds the dict (the attribute
read from the queue, a redrive policy as its JSON text, booleans as "true"/"false"). Iterating it
(GetQueueAttributes with All) reads every value, as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any


class _QueueAttributes(Mapping[str, Any]):
    def __init__(self, queue: Any) -> None:
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        self._names = list(dict.fromkeys(names))

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        from moto.core.utils import camelcase_to_underscores

        value = getattr(self._queue, camelcase_to_underscores(name))
        if name == "RedrivePolicy" and value:
            value = json.dumps(value)
        if isinstance(value, bool):
            value = str(value).lower()
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def install() -> None:
    from moto.sqs.models import Queue

    Queue.attributes = property(_QueueAttributes)  # type: ignore[assignment, method-assign]
