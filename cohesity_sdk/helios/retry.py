"""When a call is tried again, and how long to wait first.

The rule: a request is repeated only when the server cannot have acted on it, or when
acting twice does no harm. Whether it does harm is the operation's to say (the spec's
``x-idempotent``, ``Operation.idempotent``), not its method's: ``update_user`` is a PUT
that cannot be made twice (a password change with ``currentPassword``), and
``create_session`` a POST that can.

- The connection failed before the request was sent: any operation.
- 429 Too Many Requests: any operation (the server refused it without acting).
- 502, 503, 504, read timeouts and connections dropped after sending: only operations
  safe to repeat. One that may have reached the server is otherwise never sent twice,
  whatever a policy says (the engine sees to that).

Waits grow exponentially with full jitter, up to ``backoff_cap`` seconds; a
``Retry-After`` header (seconds or an HTTP date) is honoured up to ``retry_after_cap``.
The pipeline asks ``allows`` (which asks ``should_retry``) after each failed try it may
repeat, and waits ``delay`` before the next; urllib3 itself never repeats a request.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping, Optional, Union

from cohesity_sdk.helios.exceptions import (
    ApiConnectionError,
    ApiValueError,
    retry_after_seconds,
)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_ANY_METHOD = frozenset({429})
RETRY_IDEMPOTENT = frozenset({502, 503, 504})


def _seconds(name: str, value: Any) -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or value < 0 or value != value):
        raise ApiValueError(f"RetryPolicy: {name} must be a number of seconds >= 0, "
                            f"got {value!r}")
    return float(value)


class RetryPolicy:
    """Which failed tries to repeat, and how long to wait before each.

    ``RetryPolicy(3)`` allows three retries (four tries in all). The n-th retry waits a
    random time up to ``backoff_base * 2**(n-1)`` seconds, at most ``backoff_cap``,
    unless the server said how long with ``Retry-After`` (then that, at most
    ``retry_after_cap``).
    """

    __slots__ = ("total", "backoff_base", "backoff_cap", "retry_after_cap")

    def __init__(
        self,
        total: int = 3,
        *,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
    ) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ApiValueError(f"RetryPolicy: total must be an int >= 0, got {total!r}")
        self.total = total
        self.backoff_base = _seconds("backoff_base", backoff_base)
        self.backoff_cap = _seconds("backoff_cap", backoff_cap)
        self.retry_after_cap = _seconds("retry_after_cap", retry_after_cap)

    def should_retry(
        self,
        method: str,
        attempt: int,
        *,
        status: Optional[int] = None,
        error: Optional[ApiConnectionError] = None,
        idempotent: Optional[bool] = None,
    ) -> bool:
        """Whether try number ``attempt`` (from 1), which got ``status`` or failed with
        ``error``, may be followed by another. ``idempotent`` says whether the operation
        is safe to repeat; when it is not given, the HTTP ``method`` decides."""
        if attempt > self.total:
            return False
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        if status is not None:
            if status in RETRY_ANY_METHOD:
                return True
            return status in RETRY_IDEMPOTENT and idempotent
        if error is not None:
            if error.phase == ApiConnectionError.CONNECT:
                return True  # never sent: safe for any operation
            if error.phase == ApiConnectionError.READ:
                return idempotent
        return False

    #: Whether ``should_retry`` takes ``idempotent``: a subclass written before it did is
    #: asked without it, with a warning when the class is made (see ``allows``).
    _takes_idempotent: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        should_retry = cls.__dict__.get("should_retry")
        if should_retry is None:
            return
        import inspect
        import warnings

        # Looked at once, when the class is made: never on the way of a call.
        parameters = inspect.signature(should_retry).parameters.values()
        cls._takes_idempotent = any(p.name == "idempotent" or p.kind is p.VAR_KEYWORD
                                    for p in parameters)
        if not cls._takes_idempotent:
            warnings.warn(
                f"{cls.__qualname__}.should_retry takes no 'idempotent' keyword: it is "
                f"called without it in this release, and will be called with it from the "
                f"next; add 'idempotent: Optional[bool] = None' (whether the operation is "
                f"safe to repeat)", DeprecationWarning, stacklevel=2)

    def allows(self, method: str, attempt: int, *, status: Optional[int] = None,
               error: Optional[ApiConnectionError] = None, idempotent: bool) -> bool:
        """What the engine asks after a failed try: ``should_retry``, with
        ``idempotent`` when the policy's ``should_retry`` takes it."""
        if self._takes_idempotent:
            return self.should_retry(method, attempt, status=status, error=error,
                                     idempotent=idempotent)
        # A policy written before operations said whether they may be repeated.
        return self.should_retry(method, attempt, status=status, error=error)

    def delay(self, attempt: int, headers: Optional[Mapping[str, str]] = None) -> float:
        """Seconds to wait after try number ``attempt`` failed, before the next one."""
        asked = self.retry_after(headers)
        if asked is not None:
            return asked
        import random

        # Full jitter: spreads the retries of many clients hit by the same failure.
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)

    def retry_after(self, headers: Optional[Mapping[str, str]]) -> Optional[float]:
        """The server's ``Retry-After`` in seconds, capped; None when it sent none we can
        read."""
        wait = retry_after_seconds(headers)
        return None if wait is None else min(wait, self.retry_after_cap)

    def __repr__(self) -> str:
        return (f"RetryPolicy({self.total}, backoff_base={self.backoff_base}, "
                f"backoff_cap={self.backoff_cap}, retry_after_cap={self.retry_after_cap})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RetryPolicy):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))


Retries = Union[int, RetryPolicy]


def as_policy(value: Any, where: str = "Configuration.retries") -> RetryPolicy:
    """An int (retries with the default waits) or a ``RetryPolicy``, as a policy."""
    if isinstance(value, RetryPolicy):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return RetryPolicy(value)
    if type(value).__name__ == "Retry" and type(value).__module__.startswith("urllib3"):
        raise ApiValueError(
            f"{where}: the SDK decides retries itself and takes an int or a "
            f"cohesity_sdk.helios.RetryPolicy, not a urllib3.Retry; for example "
            f"RetryPolicy(3, backoff_base=0.5)"
        )
    raise ApiValueError(f"{where} must be an int >= 0 or a RetryPolicy, got {value!r}")
