"""``FakeHelios``: the fake's lifecycle, and how one request becomes one answer.

A request is matched to an operation (404 for an unknown path, 405 for a wrong method),
filed in the request log, given its queued faults, authenticated by its ``apiKey``
header (or, without one, its ``session-id`` header) on the cluster its
``accessClusterId`` header names, checked against the operation's parameters and body
schema, and carried out by ``HeliosState``, which holds its lock once for all of that.

Queued faults come before authentication, as a gateway's would: a ``fail_next`` answers
whatever the key, and leaves the state alone.

Requests under ``/_fake/`` go to the control API (``control``) instead, unlogged.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import traceback
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)
from urllib.parse import parse_qs, urlsplit

from cohesity_sdk.helios.testing.control import PREFIX, ControlApi, is_control_path, reset
from cohesity_sdk.helios.testing.errors import ApiError, bad_request
from cohesity_sdk.helios.testing.faults import FaultPlan, Faults, RetryAfter
from cohesity_sdk.helios.testing.http_server import (
    IDLE_TIMEOUT,
    MAX_BODY_BYTES,
    READ_TIMEOUT,
    Answer,
    FakeHTTPServer,
    Limits,
)
from cohesity_sdk.helios.testing.request_log import (
    DEFAULT_MAX_LOG_BYTES,
    DEFAULT_MAX_REQUESTS,
    NO_ANSWER,
    FakeRequest,
    RequestLog,
    RequestLogView,
    masked,
)
from cohesity_sdk.helios.testing.routes import (
    BASE_PATH,
    OPERATION_IDS,
    ROUTES,
    Route,
    arguments,
    match,
)
from cohesity_sdk.helios.testing.schema import INT64_MAX, INT64_MIN, check
from cohesity_sdk.helios.testing.state import HeliosState
from cohesity_sdk.helios.testing.tenants import ClusterSpec

if TYPE_CHECKING:
    from types import TracebackType

    from cohesity_sdk.helios.configuration import Configuration

_INTEGER = re.compile(r"-?[0-9]+")
_METHODS = frozenset(route.method for route in ROUTES)

class FakeHelios:
    """An in-memory Helios user-management API on a local port, for tests.

    ::

        with FakeHelios() as fake:
            with ApiClient(fake.configuration()) as client:
                UserApi(client).get_users()

    ``api_key`` is the bootstrap key: it belongs to the seeded ``admin`` user (password
    ``admin``) of every cluster. See ``cohesity_sdk.helios.testing.state`` for the rules
    the fake follows. ``requests`` keeps the last ``max_requests`` requests (``None``:
    all), their bodies whole up to ``max_log_bytes`` in all (``None``: no bound); past
    that, the oldest bodies are cut to a prefix. With ``state`` (a ``snapshot()``) the
    fake starts from that state, and ``reset()`` goes back to it. ``control_api`` serves
    the control API under ``/_fake/`` (see ``cohesity_sdk.helios.testing.control``).

    A larger body than ``max_body_bytes`` is answered 413; a connection is closed after
    ``idle_timeout`` seconds without a request, or with a 408 when a started request
    sends nothing for ``read_timeout`` seconds.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1",
                 api_key: Optional[str] = None, *,
                 max_requests: Optional[int] = DEFAULT_MAX_REQUESTS,
                 max_log_bytes: Optional[int] = DEFAULT_MAX_LOG_BYTES,
                 state: Optional[Mapping[str, Any]] = None,
                 control_api: bool = True,
                 max_body_bytes: int = MAX_BODY_BYTES,
                 idle_timeout: float = IDLE_TIMEOUT,
                 read_timeout: float = READ_TIMEOUT) -> None:
        if api_key is not None and (
            not isinstance(api_key, str) or not api_key or any(c in api_key for c in "\r\n\0")
        ):
            raise ValueError("api_key must be a non-empty string that fits in a header")
        self._limits = Limits(max_body_bytes, idle_timeout, read_timeout)
        self._host = host
        self._requested_port = port
        self._port: Optional[int] = None
        self._bound_host = host
        self._api_key = api_key or secrets.token_urlsafe(24)
        self._state = HeliosState(self._api_key, state)  # reset() goes back to state
        self._faults = FaultPlan(OPERATION_IDS)
        self._log = RequestLog(max_requests, max_log_bytes)
        self._requests = RequestLogView(self._log)
        self._control = ControlApi(self._state, self._faults, self._log) if control_api \
            else None
        self._lifecycle = threading.Lock()
        self._server: Optional[FakeHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Listen (on an ephemeral port unless one was given) and serve in the background."""
        with self._lifecycle:
            if self._server is not None:
                raise RuntimeError("FakeHelios is already running")
            server = FakeHTTPServer((self._host, self._requested_port), self._exchange,
                                    self._limits)
            self._port = server.server_port
            self._bound_host = str(server.server_address[0])
            self._stopping.clear()
            thread = threading.Thread(
                target=server.serve, name=f"FakeHelios:{self._port}", daemon=True
            )
            thread.start()
            self._server, self._thread = server, thread

    def stop(self) -> None:
        """Stop serving and close every connection, idle keep-alive ones included."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            if server is None:
                return
            self._stopping.set()  # wakes delayed requests, which then go unanswered
            server.stop_serving()
            if thread is not None:
                thread.join()
            server.server_close()
            server.close_connections()

    def __enter__(self) -> "FakeHelios":
        self.start()
        return self

    def __exit__(
        self,
        exc_type: Optional[type],
        exc: Optional[BaseException],
        tb: Optional["TracebackType"],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "not started"
        return f"FakeHelios({where})"  # never the key

    # -- what tests use ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>/v2``: the ``host`` for ``Configuration``."""
        if self._port is None:
            raise RuntimeError("FakeHelios has not been started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{BASE_PATH}"

    @property
    def control_url(self) -> str:
        """``http://127.0.0.1:<port>/_fake``: where the control API is served."""
        return self.url[: -len(BASE_PATH)] + PREFIX

    @property
    def api_key(self) -> str:
        """The bootstrap key: valid on every cluster until revoked there."""
        return self._api_key

    def configuration(self, **kwargs: Any) -> "Configuration":
        """A ``Configuration`` for this fake; ``kwargs`` go to ``Configuration`` (a
        ``host`` or an ``api_key`` given there wins). It has the bootstrap key, unless
        it logs in (``username=``, ``password=``) or has an ``auth`` of its own."""
        from cohesity_sdk.helios.configuration import API_KEY_SCHEME, Configuration

        kwargs.setdefault("host", self.url)
        configuration = Configuration(**kwargs)
        if configuration.username is None and configuration.auth is None:
            configuration.api_key.setdefault(API_KEY_SCHEME, self._api_key)
        return configuration

    @property
    def requests(self) -> RequestLogView:
        """The requests received since start, ``reset()`` or ``requests.clear()``, in
        arrival order: the last ``max_requests`` of them. A live, read-only sequence
        (``len``, ``[-1]``, slices, iteration, ``==`` with a list) with ``clear()``."""
        return self._requests

    def fail_next(
        self,
        operation_id: str,
        status: int = 503,
        times: int = 1,
        retry_after: RetryAfter = None,
        body: Any = None,
    ) -> None:
        """Answer the next ``times`` calls of ``operation_id`` with ``status``, without
        acting; ``body`` (JSON) replaces the default ``Error``, ``retry_after`` (seconds or
        a string) is sent as ``Retry-After``."""
        self._faults.fail(operation_id, status, times, retry_after, body)

    def delay_next(self, operation_id: str, seconds: float, after_action: bool = False) -> None:
        """Wait ``seconds`` before handling the next call of ``operation_id``; with
        ``after_action``, carry it out first and wait before answering."""
        self._faults.delay(operation_id, seconds, after_action)

    def drop_next(self, operation_id: str, after_action: bool = False) -> None:
        """Close the connection of the next call of ``operation_id`` without answering;
        with ``after_action`` the operation is carried out first."""
        self._faults.drop(operation_id, after_action)

    def expire_sessions(self) -> int:
        """End every session on every cluster, as if they had all timed out: later calls
        with their ``session-id`` are answered 401. Returns how many ended."""
        return self._state.expire_sessions()

    def reset(self) -> None:
        """Forget all state (added roles and tenant access entries included), logged
        requests and pending faults; the key stays valid. A fake made with ``state=``
        goes back to that state."""
        reset(self._state, self._faults, self._log)

    def snapshot(self) -> Dict[str, Any]:
        """A copy of every cluster's state, the added roles and the tenant access list,
        in plain JSON values (``json.dumps`` takes it), secrets included: ``{"version":
        1, "bootstrapKey", "roles", "clusters", "tenantAccess"}``. See
        ``cohesity_sdk.helios.testing.saved_state`` for the format."""
        return self._state.snapshot()

    def restore(self, snapshot: Mapping[str, Any]) -> None:
        """Replace the state with ``snapshot``'s (from ``snapshot()``, or written by
        hand); the request log and pending faults stay. API keys that were the
        snapshot's bootstrap key become this fake's ``api_key``. A snapshot of another
        version or shape raises ``ValueError`` and changes nothing."""
        self._state.restore(snapshot)

    def add_role(self, name: str, privileges: Iterable[str]) -> None:
        """Add a custom role, known on every cluster, that users and groups may then be
        given: ``privileges`` are names of ``cohesity_sdk.helios.testing.roles``
        (``PRINCIPAL_VIEW``, ``PRINCIPAL_MODIFY``, ``API_KEY_VIEW_ALL``,
        ``API_KEY_MANAGE_ALL``, ``SESSION_MANAGE_ALL``), possibly none. Adding it again
        changes its privileges. A blank or built-in name, or an unknown privilege, raises
        ``ValueError``. Added roles are part of the state: ``snapshot()`` holds them and
        ``reset()`` forgets them."""
        self._state.add_role(name, privileges)

    def add_tenant_access(
        self,
        tenant_id: str,
        roles: Sequence[str],
        clusters: Sequence[ClusterSpec],
        active: bool = True,
        *,
        tenant_name: Optional[str] = None,
        tenant_status: Optional[str] = None,
        tenant_type: str = "Dmaas",
        effective_time_msecs: Optional[int] = None,
        expired_time_msecs: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Add an entry to what ``get_tenant_access`` lists, and return it.

        ``clusters`` holds cluster ids or ``McmClusterIdentifier`` dicts. The name defaults
        to the id's, the status to ``Active``/``Inactive`` after ``active``, the effective
        time to now. ``reset()`` forgets added entries.
        """
        return self._state.add_tenant_access(
            tenant_id, roles, clusters, active, tenant_name=tenant_name,
            tenant_status=tenant_status, tenant_type=tenant_type,
            effective_time_msecs=effective_time_msecs, expired_time_msecs=expired_time_msecs,
        )

    # -- one request -------------------------------------------------------------------

    def _exchange(
        self, method: str, target: str, headers: Dict[str, str], raw_body: bytes, peer: str
    ) -> Optional[Answer]:
        try:
            parts = urlsplit(target)
        except ValueError:  # an absolute target with a broken host, say
            return _error(bad_request("the request target is not a URL"))
        if self._control is not None and is_control_path(parts.path):
            return self._control.answer(method, parts.path, raw_body,
                                        peer, self._bound_host)
        body, body_error = _parse_json(raw_body)
        route: Optional[Route] = None
        params: Dict[str, str] = {}
        unmatched: Optional[ApiError] = None
        try:
            route, params = match(method, parts.path)
        except ApiError as exc:
            unmatched = exc
            if exc.status == 404 and method not in _METHODS:
                # A method the API never uses (TRACE, CONNECT...) is refused on any path.
                unmatched = ApiError(405, f"{method} is not a method of this API",
                                     headers={"Allow": ", ".join(sorted(_METHODS))})
        ticket = self._log.add(FakeRequest(
            method=method,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=masked(headers),
            json=body,
            operation_id=route.operation_id if route else None,
            body=raw_body,
        ))
        if unmatched is not None:
            answer: Optional[Answer] = _error(unmatched)
        else:
            assert route is not None
            answer = self._answer(route, lambda: self._perform(
                route, params, parts.query, headers, body, body_error))
        self._log.answered(ticket, answer.status if answer else NO_ANSWER)
        return answer

    def _answer(self, route: Route, perform: Callable[[], Answer]) -> Optional[Answer]:
        """``perform``'s answer, or what the faults set for this operation make of it."""
        faults: Faults = self._faults.take(route.operation_id)
        if faults.delay:
            self._stopping.wait(faults.delay)
            if self._stopping.is_set():
                return None
        if faults.drop_before:
            return None
        if faults.failure is not None:
            failure = faults.failure
            extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            answer = Answer(failure.status, failure.body, extra)
        else:
            try:
                answer = perform()
            except ApiError as exc:
                answer = _error(exc)
            except Exception as exc:  # a bug in the fake: say so instead of hanging up
                traceback.print_exc()
                answer = Answer(500, {"errorCode": "KInternalError",
                                      "message": f"{route.operation_id}: {exc!r}"})
        if faults.delay_after:
            self._stopping.wait(faults.delay_after)
            if self._stopping.is_set():
                return None
        return None if faults.drop_after else answer

    def _perform(
        self,
        route: Route,
        params: Dict[str, str],
        raw_query: str,
        headers: Mapping[str, str],
        body: Any,
        body_error: Optional[ApiError],
    ) -> Answer:
        lowered = {k.lower(): v for k, v in headers.items()}
        cluster_id = _cluster_id(lowered.get("accessclusterid")) if route.routed else None

        def read_arguments() -> Dict[str, Any]:
            # After authentication: a caller without credentials learns nothing more.
            kwargs = arguments(route, params, raw_query)
            if route.body is not None:
                if body_error is not None:
                    raise body_error
                if body is None:
                    raise bad_request("body: is required")
                check(body, route.body, "body")
                kwargs["body"] = body
            return kwargs

        credentials = None if route.login else (lowered.get("apikey"),
                                                lowered.get("session-id"))
        return Answer(route.status, self._state.serve(route.operation_id, cluster_id,
                                                      credentials, read_arguments))


def _parse_json(raw: bytes) -> Tuple[Any, Optional[ApiError]]:
    """The body's JSON (None when empty) and the 400 to answer if it is not JSON."""
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw), None
    except ValueError:
        return None, bad_request("body: is not valid JSON")


def _cluster_id(header: Optional[str]) -> Optional[int]:
    if header is None:
        return None
    text = header.strip()
    if not _INTEGER.fullmatch(text) or not INT64_MIN <= int(text) <= INT64_MAX:
        raise bad_request("accessClusterId: must be an int64 integer")
    return int(text)


def _error(exc: ApiError) -> Answer:
    return Answer(exc.status, exc.body(), exc.headers)
