"""A first tour of Helios user management with cohesity-sdk.

    pip install . && python examples/quickstart.py

Creates a LOCAL group and two LOCAL users, finds and updates them, gives one an API key and
rotates it, opens and closes a session, assigns protection sources and resets an S3 key,
then deletes everything it created, also when a step fails.

Without HELIOS_HOST/HELIOS_API_KEY it runs against a local FakeHelios. Against a real
Helios or cluster it creates and removes real accounts, all named ``qs-...-<run tag>``.
Options: ``--source-id N`` / ``--view-id N`` (repeatable) are the protection sources and
views to assign to the group; ``QUICKSTART_PASSWORD`` is the password given to the users
(otherwise a random one is generated and never shown).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from _common import Target, TargetError, open_target, with_api_key

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.display import records
from cohesity_sdk.helios.field_text import table

# Assigned to the group in fake mode; a real cluster needs IDs that exist there.
DEMO_SOURCE_IDS = [101, 102]
DEMO_VIEW_IDS = [7]


class StepFailed(Exception):
    """The server answered, but not as the tour expects."""


@dataclass
class Created:
    """Everything the tour created, so that clean_up() can remove it."""

    group_sid: Optional[str] = None
    user_sids: List[str] = field(default_factory=list)
    api_keys: List[Tuple[str, str]] = field(default_factory=list)  # (owner SID, key ID)
    session_user_sids: List[str] = field(default_factory=list)


def step(number: int, title: str) -> None:
    print(f"\n{number:>2}. {title}")


def truncated(secret: str) -> str:
    return f"{secret[:4]}... ({len(secret)} characters)"


def new_password() -> str:
    # Letters, digits and punctuation, as most password policies ask.
    return os.environ.get("QUICKSTART_PASSWORD") or f"{secrets.token_urlsafe(15)}-Aa1"


def show(text: str) -> None:
    print(textwrap.indent(text, "    "))


def show_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Print rows as the SDK shows a result (and cohesity-helios -o table): headers in
    words ("Email" for local_user_params.email), yes/no, dates."""
    show(table(rows, columns=columns))


def show_users(users: Sequence[helios.UserParams]) -> None:
    show_table(records(list(users)),
               ["username", "domain", "roles", "local_user_params.email", "locked",
                "description"])


def run_steps(
    api: helios.UserApi, target: Target, args: argparse.Namespace, created: Created
) -> None:
    tag = secrets.token_hex(3)
    group_name, alice, bob = f"qs-ops-{tag}", f"qs-alice-{tag}", f"qs-bob-{tag}"
    password = new_password()
    if not target.is_fake:
        cluster = target.configuration.access_cluster_id
        print(f"Target: {target.configuration.host}" + (f", cluster {cluster}" if cluster else ""))
    print(f"Run tag {tag}: every name this run creates ends with it.")

    step(1, "Create a LOCAL group")
    groups = api.create_group(
        [
            helios.CreateGroupParams(
                name=group_name,
                domain="LOCAL",
                roles=["COHESITY_VIEWER"],
                description="Backup operators (quickstart)",
            )
        ]
    )
    group = groups.groups[0] if groups.groups else None
    if group is None or not group.sid:
        raise StepFailed("create_group answered without the new group's SID")
    created.group_sid = group_sid = group.sid
    show_table(records(group), ["name", "domain", "roles", "sid"])

    step(2, "Create two LOCAL users in one call, one of them with an email address")
    new_users = api.create_users(
        [
            helios.CreateUserParameters(
                username=alice,
                domain="LOCAL",
                roles=["COHESITY_VIEWER"],
                local_user_params=helios.LocalUserParams(
                    email=f"{alice}@example.com", password=password
                ),
            ),
            helios.CreateUserParameters(
                username=bob,
                domain="LOCAL",
                roles=["COHESITY_VIEWER"],
                local_user_params=helios.LocalUserParams(password=password),
            ),
        ]
    )
    users = new_users.users or []
    created.user_sids.extend(u.sid for u in users if u.sid)
    if len(created.user_sids) != 2:
        raise StepFailed(f"expected 2 new users, got {len(created.user_sids)}")
    alice_sid, bob_sid = created.user_sids
    names: Dict[str, str] = {u.sid: u.username for u in users if u.sid and u.username}
    show_users(users)

    step(3, "Make both users members of the group (update_group, localGroupParams.userSids)")
    group = api.update_group(
        group_sid,
        helios.UpdateGroupParameters(
            local_group_params=helios.LocalGroupParams(user_sids=[alice_sid, bob_sid])
        ),
    )
    members = group.local_group_params.user_sids if group.local_group_params else None
    print(f"    {group.name} now has {len(members or [])} members")

    step(4, f"Find them: users and groups in domain LOCAL whose name contains {tag!r}")
    found = api.get_users(domain="LOCAL", usernames=[tag], match_partial_names=True)
    show(str(found))  # print(found): the table cohesity-helios get-users -o table shows
    found_groups = api.get_groups(domain="LOCAL", names=[tag], match_partial_names=True)
    rows = []
    for g in found_groups.groups or []:
        sids = (g.local_group_params.user_sids if g.local_group_params else None) or []
        # The SDK has the members' SIDs; the users created above give their names.
        rows.append({"group": g.name, "roles": g.roles,
                     "members": [names.get(sid, sid) for sid in sids]})
    print()
    show_table(rows, ["group", "roles", "members"])

    step(5, f"Update users: give {alice} the admin role, lock {bob}")
    updated = [
        api.update_user(
            alice_sid,
            helios.UpdateUserParameters(
                roles=["COHESITY_ADMIN"], description="On-call backup admin"
            ),
        ),
        api.update_user(bob_sid, helios.UpdateUserParameters(locked=True)),
    ]
    show_users(updated)

    step(6, f"Create an API key for {alice}, valid for one day")
    expiry = helios.to_epoch_msecs(datetime.now(timezone.utc) + timedelta(days=1))
    key = api.create_user_api_key(
        alice_sid,
        helios.CreateOrUpdateAPIKeyRequest(
            name=f"qs-key-{tag}", is_active=True, expiry_time_msecs=expiry
        ),
    )
    if not key.id or not key.api_key:
        raise StepFailed("the new API key came back without an id or a secret")
    created.api_keys.append((alice_sid, key.id))
    old_secret = key.api_key
    print(f"    key {key.name!r} (id {key.id}) expires {helios.to_iso8601(key.expiry_time_msecs)}")
    print(f"    secret, shown once and truncated here: {truncated(old_secret)}")
    print("    (Helios returns a secret only now; store a real one in a vault immediately.)")

    step(7, "Rotate the key: the old secret stops working, the new one works")
    rotated = api.rotate_user_api_key(alice_sid, key.id)
    if not rotated.api_key:
        raise StepFailed("the rotated API key came back without a secret")
    print(f"    new secret, shown once and truncated here: {truncated(rotated.api_key)}")
    with helios.ApiClient(with_api_key(target.configuration, old_secret)) as old_client:
        try:
            helios.UserApi(old_client).get_users(sids=[alice_sid])
        except helios.UnauthorizedException as exc:
            print(f"    old secret: rejected ({exc.status} {exc.reason})")
        else:
            raise StepFailed("the old secret still authenticates after rotation")
    with helios.ApiClient(with_api_key(target.configuration, rotated.api_key)) as new_client:
        helios.UserApi(new_client).get_users(sids=[alice_sid])
        print("    new secret: accepted")

    step(8, "List API keys: secrets are never listed")
    own = api.get_user_api_keys(alice_sid).api_keys or []
    everywhere = api.get_all_api_keys(owner_sids=[alice_sid]).api_keys or []
    show_table(
        [
            {
                "listed_by": source,
                **records(k)[0],
                "secret": "included!" if "apiKey" in k.to_dict() else "not returned",
            }
            for source, keys in (("get_user_api_keys", own), ("get_all_api_keys", everywhere))
            for k in keys
        ],
        ["listed_by", "name", "is_active", "is_expired", "last_rotated_time_msecs", "secret"],
    )

    step(9, f"Sessions: log in as {alice}, count the sessions, log them out")
    api.create_session(
        helios.CreateUserSessionRequestParams(username=alice, domain="LOCAL", password=password)
    )
    created.session_user_sids.append(alice_sid)
    print(f"    session created; active sessions of {alice}: {session_count(api, alice_sid)}")
    # Always pass sid: without it, delete_session ends every session on the cluster.
    api.delete_session(sid=alice_sid)
    created.session_user_sids.remove(alice_sid)
    print(f"    sessions deleted; active sessions of {alice}: {session_count(api, alice_sid)}")

    step(10, "Assign protection sources and views to the group; look up the principals")
    source_ids = args.source_id or (DEMO_SOURCE_IDS if target.is_fake else [])
    view_ids = args.view_id or (DEMO_VIEW_IDS if target.is_fake else [])
    if source_ids or view_ids:
        api.update_principal_sources(
            group_sid, helios.AssignedSources(source_ids=source_ids, view_ids=view_ids)
        )
    else:
        print("    (no --source-id/--view-id given: assignment skipped, only read back)")
    assigned = api.get_principal_sources(group_sid)
    print(f"    {group_name}: sources {assigned.source_ids or []}, views {assigned.view_ids or []}")
    principals = api.get_security_principals([group_sid, alice_sid, bob_sid])
    print()
    show_table(records(principals), ["principal_name", "object_class", "domain_name", "sid"])

    step(11, f"Reset the S3 secret key of {alice}")
    s3 = api.regenerate_s3_key(alice_sid)
    received = f"{len(s3.secret_key)} characters" if s3.secret_key else "none returned"
    print(f"    new S3 secret key received ({received}; not shown)")


def session_count(api: helios.UserApi, user_sid: str) -> int:
    counts = api.get_active_sessions_count(sids=[user_sid])
    return sum(
        c.sessions_count or 0 for c in counts.sessions_per_user or [] if c.sid == user_sid
    )


def clean_up(api: helios.UserApi, created: Created) -> bool:
    """Delete what the tour created; True when nothing is left behind."""
    print("\n12. Clean up")
    ok = True

    def attempt(what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        nonlocal ok
        try:
            call(*args, **kwargs)
            print(f"    deleted {what}")
        except helios.OpenApiException as exc:
            ok = False
            print(f"    could not delete {what}: {exc}", file=sys.stderr)

    for user_sid in created.session_user_sids:
        attempt(f"the sessions of {user_sid}", api.delete_session, sid=user_sid)
    for owner_sid, key_id in created.api_keys:
        attempt(f"API key {key_id}", api.delete_user_api_key_by_id, owner_sid, key_id)
    if created.user_sids:
        request = helios.DeleteUsersRequest(sids=created.user_sids)
        attempt(f"{len(created.user_sids)} users", api.delete_users, request)
    if created.group_sid:
        attempt(f"group {created.group_sid}", api.delete_group, created.group_sid)
    if ok and created.user_sids:
        try:
            api.get_user_by_sid(created.user_sids[0])
        except helios.NotFoundException as exc:
            print(f"    checked: get_user_by_sid on a deleted user -> {exc.status} {exc.reason}")
        else:
            ok = False
            print("    a deleted user can still be read", file=sys.stderr)
    if not ok:
        print("    some objects are left behind, see above", file=sys.stderr)
    return ok


def tour(api: helios.UserApi, target: Target, args: argparse.Namespace) -> int:
    created = Created()
    status = 1
    try:
        run_steps(api, target, args, created)
        status = 0
    except (helios.OpenApiException, StepFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
    finally:
        if not clean_up(api, created):
            status = 1
    print("\nDone." if status == 0 else "\nFailed.")
    return status


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="A first tour of Helios user management.")
    parser.add_argument("--source-id", type=int, action="append", metavar="N",
                        help="protection source ID to assign to the group (repeatable)")
    parser.add_argument("--view-id", type=int, action="append", metavar="N",
                        help="view ID to assign to the group (repeatable)")
    args = parser.parse_args(argv)
    try:
        with open_target() as target, helios.ApiClient(target.configuration) as client:
            return tour(helios.UserApi(client), target, args)
    except (TargetError, helios.OpenApiException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
