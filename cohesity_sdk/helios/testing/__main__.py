"""``python -m cohesity_sdk.helios.testing``: a FakeHelios in the foreground.

Prints ``FakeHelios listening on <url>``, ``API key: <key>`` and ``Control API: <url>``,
then serves until SIGINT or SIGTERM. ``--state FILE`` starts from a snapshot
(``FakeHelios.snapshot()`` as JSON); ``--save-state FILE`` writes one there on the way
out, with mode 0600: it holds every password, key and session id.

The bootstrap key comes from ``--api-key-file FILE``, ``FAKE_HELIOS_API_KEY`` or
``--api-key KEY`` (which every user of the machine can read in the process list, and
is warned about), else it is random. Listening beyond loopback is warned about too.
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

from cohesity_sdk.helios.private_file import PrivateFile
from cohesity_sdk.helios.proxies import is_loopback
from cohesity_sdk.helios.testing.fake_helios import FakeHelios
from cohesity_sdk.helios.testing.request_log import DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_REQUESTS

#: Where the bootstrap key may come from, out of the process list.
KEY_VARIABLE = "FAKE_HELIOS_API_KEY"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cohesity_sdk.helios.testing",
        description="Serve an in-memory Helios user-management API for tests.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on; beyond loopback, the control API "
                             "answers every client that reaches it")
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument("--api-key", default=None, metavar="KEY",
                      help=f"bootstrap API key (default: {KEY_VARIABLE}, else random); "
                           "others can read it in the process list: prefer "
                           f"{KEY_VARIABLE} or --api-key-file")
    keys.add_argument("--api-key-file", default=None, metavar="FILE",
                      help="read the bootstrap API key from the first line of FILE")
    parser.add_argument("--state", metavar="FILE", default=None,
                        help="start from this snapshot (JSON, as FakeHelios.snapshot() gives)")
    parser.add_argument("--save-state", metavar="FILE", default=None,
                        help="write a snapshot of the state to this file on exit (mode 0600: "
                             "it holds every password, key and session id)")
    parser.add_argument("--max-requests", metavar="N", type=int, default=DEFAULT_MAX_REQUESTS,
                        help=f"how many requests the log keeps (default: "
                             f"{DEFAULT_MAX_REQUESTS})")
    parser.add_argument("--max-log-bytes", metavar="N", type=int,
                        default=DEFAULT_MAX_LOG_BYTES,
                        help="how many bytes of bodies the log keeps whole, in all; past "
                             f"it the oldest are cut to a prefix (default: "
                             f"{DEFAULT_MAX_LOG_BYTES}, 16 MiB)")
    parser.add_argument("--no-control-api", action="store_true",
                        help="do not serve the control API under /_fake/")
    args = parser.parse_args(argv)

    stopped = threading.Event()

    def on_signal(signum: int, frame: Optional[FrameType]) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    if args.api_key is not None:
        print(f"warning: --api-key is visible to every user of this machine in the process "
              f"list; set {KEY_VARIABLE} or use --api-key-file FILE instead", file=sys.stderr)
    if not args.no_control_api and not is_loopback(args.host):
        print(f"warning: listening on {args.host}, beyond loopback: the control API under "
              f"/_fake/, which can read every secret through a snapshot, then answers anyone "
              f"who reaches it, without a key; add --no-control-api, or listen on "
              f"127.0.0.1", file=sys.stderr)
    try:
        api_key = _api_key(args)
        state = None if args.state is None else _read_state(args.state)
        fake = FakeHelios(port=args.port, host=args.host, api_key=api_key,
                          max_requests=args.max_requests, max_log_bytes=args.max_log_bytes,
                          state=state, control_api=not args.no_control_api)
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


def _api_key(args: argparse.Namespace) -> Optional[str]:
    """The bootstrap key: --api-key-file's first line, --api-key, FAKE_HELIOS_API_KEY,
    or ``None`` for a random one."""
    if args.api_key_file is not None:
        with open(args.api_key_file, encoding="utf-8") as file:
            key = file.readline().strip()
        if not key:
            raise ValueError(f"{args.api_key_file}: no key on its first line")
        return key
    if args.api_key is not None:
        return str(args.api_key)
    return os.environ.get(KEY_VARIABLE) or None


def _read_state(path: str) -> Any:
    with open(path, encoding="utf-8") as file:
        try:
            return json.load(file)
        except ValueError as exc:
            raise ValueError(f"{path}: not JSON: {exc}") from None


def _write_state(path: str, snapshot: Any) -> None:
    """Write ``snapshot`` to ``path`` with mode 0600 (it holds every secret), whole or not
    at all: a failed write leaves the old state as it was."""
    with PrivateFile(path) as file:
        file.commit(json.dumps(snapshot, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
