"""The HTTP transport: one urllib3 pool manager per ``ApiClient``."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Union

import urllib3

from cohesity_sdk.helios.configuration import Configuration, Timeout
from cohesity_sdk.helios.exceptions import (  # noqa: F401  (ApiException is imported from here by users)
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
)

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse


def make_timeout(value: Timeout) -> Union[urllib3.Timeout, None]:
    """A number is both the connect and the read timeout; a pair is ``(connect, read)``."""
    if value is None:
        return urllib3.Timeout(connect=None, read=None)
    if isinstance(value, tuple):
        connect, read = value
        return urllib3.Timeout(connect=connect, read=read)
    return urllib3.Timeout(connect=value, read=value)


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
        self.pool_manager: urllib3.PoolManager
        if configuration.proxy:
            self.pool_manager = urllib3.ProxyManager(
                configuration.proxy, proxy_headers=configuration.proxy_headers, **pool_args
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
    ) -> BaseHTTPResponse:
        """Send one request and return urllib3's response.

        Redirects are not followed: the ``apiKey`` header must never travel to a host
        the user did not configure.
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
        except urllib3.exceptions.NewConnectionError as exc:
            # urllib3 2 files a refused connection under ConnectTimeoutError too.
            raise ApiConnectionError(f"{method} {url}: {_describe(exc)}") from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise ApiTimeoutError(f"{method} {url}: timed out ({exc.__class__.__name__})") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise ApiConnectionError(f"{method} {url}: {_describe(exc)}") from exc

    def close(self) -> None:
        self.pool_manager.clear()


def _describe(exc: Exception) -> str:
    # urllib3 wraps the cause several levels deep; the innermost reason reads best.
    reason = getattr(exc, "reason", None)
    while getattr(reason, "reason", None) is not None:
        reason = reason.reason  # type: ignore[union-attr]
    return f"{exc.__class__.__name__}: {reason or exc}"
