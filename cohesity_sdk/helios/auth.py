"""How a call proves who is calling: an API key, a session from a login, or your own.

An auth is any object with two methods (``Auth``): ``auth_headers`` gives the headers
to add to a request, and ``refresh`` is asked once when the server answers 401 to
them; it returns True when fresh credentials are in place and the call should be
repeated. That is safe for every method: the server refused the call without acting.

The built-in kinds are ``Credential``\\ s: the pipeline gives them the call itself, so
that what they do (a login) happens within the call's deadline and retry policy.

- ``ApiKeyAuth``: the ``apiKey`` header, from ``Configuration.api_key`` or given.
- ``SessionAuth``: logs in on first use and sends the ``session-id`` header; after a
  401 it logs in again, once. The login is the fixed ``create_session`` request, sent
  straight through the client's pipeline.
- ``NoAuth``: nothing.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Mapping,
    Optional,
    Protocol,
    Tuple,
    Union,
    runtime_checkable,
)

from cohesity_sdk.helios.exceptions import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    ForbiddenException,
    ResponseDecodeException,
    UnauthorizedException,
)
from cohesity_sdk.helios.forks import after_fork_in_child
from cohesity_sdk.helios.protocol import API_KEY_HEADER, JSON, SESSION_HEADER, check_header, header
from cohesity_sdk.helios.secret import Headers, Secret, reveal

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_client import ApiClient
    from cohesity_sdk.helios.pipeline import Call

__all__ = ["API_KEY_HEADER", "SESSION_HEADER", "ApiKeyAuth", "Auth", "Credential",
           "NoAuth", "SessionAuth", "request_auth"]

logger = logging.getLogger("cohesity_sdk.helios")

_monotonic = time.monotonic

#: The path of the login, under the host's ``/v2``.
LOGIN_PATH = "/users/sessions"
LOGIN_OPERATION = "create_session"


@runtime_checkable
class Auth(Protocol):
    """What ``Configuration(auth=...)`` and ``_request_auth=`` take.

    Subclass it to inherit the default ``refresh`` (never refresh), or write any class
    with these two methods. Both may be called from several threads at once.
    """

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        """The headers that authenticate a request of ``client``."""
        ...

    def refresh(self, client: ApiClient, rejected: Mapping[str, str]) -> bool:
        """Called once when the server answered 401 to a request sent with ``rejected``
        (all of its headers). Return True to have the call repeated with
        ``auth_headers`` afresh, False to raise the 401."""
        return False


class Credential(Auth):
    """An ``Auth`` the pipeline hands the call to, so that getting or renewing its
    credentials (a login) is part of the call: within its deadline and retries.

    ``apply`` adds the credentials to a try's headers; ``renew`` is asked once after a
    401, as ``refresh`` is. By default they use ``auth_headers`` and ``refresh``.
    """

    def apply(self, call: Call, headers: Headers) -> None:
        headers.update_secret(self.auth_headers(call.client))

    def renew(self, call: Call, rejected: Mapping[str, str]) -> bool:
        return bool(self.refresh(call.client, rejected))


class NoAuth(Credential):
    """Sends no credentials."""

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        return {}

    def apply(self, call: Call, headers: Headers) -> None:
        pass

    def __repr__(self) -> str:
        return "NoAuth()"


NO_AUTH = NoAuth()


class ApiKeyAuth(Credential):
    """The ``apiKey`` header: ``key`` when given, else ``Configuration.api_key`` (read
    at every call, so that a key set after the client was made is used)."""

    def __init__(self, key: Union[str, Secret, None] = None, *, where: str = "ApiKeyAuth") -> None:
        if key is not None and not isinstance(key, (str, Secret)):
            raise ApiTypeError(f"{where}: the key must be str, got {type(key).__name__}")
        self._key = Secret(key) if isinstance(key, str) else key
        if self._key is not None:
            check_header(API_KEY_HEADER, self._key.reveal(), where)
            self._fixed = Headers({API_KEY_HEADER: self._key.reveal()})
        # The configuration's key and its headers, made again only when the key changes.
        self._last: Tuple[Optional[str], Headers] = (None, Headers())

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        if self._key is not None:
            return self._fixed
        value = client.configuration.auth_header_value()
        last = self._last
        if value != last[0]:  # the configuration's key changed: made once per key
            last = self._last = (value, Headers() if value is None else
                                 Headers({API_KEY_HEADER: value}))
        return last[1]

    def apply(self, call: Call, headers: Headers) -> None:
        if type(self).auth_headers is not ApiKeyAuth.auth_headers:
            super().apply(call, headers)  # a subclass of yours decides
        elif self._key is not None:
            headers[API_KEY_HEADER] = self._key.reveal()
        else:  # per call, so keep it short: apiKey is masked by name in any Headers
            value = call.client.configuration.auth_header_value()
            if value is not None:
                headers[API_KEY_HEADER] = value

    def __repr__(self) -> str:
        return "ApiKeyAuth(***)" if self._key is not None else "ApiKeyAuth(from the configuration)"


class SessionAuth(Credential):
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
        # The error of a refused login, and when it came (time.monotonic()).
        self._refused: Optional[Tuple[ApiException, float]] = None
        self._lock = threading.Lock()
        after_fork_in_child(self, SessionAuth._after_fork)

    # -- as an Auth, for code that calls it directly ------------------------------------

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        """The session header, logging in first if need be, outside of any call (with
        the configuration's deadline and retries)."""
        headers = Headers()
        self.apply(_outside_a_call(client), headers)
        return headers

    def refresh(self, client: ApiClient, rejected: Mapping[str, str]) -> bool:
        return self.renew(_outside_a_call(client), rejected)

    # -- as a Credential ---------------------------------------------------------------

    def apply(self, call: Call, headers: Headers) -> None:
        session = self._session
        if session is None:
            session = self._log_in(call, None)
        headers.put_secret(SESSION_HEADER, session.reveal())

    def renew(self, call: Call, rejected: Mapping[str, str]) -> bool:
        refused = header(rejected, SESSION_HEADER)
        self._log_in(call, Secret(refused) if refused is not None else None)
        return True

    @property
    def logged_in(self) -> bool:
        """Whether a session is open (it may have expired on the server since)."""
        return self._session is not None

    def _log_in(self, call: Call, stale: Optional[Secret]) -> Secret:
        """The session to use: a new one, unless another thread has opened one since
        ``stale`` (the one the server refused; None: there was none) was taken."""
        self._raise_if_refused()
        if not self._lock.acquire(timeout=call.wait_limit("login-lock")):
            raise call.deadline_passed(None, "login-lock")
        try:
            session = self._session
            if session is not None and session != stale:
                return session  # another thread logged in meanwhile
            self._raise_if_refused()  # another thread's login was refused meanwhile
            if stale is not None:
                logger.info("the session of %s\\%s was refused; logging in again",
                            self.domain, self.username)
            self._session = None
            self._session = session = self._open(call)
            return session
        finally:
            self._lock.release()

    def _open(self, call: Call) -> Secret:
        client = call.client
        request = client.login_request(LOGIN_PATH, LOGIN_OPERATION)
        request.headers["Content-Type"] = JSON
        request.body = self._login_body()
        response = client.pipeline.log_in(call, request)
        if not 200 <= response.status <= 299:
            from cohesity_sdk.helios.parse import error_for

            error = error_for(LOGIN_OPERATION, request.method, request.url, response.status,
                              response.reason, response.headers, response.data, 1)
            if isinstance(error, (UnauthorizedException, ForbiddenException)):
                self._refused = (error, _monotonic())
            raise error
        session = _session_id(response.data)
        if session is None:
            raise ResponseDecodeException(
                response.status, response.reason, None, None, response.headers,
                operation=LOGIN_OPERATION, method=request.method, url=request.url,
                cause="the login answer holds no sessionId",
            )
        logger.info("logged in as %s\\%s", self.domain, self.username)
        return session

    def _login_body(self) -> bytes:
        """The login's JSON, checked as any request body is (an unknown ``otp_type`` is
        refused here, before anything is sent)."""
        from cohesity_sdk.helios.models.create_user_session_request_params import (
            CreateUserSessionRequestParams,
        )

        fields: Dict[str, Any] = {"username": self.username, "domain": self.domain}
        # Set only when given, so that the login sends no nulls for them.
        if self._otp_type is not None:
            fields["otp_type"] = self._otp_type
        credentials = CreateUserSessionRequestParams(**fields)
        credentials.password = self._password.reveal()
        if self._otp_code is not None:
            credentials.otp_code = self._otp_code.reveal()
        return json.dumps(credentials.to_wire(), separators=(",", ":")).encode("utf-8")

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
        state["_session"] = None
        state["_refused"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        after_fork_in_child(self, SessionAuth._after_fork)

    def __repr__(self) -> str:
        return f"SessionAuth(username={self.username!r}, domain={self.domain!r}, password=***)"


def _outside_a_call(client: ApiClient) -> Call:
    return client.new_call(client.login_request(LOGIN_PATH, LOGIN_OPERATION))


def _session_id(raw: bytes) -> Optional[Secret]:
    try:
        value = json.loads(raw).get("sessionId")
    except (ValueError, AttributeError):
        return None
    return Secret(value) if isinstance(value, str) and value else None


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
