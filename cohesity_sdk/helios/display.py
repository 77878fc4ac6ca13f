"""How models read in notebooks and tables: HTML, IPython's text, flat records, pandas.

Every model shows in Jupyter as a table of the fields that hold a value (``_repr_html_``,
and ``_repr_pretty_`` for text); a list result (``UsersList``...) as a table with one row
per item, the columns its item schema's ``x-columns`` names first. In every display,
``*_time_msecs`` values read as ISO-8601 UTC dates, secrets as ``***``, and long lists
stop after ``DISPLAY_ROWS`` rows with a count of the rest: the data itself is never cut.

Tables of the data: ``records(value)`` (and ``to_records()`` of a list result) gives one
flat dict per item:

- keys are attribute names, nested models flattened with dots
  (``local_user_params.email``), the preferred columns first, then the others in
  declaration order; every row has the same keys in the same order, ``None`` where an
  item has no value;
- ``*_time_msecs`` values are aware UTC ``datetime`` objects (the key keeps its name);
- lists stay lists (a list of models becomes a list of such flat dicts);
- secret fields are left out entirely;
- fields the spec does not declare, kept from the server, keep their JSON name (there is
  no sure way back to an attribute name), after the declared ones (``extraField``, or
  ``local_user_params.extraField`` when nested).

``to_pandas()`` makes a ``pandas.DataFrame`` of the same rows (pandas is optional:
``pip install 'cohesity-helios[pandas]'``). ``cell_text`` and ``text_table`` write records as
text: ``None`` as nothing, dates as ISO-8601 (``2026-11-28T10:15:00Z``), ``true`` and
``false`` as JSON has them, lists joined with ``", "``, anything nested as JSON.

This module is loaded on the first display, never to decode an answer.
"""

from __future__ import annotations

import enum
import functools
import html
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

from cohesity_sdk.helios.exceptions import ApiTypeError, OpenApiException
from cohesity_sdk.helios.model_base import ApiModel, ListResult
from cohesity_sdk.helios.redaction import REDACTED

#: Rows of a list (and items of a list field) shown before "… N more".
DISPLAY_ROWS = 50
#: The longest line of a text display, and of a cell in an HTML table.
LINE_WIDTH = 200
#: The widest cell of a text table in a display.
CELL_WIDTH = 40

ELLIPSIS = "…"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIME_SUFFIXES = ("_time_msecs", "TimeMsecs")
# Shown first when a class names no columns of its own (x-columns).
_IDENTIFYING = ("name", "username", "principal_name", "tenant_name", "id", "sid")

Row = Dict[str, Any]


class PandasMissingError(OpenApiException, ImportError):
    """``to_pandas()`` was called where pandas is not installed."""


# -- records ---------------------------------------------------------------------------


def records(value: Any) -> List[Row]:
    """Flat rows of ``value``: a list result's ``to_records()``, a model's one row, the
    rows of a list of models, or ``[]`` for ``None``."""
    if value is None:
        return []
    if isinstance(value, ListResult):
        return value.to_records()
    if isinstance(value, ApiModel):
        return _rows([value], mask=False)[1]
    if isinstance(value, (list, tuple)) and all(isinstance(v, ApiModel) for v in value):
        return _rows(value, mask=False)[1]
    raise ApiTypeError(
        f"records() takes a model, a list result, a list of models or None, "
        f"got {type(value).__name__}"
    )


def record_columns(result: ListResult) -> List[str]:
    """The keys of ``result.to_records()``'s rows, also when it has none: a table of an
    empty result still has its header."""
    return _rows(_items(result), mask=False, item=_item_class(result))[0]


def item_noun(result: ListResult) -> str:
    """What the items of ``result`` are, in the plural: ``users``, ``api keys``."""
    return _noun(result)


def list_records(result: ListResult) -> List[Row]:
    """``result.to_records()``."""
    return _rows(_items(result), mask=False, item=_item_class(result))[1]


def to_pandas(result: ListResult) -> Any:
    """``result.to_pandas()``: a DataFrame of ``to_records()``, times as
    ``datetime64[ns, UTC]`` columns."""
    try:
        import pandas
    except ImportError:
        raise PandasMissingError(
            "to_pandas() needs pandas: pip install 'cohesity-helios[pandas]'") from None
    columns, rows = _rows(_items(result), mask=False, item=_item_class(result))
    data: Dict[str, Any] = {name: [row[name] for row in rows] for name in columns}
    for name in filter(_is_time, columns):
        values = data[name]
        if all(v is None or isinstance(v, datetime) for v in values):
            data[name] = _datetimes(pandas, values)
    return pandas.DataFrame(data, columns=columns)


def _datetimes(pandas: Any, values: List[Any]) -> Any:
    """A column of aware datetimes as ``datetime64[ns, UTC]``."""
    try:
        return pandas.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")
    except ValueError:  # beyond 2262 nanoseconds cannot hold it: pandas' unit, if any
        try:
            return pandas.to_datetime(values, utc=True)
        except ValueError:
            return values


def _items(result: ListResult) -> List[ApiModel]:
    items: List[ApiModel] = getattr(result, result.__items__)
    return items


def _item_class(result: ListResult) -> Optional[Type[ApiModel]]:
    return type(result).__known_names__[result.__items__].model


def _rows(
    items: Sequence[ApiModel], mask: bool, item: Optional[Type[ApiModel]] = None
) -> Tuple[List[str], List[Row]]:
    """The columns and the rows of ``items``: secrets left out, or shown as ``***`` when
    ``mask`` (for display)."""
    columns: Dict[str, None] = {}
    for cls in dict.fromkeys([*([item] if item else []), *map(type, items)]):
        columns.update(dict.fromkeys(_columns(cls, mask)))
    # Each row starts as a copy of the declared columns, so its keys are in their order.
    template = dict.fromkeys(columns)
    rows = [_flat(model, "", template.copy(), mask) for model in items]
    if any(len(row) != len(template) for row in rows):
        # Fields the spec does not declare, after the declared ones, as they come.
        for row in rows:
            columns.update(dict.fromkeys(row))
        names = list(columns)
        rows = [{name: row.get(name) for name in names} for row in rows]
    return list(columns), rows


def _row(model: ApiModel, mask: bool) -> Row:
    """One model's own row, as an item of a list field."""
    return _flat(model, "", dict.fromkeys(_columns(type(model), mask)), mask)


@functools.lru_cache(maxsize=None)
def _columns(cls: Type[ApiModel], mask: bool) -> Tuple[str, ...]:
    """The declared columns of ``cls``, flattened: its preferred ones first."""
    flat: List[str] = []
    for plan in cls.__wire_plan__:
        if plan.secret and not mask:
            continue
        if plan.model is not None and not plan.is_list:
            flat += [f"{plan.name}.{name}" for name in _columns(plan.model, mask)]
        else:
            flat.append(plan.name)
    preferred = [name for name in _preferred(cls) if name in flat]
    return tuple(dict.fromkeys(preferred + flat))


def _preferred(cls: Type[ApiModel]) -> Tuple[str, ...]:
    return cls.__columns__ or tuple(n for n in _IDENTIFYING if n in cls.model_fields)


# How _flat takes each field: worked out once per class and prefix, as a table of
# 100,000 users makes two million values.
_PLAIN, _TIME, _NESTED, _LIST, _MODELS, _SECRET = range(6)
_SCALARS = frozenset({str, int, bool, float})
Step = Tuple[str, str, int]  # attribute, key in the row, kind


@functools.lru_cache(maxsize=None)
def _steps(cls: Type[ApiModel], prefix: str) -> Tuple[Step, ...]:
    steps = []
    for plan in cls.__wire_plan__:
        key = prefix + plan.name
        if plan.secret:
            kind = _SECRET
        elif plan.model is not None:
            kind = _MODELS if plan.is_list else _NESTED
        elif _is_time(key):
            kind = _TIME
        else:
            kind = _LIST if plan.is_list else _PLAIN
        steps.append((plan.name, key, kind))
    return tuple(steps)


def _flat(model: ApiModel, prefix: str, out: Row, mask: bool) -> Row:
    values = model.__dict__
    for name, key, kind in _steps(type(model), prefix):
        value = values[name]
        if value is None:
            continue
        if kind == _PLAIN:
            out[key] = value if type(value) in _SCALARS else _plain(key, value, mask)
        elif kind == _NESTED:
            _flat(value, key + ".", out, mask)
        elif kind == _LIST:
            out[key] = list(value)
        elif kind == _TIME:
            out[key] = _time(value)
        elif kind == _SECRET:
            if mask:
                out[key] = REDACTED
        else:  # lists of models
            out[key] = _plain(key, value, mask)
    extra = model.__pydantic_extra__
    if extra:
        for name, value in extra.items():
            out[prefix + name] = _plain(prefix + name, value, mask)
    return out


def _plain(key: str, value: Any, mask: bool) -> Any:
    """A value as a record holds it."""
    if isinstance(value, enum.Enum):
        return value.value
    if type(value) is int and _is_time(key):
        return _time(value)
    if isinstance(value, ApiModel):
        return _row(value, mask)
    if isinstance(value, list):
        return [_plain(key, v, mask) for v in value]
    return value


def _time(value: Any) -> Any:
    """Epoch milliseconds as an aware UTC datetime."""
    if type(value) is not int:
        return value
    try:
        return _EPOCH + timedelta(milliseconds=value)
    except OverflowError:  # beyond the dates datetime holds: the number as it came
        return value


def _is_time(key: str) -> bool:
    return key.endswith(_TIME_SUFFIXES)


# -- text ------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """How one record value reads in a text table or a CSV file: ``None`` as ``""``, a
    ``datetime`` as ISO-8601 UTC (``2026-11-28T10:15:00Z``, with milliseconds when it has
    them), ``True``/``False`` as ``true``/``false``, a list of plain values joined with
    ``", "``, dicts and lists of them as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, ApiModel):
        value = _row(value, mask=True)
    if isinstance(value, (list, tuple)):
        if not any(isinstance(v, (dict, list, tuple, ApiModel)) for v in value):
            return ", ".join(map(cell_text, value))
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, enum.Enum):
        return cell_text(value.value)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, ApiModel):
        return _row(value, mask=True)
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    micros = moment.microsecond
    precision = "seconds" if not micros else "milliseconds" if not micros % 1000 else "auto"
    return moment.isoformat(timespec=precision) + "Z"


def text_table(rows: List[Row], limit: Optional[int] = None,
               columns: Optional[Sequence[str]] = None) -> str:
    """``rows`` as aligned columns of text, the keys (or ``columns``) as the header row,
    the values through ``cell_text``; with ``limit``, the first ``limit`` rows and a line
    counting the rest."""
    columns = list(columns or dict.fromkeys(key for row in rows for key in row))
    shown = rows if limit is None else rows[:limit]
    return "\n".join(_table_lines(columns, shown, len(rows), None, "rows"))


def _table_lines(
    columns: List[str], shown: List[Row], total: int, width: Optional[int], noun: str
) -> List[str]:
    """Aligned lines of ``shown``, the first rows of ``total``, each cell at most ``width``."""
    if not columns:
        return []
    cells = [[_one_line(cell_text(row.get(c)), width) for c in columns] for row in shown]
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    lines = [_aligned(columns, widths)] + [_aligned(line, widths) for line in cells]
    if len(shown) < total:
        lines.append(_more(len(shown), total, noun))
    return lines


def _more(shown: int, total: int, noun: str) -> str:
    return f"{ELLIPSIS} {total - shown} more ({total} {noun})"


def _aligned(cells: List[str], widths: List[int]) -> str:
    return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip()


def _one_line(text: str, width: Optional[int]) -> str:
    # A line break inside a cell would break the table's rows apart.
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if width is None else _clip(text, width)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + ELLIPSIS


def _noun(result: ListResult) -> str:
    return result.__items__.replace("_", " ")


def pretty_lines(value: ApiModel) -> List[str]:
    """The lines IPython shows for ``value``, none longer than ``LINE_WIDTH``."""
    name = type(value).__name__
    if isinstance(value, ListResult):
        items, item, noun = _items(value), _item_class(value), _noun(value)
        # Only the rows shown are worked out: a result may hold 100,000 items.
        columns, rows = _rows(items[:DISPLAY_ROWS], mask=True, item=item)
        lines = [f"{name}: {len(items)} {noun}"]
        lines += _table_lines(preferred_columns(value) or columns, rows, len(items),
                              CELL_WIDTH, noun)
    else:
        [row] = _rows([value], mask=True)[1]
        shown = {key: v for key, v in row.items() if v is not None}
        width = max(map(len, shown), default=0)
        lines = [name] + [f"  {key.ljust(width)}  {_one_line(_shown_text(v), None)}"
                          for key, v in shown.items()]
    return [_clip(line, LINE_WIDTH) for line in lines]


def preferred_columns(result: ListResult) -> List[str]:
    """The columns a brief table of ``result`` shows: its items' ``x-columns`` (or their
    identifying fields), flattened as ``to_records()`` names them."""
    item = _item_class(result)
    if item is None:
        return []
    declared = _columns(item, True)
    return [c for c in _preferred(item) if c in declared]


def _shown_text(value: Any) -> str:
    if isinstance(value, list) and len(value) > DISPLAY_ROWS:
        return f"{cell_text(value[:DISPLAY_ROWS])} {ELLIPSIS} {len(value) - DISPLAY_ROWS} more"
    return "[]" if value == [] else cell_text(value)


def pretty(value: ApiModel, printer: Any, cycle: bool) -> None:
    """``_repr_pretty_``: ``value`` as ``pretty_lines`` has it, for IPython's printer."""
    if cycle:
        printer.text(f"{type(value).__name__}(...)")
        return
    for i, line in enumerate(pretty_lines(value)):
        if i:
            printer.break_()
        printer.text(line)


# -- HTML ------------------------------------------------------------------------------

_TABLE = "<table>"
# Jupyter aligns cells right, and wraps a value where it can (a SID at its dashes, a
# date at its colons), which makes rows tall: cells read from the left, and identifiers
# and times stay on one line.
_LEFT = ' style="text-align:left;vertical-align:top"'
_ONE_LINE = ' style="text-align:left;vertical-align:top;white-space:nowrap"'
# The last part of a column's name that makes it an identifier.
_IDENTIFIER_ENDINGS = ("sid", "_id", "username", "name")


def _keeps_one_line(column: str) -> bool:
    """Whether a column's cells are identifiers or times, never wrapped in HTML."""
    last = column.rsplit(".", 1)[-1]
    return _is_time(column) or last == "id" or last.endswith(_IDENTIFIER_ENDINGS)


def to_html(value: ApiModel) -> str:
    """``_repr_html_``: a table of ``value``'s fields, or of a list result's items."""
    if isinstance(value, ListResult):
        items = _items(value)
        title = f"{type(value).__name__}: {len(items)} {_noun(value)}"
        return _list_table(title, items, _noun(value), _item_class(value))
    return _model_table(value)


def _model_table(model: ApiModel) -> str:
    """Field | value rows of what holds a value, nested models as tables of their own."""
    cls = type(model)
    plans = {plan.name: plan for plan in cls.__wire_plan__}
    order = dict.fromkeys([name.split(".", 1)[0] for name in _preferred(cls)] + list(plans))
    cells: List[Tuple[str, str]] = []
    for name in order:
        plan = plans[name]
        value = model.__dict__.get(name)
        if value is None:
            continue
        if plan.secret:
            cells.append((name, _escape(REDACTED)))
        elif isinstance(value, ApiModel):
            cells.append((name, _model_table(value)))
        elif plan.model is not None and isinstance(value, list):
            cells.append((name, _list_table(None, value, name.replace("_", " "), plan.model)))
        else:
            cells.append((name, _escape(_shown_text(_plain(name, value, True)))))
    for name, value in (model.__pydantic_extra__ or {}).items():
        cells.append((name, _escape(_shown_text(_plain(name, value, True)))))
    body = "".join(f"<tr><th{_LEFT}>{_escape(name)}</th>"
                   f"<td{_ONE_LINE if _keeps_one_line(name) else _LEFT}>{cell}</td></tr>"
                   for name, cell in cells)
    return (f"{_TABLE}<thead><tr><th colspan=\"2\"{_LEFT}>{_escape(cls.__name__)}</th></tr>"
            f"</thead><tbody>{body}</tbody></table>")


def _list_table(
    title: Optional[str], items: List[ApiModel], noun: str, item: Optional[Type[ApiModel]]
) -> str:
    """A row for each of the first items: the preferred columns (``x-columns``), then
    the others that hold something in any of them."""
    columns, shown = _rows(items[:DISPLAY_ROWS], mask=True, item=item)
    preferred = set(_preferred(item)) if item is not None else set()
    columns = [c for c in columns
               if c in preferred or any(row[c] not in (None, []) for row in shown)]
    head = "".join(f"<th{_LEFT}>{_escape(c)}</th>" for c in columns)
    styles = [_ONE_LINE if _keeps_one_line(c) else _LEFT for c in columns]
    span = max(len(columns), 1)
    caption = (f"<tr><th colspan=\"{span}\"{_LEFT}>{_escape(title)}</th></tr>"
               if title else "")
    body = "".join(
        "<tr>" + "".join(f"<td{style}>{_cell_html(row[c])}</td>"
                         for c, style in zip(columns, styles)) + "</tr>"
        for row in shown)
    more = ""
    if len(shown) < len(items):
        count = _more(len(shown), len(items), noun)
        more = f"<tfoot><tr><td colspan=\"{span}\"{_LEFT}>{_escape(count)}</td></tr></tfoot>"
    return f"{_TABLE}<thead>{caption}<tr>{head}</tr></thead><tbody>{body}</tbody>{more}</table>"


def _cell_html(value: Any) -> str:
    return _escape(_clip(_shown_text(value), LINE_WIDTH))


def _escape(text: str) -> str:
    return html.escape(text, quote=True)

