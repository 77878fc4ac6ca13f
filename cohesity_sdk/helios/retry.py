"""When a call is tried again, and when it never is.

The rule: a request is repeated only when the server cannot have acted on it, or when
acting twice does no harm.

- The connection failed before the request was sent: any method.
- 429 Too Many Requests: any method (the server refused it without acting).
- 502, 503, 504 and read timeouts: only idempotent methods (GET, PUT, DELETE, HEAD,
  OPTIONS). A POST that may have reached the server is never sent twice.

Waits grow exponentially with full jitter, up to ``backoff_cap`` seconds; a
``Retry-After`` header (seconds or an HTTP date) is honoured up to ``retry_after_cap``.
"""

from __future__ import annotations

import random
from itertools import takewhile
from typing import Any, Optional

from urllib3.util.retry import Retry

from cohesity_sdk.helios.exceptions import ApiValueError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_ANY_METHOD = frozenset({429})
RETRY_IDEMPOTENT = frozenset({502, 503, 504})


class RetryPolicy(Retry):
    """A ``urllib3.Retry`` that follows the rule above.

    ``RetryPolicy(3)`` allows three retries in all; ``backoff_base`` is the longest
    first wait in seconds, doubling on each further retry.
    """

    def __init__(
        self,
        total: Any = 3,
        *,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        **kwargs: Any,
    ) -> None:
        if isinstance(total, int) and not isinstance(total, bool):
            for budget in ("connect", "read", "status"):
                kwargs.setdefault(budget, total)
            kwargs.setdefault("other", 0)  # TLS and protocol errors: no second try
        kwargs.setdefault("redirect", 0)
        kwargs.setdefault("raise_on_redirect", False)
        kwargs.setdefault("raise_on_status", False)  # the last answer becomes an ApiException
        kwargs.setdefault("allowed_methods", IDEMPOTENT_METHODS)
        kwargs.setdefault("status_forcelist", RETRY_ANY_METHOD | RETRY_IDEMPOTENT)
        kwargs.setdefault("respect_retry_after_header", True)
        super().__init__(total=total, **kwargs)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap

    def new(self, **kwargs: Any) -> "RetryPolicy":
        # urllib3 makes a new instance after each try; keep our settings on it.
        fresh: RetryPolicy = super().new(**kwargs)
        fresh.backoff_base = self.backoff_base
        fresh.backoff_cap = self.backoff_cap
        fresh.retry_after_cap = self.retry_after_cap
        return fresh

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if self.status_forcelist and status_code not in self.status_forcelist:
            return False
        if status_code in RETRY_ANY_METHOD:
            return True
        idempotent = not self.allowed_methods or method.upper() in self.allowed_methods
        return status_code in RETRY_IDEMPOTENT and idempotent

    def get_backoff_time(self) -> float:
        # Full jitter: a random wait up to base * 2**(n-1) for the n-th failure in a row.
        failures = len(list(takewhile(lambda h: h.redirect_location is None,
                                      reversed(self.history))))
        if failures == 0:
            return 0.0
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (failures - 1))
        return random.uniform(0, ceiling)

    def get_retry_after(self, response: Any) -> Optional[float]:
        try:
            wait = super().get_retry_after(response)
        except Exception:  # an unreadable Retry-After: fall back to the backoff
            return None
        if wait is None:
            return None
        return min(wait, self.retry_after_cap)


def make_retry(value: Any) -> Any:
    """``Configuration.retries`` as urllib3 takes it; 0, ``None`` or ``False``: no retries."""
    if isinstance(value, Retry):
        return value
    if value in (None, False, 0):
        return False
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return RetryPolicy(value)
    raise ApiValueError(
        f"Configuration.retries must be an int >= 0 or a urllib3.Retry, got {value!r}"
    )
