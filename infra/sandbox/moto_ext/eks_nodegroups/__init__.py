"""EKS managed node groups: updates with a rolling lifecycle, idempotency tokens and defaults.

One module per patch of moto, all sharing the node group state in `lifecycle`:

  * version_updates: UpdateNodegroupVersion, DescribeUpdate, ListUpdates (routes and handlers)
  * config_updates:  UpdateNodegroupConfig as a stored, progressing update
  * creation:        CreateNodegroup defaults and checks, optional CREATING phase
  * deletion:        DeleteNodegroup with an optional DELETING phase
  * settling:        reads advance the lifecycle first
  * instances:       EC2 instances and an Auto Scaling group behind each node group

docs/sandbox.md lists the AWS behaviour each reproduces and the tests that cover it.
"""

from __future__ import annotations


def install() -> None:
    from . import config_updates, creation, deletion, instances, settling, version_updates

    version_updates.install()
    config_updates.install()
    creation.install()
    deletion.install()
    settling.install()
    # Last: it wraps the wrappers above.
    instances.install()
