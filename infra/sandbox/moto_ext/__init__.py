"""The sandbox's extension of moto: patches loaded into the moto server process before it serves.

Each module closes one gap between moto and the AWS behaviour the project relies on; see
docs/sandbox.md for the list, the AWS behaviour each reproduces and the test that covers it.
The patches reach into moto internals, so they are written against exactly one moto version.
"""

from __future__ import annotations

EXPECTED_MOTO_VERSION = "5.2.5"


def install() -> None:
    import moto

    if moto.__version__ != EXPECTED_MOTO_VERSION:
        raise SystemExit(
            f"sandbox: the moto extension is written against moto {EXPECTED_MOTO_VERSION} but "
            f"{moto.__version__} is installed ({moto.__file__}). Run `npm run sandbox:setup` to install "
            "the pinned version into infra/sandbox/.venv, and start the sandbox with that venv's python."
        )

    from . import (
        control,
        dynamodb_atomic,
        dynamodb_items_out,
        dynamodb_scan,
        edge_zones,
        eks_clusters,
        eks_nodegroups,
        eks_tags,
        launch_templates,
        s3_delete_markers,
        s3_event_ids,
        sqs_attributes,
        ssm_public_parameters,
        strict,
    )

    control.install()
    # After control: the strict checks wrap the dispatcher that control installed.
    strict.install()
    edge_zones.install()
    eks_clusters.install()
    eks_tags.install()
    eks_nodegroups.install()
    launch_templates.install()
    ssm_public_parameters.install()
    s3_event_ids.install()
    s3_delete_markers.install()
    dynamodb_atomic.install()
    dynamodb_scan.install()
    dynamodb_items_out.install()
    sqs_attributes.install()
