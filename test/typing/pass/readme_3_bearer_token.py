import os
import threading
from typing import Callable, Mapping, Optional

import cohesity_sdk.helios


class BearerToken(cohesity_sdk.helios.Auth):
    """A token from another service, fetched again when the server refuses it."""

    def __init__(self, fetch_token: Callable[[], str]) -> None:
        self._fetch = fetch_token
        self._token: Optional[str] = None
        self._lock = threading.Lock()

    def auth_headers(self, client: cohesity_sdk.helios.ApiClient) -> Mapping[str, str]:
        with self._lock:
            if self._token is None:
                self._token = self._fetch()
            return {"Authorization": f"Bearer {self._token}"}

    def refresh(self, client: cohesity_sdk.helios.ApiClient, rejected: Mapping[str, str]) -> bool:
        with self._lock:
            if rejected.get("Authorization") == f"Bearer {self._token}":
                self._token = self._fetch()  # not already renewed by another thread
        return True


def get_token() -> str:
    """Yours: a token from wherever your tokens come from."""
    return os.environ["HELIOS_TOKEN"]


configuration = cohesity_sdk.helios.Configuration(
    host=os.environ["HELIOS_HOST"], auth=BearerToken(get_token)
)
