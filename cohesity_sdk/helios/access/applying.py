"""Carrying a plan out: each change with its own result, cluster by cluster.

``apply(api, plan)``:

1. refuses, before anything is read or sent, a plan with a change it cannot make (a new
   key without ``secret_file``, a password that cannot be read): ``AccessFileError``;
2. takes each cluster's lock (``locking``): two applies on one machine take turns;
3. reads again the objects the plan changes, and only those, and refuses the whole
   plan if one of them changed since it was read (``StalePlanError``): nothing is done;
4. carries out each cluster's changes in order, a few clusters at a time. A change that
   fails is reported and the changes that need it are skipped; the others go on. A
   cluster that cannot be reached does not stop the others.

Right before it creates a user, a group or a key, it looks for it once more: one made
meanwhile (by another run, elsewhere) is not made twice.

A key's secret goes only to its ``secret_file``, written with mode 0600 through a
temporary file made before the key is, so a folder that cannot be written is found
first. If the secret cannot be written after all, the new key is deleted again. If the
answer to a key's create is lost, the key is looked for, and when the server made it, it
is rotated and the new secret written; if even that fails, the next plan finds the key
without its secret and rotates it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from cohesity_sdk.helios.access.cluster_state import (
    BATCH,
    Reads,
    cluster_label,
    group_basis,
    keys_basis,
    routing,
    user_basis,
)
from cohesity_sdk.helios.access.errors import AccessFileError, StalePlanError
from cohesity_sdk.helios.access.locking import DEFAULT_LOCK_TIMEOUT, ClusterLocks
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
    entries_at,
    in_parallel,
    name_key,
)
from cohesity_sdk.helios.access.reading import (
    Problem,
    domain_key,
    is_local,
    password_problem,
    read_password,
)
from cohesity_sdk.helios.access.render import result_html, result_summary, result_text
from cohesity_sdk.helios.access.schema import LOCAL, UserSpec
from cohesity_sdk.helios.exceptions import ApiConnectionError, OpenApiException
from cohesity_sdk.helios.private_file import PrivateFile

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi

DONE, FAILED, SKIPPED = "done", "failed", "skipped"


@dataclass(frozen=True)
class ChangeResult:
    """What became of one change: ``done`` (``note`` may add what is worth knowing),
    ``failed`` (``error`` says why) or ``skipped`` (``error`` names the change it
    needed)."""

    change: Change
    status: str
    error: Optional[str] = None
    #: What is worth knowing of a change that was made (a key found after a lost answer).
    note: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {**self.change.to_dict(), "status": self.status, "error": self.error,
                "note": self.note}


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
        return result_summary(self)

    def to_dict(self) -> Dict[str, Any]:
        return {"source": self.source, "ok": self.ok, "summary": self.counts(),
                "clusters": [c.to_dict() for c in self.clusters]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def __str__(self) -> str:
        return result_text(self)

    def _repr_html_(self) -> str:
        return result_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


class ApplyError(OpenApiException):
    """Some changes failed, or some clusters could not be reached; ``result`` says which,
    change by change. The other changes were carried out."""

    def __init__(self, result: ApplyResult) -> None:
        self.result = result
        super().__init__(result.summary())


def apply(api: UserApi, plan: Plan, *, parallel: int = DEFAULT_PARALLEL,
          check: bool = True, lock_timeout: Optional[float] = DEFAULT_LOCK_TIMEOUT,
          waiting: Optional[Callable[[Optional[int], str], None]] = None) -> ApplyResult:
    """Carry ``plan`` out (see the module). Raises ``ApplyError``, which holds the
    result, when a change failed or a cluster could not be reached, unless ``check`` is
    false; the changes that could be made were made either way.

    It takes each cluster's lock first (``locking``), waiting up to ``lock_timeout``
    seconds for another apply on this machine (``ClusterLockedError`` past that);
    ``waiting(cluster_id, holder)`` is called when it has to wait."""
    problems = preflight(plan)
    if problems:
        raise AccessFileError(plan.source, problems)
    host = api.api_client.configuration.host
    with ClusterLocks(host, [c.cluster_id for c in plan.clusters], timeout=lock_timeout,
                      waiting=waiting):
        with Reads(parallel) as reads:
            moved = in_parallel(lambda cluster: _moved(api, cluster, reads), plan.clusters,
                                parallel)
        stale = [cluster.cluster_id for cluster, changed in zip(plan.clusters, moved)
                 if changed]
        if stale:
            raise StalePlanError(stale, plan.saved_as or plan.source)
        clusters = in_parallel(lambda cluster: _apply_cluster(api, cluster, plan.source),
                               plan.clusters, parallel)
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
            if change.problem is not None:
                continue
            step = cluster.steps.get(change.number)
            if change.action == CREATE and change.kind == USER:
                user = step.user if step is not None else entries_at(plan.access,
                                                                     change.path)[0]
                if user is not None and is_local(user.domain):
                    found = password_problem(user, change.path)
                    if found is not None:
                        problems.append(found)
            elif change.kind == API_KEY and step is not None and step.secret_file and (
                    change.action == CREATE or step.rotate):
                reason = _unwritable(step.secret_file)
                if reason:
                    problems.append((f"{change.path}.secret_file", reason))
    return list(dict.fromkeys(problems))


def _moved(api: UserApi, cluster: ClusterPlan, reads: Reads) -> bool:
    """Whether an object the plan changes on ``cluster`` is no longer as the plan read
    it: only those objects are read again, a few calls in all."""
    if cluster.error is not None or not cluster.changes:
        return False
    where = routing(cluster.cluster_id)
    wanted: List[Tuple[Change, Step]] = [(c, cluster.steps[c.number])
                                         for c in cluster.changes if c.basis is not None]
    user_sids = sorted({s.sid for c, s in wanted if c.kind == USER and s.sid})
    group_sids = sorted({s.sid for c, s in wanted if c.kind in (GROUP, MEMBERS) and s.sid})
    new_users = sorted({(c.domain, c.name) for c, s in wanted if c.kind == USER and not s.sid})
    new_groups = sorted({(c.domain, c.name) for c, s in wanted
                         if c.kind == GROUP and not s.sid})
    owners = sorted({s.sid for c, s in wanted if c.kind == API_KEY and s.sid})

    def users_by_sid(batch: List[str]) -> List[Any]:
        return list(api.get_users(sids=batch, **where).users)

    def groups_by_sid(batch: List[str]) -> List[Any]:
        return list(api.get_groups(sids=batch, **where).groups)

    users = {u.sid: u for found in reads.map(users_by_sid, _batches(user_sids))
             for u in found}
    groups = {g.sid: g for found in reads.map(groups_by_sid, _batches(group_sids))
              for g in found}
    named_users = _by_name(new_users, lambda domain, batch: api.get_users(
        domain=domain, usernames=batch, **where).users, lambda u: (u.domain, u.username), reads)
    named_groups = _by_name(new_groups, lambda domain, batch: api.get_groups(
        domain=domain, names=batch, **where).groups, lambda g: (g.domain, g.name), reads)
    keys = dict(zip(owners, reads.map(
        lambda sid: list(api.get_user_api_keys(sid, **where).api_keys), owners)))
    for change, step in wanted:
        if change.kind == USER:
            now = users.get(step.sid) if step.sid else named_users[name_key(change.domain,
                                                                            change.name)]
            basis = user_basis(now)
        elif change.kind in (GROUP, MEMBERS):
            if step.sid:
                now_group = groups.get(step.sid)
            elif change.kind == GROUP:
                now_group = named_groups[name_key(change.domain, change.name)]
            else:
                continue  # a new group's members: its create is checked
            basis = group_basis(now_group)
        else:
            if not step.sid:
                continue  # a new user's key: the user's create is checked
            basis = keys_basis(k for k in keys[step.sid] if k.name == change.key)
        if basis != change.basis:
            return True
    return False


def _batches(items: List[str]) -> List[List[str]]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


def _by_name(names: List[Tuple[str, str]], read: Callable[[str, List[str]], List[Any]],
             name_of: Callable[[Any], Tuple[Optional[str], Optional[str]]],
             reads: Reads) -> Dict[Tuple[str, str], Any]:
    """The objects of ``names`` (``(domain, name)``) that exist, found with ``read`` a
    batch of names of one domain at a time, and matched exactly here: some servers match
    a name filter by a part of the name."""
    by_domain: Dict[str, List[str]] = {}
    for domain, name in names:
        by_domain.setdefault(domain, []).append(name)
    work = [(domain, batch) for domain, found in by_domain.items()
            for batch in _batches(found)]
    wanted = {name_key(d, n) for d, n in names}
    out: Dict[Tuple[str, str], Any] = {key: None for key in wanted}
    for found in reads.map(lambda item: read(*item), work):
        for obj in found:
            has_domain, has_name = name_of(obj)
            key = name_key(has_domain or "", has_name or "")
            if key in wanted:
                out[key] = obj
    return out


def find_user(api: UserApi, domain: str, username: str, where: Dict[str, Any]) -> Any:
    """The user ``domain\\username``, or None: matched exactly here, as some servers
    match a name filter by its start or a part."""
    found = api.get_users(domain=domain, usernames=[username], **where).users
    return next((u for u in found if (u.username or "").lower() == username.lower()
                 and domain_key(u.domain or "") == domain_key(domain)), None)


def find_group(api: UserApi, domain: str, name: str, where: Dict[str, Any]) -> Any:
    """The group ``domain\\name``, or None, matched exactly."""
    found = api.get_groups(domain=domain, names=[name], **where).groups
    return next((g for g in found if (g.name or "").lower() == name.lower()
                 and domain_key(g.domain or "") == domain_key(domain)), None)


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


def _apply_cluster(api: UserApi, cluster: ClusterPlan, source: str) -> ClusterResult:
    if cluster.error is not None:
        return ClusterResult(cluster.cluster_id, error=f"not applied: it could not be read "
                                                       f"when the plan was made: "
                                                       f"{cluster.error}")
    return _Runner(api, cluster, source).run()


class _NotMade(Exception):
    """A change that was not made, for a reason of this run's own (not the server's)."""


class _Runner:
    """Makes one cluster's changes in order, keeping the SIDs of what it creates."""

    def __init__(self, api: UserApi, cluster: ClusterPlan, source: str) -> None:
        self.api = api
        self.cluster = cluster
        self.source = source
        self.where = routing(cluster.cluster_id)
        self.user_sids = dict(cluster.user_sids)
        self.group_sids = dict(cluster.group_sids)
        self.note: Optional[str] = None

    def run(self) -> ClusterResult:

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
                self.note = None
                try:
                    self._make(change, self.cluster.steps[change.number])
                except (OpenApiException, OSError, _NotMade) as exc:
                    results.append(ChangeResult(change, FAILED, " ".join(str(exc).split())))
                    if isinstance(exc, ApiConnectionError) and exc.phase == exc.CONNECT \
                            and not exc.may_have_acted:
                        unreachable = f"{self.cluster.label} could not be reached"
                else:
                    results.append(ChangeResult(change, DONE, note=self.note))
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
                if step.rotate:
                    self._rotate_key(change, _sid(owner), step)
                if "active" in after:
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

    # -- users and groups --------------------------------------------------------------

    def _create_user(self, change: Change, user: UserSpec, after: Dict[str, Any]) -> None:
        from cohesity_sdk.helios.models import CreateUserParameters, LocalUserParams

        if find_user(self.api, change.domain, user.username, self.where) is not None:
            raise _NotMade(_made_meanwhile(change.target))
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
            found = find_user(self.api, change.domain, user.username, self.where)
            sid = found.sid if found is not None else None
        if sid is not None:
            self.user_sids[name_key(change.domain, user.username)] = sid

    def _create_group(self, change: Change, after: Dict[str, Any]) -> None:
        from cohesity_sdk.helios.models import CreateGroupParams

        if find_group(self.api, change.domain, change.name, self.where) is not None:
            raise _NotMade(_made_meanwhile(change.target))
        fields = {name: after[name] for name in ("roles", "description", "restricted")
                  if name in after}
        created = self.api.create_group(
            [CreateGroupParams(name=change.name, domain=change.domain, **fields)],
            **self.where)
        sid = created.groups[0].sid if created.groups else None
        if sid is None:
            found = find_group(self.api, change.domain, change.name, self.where)
            sid = found.sid if found is not None else None
        if sid is not None:
            self.group_sids[name_key(change.domain, change.name)] = sid

    def _set_members(self, change: Change, step: Step) -> None:
        from cohesity_sdk.helios.models import LocalGroupParams, UpdateGroupParameters

        group = step.sid or self.group_sids.get(name_key(change.domain, change.name))
        known = dict(step.member_sids)
        sids = []
        for member in step.members:
            sid = self.user_sids.get(name_key(LOCAL, member)) or known.get(member.lower())
            if sid is None:
                raise OSError(f"the user {member} is not on {self.cluster.label}")
            sids.append(sid)
        self.api.update_group(
            _sid(group), UpdateGroupParameters(local_group_params=LocalGroupParams(
                user_sids=sids)), **self.where)

    # -- API keys ----------------------------------------------------------------------

    def _keys_named(self, owner: str, name: Optional[str]) -> List[Any]:
        keys = self.api.get_user_api_keys(owner, **self.where).api_keys
        return [key for key in keys if key.name == name]

    def _create_key(self, change: Change, owner: str, step: Step) -> None:
        from cohesity_sdk.helios.models import CreateOrUpdateAPIKeyRequest

        assert step.api_key is not None and step.secret_file is not None
        before = self._keys_named(owner, change.key)  # right before: not made meanwhile
        if before:
            raise _NotMade(_made_meanwhile(change.target))
        secret_file = PrivateFile(step.secret_file, make_folders=True)
        try:
            created = self.api.create_user_api_key(
                owner, CreateOrUpdateAPIKeyRequest(name=step.api_key.name,
                                                   is_active=step.api_key.active),
                **self.where)
        except OpenApiException as exc:
            if not exc.may_have_acted:
                secret_file.discard()
                raise
            self._recover_key(change, owner, secret_file, exc)
            return
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

    def _recover_key(self, change: Change, owner: str, secret_file: PrivateFile,
                     lost: Exception) -> None:
        """The answer to a key's create was lost, and the server may have made it: look
        for it, and when it is there, rotate it so that its secret is known."""

        said = " ".join(str(lost).split())
        try:
            made = self._keys_named(owner, change.key)
        except OpenApiException:
            secret_file.discard()
            raise _NotMade(f"{said}; the key could not be looked for: if it was made, the "
                           "next run finds it and rotates it") from None
        if len(made) != 1:
            secret_file.discard()
            if not made:
                raise _NotMade(f"{said}; it was not made after all: nothing was changed")
            raise _NotMade(f"{said}; {len(made)} keys of that name are there now: the "
                           "next plan names them")
        self._write_rotated(owner, made[0].id, secret_file, after=said)
        self.note = ("the answer to its create was lost; the key it made was found and "
                     "rotated, and the new secret written")

    def _rotate_key(self, change: Change, owner: str, step: Step) -> None:
        assert step.secret_file is not None
        self._write_rotated(owner, _sid(step.key_id), PrivateFile(step.secret_file,
                                                                  make_folders=True))
        self.note = f"rotated: its secret was lost; the new one is in {step.secret_file}"

    def _write_rotated(self, owner: str, key_id: Optional[str], secret_file: PrivateFile,
                       after: str = "") -> None:

        lead = f"{after}; " if after else ""
        try:
            rotated = self.api.rotate_user_api_key(owner, _sid(key_id), **self.where)
            if not rotated.api_key:
                raise OSError("the cluster answered without the rotated key's secret")
            secret_file.commit(rotated.api_key + "\n")
        except (OpenApiException, OSError) as exc:
            secret_file.discard()
            said = " ".join(str(exc).split()) if isinstance(exc, OpenApiException) \
                else f"its secret could not be written to {secret_file.path}: " \
                     f"{getattr(exc, 'strerror', None) or exc}"
            raise _NotMade(f"{lead}rotating the key {key_id}: {said}; the next run rotates "
                           "it again") from None
        except BaseException:
            secret_file.discard()
            raise

    def _undo_key(self, owner: str, key_id: Optional[str]) -> str:

        if key_id is None:
            return "delete the key by hand"
        try:
            self.api.delete_user_api_key_by_id(owner, key_id, **self.where)
        except OpenApiException:
            return f"the key {key_id} could not be deleted again: delete or rotate it"
        return "the key was deleted again"


def _made_meanwhile(target: str) -> str:
    return (f"{target} exists already: it was made after the plan was read, by another "
            "run or by hand, and is not made again; plan again")


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
