"""``Configuration.pause_gc_on_decode``: the garbage collector is paused while a large
answer is decoded (by default), or left alone (False).

Each client runs in a process of its own with one thread, as a script does (the pause is
taken only then), against ``python -m cohesity_sdk.helios.testing``; the collections
that happen during a call are counted with ``gc.callbacks``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict, Iterator, Tuple

import pytest
from conftest import start_served_fake, stop_served_fake

from cohesity_sdk.helios import ApiClient, Configuration, CreateUserParameters, UserApi

USERS = 2000  # an answer of about 1 MiB: above parse.GC_PAUSE_BYTES

CLIENT = """
import gc, json, sys, threading
import cohesity_sdk.helios as h

configuration = h.Configuration(host=sys.argv[1], api_key=sys.argv[2])
if sys.argv[3] != "default":
    configuration.pause_gc_on_decode = sys.argv[3] == "True"
with h.ApiClient(configuration) as client:
    api = h.UserApi(client)
    api.get_users(usernames=["admin"])  # the models loaded, the connection open
    collections = []
    gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(1))
    users = api.get_users()
    gc.callbacks.clear()
print(json.dumps({"users": len(users), "collections": len(collections),
                  "enabled": gc.isenabled(), "threads": threading.active_count()}))
"""


@pytest.fixture(scope="module")
def served() -> Iterator[Tuple[str, str]]:
    proc, url, key = start_served_fake()
    try:
        with ApiClient(Configuration(host=url, api_key=key)) as client:
            UserApi(client).create_users([
                CreateUserParameters(username=f"user{i:05d}", domain="LOCAL",
                                     description="Imported from the HR export",
                                     roles=["COHESITY_VIEWER"],
                                     local_user_params={"email": f"user{i:05d}@example.com",
                                                        "password": "Initial-Passw0rd"})
                for i in range(USERS)])
        yield url, key
    finally:
        stop_served_fake(proc)


def run_client(served: Tuple[str, str], setting: str) -> Dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", CLIENT, *served, setting],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    result: Dict[str, Any] = json.loads(out)
    assert result["users"] == USERS + 1 and result["threads"] == 1
    assert result["enabled"]  # switched back on after the decode, whatever the setting
    return result


def test_the_collector_is_paused_while_a_large_answer_is_decoded(
        served: Tuple[str, str]) -> None:
    # Building 2,000 users makes tens of thousands of objects. Left alone, the collector
    # runs during the call: dozens of times before Python 3.12, where allocations set it
    # off; from 3.12, which runs it between bytecodes only, once after the decode, over
    # all of them. Paused, it runs only around the decode, if at all.
    left_alone = run_client(served, "False")["collections"]
    if sys.version_info < (3, 12):
        assert left_alone >= 20
        most = left_alone // 4
    else:
        assert left_alone >= 1
        most = left_alone - 1
    for setting in ("default", "True"):
        assert run_client(served, setting)["collections"] <= most


def test_the_setting_is_checked() -> None:
    configuration = Configuration()
    assert configuration.pause_gc_on_decode is True
    configuration.pause_gc_on_decode = False
    assert configuration.copy().pause_gc_on_decode is False
    with pytest.raises(TypeError, match="pause_gc_on_decode"):
        configuration.pause_gc_on_decode = "no"  # type: ignore[assignment]
