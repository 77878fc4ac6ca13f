"""The control API: ``/_fake/...`` on the fake's own port, so that tools other than
Python (a shell script, a CI job, a notebook in another language) can drive the fake.

======  ===================  ====================================================  ======
Method  Path                 Does                                                  Answer
======  ===================  ====================================================  ======
POST    ``/_fake/reset``     ``fake.reset()``                                      204
GET     ``/_fake/snapshot``  ``fake.snapshot()``                                   200
PUT     ``/_fake/snapshot``  ``fake.restore(body)``                                204
POST    ``/_fake/faults``    queues faults for the next call of an operation       204
GET     ``/_fake/requests``  the request log, secrets hidden (``to_json()``)       200
DELETE  ``/_fake/requests``  ``fake.requests.clear()``                             204
======  ===================  ====================================================  ======

A fault request names an operation and at least one of ``fail``, ``delay`` and
``drop``, as ``fail_next``, ``delay_next`` and ``drop_next`` take them::

    {"operation": "get_users",
     "fail": {"status": 503, "times": 2, "retryAfter": 1, "body": {...}},
     "delay": 2,
     "drop": {"afterAction": true}}

``"delay": {"seconds": 2, "afterAction": true}`` carries the call out first, then waits
before answering.

In ``fail`` every field is optional (503, once, no ``Retry-After``, the default
``Error``); ``"drop": {}`` drops before the action.

It is a test tool: control requests need no key and are not logged. They are answered
only to clients on the loopback interface, unless the fake listens on a non-loopback
address, which it does only when told to (``host=``, ``--host``): then whoever reaches
the port may drive it. ``FakeHelios(control_api=False)`` turns it off. Errors have the
API's ``Error`` shape: 400 for a bad body, 403 for a client not allowed, 404 for an
unknown path, 405 (with ``Allow``) for a wrong method.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from cohesity_sdk.helios.testing.errors import ApiError, bad_request, not_found
from cohesity_sdk.helios.testing.faults import FaultPlan
from cohesity_sdk.helios.testing.http_server import Answer
from cohesity_sdk.helios.testing.request_log import RequestLog
from cohesity_sdk.helios.testing.routes import OPERATION_IDS
from cohesity_sdk.helios.testing.state import HeliosState

PREFIX = "/_fake"


def is_control_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_loopback(host: Optional[str]) -> bool:
    """Whether ``host`` (an address, or ``localhost``) is on the loopback interface."""
    if not host:
        return False  # "" binds every interface; an unknown peer is not trusted
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host.lower() == "localhost"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback  # ::ffff:127.0.0.1 on a dual-stack socket
    return address.is_loopback


def control_allowed(peer: Optional[str], listening_on: str) -> bool:
    """Whether a control request from ``peer`` is answered by a fake listening on
    ``listening_on``: always from loopback, from elsewhere only when the fake was told
    to listen beyond loopback."""
    return is_loopback(peer) or not is_loopback(listening_on)


def reset(state: HeliosState, faults: FaultPlan, log: RequestLog) -> None:
    """What ``POST /_fake/reset`` and ``FakeHelios.reset()`` do: the state back to where
    it started, and no logged request or pending fault."""
    faults.clear()
    log.clear()
    state.reset()


class ControlApi:
    """Answers the control requests of one fake, acting on its parts directly: its
    state, its fault plan and its request log."""

    def __init__(self, state: HeliosState, faults: FaultPlan, log: RequestLog) -> None:
        self._state = state
        self._faults = faults
        self._log = log
        self._endpoints: Dict[str, Dict[str, Callable[[bytes], Answer]]] = {
            PREFIX + "/reset": {"POST": self._reset},
            PREFIX + "/snapshot": {"GET": self._get_snapshot, "PUT": self._put_snapshot},
            PREFIX + "/faults": {"POST": self._add_faults},
            PREFIX + "/requests": {"GET": self._get_requests, "DELETE": self._clear_requests},
        }

    def answer(self, method: str, path: str, body: bytes, peer: Optional[str],
               listening_on: str) -> Answer:
        try:
            if not control_allowed(peer, listening_on):
                raise ApiError(403, "the control API answers loopback clients only, unless "
                               "the fake listens on a non-loopback address")
            methods = self._endpoints.get(path)
            if methods is None:
                raise not_found(f"no such control path: {path}")
            handler = methods.get(method)
            if handler is None:
                allow = ", ".join(sorted(methods))
                raise ApiError(405, f"{method} is not allowed on {path}; allowed: {allow}",
                               headers={"Allow": allow})
            return handler(body)
        except ApiError as exc:
            return Answer(exc.status, exc.body(), exc.headers)

    # -- endpoints -------------------------------------------------------------------------

    def _reset(self, body: bytes) -> Answer:
        reset(self._state, self._faults, self._log)
        return Answer(204)

    def _get_snapshot(self, body: bytes) -> Answer:
        return Answer(200, self._state.snapshot())

    def _put_snapshot(self, body: bytes) -> Answer:
        try:
            self._state.restore(_json(body))
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        return Answer(204)

    def _add_faults(self, body: bytes) -> Answer:
        request = _json(body)
        if not isinstance(request, dict):
            raise bad_request("body: must be an object")
        unknown = [k for k in request if k not in ("operation", "fail", "delay", "drop")]
        if unknown:
            raise bad_request(f"body: unknown field {unknown[0]!r}")
        operation = request.get("operation")
        if operation not in OPERATION_IDS:
            raise bad_request(f"operation: must be an operation id, such as get_users; "
                              f"got {operation!r}")
        fail, delay, drop = (request.get(k) for k in ("fail", "delay", "drop"))
        if fail is None and delay is None and drop is None:
            raise bad_request("body: give at least one of fail, delay and drop")
        # All checked before any is queued: a refused request queues nothing.
        failure = None if fail is None else _failure(fail)
        wait = None if delay is None else _delay(delay)
        after_action = None if drop is None else _after_action(drop)
        if failure is not None:
            self._faults.fail(operation, **failure)
        if wait is not None:
            self._faults.delay(operation, *wait)
        if after_action is not None:
            self._faults.drop(operation, after_action)
        return Answer(204)

    def _get_requests(self, body: bytes) -> Answer:
        return Answer(200, [request.to_json() for request in self._log.snapshot()])

    def _clear_requests(self, body: bytes) -> Answer:
        self._log.clear()
        return Answer(204)


def _json(body: bytes) -> Any:
    if not body.strip():
        raise bad_request("body: is required")
    try:
        return json.loads(body)
    except ValueError:
        raise bad_request("body: is not valid JSON") from None


def _failure(fail: Any) -> Dict[str, Any]:
    """``fail_next``'s arguments for a ``fail`` object."""
    if not isinstance(fail, dict):
        raise bad_request("fail: must be an object")
    unknown = [k for k in fail if k not in ("status", "times", "retryAfter", "body")]
    if unknown:
        raise bad_request(f"fail: unknown field {unknown[0]!r}")
    status, times, retry_after = fail.get("status", 503), fail.get("times", 1), \
        fail.get("retryAfter")
    if not _is_int(status) or not 200 <= status <= 599:
        raise bad_request("fail.status: must be an HTTP status from 200 to 599")
    if not _is_int(times) or times < 1:
        raise bad_request("fail.times: must be a positive integer")
    if retry_after is not None and not isinstance(retry_after, str) and (
            isinstance(retry_after, bool) or not isinstance(retry_after, (int, float))
            or retry_after < 0):
        raise bad_request("fail.retryAfter: must be a non-negative number or a string")
    if isinstance(retry_after, str) and any(c in retry_after for c in "\r\n\0"):
        raise bad_request("fail.retryAfter: must fit in a header")
    return {"status": status, "times": times, "retry_after": retry_after,
            "body": fail.get("body")}


def _after_action(drop: Any) -> bool:
    if not isinstance(drop, Mapping):
        raise bad_request("drop: must be an object, such as {\"afterAction\": true}")
    unknown = [k for k in drop if k != "afterAction"]
    if unknown:
        raise bad_request(f"drop: unknown field {unknown[0]!r}")
    after = drop.get("afterAction", False)
    if not isinstance(after, bool):
        raise bad_request("drop.afterAction: must be true or false")
    return after


def _delay(delay: Any) -> Tuple[float, bool]:
    """``delay``: seconds, or ``{"seconds": 2, "afterAction": true}``."""
    after = False
    if isinstance(delay, Mapping):
        unknown = [k for k in delay if k not in ("seconds", "afterAction")]
        if unknown:
            raise bad_request(f"delay: unknown field {unknown[0]!r}")
        after = delay.get("afterAction", False)
        if not isinstance(after, bool):
            raise bad_request("delay.afterAction: must be true or false")
        delay = delay.get("seconds")
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise bad_request("delay: must be a non-negative number of seconds, or "
                          "{\"seconds\": N, \"afterAction\": true}")
    return float(delay), after


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
