"""The models' runtime, one concept per module, imported one way.

``wire`` (what fields declare), ``request_rules`` (what a request must keep), ``encoder``
(the bytes of a body), ``redaction`` (secrets masked), ``model_display`` (the way to the
notebook display) and ``model_base`` (the models' base, which uses them all). None of
them imports ``model_base`` at run time, nor does any import ``display``: that one is
loaded on first display (test_package.py checks that calls and decoding never load it).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cohesity_sdk" / "helios"
MODULES = ["wire", "request_rules", "encoder", "redaction", "model_display", "model_base"]


def runtime_imports(module: str) -> Set[str]:
    """The ``cohesity_sdk.helios`` modules ``module`` imports when it is imported: its
    top-level imports, less those under ``if TYPE_CHECKING:`` (imports inside functions
    run later, on use)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: Set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if isinstance(node, (ast.Import, ast.ImportFrom)) else []:
            if isinstance(inner, ast.ImportFrom) and inner.module:
                names = [inner.module] + [f"{inner.module}.{a.name}" for a in inner.names]
            elif isinstance(inner, ast.Import):
                names = [a.name for a in inner.names]
            else:
                continue
            found |= {name.split(".")[2] for name in names
                      if name.startswith("cohesity_sdk.helios.") and name.count(".") >= 2}
    return found - {module}


def test_the_model_modules_import_one_way() -> None:
    graph: Dict[str, Set[str]] = {m: runtime_imports(m) & set(MODULES) for m in MODULES}
    assert graph["model_base"] == set(MODULES) - {"model_base"}
    assert graph["encoder"] == {"request_rules"} and graph["request_rules"] == {"wire"}
    assert graph["wire"] == graph["redaction"] == graph["model_display"] == set()
    # In the order above, each imports only modules before it: no loop.
    for position, module in enumerate(MODULES):
        assert graph[module] <= set(MODULES[:position]), module
    for module in MODULES:
        assert "display" not in runtime_imports(module), module


@pytest.mark.parametrize("module", MODULES)
def test_each_can_be_imported_first(module: str) -> None:
    # An import loop fails for one order or another: each one first, in a fresh process.
    code = (f"import cohesity_sdk.helios.{module}, sys\n"
            "print('cohesity_sdk.helios.display' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False"]

