"""pytest fixtures for testing code against a ``FakeHelios``.

Enable with ``pytest_plugins = ["cohesity_sdk.helios.testing.pytest_plugin"]`` in a
``conftest.py``. Each test gets a fresh fake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

from cohesity_sdk.helios.testing.fake_helios import FakeHelios

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi


@pytest.fixture
def fake_helios() -> Iterator[FakeHelios]:
    """A running ``FakeHelios``, stopped after the test."""
    with FakeHelios() as fake:
        yield fake


@pytest.fixture
def helios_api(fake_helios: FakeHelios) -> Iterator["UserApi"]:
    """A ``UserApi`` talking to ``fake_helios`` with its bootstrap key."""
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.api_client import ApiClient

    with ApiClient(fake_helios.configuration()) as client:
        yield UserApi(client)
