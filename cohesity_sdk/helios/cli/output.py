"""What a command prints: the API's answer as JSON, or its rows as a table, CSV or
tab-separated text; or what a JMESPath query (``--query``) makes of the JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, TextIO

from cohesity_sdk.helios.cli.failures import UsageError

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_response import ApiResponse

OUTPUTS = ("json", "table", "csv", "text")
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
          hide: Sequence[str] = (), query: Optional[Any] = None) -> None:
    """The answer as ``output`` asks: the API's own JSON (without the fields ``hide``
    names), or the flat rows of ``to_records()`` as a table, CSV or text (secrets left
    out), or what ``query`` makes of the JSON. An empty list still has its header, and a
    table says that it is empty."""
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
    from cohesity_sdk.helios.model_base import ListResult

    rows = display.records(response.data)
    listed = response.data if isinstance(response.data, ListResult) else None
    if output == "csv":
        import csv

        if rows:
            header = list(rows[0])
        elif listed is not None:
            header = display.record_columns(listed)
        else:
            return
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([display.cell_text(value) for value in row.values()] for row in rows)
    elif listed is not None:
        # The columns that identify an item; -o csv has them all.
        columns = display.preferred_columns(listed) or display.record_columns(listed)
        if rows:
            out.write(display.text_table(rows, columns=columns) + "\n")
        else:
            out.write(display.text_table([], columns=columns) + "\n")  # the header
            out.write(f"no {display.item_noun(listed)}\n")
    elif rows:  # one model: a field per line reads better than one wide row
        out.write(display.text_table(_by_field(rows[0])) + "\n")


def _by_field(row: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [{"field": name, "value": value} for name, value in row.items() if value is not None]


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

    if output == "csv":
        import csv

        header = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([display.cell_text(row.get(key)) for key in header] for row in rows)
    else:
        out.write(display.text_table(rows) + "\n")


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
