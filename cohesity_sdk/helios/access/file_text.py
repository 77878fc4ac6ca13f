"""The text of an access file: JSON or YAML read as plain data, and plain data written
as YAML. A key given twice in one mapping is refused, not kept twice or overwritten.

PyYAML is an optional dependency (the ``yaml`` extra): it is imported only when a YAML
file is read or written. JSON needs nothing.
"""

from __future__ import annotations

import importlib
import json
from typing import Any, Dict, List, Tuple

from cohesity_sdk.helios.access.errors import AccessFileError, YamlMissingError

__all__ = ["dump_yaml", "parse_json", "parse_yaml", "yaml_loader", "yaml_module"]


def parse_json(text: str, source: str) -> Any:
    """JSON ``text``; a key given twice in an object is refused."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        # The position, never the text: it may hold a secret.
        raise AccessFileError(source, [("", f"is not JSON: {exc.msg} at line {exc.lineno}, "
                                            f"column {exc.colno}")]) from None
    except _DuplicateKey as exc:
        raise AccessFileError(source, [("", str(exc))]) from None


def parse_yaml(text: str, source: str) -> Any:
    """YAML ``text`` as plain data, never Python objects: composed by PyYAML's safe
    loader (its C one when PyYAML has libyaml), then built here. A key given twice in
    one mapping is refused, with the line of each."""
    yaml = yaml_module(source)
    loader = yaml_loader(yaml)(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(yaml, loader)
        data = None if node is None else builder.build(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "cannot be read"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise AccessFileError(source, [("", f"is not YAML: {problem}{where}")]) from None
    except RecursionError:
        raise AccessFileError(source, [("", "is not plain data: it is nested too deep, or "
                                            "an alias holds itself")]) from None
    finally:
        loader.dispose()
    if builder.duplicates:
        raise AccessFileError(source, [
            ("", f"line {line}: the key {key!r} is given twice in one mapping (first at "
                 f"line {first}); YAML would keep the last one only")
            for key, first, line in builder.duplicates])
    return data


def yaml_loader(yaml: Any) -> Any:
    """PyYAML's safe loader: the C one (libyaml's parser) when PyYAML was built with it,
    several times faster, else the pure-Python one. Both make only plain data."""
    return getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


class _Builder:
    """Plain data from composed YAML nodes, as ``yaml.safe_load`` makes it, noting the
    keys a mapping gives twice instead of keeping the last. Strings, lists and mappings
    are made here; other scalars (numbers, booleans, null, dates) and other tags by
    PyYAML's safe constructor (which refuses Python's), and mappings with a merge
    (``<<``) are flattened by it first."""

    STR = "tag:yaml.org,2002:str"
    SEQ = "tag:yaml.org,2002:seq"
    MAP = "tag:yaml.org,2002:map"
    MERGE = "tag:yaml.org,2002:merge"

    def __init__(self, yaml: Any, loader: Any) -> None:
        self.yaml = yaml
        self.loader = loader
        self.made: Dict[int, Any] = {}  # by node: an alias is the same object
        self.duplicates: List[Tuple[Any, int, int]] = []

    def build(self, node: Any) -> Any:
        kind = type(node)
        if kind is self.yaml.ScalarNode:
            return node.value if node.tag == self.STR else \
                self.loader.construct_object(node, deep=True)
        made = self.made.get(id(node))
        if made is not None:
            return made
        if node.tag not in (self.SEQ, self.MAP):  # another tag: PyYAML's to make, or refuse
            return self.loader.construct_object(node, deep=True)
        if kind is self.yaml.SequenceNode:
            items: List[Any] = []
            self.made[id(node)] = items
            items.extend(self.build(item) for item in node.value)
            return items
        mapping: Dict[Any, Any] = {}
        self.made[id(node)] = mapping
        pairs = node.value
        if any(key.tag == self.MERGE for key, _ in pairs):
            self._check_keys([(k, v) for k, v in pairs if k.tag != self.MERGE])
            self.loader.flatten_mapping(node)  # merged keys first, then the node's own
            pairs = node.value
            for key_node, value_node in pairs:
                mapping[self._key(key_node)] = self.build(value_node)
            return mapping
        lines: Dict[Any, int] = {}
        for key_node, value_node in pairs:
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in mapping:
                self.duplicates.append((key, lines[key], line))
            else:
                lines[key] = line
            mapping[key] = self.build(value_node)
        return mapping

    def _check_keys(self, pairs: List[Tuple[Any, Any]]) -> None:
        lines: Dict[Any, int] = {}
        for key_node, _ in pairs:
            key = self._key(key_node)
            line = key_node.start_mark.line + 1
            if key in lines:
                self.duplicates.append((key, lines[key], line))
            else:
                lines[key] = line

    def _key(self, node: Any) -> Any:
        key = self.build(node)
        try:
            hash(key)
        except TypeError:
            raise self.yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key",
                node.start_mark) from None
        return key


def yaml_module(source: str) -> Any:
    """PyYAML, or ``YamlMissingError`` naming the extra that brings it."""
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise YamlMissingError(source) from None


def dump_yaml(data: Any) -> str:
    """``data`` as YAML: mappings as blocks, lists of plain values on one line."""
    yaml = yaml_module("YAML output")

    class Dumper(yaml.SafeDumper):  # type: ignore[name-defined,misc]
        pass

    def sequence(dumper: Any, items: List[Any]) -> Any:
        flat = all(not isinstance(item, (dict, list)) for item in items)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)

    Dumper.add_representer(list, sequence)
    text: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=88)
    return text


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"the key {key!r} is given twice in one object")
        out[key] = value
    return out
