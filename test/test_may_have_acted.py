"""An error tells the truth about writes: ``may_have_acted`` is True, and the text says
that the server may have acted, whenever a try of a call that is not a read was sent (or
may have been) and no final answer came, however the call then ended; it is False, and
the text says that the call was not sent, when nothing reached the server. A read never
gets either.

Each test asserts the error and what the server holds afterwards. FakeHelios injects the
faults it knows; a raw socket server (TLS or not) plays the rest: an answer cut short,
a body that stalls, a body that is not JSON, a bad TLS record.
"""

from __future__ import annotations

import os
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import trustme
from test_resilience import FAST, new_user

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.testing import FakeHelios

MAY_HAVE_ACTED = "; the server may have acted on it"
NOT_SENT = "; it was not sent, so nothing was changed"
KEY = "night-job"


def say_nothing_of_acting(error: helios.OpenApiException) -> None:
    text = str(error)
    assert not error.may_have_acted
    assert "may have acted" not in text and "acted on" not in text
    assert "was not sent" not in text


# -- the operations ------------------------------------------------------------------


@dataclass
class Op:
    name: str
    call: Callable[..., Any]  # (api, sid, **options)
    done: Callable[[helios.UserApi, str], bool]  # whether the server carried it out


def _key_exists(api: helios.UserApi, sid: str) -> bool:
    return any(key.name == KEY for key in api.get_user_api_keys(sid).api_keys)


def _moved(api: helios.UserApi, sid: str) -> bool:
    return api.get_user_by_sid(sid).description == "moved"


def _deleted(api: helios.UserApi, sid: str) -> bool:
    return sid not in [user.sid for user in api.get_users(domain="LOCAL").users or []]


CREATE = Op("create_user_api_key",
            lambda api, sid, **o: api.create_user_api_key(
                sid, helios.CreateOrUpdateAPIKeyRequest(name=KEY), **o),
            _key_exists)
UPDATE = Op("update_user",  # not safe to repeat
            lambda api, sid, **o: api.update_user(
                sid, helios.UpdateUserParameters(description="moved"), **o),
            _moved)
DELETE = Op("delete_user",  # safe to repeat
            lambda api, sid, **o: api.delete_user(sid, **o), _deleted)
READ = Op("get_users", lambda api, sid, **o: api.get_users(**o), lambda api, sid: False)
WRITES = [CREATE, UPDATE, DELETE]


@pytest.fixture
def clients() -> Iterator[List[helios.ApiClient]]:
    """The clients a test makes, closed after it."""
    made: List[helios.ApiClient] = []
    yield made
    for client in made:
        client.close()


def client_api(clients: List[helios.ApiClient],
               configuration: helios.Configuration) -> helios.UserApi:
    client = helios.ApiClient(configuration)
    clients.append(client)
    return helios.UserApi(client)


@pytest.fixture
def observer(fake: FakeHelios, clients: List[helios.ApiClient]) -> helios.UserApi:
    """A client that looks at the fake's state, with no faults in its way."""
    return client_api(clients, fake.configuration(retries=0))


@pytest.fixture
def sid(observer: helios.UserApi) -> str:
    created = (observer.create_users([new_user("erin")]).users or [])[0].sid
    assert created is not None
    return created


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- every ending, against FakeHelios ------------------------------------------------

# ending -> (how to bring it about, the call's options, whether the fake carries the
# call out, whether the error says it may have acted, whether it says it was not sent)
ENDINGS: Dict[str, Any] = {
    "deadline, the answer late": (
        lambda fake, op: fake.delay_next(op, 2, after_action=True),
        {"_deadline": 0.3}, True, True, False),
    "read timeout, the answer late": (
        lambda fake, op: fake.delay_next(op, 2, after_action=True),
        {"_request_timeout": 0.3}, True, True, False),
    "dropped after acting": (
        lambda fake, op: fake.drop_next(op, after_action=True), {}, True, True, False),
    "dropped before acting": (  # the client cannot tell it from the one before
        lambda fake, op: fake.drop_next(op, after_action=False), {}, False, True, False),
    "502": (lambda fake, op: fake.fail_next(op, status=502), {}, False, True, False),
    "504": (lambda fake, op: fake.fail_next(op, status=504), {}, False, True, False),
    "connection refused": (None, {}, False, False, True),
    "deadline passed before sending": (None, {"_deadline": 1e-9}, False, False, True),
}


def end_call(fake: FakeHelios, clients: List[helios.ApiClient], op: Op, sid: str,
             ending: str) -> helios.OpenApiException:
    inject, options, _, _, _ = ENDINGS[ending]
    host = f"http://127.0.0.1:{closed_port()}/v2" if ending == "connection refused" else None
    configuration = fake.configuration(retries=0, **({"host": host} if host else {}))
    api = client_api(clients, configuration)
    if inject is not None:
        inject(fake, op.name)
    with pytest.raises(helios.OpenApiException) as info:
        op.call(api, sid, **options)
    return info.value


@pytest.mark.parametrize("ending", list(ENDINGS))
@pytest.mark.parametrize("op", WRITES, ids=lambda op: op.name)
def test_a_write_says_whether_the_server_may_have_acted(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
    op: Op, ending: str,
) -> None:
    _, _, carried_out, may_have_acted, not_sent = ENDINGS[ending]
    error = end_call(fake, clients, op, sid, ending)
    text = str(error)
    assert error.may_have_acted is may_have_acted, text
    assert (MAY_HAVE_ACTED in text) is may_have_acted, text
    if not_sent:
        assert text.endswith(NOT_SENT), text
        assert error.attempts == (0 if "before sending" in ending else 1)
    else:
        assert "was not sent" not in text
    assert op.done(observer, sid) is carried_out
    if not_sent:
        assert not [r for r in fake.requests if r.operation_id == op.name]


def test_the_deadline_while_the_answer_is_awaited_is_the_known_case(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
) -> None:
    # The server makes the key and answers after 2 s; the call gives up after 1 s.
    fake.delay_next("create_user_api_key", 2, after_action=True)
    api = client_api(clients, fake.configuration(retries=0))
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.create_user_api_key(sid, helios.CreateOrUpdateAPIKeyRequest(name=KEY),
                                _deadline=1)
    error = info.value
    assert error.may_have_acted and error.deadline == 1 and error.waiting_for == "answer"
    assert str(error).startswith("create_user_api_key [POST /v2/users/")
    assert "the deadline of 1 s passed (last try: timed out waiting for" in str(error)
    assert str(error).endswith(MAY_HAVE_ACTED)
    assert _key_exists(observer, sid)


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_read_never_says_either(
    fake: FakeHelios, clients: List[helios.ApiClient], sid: str, ending: str,
) -> None:
    say_nothing_of_acting(end_call(fake, clients, READ, sid, ending))


# -- retries, and the waits between them ---------------------------------------------


@pytest.mark.parametrize("status", [502, 504])
def test_a_delete_retried_until_the_retries_run_out_may_have_acted(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
    status: int,
) -> None:
    api = client_api(clients, fake.configuration(retries=RetryPolicy(1, **FAST)))
    fake.fail_next("delete_user", status=status, times=2)
    with pytest.raises(helios.ServiceException) as info:
        api.delete_user(sid)
    assert info.value.may_have_acted and info.value.attempts == 2
    assert str(info.value).endswith(" after 2 attempts; the server may have acted on one "
                                    "of them")
    assert not _deleted(observer, sid)  # the fake's gateway refused both


@pytest.mark.parametrize("status", [502, 504])
def test_the_deadline_in_the_wait_after_a_lost_answer_may_have_acted(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
    status: int,
) -> None:
    api = client_api(clients, fake.configuration(retries=RetryPolicy(3, **FAST)))
    fake.fail_next("delete_user", status=status, retry_after=5)
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.delete_user(sid, _deadline=0.5, _retries=RetryPolicy(3, retry_after_cap=10))
    error = info.value
    assert error.waiting_for == "retry" and error.may_have_acted
    assert str(error).endswith(MAY_HAVE_ACTED)
    assert not _deleted(observer, sid)


def test_a_deadline_cut_timeout_after_a_lost_answer_may_have_acted(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
) -> None:
    # A delete is safe to repeat: the first answer is late, the second try is cut short
    # by the deadline. Both were sent; the first carried the delete out.
    api = client_api(clients, fake.configuration(retries=RetryPolicy(3, backoff_base=0)))
    fake.delay_next("delete_user", 2, after_action=True)
    fake.delay_next("delete_user", 2)
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.delete_user(sid, _deadline=0.6, _request_timeout=0.3)
    assert info.value.may_have_acted and info.value.attempts == 2
    assert str(info.value).endswith(" after 2 attempts; the server may have acted on one "
                                    "of them")
    assert _deleted(observer, sid)


# -- a login the call needed ---------------------------------------------------------


@pytest.mark.parametrize("fault", ["dropped after acting", "502"])
@pytest.mark.parametrize("op", [CREATE, READ], ids=lambda op: op.name)
def test_a_login_that_failed_before_the_call_was_sent(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
    op: Op, fault: str,
) -> None:
    ENDINGS[fault][0](fake, "create_session")
    api = client_api(clients, fake.configuration(username="admin", password="admin",
                                                 retries=0))
    with pytest.raises(helios.OpenApiException) as info:
        op.call(api, sid)
    error = info.value
    assert getattr(error, "operation", None) == "create_session"
    if op is READ:
        say_nothing_of_acting(error)
    else:
        assert not error.may_have_acted
        assert str(error).endswith(f"; {op.name} was not sent, so nothing was changed")
        assert not op.done(observer, sid)
    assert not [r for r in fake.requests if r.operation_id == op.name]


def test_a_request_refused_by_the_sdk_was_not_sent(
    fake: FakeHelios, clients: List[helios.ApiClient], sid: str,
) -> None:
    api = client_api(clients, fake.configuration(retries=0))
    with pytest.raises(helios.ApiTypeError) as info:
        api.create_user_api_key(sid, {"nmae": KEY})
    assert not info.value.may_have_acted and info.value.attempts == 0
    assert not [r for r in fake.requests if r.operation_id == "create_user_api_key"]


# -- a 2xx that could not be read ----------------------------------------------------


@pytest.mark.parametrize("op", [CREATE, READ], ids=lambda op: op.name)
def test_a_2xx_too_large_to_read(
    fake: FakeHelios, clients: List[helios.ApiClient], observer: helios.UserApi, sid: str,
    op: Op,
) -> None:
    api = client_api(clients, fake.configuration(retries=0, max_response_bytes=40))
    with pytest.raises(helios.ResponseTooLargeException) as info:
        op.call(api, sid)
    error = info.value
    assert 200 <= error.status <= 299
    if op is READ:
        say_nothing_of_acting(error)
    else:
        assert error.may_have_acted and str(error).endswith("; the server acted on it")
        assert _key_exists(observer, sid)


# -- a raw server: what FakeHelios does not do -----------------------------------------


class RawServer:
    """Takes connections on 127.0.0.1 (through TLS when given a context), reads one
    request from each and hands it to ``answer``, which does what the test needs."""

    def __init__(self, answer: Callable[[socket.socket], None],
                 tls: Optional[ssl.SSLContext] = None) -> None:
        self.answer = answer
        self.tls = tls
        self.requests: List[bytes] = []
        self.done = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.sock.getsockname()[1]}/v2"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.requests.append(read_request(conn))
            self.answer(conn)
        except OSError:  # the handshake refused, or the client gone
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.done.set()
        try:  # wakes the accept() under way: closing alone would leave it listening
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


HEAD = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"


def cut_short(server: RawServer) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        conn.sendall(HEAD % 100 + b'{"users": [')  # then closed (TLS: no close_notify)
    return answer


def stalls(server: RawServer, first_after: float = 0.0) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        conn.sendall(HEAD % 100)
        time.sleep(first_after)
        conn.sendall(b"{")
        server.done.wait(5)
    return answer


def not_json(server: RawServer) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        conn.sendall(HEAD % 13 + b"<html></html>")
    return answer


def bad_record(server: RawServer) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        # A TLS record that fails to decrypt, written under the TLS layer.
        with socket.socket(fileno=os.dup(conn.fileno())) as raw:
            raw.sendall(b"\x17\x03\x03\x00\x20" + b"\x00" * 32)
    return answer


# ending -> (answer, TLS, the call's options, waiting_for, the 2xx that says it acted)
RAW: Dict[str, Any] = {
    "answer cut short mid-body": (cut_short, False, {}, None, False),
    "deadline while reading the body, timeout cut": (
        stalls, False, {"_deadline": 0.3}, "body", False),
    "deadline while reading the body, timeout not cut": (
        lambda server: stalls(server, first_after=0.2), False,
        {"_deadline": 0.6, "_request_timeout": 0.55}, "body", False),
    "a 2xx whose body is not JSON": (not_json, False, {}, None, True),
    "TLS: a bad record instead of the answer": (bad_record, True, {}, None, False),
    "TLS: closed without close_notify mid-body": (cut_short, True, {}, None, False),
}

RAW_OPS = [
    Op("create_users", lambda api, **o: api.create_users([new_user("erin")], **o),
       lambda api, sid: False),
    Op("get_users", lambda api, **o: api.get_users(**o), lambda api, sid: False),
]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.mark.parametrize("ending", list(RAW))
@pytest.mark.parametrize("op", RAW_OPS, ids=lambda op: op.name)
def test_an_answer_lost_on_the_wire(
    clients: List[helios.ApiClient], ca: trustme.CA, ca_file: str, op: Op, ending: str,
) -> None:
    make_answer, tls, options, waiting_for, acted = RAW[ending]
    server = RawServer(lambda conn: None, server_context(ca) if tls else None)
    server.answer = make_answer(server)
    try:
        api = client_api(clients, helios.Configuration(
            host=server.url, api_key="k", retries=0, ssl_ca_cert=ca_file))
        with pytest.raises(helios.OpenApiException) as info:
            op.call(api, **options)
    finally:
        server.close()
    error = info.value
    assert len(server.requests) == 1  # it was sent
    if waiting_for is not None:
        assert isinstance(error, helios.ApiTimeoutError)
        assert error.waiting_for == waiting_for
    if isinstance(error, helios.ApiConnectionError):
        assert error.phase == "read"
    if op.name == "get_users":
        say_nothing_of_acting(error)
    elif acted:
        assert error.may_have_acted and str(error).endswith("; the server acted on it")
    else:
        assert error.may_have_acted and MAY_HAVE_ACTED in str(error), str(error)


def hang_up(reset: bool) -> Tuple[str, socket.socket]:
    """A server that takes the client's hello, then closes (or resets) the connection
    in the middle of the handshake; its URL and listening socket."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def hello_then_close() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)  # the ClientHello
        if reset:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    threading.Thread(target=hello_then_close, daemon=True).start()
    return f"https://127.0.0.1:{listener.getsockname()[1]}/v2", listener


# ending -> (how the server ends it, the phase of the error)
HANDSHAKE = {
    "the certificate is not trusted": ("untrusted", "other"),
    # TLS 1.3: the client learns it once it has written its request, which the server
    # never reads (an EOF while writing it, or the server's alert).
    "a client certificate asked for, none given": ("client-cert", "other"),
    "closed during the handshake": ("close", "other"),
    "reset during the handshake": ("reset", "connect"),
}


@pytest.mark.parametrize("ending", list(HANDSHAKE))
@pytest.mark.parametrize("op", RAW_OPS, ids=lambda op: op.name)
def test_a_tls_handshake_that_failed_sent_nothing(
    clients: List[helios.ApiClient], ca: trustme.CA, ca_file: str, op: Op, ending: str,
) -> None:
    how, phase = HANDSHAKE[ending]
    requests: List[bytes] = []
    if how in ("untrusted", "client-cert"):
        context = server_context(ca)
        if how == "client-cert":
            trustme.CA().configure_trust(context)
            context.verify_mode = ssl.CERT_REQUIRED
        server = RawServer(lambda conn: None, context)
        url, requests, stop = server.url, server.requests, server.close
    else:
        url, listener = hang_up(reset=how == "reset")
        stop = listener.close
    try:
        settings = {} if how == "untrusted" else {"ssl_ca_cert": ca_file}
        api = client_api(clients, helios.Configuration(host=url, api_key="k", retries=0,
                                                       **settings))
        with pytest.raises(helios.ApiConnectionError) as info:
            op.call(api)
    finally:
        stop()
    error = info.value
    assert error.phase == phase, str(error)
    assert "TLS" in str(error)
    assert requests == []
    if op.name == "get_users":
        say_nothing_of_acting(error)
    else:
        assert not error.may_have_acted and str(error).endswith(NOT_SENT), str(error)


def test_a_write_answered_503_then_refused_was_sent_and_says_neither(
    clients: List[helios.ApiClient],
) -> None:
    # The 503 reached the server, which refused it without acting; the retry found
    # nothing listening. The call was sent, and nothing was changed: no note fits.
    def refuse_then_go(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        server.close()

    server = RawServer(refuse_then_go)
    api = client_api(clients, helios.Configuration(host=server.url, api_key="k",
                                                   retries=RetryPolicy(1, **FAST)))
    with pytest.raises(helios.ApiConnectionError) as info:
        api.delete_user("S-1-100-21-1-1001")
    error = info.value
    assert len(server.requests) == 1 and error.phase == "connect" and error.attempts == 2
    say_nothing_of_acting(error)
