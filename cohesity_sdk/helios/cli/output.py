"""What a command prints: the API's answer as JSON, its rows as CSV or tab-separated
text, a table in words; or what a JMESPath query (``--query``) makes of the JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, TextIO

from cohesity_sdk.helios.cli.failures import UsageError

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_response import ApiResponse

OUTPUTS = ("json", "table", "csv", "text")
#: The column of a group's members: SIDs, shown by username in a table.
MEMBERS = "local_group_params.user_sids"
#: The extra that brings what ``--query`` and completion need.
CLI_EXTRA = "cli"


def compile_query(expression: str) -> Any:
    """The JMESPath expression of ``--query``, compiled before anything is sent: one that
    is not JMESPath is a usage error of one line."""
    try:
        import jmespath
    except ImportError:
        raise UsageError(f"--query needs the jmespath package: pip install "
                         f"'cohesity-helios[{CLI_EXTRA}]'") from None
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        column = getattr(exc, "lex_position", None)
        at = f" at column {column + 1}" if isinstance(column, int) else ""
        reason = str(exc).split("\n", 1)[0].replace("Invalid jmespath expression: ", "")
        raise UsageError(f"--query {expression!r} is not a JMESPath expression{at}: "
                         f"{reason.rstrip(':')}") from None


def write(response: ApiResponse[Any], output: str, out: TextIO,
          hide: Sequence[str] = (), query: Optional[Any] = None,
          names: Optional[Mapping[str, str]] = None) -> None:
    """The answer as ``output`` asks: the API's own JSON (without the fields ``hide``
    names); the flat rows of ``to_records()`` as CSV or tab-separated text, for programs
    (keys as headers, secrets left out); for people, the table ``print()`` shows of a
    result, with every item (headers in words, ``yes``/``no``, dates, secrets as
    ``***``), a group's members by the usernames ``names`` gives their SIDs; or what
    ``query`` makes of the JSON. An empty list still has its header, and a table says
    that it is empty."""
    if query is not None:
        answer = _answer(response, hide)
        try:
            found = query.search(answer)
        except Exception as exc:  # noqa: BLE001 - jmespath's errors at run time
            raise UsageError(f"--query: {str(exc).splitlines()[0]}") from None
        write_value(found, output, out)
        return
    if output == "text":
        from cohesity_sdk.helios import display

        rows = display.records(response.data)
        for row in rows:
            out.write("\t".join(display.cell_text(v) for v in row.values()) + "\n")
        return
    if output == "json":
        if response.raw_data:
            answer = json.loads(response.raw_data)
            if isinstance(answer, dict):
                answer = {key: value for key, value in answer.items() if key not in hide}
                if hide and not answer:
                    return  # all it held went to --secret-file, which stderr names
            out.write(json.dumps(answer, indent=2, ensure_ascii=False))
            out.write("\n")
        return
    from cohesity_sdk.helios import display
    from cohesity_sdk.helios.model_base import ApiModel, ListResult

    data = response.data
    if output == "csv":
        import csv

        rows = display.records(data)
        if rows:
            header = list(rows[0])
        elif isinstance(data, ListResult):
            header = display.record_columns(data)
        else:
            return
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([display.cell_text(value) for value in row.values()] for row in rows)
        return
    from cohesity_sdk.helios import field_text

    if isinstance(data, ListResult):
        # The columns that identify an item; -o csv has them all.
        columns, rows = display.brief_table(data)
        lines = field_text.table_lines(columns, [_named(row, names) for row in rows])
        if not rows:
            lines.append(f"no {display.item_noun(data)}")
    elif isinstance(data, ApiModel):  # one model: a field per line reads better than a row
        lines = field_text.field_lines(_named(display.shown_row(data), names))
    else:
        return
    out.write("".join(f"{line}\n" for line in lines))


def _answer(response: ApiResponse[Any], hide: Sequence[str]) -> Any:
    if not response.raw_data:
        return None
    answer = json.loads(response.raw_data)
    if isinstance(answer, dict):
        answer = {key: value for key, value in answer.items() if key not in hide}
    return answer


def write_value(value: Any, output: str, out: TextIO) -> None:
    """A query's result, whatever its shape: JSON; a table or CSV of its rows (a list
    of objects, one row each; a list of values, one column; an object, one row); or
    text for the shell (a value as it is, a list a line per item, an object's values
    tab-separated)."""
    if output == "json":
        out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
        return
    if output == "text":
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                out.write(_text_line(item) + "\n")
        return
    rows = _value_rows(value)
    from cohesity_sdk.helios import display

    header = list(dict.fromkeys(key for row in rows for key in row))
    if output == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([display.cell_text(row.get(key)) for key in header] for row in rows)
    else:
        from cohesity_sdk.helios import field_text

        lines = field_text.table_lines(header, [{k: row.get(k) for k in header} for row in rows])
        out.write("".join(f"{line}\n" for line in lines))


def _text_line(item: Any) -> str:
    from cohesity_sdk.helios import display

    if isinstance(item, dict):
        return "\t".join(display.cell_text(v) for v in item.values())
    if isinstance(item, list):
        return "\t".join(display.cell_text(v) for v in item)
    return display.cell_text(item)


def _value_rows(value: Any) -> List[Dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item if isinstance(item, dict) else {"value": item} for item in value]
    return [] if value is None else [{"value": value}]


def member_sids(data: Any) -> List[str]:
    """The SIDs of the members of the groups ``data`` holds (a ``Groups`` or a
    ``GroupParams``), each once: those a table shows by username."""
    from cohesity_sdk.helios.models import GroupParams, Groups

    groups = data.groups if isinstance(data, Groups) else [data]
    sids: Dict[str, None] = {}
    for group in groups:
        if isinstance(group, GroupParams) and group.local_group_params is not None:
            sids.update(dict.fromkeys(group.local_group_params.user_sids or []))
    return list(sids)


def _named(row: Dict[str, Any], names: Optional[Mapping[str, str]]) -> Dict[str, Any]:
    """``row`` with its members by username where ``names`` has one; a SID that names no
    user stays as it is."""
    members = row.get(MEMBERS)
    if not names or not isinstance(members, list):
        return row
    return {**row, MEMBERS: [names.get(sid, sid) for sid in members]}
