"""How models read in notebooks and tables: HTML, IPython's text, flat records, pandas.

Every model shows in Jupyter as a table of the fields that hold a value (``_repr_html_``,
and ``_repr_pretty_`` for text, which ``str()`` prints too); a list result
(``UsersList``...) as a table with one row per item, the columns its item schema's
``x-columns`` names first. The command line's ``-o table`` is the same table
(``brief_table``, ``shown_row``). In every display, headers and values read as
``field_text`` has them (``last_login_time_msecs`` as "Last login", ``True`` as ``yes``,
``*_time_msecs`` values as ISO-8601 UTC dates), secrets as ``***``, and long lists stop
after ``DISPLAY_ROWS`` rows with a count of the rest: the data itself is never cut.

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
text for programs (``-o csv``), keys as they are: ``None`` as nothing, dates as ISO-8601
(``2026-11-28T10:15:00Z``), ``true`` and ``false`` as JSON has them, lists joined with
``", "``, anything nested as JSON. ``field_text.table`` writes them in words.

This module is loaded on the first display, never to decode an answer.
"""

from __future__ import annotations

import enum
import functools
import html
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

from cohesity_sdk.helios import field_text
from cohesity_sdk.helios.exceptions import ApiTypeError, OpenApiException
from cohesity_sdk.helios.model_base import ApiModel, ListResult, nested_model
from cohesity_sdk.helios.redaction import REDACTED

#: Rows of a list (and items of a list field) shown before "… N more".
DISPLAY_ROWS = 50
#: The longest line of a text display, and of a cell in an HTML table.
LINE_WIDTH = 200
#: The widest cell of a text table in a display.
CELL_WIDTH = 40

ELLIPSIS = field_text.ELLIPSIS
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
    return nested_model(type(result).__known_names__[result.__items__])


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
    """How one record value reads in a CSV file, for programs: ``None`` as ``""``, a
    ``datetime`` as ISO-8601 UTC (``2026-11-28T10:15:00Z``, with milliseconds when it has
    them), ``True``/``False`` as ``true``/``false``, a list of plain values joined with
    ``", "``, dicts and lists of them as JSON. A table for people has
    ``field_text.value_text`` instead."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return field_text.iso(value)
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
        return field_text.iso(value)
    if isinstance(value, ApiModel):
        return _row(value, mask=True)
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def text_table(rows: List[Row], limit: Optional[int] = None,
               columns: Optional[Sequence[str]] = None) -> str:
    """``rows`` as aligned columns of text, the keys (or ``columns``) as the header row,
    the values through ``cell_text``; with ``limit``, the first ``limit`` rows and a line
    counting the rest. ``field_text.table`` is the same in words."""
    columns = list(columns or dict.fromkeys(key for row in rows for key in row))
    shown = rows if limit is None else rows[:limit]
    if not columns:
        return ""
    cells = [[field_text.one_line(cell_text(row.get(c))) for c in columns] for row in shown]
    lines = field_text.aligned([columns, *cells])
    if len(shown) < len(rows):
        lines.append(field_text.more(len(shown), len(rows), "rows"))
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + ELLIPSIS


def _noun(result: ListResult) -> str:
    return result.__items__.replace("_", " ")


def brief_table(result: ListResult, limit: Optional[int] = None) -> Tuple[List[str], List[Row]]:
    """The table of ``result`` that people read: the columns that identify its items (its
    items' ``x-columns``), and the rows of its first ``limit`` items (all of them
    without), secrets as ``***``. ``pretty_lines`` shows it, and so does the command
    line's ``-o table``."""
    items = _items(result)
    # Only the rows shown are worked out: a result may hold 100,000 items.
    columns, rows = _rows(items if limit is None else items[:limit], mask=True,
                          item=_item_class(result))
    return preferred_columns(result) or columns, rows


def shown_row(model: ApiModel) -> Row:
    """The flat row of one model that people read: ``records()``'s, secrets as ``***``."""
    [row] = _rows([model], mask=True)[1]
    return row


def pretty_lines(value: ApiModel) -> List[str]:
    """The lines IPython shows for ``value``, and ``str()``, none longer than
    ``LINE_WIDTH``: a list result's count of items over its ``brief_table`` (cells cut at
    ``CELL_WIDTH``, rows after ``DISPLAY_ROWS``), a model's fields one a line."""
    name = type(value).__name__
    if isinstance(value, ListResult):
        total, noun = len(_items(value)), _noun(value)
        columns, rows = brief_table(value, DISPLAY_ROWS)
        lines = [f"{name}: {total} {noun}"]
        lines += field_text.table_lines(columns, rows, CELL_WIDTH)
        if columns and len(rows) < total:
            lines.append(field_text.more(len(rows), total, noun))
    else:
        lines = [name] + field_text.field_lines(shown_row(value), items=DISPLAY_ROWS,
                                                indent="  ")
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
    return field_text.value_text(value, items=DISPLAY_ROWS)


def pretty(value: ApiModel, printer: Any, cycle: bool) -> None:
    """``_repr_pretty_``: ``value`` as ``pretty_lines`` has it, for IPython's printer."""
    if cycle:
        printer.text(f"{type(value).__name__}(...)")
        return
    for i, line in enumerate(pretty_lines(value)):
        if i:
            printer.break_()
        printer.text(line)


def text(value: ApiModel) -> str:
    """``str()`` of a model or a list result: its ``pretty_lines``."""
    return "\n".join(pretty_lines(value))


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
            cells.append((name, _list_table(None, value, name.replace("_", " "),
                                            nested_model(plan))))
        else:
            cells.append((name, _escape(_shown_text(_plain(name, value, True)))))
    for name, value in (model.__pydantic_extra__ or {}).items():
        cells.append((name, _escape(_shown_text(_plain(name, value, True)))))
    names = field_text.headers([name for name, _ in cells])
    body = "".join(f"<tr><th{_LEFT}>{_escape(words)}</th>"
                   f"<td{_ONE_LINE if _keeps_one_line(name) else _LEFT}>{cell}</td></tr>"
                   for words, (name, cell) in zip(names, cells))
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
    head = "".join(f"<th{_LEFT}>{_escape(words)}</th>" for words in field_text.headers(columns))
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
        count = field_text.more(len(shown), len(items), noun)
        more = f"<tfoot><tr><td colspan=\"{span}\"{_LEFT}>{_escape(count)}</td></tr></tfoot>"
    return f"{_TABLE}<thead>{caption}<tr>{head}</tr></thead><tbody>{body}</tbody>{more}</table>"


def _cell_html(value: Any) -> str:
    return _escape(_clip(_shown_text(value), LINE_WIDTH))


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
