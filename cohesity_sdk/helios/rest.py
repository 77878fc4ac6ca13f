"""Names kept where the generated SDKs have them.

``from cohesity_sdk.helios.rest import ApiException`` is how the API's documentation
imports the exception; ``RESTClientObject`` is the old name of the urllib3 transport,
``cohesity_sdk.helios.urllib3_transport.Urllib3Transport`` (loaded on first use, with
urllib3).
"""

from __future__ import annotations

from typing import Any

from cohesity_sdk.helios.exceptions import (
    ApiException as ApiException,
    OpenApiException as OpenApiException,
    RateLimitException as RateLimitException,
)

__all__ = ["ApiException", "OpenApiException", "RateLimitException"]


def __getattr__(name: str) -> Any:
    if name == "RESTClientObject":
        from cohesity_sdk.helios.urllib3_transport import Urllib3Transport

        return Urllib3Transport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
