"""FakeHelios where a shared test server needs care: saved state only its owner reads,
a request log bounded in bytes, and warnings for a key on the command line and for
listening beyond loopback. ``python -m cohesity_sdk.helios.testing`` is run as a user
runs it, in a process of its own."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from conftest import start_served_fake, stop_served_fake

from cohesity_sdk.helios import (
    ApiClient,
    Configuration,
    CreateUserParameters,
    LocalUserParams,
    UserApi,
)
from cohesity_sdk.helios.testing import FakeHelios
from cohesity_sdk.helios.testing.request_log import CUT_BODY_BYTES, DEFAULT_MAX_LOG_BYTES

MIB = 1024 * 1024


def post(url: str, body: bytes, key: Optional[str] = None) -> int:
    """POST ``body`` to ``/users`` of the fake at ``url``; the status answered."""
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()  # type: ignore[union-attr]
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        headers = {"Content-Type": "application/json", **({"apiKey": key} if key else {})}
        connection.request("POST", "/v2/users", body, headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def logged(url: str) -> List[Dict[str, Any]]:
    with urllib.request.urlopen(url[: -len("/v2")] + "/_fake/requests", timeout=30) as answer:
        listed: List[Dict[str, Any]] = json.loads(answer.read())
        return listed


# -- saved state is private ---------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_saved_state_is_written_for_its_owner_only(tmp_path: Path) -> None:
    saved = tmp_path / "state.json"
    saved.write_text('{"version": 1}\n', encoding="utf-8")
    saved.chmod(0o644)  # an older file that others could read: replaced whole
    old_umask = os.umask(0o022)  # the usual one, which would give 0644
    try:
        proc, url, key = start_served_fake("--state", str(saved), "--save-state", str(saved))
    finally:
        os.umask(old_umask)
    try:
        with ApiClient(Configuration(host=url, api_key=key)) as client:
            UserApi(client).create_users([CreateUserParameters(
                username="kept", domain="LOCAL",
                local_user_params=LocalUserParams(password="Kept-Pa55"))])
    finally:
        status, stderr = stop_served_fake(proc)
    assert status == 0, stderr
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    text = saved.read_text(encoding="utf-8")
    assert "Kept-Pa55" in text  # the secrets it holds are why
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary left


# -- the request log is bounded in bytes ----------------------------------------------------


def test_the_log_keeps_bodies_whole_up_to_its_budget() -> None:
    body = b'{"pad": "' + b"x" * 3000 + b'"}'
    with FakeHelios(max_log_bytes=2 * len(body)) as fake:
        for _ in range(3):
            post(fake.url, body)
        oldest, middle, newest = fake.requests
        assert fake.requests.max_log_bytes == 2 * len(body)
        assert oldest.truncated and not middle.truncated and not newest.truncated
        assert oldest.body == body[:CUT_BODY_BYTES] and oldest.body_size == len(body)
        assert oldest.json is None and newest.json == {"pad": "x" * 3000}
        assert oldest.status == 401  # the answer is still recorded
        assert "cut to fit the log" in repr(oldest)
        assert oldest.to_json()["bodySize"] == len(body) and oldest.to_json()["truncated"]

        # A body larger than the whole budget is cut as it arrives.
        post(fake.url, body * 3)
        assert fake.requests[-1].truncated and fake.requests[-1].body_size == 3 * len(body)
        # clear() gives the whole budget back.
        fake.requests.clear()
        post(fake.url, body)
        post(fake.url, body)
        assert [r.truncated for r in fake.requests] == [False, False]


def test_the_default_budget_and_none() -> None:
    assert DEFAULT_MAX_LOG_BYTES == 16 * MIB
    with FakeHelios(max_log_bytes=None) as fake:
        assert fake.requests.max_log_bytes is None
    for bad in (-1, 1.5, "1", True):
        with pytest.raises(ValueError, match="max_log_bytes"):
            FakeHelios(max_log_bytes=bad)  # type: ignore[arg-type]


def resident_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_refused_big_posts_do_not_grow_a_served_fake_without_bound() -> None:
    # Twenty refused 8 MiB POSTs: each is logged, but only 16 MiB of bodies stay whole.
    body = json.dumps({"pad": "x" * (8 * MIB - 16)}).encode()  # 8 MiB, two to a budget
    proc, url, _ = start_served_fake()
    try:
        for _ in range(3):  # the fake's allocations settle
            assert post(url, body) == 401
        settled = resident_mib(proc.pid)
        for _ in range(17):
            assert post(url, body) == 401
        grown = resident_mib(proc.pid) - settled
        entries = logged(url)
    finally:
        stop_served_fake(proc)
    # Unbounded, seventeen more bodies and their JSON are about 270 MiB. Bounded, what
    # the allocator keeps of the requests in flight stays well under half of that.
    assert grown < 128, f"the fake grew by {grown:.0f} MiB"
    assert len(entries) == 20
    assert all(e["bodySize"] == len(body) for e in entries)
    assert [e["truncated"] for e in entries] == [True] * 18 + [False, False]


def test_the_command_takes_the_budget(tmp_path: Path) -> None:
    proc, url, _ = start_served_fake("--max-log-bytes", "5000")
    try:
        for _ in range(2):
            post(url, b'{"pad": "' + b"y" * 3000 + b'"}')
        entries = logged(url)
    finally:
        stop_served_fake(proc)
    assert [e["truncated"] for e in entries] == [True, False]


# -- warnings -----------------------------------------------------------------------------


def serve(*args: str, env: Optional[Dict[str, str]] = None) -> "subprocess.Popen[str]":
    return subprocess.Popen(
        [sys.executable, "-m", "cohesity_sdk.helios.testing", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def first_lines(proc: "subprocess.Popen[str]") -> List[str]:
    assert proc.stdout is not None
    return [proc.stdout.readline().rstrip("\n") for _ in range(2)]


def test_a_key_on_the_command_line_is_warned_about() -> None:
    proc = serve("--api-key", "dev-key-on-the-command-line")
    try:
        url_line, key_line = first_lines(proc)
    finally:
        _, stderr = stop_served_fake(proc)
    assert key_line == "API key: dev-key-on-the-command-line"
    assert "--api-key" in stderr and "process list" in stderr
    assert "FAKE_HELIOS_API_KEY" in stderr and "--api-key-file" in stderr


def assert_serves_with_key(proc: "subprocess.Popen[str]", key: str) -> None:
    """The served fake says it takes ``key``, takes it, and warns of nothing."""
    try:
        url_line, key_line = first_lines(proc)
        with ApiClient(Configuration(host=url_line.split()[-1], api_key=key)) as c:
            assert [u.username for u in UserApi(c).get_users()] == ["admin"]
    finally:
        _, stderr = stop_served_fake(proc)
    assert key_line == f"API key: {key}"
    assert stderr == ""


def test_the_key_from_the_environment_or_a_file(tmp_path: Path) -> None:
    env = {**os.environ, "FAKE_HELIOS_API_KEY": "dev-key-from-env"}
    assert_serves_with_key(serve(env=env), "dev-key-from-env")

    key_file = tmp_path / "key"
    key_file.write_text("dev-key-from-file\n", encoding="utf-8")
    assert_serves_with_key(serve("--api-key-file", str(key_file)), "dev-key-from-file")

    proc = serve("--api-key-file", str(tmp_path / "missing"))
    assert proc.wait(timeout=30) == 1
    assert proc.stderr is not None and "cannot start FakeHelios" in proc.stderr.read()
    stop_served_fake(proc)


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_listening_beyond_loopback_warns(host: str) -> None:
    proc = serve("--host", host)
    try:
        url_line, _ = first_lines(proc)
        if not url_line:
            pytest.skip(f"cannot listen on {host} here")
    finally:
        _, stderr = stop_served_fake(proc, signal.SIGTERM)
    assert f"listening on {host}, beyond loopback" in stderr
    assert "control API" in stderr and "every secret" in stderr and "anyone" in stderr
    assert "--no-control-api" in stderr


@pytest.mark.parametrize("args", [["--host", "127.0.0.1"], ["--host", "localhost"],
                                  ["--host", "0.0.0.0", "--no-control-api"]])
def test_no_warning_on_loopback_or_without_the_control_api(args: List[str]) -> None:
    proc = serve(*args)
    try:
        first_lines(proc)
    finally:
        _, stderr = stop_served_fake(proc)
    assert stderr == ""
