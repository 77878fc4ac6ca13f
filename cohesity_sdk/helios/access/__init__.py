"""Access as code: plan and apply the users, groups, roles and API keys that should exist,
on one cluster or many.

    from cohesity_sdk.helios import ApiClient, Configuration, UserApi
    from cohesity_sdk.helios import access

    with ApiClient(Configuration.from_env()) as client:
        api = UserApi(client)
        changes = access.plan(api, access.load("access.yaml"))  # reads only
        print(changes)                                          # a table of changes
        result = access.apply(api, changes)                     # each change's result

``load`` reads an access file (YAML, with the ``yaml`` extra, or JSON) as an
``AccessFile``, refusing a bad one whole (``AccessFileError``); ``plan`` compares it
with each cluster; ``apply`` carries a plan out, refusing one whose clusters changed
since (``StalePlanError``); ``export`` writes what a cluster holds as an access file.
See docs/AccessAsCode.md.

Names are imported on first use, so that the command line's ``--help`` loads none of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from cohesity_sdk.helios.access.applying import (
        ApplyError as ApplyError,
        ApplyResult as ApplyResult,
        ChangeResult as ChangeResult,
        ClusterResult as ClusterResult,
        apply as apply,
    )
    from cohesity_sdk.helios.access.errors import (
        AccessFileError as AccessFileError,
        StalePlanError as StalePlanError,
        YamlMissingError as YamlMissingError,
    )
    from cohesity_sdk.helios.access.exporting import export as export
    from cohesity_sdk.helios.access.planning import (
        Change as Change,
        ClusterPlan as ClusterPlan,
        FieldChange as FieldChange,
        Plan as Plan,
        plan as plan,
    )
    from cohesity_sdk.helios.access.reading import load as load, parse as parse
    from cohesity_sdk.helios.access.schema import (
        AccessFile as AccessFile,
        ApiKeySpec as ApiKeySpec,
        GroupSpec as GroupSpec,
        PruneScope as PruneScope,
        PruneSpec as PruneSpec,
        UserSpec as UserSpec,
    )

_NAMES = {
    **dict.fromkeys(("AccessFile", "UserSpec", "GroupSpec", "ApiKeySpec", "PruneSpec",
                     "PruneScope"), "schema"),
    **dict.fromkeys(("load", "parse"), "reading"),
    **dict.fromkeys(("plan", "Plan", "ClusterPlan", "Change", "FieldChange"), "planning"),
    **dict.fromkeys(("apply", "ApplyResult", "ClusterResult", "ChangeResult", "ApplyError"),
                    "applying"),
    "export": "exporting",
    **dict.fromkeys(("AccessFileError", "StalePlanError", "YamlMissingError"), "errors"),
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return list(__all__)
