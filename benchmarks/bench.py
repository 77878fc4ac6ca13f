"""How fast the SDK is, beside the floor that urllib3, json and pydantic set.

    python benchmarks/bench.py            # a table
    python benchmarks/bench.py --json     # the same figures as JSON
    python benchmarks/bench.py --quick    # fewer repeats, for a first look

Every figure is the median of repeated runs: wall time for imports (fresh processes)
and the loopback calls, CPU time for the in-process figures. Each in-process figure is
taken in a fresh process (none inherits the heap another one left), the SDK and its
floor measured in alternation; its ratio is the median of the per-round ratios.
Nothing here asserts anything: the numbers are for people to read (and for the
README's "Performance" table).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cohesity_sdk.helios as helios  # noqa: E402
from cohesity_sdk.helios.testing import FakeHelios  # noqa: E402

Result = Dict[str, Any]


# -- measuring ---------------------------------------------------------------------


def cpu_times(
    sdk: Callable[[], Any], floor: Callable[[], Any], repeat: int, number: int = 1
) -> Tuple[float, float, float]:
    """Median CPU seconds of one call of ``sdk`` and of ``floor``, and their median ratio.

    The two alternate round by round, so that whatever else the machine is doing
    weighs on both alike; CPU time (not wall time) leaves out the moments this
    process was not running at all. The ratio is taken round by round too: a slow
    stretch of the machine then moves both sides of it.
    """
    sdk_times: List[float] = []
    floor_times: List[float] = []
    for _ in range(repeat):
        for fn, times in ((sdk, sdk_times), (floor, floor_times)):
            gc.collect()
            started = time.process_time()
            for _ in range(number):
                fn()
            times.append((time.process_time() - started) / number)
    ratios = [a / b for a, b in zip(sdk_times, floor_times)]
    return statistics.median(sdk_times), statistics.median(floor_times), statistics.median(ratios)


def peak_memory(fn: Callable[[], Any]) -> int:
    """Bytes allocated at the peak of one call of ``fn`` (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        keep = fn()  # noqa: F841 - the result is part of what the call costs
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def compile_package() -> None:
    """Write the package's bytecode, as an installed package has it: a fresh process
    that finds none compiles the sources it imports, which is no part of what it costs a
    user (and the environment may have turned writing it off)."""
    import compileall

    compileall.compile_dir(str(ROOT / "cohesity_sdk"), quiet=1)


def fresh_process(code: str, repeat: int) -> Tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) of ``python -c code`` in a new process."""
    walls, rss = [], []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    # The peak is read by the child itself: VmHWM starts afresh at exec.
    report = "\nprint(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
    for _ in range(repeat):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code + report], env=env,
                             capture_output=True, text=True, check=True).stdout
        walls.append(time.perf_counter() - started)
        rss.append(int(out.split()[-1]) / 1024)  # KiB
    return statistics.median(walls), statistics.median(rss)


# -- a transport that answers in-process ---------------------------------------------


class CannedPoolManager(urllib3.PoolManager):
    """A urllib3 pool manager that answers every request with fixed bytes, given to the
    client through its transport seam (``ApiClient(transport=...)``): the SDK reads the
    answer as it reads one from a socket."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        super().__init__()
        self.body = body
        self.status = status

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return canned_response(self.body, self.status, preload_content=False)


def canned_response(body: bytes, status: int = 200,
                    preload_content: bool = True) -> urllib3.HTTPResponse:
    return urllib3.HTTPResponse(
        body=io.BytesIO(body), status=status, preload_content=preload_content,
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
    )


def api_answering(body: bytes, status: int = 200, pause_gc: bool = True) -> helios.UserApi:
    configuration = helios.Configuration(host="https://helios.invalid/v2",
                                         pause_gc_on_decode=pause_gc)
    configuration.api_key["APIKeyHeader"] = "bench-key"
    client = helios.ApiClient(configuration, transport=CannedPoolManager(body, status))
    return helios.UserApi(client)


# -- data ------------------------------------------------------------------------------


def user_json(i: int) -> Dict[str, Any]:
    return {
        "sid": f"S-1-100-21-4213516873-{1000 + i}",
        "username": f"user{i:06d}",
        "domain": "LOCAL",
        "description": "Backup operator for the nightly jobs",
        "roles": ["COHESITY_VIEWER", "COHESITY_DATA_SECURITY"],
        "effectiveTimeMsecs": 1767225600000,
        "expiryTimeMsecs": 1798761600000,
        "createdTimeMsecs": 1767225600000 + i,
        "lastUpdatedTimeMsecs": 1767225600000 + i,
        "lastLoginTimeMsecs": 1767312000000 + i,
        "locked": False,
        "lockedReason": "NotLocked",
        "restricted": False,
        "forcePasswordChange": False,
        "primaryGroup": "local-users",
        "otherGroups": ["operators"],
        "tenantId": None,
        "localUserParams": {"email": f"user{i:06d}@example.com"},
        "s3AccountParams": {"s3AccountId": f"acct-{i}", "s3AccessKeyId": f"AKIA{i:012d}"},
    }


def users_body(count: int) -> bytes:
    return json.dumps({"users": [user_json(i) for i in range(count)]}).encode()


def new_users(count: int) -> List[helios.CreateUserParameters]:
    return [
        helios.CreateUserParameters(
            username=f"user{i:06d}", domain="LOCAL", roles=["COHESITY_VIEWER"],
            description="Imported from the HR export",
            local_user_params=helios.LocalUserParams(
                email=f"user{i:06d}@example.com", password="Initial-Passw0rd"
            ),
        )
        for i in range(count)
    ]


def new_users_json(count: int) -> List[Dict[str, Any]]:
    return [
        {
            "username": f"user{i:06d}", "domain": "LOCAL", "roles": ["COHESITY_VIEWER"],
            "description": "Imported from the HR export",
            "localUserParams": {"email": f"user{i:06d}@example.com",
                                "password": "Initial-Passw0rd"},
        }
        for i in range(count)
    ]


# -- the benchmarks ---------------------------------------------------------------------


def bench_import(repeat: int) -> Result:
    compile_package()
    sdk_wall, sdk_rss = fresh_process(
        "import cohesity_sdk.helios; cohesity_sdk.helios.UserApi", repeat)
    model_wall, model_rss = fresh_process(
        "import cohesity_sdk.helios; cohesity_sdk.helios.UserApi; cohesity_sdk.helios.UsersList",
        repeat)
    floor_wall, floor_rss = fresh_process("import pydantic, urllib3", repeat)
    bare_wall, bare_rss = fresh_process("pass", repeat)
    return {
        "sdk_s": sdk_wall, "sdk_rss_mib": sdk_rss,
        "with_model_s": model_wall, "with_model_rss_mib": model_rss,
        "floor_s": floor_wall, "floor_rss_mib": floor_rss,
        "python_s": bare_wall, "python_rss_mib": bare_rss,
        "ratio": sdk_wall / floor_wall,
    }


# A script's first result: import, one client, one get_users, in a fresh process, against
# a FakeHelios of the benchmark's process. The script times its own steps: the model
# (UsersList and the models it holds, pydantic's BaseModel with them) is loaded on its
# own line, so that its cost shows apart from the first call, which builds its validator.
FIRST_RESULT = """
import time
started = time.perf_counter()
import cohesity_sdk.helios as h
imported = time.perf_counter()
client = h.ApiClient(h.Configuration(host={host!r}, api_key={key!r}))
api = h.UserApi(client)
ready = time.perf_counter()
h.UsersList
loaded = time.perf_counter()
users = api.get_users()
answered = time.perf_counter()
api.get_users()
again = time.perf_counter()
client.close()
print(*(round(t * 1e3, 3) for t in (imported - started, ready - imported, loaded - ready,
                                     answered - loaded, again - answered)))
"""
# The same first model with pydantic alone: BaseModel loaded, a small model defined and
# one answer decoded, beside urllib3. What any SDK built on pydantic models pays first.
PYDANTIC_FIRST_MODEL = """
import urllib3
from pydantic import BaseModel
class User(BaseModel):
    username: str = ""
User.model_validate_json(b'{"username": "admin"}')
"""


def bench_first_result(repeat: int) -> Result:
    """A fresh process's first result, beside the bare import of pydantic and urllib3."""
    compile_package()
    walls: Dict[str, List[float]] = {}
    steps: List[List[float]] = []
    with FakeHelios() as fake:
        configuration = fake.configuration()
        code = FIRST_RESULT.format(host=configuration.host,
                                   key=configuration.api_key["APIKeyHeader"])
        for _ in range(repeat):
            # Round by round, so that the machine's moments weigh on all alike.
            for name, script in (("sdk", code), ("floor", "import pydantic, urllib3"),
                                 ("pydantic_model", PYDANTIC_FIRST_MODEL)):
                seconds, out = _timed_process(script)
                walls.setdefault(name, []).append(seconds)
                if name == "sdk":
                    steps.append([float(x) for x in out.split()])
    step = [statistics.median(column) for column in zip(*steps)]
    median = {name: statistics.median(times) for name, times in walls.items()}
    return {
        "sdk_s": median["sdk"], "floor_s": median["floor"],
        "pydantic_model_s": median["pydantic_model"],
        "ratio": statistics.median([a / b for a, b in zip(walls["sdk"], walls["floor"])]),
        "import_ms": step[0], "client_ms": step[1], "model_ms": step[2],
        "first_call_ms": step[3], "next_call_ms": step[4],
    }


def _timed_process(code: str) -> Tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    return time.perf_counter() - started, out


def bench_call(repeat: int) -> Result:
    body = json.dumps(user_json(1)).encode()
    api = api_answering(body)
    api.get_user_by_sid("S-1-100-21-4213516873-1001")  # warm: models imported
    sdk, floor, ratio = cpu_times(
        lambda: api.get_user_by_sid("S-1-100-21-4213516873-1001"),
        lambda: json.loads(canned_response(body).data),
        repeat, number=2000,
    )
    return {"sdk_us": sdk * 1e6, "floor_us": floor * 1e6, "ratio": ratio}


def bench_decode(count: int, repeat: int, pause_gc: bool = True) -> Result:
    body = users_body(count)
    api = api_answering(body, pause_gc=pause_gc)
    api.get_users()
    sdk, floor, ratio = cpu_times(
        api.get_users, lambda: json.loads(canned_response(body).data), repeat)
    return {
        "users": count, "bytes": len(body),
        "sdk_ms": sdk * 1e3, "floor_ms": floor * 1e3, "ratio": ratio,
        "sdk_peak_mib": peak_memory(api.get_users) / 2**20,
        "floor_peak_mib": peak_memory(lambda: json.loads(canned_response(body).data)) / 2**20,
    }


def bench_decode_beside_a_thread(count: int, repeat: int) -> Result:
    """``bench_decode`` while another thread exists: the garbage collector then keeps
    running during the decode, as it must when another thread could notice."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        body = users_body(count)
        api = api_answering(body)
        api.get_users()
        sdk, floor, ratio = cpu_times(
            api.get_users, lambda: json.loads(canned_response(body).data), repeat)
    finally:
        stop.set()
    return {"users": count, "sdk_ms": sdk * 1e3, "floor_ms": floor * 1e3, "ratio": ratio}


def bench_encode(count: int, repeat: int) -> Result:
    models = new_users(count)
    data = new_users_json(count)
    api = api_answering(b'{"users": []}', status=201)
    api.create_users(models)
    sdk, floor, ratio = cpu_times(
        lambda: api.create_users(models),
        lambda: json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(),
        repeat,
    )
    return {"users": count, "sdk_ms": sdk * 1e3, "floor_ms": floor * 1e3, "ratio": ratio}


def bench_loopback(seconds: float) -> Result:
    out: Result = {}
    with FakeHelios() as fake:
        with helios.ApiClient(fake.configuration()) as client:
            api = helios.UserApi(client)
            sid = (api.get_users(usernames=["admin"]).users or [])[0].sid or ""
            for threads in (1, 8):
                deadline = time.perf_counter() + seconds

                def work(deadline: float = deadline) -> int:
                    calls = 0
                    while time.perf_counter() < deadline:
                        api.get_user_by_sid(sid)
                        calls += 1
                    return calls

                started = time.perf_counter()
                with ThreadPoolExecutor(threads) as pool:
                    done = sum(pool.map(lambda _: work(), range(threads)))
                out[f"calls_per_s_{threads}_thread"] = done / (time.perf_counter() - started)
    return out


# The in-process figures: name -> (function, arguments given the number of repeats).
FIGURES: Dict[str, Tuple[Callable[..., Result], Callable[[int], Tuple[Any, ...]]]] = {
    "call": (bench_call, lambda repeat: (repeat,)),
    "decode_10k": (bench_decode, lambda repeat: (10_000, repeat)),
    "decode_100k": (bench_decode, lambda repeat: (100_000, max(3, repeat // 3))),
    "decode_10k_no_gc_pause": (bench_decode, lambda repeat: (10_000, repeat, False)),
    "decode_10k_threaded": (bench_decode_beside_a_thread, lambda repeat: (10_000, repeat)),
    "encode_10k": (bench_encode, lambda repeat: (10_000, repeat)),
    "encode_100k": (bench_encode, lambda repeat: (100_000, max(3, repeat // 3))),
}


def in_child(name: str, repeat: int) -> Result:
    """One in-process figure, taken in a fresh process."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--figure", name,
         "--repeat", str(repeat)],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def run(quick: bool) -> Result:
    repeat = 5 if quick else 15
    results: Result = {
        "python": sys.version.split()[0],
        "pydantic": __import__("pydantic").VERSION,
        "urllib3": getattr(urllib3, "__version__", "?"),
        "import": bench_import(repeat),
        "first_result": bench_first_result(repeat),
    }
    for name in FIGURES:
        results[name] = in_child(name, repeat)
    results["loopback"] = bench_loopback(1.0 if quick else 3.0)
    return results


def growth(small: Result, large: Result, key: str) -> str:
    return f"x{large[key] / small[key]:.1f}"


def table(r: Result) -> str:
    imp, call = r["import"], r["call"]
    d10, d100, e10, e100 = r["decode_10k"], r["decode_100k"], r["encode_10k"], r["encode_100k"]
    threaded, unpaused = r["decode_10k_threaded"], r["decode_10k_no_gc_pause"]
    first = r["first_result"]
    loop = r["loopback"]
    rows = [
        ("import cohesity_sdk.helios + UserApi", f"{imp['sdk_s'] * 1e3:.0f} ms, "
         f"{imp['sdk_rss_mib']:.0f} MiB", f"{imp['floor_s'] * 1e3:.0f} ms, "
         f"{imp['floor_rss_mib']:.0f} MiB (pydantic, urllib3)", f"{imp['ratio']:.2f}x"),
        ("... and a first model (UsersList)", f"{imp['with_model_s'] * 1e3:.0f} ms, "
         f"{imp['with_model_rss_mib']:.0f} MiB", "",
         f"{imp['with_model_s'] / imp['floor_s']:.2f}x"),
        ("a script's first result: import, client, get_users", f"{first['sdk_s'] * 1e3:.0f} ms",
         f"{first['floor_s'] * 1e3:.0f} ms (import pydantic, urllib3)", f"{first['ratio']:.2f}x"),
        ("... of which: import, client, the model, first call, next call",
         f"{first['import_ms']:.0f} + {first['client_ms']:.0f} + {first['model_ms']:.0f} + "
         f"{first['first_call_ms']:.0f} ms ({first['next_call_ms']:.1f})",
         f"{first['pydantic_model_s'] * 1e3:.0f} ms (urllib3, a pydantic model and a decode)",
         f"{first['sdk_s'] / first['pydantic_model_s']:.2f}x"),
        ("get_user_by_sid, per call", f"{call['sdk_us']:.1f} us",
         f"{call['floor_us']:.1f} us (response + json.loads)", f"{call['ratio']:.2f}x"),
    ]
    for d in (d10, d100):
        rows.append((f"get_users, {d['users']:,} users ({d['bytes'] / 2**20:.1f} MiB)",
                     f"{d['sdk_ms']:.0f} ms, peak {d['sdk_peak_mib']:.0f} MiB",
                     f"{d['floor_ms']:.0f} ms, peak {d['floor_peak_mib']:.0f} MiB (json.loads)",
                     f"{d['ratio']:.2f}x"))
    rows.append((f"get_users, {unpaused['users']:,} users, pause_gc_on_decode=False",
                 f"{unpaused['sdk_ms']:.0f} ms", f"{unpaused['floor_ms']:.0f} ms (json.loads)",
                 f"{unpaused['ratio']:.2f}x"))
    rows.append((f"get_users, {threaded['users']:,} users, beside another thread",
                 f"{threaded['sdk_ms']:.0f} ms", f"{threaded['floor_ms']:.0f} ms (json.loads)",
                 f"{threaded['ratio']:.2f}x"))
    for e in (e10, e100):
        rows.append((f"create_users, {e['users']:,} users", f"{e['sdk_ms']:.0f} ms",
                     f"{e['floor_ms']:.0f} ms (json.dumps)", f"{e['ratio']:.2f}x"))
    rows.append(("loopback to FakeHelios, get_user_by_sid",
                 f"{loop['calls_per_s_1_thread']:.0f} calls/s (1 thread), "
                 f"{loop['calls_per_s_8_thread']:.0f} calls/s (8 threads)", "", ""))
    widths = [max(len(row[i]) for row in rows + [("what", "SDK", "floor", "ratio")])
              for i in range(4)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(("what", "SDK", "floor", "ratio"), widths))]
    lines.append("-|-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    lines.append("")
    # The floor's own growth beside the SDK's: the two sizes are timed in different
    # processes, minutes apart, and a shared machine's speed moves in between.
    lines.append(
        f"10k -> 100k users (linear is x10): decode time {growth(d10, d100, 'sdk_ms')} "
        f"(json.loads {growth(d10, d100, 'floor_ms')}), peak memory "
        f"{growth(d10, d100, 'sdk_peak_mib')}, encode time {growth(e10, e100, 'sdk_ms')} "
        f"(json.dumps {growth(e10, e100, 'floor_ms')})"
    )
    lines.append(f"Python {r['python']}, pydantic {r['pydantic']}, urllib3 {r['urllib3']}")
    return "\n".join(lines)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    # How the script runs one in-process figure in a fresh process of its own.
    parser.add_argument("--figure", choices=sorted(FIGURES), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=15, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.figure:
        function, arguments = FIGURES[args.figure]
        print(json.dumps(function(*arguments(args.repeat))))
        return 0
    results = run(args.quick)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
