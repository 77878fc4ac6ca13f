"""Carrying a plan out: each change with its own result, cluster by cluster.

``apply(api, plan)``:

1. refuses, before anything is read or sent, a plan with a change it cannot make (a new
   key without ``secret_file``, a password that cannot be read): ``AccessFileError``;
2. reads each cluster again and refuses the whole plan if a state it was made from
   changed since (``StalePlanError``): nothing is done;
3. carries out each cluster's changes in order, a few clusters at a time. A change that
   fails is reported and the changes that need it are skipped; the others go on. A
   cluster that cannot be reached does not stop the others.

A new API key's secret goes only to its ``secret_file``, written with mode 0600 through
a temporary file made before the key is, so a folder that cannot be written is found
first. If the secret cannot be written after all, the key is deleted again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from cohesity_sdk.helios.access.cluster_state import cluster_label, routing
from cohesity_sdk.helios.access.errors import AccessFileError, ApplyError, StalePlanError
from cohesity_sdk.helios.access.planning import (
    API_KEY,
    CREATE,
    DEFAULT_PARALLEL,
    GROUP,
    MEMBERS,
    UPDATE,
    USER,
    Change,
    ClusterPlan,
    Plan,
    Step,
    in_parallel,
    name_key,
    plan as make_plan,
)
from cohesity_sdk.helios.access.reading import Problem, is_local
from cohesity_sdk.helios.access.schema import LOCAL, UserSpec
from cohesity_sdk.helios.private_file import PrivateFile

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi

DONE, FAILED, SKIPPED = "done", "failed", "skipped"


@dataclass(frozen=True)
class ChangeResult:
    """What became of one change: ``done``, ``failed`` (``error`` says why) or
    ``skipped`` (``error`` names the change it needed)."""

    change: Change
    status: str
    error: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {**self.change.to_dict(), "status": self.status, "error": self.error}


@dataclass
class ClusterResult:
    """The results of one cluster's changes; ``error`` when it could not be worked on."""

    cluster_id: Optional[int]
    results: List[ChangeResult] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def label(self) -> str:
        return cluster_label(self.cluster_id)

    @property
    def ok(self) -> bool:
        return self.error is None and all(r.status == DONE for r in self.results)

    def to_dict(self) -> Dict[str, Any]:
        return {"cluster_id": self.cluster_id, "error": self.error, "ok": self.ok,
                "results": [r.to_dict() for r in self.results]}


@dataclass
class ApplyResult:
    """The result of every change of every cluster. It shows as a table: ``str()``, and
    in a notebook."""

    source: str
    clusters: List[ClusterResult]

    @property
    def results(self) -> List[ChangeResult]:
        return [r for cluster in self.clusters for r in cluster.results]

    @property
    def ok(self) -> bool:
        """Whether every change was made on every cluster."""
        return all(c.ok for c in self.clusters)

    @property
    def changed(self) -> bool:
        """Whether any change was made."""
        return any(r.status == DONE for r in self.results)

    def counts(self) -> Dict[str, int]:
        out = {status: 0 for status in (DONE, FAILED, SKIPPED)}
        for result in self.results:
            out[result.status] += 1
        out["clusters_failed"] = sum(1 for c in self.clusters if c.error)
        return out

    def summary(self) -> str:
        from cohesity_sdk.helios.access.render import result_summary

        return result_summary(self)

    def to_dict(self) -> Dict[str, Any]:
        return {"source": self.source, "ok": self.ok, "summary": self.counts(),
                "clusters": [c.to_dict() for c in self.clusters]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def __str__(self) -> str:
        from cohesity_sdk.helios.access.render import result_text

        return result_text(self)

    def _repr_html_(self) -> str:
        from cohesity_sdk.helios.access.render import result_html

        return result_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def apply(api: UserApi, plan: Plan, *, parallel: int = DEFAULT_PARALLEL,
          check: bool = True) -> ApplyResult:
    """Carry ``plan`` out (see the module). Raises ``ApplyError``, which holds the
    result, when a change failed or a cluster could not be reached, unless ``check`` is
    false; the changes that could be made were made either way."""
    problems = preflight(plan)
    if problems:
        raise AccessFileError(plan.source, problems)
    fresh = make_plan(api, plan.access, parallel=parallel)
    stale = [saved.cluster_id for saved, now in zip(plan.clusters, fresh.clusters)
             if saved.error is None and now.error is None and not _same(saved, now)]
    if stale or len(fresh.clusters) != len(plan.clusters):
        raise StalePlanError(stale or [c.cluster_id for c in plan.clusters],
                             plan.saved_as or plan.source)
    pairs = list(zip(plan.clusters, fresh.clusters))
    clusters = in_parallel(lambda pair: _apply_cluster(api, *pair, plan.source), pairs,
                           parallel)
    result = ApplyResult(plan.source, clusters)
    if check and not result.ok:
        raise ApplyError(result)
    return result


def preflight(plan: Plan) -> List[Problem]:
    """What stops ``plan`` from being applied, found without a call: changes the file
    cannot make, passwords that cannot be read, secret files that cannot be written."""
    problems = plan.problems()
    for cluster in plan.clusters:
        for change in cluster.changes:
            if change.problem is not None or change.action != CREATE:
                continue
            if change.kind == USER:
                step = cluster.steps.get(change.number)
                user = step.user if step is not None else _entry(plan, change.path)
                if user is not None and is_local(user.domain):
                    try:
                        read_password(user, change.path, plan.source)
                    except AccessFileError as exc:
                        problems += exc.problems
            elif change.kind == API_KEY:
                path = next((f.after for f in change.fields if f.field == "secret_file"), None)
                reason = _unwritable(path) if path else None
                if reason:
                    problems.append((f"{change.path}.secret_file", reason))
    return list(dict.fromkeys(problems))


def _entry(plan: Plan, path: str) -> Optional[UserSpec]:
    """The user at ``users[i]`` of the plan's file (a saved plan has no steps)."""
    if path.startswith("users[") and path.endswith("]"):
        index = int(path[len("users["):-1])
        if index < len(plan.access.users):
            return plan.access.users[index]
    return None


def _same(saved: ClusterPlan, now: ClusterPlan) -> bool:
    return (saved.fingerprint == now.fingerprint
            and [c.to_dict() for c in saved.changes] == [c.to_dict() for c in now.changes])


def read_password(user: UserSpec, path: str, source: str) -> str:
    """The password of a new LOCAL user, from its variable or its file."""
    if user.password_env is not None:
        value = os.environ.get(user.password_env)
        if not value:
            raise AccessFileError(source, [(f"{path}.password_env",
                                            f"{user.password_env} is not set, or is empty")])
        return value
    if user.password_file is not None:
        try:
            with open(user.password_file, encoding="utf-8") as file:
                value = file.read().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise AccessFileError(source, [(f"{path}.password_file",
                                            f"{user.password_file} cannot be read: {reason}")]
                                  ) from None
        if not value:
            raise AccessFileError(source, [(f"{path}.password_file",
                                            f"{user.password_file} is empty")])
        return value
    raise AccessFileError(source, [(path, "a new LOCAL user needs password_env or "
                                          "password_file")])


def _unwritable(path: str) -> Optional[str]:
    """Why a secret cannot be written to ``path``, or None."""
    if os.path.isdir(path):
        return f"{path} is a folder"
    folder = os.path.dirname(path)
    while folder and not os.path.exists(folder):
        folder = os.path.dirname(folder)
    if not folder or not os.path.isdir(folder):
        return f"{path}: {folder or 'its folder'} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{path}: the folder {folder} cannot be written"
    return None


def _apply_cluster(api: UserApi, saved: ClusterPlan, now: ClusterPlan,
                   source: str) -> ClusterResult:
    if saved.error is not None:
        return ClusterResult(saved.cluster_id, error=f"not applied: it could not be read "
                                                     f"when the plan was made: {saved.error}")
    if now.error is not None:
        return ClusterResult(now.cluster_id, error=now.error)
    return _Runner(api, now, source).run()


class _Runner:
    """Makes one cluster's changes in order, keeping the SIDs of what it creates."""

    def __init__(self, api: UserApi, cluster: ClusterPlan, source: str) -> None:
        self.api = api
        self.cluster = cluster
        self.source = source
        self.where = routing(cluster.cluster_id)
        self.user_sids = dict(cluster.user_sids)
        self.group_sids = dict(cluster.group_sids)

    def run(self) -> ClusterResult:
        from cohesity_sdk.helios.exceptions import ApiConnectionError, OpenApiException

        results: List[ChangeResult] = []
        missed: Dict[int, str] = {}  # number -> "failed" or "was skipped"
        unreachable: Optional[str] = None
        for change in self.cluster.changes:
            blocker = next((n for n in change.depends_on if n in missed), None)
            if unreachable is not None:
                results.append(ChangeResult(change, SKIPPED, unreachable))
            elif blocker is not None:
                needed = self.cluster.changes[blocker - 1]
                results.append(ChangeResult(change, SKIPPED, f"needs #{blocker} "
                                            f"({needed.target}), which {missed[blocker]}"))
            else:
                try:
                    self._make(change, self.cluster.steps[change.number])
                except (OpenApiException, OSError) as exc:
                    results.append(ChangeResult(change, FAILED, " ".join(str(exc).split())))
                    if isinstance(exc, ApiConnectionError) and exc.phase == exc.CONNECT:
                        unreachable = f"{self.cluster.label} could not be reached"
                else:
                    results.append(ChangeResult(change, DONE))
                    continue
            missed[change.number] = "failed" if results[-1].status == FAILED else "was skipped"
        return ClusterResult(self.cluster.cluster_id, results)

    def _make(self, change: Change, step: Step) -> None:
        after = {f.field: f.after for f in change.fields}
        if change.kind == USER:
            if change.action == CREATE:
                assert step.user is not None
                self._create_user(change, step.user, after)
            elif change.action == UPDATE:
                self.api.update_user(_sid(step.sid), _user_update(after), **self.where)
            else:
                self.api.delete_user(_sid(step.sid), **self.where)
        elif change.kind == API_KEY:
            owner = step.sid or self.user_sids.get(name_key(change.domain, change.name))
            if change.action == CREATE:
                self._create_key(change, _sid(owner), step)
            elif change.action == UPDATE:
                from cohesity_sdk.helios.models import CreateOrUpdateAPIKeyRequest

                self.api.update_user_api_key_by_id(
                    _sid(step.key_id), _sid(owner),
                    CreateOrUpdateAPIKeyRequest(name=change.key, is_active=after["active"]),
                    **self.where)
            else:
                self.api.delete_user_api_key_by_id(_sid(owner), _sid(step.key_id),
                                                   **self.where)
        elif change.kind == GROUP:
            if change.action == CREATE:
                self._create_group(change, after)
            elif change.action == UPDATE:
                self.api.update_group(_sid(step.sid), _group_update(after), **self.where)
            else:
                self.api.delete_group(_sid(step.sid), **self.where)
        elif change.kind == MEMBERS:
            self._set_members(change, step)

    def _create_user(self, change: Change, user: UserSpec, after: Dict[str, Any]) -> None:
        from cohesity_sdk.helios.models import CreateUserParameters, LocalUserParams

        fields: Dict[str, Any] = {name: after[name] for name in
                                  ("roles", "description", "locked", "restricted")
                                  if name in after}
        if is_local(user.domain):
            fields["local_user_params"] = LocalUserParams(
                email=after.get("email"),
                password=read_password(user, change.path, self.source))
        created = self.api.create_users(
            [CreateUserParameters(username=user.username, domain=change.domain, **fields)],
            **self.where)
        sid = created.users[0].sid if created.users else None
        if sid is None:  # a server that does not answer with the user: look it up
            found = self.api.get_users(domain=change.domain, usernames=[user.username],
                                       **self.where)
            sid = next((u.sid for u in found.users
                        if (u.username or "").lower() == user.username.lower()), None)
        if sid is not None:
            self.user_sids[name_key(change.domain, user.username)] = sid

    def _create_key(self, change: Change, owner: str, step: Step) -> None:
        from cohesity_sdk.helios.models import CreateOrUpdateAPIKeyRequest

        assert step.api_key is not None and step.secret_file is not None
        secret_file = PrivateFile(step.secret_file, make_folders=True)
        try:
            created = self.api.create_user_api_key(
                owner, CreateOrUpdateAPIKeyRequest(name=step.api_key.name,
                                                   is_active=step.api_key.active),
                **self.where)
        except BaseException:
            secret_file.discard()
            raise
        try:
            if not created.api_key:
                raise OSError("the cluster answered without the new key's secret")
            secret_file.commit(created.api_key + "\n")
        except OSError as exc:
            secret_file.discard()
            what = f"the secret of the new key could not be written to {step.secret_file}: " \
                   f"{exc.strerror or exc}"
            raise OSError(f"{what}; {self._undo_key(owner, created.id)}") from None

    def _undo_key(self, owner: str, key_id: Optional[str]) -> str:
        from cohesity_sdk.helios.exceptions import OpenApiException

        if key_id is None:
            return "delete the key by hand"
        try:
            self.api.delete_user_api_key_by_id(owner, key_id, **self.where)
        except OpenApiException:
            return f"the key {key_id} could not be deleted again: delete or rotate it"
        return "the key was deleted again"

    def _create_group(self, change: Change, after: Dict[str, Any]) -> None:
        from cohesity_sdk.helios.models import CreateGroupParams

        fields = {name: after[name] for name in ("roles", "description", "restricted")
                  if name in after}
        created = self.api.create_group(
            [CreateGroupParams(name=change.name, domain=change.domain, **fields)],
            **self.where)
        sid = created.groups[0].sid if created.groups else None
        if sid is None:
            found = self.api.get_groups(domain=change.domain, names=[change.name],
                                        **self.where)
            sid = next((g.sid for g in found.groups
                        if (g.name or "").lower() == change.name.lower()), None)
        if sid is not None:
            self.group_sids[name_key(change.domain, change.name)] = sid

    def _set_members(self, change: Change, step: Step) -> None:
        from cohesity_sdk.helios.models import LocalGroupParams, UpdateGroupParameters

        group = step.sid or self.group_sids.get(name_key(change.domain, change.name))
        sids = []
        for member in step.members:
            sid = self.user_sids.get(name_key(LOCAL, member))
            if sid is None:
                raise OSError(f"the user {member} is not on {self.cluster.label}")
            sids.append(sid)
        self.api.update_group(
            _sid(group), UpdateGroupParameters(local_group_params=LocalGroupParams(
                user_sids=sids)), **self.where)


def _sid(value: Optional[str]) -> str:
    if value is None:  # a server that answered a create without the object's SID
        raise OSError("the cluster did not say the SID of the object")
    return value


def _user_update(after: Dict[str, Any]) -> Any:
    from cohesity_sdk.helios.models import LocalUserUpdateParams, UpdateUserParameters

    fields: Dict[str, Any] = {name: after[name] for name in
                              ("roles", "description", "locked", "restricted") if name in after}
    if "email" in after:
        fields["local_user_params"] = LocalUserUpdateParams(email=after["email"])
    return UpdateUserParameters(**fields)


def _group_update(after: Dict[str, Any]) -> Any:
    from cohesity_sdk.helios.models import UpdateGroupParameters

    return UpdateGroupParameters(**{name: after[name] for name in
                                    ("roles", "description", "restricted") if name in after})
