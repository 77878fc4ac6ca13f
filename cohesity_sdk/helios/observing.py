"""What watches the SDK's calls from outside: tracing (``tracing``), or a watcher of
your own.

While an ``Observer`` is set (``observe``), each call of every client is given a
``CallWatch``: told of each try as it starts and ends, of each wait before a retry, of
the login the call needs (a watch of its own), and of how the call ended. Without one,
a call costs one attribute read more. A watch is called on the calling thread, and must
not raise: what it raises is the call's error.

Headers reach a watch masked in their ``repr`` (credentials are ``***``), and bodies not
at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Protocol

if TYPE_CHECKING:
    from cohesity_sdk.helios.transport import TransportRequest, TransportResponse

__all__ = ["CallWatch", "Observer", "current", "observe"]


class CallWatch(Protocol):
    """One call, as its observer sees it."""

    def try_started(self, attempt: TransportRequest) -> None:
        """A try is about to be sent: its headers may still be added to (a trace
        context, say)."""
        ...

    def try_ended(self, attempt: TransportRequest, response: Optional[TransportResponse],
                  error: Optional[BaseException]) -> None:
        """The try got ``response`` (any status), or no answer: ``error``."""
        ...

    def retrying(self, reason: str, wait: float) -> None:
        """The last try failed for ``reason``; the next one follows in ``wait`` s."""
        ...

    def login(self, operation: str) -> CallWatch:
        """The call needs a login (``operation``) first: its watch."""
        ...

    def ended(self, error: Optional[BaseException]) -> None:
        """The call is over: it succeeded, or raised ``error`` (whose
        ``may_have_acted`` says whether a write may have been done)."""
        ...


class Observer(Protocol):
    """Gives each call its watch."""

    def call(self, operation: str, method: str, url: str, headers: Mapping[str, str],
             deadline: Optional[float]) -> CallWatch:
        """A call of ``operation`` starts: ``headers`` are the request's (routing ones
        included, credentials not yet), ``deadline`` its seconds, if any."""
        ...


#: The observer of every call, or None.
current: Optional[Observer] = None


def observe(observer: Optional[Observer]) -> Optional[Observer]:
    """Set the observer of every call (None: none); returns the one it replaces."""
    global current
    previous, current = current, observer
    return previous
