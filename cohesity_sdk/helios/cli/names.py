"""Names instead of SIDs: ``--username``, ``--group`` and ``--key-name`` looked up on the
cluster, and what a SID stands for, said in words (``user LOCAL\\svc-report``).

A name is matched exactly (ignoring case, as the cluster does), never in part: the
lookup filters again here, because some servers and versions match a name filter by a
part of it. No match, or several (one name in two domains when no ``--domain`` is
given), is an error that names the candidates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional

from cohesity_sdk.helios.cli.failures import UnknownName

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi

#: How many candidates an error names at most.
SHOWN = 5


class Found(NamedTuple):
    """A user, group or key found: its SID (a key's id), and how it reads."""

    sid: str
    label: str  # "user LOCAL\\svc-report (S-1-...)"


def principal_label(kind: str, domain: Optional[str], name: Optional[str], sid: str) -> str:
    return f"{kind} {domain or '?'}\\{name or '?'} ({sid})"


def find_user(api: UserApi, name: str, domain: Optional[str],
              where: Dict[str, Any]) -> Found:
    """The user named ``name`` (in ``domain``, when given)."""
    found = api.get_users(usernames=[name], **_domain(domain), **where).users
    exact = [u for u in found if _same(u.username, name) and _in(u.domain, domain)]
    sid = exact[0].sid if len(exact) == 1 else None
    if sid:
        user = exact[0]
        return Found(sid, principal_label("user", user.domain, user.username, sid))
    if exact:
        listed = ", ".join(principal_label("user", u.domain, u.username, u.sid or "?")
                           for u in exact[:SHOWN])
        raise UnknownName(f"--username {name}: {len(exact)} users are named so: {listed}; "
                          "give --domain")
    similar = api.get_users(usernames=[name], match_partial_names=True, **_domain(domain),
                            **where).users
    names = [f"{u.domain}\\{u.username}" for u in similar]
    raise UnknownName(f"--username {name}: no user is named so{_in_domain(domain)}"
                      f"{_candidates(names)}")


def find_group(api: UserApi, name: str, domain: Optional[str],
               where: Dict[str, Any]) -> Found:
    """The group named ``name`` (in ``domain``, when given)."""
    found = api.get_groups(names=[name], **_domain(domain), **where).groups
    exact = [g for g in found if _same(g.name, name) and _in(g.domain, domain)]
    sid = exact[0].sid if len(exact) == 1 else None
    if sid:
        group = exact[0]
        return Found(sid, principal_label("group", group.domain, group.name, sid))
    if exact:
        listed = ", ".join(principal_label("group", g.domain, g.name, g.sid or "?")
                           for g in exact[:SHOWN])
        raise UnknownName(f"--group {name}: {len(exact)} groups are named so: {listed}; "
                          "give --domain")
    similar = api.get_groups(names=[name], match_partial_names=True, **_domain(domain),
                             **where).groups
    names = [f"{g.domain}\\{g.name}" for g in similar]
    raise UnknownName(f"--group {name}: no group is named so{_in_domain(domain)}"
                      f"{_candidates(names)}")


def find_key(api: UserApi, user: Found, name: str, where: Dict[str, Any]) -> Found:
    """The API key named ``name`` among the keys of ``user``."""
    keys = api.get_user_api_keys(user.sid, **where).api_keys
    named = [k for k in keys if k.name == name]
    owner = user.label.split(" (", 1)[0]
    if len(named) == 1 and named[0].id:
        return Found(named[0].id, f"API key {name} ({named[0].id}) of {owner}")
    if named:
        ids = ", ".join(str(k.id) for k in named[:SHOWN])
        raise UnknownName(f"--key-name {name}: {len(named)} keys of {owner} are named so "
                          f"(ids {ids}): give --id")
    names = sorted({k.name for k in keys if k.name})
    has = f" (its keys: {', '.join(names[:SHOWN])}{', ...' if len(names) > SHOWN else ''})" \
        if names else " (it has none)"
    raise UnknownName(f"--key-name {name}: {owner} has no API key named so{has}")


# -- what SIDs stand for ---------------------------------------------------------------


def users_by_sid(api: UserApi, sids: List[str], where: Dict[str, Any]) -> Dict[str, str]:
    """How the users ``sids`` read, in one call; a SID that is no user reads as itself."""
    labels = {sid: f"user {sid}" for sid in sids}
    try:
        for user in api.get_users(sids=sids, **where).users:
            if user.sid in labels:
                labels[user.sid] = principal_label("user", user.domain, user.username,
                                                   user.sid)
    except Exception:  # noqa: BLE001 - words only: the command itself says what is wrong
        pass
    return labels


def groups_by_sid(api: UserApi, sids: List[str], where: Dict[str, Any]) -> Dict[str, str]:
    """How the groups ``sids`` read, in one call."""
    labels = {sid: f"group {sid}" for sid in sids}
    try:
        for group in api.get_groups(sids=sids, **where).groups:
            if group.sid in labels:
                labels[group.sid] = principal_label("group", group.domain, group.name,
                                                    group.sid)
    except Exception:  # noqa: BLE001 - as above
        pass
    return labels


def key_by_id(api: UserApi, user_sid: str, key_id: str, where: Dict[str, Any]) -> str:
    owner = users_by_sid(api, [user_sid], where)[user_sid].split(" (", 1)[0]
    try:
        key = api.get_user_api_key_by_id(key_id, user_sid, **where)
    except Exception:  # noqa: BLE001 - as above
        return f"API key {key_id} of {owner}"
    return f"API key {key.name} ({key_id}) of {owner}"


# -- matching --------------------------------------------------------------------------


def _same(have: Optional[str], wanted: str) -> bool:
    return (have or "").lower() == wanted.lower()


def _in(domain: Optional[str], wanted: Optional[str]) -> bool:
    return wanted is None or (domain or "").lower() == wanted.lower()


def _domain(domain: Optional[str]) -> Dict[str, Any]:
    return {} if domain is None else {"domain": domain}


def _in_domain(domain: Optional[str]) -> str:
    return "" if domain is None else f" in {domain}"


def _candidates(names: Iterable[str]) -> str:
    listed = sorted(set(names))
    if not listed:
        return ""
    more = ", ..." if len(listed) > SHOWN else ""
    return f" (names that hold it: {', '.join(listed[:SHOWN])}{more})"
