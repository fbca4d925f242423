"""S3: a DeleteObject in a versioned bucket sends its `Object Deleted` event.

AWS: deleting an object without a version id in a versioning-enabled bucket creates a delete
marker and emits `s3:ObjectRemoved:DeleteMarkerCreated`, which S3's EventBridge integration
delivers as detail-type `Object Deleted` with `deletion-type: Delete Marker Created` (S3 user guide,
"Amazon S3 Event Notifications" event types, and "EventBridge event message structure").
moto 5.2.5 creates the marker but sends no event at all, so a consumer of a versioned bucket never
hears of the deletion.

The wrapper sends moto's own event for the marker. moto's EventBridge builder reads the key's size
and ETag, which a delete marker does not have: they are sent as 0 and "" (AWS omits them).
"""

from __future__ import annotations

from typing import Any


class _MarkerKey:
    """The fields moto's event builders read, for a delete marker."""

    def __init__(self, marker: Any) -> None:
        self.name = marker.name
        self.size = 0
        self.etag = ""
        self.version_id = marker.version_id


def install() -> None:
    from moto.s3 import notifications
    from moto.s3.models import S3Backend

    original = S3Backend._set_delete_marker

    def _set_delete_marker(self: S3Backend, bucket_name: str, key_name: str) -> Any:
        marker = original(self, bucket_name, key_name)
        notifications.send_event(
            self.account_id,
            notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
            self.get_bucket(bucket_name),
            _MarkerKey(marker),
        )
        return marker

    S3Backend._set_delete_marker = _set_delete_marker  # type: ignore[method-assign]
