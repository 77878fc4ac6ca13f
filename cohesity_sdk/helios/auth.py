"""How a call proves who is calling: an API key, a session from a login, or your own.

An auth is any object with two methods (``Auth``): ``auth_headers`` gives the headers
to add to a request, and ``refresh`` is asked once when the server answers 401 to
them; it returns True when fresh credentials are in place and the call should be
repeated. That is safe for every method: the server refused the call without acting.

The built-in kinds:

- ``ApiKeyAuth``: the ``apiKey`` header, from ``Configuration.api_key`` or given.
- ``SessionAuth``: logs in with ``create_session`` on first use and sends the
  ``session-id`` header; after a 401 it logs in again, once.
- ``NoAuth``: nothing (the login call itself uses it).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Dict, Mapping, Optional, Protocol, Tuple, runtime_checkable

from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_client import ApiClient

logger = logging.getLogger("cohesity_sdk.helios")

API_KEY_HEADER = "apiKey"
#: The header the Cohesity API reads a session id from.
SESSION_HEADER = "session-id"


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


class NoAuth(Auth):
    """Sends no credentials."""

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        return {}

    def __repr__(self) -> str:
        return "NoAuth()"


NO_AUTH = NoAuth()


class ApiKeyAuth(Auth):
    """The ``apiKey`` header: ``key`` when given, else ``Configuration.api_key`` (read
    at every call, so that a key set after the client was made is used)."""

    def __init__(self, key: Optional[str] = None) -> None:
        if key is not None and not isinstance(key, str):
            raise ApiTypeError(f"ApiKeyAuth: the key must be str, got {type(key).__name__}")
        self._key = key
        self._headers: Dict[str, str] = {API_KEY_HEADER: key} if key is not None else {}
        # The configuration's key and its headers, made again only when the key changes.
        self._last: Tuple[Optional[str], Mapping[str, str]] = (None, {})

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        if self._key is not None:
            return self._headers
        value = client.configuration.auth_header_value()
        last = self._last
        if value != last[0]:
            last = self._last = (value, {API_KEY_HEADER: value} if value is not None else {})
        return last[1]

    def __repr__(self) -> str:
        return "ApiKeyAuth(***)" if self._key is not None else "ApiKeyAuth(from the configuration)"


class SessionAuth(Auth):
    """A session opened by logging in with a username and password.

    The first call that needs it logs in (``POST /users/sessions``) and every call then
    sends the session id as the ``session-id`` header. Threads sharing a client log in
    once. When a call is answered 401, the session is opened again once and the call
    repeated; a login that is refused raises its ``UnauthorizedException``. Sessions are
    not deleted on ``close()``: the API can only delete all of a user's sessions.

    The password, the one-time code and the session id never appear in ``repr()``.
    """

    def __init__(
        self,
        username: str,
        password: str,
        domain: str = "LOCAL",
        *,
        otp_type: Optional[str] = None,
        otp_code: Optional[str] = None,
    ) -> None:
        for name, value in (("username", username), ("password", password),
                            ("domain", domain)):
            if not isinstance(value, str):
                raise ApiTypeError(f"SessionAuth: {name} must be str, "
                                   f"got {type(value).__name__}")
            if not value:
                raise ApiValueError(f"SessionAuth: {name} must not be empty")
        self.username = username
        self.domain = domain
        self._password = password
        self._otp_type = otp_type
        self._otp_code = otp_code
        self._session_id: Optional[str] = None
        self._lock = threading.Lock()

    def auth_headers(self, client: ApiClient) -> Mapping[str, str]:
        session_id = self._session_id
        if session_id is None:
            with self._lock:  # the threads that arrive meanwhile wait for this login
                if self._session_id is None:
                    self._session_id = self._login(client)
                session_id = self._session_id
        return {SESSION_HEADER: session_id}

    def refresh(self, client: ApiClient, rejected: Mapping[str, str]) -> bool:
        refused = _header(rejected, SESSION_HEADER)
        with self._lock:
            if self._session_id is not None and self._session_id == refused:
                logger.info("the session of %s\\%s was refused; logging in again",
                            self.domain, self.username)
                self._session_id = None
                self._session_id = self._login(client)
            # Otherwise another thread has logged in again meanwhile: use its session.
        return True

    @property
    def logged_in(self) -> bool:
        """Whether a session is open (it may have expired on the server since)."""
        return self._session_id is not None

    def _login(self, client: ApiClient) -> str:
        from cohesity_sdk.helios.api.user_api import UserApi
        from cohesity_sdk.helios.exceptions import ResponseDecodeException
        from cohesity_sdk.helios.models.create_user_session_request_params import (
            CreateUserSessionRequestParams,
        )

        credentials = CreateUserSessionRequestParams(
            username=self.username, password=self._password, domain=self.domain,
        )
        # Set only when given, so that the login sends no nulls for them.
        if self._otp_type is not None:
            credentials.otp_type = self._otp_type
        if self._otp_code is not None:
            credentials.otp_code = self._otp_code
        answer = UserApi(client).create_session_with_http_info(
            credentials, _request_auth=NO_AUTH
        )
        session_id = answer.data.session_id
        if not session_id:
            raise ResponseDecodeException(
                answer.status_code, None, answer.raw_data, None, answer.headers,
                operation="create_session", method="POST",
                cause="the login answer holds no sessionId",
            )
        logger.info("logged in as %s\\%s", self.domain, self.username)
        return session_id

    def __repr__(self) -> str:
        return f"SessionAuth(username={self.username!r}, domain={self.domain!r}, password=***)"


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


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
        key = value.get("value")
        if not isinstance(key, str):
            raise ApiTypeError(f"{where}: _request_auth['value'] must be str")
        return ApiKeyAuth(key)
    raise ApiTypeError(
        f"{where}: _request_auth must be an Auth or a dict, got {type(value).__name__}"
    )
