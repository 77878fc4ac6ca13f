"""The floors of the package hold: the import-linter contract, the longest chain of
imports, no loop but the two deliberate lazy loaders, and the seam low."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import import_graph  # noqa: E402

P = "cohesity_sdk.helios."


def test_the_import_linter_contract_is_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.fail("lint-imports is not installed: pip install -r test-requirements.txt")
    done = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_the_contract_names_every_module_of_the_package() -> None:
    # A module left out of the floors would be held by nothing.
    text = (ROOT / ".importlinter").read_text(encoding="utf-8")
    named = {part.strip() for line in text.splitlines() if not line.startswith(";")
             for part in line.replace(":", "|").split("|")}
    top_level = {name.split(".")[2] for name in import_graph.modules()
                 if name.startswith(P) and name.count(".") >= 2}
    access = {name.split(".")[3] for name in import_graph.modules()
              if name.startswith(P + "access.")}
    assert top_level - named == set()
    assert access - named == set()


def test_the_longest_chain_of_imports_is_at_most_14_modules() -> None:
    edges = import_graph.graph({import_graph.TOP, import_graph.TYPING})
    length, chain = import_graph.longest_chain(edges)
    assert length <= 14, chain


def test_the_only_loops_are_the_deliberate_lazy_loaders() -> None:
    every = import_graph.graph({import_graph.TOP, import_graph.INSIDE, import_graph.TYPING})
    on_purpose = import_graph.deliberate()
    assert on_purpose == {(P + "model_base", P + "models"),
                          (P + "model_display", P + "display")}
    assert import_graph.loops(import_graph.without(every, on_purpose)) == []
    for importer, imported in on_purpose:
        assert imported in every[importer]  # each still there, and said why in place
        source = (ROOT / (importer.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert "deliberate" in source


def test_the_transport_seam_stands_on_floor_2_and_constants_on_the_ground() -> None:
    every = import_graph.graph({import_graph.TOP, import_graph.INSIDE, import_graph.TYPING})
    floors = import_graph.floors(every)
    assert floors[P + "transport"] <= 2
    assert floors[P + "constants"] == 0


def test_credentials_know_neither_the_client_nor_the_pipeline() -> None:
    every = import_graph.graph({import_graph.TOP, import_graph.INSIDE, import_graph.TYPING})
    assert not {P + "api_client", P + "pipeline"} & set(every[P + "auth"])
    assert not {P + "api_client", P + "pipeline"} & set(every[P + "transport"])
