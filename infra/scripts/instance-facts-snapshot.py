"""Writes lib/rules/instance-facts-snapshot.json from DescribeInstanceTypes data.

The data is the DescribeInstanceTypes output that moto ships (moto/ec2/resources/instance_types.json.gz,
recorded from AWS by moto's maintainers); the sandbox venv pins moto, so the snapshot is reproducible:

    infra/sandbox/.venv/bin/python infra/scripts/instance-facts-snapshot.py [--date YYYY-MM-DD] [--check]

Per type: vCPUs, threads per core, memory (MiB), first architecture, NitroEnclavesSupport and
HibernationSupported, as [vcpus, threadsPerCore, memoryMib, architecture, enclaves 0/1, hibernation 0/1].
--check exits 1 when the file on disk differs from what the data gives (except the date).
"""

import argparse
import datetime
import gzip
import json
import pathlib
import sys

import moto
from moto.ec2 import models as ec2_models

DATA = pathlib.Path(ec2_models.__file__).parent.parent / "resources" / "instance_types.json.gz"
OUT = pathlib.Path(__file__).resolve().parents[2] / "lib" / "rules" / "instance-facts-snapshot.json"


def facts(entry):
    vcpu = entry["VCpuInfo"]
    archs = entry.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    return [
        vcpu["DefaultVCpus"],
        vcpu.get("DefaultThreadsPerCore", 1),
        entry["MemoryInfo"]["SizeInMiB"],
        archs[0] if archs else "unknown",
        1 if entry.get("NitroEnclavesSupport") == "supported" else 0,
        1 if entry.get("HibernationSupported") else 0,
    ]


def snapshot(date):
    data = json.load(gzip.open(DATA))
    return {
        "source": f"DescribeInstanceTypes data shipped with moto {moto.__version__} (moto/ec2/resources/instance_types.json.gz)",
        "date": date,
        "fields": ["vcpus", "threadsPerCore", "memoryMib", "architecture", "nitroEnclavesSupported", "hibernationSupported"],
        "types": {name: facts(data[name]) for name in sorted(data)},
    }


def render(value):
    # One type per line keeps diffs of a regenerated snapshot readable.
    head = {k: v for k, v in value.items() if k != "types"}
    lines = [json.dumps(head, indent=2)[:-2] + ',\n  "types": {']
    items = list(value["types"].items())
    for i, (name, row) in enumerate(items):
        lines.append(f'    {json.dumps(name)}: {json.dumps(row)}' + ("," if i < len(items) - 1 else ""))
    lines.append("  }\n}\n")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        current = json.loads(OUT.read_text())
        fresh = snapshot(current["date"])
        if current != fresh:
            print(f"{OUT} is not what {DATA} gives; regenerate it", file=sys.stderr)
            sys.exit(1)
        print(f"{OUT}: up to date ({len(fresh['types'])} types)")
        return
    OUT.write_text(render(snapshot(args.date)))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
