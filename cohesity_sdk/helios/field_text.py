"""How a field reads to a person: its header in words and its value as text.

The one place that decides it for every table a person reads: the command line's
``-o table``, the notebook's tables (``_repr_html_``, ``_repr_pretty_``) and ``str()`` of
a model or a list result. What programs read keeps its own form: the keys of
``to_records()`` and ``display.cell_text`` (``-o csv``), and the API's JSON (``-o json``).

A header is the field's name in words, by rule rather than by a list of every field:

- the last part of a dotted key (``local_user_params.email`` -> "Email");
- underscores and camelCase split into words, the first one capitalized
  (``force_password_change`` -> "Force password change", ``phoneNumber`` -> "Phone
  number");
- a leading ``is`` and a trailing ``params`` left out (``is_active`` -> "Active",
  ``local_user_params`` -> "Local user");
- abbreviations in capitals (``sid`` -> "SID", ``id`` -> "ID", ``s3`` -> "S3", ``api`` ->
  "API": ``ABBREVIATIONS``);
- a time (``*_time_msecs``) without its unit (``last_login_time_msecs`` -> "Last login",
  ``created_time_msecs`` -> "Created"), a few in words of their own (``expiry_time_msecs``
  -> "Expires": ``TIMES``);
- a few keys named outright (``NAMED``): a group's ``local_group_params.user_sids`` are
  its "Members".

Where two columns of one table would read the same, a nested one is told apart by its
parent's words (``local_user_params.primary_group`` -> "Local user primary group").

A value reads as: nothing for none, ``yes`` or ``no`` for a boolean, a date as ISO-8601 UTC
(``2026-11-28T10:15:00Z``, with milliseconds when it has them), a list of plain values
joined with ``", "`` (``(none)`` when it is empty), an enum by its value, anything nested
as JSON. A secret never reaches this module: the rows a display shows hold ``***`` in its
place (``display``).

Importing this module imports nothing else of the SDK's.
"""

from __future__ import annotations

import enum
import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

ELLIPSIS = "…"
#: How an empty list reads.
EMPTY_LIST = "(none)"

#: Words written in capitals (or as their owners write them).
ABBREVIATIONS: Mapping[str, str] = {
    "id": "ID", "ids": "IDs", "sid": "SID", "sids": "SIDs", "s3": "S3", "api": "API",
    "smb": "SMB", "otp": "OTP", "mcm": "MCM", "mfa": "MFA", "ad": "AD", "idp": "IdP",
    "url": "URL", "ip": "IP",
}
#: Times (``*_time_msecs``, without the unit) that read better in words of their own.
TIMES: Mapping[str, str] = {
    "expiry": "expires",
    "expired": "expires",
    "effective": "effective from",
}
#: Keys whose words are not in their names.
NAMED: Mapping[str, str] = {
    "local_group_params.user_sids": "Members",
}

_TIME_UNIT = ["time", "msecs"]
# A camelCase boundary: "phoneNumber", "HTTPStatus", "s3AccessKeyId".
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[_\s]+")


# -- headers ---------------------------------------------------------------------------


def header(key: str) -> str:
    """The header of the column (or the name of the field) ``key``, in words:
    ``last_login_time_msecs`` -> "Last login", ``local_user_params.email`` -> "Email"."""
    named = NAMED.get(key)
    if named is not None:
        return named
    return _sentence(_words(key.rsplit(".", 1)[-1], own=True))


def headers(keys: Sequence[str]) -> List[str]:
    """The headers of the columns ``keys`` of one table, each as ``header`` has it; where
    two would read the same, a nested one is told apart by its parent's words, and if
    that is not enough either, the words of the whole key, without ``TIMES``, are its
    header (``expiry_time_msecs`` beside ``expired_time_msecs``: "Expiry", "Expired")."""
    found = [header(key) for key in keys]
    for attempt in (_qualified, _whole):
        seen: Dict[str, List[int]] = {}
        for i, text in enumerate(found):
            seen.setdefault(text.lower(), []).append(i)
        clashes = [i for same in seen.values() if len(same) > 1 for i in same]
        if not clashes:
            break
        for i in clashes:
            found[i] = attempt(keys[i], found[i])
    return found


def _qualified(key: str, text: str) -> str:
    if "." not in key:
        return text
    parent = key.rsplit(".", 2)[-2]
    return _sentence(_words(parent, own=False) + _words(text, own=False))


def _whole(key: str, text: str) -> str:
    *parents, own = key.split(".")
    words = [word for part in parents for word in _words(part, own=False)]
    return _sentence(words + _words(own, own=True, times=False))


def _words(name: str, own: bool, times: bool = True) -> List[str]:
    """The words of one name, lower case but for abbreviations; ``own`` (the field's own
    name rather than a parent's) applies the rules of times (``times``: with the words
    of ``TIMES``) and of ``is``."""
    words = [_word(w) for w in _SEPARATORS.split(_CAMEL.sub(" ", name)) if w]
    if not words:
        return [name]
    if own and len(words) > len(_TIME_UNIT) and [w.lower() for w in words[-2:]] == _TIME_UNIT:
        words = words[:-2]
        when = TIMES.get(" ".join(words).lower()) if times else None
        if when is not None:
            words = when.split()
    if own and len(words) > 1 and words[0] == "is":
        words = words[1:]
    if len(words) > 1 and words[-1] == "params":
        words = words[:-1]
    return [ABBREVIATIONS.get(w, w) for w in words]


def _word(word: str) -> str:
    # "Number" of "phoneNumber" is a word like any other; "HTTP" stays as it is.
    return word.lower() if word[:1].isupper() and word[1:].islower() or word.islower() else word


def _sentence(words: List[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# -- values ----------------------------------------------------------------------------


def value_text(value: Any, items: Optional[int] = None) -> str:
    """How a value reads in a table: see the module's text. With ``items``, a longer list
    shows its first ``items`` and a count of the rest (``… 70 more``)."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return EMPTY_LIST
        shown = value if items is None else value[:items]
        if any(isinstance(v, (dict, list, tuple)) for v in shown):
            text = json.dumps(list(shown), ensure_ascii=False, default=_json_default)
        else:
            text = ", ".join(map(value_text, shown))
        if len(shown) < len(value):
            text += f" {ELLIPSIS} {len(value) - len(shown)} more"
        return text
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)


def iso(moment: datetime) -> str:
    """``moment`` as ISO-8601 UTC: ``2026-11-28T10:15:00Z``, with milliseconds (or
    microseconds) when it has them; a naive one is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    micros = moment.microsecond
    precision = "seconds" if not micros else "milliseconds" if not micros % 1000 else "auto"
    return moment.isoformat(timespec=precision) + "Z"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


# -- tables ----------------------------------------------------------------------------


def table_lines(columns: Sequence[str], rows: Iterable[Mapping[str, Any]],
                width: Optional[int] = None, items: Optional[int] = None) -> List[str]:
    """``rows`` as aligned lines under a header in words: the values of ``columns``, each
    cell at most ``width`` characters (with ``items``, as ``value_text`` has it)."""
    if not columns:
        return []
    cells = [[one_line(value_text(row.get(c), items), width) for c in columns] for row in rows]
    return aligned([headers(columns), *cells])


def field_lines(row: Mapping[str, Any], width: Optional[int] = None,
                items: Optional[int] = None, indent: str = "") -> List[str]:
    """One item's row as a line for each field that holds a value: its header in words,
    then its value."""
    shown = {key: value for key, value in row.items() if value is not None}
    names = headers(list(shown))
    return [indent + line for line in aligned(
        [[name, one_line(value_text(value, items), width)]
         for name, value in zip(names, shown.values())])]


def table(rows: Sequence[Mapping[str, Any]], columns: Optional[Sequence[str]] = None,
          limit: Optional[int] = None) -> str:
    """Rows of your own (``to_records()``, ``display.records(...)``, or any dicts) as the
    displays show a table: a header in words over aligned columns, the keys of the rows
    (or ``columns``) in order; with ``limit``, the first ``limit`` rows and a line
    counting the rest."""
    columns = list(columns or dict.fromkeys(key for row in rows for key in row))
    shown = rows if limit is None else rows[:limit]
    lines = table_lines(columns, shown)
    if len(shown) < len(rows):
        lines.append(more(len(shown), len(rows), "rows"))
    return "\n".join(lines)


def more(shown: int, total: int, noun: str) -> str:
    """The line under a table cut short: ``… 51 more (101 users)``."""
    return f"{ELLIPSIS} {total - shown} more ({total} {noun})"


def aligned(lines: Sequence[Sequence[str]]) -> List[str]:
    """Lines of cells in left-aligned columns two spaces apart, without trailing space."""
    if not lines:
        return []
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
            for line in lines]


def one_line(text: str, width: Optional[int] = None) -> str:
    """``text`` on one line (a line break inside a cell would break a table's rows
    apart), cut to ``width`` with ``…``."""
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if width is None or len(text) <= width else text[:width - 1] + ELLIPSIS
