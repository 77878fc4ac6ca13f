"""The names every floor of the SDK shares: header names, the media type, integer
bounds, the shape of a timeout and what a call returns. The ground floor: it imports
nothing of the SDK.
"""

from __future__ import annotations

from typing import Optional, Tuple, Union

#: The header an API key travels in, and the name of its scheme in the spec (the key
#: ``Configuration.api_key`` files it under).
API_KEY_HEADER = "apiKey"
API_KEY_SCHEME = "APIKeyHeader"
#: The header a session id travels in.
SESSION_HEADER = "session-id"
#: The routing headers: a cluster behind Helios, and a Helios region.
ACCESS_CLUSTER_HEADER = "accessClusterId"
REGION_HEADER = "regionId"

JSON = "application/json"

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: Headers whose values are credentials: never shown in a repr, a log or an error.
CREDENTIAL_HEADERS = frozenset(
    name.lower() for name in (API_KEY_HEADER, SESSION_HEADER, "Authorization",
                              "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key")
)

#: Seconds to wait: one number for connecting and for each read, or ``(connect, read)``;
#: ``None`` waits forever.
Timeout = Union[None, float, Tuple[Optional[float], Optional[float]]]

#: What a call returns: the decoded model, an ``ApiResponse``, or the transport's raw
#: answer, its body unread (the ``_with_http_info`` and ``_without_preload_content``
#: methods).
DATA = "data"
HTTP_INFO = "http_info"
RAW = "raw"
