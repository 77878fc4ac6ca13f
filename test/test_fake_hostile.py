"""FakeHelios against malformed and hostile requests, written byte by byte on raw sockets.

Each gets a 4xx answer (an ``Error`` body where there is one), nothing reaches stderr,
and the fake goes on answering the SDK afterwards.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest

import cohesity_sdk.helios as h
from cohesity_sdk.helios.testing import FakeHelios
from cohesity_sdk.helios.testing.http_server import MAX_BODY_BYTES, MAX_JSON_DEPTH


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


# -- framing: lengths and chunks -------------------------------------------------------

DEEP = b"[" * 5000 + b"]" * 5000
TOO_BIG = MAX_BODY_BYTES + 1

FRAMING_CASES = [
    # (id, request, status, errorCode, words in the message)
    ("content-length-10^12", request("POST", "/v2/users", {"Content-Length": str(10**12)}),
     413, "KRequestTooLarge", ["body", str(MAX_BODY_BYTES)]),
    ("content-length-2^40", request("POST", "/v2/users", {"Content-Length": str(2**40)}),
     413, "KRequestTooLarge", []),
    ("content-length-over-the-limit",
     request("POST", "/v2/users", {"Content-Length": str(TOO_BIG)}), 413, "KRequestTooLarge", []),
    ("content-length-of-5000-digits",
     request("POST", "/v2/users", {"Content-Length": "9" * 5000}), 413, "KRequestTooLarge", []),
    ("content-length-superscript-two",
     request("POST", "/v2/users", {"Content-Length": "\u00b2"}), 400, "KInvalidRequest",
     ["Content-Length"]),
    ("content-length-negative", request("POST", "/v2/users", {"Content-Length": "-1"}),
     400, "KInvalidRequest", ["Content-Length"]),
    ("content-length-garbage", request("POST", "/v2/users", {"Content-Length": "ten"}),
     400, "KInvalidRequest", ["Content-Length"]),
    ("content-length-hex", request("POST", "/v2/users", {"Content-Length": "0x10"}),
     400, "KInvalidRequest", ["Content-Length"]),
    ("content-length-plus", request("POST", "/v2/users", {"Content-Length": "+2"}, b"[]"),
     400, "KInvalidRequest", ["Content-Length"]),
    ("content-length-twice-different",
     request("POST", "/v2/users", {"Content-Length": "2"}, b"[]",
             head=b"Content-Length: 3\r\n"), 400, "KInvalidRequest", ["Content-Length"]),
    ("content-length-list-different",
     request("POST", "/v2/users", {"Content-Length": "2, 3"}, b"[]"),
     400, "KInvalidRequest", ["Content-Length"]),
    ("content-length-and-chunked",
     request("POST", "/v2/users", {"Content-Length": "2", "Transfer-Encoding": "chunked"},
             b"2\r\n[]\r\n0\r\n\r\n"), 400, "KInvalidRequest", ["Transfer-Encoding"]),
    ("chunk-size-FFFFFFFFFFFF",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"FFFFFFFFFFFF\r\n"),
     413, "KRequestTooLarge", []),
    ("chunk-size-of-17-digits",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"1" * 17 + b"\r\n"),
     400, "KInvalidRequest", ["chunk size"]),
    ("chunk-size-not-hex",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"zz\r\n"),
     400, "KInvalidRequest", ["chunk size"]),
    ("chunk-size-0x",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"0x2\r\n[]\r\n0\r\n\r\n"),
     400, "KInvalidRequest", ["chunk size"]),
    ("chunk-size-underscore",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"0_2\r\n[]\r\n0\r\n\r\n"),
     400, "KInvalidRequest", ["chunk size"]),
    ("chunk-size-negative",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"-2\r\n[]\r\n0\r\n\r\n"),
     400, "KInvalidRequest", ["chunk size"]),
    ("chunk-longer-than-its-size",
     request("POST", "/v2/users", {"Transfer-Encoding": "chunked"}, b"1\r\n[]\r\n0\r\n\r\n"),
     400, "KInvalidRequest", ["chunk"]),
    ("transfer-encoding-not-chunked",
     request("POST", "/v2/users", {"Transfer-Encoding": "gzip"}, b"[]"),
     400, "KInvalidRequest", ["Transfer-Encoding"]),
]


@pytest.mark.parametrize("data, status, code, mentions",
                         [case[1:] for case in FRAMING_CASES],
                         ids=[case[0] for case in FRAMING_CASES])
def test_a_body_of_untrustworthy_length_is_refused_and_the_connection_closed(
    fake: FakeHelios, data: bytes, status: int, code: str, mentions: List[str],
) -> None:
    reply, closed = send(fake, data)
    assert_error(reply, status, code, *mentions)
    assert reply.headers["connection"] == "close"
    assert closed
    serves(fake)


def test_the_same_content_length_twice_is_one_length(fake: FakeHelios) -> None:
    data = request("GET", "/v2/users", {"apiKey": fake.api_key, "Content-Length": "2",
                                        "Connection": "close"}, b"{}",
                   head=b"Content-Length: 2\r\n")
    reply, _ = send(fake, data)
    assert reply.status == 200
    assert [u["username"] for u in reply.body["users"]] == ["admin"]


def test_a_body_at_the_limit_is_read_and_one_byte_more_is_413() -> None:
    body = json.dumps([{"username": "u" * 900, "domain": "LOCAL",
                        "localUserParams": {"password": "pw"}}]).encode()
    with FakeHelios(max_body_bytes=len(body)) as fake:
        headers = {"apiKey": fake.api_key, "Content-Length": str(len(body))}
        reply, _ = send(fake, request("POST", "/v2/users", headers, body))
        assert reply.status == 201, reply.body
        bigger = body[:-1] + b" ]"
        headers["Content-Length"] = str(len(bigger))
        reply, closed = send(fake, request("POST", "/v2/users", headers, bigger))
        assert_error(reply, 413, "KRequestTooLarge", str(len(body)))
        assert closed


def test_a_chunked_body_is_refused_once_its_chunks_add_up_past_the_limit() -> None:
    with FakeHelios(max_body_bytes=1000) as fake:
        chunk = b"1F4\r\n" + b" " * 500 + b"\r\n"  # 500 bytes: under the limit each
        data = request("POST", "/v2/users", {"apiKey": fake.api_key,
                                             "Transfer-Encoding": "chunked"}, chunk * 3)
        reply, closed = send(fake, data)
        assert_error(reply, 413, "KRequestTooLarge", "1000")
        assert closed
        within = b"2\r\n[]\r\n" + b"1F4\r\n" + b" " * 500 + b"\r\n0\r\n\r\n"
        data = request("POST", "/v2/users", {"apiKey": fake.api_key,
                                             "Transfer-Encoding": "chunked"}, within)
        reply, _ = send(fake, data)
        assert_error(reply, 400, "KInvalidRequest", "body")  # read whole: an empty list
        serves(fake)


def test_a_client_still_sending_an_oversize_body_reads_the_413() -> None:
    # The SDK sends the whole body before it reads: the answer must survive the close.
    with FakeHelios(max_body_bytes=10_000) as fake:
        users = [h.CreateUserParameters(username=f"user-{i:04d}", domain="LOCAL")
                 for i in range(2000)]
        with h.ApiClient(fake.configuration(retries=0)) as client:
            with pytest.raises(h.ApiException) as caught:
                h.UserApi(client).create_users(users)
        assert caught.value.status == 413
        serves(fake)


def test_expect_100_continue_is_answered_413_before_the_body_is_sent() -> None:
    with FakeHelios(max_body_bytes=100) as fake:
        headers = {"apiKey": fake.api_key, "Expect": "100-continue"}
        with socket.create_connection(address(fake), timeout=10) as sock:
            sock.sendall(request("POST", "/v2/users", {**headers, "Content-Length": "101"}))
            reply = read_reply(sock)  # no "100 Continue" first
            assert_error(reply, 413, "KRequestTooLarge")
        body = json.dumps([{"username": "bob", "domain": "LOCAL",
                            "localUserParams": {"password": "pw"}}]).encode()
        with socket.create_connection(address(fake), timeout=10) as sock:
            sock.sendall(request("POST", "/v2/users",
                                 {**headers, "Content-Length": str(len(body))}))
            interim = b""
            while not interim.endswith(b"\r\n\r\n"):
                interim += sock.recv(1)
            assert interim.startswith(b"HTTP/1.1 100 ")
            sock.sendall(body)
            assert read_reply(sock).status == 201


# -- bodies: encoding and depth --------------------------------------------------------


@pytest.mark.parametrize("body", [
    '[{"username": "bob", "domain": "LOCAL"}]'.encode("utf-16-le"),
    '[{"username": "bob", "domain": "LOCAL"}]'.encode("utf-16"),  # with its BOM
    '[{"username": "bob", "domain": "LOCAL"}]'.encode("utf-32"),
    b"\xef\xbb\xbf" + b'[{"username": "bob", "domain": "LOCAL"}]',  # a UTF-8 BOM
    b'[{"username": "b\xffb", "domain": "LOCAL"}]',  # not UTF-8 at all
    b'[{"username": "b\xc3", "domain": "LOCAL"}]',  # a sequence cut short
], ids=["utf-16-le", "utf-16-bom", "utf-32", "utf-8-bom", "invalid-utf-8", "truncated-utf-8"])
def test_a_body_that_is_not_utf_8_is_400(fake: FakeHelios, body: bytes) -> None:
    headers = {"apiKey": fake.api_key, "Content-Length": str(len(body))}
    reply, _ = send(fake, request("POST", "/v2/users", headers, body))
    assert_error(reply, 400, "KInvalidRequest", "body: must be UTF-8 JSON")
    serves(fake)  # and bob was not made


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
def test_deep_json_is_400_before_anything_else(fake: FakeHelios, method: str) -> None:
    # Without a key: the body is refused before authentication, and never parsed.
    path = "/v2/users" if method != "DELETE" else "/v2/users/S-1-100-21-1-1"
    reply, _ = send(fake, request(method, path, {"Content-Length": str(len(DEEP))}, DEEP))
    assert_error(reply, 400, "KInvalidRequest", f"more than {MAX_JSON_DEPTH} levels")
    serves(fake)


def test_deep_json_as_chunks_or_objects_is_400(fake: FakeHelios) -> None:
    objects = b'{"a":' * 2000 + b"1" + b"}" * 2000
    body = b"%X\r\n%s\r\n0\r\n\r\n" % (len(objects), objects)
    reply, _ = send(fake, request("PUT", "/v2/users/S-1-100-21-1-1",
                                  {"apiKey": fake.api_key, "Transfer-Encoding": "chunked"},
                                  body))
    assert_error(reply, 400, "KInvalidRequest", "levels")
    unclosed = b"[" * 100_000  # json.loads would recurse before finding no end
    reply, _ = send(fake, request("POST", "/v2/users/delete",
                                  {"Content-Length": str(len(unclosed))}, unclosed))
    assert_error(reply, 400, "KInvalidRequest", "levels")
    serves(fake)


def test_nesting_up_to_the_limit_and_brackets_in_strings_are_fine(fake: FakeHelios) -> None:
    for depth, status in [(MAX_JSON_DEPTH, 200), (MAX_JSON_DEPTH + 1, 400)]:
        body = ("[" * depth + "]" * depth).encode()
        headers = {"apiKey": fake.api_key, "Content-Length": str(len(body))}
        reply, _ = send(fake, request("GET", "/v2/users", headers, body))
        assert reply.status == status, (depth, reply.body)
    # Brackets, and quotes escaped, inside a string do not nest.
    description = '\\"' + "[" * 500 + "{" * 500 + "\\"
    body = json.dumps([{"username": "bob", "domain": "LOCAL", "description": description,
                        "localUserParams": {"password": "pw"}}]).encode()
    headers = {"apiKey": fake.api_key, "Content-Length": str(len(body))}
    reply, _ = send(fake, request("POST", "/v2/users", headers, body))
    assert reply.status == 201, reply.body
    assert reply.body["users"][0]["description"] == description


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


# -- methods ---------------------------------------------------------------------------


@pytest.mark.parametrize("method, path, allow", [
    ("TRACE", "/v2/users", "GET, POST"),
    ("TRACE", "/", "DELETE, GET, POST, PUT"),
    ("CONNECT", "example.com:443", "DELETE, GET, POST, PUT"),
    ("FOO", "/v2/users/S-1-100-21-1-1", "DELETE, GET, PUT"),
    ("FOO", "/v2/nowhere", "DELETE, GET, POST, PUT"),
    ("PATCH", "/v2/users/S-1-100-21-1-1", "DELETE, GET, PUT"),
    ("OPTIONS", "/v2/groups", "GET, POST"),
    ("HEAD", "/v2/users", "GET, POST"),
])
def test_a_method_the_api_does_not_use_is_405_with_allow(
    fake: FakeHelios, method: str, path: str, allow: str
) -> None:
    reply, _ = send(fake, request(method, path, {"Connection": "close"}), method)
    assert reply.status == 405
    assert reply.headers["allow"] == allow
    if method != "HEAD":
        assert_error(reply, 405, "KMethodNotAllowed", method)
    serves(fake)


@pytest.mark.parametrize("line", [
    b"GET /v2/users HTTP/1.1 extra",
    b"GET /v2/users",  # HTTP/0.9 would answer without a status line
    b"GET /v2/users HTTP/9.9.9",
    b"GARBAGE",
])
def test_a_garbled_request_line_gets_a_status_line(fake: FakeHelios, line: bytes) -> None:
    reply, closed = send(fake, line + b"\r\n\r\n")
    assert 400 <= reply.status < 500
    assert closed
    serves(fake)


def test_a_50_kb_method_or_request_line_is_echoed_only_in_part(fake: FakeHelios) -> None:
    reply, _ = send(fake, request("X" * 50_000, "/v2/users", {"Connection": "close"}))
    assert_error(reply, 405, "KMethodNotAllowed", "XXX", "…")
    assert len(reply.raw) < 1024
    reply, _ = send(fake, b"GET /v2/users HTTP/1.1 " + b"x" * 50_000 + b"\r\n\r\n")
    assert_error(reply, 400, "KInvalidRequest", "xxx", "…")
    assert len(reply.raw) < 1024
    serves(fake)


# -- timeouts --------------------------------------------------------------------------


def test_a_half_sent_request_gets_408_after_the_read_timeout() -> None:
    with FakeHelios(read_timeout=0.5) as fake:
        for partial in [b"GET /v2/us",
                        b"GET /v2/users HTTP/1.1\r\nHost: fake\r\n",
                        request("POST", "/v2/users", {"Content-Length": "100"}, b"[{"),
                        request("POST", "/v2/users", {"Transfer-Encoding": "chunked"},
                                b"10\r\n[")]:
            started = time.monotonic()
            reply, closed = send(fake, partial)
            waited = time.monotonic() - started
            assert_error(reply, 408, "KRequestTimeout")
            assert closed
            assert 0.4 < waited < 5
        serves(fake)


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() -> None:
    with FakeHelios(idle_timeout=0.5) as fake:
        with socket.create_connection(address(fake), timeout=10) as sock:
            sock.sendall(request("GET", "/v2/users", {"apiKey": fake.api_key}))
            assert read_reply(sock).status == 200
            started = time.monotonic()
            assert sock.recv(1) == b""  # closed, and without an answer to nothing
            assert 0.4 < time.monotonic() - started < 5
        serves(fake)


def test_slow_clients_within_the_timeouts_are_served() -> None:
    with FakeHelios(read_timeout=0.5, idle_timeout=0.5) as fake:
        fake.delay_next("get_users", 1.0)  # the fake may take longer than either timeout
        serves(fake)
        body = json.dumps([{"username": "bob", "domain": "LOCAL",
                            "localUserParams": {"password": "pw"}}]).encode()
        data = request("POST", "/v2/users", {"apiKey": fake.api_key,
                                             "Content-Length": str(len(body))}, body)
        with socket.create_connection(address(fake), timeout=10) as sock:
            for start in range(0, len(data), 20):  # a trickle, each piece in time
                sock.sendall(data[start:start + 20])
                time.sleep(0.1)
            assert read_reply(sock).status == 201


@pytest.mark.parametrize("settings", [
    {"max_body_bytes": -1}, {"max_body_bytes": 1.5}, {"max_body_bytes": True},
    {"read_timeout": 0}, {"idle_timeout": -1}, {"idle_timeout": float("nan")},
    {"read_timeout": float("inf")}, {"read_timeout": "10"},
])
def test_limits_that_make_no_sense_are_refused(settings: Dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        FakeHelios(**settings)


# -- the listen queue ------------------------------------------------------------------


def test_a_burst_of_64_connections_is_accepted_without_a_stall(fake: FakeHelios) -> None:
    assert fake._server is not None and fake._server.request_queue_size >= 128
    clients = 64
    barrier = threading.Barrier(clients)
    connect_times: List[float] = []
    statuses: List[int] = []
    lock = threading.Lock()

    def client() -> None:
        barrier.wait()
        started = time.monotonic()
        with socket.create_connection(address(fake), timeout=10) as sock:
            connected = time.monotonic() - started
            sock.sendall(request("GET", "/v2/users", {"apiKey": fake.api_key,
                                                      "Connection": "close"}))
            status = read_reply(sock).status
        with lock:
            connect_times.append(connected)
            statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * clients
    # A full backlog shows as a SYN retried after a second.
    assert max(connect_times) < 0.5, sorted(connect_times)[-5:]


# -- stderr ----------------------------------------------------------------------------


def test_hostile_input_leaves_stderr_empty(fake: FakeHelios, capfd: pytest.CaptureFixture[str]
                                           ) -> None:
    for _, data, *_ in FRAMING_CASES:
        send(fake, data)
    for body in [DEEP, "[]".encode("utf-16"), b"\xff"]:
        send(fake, request("GET", "/v2/users", {"Content-Length": str(len(body))}, body))
    send(fake, request("TRACE", "/v2/users", {"Connection": "close"}))
    send(fake, request("GET", "http://[broken/v2/users", {"Connection": "close"}))
    send(fake, request("GET", "/v2/users/" + "S" * 50_000, {"apiKey": fake.api_key}))
    serves(fake)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err == ""
