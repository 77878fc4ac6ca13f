"""Settings shared by every call an ``ApiClient`` makes."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Union

from cohesity_sdk.helios.exceptions import ApiValueError

if TYPE_CHECKING:
    from urllib3.util.retry import Retry

#: The public Helios endpoint; an on-prem cluster is ``https://<cluster>/v2``.
DEFAULT_HOST = "https://helios.cohesity.com/v2"

#: The name of the API key scheme, as the spec and ``Configuration.api_key`` use it.
API_KEY_SCHEME = "APIKeyHeader"
API_KEY_HEADER = "apiKey"

Timeout = Union[None, float, Tuple[Optional[float], Optional[float]]]


class Configuration:
    """Where to send calls, how to authenticate, and how to connect.

    ``api_key["APIKeyHeader"]`` is sent as the ``apiKey`` header, preceded by
    ``api_key_prefix["APIKeyHeader"]`` and a space when a prefix is set.
    ``access_cluster_id`` and ``region_id`` are defaults for the routing headers of
    every call that takes them; a value passed to a call wins.
    """

    def __init__(
        self,
        host: Optional[str] = None,
        api_key: Optional[Mapping[str, str]] = None,
        api_key_prefix: Optional[Mapping[str, str]] = None,
        *,
        access_cluster_id: Optional[int] = None,
        region_id: Optional[str] = None,
        verify_ssl: bool = True,
        ssl_ca_cert: Optional[str] = None,
        cert_file: Optional[str] = None,
        key_file: Optional[str] = None,
        tls_server_name: Optional[str] = None,
        proxy: Optional[str] = None,
        proxy_headers: Optional[Mapping[str, str]] = None,
        connection_pool_maxsize: int = 10,
        timeout: Timeout = (10.0, 120.0),
        retries: Union[int, "Retry", None] = 3,
        trust_env: bool = False,
    ) -> None:
        self.host = host if host is not None else DEFAULT_HOST
        self.api_key: Dict[str, str] = dict(api_key or {})
        self.api_key_prefix: Dict[str, str] = dict(api_key_prefix or {})
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
        self.proxy = proxy
        self.proxy_headers = dict(proxy_headers) if proxy_headers else None
        self.connection_pool_maxsize = connection_pool_maxsize
        #: Seconds to wait: one number for both, or ``(connect, read)``; ``None`` waits forever.
        self.timeout = timeout
        #: Retries of a failed call: an int (see ``retry.RetryPolicy``), a ``urllib3.Retry``,
        #: or 0 for none. Calls are only repeated when that cannot act twice.
        self.retries = retries
        #: Take the proxy from ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` when ``proxy`` is unset.
        self.trust_env = trust_env

    def auth_header_value(self) -> Optional[str]:
        """The ``apiKey`` header value, or ``None`` when no key is configured."""
        key = self.api_key.get(API_KEY_SCHEME)
        if not key:
            return None
        prefix = self.api_key_prefix.get(API_KEY_SCHEME)
        return f"{prefix} {key}" if prefix else key

    def base_url(self) -> str:
        """``host`` without a trailing slash, checked to be an absolute URL."""
        host = self.host.rstrip("/")
        if not host.startswith(("http://", "https://")):
            raise ApiValueError(
                f"Configuration.host must be an absolute http(s) URL such as "
                f"{DEFAULT_HOST!r}, got {self.host!r}"
            )
        return host

    def copy(self) -> "Configuration":
        """An independent copy, for a client that needs different settings."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        # The key itself never appears; only which schemes have one.
        keys = {name: "***" for name in self.api_key}
        fields: Dict[str, Any] = {
            "host": self.host,
            "api_key": keys,
            "access_cluster_id": self.access_cluster_id,
            "region_id": self.region_id,
            "verify_ssl": self.verify_ssl,
            "retries": self.retries,
            "timeout": self.timeout,
        }
        inner = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        return f"Configuration({inner})"

    __str__ = __repr__
