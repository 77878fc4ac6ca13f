"""``ApiClient``: where every generated method ends.

One call is: build the request (``serialize``, pure; a refused argument raises before
anything is sent), send it through the client's pipeline (``pipeline``: retries within
the deadline, credentials, hooks, the transport), and read the answer into the result or
the exception (``parse``, pure).

The client holds what calls share: the configuration, the transport (a pool of
connections), the credential (a session is shared by every thread using the client),
and the hooks. It follows the configuration: a setting changed after its first call is
used from its next call, and in a process forked from this one it makes its
connections and its locks anew.
"""

from __future__ import annotations

import logging
import platform
import threading
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)
from urllib.parse import urlsplit

from cohesity_sdk import __version__
from cohesity_sdk.helios import observing
from cohesity_sdk.helios.auth import FlowSource, flow_source
from cohesity_sdk.helios.configuration import TRANSPORT_SETTINGS, Configuration
from cohesity_sdk.helios.constants import DATA, HTTP_INFO, JSON, RAW
from cohesity_sdk.helios.exceptions import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
)
from cohesity_sdk.helios.forks import abandon, after_fork_in_child
from cohesity_sdk.helios.header_checks import check_header
from cohesity_sdk.helios.options import CallSettings, call_settings
from cohesity_sdk.helios.parse import parse_response
from cohesity_sdk.helios.pipeline import HOOK_EVENTS, Call, EventHooks, Pipeline
from cohesity_sdk.helios.proxies import is_loopback
from cohesity_sdk.helios.request import HttpRequest
from cohesity_sdk.helios.serialize import Endpoint
from cohesity_sdk.helios.transport import Transport

if TYPE_CHECKING:
    from types import TracebackType

    import urllib3

    from cohesity_sdk.helios.auth import Auth
    from cohesity_sdk.helios.operation import Operation

logger = logging.getLogger("cohesity_sdk.helios")

#: The ``User-Agent`` of every call: this distribution, its version and Python's.
USER_AGENT = f"cohesity-helios/{__version__} (Python {platform.python_version()})"


class ApiClient:
    """Holds the configuration, the credentials and the connection pool; use one per
    process or thread pool (it is safe to share between threads, and it makes its
    connections anew in a forked child).

    ``transport`` is what sends each try: by default a ``Urllib3Transport`` built from
    the configuration; pass a urllib3 ``PoolManager`` or ``ProxyManager`` of your own,
    or any ``Transport`` (a test double), to use that instead. ``event_hooks`` maps
    ``"request"``, ``"response"`` and ``"error"`` to lists of functions called for each
    try (see ``pipeline.HOOK_EVENTS``); ``client.event_hooks`` may be changed later.

    Use it as a context manager, or call ``close()``, to release its connections (a
    transport or pool you passed is yours, and stays open).
    """

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        header_name: Optional[str] = None,
        header_value: Optional[str] = None,
        cookie: Optional[str] = None,
        *,
        transport: Union[Transport, "urllib3.PoolManager", None] = None,
        event_hooks: Optional[Mapping[str, Iterable[Callable[..., Any]]]] = None,
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers: Dict[str, str] = {}
        self.user_agent = USER_AGENT
        self.cookie = cookie
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        #: The functions called for each try, by event: see ``pipeline.HOOK_EVENTS``.
        self.event_hooks: EventHooks = _event_hooks(event_hooks)
        self._given_transport = _as_transport(transport)
        self._transport: Optional[Transport] = self._given_transport
        self._pipeline: Optional[Pipeline] = None
        self._auth: Optional[Auth] = None
        self._credentials: Optional[FlowSource] = None  # how calls run self._auth
        self._endpoint: Optional[Endpoint] = None  # the host and the headers above
        self._lock = threading.Lock()
        config = self.configuration
        self._generation = config._generation
        self._retry_policy = config.retry_policy()
        self._transport_settings = config.transport_settings()
        self._credential_settings = _credential_settings(config)
        self._plain_http_warning = _plain_http(config.host)
        after_fork_in_child(self, ApiClient._after_fork)

    # -- what calls share --------------------------------------------------------------

    @property
    def transport(self) -> Transport:
        """The transport, made on first use so that building a client costs nothing."""
        transport = self._transport
        if transport is None:
            with self._lock:  # threads sharing a new client share one pool
                transport = self._transport
                if transport is None:
                    from cohesity_sdk.helios.urllib3_transport import Urllib3Transport

                    transport = self._transport = Urllib3Transport(self.configuration)
        return transport

    #: The name generated SDKs give the transport.
    rest_client = transport

    @property
    def pipeline(self) -> Pipeline:
        """What every call of this client goes through, over its transport."""
        pipeline = self._pipeline
        if pipeline is None:
            transport = self.transport
            with self._lock:
                pipeline = self._pipeline
                if pipeline is None or pipeline.transport is not transport:
                    pipeline = self._pipeline = Pipeline(transport, self.event_hooks)
        return pipeline

    @property
    def auth(self) -> Auth:
        """How this client authenticates (``Configuration.make_auth``), made on first use:
        a session is then shared by every thread using the client."""
        auth = self._auth
        if auth is None:
            with self._lock:
                auth = self._auth
                if auth is None:
                    auth = self._auth = self.configuration.make_auth()
        return auth

    def _credentials_source(self) -> FlowSource:
        """How calls run the client's ``auth`` (``auth.flow_source``), made once."""
        source = self._credentials
        if source is None:
            auth = self.auth
            with self._lock:
                source = self._credentials
                if source is None:
                    source = self._credentials = flow_source(auth, self)
        return source

    def _endpoint_of_calls(self) -> Endpoint:
        """Where the calls go: the host, with the client's headers (made again when
        one of them changes)."""
        endpoint = self._endpoint
        if endpoint is None:
            headers = dict(self.default_headers)
            headers["Accept"] = JSON
            headers["User-Agent"] = self.user_agent
            if self.cookie:
                headers["Cookie"] = self.cookie
            endpoint = self._endpoint = Endpoint(self.configuration, headers)
        return endpoint

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send this header with every call of this client."""
        check_header(header_name, header_value, "default header")
        self.default_headers[header_name] = header_value
        self._endpoint = None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("cookie", "user_agent"):
            object.__setattr__(self, "_endpoint", None)
        object.__setattr__(self, name, value)

    def close(self) -> None:
        """Release the pooled connections. A session stays open on the server (the API
        can only delete all of a user's sessions), and expires there."""
        if self._given_transport is None and self._transport is not None:
            self._transport.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(
        self,
        exc_type: Optional[type],
        exc: Optional[BaseException],
        tb: Optional["TracebackType"],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient({self.configuration!r})"

    def __reduce__(self) -> Any:
        # Pickled (to a spawned worker, say) as what it was made from; the copy makes
        # its own connections and logs in for itself.
        return (_rebuild, (self.configuration, dict(self.default_headers), self.cookie,
                           self.user_agent, self._given_transport,
                           {event: list(hooks) for event, hooks in self.event_hooks.items()}))

    # -- the engine --------------------------------------------------------------------

    def call_api(
        self,
        op: Operation[Any],
        args: Sequence[Any],
        options: Union[CallSettings, Mapping[str, Any], None] = None,
        result: str = DATA,
    ) -> Any:
        """Call ``op`` with ``args`` (in its parameters' order) and ``options`` (its
        ``CallSettings``, or the keyword options of a method) and return what ``result``
        asks for: the decoded model (``DATA``), an ``ApiResponse`` (``HTTP_INFO``) or the
        transport's raw answer (``RAW``)."""
        if not isinstance(options, CallSettings):
            options = call_settings(op, options or {})
        if self.configuration._generation != self._generation:
            self._follow_configuration()
        request = (self._endpoint or self._endpoint_of_calls()).build(op, args, options)
        return self.send(op, request, options, result)

    def send(self, op: Operation[Any], request: HttpRequest, options: CallSettings,
             result: str = DATA) -> Any:
        """Send ``request`` until an answer is final, as the operation's retry rule, the
        retry policy and the deadline allow, and return what ``result`` asks for."""
        config = self.configuration
        if config._generation != self._generation:
            self._follow_configuration()
        pipeline = self._pipeline or self.pipeline
        call = Call(
            op.id, request,
            (self._credentials or self._credentials_source()) if options.auth is None
            else flow_source(options.auth, self),
            options.retries if options.retries is not None else self._retry_policy,
            options.timeout if options.timeout is not None else config.timeout,
            options.deadline if options.deadline is not None else config.deadline,
            config.max_response_bytes,
            idempotent=op.idempotent, deletes=op.deletes, stream=result == RAW,
            endpoint=self._endpoint or self._endpoint_of_calls(),
            on_credentials=self._warn_plain_http if self._plain_http_warning else None,
        )
        watch = None
        observer = observing.current
        if observer is not None:
            watch = call.watch = observer.call(op.id, request.method, request.url,
                                               request.headers, call.deadline_seconds)
        try:
            response = pipeline.send(call)
            if result == RAW:
                value = response.raw if response.raw is not None else response
            elif call.deleted:  # a 404 to a repeated delete: the earlier try did it
                value = None
                if result == HTTP_INFO:
                    from cohesity_sdk.helios.api_response import ApiResponse

                    value = ApiResponse(response.status, response.headers, None,
                                        response.data)
            else:
                try:
                    value = parse_response(
                        op, request.method, request.url, response.status, response.reason,
                        response.headers, response.data, result, call.attempts,
                        pause_gc=config.pause_gc_on_decode)
                except ApiException as exc:
                    call.answered(exc)
                    raise
        except BaseException as exc:
            if watch is not None:
                watch.ended(exc)
            raise
        if watch is not None:
            watch.ended(None)
        return value

    # -- credentials outside of a call ---------------------------------------------------

    def authenticate(self, auth: Optional[Auth] = None,
                     rejected: Optional[Mapping[str, str]] = None) -> Mapping[str, str]:
        """The headers that authenticate a request of this client with ``auth`` (default:
        the client's own), logging in first if it needs to, outside of any call (within
        the configuration's deadline and retries); with ``rejected``, the headers of a
        request the server answered 401, renewed as a call would renew them."""
        from cohesity_sdk.helios.auth import LOGIN_OPERATION, LOGIN_PATH, builtin_source

        config = self.configuration
        if config._generation != self._generation:
            self._follow_configuration()
        auth = auth if auth is not None else self.auth
        source = (builtin_source(auth, config) if hasattr(auth, "_bind")
                  else flow_source(auth, self))
        endpoint = self._endpoint_of_calls()
        call = Call(LOGIN_OPERATION, endpoint.request(LOGIN_OPERATION, "POST", LOGIN_PATH),
                    source, config.retry_policy(), config.timeout, config.deadline,
                    config.max_response_bytes, idempotent=True, endpoint=endpoint)
        return self.pipeline.authenticate(call, rejected)

    def _warn_plain_http(self) -> None:
        with self._lock:
            if not self._plain_http_warning:
                return
            self._plain_http_warning = False
        logger.warning(
            "%s is plain http: the credentials of every call (API key or session) cross "
            "the network readable by anyone on the way; use https",
            urlsplit(self.configuration.host).netloc)

    # -- following the configuration ---------------------------------------------------

    def _follow_configuration(self) -> None:
        """Make what a changed setting is used by anew: the transport for a TLS, proxy
        or pool setting, the credential for a login setting."""
        with self._lock:
            config = self.configuration
            generation = config._generation
            settings = config.transport_settings()
            if settings != self._transport_settings:
                if self._given_transport is not None:
                    changed = [name for name, old, new in zip(
                        TRANSPORT_SETTINGS, self._transport_settings[1:], settings[1:])
                        if old != new]
                    if changed:
                        raise ApiValueError(
                            f"Configuration.{changed[0]} was changed, but this client was "
                            f"given its own transport, which it uses as it is: set that on "
                            f"the transport, or make a new ApiClient")
                elif self._transport is not None:
                    self._transport.close()  # calls under way finish on their connections
                    self._transport = None
                    self._pipeline = None
                if settings[0] != self._transport_settings[0]:
                    self._plain_http_warning = _plain_http(config.host)
                    self._endpoint = None
                self._transport_settings = settings
            self._retry_policy = config.retry_policy()
            credentials = _credential_settings(config)
            if credentials != self._credential_settings:
                self._auth = None
                self._credentials = None
                self._credential_settings = credentials
            self._generation = generation

    def _after_fork(self) -> None:
        # The parent's threads are gone: a lock one of them held would never be freed.
        self._lock = threading.Lock()
        transport = self._transport
        if transport is None:
            return
        if self._given_transport is None:
            abandon(transport)
            self._transport = None
            self._pipeline = None
        else:
            after_fork = getattr(transport, "after_fork", None)
            if after_fork is not None:
                after_fork()


def _rebuild(configuration: Configuration, default_headers: Dict[str, str],
             cookie: Optional[str], user_agent: str, transport: Optional[Transport],
             event_hooks: Mapping[str, Iterable[Callable[..., Any]]]) -> ApiClient:
    client = ApiClient(configuration, cookie=cookie, transport=transport,
                       event_hooks=event_hooks)
    for name, value in default_headers.items():
        client.set_default_header(name, value)
    client.user_agent = user_agent
    return client


def _as_transport(value: Any) -> Optional[Transport]:
    if value is None:
        return None
    import urllib3

    if isinstance(value, urllib3.PoolManager):
        from cohesity_sdk.helios.urllib3_transport import Urllib3Transport

        return Urllib3Transport(pool_manager=value)
    if callable(getattr(value, "send", None)) and callable(getattr(value, "close", None)):
        return value  # type: ignore[no-any-return]
    raise ApiTypeError(
        f"ApiClient: transport must be a urllib3 PoolManager (or ProxyManager) or have "
        f"send(request) and close() methods, got {type(value).__name__}")


def _event_hooks(given: Optional[Mapping[str, Iterable[Callable[..., Any]]]]) -> EventHooks:
    hooks: EventHooks = {event: [] for event in HOOK_EVENTS}
    for event, functions in (given or {}).items():
        if event not in hooks:
            raise ApiValueError(f"ApiClient: event_hooks takes {', '.join(HOOK_EVENTS)}, "
                                f"not {event!r}")
        functions = list(functions)
        for function in functions:
            if not callable(function):
                raise ApiTypeError(f"ApiClient: event_hooks[{event!r}] holds "
                                   f"{type(function).__name__}, which cannot be called")
        hooks[event] = functions
    return hooks


def _credential_settings(config: Configuration) -> Tuple[Any, ...]:
    return (config.username, config._secrets.get("password"), config.domain,
            config.otp_type, config._secrets.get("otp_code"), config.auth)


def _plain_http(host: str) -> bool:
    """Whether credentials sent to ``host`` would cross a network unencrypted."""
    parts = urlsplit(host)
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")


__all__ = ["USER_AGENT", "ApiClient", "ApiException", "OpenApiException"]
