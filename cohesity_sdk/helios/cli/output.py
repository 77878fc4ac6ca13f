"""What a command prints: the API's answer as JSON, its rows as CSV, or a table in words."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, TextIO

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_response import ApiResponse

OUTPUTS = ("json", "table", "csv")

#: The column of a group's members: SIDs, shown by username in a table.
MEMBERS = "local_group_params.user_sids"


def write(response: ApiResponse[Any], output: str, out: TextIO,
          hide: Sequence[str] = (), names: Optional[Mapping[str, str]] = None) -> None:
    """The answer as ``output`` asks: the API's own JSON (without the fields ``hide``
    names); the flat rows of ``to_records()`` as CSV, for programs (keys as headers,
    secrets left out); or, for people, the table ``print()`` shows of a result, with
    every item (headers in words, ``yes``/``no``, dates, secrets as ``***``), a group's
    members by the usernames ``names`` gives their SIDs. An empty list still has its
    header, and a table says that it is empty."""
    if output == "json":
        if response.raw_data:
            answer = json.loads(response.raw_data)
            if isinstance(answer, dict):
                answer = {key: value for key, value in answer.items() if key not in hide}
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
