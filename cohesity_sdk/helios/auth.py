"""How a call proves who is calling: an API key, a session from a login, or your own.

An auth is any object with two methods (``Auth``): ``auth_headers`` gives the headers
to add to a request, and ``refresh`` is asked once when the server answers 401 to
them; it returns True when fresh credentials are in place and the call should be
repeated. That is safe for every method: the server refused the call without acting.

The built-in kinds:

- ``ApiKeyAuth``: the ``apiKey`` header, from ``Configuration.api_key`` or given.
- ``SessionAuth``: logs in on first use and sends the ``session-id`` header; after a
  401 it logs in again, once.
- ``NoAuth``: nothing.

**How the pipeline runs them.** For each call, the pipeline asks an auth for its
*flow* (``flow_source(auth, client).flow(waits)``): a generator that yields, for each
try, what the try needs before it can be sent: ``Headers`` (the credentials, ready), or a
``Login`` (a request the pipeline must send first: the login). It is sent back the
login's answer, or, after a 401, the rejected try's headers; ``next()`` asks for the
credentials of another try. The pipeline sends
each login within the call's deadline and retry policy, in the same loop as the call:
a credential only says what it needs and reads the answer, as httpx's ``auth_flow``
does. This module imports neither the client nor the pipeline; an ``Auth`` of your own
is run by the same flow, through its two methods.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from typing import (
    Any,
    Dict,
    Generator,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Tuple,
    Union,
    runtime_checkable,
)

from cohesity_sdk.helios.constants import API_KEY_HEADER, API_KEY_SCHEME, SESSION_HEADER
from cohesity_sdk.helios.exceptions import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    ForbiddenException,
    ResponseDecodeException,
    UnauthorizedException,
)
from cohesity_sdk.helios.forks import after_fork_in_child
from cohesity_sdk.helios.header_checks import check_header, header
from cohesity_sdk.helios.secret import Headers, Secret, reveal
from cohesity_sdk.helios.transport import TransportResponse

__all__ = ["API_KEY_HEADER", "LOGIN_OPERATION", "LOGIN_PATH", "SESSION_HEADER", "ApiKeyAuth",
           "Auth", "Credential", "Flow", "FlowSource", "Login", "LoginAnswer", "NoAuth",
           "SessionAuth", "Waits", "builtin_source", "flow_source", "make_auth",
           "request_auth"]

logger = logging.getLogger("cohesity_sdk.helios")

_monotonic = time.monotonic

#: The path of the login, under the host's ``/v2``, and its operation.
LOGIN_PATH = "/users/sessions"
LOGIN_OPERATION = "create_session"


@runtime_checkable
class Auth(Protocol):
    """What ``Configuration(auth=...)`` and ``_request_auth=`` take.

    Subclass it to inherit the default ``refresh`` (never refresh), or write any class
    with these two methods. Both may be called from several threads at once.
    """

    def auth_headers(self, client: Any) -> Mapping[str, str]:
        """The headers that authenticate a request of ``client`` (an ``ApiClient``)."""
        ...

    def refresh(self, client: Any, rejected: Mapping[str, str]) -> bool:
        """Called once when the server answered 401 to a request sent with ``rejected``
        (all of its headers). Return True to have the call repeated with
        ``auth_headers`` afresh, False to raise the 401."""
        return False


#: The name of earlier releases, when the built-in kinds were told apart by it: every
#: auth is now an ``Auth``.
Credential = Auth


# -- what the pipeline runs ---------------------------------------------------------------


class Login(NamedTuple):
    """A request a credential needs sent before its call: the login. ``body`` holds the
    password: it never shows."""

    operation: str
    path: str
    body: bytes

    def __repr__(self) -> str:
        return f"Login({self.operation}, {len(self.body)} bytes)"


class LoginAnswer(NamedTuple):
    """The final answer to a ``Login``, as the pipeline sends it back to the flow: after
    ``attempts`` tries of ``url``; ``error`` is the exception a status other than 2xx
    stands for."""

    response: TransportResponse
    url: str
    attempts: int
    error: Optional[ApiException] = None


#: A credential's flow for one call: for each try it yields ``Headers`` (ready) or a
#: ``Login`` to send first; it is sent the ``LoginAnswer``, after a 401 the rejected
#: try's headers (it ends when it has no renewal), and ``None`` (``next()``) for
#: another try.
Flow = Generator[Union[Headers, Login], Union[LoginAnswer, Mapping[str, str], None], None]


class Waits(Protocol):
    """How long a flow may wait for another thread's login: the call's deadline."""

    def lock_wait(self) -> float:
        """Seconds the call may wait (-1: no limit); raises once its deadline passed."""
        ...

    def lock_timed_out(self) -> Exception:
        """The error for a wait that ran out."""
        ...


class FlowSource(Protocol):
    """What the pipeline asks for the credentials of each call."""

    def flow(self, waits: Waits) -> Flow:
        ...


def flow_source(auth: Auth, client: Any) -> FlowSource:
    """How the calls of ``client`` (an ``ApiClient``) run ``auth``: the built-in kinds
    their own way (unless a subclass changed ``auth_headers`` or ``refresh``); any other
    ``Auth`` through ``auth_headers(client)`` and, after a 401, ``refresh(client,
    rejected)``, its headers checked on every try."""
    built_in = _built_in_kind(auth)
    if built_in is not None and not _overridden(auth, built_in):
        return builtin_source(auth, client.configuration)
    return _CallersAuth(auth, client)


def builtin_source(auth: Auth, configuration: Any) -> FlowSource:
    """The flow of a built-in kind (``ApiKeyAuth``, ``SessionAuth``, ``NoAuth``, or a
    subclass), as that kind runs it."""
    source: FlowSource = auth._bind(configuration)  # type: ignore[attr-defined]
    return source


def _built_in_kind(auth: Auth) -> Optional[type]:
    for kind in type(auth).__mro__:
        if "_bind" in vars(kind):
            return kind
    return None


def _overridden(auth: Auth, kind: type) -> bool:
    """Whether a subclass of the built-in ``kind`` changed its ``auth_headers`` or
    ``refresh``: then it is run as an ``Auth`` of your own."""
    cls = type(auth)
    return cls.auth_headers is not vars(kind)["auth_headers"] or \
        cls.refresh is not kind.refresh  # type: ignore[attr-defined]


class _CallersAuth:
    """An ``Auth`` of your own, as a flow."""

    __slots__ = ("auth", "client")

    def __init__(self, auth: Auth, client: Any) -> None:
        self.auth = auth
        self.client = client

    def flow(self, waits: Waits) -> Flow:
        while True:  # asked on every try, and checked
            sent = yield self._headers()
            if isinstance(sent, Mapping) and not self.auth.refresh(self.client, sent):
                return

    def _headers(self) -> Headers:
        # Checked on every try: an Auth of your own may give anything.
        headers = Headers()
        for name, value in self.auth.auth_headers(self.client).items():
            check_header(name, value, f"{type(self.auth).__name__}: credentials")
            headers.put_secret(name, value)
        return headers


class _Fixed:
    """Credentials that never change within a call: one yield, no renewal."""

    __slots__ = ("headers",)

    def __init__(self, headers: Headers) -> None:
        self.headers = headers

    def flow(self, waits: Waits) -> Flow:
        while True:
            sent = yield self.headers
            if sent is not None:  # a 401: nothing to renew
                return


class _ConfiguredKey:
    """The key of ``Configuration.api_key``, read at every call, so that a key set after
    the client was made is used."""

    __slots__ = ("configuration", "_last")

    def __init__(self, configuration: Any) -> None:
        self.configuration = configuration
        # The key and prefix last read, and their headers: made again when they change.
        self._last: Tuple[Optional[str], Optional[str], Headers] = (None, None, Headers())

    def flow(self, waits: Waits) -> Flow:
        config = self.configuration
        while True:
            key = dict.get(config.api_key, API_KEY_SCHEME)  # plain lookups: once a try
            prefix = dict.get(config.api_key_prefix, API_KEY_SCHEME)
            last = self._last
            if key != last[0] or prefix != last[1]:
                value = config.auth_header_value()
                last = self._last = (key, prefix, Headers() if value is None else
                                     Headers({API_KEY_HEADER: value}))
            sent = yield last[2]
            if sent is not None:  # a 401: nothing to renew
                return


# -- the built-in kinds -------------------------------------------------------------------


class NoAuth(Auth):
    """Sends no credentials."""

    def auth_headers(self, client: Any) -> Mapping[str, str]:
        return {}

    def _bind(self, configuration: Any) -> FlowSource:
        return _NOTHING

    def __repr__(self) -> str:
        return "NoAuth()"


NO_AUTH = NoAuth()
_NOTHING = _Fixed(Headers())


class ApiKeyAuth(Auth):
    """The ``apiKey`` header: ``key`` when given, else ``Configuration.api_key`` (read
    at every call, so that a key set after the client was made is used)."""

    def __init__(self, key: Union[str, Secret, None] = None, *, where: str = "ApiKeyAuth") -> None:
        if key is not None and not isinstance(key, (str, Secret)):
            raise ApiTypeError(f"{where}: the key must be str, got {type(key).__name__}")
        self._key = Secret(key) if isinstance(key, str) else key
        if self._key is not None:
            check_header(API_KEY_HEADER, self._key.reveal(), where)
            self._fixed = Headers({API_KEY_HEADER: self._key.reveal()})

    def auth_headers(self, client: Any) -> Mapping[str, str]:
        if self._key is not None:
            return self._fixed
        value = client.configuration.auth_header_value()
        return Headers() if value is None else Headers({API_KEY_HEADER: value})

    def _bind(self, configuration: Any) -> FlowSource:
        return _Fixed(self._fixed) if self._key is not None else _ConfiguredKey(configuration)

    def __repr__(self) -> str:
        return "ApiKeyAuth(***)" if self._key is not None else "ApiKeyAuth(from the configuration)"


class SessionAuth(Auth):
    """A session opened by logging in with a username and password.

    The first call that needs it logs in (``POST /users/sessions``) and every call then
    sends the session id as the ``session-id`` header. When a call is answered 401, the
    session is opened again once and the call repeated.

    - **One login at a time.** Threads that need a session while another logs in wait
      for that login, each no longer than its own deadline allows.
    - **Within the call.** The login is part of the call that needed it: it ends by
      that call's deadline and is retried under its retry policy when it fails for a
      reason that passes (no connection, a dropped one, 429, 502, 503, 504); logging in
      is safe to repeat.
    - **A refused login is remembered.** When the server refuses the login (401 or 403),
      every call for the next ``refused_login_cooldown`` seconds (300 by default) fails
      at once with a copy of that error, without sending the password again: many
      threads or a loop must not trip a directory's lockout policy. Credentials changed
      in the configuration make a new ``SessionAuth``, which tries again at once.
    - **Forks.** In a process forked from this one, the lock and any login in flight
      are made anew; a session opened before the fork is kept (it is a token, valid in
      any process).

    Sessions are not deleted on ``close()``: the API can only delete all of a user's
    sessions. The password, the one-time code and the session id never appear in
    ``repr()``, nor in the locals of any frame of the SDK.
    """

    def __init__(
        self,
        username: str,
        password: Union[str, Secret],
        domain: str = "LOCAL",
        *,
        otp_type: Optional[str] = None,
        otp_code: Union[str, Secret, None] = None,
        refused_login_cooldown: float = 300.0,
    ) -> None:
        for name, value in (("username", username), ("password", reveal(password)),
                            ("domain", domain)):
            if not isinstance(value, str):
                raise ApiTypeError(f"SessionAuth: {name} must be str, "
                                   f"got {type(value).__name__}")
            if not value:
                raise ApiValueError(f"SessionAuth: {name} must not be empty")
        if (isinstance(refused_login_cooldown, bool)
                or not isinstance(refused_login_cooldown, (int, float))
                or not refused_login_cooldown >= 0):
            raise ApiValueError("SessionAuth: refused_login_cooldown must be a number of "
                                "seconds >= 0")
        self.username = username
        self.domain = domain
        self.refused_login_cooldown = float(refused_login_cooldown)
        self._password = password if isinstance(password, Secret) else Secret(password)
        self._otp_type = otp_type
        self._otp_code = Secret(otp_code) if isinstance(otp_code, str) else otp_code
        self._session: Optional[Secret] = None
        self._session_headers: Optional[Headers] = None  # its header, made once
        # What the login sends besides the secrets, checked: made at the first login.
        self._login_fields: Optional[Tuple[Dict[str, Any], str, str]] = None
        # The error of a refused login, and when it came (time.monotonic()).
        self._refused: Optional[Tuple[ApiException, float]] = None
        self._lock = threading.Lock()
        after_fork_in_child(self, SessionAuth._after_fork)

    # -- as an Auth, for code that calls it directly ------------------------------------

    def auth_headers(self, client: Any) -> Mapping[str, str]:
        """The session header, logging in first if need be, outside of any call (with
        the configuration's deadline and retries, through ``client.authenticate``)."""
        return client.authenticate(self)  # type: ignore[no-any-return]

    def refresh(self, client: Any, rejected: Mapping[str, str]) -> bool:
        client.authenticate(self, rejected)
        return True

    @property
    def logged_in(self) -> bool:
        """Whether a session is open (it may have expired on the server since)."""
        return self._session is not None

    # -- as the pipeline runs it -------------------------------------------------------

    def _bind(self, configuration: Any) -> FlowSource:
        return self

    def flow(self, waits: Waits) -> Flow:
        """For each try, the session's header, logging in first when there is no
        session; after a 401, a new session (unless another thread has opened one since
        the refused one was sent)."""
        renew, stale = False, None
        while True:
            headers = self._session_headers
            if headers is None or renew:
                headers = yield from self._log_in(waits, stale)
                renew, stale = False, None
            sent = yield headers
            if isinstance(sent, Mapping):  # a 401 to the session sent
                refused = header(sent, SESSION_HEADER)
                renew, stale = True, Secret(refused) if refused is not None else None

    def _log_in(self, waits: Waits, stale: Optional[Secret]
                ) -> Generator[Login, Any, Headers]:
        """The headers of the session to use: a new one, unless another thread has
        opened one since ``stale`` (the one the server refused; None: there was none)
        was taken."""
        self._raise_if_refused()
        if not self._lock.acquire(timeout=waits.lock_wait()):
            raise waits.lock_timed_out()
        try:  # held while the login is out: a call that ends meanwhile closes the flow
            session, headers = self._session, self._session_headers
            if session is not None and headers is not None and session != stale:
                return headers  # another thread logged in meanwhile
            self._raise_if_refused()  # another thread's login was refused meanwhile
            if stale is not None:
                logger.info("the session of %s\\%s was refused; logging in again",
                            self.domain, self.username)
            self._session = self._session_headers = None
            answer = yield Login(LOGIN_OPERATION, LOGIN_PATH, self._login_body())
            session = self._session_of(answer)
            headers = Headers()
            headers.put_secret(SESSION_HEADER, session.reveal())
            self._session, self._session_headers = session, headers
            logger.info("logged in as %s\\%s", self.domain, self.username)
            return headers
        finally:
            self._lock.release()

    def _session_of(self, answer: LoginAnswer) -> Secret:
        """The session id of the login's answer; the error it stands for otherwise."""
        response, error = answer.response, answer.error
        if error is not None:
            if isinstance(error, (UnauthorizedException, ForbiddenException)):
                self._refused = (error, _monotonic())
            raise error
        session = _session_id(response.data)
        if session is None:
            raise ResponseDecodeException(
                response.status, response.reason, None, None, response.headers,
                operation=LOGIN_OPERATION, method="POST", url=answer.url,
                attempts=answer.attempts, cause="the login answer holds no sessionId",
            )
        return session

    def _login_body(self) -> bytes:
        """The login's JSON. Its fields other than the secrets are checked as any
        request body is, at the first login (an unknown ``otp_type`` is refused then,
        before anything is sent), and kept."""
        fields = self._login_fields
        if fields is None:
            from cohesity_sdk.helios.models.create_user_session_request_params import (
                CreateUserSessionRequestParams as Params,
            )

            given: Dict[str, Any] = {"username": self.username, "domain": self.domain}
            # Set only when given, so that the login sends no nulls for them.
            if self._otp_type is not None:
                given["otp_type"] = self._otp_type
            names = Params.model_fields
            fields = self._login_fields = (Params(**given).to_wire(),
                                           names["password"].alias or "password",
                                           names["otp_code"].alias or "otp_code")
        wire, password, otp_code = fields
        body = dict(wire)
        body[password] = self._password.reveal()
        if self._otp_code is not None:
            body[otp_code] = self._otp_code.reveal()
        return json.dumps(body, separators=(",", ":")).encode("utf-8")

    def _raise_if_refused(self) -> None:
        refused = self._refused
        if refused is None:
            return
        error, when = refused
        if _monotonic() - when >= self.refused_login_cooldown:
            self._refused = None
            return
        logger.info("not logging in as %s\\%s: the login was refused %.0f s ago", self.domain,
                    self.username, _monotonic() - when)
        raise copy.copy(error)  # the same error, with a traceback of its own

    def _after_fork(self) -> None:
        self._lock = threading.Lock()

    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lock")
        state["_session"] = state["_session_headers"] = None
        state["_refused"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        after_fork_in_child(self, SessionAuth._after_fork)

    def __repr__(self) -> str:
        return f"SessionAuth(username={self.username!r}, domain={self.domain!r}, password=***)"


def _session_id(raw: bytes) -> Optional[Secret]:
    try:
        value = json.loads(raw).get("sessionId")
    except (ValueError, AttributeError):
        return None
    return Secret(value) if isinstance(value, str) and value else None


# -- which auth -----------------------------------------------------------------------


class LoginSettings(Protocol):
    """What ``make_auth`` reads of a ``Configuration``."""

    auth: Optional[Auth]
    username: Optional[str]
    domain: str
    otp_type: Optional[str]

    def secret(self, name: str) -> Optional[Secret]:
        ...


def make_auth(settings: LoginSettings) -> Auth:
    """A new ``Auth`` for a client of ``settings`` (a ``Configuration``): its ``auth``,
    else a session when ``username`` is set, else the API key."""
    if settings.auth is not None:
        return settings.auth
    if settings.username is not None:
        password = settings.secret("password")
        if password is None:
            raise ApiValueError("Configuration: username is set but password is not")
        return SessionAuth(settings.username, password, settings.domain,
                           otp_type=settings.otp_type, otp_code=settings.secret("otp_code"))
    return ApiKeyAuth()


def request_auth(value: object, where: str) -> Auth:
    """A per-call ``_request_auth``: an ``Auth``, or ``{"in": "header", "key": "apiKey",
    "value": "..."}`` as the generated SDKs take it."""
    if isinstance(value, Auth):
        return value
    if isinstance(value, Mapping):
        if (value.get("in", "header") != "header"
                or value.get("key", API_KEY_HEADER) != API_KEY_HEADER):
            raise ApiValueError(
                f"{where}: _request_auth must be an Auth or "
                f"{{'in': 'header', 'key': 'apiKey', 'value': ...}}"
            )
        if not isinstance(value.get("value"), str):
            raise ApiTypeError(f"{where}: _request_auth['value'] must be str")
        return ApiKeyAuth(Secret(value["value"]), where=f"{where}: _request_auth")
    raise ApiTypeError(
        f"{where}: _request_auth must be an Auth or a dict, got {type(value).__name__}"
    )
