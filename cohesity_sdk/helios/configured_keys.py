"""``Configuration.api_key`` and ``api_key_prefix``: the API key, filed under the name of
the API's key scheme, and checked to fit in a header when it is set."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Union

from cohesity_sdk.helios.constants import API_KEY_HEADER, API_KEY_SCHEME
from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError
from cohesity_sdk.helios.header_checks import check_header

__all__ = ["ApiKeys"]


class ApiKeys(Dict[str, str]):
    """``Configuration.api_key`` and ``api_key_prefix``: values by the name of the API's
    key scheme, ``"APIKeyHeader"``.

    ``"apiKey"``, the name of the header the key travels in, is taken as the same name
    (and stored as ``"APIKeyHeader"``); any other name is refused, since a key filed under
    it would never be sent. Values are checked to fit in a header when they are set.
    """

    def __init__(self, what: str, values: Union[str, Mapping[str, str], None] = None) -> None:
        super().__init__()
        self._what = what
        if isinstance(values, str):
            values = {API_KEY_SCHEME: values}
        elif values is not None and not isinstance(values, Mapping):
            raise ApiTypeError(f"{what} must be the key (a str) or a dict such as "
                               f"{{{API_KEY_SCHEME!r}: key}}, got {type(values).__name__}")
        self.update(values or {})

    def _name(self, name: object) -> str:
        if name == API_KEY_SCHEME or name == API_KEY_HEADER:
            return API_KEY_SCHEME
        raise ApiValueError(
            f"{self._what} takes the key under {API_KEY_SCHEME!r} (the API's key scheme; "
            f"{API_KEY_HEADER!r} is taken as the same), not {name!r}: a key filed under "
            f"another name would never be sent"
        )

    def __setitem__(self, name: str, value: str) -> None:
        check_header(API_KEY_HEADER, value, f"{self._what}[{API_KEY_SCHEME!r}]")
        super().__setitem__(self._name(name), value)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(self._name(name) if name == API_KEY_HEADER else name)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:  # type: ignore[override]
        return super().get(API_KEY_SCHEME if name == API_KEY_HEADER else name, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, value in dict(*args, **kwargs).items():
            self[name] = value

    def setdefault(self, name: str, default: str = "") -> str:
        if self._name(name) not in self:
            self[name] = default
        return self[API_KEY_SCHEME]

    def __repr__(self) -> str:
        return repr({name: "***" for name in self})  # never the key

    def __copy__(self) -> "ApiKeys":
        return ApiKeys(self._what, dict(self))

    def __reduce__(self) -> Any:
        return (ApiKeys, (self._what, dict(self)))
