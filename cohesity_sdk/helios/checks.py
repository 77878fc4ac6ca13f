"""The checks of every ``Configuration`` setting, each made when the setting is set (in
the constructor, by a later assignment, or by ``Configuration.from_env`` for a value
read from the environment or a profile): a mistake is reported where it is made, not as
a failed call.

``SETTINGS`` names the settings, in the order of ``Configuration``'s constructor, and
``check_setting(name, value)`` checks one. ``environment`` reads its values through
these, without importing ``configuration``.
"""

from __future__ import annotations

import types
from typing import Any, Callable, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from cohesity_sdk.helios.configured_keys import ApiKeys
from cohesity_sdk.helios.constants import INT64_MAX, INT64_MIN, REGION_HEADER, Timeout
from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError
from cohesity_sdk.helios.header_checks import check_header
from cohesity_sdk.helios.proxies import masked_url, parse_proxy
from cohesity_sdk.helios.retry import as_policy
from cohesity_sdk.helios.secret import Headers

__all__ = ["CHECKS", "DEFAULT_HOST", "SETTINGS", "check_deadline", "check_setting", "check_timeout"]

#: The public Helios endpoint; an on-prem cluster is ``https://<cluster>/v2``.
DEFAULT_HOST = "https://helios.cohesity.com/v2"


def check_timeout(value: Any, where: str) -> Timeout:
    """A timeout as given, after checking that it is one."""
    pair = value if isinstance(value, tuple) else (value, value)
    if len(pair) != 2 or not all(map(_is_seconds, pair)):
        raise ApiValueError(
            f"{where}: a timeout is a positive number of seconds or a (connect, read) "
            f"pair, got {value!r}"
        )
    return value  # type: ignore[no-any-return]


def _is_seconds(part: Any) -> bool:
    return part is None or (
        isinstance(part, (int, float)) and not isinstance(part, bool) and part > 0
        and part != float("inf")
    )


def check_deadline(value: Any, where: str) -> Optional[float]:
    if value is None:
        return None
    if not _is_seconds(value):
        raise ApiValueError(f"{where}: a deadline is a positive number of seconds, "
                            f"got {value!r}")
    return float(value)


def check_setting(name: str, value: Any) -> Any:
    """``value`` as ``Configuration`` would take it for setting ``name``; raises
    ``ApiTypeError`` or ``ApiValueError`` as an assignment would."""
    check = CHECKS.get(name)
    return value if check is None else check(value)


def _check_host(value: Any) -> str:
    example = f"such as {DEFAULT_HOST!r} or 'https://<cluster>/v2'"
    if not isinstance(value, str):
        raise ApiTypeError(f"Configuration.host must be str, got {type(value).__name__}")
    shown = masked_url(value) if "@" in value else value  # never the password
    if value != value.strip() or any(c.isspace() for c in value):
        raise ApiValueError(f"Configuration.host must not contain spaces, got {shown!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiValueError(
            f"Configuration.host must be an absolute http(s) URL {example}, got {shown!r}"
        )
    if "@" in parts.netloc:
        raise ApiValueError(
            f"Configuration.host must not hold a user name or password ({shown!r}): they "
            f"would never be used; give the API key (api_key=) or the login (username= "
            f"and password=) instead"
        )
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ApiValueError(f"Configuration.host has a bad port: {shown!r}") from None
    if not parts.hostname:
        raise ApiValueError(f"Configuration.host names no host: {shown!r}")
    if parts.query or parts.fragment:
        raise ApiValueError(
            f"Configuration.host must not have a query or fragment, got {shown!r}"
        )
    if not parts.path.rstrip("/").endswith("/v2"):
        raise ApiValueError(
            f"Configuration.host must be the API's base URL ending in /v2, {example}; "
            f"got {shown!r}"
        )
    return value


def _check_proxy(value: Any) -> Any:
    _optional(str, "proxy")(value)
    if value is not None:
        parse_proxy(value, "Configuration.proxy")  # raises, the password masked
    return value


def _check_proxy_headers(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ApiTypeError(f"Configuration.proxy_headers must be a mapping of header names "
                           f"to values, got {type(value).__name__}")
    for name, text in value.items():
        if not isinstance(name, str):
            raise ApiTypeError("Configuration.proxy_headers: header names must be str")
        check_header(name, text, "Configuration.proxy_headers")
    # Read-only: a change must be an assignment, which the clients see.
    return types.MappingProxyType(Headers(value))


def _check_max_bytes(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiValueError(
            f"Configuration.max_response_bytes must be an int >= 1, got {value!r}")
    return value


def _optional(kind: type, name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)
                                  and kind is not bool):
            raise ApiTypeError(
                f"Configuration.{name} must be {kind.__name__} or None, "
                f"got {type(value).__name__}"
            )
        return value
    return check


def _text(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not value:
            raise ApiTypeError(f"Configuration.{name} must be a non-empty str, got {value!r}")
        return value
    return check


def _keys(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        return value if isinstance(value, ApiKeys) else ApiKeys(f"Configuration.{name}", value)
    return check


def _check_flag(name: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, bool):
            raise ApiTypeError(f"Configuration.{name} must be True or False, "
                               f"got {type(value).__name__}")
        return value
    return check


def _check_header_text(name: str, header: str) -> Callable[[Any], Any]:
    text = _optional(str, name)

    def check(value: Any) -> Any:
        text(value)
        if value is not None:
            check_header(header, value, f"Configuration.{name}")
        return value
    return check


def _check_cluster_id(value: Any) -> Any:
    _optional(int, "access_cluster_id")(value)
    if value is not None and not INT64_MIN <= value <= INT64_MAX:
        raise ApiValueError(f"Configuration.access_cluster_id={value} is out of the int64 range")
    return value


def _check_pool_size(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiValueError(
            f"Configuration.connection_pool_maxsize must be an int >= 1, got {value!r}"
        )
    return value


def _check_retries(value: Any) -> Any:
    as_policy(0 if value is None else value)
    return value


def _check_auth(value: Any) -> Any:
    from cohesity_sdk.helios.auth import Auth  # the credentials: a floor below

    if value is not None and not isinstance(value, Auth):
        raise ApiTypeError(
            "Configuration.auth must have auth_headers(client) and refresh(client, "
            f"rejected) methods (see cohesity_sdk.helios.auth.Auth), got {type(value).__name__}"
        )
    return value


CHECKS: Dict[str, Callable[[Any], Any]] = {
    "host": _check_host,
    "api_key": _keys("api_key"),
    "api_key_prefix": _keys("api_key_prefix"),
    "timeout": lambda value: check_timeout(value, "Configuration.timeout"),
    "deadline": lambda value: check_deadline(value, "Configuration.deadline"),
    "retries": _check_retries,
    "access_cluster_id": _check_cluster_id,
    "region_id": _check_header_text("region_id", REGION_HEADER),
    "username": _optional(str, "username"),
    "password": _optional(str, "password"),
    "domain": _text("domain"),
    "otp_type": _optional(str, "otp_type"),
    "otp_code": _optional(str, "otp_code"),
    "auth": _check_auth,
    "verify_ssl": _check_flag("verify_ssl"),
    "trust_env": _check_flag("trust_env"),
    "pause_gc_on_decode": _check_flag("pause_gc_on_decode"),
    "connection_pool_maxsize": _check_pool_size,
    "ssl_ca_cert": _optional(str, "ssl_ca_cert"),
    "cert_file": _optional(str, "cert_file"),
    "key_file": _optional(str, "key_file"),
    "tls_server_name": _optional(str, "tls_server_name"),
    "proxy": _check_proxy,
    "proxy_headers": _check_proxy_headers,
    "max_response_bytes": _check_max_bytes,
}


#: Every setting of ``Configuration``, in the order of its constructor.
SETTINGS: Tuple[str, ...] = (
    "host", "api_key", "api_key_prefix", "username", "password", "domain", "otp_type",
    "otp_code", "auth", "access_cluster_id", "region_id", "verify_ssl", "ssl_ca_cert",
    "cert_file", "key_file", "tls_server_name", "proxy", "proxy_headers",
    "connection_pool_maxsize", "timeout", "deadline", "retries", "trust_env",
    "max_response_bytes", "pause_gc_on_decode",
)
assert set(SETTINGS) == set(CHECKS)
