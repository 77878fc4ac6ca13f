"""``python -m cohesity_sdk.helios.testing``: a FakeHelios in the foreground.

Prints ``FakeHelios listening on <url>`` and ``API key: <key>``, then serves until
SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Optional, Sequence

from cohesity_sdk.helios.testing.fake_helios import FakeHelios


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cohesity_sdk.helios.testing",
        description="Serve an in-memory Helios user-management API for tests.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--api-key", default=None, help="bootstrap API key (default: random)")
    args = parser.parse_args(argv)

    stopped = threading.Event()

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    try:
        fake = FakeHelios(port=args.port, host=args.host, api_key=args.api_key)
        fake.start()
    except (OSError, ValueError) as exc:
        print(f"cannot start FakeHelios: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"FakeHelios listening on {fake.url}")
        print(f"API key: {fake.api_key}", flush=True)
        # A timeout keeps the main thread waking up, so signals are seen everywhere.
        while not stopped.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
