"""Options that take one value, given once: ``--parallel 2 --parallel 3`` is refused,
never silently the last. Imports only ``argparse``.

An option of the common ones may be given before the command or after it (``--host A
get-users``); both count, because argparse parses a subcommand's options into a
namespace of their own. ``OnceParser``, the parser at the top, keeps what a parse has
seen where ``Once`` finds it, across the subcommand.
"""

from __future__ import annotations

import argparse
import threading
from typing import Any, List, Optional, Sequence, Set, Tuple

__all__ = ["INT64", "Once", "OnceBoolean", "OnceParser", "flag", "int64"]

INT64 = (-(2**63), 2**63 - 1)

_parse = threading.local()


def _seen(namespace: argparse.Namespace) -> Set[str]:
    seen: Optional[Set[str]] = getattr(_parse, "seen", None)
    if seen is None:  # a parser used on its own: what this namespace saw
        seen = namespace.__dict__.setdefault("_once_seen", set())
    return seen


def _given(action: argparse.Action, parser: argparse.ArgumentParser,
           namespace: argparse.Namespace, option_string: Optional[str]) -> None:
    seen = _seen(namespace)
    if action.dest in seen:
        shown = "/".join(action.option_strings)
        parser.error(f"argument {shown}: given twice; give it once")
    seen.add(action.dest)


class Once(argparse._StoreAction):
    """``store``, refusing a second value."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: Optional[str] = None) -> None:
        _given(self, parser, namespace, option_string)
        super().__call__(parser, namespace, values, option_string)


class OnceBoolean(argparse.BooleanOptionalAction):
    """``--flag``/``--no-flag``, refusing both or either twice."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: Optional[str] = None) -> None:
        _given(self, parser, namespace, option_string)
        super().__call__(parser, namespace, values, option_string)


class OnceParser(argparse.ArgumentParser):
    """The parser at the top: one set of the options seen per parse, shared with the
    subcommands' parsers."""

    def parse_known_args(  # type: ignore[override]
        self, args: Optional[Sequence[str]] = None,
        namespace: Optional[argparse.Namespace] = None,
    ) -> Tuple[argparse.Namespace, List[str]]:
        outer = getattr(_parse, "seen", None)
        _parse.seen = set() if outer is None else outer
        try:
            parsed, rest = super().parse_known_args(args, namespace)
        finally:
            _parse.seen = outer
        parsed.__dict__.pop("_once_seen", None)
        return parsed, rest


def flag(name: str) -> str:
    """The option of a parameter or setting: ``all_sessions`` -> ``--all-sessions``."""
    return "--" + name.replace("_", "-")


def int64(text: str) -> int:
    """An integer option's value: what the API's int64 holds."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not INT64[0] <= value <= INT64[1]:
        raise argparse.ArgumentTypeError(f"{text} is out of the int64 range")
    return value


#: The units of a duration, in seconds: ``90d``, ``12h``, ``2w``, ``30m``, ``45s``.
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration(text: str) -> int:
    """A duration such as ``90d``, ``12h`` or ``2w``, in seconds (more than 0)."""
    import re

    found = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text.lower())
    if found is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration: {text!r}; give a number and a unit: s, m (minutes), h, d "
            "or w, such as 90d, 12h or 2w")
    seconds = int(found.group(1)) * DURATION_UNITS[found.group(2)]
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the duration should be more than 0")
    return seconds
