"""The import graph of ``cohesity_sdk``: its loops and its longest chain of imports.

    python tools/import_graph.py              # loops and the longest chains
    python tools/import_graph.py --module M   # what M imports, and what imports it

Every import of the package's own modules is read from the source (nothing is run):
those at the top of a module (run when it is imported), those inside a function (run
when it is called) and those under ``if TYPE_CHECKING:`` (read by type checkers only).
A loop is a strongly connected set of modules; the longest chain is the longest path
of imports once each loop is counted as its modules (the graph of loops is acyclic).
``--runtime`` leaves out the ``TYPE_CHECKING`` imports, ``--import-time`` also those
inside functions, ``--declared`` those inside functions only.

The loops the floors allow on purpose (the lazy loaders of the models' floor) are the
``ignore_imports`` of ``.importlinter``; each loop found is said to be one of them, or
not.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "cohesity_sdk"

TOP, INSIDE, TYPING = "top", "function", "typing"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> Dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: Set[str]) -> None:
        self.module = module
        self.package = module if is_package else module.rsplit(".", 1)[0]
        self.known = known
        self.found: Dict[str, str] = {}  # imported module -> the strongest kind
        self.kind = [TOP]

    def _add(self, name: str) -> None:
        while name and name not in self.known:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        if not name or name == self.module:
            return
        kind = self.kind[-1]
        rank = {TOP: 0, INSIDE: 1, TYPING: 2}
        if name not in self.found or rank[kind] < rank[self.found[name]]:
            self.found[name] = kind

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        typing = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
        if typing:
            self.kind.append(TYPING)
            for child in node.body:
                self.visit(child)
            self.kind.pop()
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _function(self, node: ast.AST) -> None:
        self.kind.append(INSIDE if self.kind[-1] != TYPING else TYPING)
        self.generic_visit(node)
        self.kind.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith(PACKAGE):
                self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[:len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if not target.startswith(PACKAGE):
            return
        for alias in node.names:
            full = f"{target}.{alias.name}"
            self._add(full if full in self.known else target)


def graph(kinds: Set[str]) -> Dict[str, Dict[str, str]]:
    found = modules()
    known = set(found)
    edges: Dict[str, Dict[str, str]] = {}
    for name, path in found.items():
        visitor = _Imports(name, path.name == "__init__.py", known)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        edges[name] = {m: k for m, k in visitor.found.items() if k in kinds}
    return edges


def deliberate() -> Set[Tuple[str, str]]:
    """The imports ``.importlinter`` lets go upward on purpose: ``(importer, imported)``."""
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(ROOT / ".importlinter", encoding="utf-8")
    found: Set[Tuple[str, str]] = set()
    for section in config.sections():
        for line in config[section].get("ignore_imports", "").splitlines():
            if "->" in line:
                importer, imported = (part.strip() for part in line.split("->"))
                found.add((importer, imported))
    return found


def without(edges: Dict[str, Dict[str, str]],
            left_out: Set[Tuple[str, str]]) -> Dict[str, Dict[str, str]]:
    """``edges`` without the imports ``left_out``."""
    return {m: {t: k for t, k in targets.items() if (m, t) not in left_out}
            for m, targets in edges.items()}


def loops(edges: Dict[str, Dict[str, str]]) -> List[List[str]]:
    """The strongly connected sets of more than one module (Tarjan's algorithm)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on: Set[str] = set()
    found: List[List[str]] = []
    sys.setrecursionlimit(10000)

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def longest_chain(edges: Dict[str, Dict[str, str]]) -> Tuple[int, List[str]]:
    """The longest chain of imports: its length in modules, and one such chain (a loop
    on it counted as all its modules)."""
    groups = loops(edges)
    group_of = {m: i for i, g in enumerate(groups) for m in g}

    def node(m: str) -> str:
        return f"loop{group_of[m]}" if m in group_of else m

    members: Dict[str, List[str]] = {}
    for m in edges:
        members.setdefault(node(m), []).append(m)
    dag: Dict[str, Set[str]] = {n: set() for n in members}
    for m, targets in edges.items():
        for t in targets:
            if node(t) != node(m):
                dag[node(m)].add(node(t))
    best: Dict[str, Tuple[int, List[str]]] = {}

    def walk(n: str) -> Tuple[int, List[str]]:
        if n in best:
            return best[n]
        size = len(members[n])
        tail: Tuple[int, List[str]] = (0, [])
        for nxt in dag[n]:
            found = walk(nxt)
            if found[0] > tail[0]:
                tail = found
        named = sorted(members[n]) if size > 1 else members[n]
        best[n] = (size + tail[0], [" + ".join(named)] + tail[1])
        return best[n]

    return max((walk(n) for n in dag), key=lambda found: found[0])


def floors(edges: Dict[str, Dict[str, str]]) -> Dict[str, int]:
    """Each module's floor: 0 for one that imports nothing of the package, else one more
    than the highest floor it imports (a loop shares one floor)."""
    groups = loops(edges)
    group_of = {m: i for i, g in enumerate(groups) for m in g}
    found: Dict[str, int] = {}

    def floor(m: str, seen: Tuple[str, ...] = ()) -> int:
        if m in found:
            return found[m]
        below = [t for t in edges[m] if t not in seen
                 and not (m in group_of and group_of.get(t) == group_of[m])]
        value = 1 + max((floor(t, seen + (m,)) for t in below), default=-1)
        found[m] = value
        return value

    for m in edges:
        floor(m)
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--runtime", action="store_true",
                       help="leave out the imports under TYPE_CHECKING")
    which.add_argument("--import-time", action="store_true",
                       help="only the imports run when a module is imported")
    which.add_argument("--declared", action="store_true",
                       help="the imports at the top of modules and under TYPE_CHECKING, "
                            "not those inside functions")
    parser.add_argument("--module", help="what this module imports, and what imports it")
    args = parser.parse_args(argv)
    kinds = ({TOP} if args.import_time else {TOP, INSIDE} if args.runtime else
             {TOP, TYPING} if args.declared else {TOP, INSIDE, TYPING})
    edges = graph(kinds)
    if args.module:
        print(f"{args.module} imports:")
        for target, kind in sorted(edges.get(args.module, {}).items()):
            print(f"  {target} ({kind})")
        print("imported by:")
        for source, targets in sorted(edges.items()):
            if args.module in targets:
                print(f"  {source} ({targets[args.module]})")
        print(f"floor {floors(edges)[args.module]}")
        return 0
    found = loops(edges)
    on_purpose = deliberate()
    print(f"{len(found)} loop(s):")
    for group in found:
        members = set(group)
        through = sorted(f"{m} -> {t}" for m, t in on_purpose if m in members and t in members)
        kept = loops(without({m: edges[m] for m in group}, on_purpose))
        why = (f"deliberate: through {', '.join(through)}" if through and not kept
               else "NOT deliberate")
        print(f"  {why}: {', '.join(group)}")
    length, chain = longest_chain(edges)
    print(f"the longest chain of imports: {length} modules")
    for step in chain:
        print(f"  {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
