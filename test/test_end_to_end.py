"""End to end: the real SDK against the embedded ``FakeHelios``, as an administrator works.

Each test is a workflow (onboard, change, audit, offboard...) driven through ``UserApi``
over real sockets, asserting the state the fake keeps by reading it back through the API.
The exact bytes on the wire are covered by ``test_operations.py``; here it is behaviour.
The last test tours all 27 operations and checks them against the spec's operation ids.
"""

from __future__ import annotations

import json
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set

import pytest

import cohesity_sdk.helios as h
from cohesity_sdk.helios.testing import FakeHelios, FakeRequest

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "helios-user-api.json"
SPEC: Dict[str, Any] = json.loads(SPEC_PATH.read_text())


def _spec_success_statuses() -> Dict[str, int]:
    """operationId -> the 2xx status the spec documents for it."""
    out: Dict[str, int] = {}
    for item in SPEC["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                codes = [int(c) for c in operation["responses"] if c.startswith("2")]
                assert len(codes) == 1, operation["operationId"]
                out[operation["operationId"]] = codes[0]
    return out


SUCCESS_STATUS = _spec_success_statuses()

# Far enough from "now" that the fake's clock can never cross them during a run.
FUTURE = datetime(2035, 6, 30, 12, 0, 0, 123000, tzinfo=timezone.utc)
PAST_ISO = "2001-01-01T00:00:00Z"


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def api(fake: FakeHelios) -> Iterator[h.UserApi]:
    # retries=0: an error status must reach the test as the fake answered it.
    with h.ApiClient(fake.configuration(retries=0)) as client:
        yield h.UserApi(client)


# -- helpers -----------------------------------------------------------------------------


@contextmanager
def api_as(fake: FakeHelios, secret: str, **settings: Any) -> Iterator[h.UserApi]:
    """A separate client that authenticates with ``secret``, as another script would."""
    configuration = fake.configuration(
        retries=0, api_key={"APIKeyHeader": secret}, **settings
    )
    with h.ApiClient(configuration) as client:
        yield h.UserApi(client)


def local_user(
    username: str,
    password: str = "Secr3t!pw",
    email: Optional[str] = None,
    roles: Optional[List[str]] = None,
) -> h.CreateUserParameters:
    return h.CreateUserParameters(
        username=username,
        domain="LOCAL",
        roles=roles if roles is not None else ["COHESITY_VIEWER"],
        local_user_params=h.LocalUserParams(
            email=email or f"{username}@example.com", password=password
        ),
    )


def ad_user(username: str, roles: Optional[List[str]] = None) -> h.CreateUserParameters:
    return h.CreateUserParameters(
        username=username, domain="corp.example.com", roles=roles or ["COHESITY_VIEWER"]
    )


def users_of(found: h.UsersList) -> List[h.UserParams]:
    assert found.users is not None
    return found.users


def groups_of(found: h.Groups) -> List[h.GroupParams]:
    assert found.groups is not None
    return found.groups


def usernames(found: h.UsersList) -> List[str]:
    return [str(u.username) for u in users_of(found)]


def group_names(found: h.Groups) -> List[str]:
    return [str(g.name) for g in groups_of(found)]


def sid(obj: Any) -> str:
    assert isinstance(obj.sid, str) and obj.sid, obj
    return obj.sid


def create_one(api: h.UserApi, params: h.CreateUserParameters, **kw: Any) -> h.UserParams:
    (user,) = users_of(api.create_users([params], **kw))
    return user


def admin_sid(api: h.UserApi, **kw: Any) -> str:
    (admin,) = users_of(api.get_users(usernames=["admin"], **kw))
    return sid(admin)


def login(api: h.UserApi, username: str, password: str, **kw: Any) -> str:
    session = api.create_session(
        h.CreateUserSessionRequestParams(username=username, domain="LOCAL", password=password),
        **kw,
    )
    assert isinstance(session.session_id, str) and session.session_id
    return session.session_id


def sessions_by_sid(counts: h.ActiveSessionsCountParams) -> Dict[str, int]:
    return {str(c.sid): int(c.sessions_count or 0) for c in counts.sessions_per_user or []}


def seed_tenant_users(fake: FakeHelios, items: List[Dict[str, Any]]) -> None:
    """Create tenant users with a raw POST: ``tenantId`` is a fake-only extension the
    SDK's ``CreateUserParameters`` rightly does not have (and would not send)."""
    request = urllib.request.Request(
        f"{fake.url}/users",
        data=json.dumps(items).encode(),
        method="POST",
        headers={"apiKey": fake.api_key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


def by_operation(requests: List[FakeRequest], operation_id: str) -> List[FakeRequest]:
    return [r for r in requests if r.operation_id == operation_id]


def header(request: FakeRequest, name: str) -> Optional[str]:
    lowered = {k.lower(): v for k, v in request.headers.items()}
    return lowered.get(name.lower())


# -- users -------------------------------------------------------------------------------


def test_onboard_a_local_and_a_directory_user(fake: FakeHelios, api: h.UserApi) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    response = api.create_users_with_http_info([
        local_user("alice", email="alice@example.com", roles=["COHESITY_VIEWER"]),
        ad_user("bob", roles=["AUDITOR"]),
    ])
    assert response.status_code == 201
    alice, bob = users_of(response.data)

    # The LOCAL user: password kept server-side, e-mail returned, primary group set.
    assert (alice.username, alice.domain, alice.roles) == ("alice", "LOCAL", ["COHESITY_VIEWER"])
    assert alice.primary_group == "local-users"
    assert alice.local_user_params is not None
    assert alice.local_user_params.email == "alice@example.com"
    assert "password" not in (alice.local_user_params.model_extra or {})
    assert (alice.locked, alice.locked_reason) == (False, h.LockedReason.NOT_LOCKED)
    assert alice.other_groups == [] and alice.tenant_id is None
    assert alice.s3_account_params is not None and alice.s3_account_params.s3_access_key_id
    # The directory user is only registered: no primary group, no local params.
    assert (bob.username, bob.domain, bob.roles) == ("bob", "corp.example.com", ["AUDITOR"])
    assert bob.primary_group is None and bob.local_user_params is None
    assert sid(alice) != sid(bob)

    # Read back: by SID, and in the listing after the seeded admin.
    fetched = api.get_user_by_sid_with_http_info(sid(alice))
    assert fetched.status_code == 200
    assert fetched.data == alice
    assert api.get_user_by_sid(sid(bob)) == bob
    assert usernames(api.get_users()) == ["admin", "alice", "bob"]

    # The new LOCAL user can log in; a directory user has no password here.
    login(api, "alice", "Secr3t!pw")
    with pytest.raises(h.UnauthorizedException):
        api.create_session(h.CreateUserSessionRequestParams(
            username="bob", domain="corp.example.com", password="anything"))


def test_a_duplicate_user_conflicts_and_creates_nothing(api: h.UserApi) -> None:
    create_one(api, local_user("alice"))
    # Same name in another case, in a batch with a new user: the whole batch is refused.
    with pytest.raises(h.ConflictException) as caught:
        api.create_users([local_user("carol"), local_user("ALICE")])
    assert caught.value.status == 409
    assert caught.value.data is not None and caught.value.data.error_code == "KAlreadyExists"
    assert usernames(api.get_users()) == ["admin", "alice"]
    # The same name in another domain is another user.
    assert create_one(api, ad_user("alice")).domain == "corp.example.com"


def test_unknown_user_sid_is_not_found(api: h.UserApi) -> None:
    ghost = "S-1-100-21-1-999999"
    with pytest.raises(h.NotFoundException) as caught:
        api.get_user_by_sid(ghost)
    assert caught.value.status == 404
    assert caught.value.data is not None and caught.value.data.error_code == "KNotFound"
    with pytest.raises(h.NotFoundException):
        api.update_user(ghost, h.UpdateUserParameters(description="x"))
    with pytest.raises(h.NotFoundException):
        api.delete_user(ghost)
    with pytest.raises(h.NotFoundException):
        api.regenerate_s3_key(ghost)
    with pytest.raises(h.NotFoundException):
        api.create_user_api_key(ghost, h.CreateOrUpdateAPIKeyRequest(name="k"))
    assert usernames(api.get_users()) == ["admin"]


def test_find_users_with_every_filter(fake: FakeHelios, api: h.UserApi) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    api.create_users([
        local_user("alice", email="Alice@Example.com", roles=["COHESITY_VIEWER"]),
        local_user("alicia", email="alicia@example.com", roles=["COHESITY_ADMIN", "AUDITOR"]),
        ad_user("bob", roles=["AUDITOR"]),
    ])
    seed_tenant_users(fake, [
        {"domain": "LOCAL", "username": "tina", "tenantId": "acme/",
         "localUserParams": {"password": "tina-Passw0rd"}},
        {"domain": "LOCAL", "username": "tom", "tenantId": "globex/",
         "localUserParams": {"password": "tom-Passw0rd"}},
    ])
    alice = sid(users_of(api.get_users(usernames=["alice"]))[0])
    bob = sid(users_of(api.get_users(usernames=["bob"]))[0])

    # Tenant users are hidden unless asked for.
    assert usernames(api.get_users()) == ["admin", "alice", "alicia", "bob"]
    # domain: case-insensitive.
    assert usernames(api.get_users(domain="local")) == ["admin", "alice", "alicia"]
    assert usernames(api.get_users(domain="CORP.EXAMPLE.COM")) == ["bob"]
    # sids: answer in creation order, whatever the order asked.
    assert usernames(api.get_users(sids=[bob, alice])) == ["alice", "bob"]
    # usernames: exact (case-insensitive) unless matchPartialNames.
    assert usernames(api.get_users(usernames=["ALICE"])) == ["alice"]
    assert usernames(api.get_users(usernames=["ali"])) == []
    assert usernames(api.get_users(usernames=["ali"], match_partial_names=True)) == [
        "alice", "alicia"
    ]
    assert usernames(
        api.get_users(usernames=["ali", "OB"], match_partial_names=True)
    ) == ["alice", "alicia", "bob"]
    # email_addresses: case-insensitive; users without an e-mail never match.
    assert usernames(api.get_users(email_addresses=["alice@example.COM"])) == ["alice"]
    assert usernames(
        api.get_users(email_addresses=["alice@example.com", "alicia@example.com"])
    ) == ["alice", "alicia"]
    # roles: any of them.
    assert usernames(api.get_users(roles=["AUDITOR"])) == ["alicia", "bob"]
    assert usernames(api.get_users(roles=["COHESITY_ADMIN"])) == ["admin", "alicia"]
    assert usernames(api.get_users(roles=["NO_SUCH_ROLE"])) == []
    # Filters combine with AND.
    assert usernames(api.get_users(domain="LOCAL", roles=["AUDITOR"])) == ["alicia"]
    assert usernames(api.get_users(sids=[bob], roles=["COHESITY_ADMIN"])) == []
    # Tenants: includeTenants adds all of them; tenantIds returns exactly those.
    assert usernames(api.get_users(include_tenants=True)) == [
        "admin", "alice", "alicia", "bob", "tina", "tom"
    ]
    only_acme = users_of(api.get_users(tenant_ids=["acme/"]))
    assert [(u.username, u.tenant_id) for u in only_acme] == [("tina", "acme/")]
    assert usernames(api.get_users(tenant_ids=["acme/", "globex/"])) == ["tina", "tom"]
    assert usernames(api.get_users(tenant_ids=["initech/"])) == []
    assert usernames(api.get_users(usernames=["t"], match_partial_names=True,
                                   include_tenants=True)) == ["tina", "tom"]


def test_update_user_roles_description_lock_expiry_and_password(fake: FakeHelios,
                                                                 api: h.UserApi) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    alice = create_one(api, local_user("alice", password="first-pw"))
    alice_sid = sid(alice)

    # Promote and describe; what is not sent stays as it was.
    response = api.update_user_with_http_info(alice_sid, h.UpdateUserParameters(
        roles=["COHESITY_ADMIN", "AUDITOR"], description="On-call admin"))
    assert response.status_code == 200
    assert response.data.roles == ["COHESITY_ADMIN", "AUDITOR"]
    assert response.data.description == "On-call admin"
    assert response.data.local_user_params is not None
    assert response.data.local_user_params.email == "alice@example.com"
    assert usernames(api.get_users(roles=["AUDITOR"])) == ["alice"]
    assert (response.data.last_updated_time_msecs or 0) >= (alice.created_time_msecs or 0)

    # Lock: the reason is the admin's, and the user can no longer log in.
    locked = api.update_user(alice_sid, h.UpdateUserParameters(locked=True))
    assert locked.locked is True
    assert locked.locked_reason == h.LockedReason.LOCKED_BY_ADMIN
    assert api.get_user_by_sid(alice_sid).locked_reason == h.LockedReason.LOCKED_BY_ADMIN
    assert locked.roles == ["COHESITY_ADMIN", "AUDITOR"]  # untouched by the lock
    with pytest.raises(h.UnauthorizedException):
        login(api, "alice", "first-pw")
    unlocked = api.update_user(alice_sid, h.UpdateUserParameters(locked=False))
    assert (unlocked.locked, unlocked.locked_reason) == (False, h.LockedReason.NOT_LOCKED)
    login(api, "alice", "first-pw")

    # Expiry: a datetime goes in as epoch ms and comes back as the same instant.
    expiry = h.to_epoch_msecs(FUTURE)
    assert expiry == h.to_epoch_msecs("2035-06-30T12:00:00.123Z")
    updated = api.update_user(alice_sid, h.UpdateUserParameters(expiry_time_msecs=expiry))
    assert updated.expiry_time_msecs == expiry
    stored = api.get_user_by_sid(alice_sid).expiry_time_msecs
    assert stored is not None and h.from_epoch_msecs(stored) == FUTURE
    assert h.to_iso8601(stored) == "2035-06-30T12:00:00.123Z"
    login(api, "alice", "first-pw")  # not expired yet
    # An expiry in the past shuts the account out.
    api.update_user(alice_sid, h.UpdateUserParameters(expiry_time_msecs=h.to_epoch_msecs(PAST_ISO)))
    with pytest.raises(h.UnauthorizedException):
        login(api, "alice", "first-pw")
    api.update_user(alice_sid, h.UpdateUserParameters(expiry_time_msecs=expiry))

    # Password change: a wrong current password is refused and changes nothing.
    with pytest.raises(h.BadRequestException):
        api.update_user(alice_sid, h.UpdateUserParameters(local_user_params=h.LocalUserUpdateParams(
            current_password="not-it", password="second-pw")))
    login(api, "alice", "first-pw")
    changed = api.update_user(alice_sid, h.UpdateUserParameters(
        local_user_params=h.LocalUserUpdateParams(current_password="first-pw",
                                                  password="second-pw")))
    assert changed.local_user_params is not None
    assert changed.local_user_params.email == "alice@example.com"  # kept
    with pytest.raises(h.UnauthorizedException):
        login(api, "alice", "first-pw")
    login(api, "alice", "second-pw")
    assert api.get_user_by_sid(alice_sid).last_login_time_msecs is not None


def test_offboard_users_one_by_one_and_in_bulk(fake: FakeHelios, api: h.UserApi) -> None:
    alice, bob, carol, dave = users_of(api.create_users([
        local_user("alice", password="a-pw"), local_user("bob"), local_user("carol"),
        ad_user("dave"),
    ]))
    # Give alice everything a user can own: a session, a key, a group, sources.
    login(api, "alice", "a-pw")
    key = api.create_user_api_key(sid(alice), h.CreateOrUpdateAPIKeyRequest(name="alice-ci"))
    assert key.api_key
    (team,) = groups_of(api.create_group([h.CreateGroupParams(
        name="team", domain="LOCAL",
        local_group_params=h.LocalGroupParams(user_sids=[sid(alice), sid(bob)]))]))
    api.update_principal_sources(sid(alice), h.AssignedSources(source_ids=[1], view_ids=[2]))

    deleted = api.delete_user_with_http_info(sid(alice))
    assert deleted.status_code == 204 and deleted.data is None
    with pytest.raises(h.NotFoundException):
        api.get_user_by_sid(sid(alice))
    # Everything alice owned went with her.
    assert sessions_by_sid(api.get_active_sessions_count()) == {}
    with pytest.raises(h.UnauthorizedException), api_as(fake, key.api_key) as as_alice:
        as_alice.get_users()
    assert [k.user_sid for k in api.get_all_api_keys().api_keys or []] == [admin_sid(api)]
    group = api.get_group_by_sid(sid(team))
    assert group.local_group_params is not None
    assert group.local_group_params.user_sids == [sid(bob)]
    with pytest.raises(h.NotFoundException):
        api.get_principal_sources(sid(alice))
    # Deleting again is a 404.
    with pytest.raises(h.NotFoundException):
        api.delete_user(sid(alice))

    # Bulk: all or nothing. One unknown SID refuses the whole request.
    with pytest.raises(h.NotFoundException):
        api.delete_users(h.DeleteUsersRequest(sids=[sid(bob), "S-1-100-21-1-424242"]))
    assert usernames(api.get_users()) == ["admin", "bob", "carol", "dave"]
    bulk = api.delete_users_with_http_info(h.DeleteUsersRequest(sids=[sid(bob), sid(dave)]))
    assert bulk.status_code == 204 and bulk.data is None
    assert usernames(api.get_users()) == ["admin", "carol"]
    group = api.get_group_by_sid(sid(team))
    assert group.local_group_params is not None and group.local_group_params.user_sids == []
    assert api.get_user_by_sid(sid(carol)).username == "carol"


# -- groups ------------------------------------------------------------------------------


def test_group_lifecycle_and_membership(fake: FakeHelios, api: h.UserApi) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    alice, bob, carol = users_of(api.create_users([
        local_user("alice"), local_user("bob"), local_user("carol"),
    ]))
    response = api.create_group_with_http_info([
        h.CreateGroupParams(name="backup-admins", domain="LOCAL", roles=["COHESITY_ADMIN"],
                            description="Run the backups",
                            local_group_params=h.LocalGroupParams(user_sids=[sid(alice)])),
        h.CreateGroupParams(name="backup-viewers", domain="LOCAL", roles=["COHESITY_VIEWER"]),
        h.CreateGroupParams(name="Engineering", domain="corp.example.com", roles=["AUDITOR"]),
        h.CreateGroupParams(name="acme-ops", domain="LOCAL", roles=["COHESITY_VIEWER"],
                            tenant_ids=["acme/"]),
    ])
    assert response.status_code == 201
    admins, viewers, engineering, acme_ops = groups_of(response.data)
    assert (admins.name, admins.domain, admins.roles, admins.description) == (
        "backup-admins", "LOCAL", ["COHESITY_ADMIN"], "Run the backups")
    assert admins.local_group_params is not None
    assert admins.local_group_params.user_sids == [sid(alice)]
    assert viewers.local_group_params is not None and viewers.local_group_params.user_sids == []
    # A directory group has no local members; a tenant group carries its tenant.
    assert engineering.local_group_params is None
    assert acme_ops.tenant_ids == ["acme/"] and admins.tenant_ids == []
    # Membership shows on the user.
    assert api.get_user_by_sid(sid(alice)).other_groups == ["backup-admins"]

    fetched = api.get_group_by_sid_with_http_info(sid(admins))
    assert fetched.status_code == 200 and fetched.data == admins

    # Filters.
    assert group_names(api.get_groups()) == ["backup-admins", "backup-viewers", "Engineering"]
    assert group_names(api.get_groups(names=["BACKUP-ADMINS"])) == ["backup-admins"]
    assert group_names(api.get_groups(names=["backup"])) == []
    assert group_names(api.get_groups(names=["backup"], match_partial_names=True)) == [
        "backup-admins", "backup-viewers"
    ]
    assert group_names(api.get_groups(domain="corp.example.com")) == ["Engineering"]
    assert group_names(api.get_groups(roles=["COHESITY_ADMIN", "AUDITOR"])) == [
        "backup-admins", "Engineering"
    ]
    assert group_names(api.get_groups(sids=[sid(engineering), sid(viewers)])) == [
        "backup-viewers", "Engineering"
    ]
    assert group_names(api.get_groups(tenant_ids=["acme/"])) == ["acme-ops"]
    assert group_names(api.get_groups(tenant_ids=["globex/"])) == []
    assert group_names(api.get_groups(include_tenants=True)) == [
        "backup-admins", "backup-viewers", "Engineering", "acme-ops"
    ]

    # Membership is replaced by update_group; users' other_groups follow.
    updated = api.update_group_with_http_info(sid(admins), h.UpdateGroupParameters(
        local_group_params=h.LocalGroupParams(user_sids=[sid(bob), sid(carol)]),
        description="Rotating on-call"))
    assert updated.status_code == 200
    assert updated.data.local_group_params is not None
    assert updated.data.local_group_params.user_sids == [sid(bob), sid(carol)]
    assert (updated.data.description, updated.data.roles) == (
        "Rotating on-call", ["COHESITY_ADMIN"])
    api.update_group(sid(viewers), h.UpdateGroupParameters(
        local_group_params=h.LocalGroupParams(user_sids=[sid(bob)])))
    assert api.get_user_by_sid(sid(alice)).other_groups == []
    assert api.get_user_by_sid(sid(bob)).other_groups == ["backup-admins", "backup-viewers"]
    assert api.get_user_by_sid(sid(carol)).other_groups == ["backup-admins"]
    # An unknown member is refused and the group is left alone.
    with pytest.raises(h.NotFoundException):
        api.update_group(sid(admins), h.UpdateGroupParameters(
            local_group_params=h.LocalGroupParams(user_sids=["S-1-100-21-1-777777"])))
    after = api.get_group_by_sid(sid(admins)).local_group_params
    assert after is not None and after.user_sids == [sid(bob), sid(carol)]

    # Duplicate names conflict (case-insensitively) and unknown SIDs are 404s.
    with pytest.raises(h.ConflictException):
        api.create_group([h.CreateGroupParams(name="Backup-Admins", domain="local")])
    with pytest.raises(h.NotFoundException):
        api.get_group_by_sid("S-1-100-21-1-888888")

    # Delete one, then the rest in bulk (all or nothing).
    deleted = api.delete_group_with_http_info(sid(admins))
    assert deleted.status_code == 204 and deleted.data is None
    with pytest.raises(h.NotFoundException):
        api.get_group_by_sid(sid(admins))
    assert api.get_user_by_sid(sid(bob)).other_groups == ["backup-viewers"]
    assert api.get_user_by_sid(sid(carol)).other_groups == []
    with pytest.raises(h.NotFoundException):
        api.delete_group(sid(admins))
    with pytest.raises(h.NotFoundException):
        api.delete_groups(h.DeleteGroupsRequest(sids=[sid(viewers), sid(admins)]))
    assert group_names(api.get_groups()) == ["backup-viewers", "Engineering"]
    bulk = api.delete_groups_with_http_info(h.DeleteGroupsRequest(
        sids=[sid(viewers), sid(engineering), sid(acme_ops)]))
    assert bulk.status_code == 204 and bulk.data is None
    assert group_names(api.get_groups(include_tenants=True)) == []
    assert api.get_user_by_sid(sid(bob)).other_groups == []
    # Users outlive their groups.
    assert usernames(api.get_users()) == ["admin", "alice", "bob", "carol"]


# -- sessions ----------------------------------------------------------------------------


def test_sessions_count_and_revoke(api: h.UserApi) -> None:
    alice, bob = users_of(api.create_users([
        local_user("alice", password="a-pw"), local_user("bob", password="b-pw"),
    ]))
    admin = admin_sid(api)

    response = api.create_session_with_http_info(
        h.CreateUserSessionRequestParams(username="admin", domain="LOCAL", password="admin"))
    assert response.status_code == 201
    assert response.data.session_id
    first, second = login(api, "alice", "a-pw"), login(api, "alice", "a-pw")
    assert first != second
    login(api, "bob", "b-pw")
    # The domain defaults to LOCAL.
    api.create_session(h.CreateUserSessionRequestParams(username="bob", password="b-pw"))

    # Bad credentials: 401, and no session is made.
    for username, password in (("alice", "wrong"), ("nobody", "a-pw"), ("admin", "")):
        with pytest.raises(h.UnauthorizedException) as caught:
            login(api, username, password)
        assert caught.value.status == 401
        assert "a-pw" not in str(caught.value)

    counted = api.get_active_sessions_count_with_http_info()
    assert counted.status_code == 200
    assert counted.data.total_sessions_count == 5
    assert sessions_by_sid(counted.data) == {admin: 1, sid(alice): 2, sid(bob): 2}
    only_alice = api.get_active_sessions_count(sids=[sid(alice)])
    assert only_alice.total_sessions_count == 2
    assert sessions_by_sid(only_alice) == {sid(alice): 2}
    nobody = api.get_active_sessions_count(sids=["S-1-100-21-1-5"])
    assert (nobody.total_sessions_count, sessions_by_sid(nobody)) == (0, {})

    # Revoke alice's sessions only.
    revoked = api.delete_session_with_http_info(sid=sid(alice))
    assert revoked.status_code == 204 and revoked.data is None
    after = api.get_active_sessions_count()
    assert after.total_sessions_count == 3
    assert sessions_by_sid(after) == {admin: 1, sid(bob): 2}
    with pytest.raises(h.NotFoundException):
        api.delete_session(sid="S-1-100-21-1-5")
    # Revoke everyone's: only when asked for in so many words.
    with pytest.raises(h.ApiValueError, match="all_sessions=True"):
        api.delete_session(sid=None)
    assert api.get_active_sessions_count().total_sessions_count == 3
    api.delete_session(all_sessions=True)
    empty = api.get_active_sessions_count()
    assert empty.total_sessions_count == 0 and sessions_by_sid(empty) == {}
    # Logging in again still works.
    login(api, "alice", "a-pw")
    assert api.get_active_sessions_count().total_sessions_count == 1


# -- API keys ----------------------------------------------------------------------------


def test_api_key_lifecycle(fake: FakeHelios, api: h.UserApi) -> None:
    admin = admin_sid(api)
    bot = create_one(api, local_user("report-bot", roles=["COHESITY_VIEWER"]))
    bot_sid = sid(bot)

    # Create: the secret comes back once, and is never printed.
    response = api.create_user_api_key_with_http_info(
        bot_sid, h.CreateOrUpdateAPIKeyRequest(name="nightly", is_active=True,
                                               expiry_time_msecs=h.to_epoch_msecs(FUTURE)))
    assert response.status_code == 201
    created = response.data
    secret = created.api_key
    assert isinstance(secret, str) and len(secret) >= 16
    assert secret != fake.api_key
    assert (created.name, created.user_sid, created.created_by_user_sid) == (
        "nightly", bot_sid, admin)
    assert (created.is_active, created.is_expired) == (True, False)
    assert created.expiry_time_msecs == h.to_epoch_msecs(FUTURE)
    assert created.last_rotated_time_msecs is None
    key_id = created.id
    assert isinstance(key_id, str) and key_id
    for shown in (repr(created), str(created), created.to_str(), repr(response)):
        assert secret not in shown
    assert "***" in repr(created)

    # A separate client using the new secret works, and acts as its owner.
    with api_as(fake, secret) as as_bot:
        assert usernames(as_bot.get_users()) == ["admin", "report-bot"]
        own = as_bot.create_user_api_key(bot_sid, h.CreateOrUpdateAPIKeyRequest(name="own"))
        assert own.created_by_user_sid == bot_sid and own.id

    # Listings and lookups never carry the secret.
    listed = api.get_user_api_keys_with_http_info(bot_sid)
    assert listed.status_code == 200
    assert [k.name for k in listed.data.api_keys or []] == ["nightly", "own"]
    assert secret.encode() not in listed.raw_data
    everything = api.get_all_api_keys_with_http_info()
    assert everything.status_code == 200
    assert [(k.name, k.user_sid) for k in everything.data.api_keys or []] == [
        ("bootstrap", admin), ("nightly", bot_sid), ("own", bot_sid)]
    one = api.get_user_api_key_by_id_with_http_info(id=key_id, user_sid=bot_sid)
    assert one.status_code == 200
    assert (one.data.id, one.data.name, one.data.is_active) == (key_id, "nightly", True)
    for key in [*(listed.data.api_keys or []), *(everything.data.api_keys or []), one.data]:
        assert isinstance(key, h.UserAPIKey)
        assert not hasattr(key, "api_key")
        assert "apiKey" not in (key.model_extra or {})
        assert secret not in key.to_json()

    # Filters.
    assert [k.name for k in api.get_user_api_keys(bot_sid, ids=[key_id]).api_keys or []] == [
        "nightly"]
    assert [k.name for k in api.get_all_api_keys(owner_sids=[admin]).api_keys or []] == [
        "bootstrap"]
    assert api.get_all_api_keys(is_expired=True).api_keys == []

    # Deactivate: that key is refused, others keep working.
    updated = api.update_user_api_key_by_id_with_http_info(
        id=key_id, user_sid=bot_sid,
        body=h.CreateOrUpdateAPIKeyRequest(name="nightly", is_active=False))
    assert updated.status_code == 200
    assert (updated.data.is_active, updated.data.name) == (False, "nightly")
    assert updated.data.expiry_time_msecs == h.to_epoch_msecs(FUTURE)  # kept
    with api_as(fake, secret) as as_bot, pytest.raises(h.UnauthorizedException):
        as_bot.get_users()
    assert [k.name for k in api.get_user_api_keys(bot_sid, is_active=False).api_keys or []] == [
        "nightly"]
    assert [k.name for k in api.get_user_api_keys(bot_sid, is_active=True).api_keys or []] == [
        "own"]
    # Reactivate and rename: the same secret works again.
    api.update_user_api_key_by_id(id=key_id, user_sid=bot_sid, body=h.CreateOrUpdateAPIKeyRequest(
        name="nightly-report", is_active=True))
    with api_as(fake, secret) as as_bot:
        as_bot.get_users()
    assert api.get_user_api_key_by_id(id=key_id, user_sid=bot_sid).name == "nightly-report"

    # Rotate: a new secret, the old one is dead.
    rotated = api.rotate_user_api_key_with_http_info(user_sid=bot_sid, id=key_id)
    assert rotated.status_code == 200
    new_secret = rotated.data.api_key
    assert isinstance(new_secret, str) and new_secret and new_secret != secret
    assert rotated.data.id == key_id and rotated.data.last_rotated_time_msecs is not None
    assert new_secret not in repr(rotated.data)
    with api_as(fake, secret) as as_bot, pytest.raises(h.UnauthorizedException):
        as_bot.get_users()
    with api_as(fake, new_secret) as as_bot:
        assert usernames(as_bot.get_users()) == ["admin", "report-bot"]
    fetched = api.get_user_api_key_by_id(id=key_id, user_sid=bot_sid)
    assert fetched.last_rotated_time_msecs == rotated.data.last_rotated_time_msecs

    # A key is only found under its owner.
    with pytest.raises(h.NotFoundException):
        api.get_user_api_key_by_id(id=key_id, user_sid=admin)

    # Delete: gone, and its secret is refused.
    deleted = api.delete_user_api_key_by_id_with_http_info(user_sid=bot_sid, id=key_id)
    assert deleted.status_code == 204 and deleted.data is None
    with pytest.raises(h.NotFoundException):
        api.get_user_api_key_by_id(id=key_id, user_sid=bot_sid)
    with api_as(fake, new_secret) as as_bot, pytest.raises(h.UnauthorizedException):
        as_bot.get_users()
    assert [k.name for k in api.get_user_api_keys(bot_sid).api_keys or []] == ["own"]
    with pytest.raises(h.NotFoundException):
        api.delete_user_api_key_by_id(user_sid=bot_sid, id=key_id)


# -- security principals, sources and S3 -------------------------------------------------


def test_security_principals_and_assigned_sources(api: h.UserApi) -> None:
    alice = create_one(api, local_user("alice"))
    (ops,) = groups_of(api.create_group([h.CreateGroupParams(name="ops", domain="LOCAL")]))
    (eng,) = groups_of(api.create_group([
        h.CreateGroupParams(name="eng", domain="corp.example.com")]))

    found = api.get_security_principals_with_http_info(
        [sid(eng), sid(alice), "S-1-100-21-1-31337", sid(ops)])
    assert found.status_code == 200
    principals = found.data.security_principals or []
    # Unknown SIDs are left out; the answer follows the order asked.
    assert [(p.sid, p.object_class, p.principal_name, p.domain_name) for p in principals] == [
        (sid(eng), h.ObjectClass.GROUP, "eng", "corp.example.com"),
        (sid(alice), h.ObjectClass.USER, "alice", "LOCAL"),
        (sid(ops), h.ObjectClass.GROUP, "ops", "LOCAL"),
    ]
    assert principals[1].object_class == "User"  # the enum constants are the wire strings

    # Sources start empty; a PUT replaces both lists.
    initially = api.get_principal_sources_with_http_info(sid(alice))
    assert initially.status_code == 200
    assert (initially.data.source_ids, initially.data.view_ids) == ([], [])
    put = api.update_principal_sources_with_http_info(
        sid(alice), h.AssignedSources(source_ids=[101, 102], view_ids=[7]))
    assert put.status_code == 200
    assert (put.data.source_ids, put.data.view_ids) == ([101, 102], [7])
    again = api.get_principal_sources(sid(alice))
    assert (again.source_ids, again.view_ids) == ([101, 102], [7])
    api.update_principal_sources(sid(alice), h.AssignedSources(source_ids=[103]))
    replaced = api.get_principal_sources(sid(alice))
    assert (replaced.source_ids, replaced.view_ids) == ([103], [])
    # Groups have their own; others are untouched.
    api.update_principal_sources(sid(ops), h.AssignedSources(view_ids=[8, 9]))
    assert api.get_principal_sources(sid(ops)).view_ids == [8, 9]
    assert api.get_principal_sources(sid(eng)).view_ids == []
    assert api.get_principal_sources(sid(alice)).source_ids == [103]
    with pytest.raises(h.NotFoundException):
        api.get_principal_sources("S-1-100-21-1-31337")
    with pytest.raises(h.NotFoundException):
        api.update_principal_sources("S-1-100-21-1-31337", h.AssignedSources(source_ids=[1]))


def test_regenerate_s3_key(api: h.UserApi) -> None:
    alice = create_one(api, local_user("alice"))
    assert alice.s3_account_params is not None
    access_key_id = alice.s3_account_params.s3_access_key_id
    # The secret never appears on a user.
    assert alice.s3_account_params.s3_secret_key is None

    response = api.regenerate_s3_key_with_http_info(sid(alice))
    assert response.status_code == 201
    secret = response.data.secret_key
    assert isinstance(secret, str) and secret
    for shown in (repr(response.data), str(response.data), response.data.to_str(),
                  repr(response)):
        assert secret not in shown
    assert "***" in repr(response.data)
    again = api.regenerate_s3_key(sid(alice)).secret_key
    assert again and again != secret
    # The account and its access key id stay; still no secret on the user.
    after = api.get_user_by_sid(sid(alice)).s3_account_params
    assert after is not None
    assert after.s3_access_key_id == access_key_id and after.s3_secret_key is None


# -- tenant access -----------------------------------------------------------------------


def test_tenant_access(fake: FakeHelios, api: h.UserApi) -> None:
    response = api.get_tenant_access_with_http_info()
    assert response.status_code == 200
    active = response.data.tenant_accesses or []
    assert [(t.tenant_id, t.tenant_name, t.is_access_active, t.tenant_status) for t in active] == [
        ("acme/", "Acme", True, h.TenantStatus.ACTIVE)]
    (acme,) = active
    assert acme.roles == ["COHESITY_VIEWER"] and acme.tenant_type == h.TenantType.DMAAS
    assert [(c.cluster_id, c.region_id) for c in acme.clusters or []] == [
        (4213516873913468, "us-east-1")]

    everything = api.get_tenant_access(include_inactive=True).tenant_accesses or []
    assert [(t.tenant_id, t.is_access_active, t.tenant_status) for t in everything] == [
        ("acme/", True, "Active"), ("globex/", False, "Inactive")]
    assert everything[1].expired_time_msecs is not None

    fake.add_tenant_access("umbrella/", ["COHESITY_ADMIN"], [1234567])
    listed = api.get_tenant_access(tenant_ids=["umbrella/", "globex/"]).tenant_accesses
    assert [t.tenant_id for t in listed or []] == ["umbrella/"]  # globex is inactive
    listed = api.get_tenant_access(tenant_ids=["umbrella/", "globex/"],
                                   include_inactive=True).tenant_accesses
    assert [(t.tenant_id, t.tenant_name) for t in listed or []] == [
        ("globex/", "Globex"), ("umbrella/", "Umbrella")]
    assert api.get_tenant_access(tenant_ids=["initech/"]).tenant_accesses == []
    assert [t.tenant_id for t in api.get_tenant_access().tenant_accesses or []] == [
        "acme/", "umbrella/"]


# -- routing -----------------------------------------------------------------------------


def test_clusters_are_isolated_per_call_and_by_default(fake: FakeHelios, api: h.UserApi) -> None:
    # Per call: a user made on cluster 7 exists only there.
    alice = create_one(api, local_user("alice", password="a-pw"), access_cluster_id=7)
    assert usernames(api.get_users(access_cluster_id=7)) == ["admin", "alice"]
    assert usernames(api.get_users(access_cluster_id=9)) == ["admin"]
    assert usernames(api.get_users()) == ["admin"]
    assert api.get_user_by_sid(sid(alice), access_cluster_id=7).username == "alice"
    with pytest.raises(h.NotFoundException):
        api.get_user_by_sid(sid(alice), access_cluster_id=9)
    with pytest.raises(h.NotFoundException):
        api.get_user_by_sid(sid(alice))
    # Each cluster has its own admin, and the same name can be reused elsewhere.
    admins = {admin_sid(api, access_cluster_id=c) for c in (7, 9)} | {admin_sid(api)}
    assert len(admins) == 3
    alice_on_9 = create_one(api, local_user("alice", password="other"), access_cluster_id=9)
    assert sid(alice_on_9) != sid(alice)
    login(api, "alice", "a-pw", access_cluster_id=7)
    with pytest.raises(h.UnauthorizedException):
        login(api, "alice", "a-pw", access_cluster_id=9)
    assert api.get_active_sessions_count(access_cluster_id=7).total_sessions_count == 1
    assert api.get_active_sessions_count(access_cluster_id=9).total_sessions_count == 0

    # A key made on cluster 7 opens cluster 7 only.
    key = api.create_user_api_key(sid(alice), h.CreateOrUpdateAPIKeyRequest(name="c7"),
                                  access_cluster_id=7)
    assert key.api_key
    with api_as(fake, key.api_key) as as_alice:
        assert usernames(as_alice.get_users(access_cluster_id=7)) == ["admin", "alice"]
        with pytest.raises(h.UnauthorizedException):
            as_alice.get_users(access_cluster_id=9)
        with pytest.raises(h.UnauthorizedException):
            as_alice.get_users()

    # As a Configuration default: every routed call goes to cluster 7, unless overridden.
    with api_as(fake, fake.api_key, access_cluster_id=7) as on_7:
        assert usernames(on_7.get_users()) == ["admin", "alice"]
        (grp,) = groups_of(on_7.create_group([h.CreateGroupParams(name="c7", domain="LOCAL")]))
        # A per-call value wins over the default: this alice is cluster 9's.
        (on_9,) = users_of(on_7.get_users(access_cluster_id=9, usernames=["alice"]))
        assert sid(on_9) == sid(alice_on_9)
        assert group_names(api.get_groups(access_cluster_id=7)) == ["c7"]
        assert group_names(api.get_groups()) == []
        assert group_names(on_7.get_groups(access_cluster_id=9)) == []
        # tenant access is Helios-level: the default is not sent to it.
        assert on_7.get_tenant_access().tenant_accesses
        on_7.delete_group(sid(grp))
    assert group_names(api.get_groups(access_cluster_id=7)) == []

    log = fake.requests
    first = by_operation(log, "create_users")[0]
    assert header(first, "accessClusterId") == "7"
    routed = [header(r, "accessClusterId") for r in by_operation(log, "get_groups")]
    assert routed == ["7", None, "9", "7"]
    (tenant_call,) = by_operation(log, "get_tenant_access")
    assert header(tenant_call, "accessClusterId") is None
    assert all(header(r, "apiKey") == "***" for r in log)


def test_region_id_per_call_and_by_default(fake: FakeHelios, api: h.UserApi) -> None:
    api.get_users(region_id="eu-west-1")
    api.get_tenant_access(region_id="us-east-1")
    with api_as(fake, fake.api_key, region_id="ap-south-1", access_cluster_id=5) as regional:
        regional.get_users()
        regional.get_tenant_access()
        regional.get_groups(region_id="us-west-2")  # a per-call value wins

    seen = [(r.operation_id, header(r, "regionId"), header(r, "accessClusterId"))
            for r in fake.requests]
    assert seen == [
        ("get_users", "eu-west-1", None),
        ("get_tenant_access", "us-east-1", None),
        ("get_users", "ap-south-1", "5"),
        ("get_tenant_access", "ap-south-1", None),
        ("get_groups", "us-west-2", "5"),
    ]
    assert all(r.status == 200 for r in fake.requests)


# -- the tour ----------------------------------------------------------------------------


def test_tour_calls_all_27_operations(fake: FakeHelios, api: h.UserApi) -> None:
    """Every operation once, through ``_with_http_info``, each with the spec's status."""
    statuses: Dict[str, int] = {}

    def record(operation_id: str, response: h.ApiResponse[Any]) -> Any:
        statuses[operation_id] = response.status_code
        if SUCCESS_STATUS[operation_id] == 204:
            assert response.data is None and response.raw_data == b""
        return response.data

    created = record("create_users", api.create_users_with_http_info([
        local_user("alice", password="a-pw"), local_user("bob"), local_user("carol")]))
    alice, bob, carol = users_of(created)
    assert usernames(record("get_users", api.get_users_with_http_info(domain="LOCAL"))) == [
        "admin", "alice", "bob", "carol"]
    assert record("get_user_by_sid", api.get_user_by_sid_with_http_info(sid(alice))) == alice
    assert record("update_user", api.update_user_with_http_info(
        sid(alice), h.UpdateUserParameters(description="tour"))).description == "tour"
    assert record("regenerate_s3_key", api.regenerate_s3_key_with_http_info(sid(bob))).secret_key

    assert record("create_session", api.create_session_with_http_info(
        h.CreateUserSessionRequestParams(username="alice", password="a-pw"))).session_id
    counts = record("get_active_sessions_count", api.get_active_sessions_count_with_http_info())
    assert sessions_by_sid(counts) == {sid(alice): 1}
    record("delete_session", api.delete_session_with_http_info(sid=sid(alice)))

    key = record("create_user_api_key", api.create_user_api_key_with_http_info(
        sid(bob), h.CreateOrUpdateAPIKeyRequest(name="tour")))
    key_id = str(key.id)
    assert [k.id for k in record("get_user_api_keys", api.get_user_api_keys_with_http_info(
        sid(bob))).api_keys] == [key_id]
    assert len(record("get_all_api_keys", api.get_all_api_keys_with_http_info()).api_keys) == 2
    assert record("get_user_api_key_by_id", api.get_user_api_key_by_id_with_http_info(
        id=key_id, user_sid=sid(bob))).name == "tour"
    assert record("update_user_api_key_by_id", api.update_user_api_key_by_id_with_http_info(
        id=key_id, user_sid=sid(bob), body=h.CreateOrUpdateAPIKeyRequest(name="tour-2"),
    )).name == "tour-2"
    assert record("rotate_user_api_key", api.rotate_user_api_key_with_http_info(
        user_sid=sid(bob), id=key_id)).api_key != key.api_key
    record("delete_user_api_key_by_id", api.delete_user_api_key_by_id_with_http_info(
        user_sid=sid(bob), id=key_id))

    team, extra_a, extra_b = groups_of(record("create_group", api.create_group_with_http_info([
        h.CreateGroupParams(name="team", domain="LOCAL"),
        h.CreateGroupParams(name="extra-a", domain="LOCAL"),
        h.CreateGroupParams(name="extra-b", domain="LOCAL"),
    ])))
    assert group_names(record("get_groups", api.get_groups_with_http_info(
        names=["extra"], match_partial_names=True))) == ["extra-a", "extra-b"]
    assert record("get_group_by_sid", api.get_group_by_sid_with_http_info(sid(team))) == team
    record("update_group", api.update_group_with_http_info(sid(team), h.UpdateGroupParameters(
        local_group_params=h.LocalGroupParams(user_sids=[sid(carol)]))))
    assert api.get_user_by_sid(sid(carol)).other_groups == ["team"]  # extra get_user_by_sid

    principals = record("get_security_principals", api.get_security_principals_with_http_info(
        [sid(carol), sid(team)])).security_principals
    assert [p.object_class for p in principals] == [h.ObjectClass.USER, h.ObjectClass.GROUP]
    assert record("get_principal_sources", api.get_principal_sources_with_http_info(
        sid(team))).source_ids == []
    assert record("update_principal_sources", api.update_principal_sources_with_http_info(
        sid(team), h.AssignedSources(source_ids=[1]))).source_ids == [1]
    assert record("get_tenant_access", api.get_tenant_access_with_http_info(
        include_inactive=True)).tenant_accesses

    record("delete_group", api.delete_group_with_http_info(sid(team)))
    record("delete_groups", api.delete_groups_with_http_info(
        h.DeleteGroupsRequest(sids=[sid(extra_a), sid(extra_b)])))
    record("delete_user", api.delete_user_with_http_info(sid(alice)))
    record("delete_users", api.delete_users_with_http_info(
        h.DeleteUsersRequest(sids=[sid(bob), sid(carol)])))
    assert usernames(api.get_users()) == ["admin"]
    assert group_names(api.get_groups()) == []

    spec_ids: Set[str] = set(SUCCESS_STATUS)
    assert len(spec_ids) == 27
    # Every operation was called, and each answered the status the spec documents,
    # as the SDK saw it and as the fake logged it.
    assert statuses == SUCCESS_STATUS
    log = fake.requests
    assert {r.operation_id for r in log} == spec_ids
    assert all(r.status == SUCCESS_STATUS[str(r.operation_id)] for r in log)
