"""The package as published: what ``python -m build`` makes of the tree, and its install.

``python -m build`` makes the sdist, then the wheel from the unpacked sdist, so a file the
build reads but the sdist leaves out fails here as it would for a user installing it.
"""

from __future__ import annotations

import configparser
import email
import importlib.util
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Set, Tuple

import pytest
from packaging.requirements import Requirement

import cohesity_sdk

ROOT = Path(__file__).resolve().parent.parent
VERSION = cohesity_sdk.__version__
DIST_INFO = f"cohesity_helios-{VERSION}.dist-info"
SETUP: Dict[str, Any] = runpy.run_path(str(ROOT / "setup.py"), run_name="cohesity_sdk_setup")
absolute_links: Callable[[str, str], str] = SETUP["absolute_links"]
BASE = f"{SETUP['REPOSITORY']}/blob/v{VERSION}/"


def run(command: List[str], **kwargs: Any) -> str:
    """Run ``command``; its output, or a failure that shows it."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{command} exited {done.returncode}:\n{done.stdout[-3000:]}"
                    f"\n{done.stderr[-3000:]}")
    return done.stdout


# --- the PyPI description's links (fast) -------------------------------------------------


@pytest.mark.parametrize(("markdown", "expected"), [
    ("[a](docs/UserApi.md)", f"[a]({BASE}docs/UserApi.md)"),
    ("[a](./docs/a.md#sec)", f"[a]({BASE}docs/a.md#sec)"),
    ("[a](/docs/a.md)", f"[a]({BASE}docs/a.md)"),
    ('[a](docs/a.md "title")', f'[a]({BASE}docs/a.md "title")'),
    ("[a](<docs/a b.md>)", f"[a](<{BASE}docs/a b.md>)"),
    ("[ref]: docs/r.md", f"[ref]: {BASE}docs/r.md"),
    ("[a](#authentication)", "[a](#authentication)"),
    ("[a](https://docs.pydantic.dev)", "[a](https://docs.pydantic.dev)"),
    ("[a](http://example.com/x)", "[a](http://example.com/x)"),
    ("[a](mailto:someone@example.com)", "[a](mailto:someone@example.com)"),
    # Code is left as it is, whatever it looks like.
    ("`[a](docs/a.md)` [b](b.md)", f"`[a](docs/a.md)` [b]({BASE}b.md)"),
    ("``x ` [a](a.md) ``", "``x ` [a](a.md) ``"),
    ("  ```py\n  users[0](x)\n  ```\n[b](b.md)", f"  ```py\n  users[0](x)\n  ```\n[b]({BASE}b.md)"),
    # A lone backtick opens no code span beyond its paragraph.
    ("a ` b\n\n[c](c.md) `d`", f"a ` b\n\n[c]({BASE}c.md) `d`"),
])
def test_relative_links_become_absolute(markdown: str, expected: str) -> None:
    assert absolute_links(markdown, BASE) == expected


def test_readme_links_are_absolute_or_anchors_on_pypi() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/UserApi.md)" in readme  # relative on GitHub...
    description = absolute_links(readme, BASE)
    assert f"]({BASE}docs/UserApi.md)" in description  # ...absolute on PyPI
    assert_links_absolute_or_anchors(description)


def assert_links_absolute_or_anchors(markdown: str) -> None:
    targets = re.findall(r"\]\(([^)\s]+)", markdown)
    assert targets
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#", "mailto:"))]
    assert relative == []


def test_changelog_has_a_section_for_this_version() -> None:
    # Keep a Changelog: the newest section on top, either still unreleased or this version.
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert sections and sections[0] in ("Unreleased", VERSION), sections
    assert "### Added" in changelog


# --- the built distributions ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Path, Path]]:
    """The sdist and the wheel, built as a release is."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (it is in test-requirements.txt)")
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], timeout=300)
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    yield sdist, wheel
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def sdist_files(dists: Tuple[Path, Path]) -> Dict[str, bytes]:
    with tarfile.open(dists[0]) as tar:
        top = f"cohesity_helios-{VERSION}/"
        files = {}
        for member in tar.getmembers():
            assert (member.name + "/").startswith(top), member.name  # one folder, named so
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                files[member.name[len(top):]] = extracted.read()
        return files


@pytest.fixture(scope="module")
def wheel_files(dists: Tuple[Path, Path]) -> Dict[str, bytes]:
    with zipfile.ZipFile(dists[1]) as wheel:
        return {name: wheel.read(name) for name in wheel.namelist()}


@pytest.fixture(scope="module")
def metadata(wheel_files: Dict[str, bytes]) -> Message:
    return email.message_from_bytes(wheel_files[f"{DIST_INFO}/METADATA"])


def package_files() -> Set[str]:
    """The package's own files in the tree."""
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "cohesity_sdk").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.slow
def test_sdist_ships_what_builds_it_and_no_tests(sdist_files: Dict[str, bytes]) -> None:
    names = set(sdist_files)
    for name in ("LICENSE", "README.md", "CHANGELOG.md", "requirements.txt", "pyproject.toml",
                 "setup.py", "MANIFEST.in", "docs/UserApi.md", "examples/quickstart.py"):
        assert name in names, name
    assert sdist_files["LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert package_files() <= names
    # Tests, the generator, the spec and the benchmarks need the repository: none of them.
    left_out = ("test/", "tools/", "spec/", "benchmarks/", ".ci/")
    assert [n for n in names if n.startswith(left_out) or "__pycache__" in n] == []


@pytest.mark.slow
def test_wheel_holds_the_package_and_its_license(wheel_files: Dict[str, bytes]) -> None:
    names = set(wheel_files)
    assert f"{DIST_INFO}/licenses/LICENSE" in names
    assert wheel_files[f"{DIST_INFO}/licenses/LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert "cohesity_sdk/py.typed" in names
    assert {n for n in names if not n.startswith(DIST_INFO + "/")} == package_files()


@pytest.mark.slow
def test_wheel_metadata(metadata: Message, wheel_files: Dict[str, bytes]) -> None:
    assert metadata["Name"] == "cohesity-helios"
    assert metadata["Version"] == VERSION
    assert metadata["Requires-Python"] == ">=3.9"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Author"] == "cohesity-helios contributors"

    # The dependencies are requirements.txt's; the extras add pandas, PyYAML, and for the
    # command line argcomplete and jmespath.
    requirements = [Requirement(line) for line in SETUP["read_requirements"]()]
    assert requirements
    requires = [Requirement(r) for r in metadata.get_all("Requires-Dist")]
    assert sorted(map(str, (r for r in requires if r.marker is None))) == \
        sorted(map(str, requirements))
    assert metadata.get_all("Provides-Extra") == ["pandas", "yaml", "cli"]
    pandas, pyyaml, argcomplete, jmespath = [r for r in requires if r.marker is not None]
    assert (pandas.name, str(pandas.specifier)) == ("pandas", ">=1.5")
    assert pandas.marker.evaluate({"extra": "pandas"})
    assert (pyyaml.name, str(pyyaml.specifier)) == ("PyYAML", ">=5.4")
    assert pyyaml.marker.evaluate({"extra": "yaml"})
    assert not pyyaml.marker.evaluate({"extra": "pandas"})
    assert (argcomplete.name, str(argcomplete.specifier)) == ("argcomplete", ">=3.0")
    assert (jmespath.name, str(jmespath.specifier)) == ("jmespath", ">=1.0")
    for cli in (argcomplete, jmespath):
        assert cli.marker.evaluate({"extra": "cli"})
        assert not cli.marker.evaluate({"extra": "yaml"})

    classifiers = metadata.get_all("Classifier")
    for minor in range(9, 14):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert "Typing :: Typed" in classifiers
    assert "Operating System :: OS Independent" in classifiers

    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Source", "Documentation", "Changelog", "Issues"}
    assert all(u.startswith(SETUP["REPOSITORY"]) for u in urls.values())
    assert set(metadata["Keywords"].split(",")) >= {"cohesity", "helios", "sdk"}

    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel_files[f"{DIST_INFO}/entry_points.txt"].decode())
    assert dict(entry_points["console_scripts"]) == {
        "cohesity-helios": "cohesity_sdk.helios.cli:main"}

    assert metadata["Description-Content-Type"] == "text/markdown"
    description = metadata.get_payload()
    assert isinstance(description, str)
    assert_links_absolute_or_anchors(description)
    assert f"]({BASE}docs/UserApi.md)" in description
    # PyPI says plainly, in the summary and the description, which package this is not.
    assert "not the vendor's cohesity-sdk" in metadata["Summary"]
    assert "cannot share one environment" in " ".join(description.split())


@pytest.mark.slow
def test_twine_accepts_both(dists: Tuple[Path, Path]) -> None:
    if importlib.util.find_spec("twine") is None:
        pytest.skip("the 'twine' package is not installed (it is in test-requirements.txt)")
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)], timeout=120)


SMOKE = """
import json, sys
from importlib import metadata
from pathlib import Path

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.testing import FakeHelios

with FakeHelios() as fake, helios.ApiClient(fake.configuration()) as client:
    users = [u.username for u in helios.UserApi(client).get_users()]
print(json.dumps({
    "version": helios.__version__,
    "file": helios.__file__,
    "py.typed": (Path(helios.__file__).parent.parent / "py.typed").is_file(),
    "license": metadata.metadata("cohesity-helios")["License-Expression"],
    "extras": metadata.metadata("cohesity-helios").get_all("Provides-Extra"),
    "users": users,
}))
"""


@pytest.mark.slow
def test_sdist_installs_and_works_outside_the_tree(dists: Tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # With its dependencies, as a user gets it; the wheel is built from the sdist alone.
    run([str(python), "-m", "pip", "install", "--quiet", str(dists[0])], env=env, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = json.loads(run([str(python), "-c", SMOKE], cwd=elsewhere, env=env, timeout=60))
    assert found["version"] == VERSION
    assert Path(found["file"]).resolve().is_relative_to(venv.resolve())  # not the tree
    assert found["py.typed"] is True
    assert found["license"] == "Apache-2.0"
    assert found["extras"] == ["pandas", "yaml", "cli"]
    assert found["users"] == ["admin"]
    shown = run([str(python), "-m", "pip", "show", "cohesity-helios"], env=env, timeout=60)
    assert "Name: cohesity-helios" in shown.splitlines()
    assert f"Version: {VERSION}" in shown.splitlines()
    script = venv / ("Scripts" if os.name == "nt" else "bin") / "cohesity-helios"
    assert run([str(script), "--version"], cwd=elsewhere, env=env, timeout=60) == \
        f"cohesity-helios {VERSION}\n"  # and no other distribution installs cohesity_sdk
