"""The package's identity as a newcomer meets it: its distribution name, the README's
first commands, and ``cohesity-helios --version`` finding a mixed install.

A mixed install is made for real, as pip leaves one: another distribution's
``.dist-info`` folder that lists ``cohesity_sdk`` as its package, in a folder on the
interpreter's path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest
from conftest import modules_loaded_by

import cohesity_sdk

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def env_with(path: Optional[Path] = None) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(path), env.get("PYTHONPATH")) if p)
    return env


def version(env: Dict[str, str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "cohesity_sdk.helios", "--version"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def dist_info(folder: Path, name: str, version: str, top_level: Optional[str] = "cohesity_sdk",
              files: str = "") -> None:
    """A distribution's metadata as pip installs it into ``folder``."""
    info = folder / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    if top_level is not None:
        (info / "top_level.txt").write_text(top_level + "\n", encoding="utf-8")
    (info / "RECORD").write_text(files + f"{info.name}/METADATA,,\n", encoding="utf-8")


def test_version_of_a_clean_install_says_nothing_more() -> None:
    done = version(env_with())
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"cohesity-helios {cohesity_sdk.__version__}\n"
    assert done.stderr == ""


def test_version_reports_the_vendors_sdk_beside_it_and_how_to_repair(tmp_path: Path) -> None:
    dist_info(tmp_path, "cohesity-sdk", "1.4.0")
    done = version(env_with(tmp_path))
    assert done.returncode == 1
    assert done.stdout == f"cohesity-helios {cohesity_sdk.__version__}\n"
    text = " ".join(done.stderr.split())
    assert "mixed install" in text
    assert f"cohesity-sdk 1.4.0 in {tmp_path}" in text
    assert ("python -m pip uninstall -y cohesity-sdk cohesity-helios && "
            "python -m pip install cohesity-helios") in text
    assert "virtualenv of its own" in text


def test_a_distribution_without_top_level_is_found_by_its_files(tmp_path: Path) -> None:
    dist_info(tmp_path, "Cohesity_SDK", "1.3.1", top_level=None,
              files="cohesity_sdk/__init__.py,,\ncohesity_sdk/helios/__init__.py,,\n")
    dist_info(tmp_path, "unrelated", "2.0", top_level="unrelated")
    # The files it lists are there (importlib.metadata skips missing ones), in a folder
    # on the path after this package's, which is the one imported.
    for name in ("cohesity_sdk/__init__.py", "cohesity_sdk/helios/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("raise ImportError('the other one')\n", encoding="utf-8")
    code = (f"import sys; sys.path.append({str(tmp_path)!r})\n"
            "from cohesity_sdk.helios.cli import main\n"
            "sys.exit(main(['--version']))")
    done = subprocess.run([sys.executable, "-c", code], env=env_with(), capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert "Cohesity_SDK 1.3.1" in done.stderr
    assert "unrelated" not in done.stderr


def test_version_check_stays_off_the_import_path() -> None:
    code = "import cohesity_sdk.helios as h; h.UserApi; h.Configuration; h.ApiClient"
    assert modules_loaded_by(code, "cohesity_sdk.helios.installation",
                             "importlib.metadata") == []
    code = ("from cohesity_sdk.helios.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert modules_loaded_by(code, "cohesity_sdk.helios.installation") == []


# -- the README -----------------------------------------------------------------------


def test_the_readme_starts_with_the_two_commands_of_a_fresh_clone() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert first_block.group(1).splitlines() == [
        "pip install . && python examples/quickstart.py",
        "pip install -r test-requirements.txt -e . && pytest",
    ]
    # Before any other section, and before any mention of an install from PyPI.
    assert first_block.start() < README.index("\n## ")
    assert first_block.start() < README.index("pip install cohesity-helios")


def test_the_readme_says_plainly_that_the_vendors_sdk_cannot_share_an_environment() -> None:
    text = " ".join(README.split())
    assert "both install the `cohesity_sdk` package" in text
    assert "cannot share one environment" in text
    assert "breaks both" in text
    assert "cohesity-helios --version" in text


def test_no_install_line_names_the_vendors_distribution() -> None:
    sources = sorted((ROOT / "cohesity_sdk").rglob("*.py"))
    for path in [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md")),
                 *sources, ROOT / ".ci" / "run", ROOT / "setup.py"]:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            assert not re.search(r"pip (?:install|show)(?: -\S+)* ['\"]?cohesity-sdk\b",
                                 line), (path, line)


@pytest.mark.parametrize("extra_line", ["pip install 'cohesity-helios[pandas]'"])
def test_the_readme_names_the_extra_under_the_new_name(extra_line: str) -> None:
    assert extra_line in README
