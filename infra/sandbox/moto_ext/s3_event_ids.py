"""EventBridge: give every S3 event its own id.

AWS: each event delivered by EventBridge has a unique `id` ("Amazon EventBridge events",
EventBridge user guide: "id: A unique value is generated for every event"); S3's EventBridge
notifications follow that structure (S3 user guide, "EventBridge event message structure").
moto copies one constant template (the documentation's example id) for every S3 event, so all
S3 events share the id 17793124-05d4-b198-2fde-7ededc63b103, which breaks any consumer that
de-duplicates on it.

moto builds each S3 event with `copy.deepcopy(moto.events.utils._BASE_EVENT_MESSAGE)`, looked up
at call time; the template is replaced by one whose deep copies carry a fresh UUID. PutEvents
already assigns its own ids and keeps its own reference to the original template.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any


class _FreshIdTemplate(dict):  # type: ignore[type-arg]
    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        event = {key: copy.deepcopy(value, memo) for key, value in self.items()}
        event["id"] = str(uuid.uuid4())
        return event


def install() -> None:
    import moto.events.utils as events_utils

    events_utils._BASE_EVENT_MESSAGE = _FreshIdTemplate(events_utils._BASE_EVENT_MESSAGE)  # type: ignore[assignment]
