"""The observing seam: what an observer of every call is told, over real sockets against
FakeHelios, and that a call without one is told nothing."""

from __future__ import annotations

from typing import Iterator, List, Mapping, Optional, Tuple

import pytest

from cohesity_sdk.helios import ApiClient, UserApi, observing
from cohesity_sdk.helios.exceptions import ApiConnectionError, ServiceException
from cohesity_sdk.helios.models import CreateGroupParams
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.testing import FakeHelios
from cohesity_sdk.helios.transport import TransportRequest, TransportResponse

Event = Tuple[str, ...]


class Watch:
    def __init__(self, events: List[Event], name: str) -> None:
        self.events = events
        self.name = name

    def try_started(self, attempt: TransportRequest) -> None:
        attempt.headers["x-watched"] = self.name  # a watch may add a header
        self.events.append((self.name, "try", str(attempt.attempt)))

    def try_ended(self, attempt: TransportRequest, response: Optional[TransportResponse],
                  error: Optional[BaseException]) -> None:
        got = str(response.status) if response is not None else type(error).__name__
        self.events.append((self.name, "answer", got))

    def retrying(self, reason: str, wait: float) -> None:
        self.events.append((self.name, "retry", reason.split(" errorCode")[0]))

    def login(self, operation: str) -> "Watch":
        self.events.append((self.name, "login", operation))
        return Watch(self.events, operation)

    def ended(self, error: Optional[BaseException]) -> None:
        self.events.append((self.name, "ended", type(error).__name__ if error else "ok"))


class Recorder:
    def __init__(self) -> None:
        self.events: List[Event] = []
        self.headers: List[Mapping[str, str]] = []

    def call(self, operation: str, method: str, url: str, headers: Mapping[str, str],
             deadline: Optional[float]) -> Watch:
        self.events.append((operation, "call", method, str(deadline)))
        self.headers.append(headers)
        return Watch(self.events, operation)


@pytest.fixture
def observer() -> Iterator[Recorder]:
    recorder = Recorder()
    previous = observing.observe(recorder)
    try:
        yield recorder
    finally:
        assert observing.observe(previous) is recorder


@pytest.fixture
def fake_of_observed() -> Iterator[FakeHelios]:
    with FakeHelios() as fake:
        yield fake


def test_a_plain_call_is_one_try_and_its_end(observer: Recorder,
                                            fake_of_observed: FakeHelios) -> None:
    with ApiClient(fake_of_observed.configuration(retries=0, deadline=30)) as client:
        UserApi(client).get_users()
    assert observer.events == [
        ("get_users", "call", "GET", "30.0"),
        ("get_users", "try", "1"),
        ("get_users", "answer", "200"),
        ("get_users", "ended", "ok"),
    ]
    # What a watch adds to a try's headers is sent; the credentials never reach it.
    assert fake_of_observed.requests[-1].headers["x-watched"] == "get_users"
    assert "apiKey" not in observer.headers[0]


def test_a_retry_and_the_error_that_ends_a_call(observer: Recorder,
                                                fake_of_observed: FakeHelios) -> None:
    fake_of_observed.fail_next("get_users", 503, times=3)
    policy = RetryPolicy(1, backoff_base=0)
    with ApiClient(fake_of_observed.configuration(retries=policy)) as client:
        with pytest.raises(ServiceException):
            UserApi(client).get_users()
    assert observer.events[1:] == [
        ("get_users", "try", "1"), ("get_users", "answer", "503"),
        ("get_users", "retry", "(503) Service Unavailable"),
        ("get_users", "try", "2"), ("get_users", "answer", "503"),
        ("get_users", "ended", "ServiceException"),
    ]


def test_a_login_is_watched_as_a_part_of_the_call(observer: Recorder,
                                                   fake_of_observed: FakeHelios) -> None:
    configuration = fake_of_observed.configuration(username="admin", password="admin",
                                                   retries=0)
    with ApiClient(configuration) as client:
        UserApi(client).create_group([CreateGroupParams(name="observed", domain="LOCAL")])
    assert observer.events == [
        ("create_group", "call", "POST", "None"),
        ("create_group", "login", "create_session"),
        ("create_session", "try", "1"), ("create_session", "answer", "201"),
        ("create_session", "ended", "ok"),
        ("create_group", "try", "1"), ("create_group", "answer", "201"),
        ("create_group", "ended", "ok"),
    ]


def test_no_answer_is_told_as_the_error_of_the_try(observer: Recorder) -> None:
    with FakeHelios() as fake:
        configuration = fake.configuration(retries=0)
    with ApiClient(configuration) as client:  # the fake has stopped
        with pytest.raises(ApiConnectionError):
            UserApi(client).get_users()
    assert observer.events[1:] == [
        ("get_users", "try", "1"), ("get_users", "answer", "ApiConnectionError"),
        ("get_users", "ended", "ApiConnectionError"),
    ]


def test_without_an_observer_nothing_is_told(fake_of_observed: FakeHelios) -> None:
    assert observing.current is None
    with ApiClient(fake_of_observed.configuration(retries=0)) as client:
        UserApi(client).get_users()
    assert "x-watched" not in fake_of_observed.requests[-1].headers
