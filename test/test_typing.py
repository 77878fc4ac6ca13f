"""What type checkers say of code written against the SDK: mypy --strict and basedpyright
(strict), both without a pydantic plugin, over the user-style files of ``test/typing/``.

- ``pass/``: each must type-check without an error: the README's examples (kept equal to
  the README here), a reference doc example, and code a new user writes first.
- ``fail/``: each line marked ``# E: <mypy code> <pyright rule>`` must raise those errors,
  and no other line may raise any (``a|b``: either; mypy's codes moved between versions).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
import urllib3

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "test" / "typing"
PASS = sorted((TYPING / "pass").glob("*.py"))
FAIL = sorted((TYPING / "fail").glob("*.py"))

#: (file name, line) -> the error codes a checker raised there.
Found = Dict[Tuple[str, int], Set[str]]
#: (file name, line) -> for each error the line must raise, the codes that would do.
Expected = Dict[Tuple[str, int], List[Set[str]]]


def python_blocks(path: Path) -> List[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def run_mypy(files: List[Path], tmp_path: Path) -> Found:
    result = subprocess.run(
        # The SDK's own files are judged by its own mypy run: here only what they give.
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--follow-imports=silent", "--cache-dir", str(tmp_path / ".mypy_cache"),
         *map(str, files)],
        capture_output=True, text=True, cwd=ROOT,
        # The package as a user has it installed; an editable install hides it from mypy.
        env={"MYPYPATH": str(ROOT), "PATH": "", "PYTHONPATH": ""},
    )
    found: Found = {}
    for line in result.stdout.splitlines():
        match = re.match(r"(.+?):(\d+): error: .*\[([a-z-]+)\]$", line)
        if match:
            key = (Path(match.group(1)).name, int(match.group(2)))
            found.setdefault(key, set()).add(match.group(3))
        else:
            assert ": note: " in line, line
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return found


def run_pyright(files: List[Path], tmp_path: Path) -> Found:
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({
        "typeCheckingMode": "strict",
        "pythonVersion": "3.9",
        "extraPaths": [str(ROOT)],
        "reportMissingModuleSource": False,
    }))
    result = subprocess.run(
        [sys.executable, "-m", "basedpyright", "--outputjson", "--project", str(config),
         "--pythonpath", sys.executable, *map(str, files)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    found: Found = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] != "error":
            continue
        key = (Path(diagnostic["file"]).name, diagnostic["range"]["start"]["line"] + 1)
        found.setdefault(key, set()).add(diagnostic.get("rule", "error"))
    return found


CHECKERS = {"mypy": run_mypy, "pyright": run_pyright}

# urllib3 1.26 carries no types, so the raw responses the user files read are unknown.
typed_urllib3 = pytest.mark.skipif(
    not urllib3.__version__.startswith("2"), reason="urllib3 before 2 has no type information")


def test_there_are_files_of_both_kinds() -> None:
    assert len(PASS) >= 5 and FAIL


def test_the_readme_examples_are_the_ones_checked() -> None:
    blocks = python_blocks(ROOT / "README.md")
    checked = [p.read_text(encoding="utf-8") for p in PASS if p.name.startswith("readme_")]
    assert checked == blocks


def test_the_reference_doc_example_is_the_one_checked() -> None:
    text = (ROOT / "docs" / "UserApi.md").read_text(encoding="utf-8")
    section = text.split("# **create_users**", 1)[1]
    assert python_blocks_of(section)[0] == (TYPING / "pass" / "docs_create_users.py").read_text(
        encoding="utf-8")


def python_blocks_of(text: str) -> List[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


@typed_urllib3
@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_the_pass_files_type_check(checker: str, tmp_path: Path) -> None:
    found = CHECKERS[checker](PASS, tmp_path)
    assert found == {}


def expected_errors(path: Path, checker: str) -> Expected:
    expected: Expected = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.search(r"# E: (\S+) (\S+)$", line)
        if match:
            codes = match.group(1) if checker == "mypy" else match.group(2)
            expected[(path.name, number)] = [set(codes.split("|"))]
    return expected


@typed_urllib3
@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_the_fail_files_raise_the_marked_errors_and_no_others(
    checker: str, tmp_path: Path
) -> None:
    found = CHECKERS[checker](FAIL, tmp_path)
    expected: Expected = {}
    for path in FAIL:
        expected.update(expected_errors(path, checker))
    assert expected, "no line is marked"
    # Each marked line raises its error (a checker may add a consequence or two there)...
    missing = {key: errors for key, errors in expected.items()
               if not all(codes & found.get(key, set()) for codes in errors)}
    assert missing == {}
    # ...and no other line raises anything.
    assert {key: codes for key, codes in found.items() if key not in expected} == {}
