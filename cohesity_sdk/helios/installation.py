"""Which installed distributions provide the ``cohesity_sdk`` package: is this one alone?

This project's distribution is ``cohesity-helios``. The vendor's ``cohesity-sdk`` (as
did this project under its former name, also ``cohesity-sdk``) installs a ``cohesity_sdk``
package too, so the two cannot share an environment: installing one over the other
overwrites some of the other's files, and both break. ``cohesity-helios --version``
reports such a mixed install, with how to repair it.

Only the command line's ``--version`` imports this module: ``import cohesity_sdk.helios``
never reads the installed distributions.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

#: This project's distribution.
DISTRIBUTION = "cohesity-helios"
#: The import package the distributions share.
PACKAGE = "cohesity_sdk"


class Installed(NamedTuple):
    """A distribution that installs ``cohesity_sdk``."""

    name: str  # as its metadata spells it
    version: str
    location: str  # the folder it is installed in (site-packages, say)


def normalized(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503): ``Cohesity_SDK`` -> ``cohesity-sdk``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def providers(package: str = PACKAGE) -> List[Installed]:
    """The installed distributions that provide the top-level ``package``, each once, in
    the order of ``sys.path``."""
    found: Dict[Tuple[str, str], Installed] = {}
    for dist in metadata.distributions():
        if _is_build_artifact(dist) or package not in _top_level(dist):
            continue
        name = dist.metadata["Name"] or "?"
        location = str(dist.locate_file(""))
        found.setdefault((normalized(name), location), Installed(name, dist.version, location))
    return list(found.values())


def _is_build_artifact(dist: metadata.Distribution) -> bool:
    """Whether ``dist`` is the ``.egg-info`` a build leaves in a source tree (beside its
    ``setup.py``), which describes the tree rather than anything installed."""
    path = getattr(dist, "_path", None)  # where a PathDistribution's metadata is
    return (isinstance(path, Path) and path.suffix == ".egg-info"
            and (path.parent / "setup.py").is_file())


def _top_level(dist: metadata.Distribution) -> List[str]:
    """The top-level packages ``dist`` installs: its ``top_level.txt``, else the first
    part of the paths its ``RECORD`` lists."""
    text = dist.read_text("top_level.txt")
    if text is not None:
        return text.split()
    names = []
    for path in dist.files or ():
        first = path.parts[0] if path.parts else ""
        if first and first != ".." and not first.endswith((".dist-info", ".egg-info")):
            names.append(first.split(".", 1)[0] if first.endswith(".py") else first)
    return names


def mixed_install_problem(version: str, package: str = PACKAGE) -> Optional[str]:
    """What is wrong with how ``package`` is installed, and how to repair it; ``None``
    when this project's distribution is the only one that provides it (or none does, as
    when running from a clone without installing).

    ``version`` is the version of the code that runs (``cohesity_sdk.__version__``).
    """
    found = providers(package)
    ours = [d for d in found if normalized(d.name) == DISTRIBUTION]
    others = [d for d in found if normalized(d.name) != DISTRIBUTION]
    lines = []
    if others:
        listed = "; ".join(f"{d.name} {d.version} in {d.location}" for d in others)
        lines.append(
            f"a mixed install: besides {DISTRIBUTION}, another distribution installs the "
            f"{package} package ({listed}). Each overwrites files of the other, so neither "
            f"works as it should. {DISTRIBUTION} and the vendor's cohesity-sdk cannot share "
            f"an environment.")
    elif len(ours) > 1:
        places = "; ".join(d.location for d in ours)
        lines.append(f"{DISTRIBUTION} is installed more than once ({places}).")
    elif ours and ours[0].version != version:
        lines.append(
            f"the installed {DISTRIBUTION} says it is {ours[0].version}, but the code that "
            f"runs is {version}: the install is stale or mixed.")
    if not lines:
        return None
    names = " ".join(dict.fromkeys([*(d.name for d in others), DISTRIBUTION]))
    lines.append(
        f"To repair it, remove them all, then install {DISTRIBUTION} again: "
        f"python -m pip uninstall -y {names} && python -m pip install {DISTRIBUTION} "
        f"(or pip install . from its clone). To use the vendor's cohesity-sdk as well, "
        f"give each a virtualenv of its own.")
    return "\n".join(lines)
