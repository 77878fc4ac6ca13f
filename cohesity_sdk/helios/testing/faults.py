"""Faults queued for the next calls of an operation: failures, delays and drops.

Each kind has its own queue per operation, and one call takes the head of each: a call
can be delayed and then fail. A drop before the action wins over a failure. A delay
after the action holds the answer of a call that was carried out: the client sees a
slow server that has acted.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Collection, Deque, Dict, Optional, Tuple, Union

from cohesity_sdk.helios.testing.errors import error_code_for

RetryAfter = Union[int, float, str, None]


@dataclass(frozen=True)
class Failure:
    status: int
    body: Any  # JSON; None for no body
    retry_after: Optional[str]


@dataclass(frozen=True)
class Faults:
    """What to do to one call."""

    delay: float = 0.0  # before the action
    delay_after: float = 0.0  # after the action, before the answer
    drop_before: bool = False  # close the connection without acting or answering
    drop_after: bool = False  # act, then close the connection without answering
    failure: Optional[Failure] = None


class FaultPlan:
    def __init__(self, operation_ids: Collection[str]) -> None:
        self._operation_ids = frozenset(operation_ids)
        self._lock = threading.Lock()
        self._failures: Dict[str, Deque[Failure]] = {}
        self._delays: Dict[str, Deque[Tuple[float, bool]]] = {}
        self._drops: Dict[str, Deque[bool]] = {}

    def fail(
        self,
        operation_id: str,
        status: int,
        times: int,
        retry_after: RetryAfter,
        body: Any,
    ) -> None:
        self._check(operation_id)
        # An interim 1xx would leave the client waiting for a final answer.
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
            raise ValueError(f"status must be an HTTP status from 200 to 599, got {status!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive integer, got {times!r}")
        if body is None:
            body = {"errorCode": error_code_for(status),
                    "message": f"injected failure of {operation_id}"}
        else:
            try:
                json.dumps(body)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"body must be JSON-serialisable: {exc}") from None
        failure = Failure(status, body, _retry_after(retry_after))
        with self._lock:
            self._failures.setdefault(operation_id, deque()).extend([failure] * times)

    def delay(self, operation_id: str, seconds: float, after_action: bool = False) -> None:
        self._check(operation_id)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError(f"seconds must be a non-negative number, got {seconds!r}")
        with self._lock:
            self._delays.setdefault(operation_id, deque()).append(
                (float(seconds), bool(after_action)))

    def drop(self, operation_id: str, after_action: bool) -> None:
        self._check(operation_id)
        with self._lock:
            self._drops.setdefault(operation_id, deque()).append(bool(after_action))

    def take(self, operation_id: str) -> Faults:
        """The faults for this call of ``operation_id``, taken off their queues."""
        with self._lock:
            delays = self._delays.get(operation_id)
            drops = self._drops.get(operation_id)
            failures = self._failures.get(operation_id)
            after_action = drops.popleft() if drops else None
            seconds, late = delays.popleft() if delays else (0.0, False)
            return Faults(
                delay=0.0 if late else seconds,
                delay_after=seconds if late else 0.0,
                drop_before=after_action is False,
                drop_after=after_action is True,
                failure=failures.popleft() if failures else None,
            )

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._delays.clear()
            self._drops.clear()

    def _check(self, operation_id: str) -> None:
        if operation_id not in self._operation_ids:
            raise ValueError(f"unknown operation_id {operation_id!r}")


def _retry_after(value: RetryAfter) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or value < 0:
        raise ValueError(f"retry_after must be a non-negative number or a string, got {value!r}")
    return str(int(value)) if float(value).is_integer() else str(value)
