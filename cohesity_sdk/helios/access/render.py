"""How plans and apply results read: text tables for a terminal, HTML for a notebook.

A plan is one row per field of each change (before and after), grouped by cluster; a
result one row per change with what became of it. Neither ever holds a secret: a plan
names where a password comes from, and where a new key's secret goes, never either.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional, Protocol, Sequence

from cohesity_sdk.helios.display import text_table

# -- what is shown: the parts of plans and results read here ----------------------------
# (``planning`` and ``applying`` import this module, so it names their classes by the
# shape it reads.)


class _FieldChange(Protocol):
    @property
    def field(self) -> str: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...


class _Change(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def fields(self) -> Sequence[_FieldChange]: ...
    @property
    def depends_on(self) -> Sequence[int]: ...
    @property
    def problem(self) -> Optional[str]: ...


class _ClusterPlan(Protocol):
    @property
    def cluster_id(self) -> Optional[int]: ...
    @property
    def label(self) -> str: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def changes(self) -> Sequence[_Change]: ...
    @property
    def in_sync(self) -> Sequence[str]: ...


class _Plan(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def clusters(self) -> Sequence[_ClusterPlan]: ...
    @property
    def changes(self) -> Sequence[_Change]: ...
    def counts(self) -> Dict[str, int]: ...


class _ChangeResult(Protocol):
    @property
    def change(self) -> _Change: ...
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def note(self) -> Optional[str]: ...


class _ClusterResult(Protocol):
    @property
    def cluster_id(self) -> Optional[int]: ...
    @property
    def label(self) -> str: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def results(self) -> Sequence[_ChangeResult]: ...


class _ApplyResult(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def clusters(self) -> Sequence[_ClusterResult]: ...
    @property
    def results(self) -> Sequence[_ChangeResult]: ...
    @property
    def ok(self) -> bool: ...
    def counts(self) -> Dict[str, int]: ...


_PLAN_COLUMNS = ["#", "action", "object", "field", "before", "after", "needs"]
_RESULT_COLUMNS = ["#", "result", "action", "object", "detail"]
_LEFT = ' style="text-align:left;vertical-align:top"'


def shown(value: Any) -> str:
    """A field's value in a table: nothing for none, ``(none)`` for an empty list."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(shown, value)) if value else "(none)"
    return str(value)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- plans ------------------------------------------------------------------------------


def plan_summary(plan: _Plan) -> str:
    counts = plan.counts()
    where = _plural(len(plan.clusters), "cluster")
    unread = sum(1 for c in plan.clusters if c.error)
    if not plan.changes:
        text = (f"In sync: nothing to change on {where} ({_plural(counts['in_sync'], 'object')}"
                " as the file says)")
    else:
        text = (f"Plan: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['delete']} to delete on {where}; {counts['in_sync']} in sync")
    if unread:
        text += f"; {_plural(unread, 'cluster')} could not be read"
    return text + "."


def _cluster_heading(cluster: _ClusterPlan) -> str:
    if cluster.error is not None:
        return f"{cluster.label}: could not be read: {cluster.error}"
    counts = {a: sum(1 for c in cluster.changes if c.action == a)
              for a in ("create", "update", "delete")}
    if not cluster.changes:
        return f"{cluster.label}: in sync ({_plural(len(cluster.in_sync), 'object')})"
    return (f"{cluster.label}: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete; {len(cluster.in_sync)} in sync")


def _change_rows(change: _Change) -> List[Dict[str, str]]:
    first = {"#": str(change.number), "action": change.action, "object": change.target,
             "needs": ", ".join(f"#{n}" for n in change.depends_on)}
    if not change.fields:
        return [{**first, "field": "", "before": "", "after": ""}]
    rows = []
    for i, field in enumerate(change.fields):
        row = dict(first) if i == 0 else {"#": "", "action": "", "object": "", "needs": ""}
        row.update(field=field.field, before=shown(field.before), after=shown(field.after))
        rows.append(row)
    return rows


def plan_text(plan: _Plan) -> str:
    lines: List[str] = []
    for cluster in plan.clusters:
        lines.append(_cluster_heading(cluster))
        if cluster.changes:
            rows = [row for change in cluster.changes for row in _change_rows(change)]
            columns = [c for c in _PLAN_COLUMNS if c != "needs"
                       or any(change.depends_on for change in cluster.changes)]
            lines += ["  " + line for line in text_table(rows, columns=columns).splitlines()]
            lines += [f"  problem: #{c.number} {c.target}: {c.problem}"
                      for c in cluster.changes if c.problem]
        lines.append("")
    lines.append(plan_summary(plan))
    return "\n".join(lines)


def plan_html(plan: _Plan) -> str:
    span = len(_PLAN_COLUMNS) + 1
    title = f"Plan of {plan.source}: {plan_summary(plan)}"
    head = "".join(f"<th>{_escape(c)}</th>" for c in ["cluster", *_PLAN_COLUMNS])
    body: List[str] = []
    for cluster in plan.clusters:
        if not cluster.changes:
            body.append(f"<tr><td>{_escape(_cluster_name(cluster.cluster_id))}</td>"
                        f"<td colspan=\"{span - 1}\"{_LEFT}>"
                        f"{_escape(_cluster_heading(cluster))}</td></tr>")
            continue
        for change in cluster.changes:
            for i, row in enumerate(_change_rows(change)):
                name = _cluster_name(cluster.cluster_id) if i == 0 else ""
                cells = [name, *(row[c] for c in _PLAN_COLUMNS)]
                body.append("<tr>" + "".join(f"<td{_LEFT}>{_escape(c)}</td>" for c in cells)
                            + "</tr>")
            if change.problem:
                body.append(f"<tr><td></td><td colspan=\"{span - 1}\"{_LEFT}>problem: "
                            f"{_escape(change.problem)}</td></tr>")
    return (f"<table><thead><tr><th colspan=\"{span}\"{_LEFT}>{_escape(title)}</th></tr>"
            f"<tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _cluster_name(cluster_id: Any) -> str:
    return "configured" if cluster_id is None else str(cluster_id)


# -- results ----------------------------------------------------------------------------


def result_summary(result: _ApplyResult) -> str:
    counts = result.counts()
    where = _plural(len(result.clusters), "cluster")
    if not result.results and result.ok:
        return f"Apply: nothing to change on {where}: in sync."
    text = (f"Apply: {counts['done']} done, {counts['failed']} failed, "
            f"{counts['skipped']} skipped on {where}")
    if counts["clusters_failed"]:
        text += f"; {_plural(counts['clusters_failed'], 'cluster')} not reached"
    return text + "."


def _result_heading(cluster: _ClusterResult) -> str:
    if cluster.error is not None:
        return f"{cluster.label}: not applied: {cluster.error}"
    if not cluster.results:
        return f"{cluster.label}: in sync, nothing to do"
    counts = {s: sum(1 for r in cluster.results if r.status == s)
              for s in ("done", "failed", "skipped")}
    return (f"{cluster.label}: {counts['done']} done, {counts['failed']} failed, "
            f"{counts['skipped']} skipped")


def _result_rows(cluster: _ClusterResult) -> List[Dict[str, str]]:
    return [{"#": str(r.change.number), "result": r.status, "action": r.change.action,
             "object": r.change.target, "detail": r.error or r.note or ""}
            for r in cluster.results]


def result_text(result: _ApplyResult) -> str:
    lines: List[str] = []
    for cluster in result.clusters:
        lines.append(_result_heading(cluster))
        if cluster.results:
            table = text_table(_result_rows(cluster), columns=_RESULT_COLUMNS)
            lines += ["  " + line for line in table.splitlines()]
        lines.append("")
    lines.append(result_summary(result))
    return "\n".join(lines)


def result_html(result: _ApplyResult) -> str:
    span = len(_RESULT_COLUMNS) + 1
    title = f"Apply of {result.source}: {result_summary(result)}"
    head = "".join(f"<th>{_escape(c)}</th>" for c in ["cluster", *_RESULT_COLUMNS])
    body: List[str] = []
    for cluster in result.clusters:
        name = _cluster_name(cluster.cluster_id)
        if not cluster.results:
            body.append(f"<tr><td>{_escape(name)}</td><td colspan=\"{span - 1}\"{_LEFT}>"
                        f"{_escape(_result_heading(cluster))}</td></tr>")
            continue
        for i, row in enumerate(_result_rows(cluster)):
            cells = [name if i == 0 else "", *(row[c] for c in _RESULT_COLUMNS)]
            body.append("<tr>" + "".join(f"<td{_LEFT}>{_escape(c)}</td>" for c in cells)
                        + "</tr>")
    return (f"<table><thead><tr><th colspan=\"{span}\"{_LEFT}>{_escape(title)}</th></tr>"
            f"<tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
