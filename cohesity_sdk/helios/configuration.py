"""Settings shared by every call an ``ApiClient`` makes, checked when they are set (the
checks are ``checks``'; the credentials they make are ``auth``'s)."""

from __future__ import annotations

import copy
import os
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Union

from cohesity_sdk.helios.checks import CHECKS, DEFAULT_HOST, check_setting
from cohesity_sdk.helios.configured_keys import ApiKeys
from cohesity_sdk.helios.constants import API_KEY_HEADER, API_KEY_SCHEME, Timeout
from cohesity_sdk.helios.exceptions import ApiValueError
from cohesity_sdk.helios.proxies import masked_url
from cohesity_sdk.helios.retry import RetryPolicy, as_policy
from cohesity_sdk.helios.secret import Secret, reveal

if TYPE_CHECKING:
    from cohesity_sdk.helios.auth import Auth

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
    # Counts the changes to the settings a client's pool, credential and retry policy
    # are made from: a client compares it once per call.
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
        check = CHECKS.get(name)
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
        set, else the API key (``cohesity_sdk.helios.auth.make_auth``)."""
        from cohesity_sdk.helios.auth import make_auth

        return make_auth(self)

    def secret(self, name: str) -> Optional[Secret]:
        """The password or the one-time code (``name``) as a ``Secret``: shown as ``***``
        wherever it is held."""
        return self._secrets.get(name)

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


_REBUILDS = frozenset({"host", "retries", *TRANSPORT_SETTINGS, *CREDENTIAL_SETTINGS})

