"""How a built request becomes its final answer: one loop of tries within the call's
deadline, each with the call's credentials, the caller's headers, the hooks and the
transport.

    send(call)      the loop: what to send next (the call, or the login its credentials
                    need first), whether an answer is final, the waits between tries
    send_try(...)   one try on the wire: headers given, the timeout cut to the time
                    left, hooks, the log, the transport

A ``Call`` carries one call through it: the request, its credentials (a flow, see
``auth``), the limits (timeout, deadline, body size), the retry policy, and what its
tries found. A login is one more exchange of the same loop, with its own ``Call`` of
tries: it shares the call's deadline and retry policy, and nothing loops inside the
loop.

The retry rule is the operation's (``Operation.idempotent``, from the spec's
``x-idempotent``): a try that never reached the server (the connection failed) or
was refused without acting (429, or 503 for an operation safe to repeat) may be sent
again; one that was sent and lost its answer (read timeout, dropped connection, 502,
504) only when the operation is safe to repeat. A delete (``Operation.deletes``) that
lost its answer and is then answered 404 was done by the earlier try.

An error tells the truth about a call that is not a read (``may_have_acted``): True once
a try was sent, or may have been, and lost its answer, however the call then ended (the
deadline included), or when a 2xx answer could not be read; False when nothing reached
the server, and then its text says that the call was not sent. All of it is worked out
when a try fails, never for a call that succeeds.
"""

from __future__ import annotations

import logging
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    List,
    Mapping,
    MutableMapping,
    Optional,
    Protocol,
    Tuple,
    Union,
)

from cohesity_sdk.helios.auth import FlowSource, Login, LoginAnswer
from cohesity_sdk.helios.constants import JSON, Timeout
from cohesity_sdk.helios.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    OpenApiException,
    ResponseTooLargeException,
    where,
)
from cohesity_sdk.helios.observing import CallWatch
from cohesity_sdk.helios.parse import error_for
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.secret import Headers
from cohesity_sdk.helios.transport import Transport, TransportRequest, TransportResponse

if TYPE_CHECKING:
    from cohesity_sdk.helios.request import HttpRequest

logger = logging.getLogger("cohesity_sdk.helios")

_monotonic = time.monotonic
_sleep = time.sleep

#: The hooks a client calls for each try: ``"request"`` with the ``TransportRequest``
#: before it is sent, ``"response"`` with it and its ``TransportResponse``, ``"error"``
#: with it and the ``ApiConnectionError`` when there was no answer.
HOOK_EVENTS = ("request", "response", "error")
EventHooks = MutableMapping[str, List[Callable[..., Any]]]

#: Statuses that mean the try may have reached the server and been acted on.
ANSWER_LOST = frozenset({502, 504})

# What ApiTimeoutError.waiting_for says, and how a message names it.
WAITING = {
    "connect": "connecting",
    "answer": "waiting for the answer",
    "body": "reading the answer",
    "login": "logging in",
    "login-lock": "waiting for another thread's login",
    "retry": "before the next try",
    "send": "before a try could start",
}

# A timed-out try says itself what it was waiting for ("timed out connecting to ...").
_SAID_BY_THE_TRY = frozenset({"connect", "answer", "body"})


class Endpoint(Protocol):
    """Where a login a call needs is sent: the call's host and headers
    (``serialize.Endpoint``)."""

    def request(self, operation: str, method: str, path: str) -> HttpRequest:
        """A request to ``path`` under the host, with no body yet."""
        ...


def _detail(error: OpenApiException) -> str:
    return error.detail if isinstance(error, ApiConnectionError) else str(error)


class Call:
    """One call in flight: its request, its credentials, its limits, and what its tries
    found. A login the call needs is a ``Call`` of its own (``login``), within this
    one's deadline."""

    __slots__ = ("operation", "idempotent", "deletes", "request", "credentials", "policy",
                 "timeout", "deadline_seconds", "ends_at", "max_bytes", "stream",
                 "endpoint", "on_credentials", "watch", "attempts", "renewed",
                 "timeout_cut", "may_have_acted", "not_repeated", "deleted", "retried",
                 "reached")

    def __init__(
        self,
        operation: str,
        request: HttpRequest,
        credentials: FlowSource,
        policy: RetryPolicy,
        timeout: Timeout,
        deadline_seconds: Optional[float],
        max_bytes: int,
        *,
        idempotent: bool,
        deletes: bool = False,
        stream: bool = False,
        ends_at: Optional[float] = None,
        endpoint: Optional[Endpoint] = None,
        on_credentials: Optional[Callable[[], None]] = None,
    ) -> None:
        self.operation = operation
        self.idempotent = idempotent
        self.deletes = deletes
        self.request = request
        #: Where the call's credentials come from (``auth.flow_source``).
        self.credentials = credentials
        self.policy = policy
        self.timeout = timeout
        #: The deadline in seconds as given, for messages; ``ends_at`` is when it ends
        #: (``time.monotonic()``).
        self.deadline_seconds = deadline_seconds
        if ends_at is None and deadline_seconds is not None:
            ends_at = _monotonic() + deadline_seconds
        self.ends_at = ends_at
        self.max_bytes = max_bytes
        self.stream = stream
        #: Where a login the credentials need is sent: the call's host and headers.
        self.endpoint = endpoint
        #: Called when a try carries credentials (the client's warning of plain http).
        self.on_credentials = on_credentials
        #: What watches the call from outside (``observing``), if anything.
        self.watch: Optional[CallWatch] = None
        self.attempts = 0
        self.renewed = False  # the credentials were renewed once already (after a 401)
        self.timeout_cut = False  # the last try's timeout was cut to the time left
        self.may_have_acted = False
        self.not_repeated = False
        self.deleted = False  # a 404 to a repeated delete: the earlier try did it
        self.retried: Optional[OpenApiException] = None  # what the last retried try got
        # ``reached`` (a try reached the server, or may have) is set only when a try
        # fails that way, and read with getattr: a call that succeeds pays nothing for it.

    def login(self, login: Login) -> Call:
        """The exchange of ``login`` for this call: within its deadline and retry policy,
        safe to repeat."""
        assert self.endpoint is not None, "a call that may log in knows its endpoint"
        request = self.endpoint.request(login.operation, "POST", login.path)
        request.headers["Content-Type"] = JSON
        request.body = login.body
        exchange = Call(login.operation, request, self.credentials, self.policy,
                        self.timeout, self.deadline_seconds, self.max_bytes,
                        idempotent=True, ends_at=self.ends_at)
        if self.watch is not None:
            exchange.watch = self.watch.login(login.operation)
        return exchange

    def time_left(self) -> Optional[float]:
        """Seconds until the deadline; None when there is none."""
        return None if self.ends_at is None else self.ends_at - _monotonic()

    # -- the waits of a credential's flow (auth.Waits) ---------------------------------

    def lock_wait(self) -> float:
        """How long another thread's login may be waited for: the time left, or -1 (no
        limit); raises when the deadline has passed."""
        left = self.time_left()
        if left is None:
            return -1
        if left <= 0:
            raise self.deadline_passed(self.retried, "login-lock")
        return left

    def lock_timed_out(self) -> Exception:
        return self.deadline_passed(None, "login-lock")

    # -- errors ------------------------------------------------------------------------

    def deadline_passed(self, last: Optional[OpenApiException],
                        waiting_for: str) -> ApiTimeoutError:
        """The error for this call's deadline, passed while ``waiting_for`` (a key of
        ``WAITING``), ``last`` being what the last try got, if anything."""
        request = self.request
        text = (f"{where(self.operation, request.method, request.url)}: the deadline of "
                f"{self.deadline_seconds:g} s passed")
        if waiting_for not in _SAID_BY_THE_TRY:
            text += " " + WAITING[waiting_for]
        cause = last
        if waiting_for == "login" and isinstance(last, ApiTimeoutError):
            # The login's own deadline error: what its last try got says more.
            cause = last.last_error
            if cause is not None:
                text += f" ({last.operation}: "
                text += (f"last answer: {cause.describe_answer()})"
                         if isinstance(cause, ApiException) else f"{_detail(cause)})")
        elif isinstance(cause, ApiException):
            text += f" (last answer: {cause.describe_answer()})"
        elif isinstance(cause, ApiConnectionError):
            text += f" (last try: {cause.detail})"
        error = ApiTimeoutError(
            text, deadline=self.deadline_seconds, last_error=last, operation=self.operation,
            method=request.method, url=request.url, attempts=self.attempts,
            waiting_for=waiting_for,
        )
        self.mark(error)
        return error

    def mark(self, error: OpenApiException, own: bool = True) -> OpenApiException:
        """``error`` with what this call knows: how often it was sent, whether the
        server may have acted on it, and whether it was sent at all. ``own``: the error
        is this call's, not that of the login it needed (which keeps its attempts)."""
        if own and isinstance(error, (ApiException, ApiConnectionError)):
            error.attempts = self.attempts
        acted = error.may_have_acted = self.may_have_acted
        error.not_repeated = self.not_repeated
        error._not_sent = ("it" if own else self.operation) if (
            not acted and self.request.method != "GET" and _no_answer(error)
            and not self.renewed and not getattr(self, "reached", False)) else ""
        return error

    def lost_answer(self) -> None:
        """A try was sent, or may have been, and no answer came: the server may have
        acted on it, unless the call only reads."""
        self.reached = True
        if self.request.method != "GET":  # a read has nothing to have done
            self.may_have_acted = True

    def answered(self, error: ApiException) -> ApiException:
        """``error`` for an answer to this call, marked: a 2xx (one that could not be
        read) says that the server acted on it, a 502 or 504 that it may have."""
        self.reached = True
        status = error.status
        if (200 <= status <= 299 or status in ANSWER_LOST) and self.request.method != "GET":
            self.may_have_acted = True
        self.mark(error)
        return error

    def __repr__(self) -> str:
        return f"Call({self.operation}, attempt {self.attempts})"


# -- the loop ----------------------------------------------------------------------------


class Pipeline:
    """What every call of one client goes through: ``send``, over its transport and
    hooks."""

    __slots__ = ("transport", "hooks")

    def __init__(self, transport: Transport, hooks: EventHooks) -> None:
        self.transport = transport
        self.hooks = hooks

    def send(self, call: Call) -> TransportResponse:
        """Send ``call`` until its answer is final (whatever its status), with its
        credentials, as the operation's retry rule, the retry policy and the deadline
        allow; a login its credentials need is sent first, in the same loop."""
        flow = call.credentials.flow(call)
        try:
            item = self._next(call, flow, None)
            while True:
                if isinstance(item, Login):  # the credentials need a login first
                    item = self._log_in(call, flow, item)
                    continue
                headers = call.request.headers.with_credentials(item)
                if item and call.on_credentials is not None:
                    call.on_credentials()
                try:
                    response = send_try(call, headers, self.transport, self.hooks)
                except ApiConnectionError as exc:
                    self._after_no_answer(call, exc)
                    item = self._next(call, flow, None)  # the credentials of the next try
                    continue
                status = response.status
                if status < 400:
                    return response
                if status == 401 and not call.renewed:
                    call.renewed = True  # once per call: a refused login must not loop
                    item = self._next(call, flow, headers)  # the headers it was sent with
                    if item is None:  # nothing to renew
                        return response
                    response.release()
                    continue
                if self._final(call, response):
                    return response
                item = self._next(call, flow, None)
        finally:
            flow.close()  # a login lock the flow holds is let go, whatever happened

    def authenticate(self, call: Call, rejected: Optional[Mapping[str, str]] = None
                     ) -> Headers:
        """The credentials ``call`` would be sent with, logging in first if they need it
        (and, with ``rejected``, renewing them as after a 401), without sending it."""
        flow = call.credentials.flow(call)
        try:
            item = self._next(call, flow, None)
            while True:
                if isinstance(item, Login):
                    item = self._log_in(call, flow, item)
                    continue
                if rejected is None or item is None:
                    return item if item is not None else Headers()
                item, rejected = self._next(call, flow, rejected), None
        finally:
            flow.close()

    def _log_in(self, call: Call, flow: Any, login: Login) -> Any:
        """Send ``login`` for ``call`` until its answer is final, and hand the answer to
        the flow: what the flow yields next (the credentials, ready)."""
        exchange = call.login(login)
        watch = exchange.watch
        try:
            while True:
                try:
                    response = send_try(exchange, exchange.request.headers.copy(),
                                        self.transport, self.hooks)
                except ApiConnectionError as exc:
                    try:
                        self._after_no_answer(exchange, exc)
                    except ApiTimeoutError as timed_out:
                        if timed_out.deadline is None:
                            raise call.mark(timed_out, own=False) from None
                        raise call.deadline_passed(timed_out, "login") from timed_out
                    except ApiConnectionError as failed:
                        raise call.mark(failed, own=False) from None
                    continue
                except OpenApiException as exc:  # an answer the transport could not read
                    raise call.mark(exc, own=False) from None
                try:
                    final = response.status < 400 or self._final(exchange, response)
                except ApiTimeoutError as timed_out:
                    raise call.deadline_passed(timed_out, "login") from timed_out
                if final:
                    request = exchange.request
                    status = response.status
                    answer = LoginAnswer(response, request.url, exchange.attempts, None if
                                         200 <= status <= 299 else error_for(
                                             login.operation, request.method, request.url,
                                             status, response.reason, response.headers,
                                             response.data, exchange.attempts))
                    item = self._next(call, flow, answer)
                    if watch is not None:
                        watch.ended(None)
                    return item
        except BaseException as exc:
            if watch is not None:
                watch.ended(exc)
            raise

    def _next(self, call: Call, flow: Any, sent: Any) -> Any:
        """What the flow yields next: ``Headers`` or a ``Login``; None when it has
        nothing more (no renewal after a 401). Its errors (a refused login) are marked
        for the call they stopped."""
        try:
            return next(flow) if sent is None else flow.send(sent)
        except StopIteration:
            return None
        except ApiTimeoutError:
            raise  # the deadline, marked by the call already
        except OpenApiException as exc:
            raise call.mark(exc, own=getattr(exc, "operation", call.operation)
                            == call.operation) from None

    def _after_no_answer(self, call: Call, exc: ApiConnectionError) -> None:
        """After a try that got no answer: wait before the next one, or raise."""
        if isinstance(exc, ApiTimeoutError) and exc.deadline is not None:
            raise exc  # the deadline, marked by this call already
        if call.ends_at is not None and isinstance(exc, ApiTimeoutError) and (
                call.timeout_cut or _monotonic() >= call.ends_at):
            # Its try was marked when it failed (``send_try``): a try that was sent
            # may have acted, whatever ended the call.
            raise call.deadline_passed(exc, _timed_out_waiting_for(exc)) from exc
        sent = exc.phase == ApiConnectionError.READ
        if not may_repeat(call, sent, error=exc):
            call.mark(exc)
            raise exc
        pause(call, None, exc.detail, exc)

    def _final(self, call: Call, response: TransportResponse) -> bool:
        """Whether ``response`` (an error status) is the call's final answer; if not, wait
        before the next try."""
        status = response.status
        if status == 404 and call.deletes and call.may_have_acted:
            call.deleted = True  # an earlier try did it, and lost the answer
            return True
        if not may_repeat(call, status in ANSWER_LOST, status=status):
            return True
        request = call.request
        answer = error_for(call.operation, request.method, request.url, status,
                           response.reason, response.headers, response.data, call.attempts)
        response.release()
        pause(call, response.headers, answer.describe_answer(), answer)
        return False


# -- one try ----------------------------------------------------------------------------


def send_try(call: Call, headers: Headers, transport: Transport,
             hooks: EventHooks) -> TransportResponse:
    """One try of ``call`` on the wire with ``headers`` (the request's and the
    credentials, a copy of its own), the caller's own headers set last; the timeout cut
    to the time left; the hooks, the log and the transport."""
    request = call.request
    if request.overrides:
        for name, value in request.overrides.items():
            _put(headers, name, value)
    timeout = call.timeout
    ends_at = call.ends_at
    if ends_at is not None:
        left = ends_at - _monotonic()
        if left <= 0:
            raise call.deadline_passed(call.retried, "send") from call.retried
        timeout, call.timeout_cut = _cut(timeout, left)
    call.attempts += 1
    attempt = TransportRequest(request.operation, call.attempts, request.method,
                               request.url, headers, request.body, timeout, ends_at,
                               call.max_bytes, call.stream)
    watch = call.watch
    if watch is not None:
        watch.try_started(attempt)
    debug = logger.isEnabledFor(logging.DEBUG)
    started = _monotonic() if debug else 0.0
    if hooks["request"]:
        for hook in hooks["request"]:
            hook(attempt)
    try:
        response = transport.send(attempt)
    except ApiConnectionError as exc:
        if exc.phase == ApiConnectionError.READ:  # sent, or may have been
            call.lost_answer()
        call.mark(exc)
        if watch is not None:
            watch.try_ended(attempt, None, exc)
        if debug:
            logger.debug("%s %s failed after %.1f ms: %s", attempt.method, attempt.url,
                         (_monotonic() - started) * 1000, exc.args[0])
        for hook in hooks["error"]:
            hook(attempt, exc)
        raise
    except ApiException as exc:  # an answer the transport could not read
        call.answered(exc)
        if watch is not None:
            watch.try_ended(attempt, None, exc)
        raise exc from None
    if watch is not None:
        watch.try_ended(attempt, response, None)
    if debug:
        logger.debug("%s %s -> %s (%.1f ms)", attempt.method, attempt.url,
                     response.status, (_monotonic() - started) * 1000)
    for hook in hooks["response"]:
        hook(attempt, response)
    if len(response.data) > call.max_bytes:  # a transport of your own may not check
        raise call.answered(ResponseTooLargeException(
            response.status, response.reason, None, None, response.headers,
            operation=request.operation, method=request.method, url=request.url,
            limit=call.max_bytes, declared=None))
    return response


# -- the retry rule -------------------------------------------------------------------


def may_repeat(call: Call, sent: bool, *, status: Optional[int] = None,
               error: Optional[ApiConnectionError] = None) -> bool:
    """Whether the try that got ``status`` or ``error`` may be followed by another;
    ``sent``: it reached the server and its answer was lost."""
    if sent:
        call.lost_answer()
        if not call.idempotent:
            call.not_repeated = True
            return False  # whatever the policy says: it may be done already
    return call.policy.allows(call.request.method, call.attempts, status=status,
                              error=error, idempotent=call.idempotent)


def pause(call: Call, headers: Optional[Mapping[str, str]], reason: str,
          failure: OpenApiException) -> None:
    """Wait before the next try, and say so; raise instead when the wait would end past
    the deadline."""
    policy = call.policy
    wait = policy.delay(call.attempts, headers)
    call.retried = failure
    if isinstance(failure, ApiException):
        call.reached = True  # it answered: the call was sent
    if call.ends_at is not None and _monotonic() + wait >= call.ends_at:
        raise call.deadline_passed(failure, "retry") from failure
    request = call.request
    logger.info("%s: %s; retrying in %.2f s (attempt %d of %d)",
                where(call.operation, request.method, request.url), reason, wait,
                call.attempts + 1, policy.total + 1)
    if call.watch is not None:
        call.watch.retrying(reason, wait)
    _sleep(wait)


def _no_answer(error: OpenApiException) -> bool:
    """Whether ``error`` ended a call without a final answer from the server."""
    if isinstance(error, ApiException):
        return error.status in ANSWER_LOST
    return isinstance(error, ApiConnectionError)


def _timed_out_waiting_for(error: ApiTimeoutError) -> str:
    if error.waiting_for:
        return error.waiting_for
    detail = error.detail
    if detail.startswith("timed out connecting"):
        return "connect"
    if detail.startswith("timed out reading"):
        return "body"
    return "answer"


def _cut(timeout: Timeout, left: float) -> Tuple[Timeout, bool]:
    """``timeout`` with each part at most ``left`` seconds, and whether that cut it."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if (connect is not None and connect <= left) and (read is not None and read <= left):
        return timeout, False
    return (left if connect is None else min(connect, left),
            left if read is None else min(read, left)), True


def _put(headers: Union[Headers, MutableMapping[str, str]], name: str, value: str) -> None:
    # Header names are case-insensitive: a replacement must not double the header.
    if name not in headers:
        lowered = name.lower()
        for existing in [k for k in headers if k.lower() == lowered]:
            del headers[existing]
    headers[name] = value
