"""``ApiClient``: the request engine every generated method ends in.

One call is: build the request (``serialize``, pure; a refused argument raises before
anything is sent), then tries until one gives an answer to keep. Each try adds the
credentials (``auth``) and goes out through the transport (``rest``); a 401 may renew
the credentials once; a failure the retry policy (``retry``) allows is tried again
after a wait, within the call's deadline; the answer is read into the result or the
exception (``parse``, pure).
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Set, Tuple, Union

from cohesity_sdk import __version__
from cohesity_sdk.helios.configuration import Configuration
from cohesity_sdk.helios.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    OpenApiException,
    where,
)
from cohesity_sdk.helios.options import DATA, JSON, RAW, RequestOptions, Timeout, request_options
from cohesity_sdk.helios.parse import error_for, parse_response
from cohesity_sdk.helios.serialize import HttpRequest, build_request, check_header

if TYPE_CHECKING:
    from types import TracebackType

    from urllib3 import BaseHTTPResponse

    from cohesity_sdk.helios.auth import Auth
    from cohesity_sdk.helios.operation import Operation
    from cohesity_sdk.helios.rest import RESTClientObject
    from cohesity_sdk.helios.retry import RetryPolicy

logger = logging.getLogger("cohesity_sdk.helios")

_monotonic = time.monotonic


class ApiClient:
    """Holds the configuration, the credentials and the connection pool; use one per
    process or thread pool (it is safe to share between threads).

    Use it as a context manager, or call ``close()``, to release its connections.
    """

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        header_name: Optional[str] = None,
        header_value: Optional[str] = None,
        cookie: Optional[str] = None,
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers: Dict[str, str] = {}
        self.user_agent = (
            f"cohesity-sdk-python/{__version__} (Python {platform.python_version()})"
        )
        self._base: Optional[Dict[str, str]] = None
        self.cookie = cookie
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        self._rest_client: Optional[RESTClientObject] = None
        self._auth: Optional[Auth] = None
        self._checked_credentials: Set[Tuple[str, str]] = set()
        self._lock = threading.Lock()

    @property
    def rest_client(self) -> RESTClientObject:
        """The transport, made on first use so that building a client costs nothing."""
        if self._rest_client is None:
            with self._lock:  # threads sharing a new client share one pool
                if self._rest_client is None:
                    from cohesity_sdk.helios.rest import RESTClientObject

                    self._rest_client = RESTClientObject(self.configuration)
        return self._rest_client

    @property
    def auth(self) -> Auth:
        """How this client authenticates (``Configuration.make_auth``), made on first use:
        a session is then shared by every thread using the client."""
        if self._auth is None:
            with self._lock:
                if self._auth is None:
                    self._auth = self.configuration.make_auth()
        return self._auth

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send this header with every call of this client."""
        check_header(header_name, header_value, "default header")
        self.default_headers[header_name] = header_value
        self._base = None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("cookie", "user_agent"):
            object.__setattr__(self, "_base", None)
        object.__setattr__(self, name, value)

    def _base_headers(self) -> Dict[str, str]:
        base = self._base
        if base is None:
            base = dict(self.default_headers)
            base["Accept"] = JSON
            base["User-Agent"] = self.user_agent
            if self.cookie:
                base["Cookie"] = self.cookie
            self._base = base
        return base

    def close(self) -> None:
        """Release the pooled connections. A session stays open on the server (the API
        can only delete all of a user's sessions), and expires there."""
        if self._rest_client is not None:
            self._rest_client.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(
        self,
        exc_type: Optional[type],
        exc: Optional[BaseException],
        tb: Optional["TracebackType"],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient({self.configuration!r})"

    # -- the engine --------------------------------------------------------------------

    def call_api(
        self,
        op: Operation[Any],
        args: Sequence[Any],
        options: Union[RequestOptions, Mapping[str, Any], None] = None,
    ) -> Any:
        """Call ``op`` with ``args`` (in its parameters' order) and ``options`` (a
        ``RequestOptions``, or the keyword options of a method) and return its result."""
        if not isinstance(options, RequestOptions):
            options = request_options(op, options or {}, DATA)
        request = build_request(op, args, options, self.configuration, self._base_headers())
        return self.send(op, request, options)

    def send(self, op: Operation[Any], request: HttpRequest, options: RequestOptions) -> Any:
        """Send ``request`` until an answer is final, as the retry policy and deadline
        allow, and return the result for ``options.result``."""
        config = self.configuration
        policy = options.retries if options.retries is not None else config.retry_policy()
        auth = options.auth if options.auth is not None else self.auth
        timeout = options.timeout if options.timeout is not None else config.timeout
        limit = options.deadline if options.deadline is not None else config.deadline
        deadline = None if limit is None else _monotonic() + limit
        result = options.result
        method, url = request.method, request.url
        attempt = 0
        refreshed = False
        failure: Optional[OpenApiException] = None  # what the last try got, if retried
        debug = logger.isEnabledFor(logging.DEBUG)
        transport = self._rest_client or self.rest_client
        while True:
            attempt += 1
            headers = request.headers_with(auth.auth_headers(self), self._checked_credentials)
            try_timeout = timeout
            cut = False  # whether the time left is shorter than the try's own timeout
            if deadline is not None:
                left = deadline - _monotonic()
                if left <= 0:
                    raise _deadline_passed(op, request, limit, attempt - 1, failure) from failure
                try_timeout, cut = _cut(timeout, left)
            started = _monotonic() if debug else 0.0
            try:
                response = transport.request(
                    method, url, headers, request.body, try_timeout,
                    preload_content=result != RAW, operation=op.id,
                )
            except ApiConnectionError as exc:
                exc.attempts = attempt
                if debug:
                    logger.debug("%s %s failed after %.1f ms: %s", method, url,
                                 (_monotonic() - started) * 1000, exc.args[0])
                if deadline is not None and isinstance(exc, ApiTimeoutError) and (
                        cut or _monotonic() >= deadline):
                    raise _deadline_passed(op, request, limit, attempt, exc) from exc
                if not policy.should_retry(method, attempt, error=exc):
                    raise
                self._pause(op, request, policy, attempt, None, exc.detail, deadline, limit,
                            exc)
                failure = exc
                continue
            status = response.status
            if debug:
                logger.debug("%s %s -> %s (%.1f ms)", method, url, status,
                             (_monotonic() - started) * 1000)
            if status < 400:
                break
            if status == 401 and not refreshed and auth.refresh(self, headers):
                refreshed = True  # once per call: a refused login must not loop
                _discard(response)
                continue
            if not policy.should_retry(method, attempt, status=status):
                break
            answer = error_for(op, method, url, status, response.reason, response.headers,
                               _body(response), attempt)
            _discard(response)
            self._pause(op, request, policy, attempt, response.headers,
                        answer.describe_answer(), deadline, limit, answer)
            failure = answer
        if result == RAW:
            return response
        return parse_response(op, method, url, status, response.reason, response.headers,
                              response.data or b"", result, attempt,
                              pause_gc=self.configuration.pause_gc_on_decode)

    def _pause(
        self,
        op: Operation[Any],
        request: HttpRequest,
        policy: RetryPolicy,
        attempt: int,
        headers: Optional[Mapping[str, str]],
        reason: str,
        deadline: Optional[float],
        limit: Optional[float],
        failure: OpenApiException,
    ) -> None:
        """Wait before try ``attempt + 1``, and say so; raise instead when the wait would
        end past the deadline."""
        wait = policy.delay(attempt, headers)
        if deadline is not None and _monotonic() + wait >= deadline:
            raise _deadline_passed(op, request, limit, attempt, failure) from failure
        logger.info("%s: %s; retrying in %.2f s (attempt %d of %d)",
                    where(op.id, request.method, request.url), reason, wait, attempt + 1,
                    policy.total + 1)
        time.sleep(wait)


def _cut(timeout: Timeout, left: float) -> Tuple[Timeout, bool]:
    """``timeout`` with each part at most ``left`` seconds, and whether that cut it."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if (connect is not None and connect <= left) and (read is not None and read <= left):
        return timeout, False
    return (left if connect is None else min(connect, left),
            left if read is None else min(read, left)), True


def _deadline_passed(
    op: Operation[Any],
    request: HttpRequest,
    limit: Optional[float],
    attempts: int,
    last: Optional[OpenApiException],
) -> ApiTimeoutError:
    text = f"{where(op.id, request.method, request.url)}: the deadline of {limit:g} s passed"
    if isinstance(last, ApiException):
        text += f" (last answer: {last.describe_answer()})"
    elif isinstance(last, ApiConnectionError):
        text += f" (last try: {last.detail})"
    return ApiTimeoutError(
        text, deadline=limit, last_error=last, operation=op.id, method=request.method,
        url=request.url, attempts=attempts,
    )


def _body(response: BaseHTTPResponse) -> bytes:
    try:
        return response.data or b""
    except Exception:  # an unpreloaded answer that breaks while read: nothing to show
        return b""


def _discard(response: BaseHTTPResponse) -> None:
    """Free the connection of an answer that will not be returned."""
    try:
        response.drain_conn()
        response.release_conn()
    except Exception:  # the connection is gone anyway; the pool makes a new one
        pass


__all__ = ["ApiClient", "ApiException", "OpenApiException"]
