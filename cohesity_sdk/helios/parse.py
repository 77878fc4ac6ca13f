"""An HTTP answer -> the call's result, or the exception it stands for. Pure: no sockets.

A 2xx body is decoded into the operation's model (leniently: unknown fields and enum
values are kept); any other status becomes the ``ApiException`` subclass for it, with
the raw body, the server's ``Error`` when the body is one, and which call it was.
"""

from __future__ import annotations

import gc
import sys
import threading
from typing import TYPE_CHECKING, Any, Mapping, Optional

from cohesity_sdk.helios.constants import HTTP_INFO
from cohesity_sdk.helios.exceptions import (
    ApiException,
    ResponseDecodeException,
    describe_errors,
    exception_class_for,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from cohesity_sdk.helios.models.error import Error
    from cohesity_sdk.helios.operation import Operation


def parse_response(
    op: Operation[Any],
    method: str,
    url: str,
    status: int,
    reason: Optional[str],
    headers: Mapping[str, str],
    raw: bytes,
    result: str,
    attempts: int = 1,
    pause_gc: bool = True,
) -> Any:
    """The result of a call (the model, or an ``ApiResponse`` for ``HTTP_INFO``) for a
    2xx answer; raises the matching ``ApiException`` for any other. ``pause_gc`` is
    ``Configuration.pause_gc_on_decode``: see ``_decode``."""
    if not 200 <= status <= 299:
        raise error_for(op.id, method, url, status, reason, headers, raw, attempts)
    data: Optional[BaseModel] = None
    model = op.response_model
    if model is not None and status != 204:
        try:
            data = (model.model_validate_json(raw) if len(raw) < GC_PAUSE_BYTES
                    else _decode(model, raw, pause_gc))
        except ValueError as exc:  # pydantic's ValidationError is one
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            raise ResponseDecodeException(
                status, reason, raw, None, headers, operation=op.id, method=method,
                url=url, attempts=attempts, cause=describe_errors(exc),
            ) from None
    if result == HTTP_INFO:
        from cohesity_sdk.helios.api_response import ApiResponse

        return ApiResponse(status, headers, data, raw)
    return data


def error_for(
    operation: str,
    method: str,
    url: str,
    status: int,
    reason: Optional[str],
    headers: Mapping[str, str],
    raw: bytes,
    attempts: int = 1,
) -> ApiException:
    """The exception for an error answer to ``operation`` (its id)."""
    return exception_class_for(status)(
        status, reason, raw, _error_model(raw), headers,
        operation=operation, method=method, url=url, attempts=attempts,
    )


#: From this size on, the garbage collector may be paused while a body is decoded.
GC_PAUSE_BYTES = 256 * 1024


def _decode(model: type[BaseModel], raw: bytes, pause_gc: bool) -> BaseModel:
    """``raw`` as ``model``, with the garbage collector paused if ``pause_gc`` allows it.

    Decoding a large list makes tens of thousands of objects at once, all of them alive;
    the collections this triggers find nothing to free and take more time than the
    decoding itself (``benchmarks/bench.py``: 10,000 users in about 2x the time of
    ``json.loads`` with the pause, 3.2x without). The collector is switched off for the
    whole process, though, so only while no other thread runs Python code that could
    notice, and only for a body of ``GC_PAUSE_BYTES`` or more. ``pause_gc`` is
    ``Configuration.pause_gc_on_decode`` (default True): False leaves the collector alone.
    """
    if (not pause_gc or len(raw) < GC_PAUSE_BYTES or not gc.isenabled()
            or not _only_thread()):
        return model.model_validate_json(raw)
    gc.disable()
    try:
        return model.model_validate_json(raw)
    finally:
        gc.enable()


def _only_thread() -> bool:
    """Whether this is the only thread of the process that runs Python code."""
    return threading.active_count() == 1 and len(sys._current_frames()) == 1


def _error_model(raw: bytes) -> Optional[Error]:
    if not raw:
        return None
    from pydantic import ValidationError

    from cohesity_sdk.helios.models.error import Error

    try:
        return Error.model_validate_json(raw)
    except ValidationError:
        return None
