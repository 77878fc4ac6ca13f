"""How much of the SDK one call walks through: its Python function calls, the files they
are in, how often a call crosses from one file to another, and how deep the SDK's
frames go.

    python tools/trace_call.py            # a table
    python tools/trace_call.py --json     # the same figures as JSON

Two calls are traced, each against a local FakeHelios (whose own functions run on the
server's threads, which are not traced), after a first call has warmed every cache:

- ``get_user_by_sid`` with an API key;
- the same with a session login whose session has expired: answered 401, the session
  is made again, and the call sent again.

Only the SDK's own functions count (``cohesity_sdk``, the generated models and the
testing package left out): what a reader follows to understand one call.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cohesity_sdk.helios as helios  # noqa: E402
from cohesity_sdk.helios.testing import FakeHelios  # noqa: E402

PACKAGE = str(ROOT / "cohesity_sdk" / "helios")
LEFT_OUT = (str(Path(PACKAGE) / "models") + "/", str(Path(PACKAGE) / "testing") + "/")


def _ours(filename: str) -> bool:
    return filename.startswith(PACKAGE) and not filename.startswith(LEFT_OUT)


class Trace:
    """The SDK's Python calls of one traced run."""

    def __init__(self) -> None:
        self.calls = 0
        self.crossings = 0
        self.files: Dict[str, int] = {}
        self.depth = 0
        self.deepest = 0
        self.functions: List[str] = []

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        if not _ours(code.co_filename):
            return
        if event == "call":
            self.calls += 1
            name = str(Path(code.co_filename).relative_to(ROOT))
            self.files[name] = self.files.get(name, 0) + 1
            self.functions.append(f"{name}:{code.co_name}")
            caller = _caller(frame.f_back)
            if caller is not None and caller != code.co_filename:
                self.crossings += 1
            self.depth = _depth(frame)
            self.deepest = max(self.deepest, self.depth)

    def figures(self) -> Dict[str, Any]:
        return {"sdk_calls": self.calls, "files": len(self.files),
                "crossing_a_file": self.crossings, "deepest": self.deepest,
                "by_file": dict(sorted(self.files.items()))}


def _caller(frame: Optional[FrameType]) -> Optional[str]:
    """The file of the nearest SDK frame below, if any."""
    while frame is not None:
        if _ours(frame.f_code.co_filename):
            return frame.f_code.co_filename
        frame = frame.f_back
    return None


def _depth(frame: Optional[FrameType]) -> int:
    depth = 0
    while frame is not None:
        if _ours(frame.f_code.co_filename):
            depth += 1
        frame = frame.f_back
    return depth


def traced(call: Callable[[], Any]) -> Trace:
    trace = Trace()
    sys.setprofile(trace)
    try:
        call()
    finally:
        sys.setprofile(None)
    return trace


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--functions", action="store_true",
                        help="also list each SDK function called, in order")
    args = parser.parse_args(argv)
    results: Dict[str, Any] = {}
    with FakeHelios() as fake:
        with helios.ApiClient(fake.configuration(retries=0)) as client:
            api = helios.UserApi(client)
            sid = str(api.get_users().users[0].sid)
            api.get_user_by_sid(sid)  # warm
            trace = traced(lambda: api.get_user_by_sid(sid))
            results["get_user_by_sid, API key"] = trace
        login = fake.configuration(username="admin", password="admin", retries=0)
        with helios.ApiClient(login) as client:
            api = helios.UserApi(client)
            api.get_user_by_sid(sid)  # logs in
            fake.expire_sessions()
            api.get_user_by_sid(sid)  # a first renewal: warm
            fake.expire_sessions()
            trace = traced(lambda: api.get_user_by_sid(sid))
            results["get_user_by_sid, 401 then a new session"] = trace
    figures = {name: trace.figures() for name, trace in results.items()}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{'':45} {'calls':>6} {'files':>6} {'crossing':>9} {'deepest':>8}")
        for name, found in figures.items():
            print(f"{name:45} {found['sdk_calls']:>6} {found['files']:>6} "
                  f"{found['crossing_a_file']:>9} {found['deepest']:>8}")
    if args.functions:
        for name, trace in results.items():
            print(f"\n{name}:")
            for function in trace.functions:
                print(f"  {function}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
