"""Settings shared by every call an ``ApiClient`` makes, checked when they are set."""

from __future__ import annotations

import copy
import os
import types
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError
from cohesity_sdk.helios.options import Timeout, check_deadline, check_timeout
from cohesity_sdk.helios.protocol import (
    API_KEY_HEADER,
    API_KEY_SCHEME,
    INT64_MAX,
    INT64_MIN,
    REGION_HEADER,
    check_header,
)
from cohesity_sdk.helios.proxies import masked_url, parse_proxy
from cohesity_sdk.helios.retry import RetryPolicy, as_policy
from cohesity_sdk.helios.secret import Headers, Secret, reveal

if TYPE_CHECKING:
    from cohesity_sdk.helios.auth import Auth

#: The public Helios endpoint; an on-prem cluster is ``https://<cluster>/v2``.
DEFAULT_HOST = "https://helios.cohesity.com/v2"

#: The largest answer a call reads by default: 256 MiB, about 350,000 users of
#: ``get_users`` (a user is about 700 bytes of JSON).
DEFAULT_MAX_RESPONSE_BYTES = 256 * 2**20

#: The settings a client's connection pool is made from: changing one after a call
#: makes the client build its pool again (or, for a transport you gave it, refuse).
TRANSPORT_SETTINGS = ("verify_ssl", "ssl_ca_cert", "cert_file", "key_file",
                      "tls_server_name", "proxy", "proxy_headers", "connection_pool_maxsize",
                      "trust_env")
#: The settings a client's credential is made from: changing one makes a new one.
CREDENTIAL_SETTINGS = ("username", "password", "domain", "otp_type", "otp_code", "auth")

__all__ = ["API_KEY_HEADER", "API_KEY_SCHEME", "CREDENTIAL_SETTINGS",
           "DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_HOST", "TRANSPORT_SETTINGS", "ApiKeys",
           "Configuration", "Timeout", "check_setting"]


class ApiKeys(Dict[str, str]):
    """``Configuration.api_key`` and ``api_key_prefix``: values by the name of the API's
    key scheme, ``"APIKeyHeader"``.

    ``"apiKey"``, the name of the header the key travels in, is taken as the same name
    (and stored as ``"APIKeyHeader"``); any other name is refused, since a key filed under
    it would never be sent. Values are checked to fit in a header when they are set.
    """

    def __init__(self, what: str, values: Union[str, Mapping[str, str], None] = None) -> None:
        super().__init__()
        self._what = what
        if isinstance(values, str):
            values = {API_KEY_SCHEME: values}
        elif values is not None and not isinstance(values, Mapping):
            raise ApiTypeError(f"{what} must be the key (a str) or a dict such as "
                               f"{{{API_KEY_SCHEME!r}: key}}, got {type(values).__name__}")
        self.update(values or {})

    def _name(self, name: object) -> str:
        if name == API_KEY_SCHEME or name == API_KEY_HEADER:
            return API_KEY_SCHEME
        raise ApiValueError(
            f"{self._what} takes the key under {API_KEY_SCHEME!r} (the API's key scheme; "
            f"{API_KEY_HEADER!r} is taken as the same), not {name!r}: a key filed under "
            f"another name would never be sent"
        )

    def __setitem__(self, name: str, value: str) -> None:
        check_header(API_KEY_HEADER, value, f"{self._what}[{API_KEY_SCHEME!r}]")
        super().__setitem__(self._name(name), value)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(self._name(name) if name == API_KEY_HEADER else name)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:  # type: ignore[override]
        return super().get(API_KEY_SCHEME if name == API_KEY_HEADER else name, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, value in dict(*args, **kwargs).items():
            self[name] = value

    def setdefault(self, name: str, default: str = "") -> str:
        if self._name(name) not in self:
            self[name] = default
        return self[API_KEY_SCHEME]

    def __repr__(self) -> str:
        return repr({name: "***" for name in self})  # never the key

    def __copy__(self) -> "ApiKeys":
        return ApiKeys(self._what, dict(self))

    def __reduce__(self) -> Any:
        return (ApiKeys, (self._what, dict(self)))


class Configuration:
    """Where to send calls, how to authenticate, and how to connect.

    Authentication, the first that is set of:

    - ``auth``: any ``Auth`` object (see ``cohesity_sdk.helios.auth``);
    - ``username`` and ``password`` (with ``domain``, default ``LOCAL``, and an optional
      ``otp_type``/``otp_code``): a session, opened by logging in on first use;
    - ``api_key["APIKeyHeader"]``: sent as the ``apiKey`` header, preceded by
      ``api_key_prefix["APIKeyHeader"]`` and a space when a prefix is set.

    ``access_cluster_id`` and ``region_id`` are defaults for the routing headers of
    every call that takes them; a value passed to a call wins.

    Every setting is checked when it is set, here or later by assignment, so that a
    mistake is reported where it is made and not as a failed call. A setting changed
    after a client made its first call is used from its next call: the client builds
    its connection pool or its credential again (see ``ApiClient``).
    """

    # Values worked out from settings (base URL, retry policy), dropped when those change.
    _derived: Dict[str, Any]
    # The password and the one-time code, kept as Secrets (their repr is "***").
    _secrets: Dict[str, Secret]
    # Counts the changes to the settings a client's pool and credential are made from:
    # a client compares it once per call.
    _generation: int

    def __init__(
        self,
        host: Optional[str] = None,
        api_key: Union[str, Mapping[str, str], None] = None,
        api_key_prefix: Union[str, Mapping[str, str], None] = None,
        *,
        username: Optional[str] = None,
        password: Optional[str] = None,
        domain: str = "LOCAL",
        otp_type: Optional[str] = None,
        otp_code: Optional[str] = None,
        auth: Optional[Auth] = None,
        access_cluster_id: Optional[int] = None,
        region_id: Optional[str] = None,
        verify_ssl: bool = True,
        ssl_ca_cert: Optional[str] = None,
        cert_file: Optional[str] = None,
        key_file: Optional[str] = None,
        tls_server_name: Optional[str] = None,
        proxy: Optional[str] = None,
        proxy_headers: Optional[Mapping[str, str]] = None,
        connection_pool_maxsize: int = 32,
        timeout: Timeout = (10.0, 120.0),
        deadline: Optional[float] = None,
        retries: Union[int, RetryPolicy, None] = 3,
        trust_env: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pause_gc_on_decode: bool = True,
    ) -> None:
        object.__setattr__(self, "_secrets", {})
        object.__setattr__(self, "_generation", 0)
        self.host = host if host is not None else DEFAULT_HOST
        #: The API key: ``api_key["APIKeyHeader"] = key``, or ``Configuration(api_key=key)``.
        self.api_key: ApiKeys = ApiKeys("Configuration.api_key", api_key)
        #: Put in front of the key, with a space, when set.
        self.api_key_prefix: ApiKeys = ApiKeys("Configuration.api_key_prefix", api_key_prefix)
        #: Session login: the user, its password and domain, and a one-time code if the
        #: user has one (a code works once: a later re-login with it will be refused).
        self.username = username
        self.password = password
        self.domain = domain
        self.otp_type = otp_type
        self.otp_code = otp_code
        #: Your own ``Auth``; when set, it is used instead of the key or the login.
        self.auth = auth
        self.access_cluster_id = access_cluster_id
        self.region_id = region_id
        #: Verify the server's TLS certificate. Turn off only for a lab cluster.
        self.verify_ssl = verify_ssl
        #: A CA bundle file to verify the server with, instead of the system's.
        self.ssl_ca_cert = ssl_ca_cert
        #: A client certificate (and its key) for mutual TLS.
        self.cert_file = cert_file
        self.key_file = key_file
        #: The name to check the server certificate against, when it differs from the host.
        self.tls_server_name = tls_server_name
        #: An HTTP(S) proxy URL; ``user:password@`` in it becomes ``Proxy-Authorization``.
        self.proxy = proxy
        #: Headers for the proxy (read-only: assign a new mapping to change them).
        self.proxy_headers = proxy_headers
        #: Connections kept per host: at least as many as the threads sharing a client.
        self.connection_pool_maxsize = connection_pool_maxsize
        #: Seconds to wait for one try: one number for connecting and each read, or
        #: ``(connect, read)``; ``None`` waits forever.
        self.timeout = timeout
        #: Seconds for a whole call, retries and their waits included; ``None``: no limit.
        self.deadline = deadline
        #: Retries of a failed call: an int or a ``RetryPolicy``; 0 (or None) for none.
        #: Calls are only repeated when that cannot act twice.
        self.retries = retries
        #: Take the proxy from ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY``
        #: when ``proxy`` is unset.
        self.trust_env = trust_env
        #: The largest answer to read, in bytes; a larger one raises
        #: ``ResponseTooLargeException`` without being read to its end.
        self.max_response_bytes = max_response_bytes
        #: Pause the garbage collector while an answer of 256 KiB or more is decoded, when
        #: no other thread runs Python code (see parse.py and the README's Performance
        #: section): a large list decodes in about two thirds of the time.
        self.pause_gc_on_decode = pause_gc_on_decode
        if username is not None and auth is not None:
            raise ApiValueError("Configuration: give either username/password or auth, not both")

    @classmethod
    def from_env(cls, *, profile: Optional[str] = None,
                 environ: Optional[Mapping[str, str]] = None,
                 config_file: Union[str, os.PathLike[str], None] = None,
                 **overrides: Any) -> "Configuration":
        """A configuration from, in this order of precedence, ``overrides`` (any keyword
        of the constructor; ``None`` counts as not given), the ``HELIOS_*`` variables of
        ``environ`` (default ``os.environ``; an empty one counts as unset), and a profile
        of an INI file; the rest keeps the constructor's defaults. Each setting is
        resolved on its own, but a key given above a profile's username means the key
        (the profile's username and password are then left out); a username given at the
        key's level or above logs in, as always (see ``make_auth``).

        Variables: ``HELIOS_HOST``, ``HELIOS_API_KEY``, ``HELIOS_USERNAME``,
        ``HELIOS_PASSWORD``, ``HELIOS_DOMAIN``, ``HELIOS_ACCESS_CLUSTER_ID``,
        ``HELIOS_REGION_ID``, ``HELIOS_CA_BUNDLE`` (``ssl_ca_cert``), ``HELIOS_VERIFY_SSL``
        and ``HELIOS_TRUST_ENV`` (true/false, 1/0, yes/no, on/off) and ``HELIOS_TIMEOUT``
        (seconds, or ``connect,read``).

        The key may be kept in a file instead, its first line the key:
        ``HELIOS_API_KEY_FILE``, a profile's ``api_key_file``, or ``api_key_file=`` name
        it, at the key's precedence (the key and its file together at one level are an
        error). On POSIX that file is refused unless only its owner may read and write it.

        The profile is ``profile``, else ``HELIOS_PROFILE``, else ``default``, read from
        ``config_file``, else ``HELIOS_CONFIG_FILE``, else
        ``$XDG_CONFIG_HOME/cohesity/helios.ini`` (``~/.config/...``; on Windows
        ``%APPDATA%\\cohesity\\helios.ini``). Its keys are the settings' names above
        (``ca_bundle`` is ``ssl_ca_cert``). A profile asked for by name must exist;
        ``default`` need not. On POSIX a file holding an ``api_key`` or ``password`` is
        refused unless only its owner may read and write it (``chmod 600``).

        A bad value raises ``ApiValueError`` naming the variable, or the file, profile
        and key it came from; an unknown keyword raises ``ApiTypeError``.
        """
        from cohesity_sdk.helios.environment import from_env

        return from_env(cls, profile=profile, environ=environ, config_file=config_file,
                        **overrides)

    # -- checks, on every assignment -------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        check = _CHECKS.get(name)
        if check is not None:
            value = check(value)
        object.__setattr__(self, name, value)
        if name in ("host", "retries"):
            object.__setattr__(self, "_derived", {})
        if name in _REBUILDS:
            object.__setattr__(self, "_generation", self._generation + 1)

    # The secrets are kept as Secrets: a frame holding one shows "***".
    @property
    def password(self) -> Optional[str]:
        """The password of ``username``, for a session."""
        return reveal(self._secrets.get("password"))

    @password.setter
    def password(self, value: Optional[str]) -> None:
        self._set_secret("password", value)

    @property
    def otp_code(self) -> Optional[str]:
        """A one-time code for the login."""
        return reveal(self._secrets.get("otp_code"))

    @otp_code.setter
    def otp_code(self, value: Optional[str]) -> None:
        self._set_secret("otp_code", value)

    def _set_secret(self, name: str, value: Optional[str]) -> None:
        if value is None:
            self._secrets.pop(name, None)
        else:
            self._secrets[name] = Secret(value)

    # -- what the engine reads --------------------------------------------------------

    def auth_header_value(self) -> Optional[str]:
        """The ``apiKey`` header value, or ``None`` when no key is configured."""
        key = dict.get(self.api_key, API_KEY_SCHEME)  # a plain lookup: this runs per call
        if not key:
            return None
        prefix = dict.get(self.api_key_prefix, API_KEY_SCHEME)
        return f"{prefix} {key}" if prefix else key

    def base_url(self) -> str:
        """``host`` without a trailing slash."""
        url = self._derived.get("base_url")
        if url is None:
            url = self._derived["base_url"] = self.host.rstrip("/")
        return url

    def retry_policy(self) -> RetryPolicy:
        """``retries`` as a ``RetryPolicy``."""
        policy = self._derived.get("retry_policy")
        if policy is None:
            policy = self._derived["retry_policy"] = as_policy(self.retries or 0)
        return policy

    def transport_settings(self) -> Tuple[Any, ...]:
        """The settings a connection pool is made from, with ``host`` (which decides the
        environment's proxy), in the order of ``TRANSPORT_SETTINGS``."""
        return (self.host, *(getattr(self, name) for name in TRANSPORT_SETTINGS))

    def make_auth(self) -> Auth:
        """A new ``Auth`` for a client: ``auth``, else a session when ``username`` is
        set, else the API key."""
        from cohesity_sdk.helios.auth import ApiKeyAuth, SessionAuth

        if self.auth is not None:
            return self.auth
        if self.username is not None:
            if "password" not in self._secrets:
                raise ApiValueError("Configuration: username is set but password is not")
            return SessionAuth(self.username, self._secrets["password"], self.domain,
                               otp_type=self.otp_type, otp_code=self._secrets.get("otp_code"))
        return ApiKeyAuth()

    def copy(self) -> "Configuration":
        """An independent copy, for a client that needs different settings (an ``auth``
        object is shared, not copied)."""
        other = copy.copy(self)
        object.__setattr__(other, "api_key", copy.copy(self.api_key))
        object.__setattr__(other, "api_key_prefix", copy.copy(self.api_key_prefix))
        object.__setattr__(other, "_secrets", dict(self._secrets))
        object.__setattr__(other, "_derived", {})
        return other

    def __repr__(self) -> str:
        # No secret appears: not the key, not the password, not the one-time code, not
        # the password of a proxy.
        fields: Dict[str, Any] = {
            "host": self.host,
            "api_key": {name: "***" for name in self.api_key},
        }
        if self.username is not None:
            fields.update(username=self.username, domain=self.domain, password="***")
        if self.auth is not None:
            fields["auth"] = self.auth
        if self.proxy is not None:
            fields["proxy"] = masked_url(self.proxy)
        fields.update(
            access_cluster_id=self.access_cluster_id,
            region_id=self.region_id,
            verify_ssl=self.verify_ssl,
            retries=self.retries,
            timeout=self.timeout,
            deadline=self.deadline,
        )
        inner = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        return f"Configuration({inner})"

    __str__ = __repr__

    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        state["_derived"] = {}
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)


_REBUILDS = frozenset({"host", *TRANSPORT_SETTINGS, *CREDENTIAL_SETTINGS})


def check_setting(name: str, value: Any) -> Any:
    """``value`` as ``Configuration`` would take it for setting ``name``; raises
    ``ApiTypeError`` or ``ApiValueError`` as an assignment would."""
    check = _CHECKS.get(name)
    return value if check is None else check(value)


def _check_host(value: Any) -> str:
    example = f"such as {DEFAULT_HOST!r} or 'https://<cluster>/v2'"
    if not isinstance(value, str):
        raise ApiTypeError(f"Configuration.host must be str, got {type(value).__name__}")
    shown = masked_url(value) if "@" in value else value  # never the password
    if value != value.strip() or any(c.isspace() for c in value):
        raise ApiValueError(f"Configuration.host must not contain spaces, got {shown!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiValueError(
            f"Configuration.host must be an absolute http(s) URL {example}, got {shown!r}"
        )
    if "@" in parts.netloc:
        raise ApiValueError(
            f"Configuration.host must not hold a user name or password ({shown!r}): they "
            f"would never be used; give the API key (api_key=) or the login (username= "
            f"and password=) instead"
        )
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ApiValueError(f"Configuration.host has a bad port: {shown!r}") from None
    if not parts.hostname:
        raise ApiValueError(f"Configuration.host names no host: {shown!r}")
    if parts.query or parts.fragment:
        raise ApiValueError(
            f"Configuration.host must not have a query or fragment, got {shown!r}"
        )
    if not parts.path.rstrip("/").endswith("/v2"):
        raise ApiValueError(
            f"Configuration.host must be the API's base URL ending in /v2, {example}; "
            f"got {shown!r}"
        )
    return value


def _check_proxy(value: Any) -> Any:
    _optional(str, "proxy")(value)
    if value is not None:
        parse_proxy(value, "Configuration.proxy")  # raises, the password masked
    return value


def _check_proxy_headers(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ApiTypeError(f"Configuration.proxy_headers must be a mapping of header names "
                           f"to values, got {type(value).__name__}")
    for name, text in value.items():
        if not isinstance(name, str):
            raise ApiTypeError("Configuration.proxy_headers: header names must be str")
        check_header(name, text, "Configuration.proxy_headers")
    # Read-only: a change must be an assignment, which the clients see.
    return types.MappingProxyType(Headers(value))


def _check_max_bytes(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiValueError(
            f"Configuration.max_response_bytes must be an int >= 1, got {value!r}")
    return value


def _optional(kind: type, name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)
                                  and kind is not bool):
            raise ApiTypeError(
                f"Configuration.{name} must be {kind.__name__} or None, "
                f"got {type(value).__name__}"
            )
        return value
    return check


def _text(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not value:
            raise ApiTypeError(f"Configuration.{name} must be a non-empty str, got {value!r}")
        return value
    return check


def _keys(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        return value if isinstance(value, ApiKeys) else ApiKeys(f"Configuration.{name}", value)
    return check


def _check_flag(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, bool):
            raise ApiTypeError(f"Configuration.{name} must be True or False, "
                               f"got {type(value).__name__}")
        return value
    return check


def _check_header_text(name: str, header: str) -> Callable[[Any], Any]:
    text = _optional(str, name)

    def check(value: Any) -> Any:
        text(value)
        if value is not None:
            check_header(header, value, f"Configuration.{name}")
        return value
    return check


def _check_cluster_id(value: Any) -> Any:
    _optional(int, "access_cluster_id")(value)
    if value is not None and not INT64_MIN <= value <= INT64_MAX:
        raise ApiValueError(f"Configuration.access_cluster_id={value} is out of the int64 range")
    return value


def _check_pool_size(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiValueError(
            f"Configuration.connection_pool_maxsize must be an int >= 1, got {value!r}"
        )
    return value


def _check_retries(value: Any) -> Any:
    as_policy(0 if value is None else value)
    return value


def _check_auth(value: Any) -> Any:
    from cohesity_sdk.helios.auth import Auth

    if value is not None and not isinstance(value, Auth):
        raise ApiTypeError(
            "Configuration.auth must have auth_headers(client) and refresh(client, "
            f"rejected) methods (see cohesity_sdk.helios.auth.Auth), got {type(value).__name__}"
        )
    return value


_CHECKS: Dict[str, Callable[[Any], Any]] = {
    "host": _check_host,
    "api_key": _keys("api_key"),
    "api_key_prefix": _keys("api_key_prefix"),
    "timeout": lambda value: check_timeout(value, "Configuration.timeout"),
    "deadline": lambda value: check_deadline(value, "Configuration.deadline"),
    "retries": _check_retries,
    "access_cluster_id": _check_cluster_id,
    "region_id": _check_header_text("region_id", REGION_HEADER),
    "username": _optional(str, "username"),
    "password": _optional(str, "password"),
    "domain": _text("domain"),
    "otp_type": _optional(str, "otp_type"),
    "otp_code": _optional(str, "otp_code"),
    "auth": _check_auth,
    "verify_ssl": _check_flag("verify_ssl"),
    "trust_env": _check_flag("trust_env"),
    "pause_gc_on_decode": _check_flag("pause_gc_on_decode"),
    "connection_pool_maxsize": _check_pool_size,
    "ssl_ca_cert": _optional(str, "ssl_ca_cert"),
    "cert_file": _optional(str, "cert_file"),
    "key_file": _optional(str, "key_file"),
    "tls_server_name": _optional(str, "tls_server_name"),
    "proxy": _check_proxy,
    "proxy_headers": _check_proxy_headers,
    "max_response_bytes": _check_max_bytes,
}
