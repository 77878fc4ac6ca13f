"""The names of earlier releases' ``protocol`` module, now in ``constants`` (the header
names, ``JSON``) and ``header_checks`` (``check_header``, ``header``)."""

from cohesity_sdk.helios.constants import (
    ACCESS_CLUSTER_HEADER as ACCESS_CLUSTER_HEADER,
    API_KEY_HEADER as API_KEY_HEADER,
    API_KEY_SCHEME as API_KEY_SCHEME,
    CREDENTIAL_HEADERS as CREDENTIAL_HEADERS,
    JSON as JSON,
    REGION_HEADER as REGION_HEADER,
    SESSION_HEADER as SESSION_HEADER,
)
from cohesity_sdk.helios.header_checks import check_header as check_header, header as header

__all__ = ["ACCESS_CLUSTER_HEADER", "API_KEY_HEADER", "API_KEY_SCHEME", "CREDENTIAL_HEADERS",
           "JSON", "REGION_HEADER", "SESSION_HEADER", "check_header", "header"]
