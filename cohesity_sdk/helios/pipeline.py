"""The pipeline a built request goes through: retries within the deadline, then the
credentials, then the hooks and the transport.

    RetryStage  ->  AuthStage  ->  SendStage  ->  transport
    (tries, waits, the deadline)   (keys, sessions, a renewal on 401)
                                   (headers given, hooks, the log, one try on the wire)

A ``Call`` carries one call through it: the request, the limits (timeout, deadline,
body size), the retry policy, and what its tries found. A login is a second, smaller
call through the same stages, authentication left out (``Pipeline.log_in``): it shares
the calling request's deadline and retry policy.

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

import inspect
import logging
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    MutableMapping,
    Optional,
    Tuple,
    Type,
)

from cohesity_sdk.helios.auth import Credential
from cohesity_sdk.helios.exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    OpenApiException,
    ResponseTooLargeException,
    where,
)
from cohesity_sdk.helios.options import Timeout
from cohesity_sdk.helios.parse import error_for
from cohesity_sdk.helios.protocol import check_header
from cohesity_sdk.helios.secret import Headers
from cohesity_sdk.helios.transport import Transport, TransportRequest, TransportResponse

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_client import ApiClient
    from cohesity_sdk.helios.auth import Auth
    from cohesity_sdk.helios.retry import RetryPolicy
    from cohesity_sdk.helios.serialize import HttpRequest

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


def _detail(error: OpenApiException) -> str:
    return error.detail if isinstance(error, ApiConnectionError) else str(error)


class Call:
    """One call in flight: its request, its limits, and what its tries found."""

    __slots__ = ("client", "operation", "idempotent", "deletes", "request", "auth",
                 "policy", "timeout", "limit", "deadline", "max_bytes", "stream",
                 "attempts", "refreshed", "cut", "may_have_acted", "not_repeated",
                 "deleted", "retried", "reached")

    def __init__(
        self,
        client: ApiClient,
        operation: str,
        request: HttpRequest,
        auth: Auth,
        policy: RetryPolicy,
        timeout: Timeout,
        limit: Optional[float],
        max_bytes: int,
        *,
        idempotent: bool,
        deletes: bool = False,
        stream: bool = False,
        deadline: Optional[float] = None,
    ) -> None:
        self.client = client
        self.operation = operation
        self.idempotent = idempotent
        self.deletes = deletes
        self.request = request
        self.auth = auth
        self.policy = policy
        self.timeout = timeout
        #: The deadline in seconds as given, for messages; ``deadline`` is when it ends.
        self.limit = limit
        if deadline is None and limit is not None:
            deadline = _monotonic() + limit
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.stream = stream
        self.attempts = 0
        self.refreshed = False  # the credentials were renewed once already
        self.cut = False  # the last try's timeout was cut to the time left
        self.may_have_acted = False
        self.not_repeated = False
        self.deleted = False  # a 404 to a repeated delete: the earlier try did it
        self.retried: Optional[OpenApiException] = None  # what the last retried try got
        # ``reached`` (a try reached the server, or may have) is set only when a try
        # fails that way, and read with getattr: a call that succeeds pays nothing for it.

    def login(self, request: HttpRequest) -> "Call":
        """A call for logging in, within this one's deadline and retry policy."""
        return Call(self.client, request.operation, request, self.auth, self.policy,
                    self.timeout, self.limit, self.max_bytes, idempotent=True,
                    deadline=self.deadline)

    def time_left(self) -> Optional[float]:
        """Seconds until the deadline; None when there is none."""
        return None if self.deadline is None else self.deadline - _monotonic()

    def wait_limit(self, waiting_for: str) -> float:
        """How long a lock may be waited for: the time left, or -1 (no limit); raises
        when the deadline has passed."""
        left = self.time_left()
        if left is None:
            return -1
        if left <= 0:
            raise self.deadline_passed(self.retried, waiting_for)
        return left

    def deadline_passed(self, last: Optional[OpenApiException],
                        waiting_for: str) -> ApiTimeoutError:
        """The error for this call's deadline, passed while ``waiting_for`` (a key of
        ``WAITING``), ``last`` being what the last try got, if anything."""
        request = self.request
        text = (f"{where(self.operation, request.method, request.url)}: the deadline of "
                f"{self.limit:g} s passed")
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
            text, deadline=self.limit, last_error=last, operation=self.operation,
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
            and not self.refreshed and not getattr(self, "reached", False)) else ""
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


class SendStage:
    """One try on the wire: the caller's own headers last, the hooks, the log."""

    __slots__ = ("transport", "hooks")

    def __init__(self, transport: Transport, hooks: EventHooks) -> None:
        self.transport = transport
        self.hooks = hooks

    def send(self, call: Call, headers: Headers) -> TransportResponse:
        request = call.request
        for name, value in request.overrides.items():
            _put(headers, name, value)
        timeout = call.timeout
        deadline = call.deadline
        if deadline is not None:
            left = deadline - _monotonic()
            if left <= 0:
                raise call.deadline_passed(call.retried, "send") from call.retried
            timeout, call.cut = _cut(timeout, left)
        call.attempts += 1
        attempt = TransportRequest(request.operation, call.attempts, request.method,
                                   request.url, headers, request.body, timeout, deadline,
                                   call.max_bytes, call.stream)
        hooks = self.hooks
        debug = logger.isEnabledFor(logging.DEBUG)
        started = _monotonic() if debug else 0.0
        if hooks["request"]:
            for hook in hooks["request"]:
                hook(attempt)
        try:
            response = self.transport.send(attempt)
        except ApiConnectionError as exc:
            if exc.phase == ApiConnectionError.READ:  # sent, or may have been
                call.lost_answer()
            call.mark(exc)
            if debug:
                logger.debug("%s %s failed after %.1f ms: %s", attempt.method, attempt.url,
                             (_monotonic() - started) * 1000, exc.args[0])
            for hook in hooks["error"]:
                hook(attempt, exc)
            raise
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


class AuthStage:
    """Adds the credentials of ``call.auth`` to each try; when the server answers 401,
    has them renewed once per call and sends the try again."""

    __slots__ = ("next",)

    def __init__(self, next: SendStage) -> None:
        self.next = next

    def send(self, call: Call, headers: Headers) -> TransportResponse:
        _add_credentials(call, headers)
        response = self.next.send(call, headers)
        if response.status != 401 or call.refreshed:
            return response
        call.refreshed = True  # once per call: a refused login must not loop
        if not _renew(call, headers):
            return response
        response.release()
        headers = call.request.headers.copy()
        _add_credentials(call, headers)
        return self.next.send(call, headers)


def _add_credentials(call: Call, headers: Headers) -> None:
    # A function of its own, so that no frame left on the stack by a failed try holds
    # the credentials in a local.
    auth = call.auth
    if isinstance(auth, Credential):
        auth.apply(call, headers)
    else:  # an Auth of your own: its headers are checked on every try
        for name, value in auth.auth_headers(call.client).items():
            check_header(name, value, f"{call.operation}(): credentials")
            headers.put_secret(name, value)
    if call.client._plain_http_warning and len(headers) > len(call.request.headers):
        call.client._warn_plain_http()


def _renew(call: Call, rejected: Headers) -> bool:
    auth = call.auth
    if isinstance(auth, Credential):
        return auth.renew(call, rejected)
    return bool(auth.refresh(call.client, rejected))


class RetryStage:
    """Sends the call until an answer is final, as the operation's retry rule, the retry
    policy and the deadline allow; returns that answer, whatever its status."""

    __slots__ = ("next",)

    def __init__(self, next: Any) -> None:  # an AuthStage, or a SendStage for a login
        self.next = next

    def send(self, call: Call) -> TransportResponse:
        request = call.request
        while True:
            try:
                response: TransportResponse = self.next.send(call, request.headers.copy())
            except ApiConnectionError as exc:
                if exc.operation != call.operation:
                    # A login's failure, retried within it: this call was not sent then.
                    call.mark(exc, own=False)
                    raise
                if isinstance(exc, ApiTimeoutError) and exc.deadline is not None:
                    raise  # the deadline, marked by this call already
                if call.deadline is not None and isinstance(exc, ApiTimeoutError) and (
                        call.cut or _monotonic() >= call.deadline):
                    # Its try was marked when it failed (``SendStage``): a try that was
                    # sent may have acted, whatever ended the call.
                    raise call.deadline_passed(exc, _timed_out_waiting_for(exc)) from exc
                sent = exc.phase == ApiConnectionError.READ
                if not self.may_repeat(call, sent, error=exc):
                    call.mark(exc)
                    raise
                self.pause(call, None, exc.detail, exc)
                continue
            except OpenApiException as exc:
                if getattr(exc, "operation", call.operation) != call.operation:
                    call.mark(exc, own=False)  # a login's answer, or its refusal
                elif isinstance(exc, ApiException):  # an answer the transport could not read
                    call.answered(exc)
                else:
                    call.mark(exc)
                raise
            status = response.status
            if status < 400:
                return response
            if status == 404 and call.deletes and call.may_have_acted:
                call.deleted = True  # an earlier try did it, and lost the answer
                return response
            if not self.may_repeat(call, status in ANSWER_LOST, status=status):
                return response
            answer = error_for(call.operation, request.method, request.url, status,
                               response.reason, response.headers, response.data,
                               call.attempts)
            response.release()
            self.pause(call, response.headers, answer.describe_answer(), answer)

    def may_repeat(self, call: Call, sent: bool, *, status: Optional[int] = None,
                   error: Optional[ApiConnectionError] = None) -> bool:
        """Whether the try that got ``status`` or ``error`` may be followed by another;
        ``sent``: it reached the server and its answer was lost."""
        if sent:
            call.lost_answer()
            if not call.idempotent:
                call.not_repeated = True
                return False  # whatever the policy says: it may be done already
        return _should_retry(call.policy, call.request.method, call.attempts, status, error,
                             call.idempotent)

    def pause(self, call: Call, headers: Optional[Mapping[str, str]], reason: str,
              failure: OpenApiException) -> None:
        """Wait before the next try, and say so; raise instead when the wait would end
        past the deadline."""
        policy = call.policy
        wait = policy.delay(call.attempts, headers)
        call.retried = failure
        if isinstance(failure, ApiException):
            call.reached = True  # it answered: the call was sent
        if call.deadline is not None and _monotonic() + wait >= call.deadline:
            raise call.deadline_passed(failure, "retry") from failure
        request = call.request
        logger.info("%s: %s; retrying in %.2f s (attempt %d of %d)",
                    where(call.operation, request.method, request.url), reason, wait,
                    call.attempts + 1, policy.total + 1)
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


def _should_retry(policy: RetryPolicy, method: str, attempt: int, status: Optional[int],
                  error: Optional[ApiConnectionError], idempotent: bool) -> bool:
    if _takes_idempotent(type(policy)):
        return policy.should_retry(method, attempt, status=status, error=error,
                                   idempotent=idempotent)
    # A policy written before operations said whether they may be repeated.
    return policy.should_retry(method, attempt, status=status, error=error)


_TAKES_IDEMPOTENT: Dict[type, bool] = {}


def _takes_idempotent(kind: Type[RetryPolicy]) -> bool:
    known = _TAKES_IDEMPOTENT.get(kind)
    if known is None:
        parameters = inspect.signature(kind.should_retry).parameters.values()
        known = _TAKES_IDEMPOTENT[kind] = any(
            p.name == "idempotent" or p.kind is p.VAR_KEYWORD for p in parameters)
    return known


def _cut(timeout: Timeout, left: float) -> Tuple[Timeout, bool]:
    """``timeout`` with each part at most ``left`` seconds, and whether that cut it."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if (connect is not None and connect <= left) and (read is not None and read <= left):
        return timeout, False
    return (left if connect is None else min(connect, left),
            left if read is None else min(read, left)), True


def _put(headers: Dict[str, str], name: str, value: str) -> None:
    # Header names are case-insensitive: a replacement must not double the header.
    if name not in headers:
        lowered = name.lower()
        for existing in [k for k in headers if k.lower() == lowered]:
            del headers[existing]
    headers[name] = value


class Pipeline:
    """The stages of one client, over its transport."""

    __slots__ = ("transport", "calls", "logins")

    def __init__(self, transport: Transport, hooks: EventHooks) -> None:
        self.transport = transport
        send = SendStage(transport, hooks)
        #: Where a call starts.
        self.calls = RetryStage(AuthStage(send))
        #: Where a login starts: the same, without credentials.
        self.logins = RetryStage(send)

    def log_in(self, call: Call, request: HttpRequest) -> TransportResponse:
        """Send the login ``request`` for ``call``, within its deadline and retries;
        returns the answer, whatever its status."""
        login = call.login(request)
        try:
            return self.logins.send(login)
        except ApiTimeoutError as exc:
            if exc.deadline is None:
                raise
            raise call.deadline_passed(exc, "login") from exc
