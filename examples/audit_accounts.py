"""Report accounts and API keys that need attention.

    python examples/audit_accounts.py [--days 30] [--domain LOCAL] [--json]

Users: locked (with the reason), expired, expiring within ``--days`` days, never logged
in. API keys (those ``get_all_api_keys`` shows the caller: created or owned by it):
expired, expiring within ``--days`` days, inactive. With ``--domain``, only the users of
that domain and their keys are reported. Prints a table, or JSON with ``--json``.

Against the local FakeHelios (no HELIOS_HOST/HELIOS_API_KEY) a few accounts and keys that
need attention are created first, so that the report has something to show.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence

from _common import TargetError, open_target, print_table

import cohesity_sdk.helios as helios

DAY_MSECS = 24 * 60 * 60 * 1000


@dataclass
class Finding:
    kind: str  # "user" or "api_key"
    finding: str  # locked, expired, expiring, inactive, never_logged_in
    name: str
    domain: Optional[str]
    sid: Optional[str]  # the user's SID, or the key owner's
    detail: str
    key_id: Optional[str] = None


def when(msecs: int, now: int) -> str:
    """``2027-01-31 (in 12 days)``: the date, and how far it is from now."""
    days = round((msecs - now) / DAY_MSECS)
    unit = "day" if abs(days) == 1 else "days"
    relative = "today" if days == 0 else f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"
    return f"{(helios.to_iso8601(msecs) or '')[:10]} ({relative})"


def check_expiry(msecs: Optional[int], now: int, horizon: int) -> Optional[str]:
    if not msecs:
        return None
    if msecs <= now:
        return "expired"
    if msecs <= horizon:
        return "expiring"
    return None


def user_findings(u: helios.UserParams, now: int, horizon: int) -> List[Finding]:
    found: List[Finding] = []

    def add(finding: str, detail: str) -> None:
        found.append(Finding("user", finding, u.username or "?", u.domain, u.sid, detail))

    reason = u.locked_reason
    if u.locked or (reason and reason != helios.LockedReason.NOT_LOCKED):
        add("locked", str(reason or "locked"))
    state = check_expiry(u.expiry_time_msecs, now, horizon)
    if state and u.expiry_time_msecs:
        add(state, when(u.expiry_time_msecs, now))
    if not u.last_login_time_msecs:
        created = u.created_time_msecs
        add("never_logged_in", f"created {when(created, now)}" if created else "")
    return found


def key_findings(
    k: helios.UserAPIKey, owner: Optional[helios.UserParams], now: int, horizon: int
) -> List[Finding]:
    found: List[Finding] = []
    name = f"{k.name} ({owner.username if owner else k.user_sid})"

    def add(finding: str, detail: str) -> None:
        domain = owner.domain if owner else None
        found.append(Finding("api_key", finding, name, domain, k.user_sid, detail, k.id))

    state = check_expiry(k.expiry_time_msecs, now, horizon)
    if k.is_expired:
        state = "expired"
    if state:
        add(state, when(k.expiry_time_msecs, now) if k.expiry_time_msecs else "")
    if k.is_active is False:
        add("inactive", "disabled")
    return found


def owner(api: helios.UserApi, owners: Dict[Optional[str], helios.UserParams],
          sid: Optional[str]) -> Optional[helios.UserParams]:
    """The user who owns a key, by SID: from the users listed, else asked for (a user of
    a tenant, say), so that the report names it; ``None`` if it cannot be found."""
    if sid is None:
        return None
    if sid not in owners:
        try:
            owners[sid] = api.get_user_by_sid(sid)
        except helios.NotFoundException:
            return None
    return owners[sid]


def audit(api: helios.UserApi, days: int, domain: Optional[str]) -> Dict[str, Any]:
    now = helios.to_epoch_msecs(datetime.now(timezone.utc))
    horizon = now + days * DAY_MSECS
    users = api.get_users(domain=domain).users or []
    owners = {u.sid: u for u in users}
    keys = api.get_all_api_keys().api_keys or []
    if domain is not None:
        # Only the keys of the accounts asked for: the others' owners are not listed.
        keys = [k for k in keys if k.user_sid in owners]
    findings: List[Finding] = []
    for u in users:
        findings.extend(user_findings(u, now, horizon))
    for k in keys:
        findings.extend(key_findings(k, owner(api, owners, k.user_sid), now, horizon))
    order = ["locked", "expired", "expiring", "inactive", "never_logged_in"]
    findings.sort(key=lambda f: (f.kind != "user", order.index(f.finding), f.name))
    return {
        "checked_at": helios.to_iso8601(now),
        "expiring_within_days": days,
        "users_checked": len(users),
        "api_keys_checked": len(keys),
        "findings": [asdict(f) for f in findings],
    }


def seed_fake(api: helios.UserApi) -> None:
    """Accounts and keys worth reporting, for a FakeHelios that only has ``admin``."""
    now = datetime.now(timezone.utc)
    password = secrets.token_urlsafe(16)

    def user(name: str, **fields: Any) -> helios.CreateUserParameters:
        return helios.CreateUserParameters(
            username=name, domain="LOCAL", roles=["COHESITY_VIEWER"],
            local_user_params=helios.LocalUserParams(password=password), **fields
        )

    created = api.create_users([
        user("audit-locked", locked=True),
        user("audit-expired", expiry_time_msecs=helios.to_epoch_msecs(now - timedelta(days=3))),
        user("audit-expiring",
             expiry_time_msecs=helios.to_epoch_msecs(now + timedelta(days=10))),
        user("audit-active"),
    ]).users or []
    sids = {u.username: u.sid or "" for u in created}
    # A login, so that one account is not reported as never logged in.
    api.create_session(helios.CreateUserSessionRequestParams(
        username="audit-active", domain="LOCAL", password=password))
    api.create_user_api_key(sids["audit-active"], helios.CreateOrUpdateAPIKeyRequest(
        name="old-export", expiry_time_msecs=helios.to_epoch_msecs(now - timedelta(days=1))))
    api.create_user_api_key(sids["audit-active"], helios.CreateOrUpdateAPIKeyRequest(
        name="paused-sync", is_active=False))
    api.create_user_api_key(sids["audit-active"], helios.CreateOrUpdateAPIKeyRequest(
        name="nightly", expiry_time_msecs=helios.to_epoch_msecs(now + timedelta(days=90))))


def print_report(report: Dict[str, Any]) -> None:
    findings = report["findings"]
    print(f"Checked {report['users_checked']} users and {report['api_keys_checked']} API keys "
          f"at {report['checked_at']} (expiring = within {report['expiring_within_days']} days)")
    if not findings:
        print("Nothing to report.")
        return
    print_table(
        ["kind", "finding", "name", "domain", "detail"],
        [[f["kind"], f["finding"], f["name"], f["domain"], f["detail"]] for f in findings],
    )
    print(f"{len(findings)} findings.")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Report accounts and keys needing attention.")
    parser.add_argument("--days", type=int, default=30, metavar="N",
                        help="report what expires within N days (default 30)")
    parser.add_argument("--domain", help="only users of this domain, e.g. LOCAL")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must not be negative")
    try:
        with open_target() as target, helios.ApiClient(target.configuration) as client:
            api = helios.UserApi(client)
            if target.is_fake:
                print("(fake mode: seeding a few accounts and keys to report on)",
                      file=sys.stderr)
                seed_fake(api)
            report = audit(api, args.days, args.domain)
    except (TargetError, helios.OpenApiException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
