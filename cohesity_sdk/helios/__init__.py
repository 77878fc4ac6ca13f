"""Cohesity Helios v2 API client.

Names are imported on first use, so ``import cohesity_sdk.helios`` stays cheap::

    import cohesity_sdk.helios

    configuration = cohesity_sdk.helios.Configuration(host="https://helios.cohesity.com/v2")
    configuration.api_key["APIKeyHeader"] = "..."
    with cohesity_sdk.helios.ApiClient(configuration) as api_client:
        users = cohesity_sdk.helios.UserApi(api_client).get_users(domain="LOCAL")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List

from cohesity_sdk import __version__
from cohesity_sdk.helios import models

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi as UserApi
    from cohesity_sdk.helios.api_client import ApiClient as ApiClient
    from cohesity_sdk.helios.api_response import ApiResponse as ApiResponse
    from cohesity_sdk.helios.auth import (
        ApiKeyAuth as ApiKeyAuth,
        Auth as Auth,
        Credential as Credential,
        NoAuth as NoAuth,
        SessionAuth as SessionAuth,
    )
    from cohesity_sdk.helios.configuration import Configuration as Configuration
    from cohesity_sdk.helios.exceptions import (
        ApiAttributeError as ApiAttributeError,
        ApiConnectionError as ApiConnectionError,
        ApiException as ApiException,
        ApiKeyError as ApiKeyError,
        ApiTimeoutError as ApiTimeoutError,
        ApiTypeError as ApiTypeError,
        ApiValueError as ApiValueError,
        BadRequestException as BadRequestException,
        ConflictException as ConflictException,
        ForbiddenException as ForbiddenException,
        NotFoundException as NotFoundException,
        OpenApiException as OpenApiException,
        RateLimitException as RateLimitException,
        ResponseDecodeException as ResponseDecodeException,
        ResponseTooLargeException as ResponseTooLargeException,
        ServiceException as ServiceException,
        UnauthorizedException as UnauthorizedException,
        UnprocessableEntityException as UnprocessableEntityException,
    )
    from cohesity_sdk.helios.models import *  # noqa: F403
    from cohesity_sdk.helios.options import (
        CallOptions as CallOptions,
        OptionKeywords as OptionKeywords,
    )
    from cohesity_sdk.helios.retry import RetryPolicy as RetryPolicy
    from cohesity_sdk.helios.timestamps import (
        from_epoch_msecs as from_epoch_msecs,
        to_epoch_msecs as to_epoch_msecs,
        to_iso8601 as to_iso8601,
    )
    from cohesity_sdk.helios.transport import (
        Transport as Transport,
        TransportRequest as TransportRequest,
        TransportResponse as TransportResponse,
    )
    from cohesity_sdk.helios.urllib3_transport import Urllib3Transport as Urllib3Transport

_RUNTIME = {
    "UserApi": "api.user_api",
    "ApiClient": "api_client",
    "ApiResponse": "api_response",
    "Configuration": "configuration",
    "RetryPolicy": "retry",
    "OptionKeywords": "options",
    "CallOptions": "options",
    "Auth": "auth",
    "Credential": "auth",
    "ApiKeyAuth": "auth",
    "SessionAuth": "auth",
    "NoAuth": "auth",
    "Transport": "transport",
    "TransportRequest": "transport",
    "TransportResponse": "transport",
    "Urllib3Transport": "urllib3_transport",
    "from_epoch_msecs": "timestamps",
    "to_epoch_msecs": "timestamps",
    "to_iso8601": "timestamps",
    **{
        name: "exceptions"
        for name in (
            "OpenApiException", "ApiTypeError", "ApiValueError", "ApiKeyError",
            "ApiAttributeError", "ApiConnectionError", "ApiTimeoutError", "ApiException",
            "BadRequestException", "UnauthorizedException", "ForbiddenException",
            "NotFoundException", "ConflictException", "UnprocessableEntityException",
            "ServiceException", "ResponseDecodeException", "ResponseTooLargeException",
            "RateLimitException",
        )
    },
}

__all__ = ["__version__", *_RUNTIME, *models.__all__]


def __getattr__(name: str) -> Any:
    module = _RUNTIME.get(name)
    if module is None:
        if name in models.__all__:
            return getattr(models, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    # The API, not the machinery of this module.
    return sorted(__all__)
