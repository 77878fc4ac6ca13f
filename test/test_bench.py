"""The benchmark script keeps working (its figures are read by people, not asserted)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)
    return module


def test_the_in_process_figures_come_from_real_calls(bench: ModuleType) -> None:
    # The canned transport really answers the SDK: the decoded users are the ones served.
    api = bench.api_answering(bench.users_body(3))
    assert [u.username for u in api.get_users().users] == ["user000000", "user000001",
                                                          "user000002"]
    results = {
        "python": "x", "pydantic": "x", "urllib3": "x",
        "import": bench.bench_import(1),
        "first_result": bench.bench_first_result(1),
        # Taken the way the script takes it: in a process of its own.
        "call": bench.in_child("call", 1),
        "decode_10k": bench.bench_decode(50, 1),
        "decode_100k": bench.bench_decode(500, 1),
        "decode_10k_no_gc_pause": bench.bench_decode(50, 1, pause_gc=False),
        "decode_10k_threaded": bench.bench_decode_beside_a_thread(50, 1),
        "encode_10k": bench.bench_encode(50, 1),
        "encode_100k": bench.bench_encode(500, 1),
        "loopback": bench.bench_loopback(0.2),
    }
    json.dumps(results)
    assert results["decode_100k"]["users"] == 500
    assert results["loopback"]["calls_per_s_1_thread"] > 0
    assert results["first_result"]["first_call_ms"] > results["first_result"]["next_call_ms"]
    for section in ("import", "first_result", "call", "decode_10k", "encode_10k"):
        assert results[section]["ratio"] > 0
    assert "create_users, 500 users" in bench.table(results)
