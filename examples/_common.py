"""What every example shares: which Helios it talks to, and how it prints a table.

With ``HELIOS_HOST`` and ``HELIOS_API_KEY`` set (optionally ``HELIOS_ACCESS_CLUSTER_ID``,
``HELIOS_REGION_ID`` and the other variables of ``Configuration.from_env``), or a profile
that gives ``host`` and ``api_key``, an example works on that Helios or cluster. Without
them it starts a local ``FakeHelios`` for as long as it runs, so it can be tried without
touching anything.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from typing import Iterator, Sequence

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.environment import setting_sources


class TargetError(Exception):
    """The HELIOS_* environment variables are incomplete or malformed."""


@dataclass
class Target:
    configuration: helios.Configuration
    is_fake: bool


@contextlib.contextmanager
def open_target() -> Iterator[Target]:
    """The Helios named by the environment or a profile, or a FakeHelios running until
    the block ends."""
    given = setting_sources()
    if "host" in given or "api_key" in given:
        if not ("host" in given and "api_key" in given):
            raise TargetError("set both HELIOS_HOST and HELIOS_API_KEY, or neither")
        yield Target(helios.Configuration.from_env(), is_fake=False)
        return
    from cohesity_sdk.helios.testing import FakeHelios

    with FakeHelios() as fake:
        print(
            f"HELIOS_HOST/HELIOS_API_KEY not set: using a local FakeHelios at {fake.url} "
            "(discarded on exit)",
            file=sys.stderr,
        )
        yield Target(fake.configuration(), is_fake=True)


def with_api_key(configuration: helios.Configuration, api_key: str) -> helios.Configuration:
    """A copy of ``configuration`` that authenticates with another API key."""
    other = configuration.copy()
    other.api_key["APIKeyHeader"] = api_key
    other.username = None  # a login would win over the key
    return other


def print_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print ``rows`` (a value for each of ``columns``) as the SDK shows a table: headers
    in words, yes and no, dates."""
    from cohesity_sdk.helios.field_text import table

    print(table([dict(zip(columns, row)) for row in rows], columns))
