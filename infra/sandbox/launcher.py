"""Starts the local AWS sandbox: moto's server with the project's extension loaded.

    infra/sandbox/.venv/bin/python infra/sandbox/launcher.py --port 4566 [--host 127.0.0.1]
        [--parent-pid PID]

--parent-pid makes the server exit when that process is gone, so a test runner that is killed
does not leave sandboxes behind. Everything else on the command line goes to moto's server.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time


def _exit_with_parent(parent_pid: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
            if os.getppid() != parent_pid and os.getppid() == 1:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "4566")))
    parser.add_argument("--parent-pid", type=int, default=None)
    args, passthrough = parser.parse_known_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import moto_ext

    moto_ext.install()
    if args.parent_pid:
        _exit_with_parent(args.parent_pid)

    from moto.server import main as moto_main
    from moto_ext import warmup

    warmup.start_in_background(args.host, args.port)

    print(f"sandbox: moto with the enclave-pools extension on http://{args.host}:{args.port}", flush=True)
    moto_main(["-H", args.host, "-p", str(args.port), *passthrough])


if __name__ == "__main__":
    main()
