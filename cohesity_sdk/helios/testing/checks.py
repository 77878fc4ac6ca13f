"""The checks and filters that several resources of a cluster share."""

from __future__ import annotations

from typing import List, Optional

from cohesity_sdk.helios.testing.errors import bad_request, unauthorized
from cohesity_sdk.helios.testing.records import User


def non_empty(value: str, where: str) -> str:
    """``value``, unless it is blank: a name a cluster refuses (400)."""
    if not value.strip():
        raise bad_request(f"{where}: must not be empty")
    return value


def refuse_inactive(user: User, now: int) -> None:
    """401 for a user who may not log in: locked, expired, or not yet effective."""
    if user.locked:
        raise unauthorized("the user is locked")
    if user.expiry_time is not None and user.expiry_time <= now:
        raise unauthorized("the user has expired")
    if user.effective_time is not None and user.effective_time > now:
        raise unauthorized("the user is not effective yet")


def name_matches(name: str, wanted: List[str], partial: bool) -> bool:
    """Whether ``name`` is one of ``wanted`` (or, ``partial``, holds one), ignoring case."""
    lowered = name.lower()
    if partial:
        return any(w.lower() in lowered for w in wanted)
    return any(w.lower() == lowered for w in wanted)


def tenant_visible(tenants: List[str], tenant_ids: Optional[List[str]],
                   include_tenants: bool) -> bool:
    """Whether an object of ``tenants`` is listed: with ``tenant_ids``, when it is one of
    theirs; otherwise when it is of no tenant, or ``include_tenants``."""
    if tenant_ids is not None:
        return bool(set(tenants) & set(tenant_ids))
    return not tenants or include_tenants
