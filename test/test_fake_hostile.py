"""FakeHelios against malformed and hostile requests, written byte by byte on raw sockets.

Each gets a 4xx answer (an ``Error`` body where there is one), nothing reaches stderr,
and the fake goes on answering the SDK afterwards.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any, Dict, Iterator, NamedTuple, Optional, Tuple

import pytest

import cohesity_sdk.helios as h
from cohesity_sdk.helios.testing import FakeHelios


class Reply(NamedTuple):
    status: int
    headers: Dict[str, str]  # names in lower case
    body: Any  # JSON, or None
    raw: bytes


def address(fake: FakeHelios) -> Tuple[str, int]:
    port = int(fake.url.rsplit(":", 1)[1].split("/", 1)[0])
    return "127.0.0.1", port


def read_reply(sock: socket.socket, method: str = "GET") -> Reply:
    response = http.client.HTTPResponse(sock, method=method)
    response.begin()
    raw = response.read()
    headers = {name.lower(): value for name, value in response.getheaders()}
    return Reply(response.status, headers, json.loads(raw) if raw else None, raw)


def send(fake: FakeHelios, data: bytes, method: str = "GET") -> Tuple[Reply, bool]:
    """The answer to ``data`` on a new connection, and whether the fake said it would
    close the connection and did."""
    with socket.create_connection(address(fake), timeout=10) as sock:
        sock.sendall(data)
        reply = read_reply(sock, method)
        closed = reply.headers.get("connection") == "close" and sock.recv(1) == b""
        return reply, closed


def request(method: str, path: str, headers: Optional[Dict[str, str]] = None,
            body: bytes = b"", head: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: fake"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1") + head + b"\r\n" + body


def serves(fake: FakeHelios) -> None:
    with h.ApiClient(fake.configuration(retries=0)) as client:
        users = h.UserApi(client).get_users().users or []
    assert [u.username for u in users] == ["admin"]


def assert_error(reply: Reply, status: int, code: str, *mentions: str) -> None:
    assert reply.status == status, reply
    assert reply.headers["content-type"] == "application/json"
    assert set(reply.body) == {"errorCode", "message"}, reply.body
    assert reply.body["errorCode"] == code
    for word in mentions:
        assert word in reply.body["message"], reply.body


@pytest.fixture
def fake() -> Iterator[FakeHelios]:
    with FakeHelios() as running:
        yield running


# -- echoes ----------------------------------------------------------------------------


def test_a_50_kb_sid_is_404_with_a_short_body(fake: FakeHelios) -> None:
    sid = "S-1-100-21-1-" + "9" * 50_000
    reply, _ = send(fake, request("GET", f"/v2/users/{sid}", {"apiKey": fake.api_key}))
    assert_error(reply, 404, "KNotFound", "user S-1-100-21-1-999", "…")
    assert len(reply.raw) < 1024


def test_a_50_kb_path_is_404_with_a_short_body(fake: FakeHelios) -> None:
    reply, _ = send(fake, request("GET", "/v2/" + "x" * 50_000, {"apiKey": fake.api_key}))
    assert_error(reply, 404, "KNotFound", "no such path: /v2/xxx", "…")
    assert len(reply.raw) < 1024
    serves(fake)


# -- allocation by the unauthenticated -------------------------------------------------


def test_a_refused_caller_makes_no_cluster(fake: FakeHelios) -> None:
    clusters = fake._state._clusters  # a look inside: the fake is what is under test
    serves(fake)
    assert len(clusters) == 1  # the Helios level
    for number, headers in enumerate([
        {"apiKey": "wrong"},
        {"session-id": "wrong"},
        {"apiKey": fake.api_key[:-1]},
    ]):
        headers["accessClusterId"] = str(1000 + number)
        reply, _ = send(fake, request("GET", "/v2/users", headers))
        assert_error(reply, 401, "KUnauthorized")
    login = json.dumps({"username": "admin", "password": "wrong"}).encode()
    reply, _ = send(fake, request("POST", "/v2/users/sessions",
                                  {"accessClusterId": "2000",
                                   "Content-Length": str(len(login))}, login))
    assert_error(reply, 401, "KUnauthorized")
    assert len(clusters) == 1
    # The bootstrap key still brings a cluster into being, as does admin's login.
    with h.ApiClient(fake.configuration(retries=0, access_cluster_id=1000)) as client:
        assert [u.username for u in h.UserApi(client).get_users().users or []] == ["admin"]
    assert len(clusters) == 2
    login = json.dumps({"username": "admin", "password": "admin"}).encode()
    reply, _ = send(fake, request("POST", "/v2/users/sessions",
                                  {"accessClusterId": "2000",
                                   "Content-Length": str(len(login))}, login))
    assert reply.status == 201
    assert len(clusters) == 3
