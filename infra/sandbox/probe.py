"""Asks what answers on a port: exit 0 = this project's sandbox, ready (prints its pid), 3 = this
project's sandbox, still starting, 2 = something else is listening, 1 = nothing is listening. Used by start.sh and stop.sh (no curl needed)."""

import json
import socket
import sys
import urllib.request

SERVICE_NAME = "enclave-pools-sandbox"


def main() -> int:
    port = int(sys.argv[1])
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1) as response:
            health = json.load(response)
        if health.get("service") == SERVICE_NAME:
            print(health.get("pid", ""))
            return 0 if health.get("status") == "ok" else 3
    except Exception:  # noqa: BLE001 - anything but our health answer means "not ours"
        pass
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return 2 if probe.connect_ex(("127.0.0.1", port)) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
