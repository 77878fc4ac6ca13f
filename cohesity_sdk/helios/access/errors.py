"""What access as code raises before it changes anything: a bad file, a plan that is out
of date. (``ApplyError``, for changes that failed, is raised by ``applying``, with the
result it holds.)

Each is an ``OpenApiException``, as everything the SDK raises, and never quotes a value
of the file: a value in the wrong place may be a secret.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from cohesity_sdk.helios.exceptions import OpenApiException

#: The extra that brings PyYAML, named by the error when it is missing.
YAML_EXTRA = "yaml"


class AccessFileError(OpenApiException, ValueError):
    """The access file is refused: nothing was read from or sent to a cluster for it.

    ``source`` names the file (``"<AccessFile>"`` for one built in Python), ``problems``
    holds ``(path, reason)`` pairs, the path in the manner of ``users[0].roles``.
    """

    def __init__(self, source: str, problems: Sequence[Tuple[str, str]]) -> None:
        self.source = source
        self.problems: List[Tuple[str, str]] = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> List[str]:
        """One line per problem: ``access.yaml: users[0].domian: unknown key ...``."""
        return [f"{self.source}: {path}: {reason}" if path else f"{self.source}: {reason}"
                for path, reason in self.problems]


class YamlMissingError(OpenApiException, ImportError):
    """A YAML access file was read where PyYAML is not installed."""

    def __init__(self, source: str) -> None:
        super().__init__(
            f"{source}: reading YAML needs PyYAML: pip install 'cohesity-helios[{YAML_EXTRA}]' "
            "(or write the access file as JSON)")


class StalePlanError(OpenApiException):
    """A plan was applied after the state it was made from changed: nothing was done.

    ``clusters`` lists the clusters (``None``: the configured target) whose state moved.
    """

    def __init__(self, clusters: Sequence[Optional[int]], source: str) -> None:
        self.clusters = list(clusters)
        names = ["the configured target" if c is None else f"cluster {c}" for c in clusters]
        named = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        super().__init__(
            f"{source}: the plan is stale: {named} changed since it was made, so nothing "
            "was changed; plan again and review the new plan")
