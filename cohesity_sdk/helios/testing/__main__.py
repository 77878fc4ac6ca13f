"""``python -m cohesity_sdk.helios.testing``: a FakeHelios in the foreground.

Prints ``FakeHelios listening on <url>``, ``API key: <key>`` and ``Control API: <url>``,
then serves until SIGINT or SIGTERM. ``--state FILE`` starts from a snapshot
(``FakeHelios.snapshot()`` as JSON); ``--save-state FILE`` writes one there on the way
out.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any, Optional, Sequence

from cohesity_sdk.helios.testing.fake_helios import FakeHelios


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cohesity_sdk.helios.testing",
        description="Serve an in-memory Helios user-management API for tests.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on; beyond loopback, the control API "
                             "answers every client that reaches it")
    parser.add_argument("--api-key", default=None, help="bootstrap API key (default: random)")
    parser.add_argument("--state", metavar="FILE", default=None,
                        help="start from this snapshot (JSON, as FakeHelios.snapshot() gives)")
    parser.add_argument("--save-state", metavar="FILE", default=None,
                        help="write a snapshot of the state to this file on exit")
    parser.add_argument("--max-requests", metavar="N", type=int, default=1000,
                        help="how many requests the log keeps (default: 1000)")
    parser.add_argument("--no-control-api", action="store_true",
                        help="do not serve the control API under /_fake/")
    args = parser.parse_args(argv)

    stopped = threading.Event()

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    try:
        state = None if args.state is None else _read_state(args.state)
        fake = FakeHelios(port=args.port, host=args.host, api_key=args.api_key,
                          max_requests=args.max_requests, state=state,
                          control_api=not args.no_control_api)
        fake.start()
    except (OSError, ValueError) as exc:
        print(f"cannot start FakeHelios: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"FakeHelios listening on {fake.url}")
        print(f"API key: {fake.api_key}")
        if not args.no_control_api:
            print(f"Control API: {fake.control_url}")
        sys.stdout.flush()
        # A timeout keeps the main thread waking up, so signals are seen everywhere.
        while not stopped.wait(0.5):
            pass
    finally:
        fake.stop()
    if args.save_state is not None:
        try:
            _write_state(args.save_state, fake.snapshot())
        except OSError as exc:
            print(f"cannot save the state: {exc}", file=sys.stderr)
            return 1
    return 0


def _read_state(path: str) -> Any:
    with open(path, encoding="utf-8") as file:
        try:
            return json.load(file)
        except ValueError as exc:
            raise ValueError(f"{path}: not JSON: {exc}") from None


def _write_state(path: str, snapshot: Any) -> None:
    # Through a temporary file, so that a failed write leaves the old state whole.
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(snapshot, file, indent=2)
        file.write("\n")
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
