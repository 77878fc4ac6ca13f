"""A client in worker processes: forked after it was used, or spawned from what made it.

Each worker asks for its own user, over and over: an answer that belongs to another
worker (read from a connection two processes share) shows as a wrong SID.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator, List, Optional, Tuple

import pytest
import urllib3

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.testing import FakeHelios

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()"),
    # Python 3.12 and newer warn of any fork beside other threads (these tests' servers
    # run in threads): forking such a process is the case the SDK is made safe for.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]

WORKERS = 6
CALLS = 40

# What a forked worker inherits: set by the test before the pool starts.
_api: Optional[helios.UserApi] = None


def _own_answers(sid: str) -> List[str]:
    """The SIDs of the users the answers name, for CALLS calls asking for ``sid``."""
    assert _api is not None
    return [_api.get_user_by_sid(sid).sid or "" for _ in range(CALLS)]


def _own_answers_with(api: helios.UserApi, sid: str) -> List[str]:
    return [api.get_user_by_sid(sid).sid or "" for _ in range(CALLS)]


@pytest.fixture
def users(fake: FakeHelios) -> Iterator[Tuple[FakeHelios, List[str]]]:
    api = helios.UserApi(helios.ApiClient(fake.configuration()))
    created = api.create_users([
        helios.CreateUserParameters(username=f"worker{i}", domain="LOCAL",
                                    local_user_params=helios.LocalUserParams(password="pw-1"))
        for i in range(WORKERS)])
    yield fake, [u.sid or "" for u in created.users or []]


def _used_client(fake: FakeHelios, **settings: object) -> helios.UserApi:
    global _api
    _api = helios.UserApi(helios.ApiClient(fake.configuration(**settings)))
    _api.get_users()  # a pooled keep-alive connection, now inherited by every child
    return _api


def test_forked_workers_get_their_own_answers(users: Tuple[FakeHelios, List[str]]) -> None:
    fake, sids = users
    _used_client(fake)
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        answers = pool.map(_own_answers, sids)
    assert answers == [[sid] * CALLS for sid in sids]


def test_a_process_pool_executor_with_fork(users: Tuple[FakeHelios, List[str]]) -> None:
    fake, sids = users
    _used_client(fake)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        answers = list(pool.map(_own_answers, sids))
    assert answers == [[sid] * CALLS for sid in sids]


def test_spawned_workers_get_a_client_of_their_own(users: Tuple[FakeHelios, List[str]]) -> None:
    # Spawned workers are handed the UserApi itself: it travels as what it was made
    # from, and makes its connections there.
    fake, sids = users
    api = _used_client(fake)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(3, mp_context=context) as pool:
        answers = list(pool.map(_own_answers_with, [api] * len(sids), sids))
    assert answers == [[sid] * CALLS for sid in sids]


def test_a_pool_of_your_own_in_forked_workers(users: Tuple[FakeHelios, List[str]]) -> None:
    # The client cannot make your pool again, so it has the pool forget the parent's
    # connections (Urllib3Transport.after_fork).
    global _api
    fake, sids = users
    pool = urllib3.PoolManager(maxsize=4)
    _api = helios.UserApi(helios.ApiClient(fake.configuration(), transport=pool))
    _api.get_users()
    with multiprocessing.get_context("fork").Pool(WORKERS) as workers:
        answers = workers.map(_own_answers, sids)
    assert answers == [[sid] * CALLS for sid in sids]
    assert _api.get_users().users  # the parent's pool still works


def test_a_session_client_in_forked_workers(users: Tuple[FakeHelios, List[str]]) -> None:
    fake, sids = users
    _used_client(fake, username="admin", password="admin")
    with multiprocessing.get_context("fork").Pool(3) as pool:
        answers = pool.map(_own_answers, sids)
    assert answers == [[sid] * CALLS for sid in sids]


def test_a_client_pickles_without_its_connections_or_secrets_in_clear() -> None:
    configuration = helios.Configuration(host="https://cluster.example/v2",
                                         username="admin", password="pickled-pw")
    client = helios.ApiClient(configuration)
    client.set_default_header("X-Team", "backup")
    copy = pickle.loads(pickle.dumps(helios.UserApi(client))).api_client
    assert copy is not client and copy.configuration.password == "pickled-pw"
    assert copy.default_headers == {"X-Team": "backup"}
    assert copy._transport is None and copy._auth is None


def test_a_fork_during_another_threads_login_does_not_hang_the_child(
    fake: FakeHelios,
) -> None:
    # A thread holds the session's lock for 2 s, logging in, when the process forks.
    api = helios.UserApi(helios.ApiClient(fake.configuration(username="admin",
                                                             password="admin")))
    fake.delay_next("create_session", 2.0)
    parent_login = threading.Thread(target=api.get_users)
    parent_login.start()
    deadline = time.monotonic() + 5
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)  # until the login is on the wire, the lock held
    assert [r.operation_id for r in fake.requests] == ["create_session"]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one call, whose answer goes up the pipe
        try:
            users = api.get_users(_deadline=5).users or []
            os.write(write, ",".join(u.username or "" for u in users).encode())
        finally:
            os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 10)
        assert ready, "the child hung"
        assert os.read(read, 1000) == b"admin"
    finally:
        os.close(read)
        os.waitpid(pid, 0)
        parent_login.join()
