"""What a command prints: the API's answer as JSON, or its rows as a table or CSV."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Sequence, TextIO

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_response import ApiResponse

OUTPUTS = ("json", "table", "csv")


def write(response: ApiResponse[Any], output: str, out: TextIO,
          hide: Sequence[str] = ()) -> None:
    """The answer as ``output`` asks: the API's own JSON (without the fields ``hide``
    names), or the flat rows of ``to_records()`` as a table or CSV (secrets left out).
    An empty list still has its header, and a table says that it is empty."""
    if output == "json":
        if response.raw_data:
            answer = json.loads(response.raw_data)
            if isinstance(answer, dict):
                answer = {key: value for key, value in answer.items() if key not in hide}
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
