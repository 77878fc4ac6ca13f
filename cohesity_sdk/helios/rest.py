"""The HTTP transport: one urllib3 pool manager per ``ApiClient``."""

from __future__ import annotations

import functools
import logging
import re
import ssl
import urllib.request
import warnings
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Type, Union
from urllib.parse import urlsplit

import urllib3
from urllib3 import exceptions as u3

from cohesity_sdk.helios.configuration import Configuration
from cohesity_sdk.helios.exceptions import (
    ApiConnectionError,
    ApiException as ApiException,  # imported from here by users, as the seed shows
    ApiTimeoutError,
    ApiValueError,
    OpenApiException as OpenApiException,
    RateLimitException as RateLimitException,
    where,
)
from cohesity_sdk.helios.options import Timeout

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

logger = logging.getLogger("cohesity_sdk.helios")


def make_timeout(value: Timeout) -> urllib3.Timeout:
    """A number is both the connect and the read timeout; a pair is ``(connect, read)``.
    The value was checked when it was set (``options.check_timeout``)."""
    if isinstance(value, tuple):
        return _timeout(*value)
    return _timeout(value, value)


@functools.lru_cache(maxsize=64)
def _timeout(connect: Optional[float], read: Optional[float]) -> urllib3.Timeout:
    # One object per distinct timeout: urllib3 copies it before each use.
    return urllib3.Timeout(connect=connect, read=read)


def env_proxy(url: str) -> Optional[str]:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``...), unless ``NO_PROXY``."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass_environment(parts.hostname or ""):  # type: ignore[attr-defined]
        return None
    proxies = urllib.request.getproxies_environment()
    found = proxies.get(parts.scheme) or proxies.get("all")
    return str(found) if found else None


class RESTClientObject:
    """Sends requests; knows nothing of operations or models."""

    def __init__(self, configuration: Configuration) -> None:
        pool_args: Dict[str, Any] = {
            "num_pools": 4,
            "maxsize": configuration.connection_pool_maxsize,
            "cert_reqs": ssl.CERT_REQUIRED if configuration.verify_ssl else ssl.CERT_NONE,
        }
        if configuration.ssl_ca_cert:
            pool_args["ca_certs"] = configuration.ssl_ca_cert
        if configuration.cert_file:
            pool_args["cert_file"] = configuration.cert_file
        if configuration.key_file:
            pool_args["key_file"] = configuration.key_file
        if configuration.tls_server_name:
            pool_args["server_hostname"] = configuration.tls_server_name
        host = urlsplit(configuration.host).hostname or ""
        if not configuration.verify_ssl:
            logger.warning(
                "TLS certificate verification is off for %s: anyone on the network path "
                "can read and change these calls, API key included", host,
            )
            # That one warning stands for urllib3's warning on every request to this host.
            warnings.filterwarnings(
                "ignore",
                message=rf"Unverified HTTPS request is being made to host '{re.escape(host)}'",
                category=u3.InsecureRequestWarning,
            )
        proxy = configuration.proxy
        if proxy is None and configuration.trust_env:
            proxy = env_proxy(configuration.host)
        self.pool_manager: urllib3.PoolManager
        if proxy:
            self.pool_manager = urllib3.ProxyManager(
                proxy, proxy_headers=configuration.proxy_headers, **pool_args
            )
        else:
            self.pool_manager = urllib3.PoolManager(**pool_args)

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Optional[bytes],
        timeout: Timeout,
        preload_content: bool = True,
        operation: str = "",
    ) -> BaseHTTPResponse:
        """Send one request, once, and return the answer, whatever its status.

        urllib3 never repeats it (the SDK's request engine decides that) and never
        follows a redirect: credentials must not travel to a host the user did not
        configure.
        """
        try:
            return self.pool_manager.request(
                method,
                url,
                body=body,
                headers=headers,
                timeout=make_timeout(timeout),
                preload_content=preload_content,
                redirect=False,
                retries=False,
            )
        except u3.HTTPError as exc:
            raise translate_error(exc, operation, method, url) from exc

    def close(self) -> None:
        self.pool_manager.clear()


def translate_error(
    exc: Exception, operation: str, method: str, url: str
) -> Union[ApiConnectionError, ApiValueError]:
    """urllib3's exception as one of ours, saying which call failed, why, and how far the
    request got (``ApiConnectionError.phase``: whether it may be sent again)."""
    reason: Any = exc.reason if isinstance(exc, u3.MaxRetryError) else exc
    parts = urlsplit(url)
    call = where(operation or None, method, url)
    target = parts.netloc
    connect, read, other = (ApiConnectionError.CONNECT, ApiConnectionError.READ,
                            ApiConnectionError.OTHER)

    def failed(text: str, phase: str,
               kind: Type[ApiConnectionError] = ApiConnectionError) -> ApiConnectionError:
        return kind(f"{call}: {text}", phase=phase, operation=operation or None,
                    method=method, url=url, detail=text)

    if isinstance(exc, u3.LocationValueError) or isinstance(reason, u3.LocationValueError):
        return ApiValueError(f"{call}: not a valid URL: {reason}")
    resolve = getattr(u3, "NameResolutionError", None)
    if resolve is not None and isinstance(reason, resolve):
        return failed(f"cannot resolve the host of {target}", connect)
    if isinstance(reason, u3.NewConnectionError):
        return failed(f"cannot connect to {target}: {_innermost(reason)}", connect)
    if isinstance(reason, u3.ConnectTimeoutError):
        return failed(f"timed out connecting to {target}", connect, ApiTimeoutError)
    if isinstance(reason, u3.ReadTimeoutError):
        return failed(f"timed out waiting for {target}", read, ApiTimeoutError)
    if isinstance(reason, u3.SSLError):
        return failed(f"TLS failed with {target}: {_innermost(reason)}", other)
    if isinstance(reason, u3.ProxyError):
        # Not reaching the proxy is like not reaching the server; anything else is not.
        original = getattr(reason, "original_error", None)
        phase = connect if isinstance(original, u3.ConnectTimeoutError) else other
        return failed(f"the proxy failed: {_innermost(reason)}", phase)
    if isinstance(reason, u3.ProtocolError):
        return failed(
            f"the connection to {target} broke before an answer: {_innermost(reason)}", read
        )
    return failed(f"{target}: {_innermost(reason)}", other)


def _innermost(exc: Any) -> str:
    # urllib3 nests causes several levels deep; the innermost one reads best.
    seen = exc
    while True:
        inner = getattr(seen, "reason", None)
        if not isinstance(inner, BaseException) and seen.args:
            inner = seen.args[-1]
        if not isinstance(inner, BaseException) or inner is seen:
            break
        seen = inner
    text = str(seen)
    # urllib3 prefixes its own object reprs: "<...HTTPConnection object at 0x..>: Failed".
    return re.sub(r"<[^>]+ object at 0x[0-9a-f]+>: ", "", text) or type(seen).__name__
