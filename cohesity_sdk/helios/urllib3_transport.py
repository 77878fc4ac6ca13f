"""``Urllib3Transport``: the transport the SDK makes, over a urllib3 ``PoolManager``.

It reads the body itself, within the try's deadline and ``max_bytes``: each read from
the socket may take at most the time left, and a body larger than the limit is refused
after reading one byte past it, without reading the rest. We ask for
``Accept-Encoding: identity``; a gzip or deflate answer is inflated within the same
limit, any other encoding refused.
"""

from __future__ import annotations

import functools
import http.client
import logging
import os
import re
import socket
import ssl
import time
import warnings
import zlib
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type, Union
from urllib.parse import urlsplit

import urllib3
from urllib3 import exceptions as u3

from cohesity_sdk.helios.constants import Timeout
from cohesity_sdk.helios.exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    ResponseDecodeException,
    ResponseTooLargeException,
    where,
)
from cohesity_sdk.helios.forks import abandon
from cohesity_sdk.helios.proxies import proxy_for
from cohesity_sdk.helios.transport import TransportRequest, TransportResponse

if TYPE_CHECKING:
    from cohesity_sdk.helios.configuration import Configuration

__all__ = ["READ_SIZE", "Urllib3Transport", "make_timeout", "pool_manager_for", "read_body",
           "translate_error"]

logger = logging.getLogger("cohesity_sdk.helios")

_monotonic = time.monotonic

#: How much one read from the socket asks for.
READ_SIZE = 256 * 1024


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



class Urllib3Transport:
    """Sends requests with a urllib3 ``PoolManager`` or ``ProxyManager``.

    ``Urllib3Transport(configuration)`` builds the pool from the configuration's TLS,
    proxy and pool settings; ``Urllib3Transport(pool_manager=pool)`` uses yours as it
    is (and ``close()`` then leaves it open).
    """

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        *,
        pool_manager: Optional[urllib3.PoolManager] = None,
    ) -> None:
        self._owns_pool = pool_manager is None
        if pool_manager is None:
            if configuration is None:
                from cohesity_sdk.helios.configuration import Configuration

                configuration = Configuration()
            pool_manager = pool_manager_for(configuration)
        self.pool_manager: urllib3.PoolManager = pool_manager

    def send(self, request: TransportRequest) -> TransportResponse:
        timeout = request.timeout
        try:
            response = self.pool_manager.request(
                request.method,
                request.url,
                body=request.body,
                headers=request.headers,
                timeout=(_timeout(*timeout) if isinstance(timeout, tuple)
                         else _timeout(timeout, timeout)),
                preload_content=False,
                decode_content=False,
                redirect=False,
                retries=False,
            )
        except u3.HTTPError as exc:
            # Not chained: urllib3's frames hold the request's headers and body.
            raise translate_error(exc, request) from None
        if request.stream:
            return TransportResponse(response.status, response.reason, response.headers,
                                     raw=response)
        data = read_body(response, request)
        return TransportResponse(response.status, response.reason, response.headers, data)

    def after_fork(self) -> None:
        """Forget the connections inherited from the parent process: they are the
        parent's, and an answer read from one would be another process's."""
        manager = self.pool_manager
        old = manager.pools
        abandon(old)
        from urllib3._collections import RecentlyUsedContainer

        manager.pools = RecentlyUsedContainer(getattr(old, "_maxsize", 10),
                                              dispose_func=lambda pool: pool.close())

    def close(self) -> None:
        if self._owns_pool:
            self.pool_manager.clear()

    def __repr__(self) -> str:
        return f"Urllib3Transport({type(self.pool_manager).__name__})"


def pool_manager_for(configuration: Configuration) -> urllib3.PoolManager:
    """The pool manager the configuration asks for: TLS, client certificate, proxy
    (``Configuration.proxy``, else the environment's unless ``trust_env`` is off) and the
    number of connections kept per host."""
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
    proxy = proxy_for(configuration.host, configuration.proxy, configuration.trust_env,
                      os.environ)
    if proxy is None:
        return urllib3.PoolManager(**pool_args)
    headers = {**proxy.headers, **(configuration.proxy_headers or {})}
    if urlsplit(proxy.url).scheme.startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager
        except ImportError:
            raise ApiValueError(
                f"{proxy.source} names a SOCKS proxy, which needs PySocks "
                f"(pip install pysocks); or set trust_env=False to connect directly"
            ) from None
        return SOCKSProxyManager(proxy.url, headers=headers, **pool_args)
    try:
        return urllib3.ProxyManager(proxy.url, proxy_headers=headers, **pool_args)
    except u3.ProxySchemeUnknown:
        raise ApiValueError(f"{proxy.source}: the SDK speaks to http:// and https:// "
                            f"proxies, not {urlsplit(proxy.url).scheme}://") from None


# -- reading the answer ---------------------------------------------------------------


def read_body(response: Any, request: TransportRequest) -> bytes:
    """The whole body of urllib3's ``response``, read within ``request.deadline`` and
    ``request.max_bytes``, a socket read at a time, so that each wait is cut to the time
    left and the size is checked as it grows; the connection goes back to the pool when
    it was read to its end, and is closed otherwise."""
    limit = request.max_bytes
    # urllib3's reading of Content-Length (None for a chunked body, or none given).
    declared: Optional[int] = response.length_remaining
    headers = response.headers
    # http.client's read1 returns after one read from the socket; urllib3's own
    # read(amt) waits until amt bytes are in, each socket read timed on its own.
    read1 = getattr(getattr(response, "_fp", None), "read1", None)
    deadline = request.deadline
    # Each read's wait is cut to the time left only when there is a deadline.
    sock = (getattr(getattr(response, "_connection", None), "sock", None)
            if deadline is not None else None)
    original_timeout = sock.gettimeout() if sock is not None else None
    timeout = request.timeout
    read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
    try:
        decoder = (_decoder(headers["Content-Encoding"], response, request)
                   if "Content-Encoding" in headers else None)
        if decoder is None and declared is not None and declared > limit:
            raise _too_large(response, request, declared)
        chunks: List[bytes] = []
        size = received = 0
        while declared is None or received < declared:
            ask = READ_SIZE if declared is None else min(READ_SIZE, declared - received)
            if sock is not None:
                left = deadline - _monotonic()  # type: ignore[operator]
                if left <= 0:
                    raise _timed_out(request)
                sock.settimeout(left if read_timeout is None else min(left, read_timeout))
            try:
                chunk = (read1(ask) if read1 is not None
                         else response.read(ask, decode_content=False))
            except (socket.timeout, TimeoutError, u3.ReadTimeoutError):
                raise _timed_out(request) from None
            except (OSError, ValueError, http.client.HTTPException, u3.HTTPError) as exc:
                # OSError: the socket (TLS included); ValueError: a file closed under
                # it; HTTPException: a body cut short or a malformed chunk.
                raise _failed(request, f"the connection to {_target(request)} broke while "
                                       f"the answer was read: {_innermost(exc)}") from None
            if not chunk:
                break
            received += len(chunk)
            if decoder is not None:
                chunk = decoder.inflate(chunk, limit - size + 1)
            size += len(chunk)
            if size > limit:
                raise _too_large(response, request, None)
            chunks.append(chunk)
        if declared is not None and received < declared:
            raise _failed(request, f"the connection to {_target(request)} broke after "
                                   f"{received} of {declared} bytes of the answer")
        if decoder is not None:
            tail = decoder.finish()
            size += len(tail)
            if size > limit:
                raise _too_large(response, request, None)
            chunks.append(tail)
    except BaseException:
        _close(response)
        raise
    if sock is not None:
        try:
            sock.settimeout(original_timeout)
        except OSError:  # closed meanwhile
            pass
    response.release_conn()
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# -- what goes wrong while reading ------------------------------------------------------


def _failed(request: TransportRequest, text: str,
            kind: Type[ApiConnectionError] = ApiConnectionError) -> ApiConnectionError:
    """A read that broke: the request had reached the server."""
    return kind(f"{where(request.operation, request.method, request.url)}: {text}",
                phase=ApiConnectionError.READ, operation=request.operation,
                method=request.method, url=request.url, detail=text)


def _timed_out(request: TransportRequest) -> ApiConnectionError:
    return _failed(request, f"timed out reading the answer from {_target(request)}",
                   ApiTimeoutError)


def _too_large(response: Any, request: TransportRequest,
               declared: Optional[int]) -> ResponseTooLargeException:
    return ResponseTooLargeException(
        response.status, response.reason, None, None, response.headers,
        operation=request.operation, method=request.method, url=request.url,
        limit=request.max_bytes, declared=declared,
    )


def _undecodable(response: Any, request: TransportRequest,
                 cause: str) -> ResponseDecodeException:
    return ResponseDecodeException(
        response.status, response.reason, None, None, response.headers,
        operation=request.operation, method=request.method, url=request.url,
        cause=cause,
    )


def _decoder(encoding: str, response: Any, request: TransportRequest
             ) -> Optional["_Inflater"]:
    """An inflater for a gzip or deflate body; None for an identity one."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip", "deflate"):
        return _Inflater(name != "deflate", response, request)
    raise _undecodable(response, request,
                       f"the answer is encoded as {name!r}, which the SDK does not read "
                       f"(it asks for identity, and takes gzip and deflate)")


class _Inflater:
    """Inflates a gzip (of one member or several) or deflate body, never more than it
    is asked for at a time: a body that inflates past the limit is not inflated
    whole."""

    __slots__ = ("gzip", "response", "request", "zlib")

    def __init__(self, gzip: bool, response: Any, request: TransportRequest) -> None:
        self.gzip = gzip
        self.response = response
        self.request = request
        self.zlib = self._new()

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self.gzip else zlib.MAX_WBITS)

    def inflate(self, data: bytes, at_most: int) -> bytes:
        """Up to ``at_most`` bytes of what ``data`` inflates to (more is an error the
        caller raises: ``at_most`` is one past the room left)."""
        out: List[bytes] = []
        try:
            while data:
                piece = self.zlib.decompress(data, at_most)
                out.append(piece)
                at_most -= len(piece)
                if at_most <= 0:
                    break  # past the limit: the caller refuses the answer
                data = self.zlib.unconsumed_tail
                if self.zlib.eof:  # the end of a gzip member: another may follow
                    data = self.zlib.unused_data
                    if data and self.gzip:
                        self.zlib = self._new()
                    elif data:
                        raise self._undecodable("bytes follow the end of the "
                                                "compressed answer")
        except zlib.error as exc:
            raise self._undecodable(f"the compressed answer is corrupt: {exc}") from None
        return out[0] if len(out) == 1 else b"".join(out)

    def finish(self) -> bytes:
        if not self.zlib.eof:
            raise self._undecodable("the compressed answer ends early")
        return bytes(self.zlib.flush())

    def _undecodable(self, cause: str) -> ResponseDecodeException:
        return _undecodable(self.response, self.request, cause)


def _target(request: TransportRequest) -> str:
    return urlsplit(request.url).netloc


def _close(response: Any) -> None:
    """Close the connection of an answer not read to its end, and free its place."""
    try:
        response.close()
        response.release_conn()
    except Exception:  # closing what is already broken
        pass


# -- no answer ------------------------------------------------------------------------


def translate_error(exc: Exception, request: TransportRequest) -> Union[ApiConnectionError,
                                                                        ApiValueError]:
    """urllib3's exception as one of ours, saying which call failed, why, and how far the
    request got (``ApiConnectionError.phase``: whether it may be sent again)."""
    reason: Any = exc.reason if isinstance(exc, u3.MaxRetryError) else exc
    operation, method, url = request.operation, request.method, request.url
    call = where(operation or None, method, url)
    target = urlsplit(url).netloc
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
        return failed(f"TLS failed with {target}: {_innermost(reason)}",
                      read if _tls_may_have_sent(reason) else other)
    if isinstance(reason, u3.ProxyError):
        # Not reaching the proxy is like not reaching the server; anything else is not.
        original = getattr(reason, "original_error", None)
        phase = connect if isinstance(original, (u3.ConnectTimeoutError,
                                                 u3.NewConnectionError)) else other
        return failed(f"the proxy failed: {_innermost(reason)}", phase)
    if isinstance(reason, u3.ProtocolError):
        if _raised_in(_wrapped(reason), _HANDSHAKE_FRAMES):  # reset during the handshake
            return failed(f"the connection to {target} broke during the TLS handshake: "
                          f"{_innermost(reason)}", connect)
        return failed(
            f"the connection to {target} broke before an answer: {_innermost(reason)}", read
        )
    return failed(f"{target}: {_innermost(reason)}", other)


#: What OpenSSL names a TLS failure by (``ssl.SSLError.reason``) when it can only be
#: the handshake's: a certificate refused (TLS 1.3 reports a refused client certificate
#: once the client has sent its request, which the server then never reads), or no
#: version or cipher in common.
_HANDSHAKE_REASONS = ("CERTIFICATE", "UNKNOWN_CA", "HANDSHAKE_FAILURE", "PROTOCOL_VERSION",
                      "UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE", "NO_SHARED_CIPHER",
                      "NO_CIPHERS_AVAILABLE", "UNRECOGNIZED_NAME", "INAPPROPRIATE_FALLBACK")

#: The functions (CPython's ``ssl``, urllib3's connecting) a failure of the TLS
#: handshake comes out of: the request was not sent.
_HANDSHAKE_FRAMES = frozenset({"do_handshake", "_validate_conn"})

#: ... and those a TLS failure comes out of when the request cannot have reached the
#: server whole: the handshake, or writing the request (``sendall``: what it could not
#: write never arrived).
_UNSENT_FRAMES = _HANDSHAKE_FRAMES | {"sendall"}


def _tls_may_have_sent(error: Exception) -> bool:
    """Whether urllib3's ``SSLError`` came after the request went out: an unexpected
    close or a bad record while the answer was awaited is a dropped connection (phase
    ``"read"``). urllib3 wraps it as it wraps a failed handshake (a certificate refused,
    a connection closed during the handshake), which sent nothing (phase ``"other"``);
    the frames the error was raised through tell them apart."""
    inner = _wrapped(error)
    if isinstance(inner, ssl.CertificateError):  # SSLCertVerificationError: the handshake
        return False
    reason = getattr(inner, "reason", None)
    if isinstance(reason, str) and any(name in reason for name in _HANDSHAKE_REASONS):
        return False
    return not _raised_in(inner, _UNSENT_FRAMES)


def _wrapped(error: Exception) -> BaseException:
    """The exception urllib3 wrapped in ``error`` (its last argument), or ``error``."""
    inner = error.args[-1] if error.args else None
    return inner if isinstance(inner, BaseException) else error


def _raised_in(error: BaseException, functions: frozenset[str]) -> bool:
    """Whether ``error`` was raised through a function of one of these names."""
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_name in functions:
            return True
        frame = frame.tb_next
    return False


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
