"""Every UserApi operation against a real HTTP server: what goes on the wire, what comes back.

The expectations (targets, headers, JSON bodies) are written out by hand from
spec/helios-user-api.json and never computed with SDK code, so a mistake in the generator
or in the engine shows up as a difference on the wire. Nothing in the SDK is mocked: each
call goes through urllib3 to the recording server of conftest.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pytest
import urllib3
from conftest import API_KEY, Recorded, RecordingServer

import cohesity_sdk
import cohesity_sdk.helios as h

SPEC = json.loads(
    (Path(__file__).resolve().parent.parent / "spec" / "helios-user-api.json").read_text()
)

# 2**53 + 1: arrives intact only if it is sent as an exact decimal, never through a float.
ACID = 9007199254740993
ROUTE_KW: Dict[str, Any] = {"access_cluster_id": ACID, "region_id": "us-east-1"}
ROUTING: Dict[str, str] = {"accessClusterId": "9007199254740993", "regionId": "us-east-1"}

# Headers the HTTP stack adds on its own; every other header is the SDK's doing.
TRANSPORT_HEADERS = {"host", "accept-encoding", "content-length", "connection"}
USER_AGENT = re.compile(rf"cohesity-helios/{re.escape(cohesity_sdk.__version__)}(?: |$)")


# -- helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One operation called with realistic arguments, and what must happen on the wire."""

    op: str
    args: Tuple[Any, ...]  # the required arguments, positionally, in signature order
    kwargs: Dict[str, Any]  # optional arguments
    method: str
    target: str  # path and query exactly as they must arrive
    body: Any  # the JSON the server must receive; None: no body at all
    status: int  # the spec's success status
    reply: Any  # the server's answer in the spec's shape; None for a 204
    returns: Optional[str]  # the spec's response model; None for a 204
    expect: Dict[str, Any] = field(default_factory=dict)  # attribute path -> value
    types: Dict[str, str] = field(default_factory=dict)  # attribute path -> nested model
    routing: Dict[str, str] = field(default_factory=lambda: dict(ROUTING))


def sdk_headers(request: Recorded) -> Dict[str, str]:
    """The request's headers without the ones the HTTP stack adds by itself."""
    return {k: v for k, v in request.headers.items() if k.lower() not in TRANSPORT_HEADERS}


def expected_headers(has_body: bool, routing: Dict[str, str]) -> Dict[str, str]:
    """The SDK-controlled headers of a call, User-Agent aside (its suffix varies)."""
    headers = {"apiKey": API_KEY, "Accept": "application/json", **routing}
    if has_body:
        headers["Content-Type"] = "application/json"
    return headers


def check_headers(request: Recorded, expected: Dict[str, str]) -> None:
    headers = sdk_headers(request)
    user_agent = headers.pop("User-Agent", "")
    assert USER_AGENT.match(user_agent), user_agent
    assert headers == expected


def check_request(request: Recorded, case: Case, routing: Optional[Dict[str, str]] = None) -> None:
    """Method, raw target, the exact SDK headers and the exact JSON body of ``case``."""
    assert request.method == case.method
    assert request.target == case.target
    check_headers(
        request,
        expected_headers(case.body is not None, case.routing if routing is None else routing),
    )
    if case.body is None:
        assert request.body == b""
    else:
        assert request.json() == case.body
        # Compact JSON: the bytes are the received document re-dumped without spaces.
        assert request.body == json.dumps(request.json(), separators=(",", ":")).encode()


def dig(obj: Any, path: str) -> Any:
    """``dig(x, "users.0.local_user_params.email")`` -> ``x.users[0].local_user_params.email``."""
    for part in path.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def check_result(result: Any, case: Case) -> None:
    if case.returns is None:
        assert result is None
        return
    assert type(result) is getattr(h, case.returns)
    for path, value in case.expect.items():
        assert dig(result, path) == value, path
    for path, model in case.types.items():
        assert type(dig(result, path)) is getattr(h, model), path


def serve(server: RecordingServer, case: Case) -> bytes:
    """Queue the case's answer; return the exact bytes the server will send."""
    if case.reply is None:
        server.reply(case.status)
        return b""
    payload = json.dumps(case.reply).encode()
    server.reply(case.status, payload)
    return payload


def call(api: h.UserApi, case: Case, suffix: str = "", **overrides: Any) -> Any:
    return getattr(api, case.op + suffix)(*case.args, **{**case.kwargs, **overrides})


# -- the table: all 27 operations ---------------------------------------------------------

USER_REPLY = {
    "username": "alice",
    "domain": "LOCAL",
    "sid": "S-1-100-1001",
    "roles": ["COHESITY_VIEWER"],
    "locked": False,
    "lockedReason": "NotLocked",
    "createdTimeMsecs": 1700000000000,
    "localUserParams": {"email": "alice@example.com"},
    "s3AccountParams": {"s3AccountId": "acct-1001", "s3AccessKeyId": "AKIA1001"},
}
GROUP_REPLY = {
    "name": "ops",
    "domain": "LOCAL",
    "sid": "S-1-100-2001",
    "roles": ["COHESITY_VIEWER"],
    "restricted": False,
    "localGroupParams": {"userSids": ["S-1-100-1001"]},
    "smbPrincipals": [{"domain": "LOCAL", "name": "ops", "objectClass": "Group"}],
    "createdTimeMsecs": 1700000000000,
}
API_KEY_REPLY = {
    "id": "key-1",
    "name": "ci-pipeline",
    "userSid": "S-1-100-1001",
    "createdByUserSid": "S-1-100-1",
    "isActive": True,
    "isExpired": False,
    "createdTimeMsecs": 1700000000000,
    "expiryTimeMsecs": 1801353600000,
}
CREATED_KEY_REPLY = {
    **API_KEY_REPLY,
    "apiKey": "hx-7f3a9c0d",
    "lastRotatedTimeMsecs": 1710000000000,
}
AD_SID = "S-1-5-21-3623811015-3361044348-30300820-1013"

CASES: List[Case] = [
    Case(
        op="create_group",
        args=(
            [
                h.CreateGroupParams(
                    name="ops",
                    domain="LOCAL",
                    description="Operators",
                    roles=["COHESITY_VIEWER"],
                    restricted=False,
                    local_group_params=h.LocalGroupParams(user_sids=["S-1-100-1001"]),
                    tenant_ids=["acme/"],
                )
            ],
        ),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/groups",
        body=[
            {
                "name": "ops",
                "domain": "LOCAL",
                "description": "Operators",
                "roles": ["COHESITY_VIEWER"],
                "restricted": False,
                "localGroupParams": {"userSids": ["S-1-100-1001"]},
                "tenantIds": ["acme/"],
            }
        ],
        status=201,
        reply={"groups": [GROUP_REPLY]},
        returns="Groups",
        expect={
            "groups.0.sid": "S-1-100-2001",
            "groups.0.local_group_params.user_sids": ["S-1-100-1001"],
            "groups.0.smb_principals.0.object_class": "Group",
            "groups.0.created_time_msecs": 1700000000000,
        },
        types={"groups.0": "GroupParams", "groups.0.smb_principals.0": "SMBPrincipal"},
    ),
    Case(
        op="create_session",
        args=(
            h.CreateUserSessionRequestParams(
                username="alice",
                password="Secr3t!",
                domain="LOCAL",
                otp_type="totp",
                otp_code="123456",
            ),
        ),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/users/sessions",
        body={
            "username": "alice",
            "password": "Secr3t!",
            "domain": "LOCAL",
            "otpType": "totp",
            "otpCode": "123456",
        },
        status=201,
        reply={"sessionId": "c2Vzc2lvbi0x"},
        returns="UserSession",
        expect={"session_id": "c2Vzc2lvbi0x"},
    ),
    Case(
        op="create_user_api_key",
        args=(
            "S-1-100-1001",
            h.CreateOrUpdateAPIKeyRequest(
                name="ci-pipeline", expiry_time_msecs=1801353600000, is_active=True
            ),
        ),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/users/S-1-100-1001/api-keys",
        body={"name": "ci-pipeline", "expiryTimeMsecs": 1801353600000, "isActive": True},
        status=201,
        reply=CREATED_KEY_REPLY,
        returns="CreatedUserAPIKey",
        expect={
            "id": "key-1",
            "api_key": "hx-7f3a9c0d",
            "is_active": True,
            "expiry_time_msecs": 1801353600000,
            "created_by_user_sid": "S-1-100-1",
        },
    ),
    Case(
        op="create_users",
        args=(
            [
                h.CreateUserParameters(
                    username="alice",
                    domain="LOCAL",
                    roles=["COHESITY_VIEWER"],
                    restricted=False,
                    effective_time_msecs=1700000000000,
                    local_user_params=h.LocalUserParams(
                        email="alice@example.com", password="Secr3t!"
                    ),
                ),
                h.CreateUserParameters(username="bob", domain="corp.example.com"),
            ],
        ),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/users",
        body=[
            {
                "username": "alice",
                "domain": "LOCAL",
                "roles": ["COHESITY_VIEWER"],
                "restricted": False,
                "effectiveTimeMsecs": 1700000000000,
                "localUserParams": {"email": "alice@example.com", "password": "Secr3t!"},
            },
            {"username": "bob", "domain": "corp.example.com"},
        ],
        status=201,
        reply={
            "users": [
                USER_REPLY,
                {"username": "bob", "domain": "corp.example.com", "sid": AD_SID},
            ]
        },
        returns="UsersList",
        expect={
            "users.0.local_user_params.email": "alice@example.com",
            "users.0.locked_reason": "NotLocked",
            "users.0.s3_account_params.s3_access_key_id": "AKIA1001",
            "users.1.username": "bob",
            "users.1.sid": AD_SID,
        },
        types={
            "users.0": "UserParams",
            "users.0.local_user_params": "LocalUserResponseParams",
            "users.0.s3_account_params": "S3AccountParams",
        },
    ),
    Case(
        op="delete_group",
        args=("S-1-100-2001",),
        kwargs=dict(ROUTE_KW),
        method="DELETE",
        target="/v2/groups/S-1-100-2001",
        body=None,
        status=204,
        reply=None,
        returns=None,
    ),
    Case(
        op="delete_groups",
        args=(h.DeleteGroupsRequest(sids=["S-1-100-2001", "S-1-100-2002"]),),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/groups/delete",
        body={"sids": ["S-1-100-2001", "S-1-100-2002"]},
        status=204,
        reply=None,
        returns=None,
    ),
    Case(
        op="delete_session",
        args=(),
        kwargs={**ROUTE_KW, "sid": "S-1-100-1001"},
        method="DELETE",
        target="/v2/users/sessions?sid=S-1-100-1001",
        body=None,
        status=204,
        reply=None,
        returns=None,
    ),
    Case(
        op="delete_user",
        args=("S-1-100-1001",),
        kwargs=dict(ROUTE_KW),
        method="DELETE",
        target="/v2/users/S-1-100-1001",
        body=None,
        status=204,
        reply=None,
        returns=None,
    ),
    Case(
        op="delete_user_api_key_by_id",
        args=("S-1-100-1001", "key-1"),
        kwargs=dict(ROUTE_KW),
        method="DELETE",
        target="/v2/users/S-1-100-1001/api-keys/key-1",
        body=None,
        status=204,
        reply=None,
        returns=None,
    ),
    Case(
        op="delete_users",
        args=(h.DeleteUsersRequest(sids=["S-1-100-1001", "S-1-100-1002"]),),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/users/delete",
        body={"sids": ["S-1-100-1001", "S-1-100-1002"]},
        status=204,
        reply=None,
        returns=None,
    ),
    Case(
        op="get_active_sessions_count",
        args=(),
        kwargs={**ROUTE_KW, "sids": ["S-1-100-1001", "S-1-100-1002"]},
        method="GET",
        target="/v2/users/sessions?sids=S-1-100-1001,S-1-100-1002",
        body=None,
        status=200,
        reply={
            "totalSessionsCount": 5,
            "sessionsPerUser": [
                {"sid": "S-1-100-1001", "sessionsCount": 3},
                {"sid": "S-1-100-1002", "sessionsCount": 2},
            ],
        },
        returns="ActiveSessionsCountParams",
        expect={"total_sessions_count": 5, "sessions_per_user.1.sessions_count": 2},
        types={"sessions_per_user.0": "UserSessionsCount"},
    ),
    Case(
        op="get_all_api_keys",
        args=(),
        kwargs={
            **ROUTE_KW,
            "ids": ["key-1", "key-2"],
            "owner_sids": ["S-1-100-1001"],
            "is_active": True,
            "is_expired": False,
        },
        method="GET",
        target="/v2/api-keys?ids=key-1,key-2&ownerSids=S-1-100-1001&isActive=true&isExpired=false",
        body=None,
        status=200,
        reply={"apiKeys": [API_KEY_REPLY, {**API_KEY_REPLY, "id": "key-2", "name": "backup"}]},
        returns="UserAPIKeys",
        expect={"api_keys.0.user_sid": "S-1-100-1001", "api_keys.1.name": "backup"},
        types={"api_keys.1": "UserAPIKey"},
    ),
    Case(
        op="get_group_by_sid",
        args=("S-1-100-2001",),
        kwargs=dict(ROUTE_KW),
        method="GET",
        target="/v2/groups/S-1-100-2001",
        body=None,
        status=200,
        reply=GROUP_REPLY,
        returns="GroupParams",
        expect={"name": "ops", "smb_principals.0.name": "ops", "restricted": False},
        types={"local_group_params": "LocalGroupParams"},
    ),
    Case(
        op="get_groups",
        args=(),
        kwargs={
            **ROUTE_KW,
            "names": ["ops", "dev team"],
            "roles": ["COHESITY_ADMIN", "COHESITY_VIEWER"],
            "domain": "LOCAL",
            "sids": ["S-1-100-2001"],
            "match_partial_names": True,
            "tenant_ids": ["acme/"],
            "include_tenants": False,
        },
        method="GET",
        target=(
            "/v2/groups?names=ops,dev%20team&roles=COHESITY_ADMIN,COHESITY_VIEWER&domain=LOCAL"
            "&sids=S-1-100-2001&matchPartialNames=true&tenantIds=acme%2F&includeTenants=false"
        ),
        body=None,
        status=200,
        reply={"groups": [GROUP_REPLY]},
        returns="Groups",
        expect={"groups.0.name": "ops", "groups.0.roles": ["COHESITY_VIEWER"]},
        types={"groups.0": "GroupParams"},
    ),
    Case(
        op="get_principal_sources",
        args=(AD_SID,),
        kwargs=dict(ROUTE_KW),
        method="GET",
        target=f"/v2/security-principals/{AD_SID}/sources",
        body=None,
        status=200,
        reply={"sourceIds": [1, 9007199254740993], "viewIds": [42]},
        returns="AssignedSources",
        expect={"source_ids": [1, 9007199254740993], "view_ids": [42]},
    ),
    Case(
        op="get_security_principals",
        args=(["S-1-5-21-1-1013", "S-1-5-21-1-513"],),
        kwargs=dict(ROUTE_KW),
        method="GET",
        target="/v2/security-principals?sids=S-1-5-21-1-1013,S-1-5-21-1-513",
        body=None,
        status=200,
        reply={
            "securityPrincipals": [
                {
                    "sid": "S-1-5-21-1-1013",
                    "domainName": "CORP",
                    "fullName": "Alice Smith",
                    "principalName": "alice",
                    "objectClass": "User",
                },
                {"sid": "S-1-5-21-1-513", "principalName": "Domain Users", "objectClass": "Group"},
            ]
        },
        returns="SecurityPrincipals",
        expect={
            "security_principals.0.full_name": "Alice Smith",
            "security_principals.1.object_class": "Group",
        },
        types={"security_principals.0": "SecurityPrincipal"},
    ),
    Case(
        op="get_tenant_access",
        args=(),
        kwargs={
            "region_id": "eu-west-1",
            "tenant_ids": ["acme/", "globex/"],
            "include_inactive": True,
        },
        method="GET",
        target="/v2/mcm/users/tenant-access?tenantIds=acme%2F,globex%2F&includeInactive=true",
        body=None,
        status=200,
        reply={
            "tenantAccesses": [
                {
                    "tenantId": "acme/",
                    "tenantName": "Acme",
                    "tenantStatus": "Active",
                    "tenantType": "Mcm",
                    "roles": ["COHESITY_VIEWER"],
                    "isAccessActive": True,
                    "clusters": [
                        {
                            "clusterId": 3245217534,
                            "clusterIncarnationId": 1591290539000,
                            "regionId": "eu-west-1",
                        }
                    ],
                }
            ]
        },
        returns="TenantAccessResult",
        expect={
            "tenant_accesses.0.tenant_status": "Active",
            "tenant_accesses.0.clusters.0.cluster_incarnation_id": 1591290539000,
            "tenant_accesses.0.clusters.0.region_id": "eu-west-1",
        },
        types={"tenant_accesses.0.clusters.0": "McmClusterIdentifier"},
        # No accessClusterId: the operation does not take one.
        routing={"regionId": "eu-west-1"},
    ),
    Case(
        op="get_user_api_key_by_id",
        args=("key-1", "S-1-100-1001"),  # id comes first in this signature
        kwargs=dict(ROUTE_KW),
        method="GET",
        target="/v2/users/S-1-100-1001/api-keys/key-1",
        body=None,
        status=200,
        reply=API_KEY_REPLY,
        returns="UserAPIKey",
        expect={"id": "key-1", "is_expired": False, "created_time_msecs": 1700000000000},
    ),
    Case(
        op="get_user_api_keys",
        args=("S-1-100-1001",),
        kwargs={**ROUTE_KW, "ids": ["key-1"], "is_active": False, "is_expired": True},
        method="GET",
        target="/v2/users/S-1-100-1001/api-keys?ids=key-1&isActive=false&isExpired=true",
        body=None,
        status=200,
        reply={"apiKeys": [{**API_KEY_REPLY, "isActive": False, "isExpired": True}]},
        returns="UserAPIKeys",
        expect={"api_keys.0.is_active": False, "api_keys.0.is_expired": True},
        types={"api_keys.0": "UserAPIKey"},
    ),
    Case(
        op="get_user_by_sid",
        args=("S-1-100-1001",),
        kwargs=dict(ROUTE_KW),
        method="GET",
        target="/v2/users/S-1-100-1001",
        body=None,
        status=200,
        reply=USER_REPLY,
        returns="UserParams",
        expect={
            "username": "alice",
            "local_user_params.email": "alice@example.com",
            "s3_account_params.s3_account_id": "acct-1001",
            "locked": False,
        },
        types={"local_user_params": "LocalUserResponseParams"},
    ),
    Case(
        op="get_users",
        args=(),
        kwargs={
            **ROUTE_KW,
            "domain": "LOCAL",
            "sids": ["S-1-100-1001", "S-1-100-1002"],
            "usernames": ["alice", "bob"],
            "match_partial_names": True,
            "email_addresses": ["alice@example.com", "bob@example.com"],
            "roles": ["COHESITY_VIEWER"],
            "tenant_ids": ["acme/"],
            "include_tenants": True,
        },
        method="GET",
        target=(
            "/v2/users?domain=LOCAL&sids=S-1-100-1001,S-1-100-1002&usernames=alice,bob"
            "&matchPartialNames=true&emailAddresses=alice%40example.com,bob%40example.com"
            "&roles=COHESITY_VIEWER&tenantIds=acme%2F&includeTenants=true"
        ),
        body=None,
        status=200,
        reply={"users": [USER_REPLY]},
        returns="UsersList",
        expect={
            "users.0.local_user_params.email": "alice@example.com",
            "users.0.sid": "S-1-100-1001",
            "users.0.created_time_msecs": 1700000000000,
        },
        types={"users.0": "UserParams", "users.0.local_user_params": "LocalUserResponseParams"},
    ),
    Case(
        op="regenerate_s3_key",
        args=("S-1-100-1001",),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/users/S-1-100-1001/s3-secret-key",
        body=None,
        status=201,
        reply={"secret-key": "wJalrXUtnFEMI/K7MDENG"},
        returns="SecretKeyEntity",
        expect={"secret_key": "wJalrXUtnFEMI/K7MDENG"},
    ),
    Case(
        op="rotate_user_api_key",
        args=("S-1-100-1001", "key-1"),
        kwargs=dict(ROUTE_KW),
        method="POST",
        target="/v2/users/S-1-100-1001/api-keys/key-1/rotate",
        body=None,
        status=200,
        reply=CREATED_KEY_REPLY,
        returns="CreatedUserAPIKey",
        expect={"api_key": "hx-7f3a9c0d", "last_rotated_time_msecs": 1710000000000},
    ),
    Case(
        op="update_group",
        args=(
            "S-1-100-2001",
            h.UpdateGroupParameters(
                description="On-call operators",
                roles=["COHESITY_ADMIN"],
                restricted=True,
                tenant_ids=["acme/"],
                local_group_params=h.LocalGroupParams(user_sids=["S-1-100-1001", "S-1-100-1002"]),
            ),
        ),
        kwargs=dict(ROUTE_KW),
        method="PUT",
        target="/v2/groups/S-1-100-2001",
        body={
            "description": "On-call operators",
            "roles": ["COHESITY_ADMIN"],
            "restricted": True,
            "tenantIds": ["acme/"],
            "localGroupParams": {"userSids": ["S-1-100-1001", "S-1-100-1002"]},
        },
        status=200,
        reply={**GROUP_REPLY, "roles": ["COHESITY_ADMIN"], "restricted": True},
        returns="GroupParams",
        expect={"roles": ["COHESITY_ADMIN"], "restricted": True, "sid": "S-1-100-2001"},
        types={"smb_principals.0": "SMBPrincipal"},
    ),
    Case(
        op="update_principal_sources",
        args=(AD_SID, h.AssignedSources(source_ids=[1, 9007199254740993], view_ids=[42])),
        kwargs=dict(ROUTE_KW),
        method="PUT",
        target=f"/v2/security-principals/{AD_SID}/sources",
        body={"sourceIds": [1, 9007199254740993], "viewIds": [42]},
        status=200,
        reply={"sourceIds": [1, 9007199254740993], "viewIds": [42]},
        returns="AssignedSources",
        expect={"source_ids": [1, 9007199254740993], "view_ids": [42]},
    ),
    Case(
        op="update_user",
        args=(
            "S-1-100-1001",
            h.UpdateUserParameters(
                description="Backup admin",
                roles=["COHESITY_ADMIN"],
                locked=False,
                expiry_time_msecs=1801353600000,
                local_user_params=h.LocalUserUpdateParams(
                    email="alice@example.org", password="N3w-Secr3t!", current_password="Secr3t!"
                ),
            ),
        ),
        kwargs=dict(ROUTE_KW),
        method="PUT",
        target="/v2/users/S-1-100-1001",
        body={
            "description": "Backup admin",
            "roles": ["COHESITY_ADMIN"],
            "locked": False,
            "expiryTimeMsecs": 1801353600000,
            "localUserParams": {
                "email": "alice@example.org",
                "password": "N3w-Secr3t!",
                "currentPassword": "Secr3t!",
            },
        },
        status=200,
        reply={
            **USER_REPLY,
            "roles": ["COHESITY_ADMIN"],
            "expiryTimeMsecs": 1801353600000,
            "localUserParams": {"email": "alice@example.org"},
        },
        returns="UserParams",
        expect={
            "roles": ["COHESITY_ADMIN"],
            "expiry_time_msecs": 1801353600000,
            "local_user_params.email": "alice@example.org",
        },
        types={"local_user_params": "LocalUserResponseParams"},
    ),
    Case(
        op="update_user_api_key_by_id",
        args=("key-1", "S-1-100-1001", h.CreateOrUpdateAPIKeyRequest(name="ci-2", is_active=False)),
        kwargs=dict(ROUTE_KW),
        method="PUT",
        target="/v2/users/S-1-100-1001/api-keys/key-1",
        body={"name": "ci-2", "isActive": False},
        status=200,
        reply={**API_KEY_REPLY, "name": "ci-2", "isActive": False},
        returns="UserAPIKey",
        expect={"name": "ci-2", "is_active": False},
    ),
]
CASE_IDS = [case.op for case in CASES]


def spec_operations() -> Dict[str, Tuple[str, str, Dict[str, Any]]]:
    """operationId -> (METHOD, path, operation) for every operation of the spec."""
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
    }


def test_table_covers_exactly_the_spec_operations() -> None:
    ops = spec_operations()
    assert len(CASE_IDS) == len(set(CASE_IDS)) == 27
    assert set(CASE_IDS) == set(ops)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_table_row_agrees_with_the_spec(case: Case) -> None:
    # Guards the hand-written table: a typo here would make the wire tests meaningless.
    method, path, op = spec_operations()[case.op]
    assert case.method == method
    assert [str(case.status)] == [code for code in op["responses"] if code != "default"]
    template = "".join(
        "[^/?]+" if part.startswith("{") else re.escape(part)
        for part in re.split(r"(\{[^}]+\})", path)
    )
    assert re.fullmatch(rf"/v2{template}(\?.+)?", case.target)
    content = op["responses"][str(case.status)].get("content")
    returns = content["application/json"]["schema"]["$ref"].split("/")[-1] if content else None
    assert case.returns == returns
    assert (case.body is not None) == ("requestBody" in op)
    signature = op["x-python-signature"]
    required = [p["x-python-name"] for p in op.get("parameters", []) if p.get("required")] + (
        ["body"] if op.get("requestBody", {}).get("required") else []
    )
    # The positional arguments fill the signature's leading, required, slots.
    assert signature[: len(case.args)] == [name for name in signature if name in required]
    assert set(case.kwargs) <= set(signature) - set(required)


def test_user_api_has_exactly_the_spec_methods() -> None:
    # Methods only: api_client and mode are the caller's attributes, not operations.
    public = {
        name
        for name in dir(h.UserApi)
        if not name.startswith("_") and callable(getattr(h.UserApi, name))
    }
    expected = {
        op + suffix
        for op in spec_operations()
        for suffix in ("", "_with_http_info", "_without_preload_content")
    }
    assert public == expected


# -- 1. every operation on the wire, and its decoded result ---------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_operation(case: Case, api: h.UserApi, server: RecordingServer) -> None:
    serve(server, case)
    result = call(api, case)
    assert len(server.requests) == 1
    check_request(server.last, case)
    check_result(result, case)


# -- 2. the _with_http_info and _without_preload_content variants ---------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_with_http_info(case: Case, api: h.UserApi, server: RecordingServer) -> None:
    serve(server, case)
    plain = call(api, case)
    payload = serve(server, case)
    info = call(api, case, "_with_http_info")
    assert len(server.requests) == 2
    check_request(server.requests[1], case)  # the very same request as the plain call
    assert isinstance(info, h.ApiResponse)
    assert info.status_code == case.status
    assert info.data == plain
    check_result(info.data, case)
    assert info.raw_data == payload
    assert "Content-Type" in info.headers


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_without_preload_content(case: Case, api: h.UserApi, server: RecordingServer) -> None:
    payload = serve(server, case)
    raw = call(api, case, "_without_preload_content")
    # urllib3 2 has a common base class; 1.26 has only HTTPResponse.
    assert isinstance(raw, getattr(urllib3, "BaseHTTPResponse", urllib3.HTTPResponse))
    try:
        assert raw.status == case.status
        assert raw.read() == payload
    finally:
        raw.release_conn()
    check_request(server.last, case)


# -- 3. encoding edge cases ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sid,segment",
    [
        ("a b/c", "a%20b%2Fc"),  # stays one segment
        ("jürgen", "j%C3%BCrgen"),  # UTF-8, then percent-encoded
        ("..", "%2E%2E"),  # a dot segment must not climb the path
        (".", "%2E"),
        ("100%", "100%25"),
        ("a?b#c", "a%3Fb%23c"),  # neither starts a query nor a fragment
        ("CORP\\alice", "CORP%5Calice"),
    ],
    ids=["space-slash", "unicode", "dotdot", "dot", "percent", "query-fragment", "backslash"],
)
def test_path_parameter_is_one_escaped_segment(
    sid: str, segment: str, api: h.UserApi, server: RecordingServer
) -> None:
    api.get_user_by_sid(sid)
    assert server.last.target == f"/v2/users/{segment}"


def test_two_path_parameters_land_in_their_own_slots(
    api: h.UserApi, server: RecordingServer
) -> None:
    # get_user_api_key_by_id takes (id, user_sid), in the reverse of the path's order.
    api.get_user_api_key_by_id("k/1", "S 1")
    api.delete_user_api_key_by_id("..", "..")
    api.update_user_api_key_by_id("k ü", "a/b", h.CreateOrUpdateAPIKeyRequest(name="n"))
    assert [r.target for r in server.requests] == [
        "/v2/users/S%201/api-keys/k%2F1",
        "/v2/users/%2E%2E/api-keys/%2E%2E",
        "/v2/users/a%2Fb/api-keys/k%20%C3%BC",
    ]


def test_array_items_are_escaped_and_joined_by_bare_commas(
    api: h.UserApi, server: RecordingServer
) -> None:
    api.get_users(sids=["a,b", "c d", "x&y=z", "ü"])
    api.get_security_principals(["S-1,S-2"])
    api.get_active_sessions_count(sids=["only"])
    assert [r.target for r in server.requests] == [
        "/v2/users?sids=a%2Cb,c%20d,x%26y%3Dz,%C3%BC",
        "/v2/security-principals?sids=S-1%2CS-2",
        "/v2/users/sessions?sids=only",
    ]


def test_scalar_query_values_are_escaped(api: h.UserApi, server: RecordingServer) -> None:
    api.get_users(domain="corp.example.com/AD & co")
    api.delete_session(sid="S-1 #2")
    assert [r.target for r in server.requests] == [
        "/v2/users?domain=corp.example.com%2FAD%20%26%20co",
        "/v2/users/sessions?sid=S-1%20%232",
    ]


def test_false_booleans_are_sent_as_false(api: h.UserApi, server: RecordingServer) -> None:
    # False is falsy but not None: it must be sent, as the literal "false".
    api.get_users(match_partial_names=False, include_tenants=False)
    api.get_groups(match_partial_names=False, include_tenants=False)
    api.get_all_api_keys(is_active=False, is_expired=False)
    api.get_user_api_keys("S-1", is_active=False, is_expired=False)
    api.get_tenant_access(include_inactive=False)
    assert [r.target for r in server.requests] == [
        "/v2/users?matchPartialNames=false&includeTenants=false",
        "/v2/groups?matchPartialNames=false&includeTenants=false",
        "/v2/api-keys?isActive=false&isExpired=false",
        "/v2/users/S-1/api-keys?isActive=false&isExpired=false",
        "/v2/mcm/users/tenant-access?includeInactive=false",
    ]


@pytest.mark.parametrize(
    "value,text",
    [(2**63 - 1, "9223372036854775807"), (-(2**63), "-9223372036854775808"), (0, "0")],
    ids=["int64-max", "int64-min", "zero"],
)
def test_int64_header_is_sent_in_decimal(
    value: int, text: str, api: h.UserApi, server: RecordingServer
) -> None:
    api.get_users(access_cluster_id=value)
    assert server.last.headers["accessClusterId"] == text


def test_none_arguments_are_omitted(api: h.UserApi, server: RecordingServer) -> None:
    api.get_users(access_cluster_id=None, region_id=None, domain=None, sids=None,
                  usernames=None, match_partial_names=None, email_addresses=None, roles=None,
                  tenant_ids=None, include_tenants=None)
    api.get_groups(domain=None, sids=["S-1"], include_tenants=None)
    assert [r.target for r in server.requests] == ["/v2/users", "/v2/groups?sids=S-1"]
    check_headers(server.requests[0], expected_headers(False, {}))


@pytest.mark.parametrize(
    "invoke,name",
    [
        (lambda api: api.get_user_by_sid(""), "sid"),
        (lambda api: api.delete_group(""), "sid"),
        (lambda api: api.rotate_user_api_key("", "key-1"), "user_sid"),
        (lambda api: api.rotate_user_api_key("S-1", ""), "id"),
        (lambda api: api.update_user("", h.UpdateUserParameters(locked=True)), "sid"),
    ],
    ids=["get_user_by_sid", "delete_group", "rotate-user_sid", "rotate-id", "update_user"],
)
def test_empty_path_parameter_is_refused(
    invoke: Callable[[h.UserApi], Any], name: str, api: h.UserApi, server: RecordingServer
) -> None:
    # "" would make /users/ (another resource); refused before anything is sent.
    with pytest.raises(h.ApiValueError, match=rf"\b{name}\b"):
        invoke(api)
    assert server.requests == []


# -- 4. per-call overrides and configuration defaults -----------------------------------------


def test_extra_header_is_sent(api: h.UserApi, server: RecordingServer) -> None:
    api.get_users(_headers={"X-Trace": "abc"})
    check_headers(server.last, {**expected_headers(False, {}), "X-Trace": "abc"})


def test_extra_header_overrides_accept(api: h.UserApi, server: RecordingServer) -> None:
    api.get_users(_headers={"Accept": "application/json;q=0.9"})
    check_headers(server.last, {**expected_headers(False, {}), "Accept": "application/json;q=0.9"})


@pytest.mark.parametrize(
    "invoke,name,value",
    [
        (lambda api, h_: api.get_users(_headers=h_), "accept", "application/json;q=0.9"),
        (lambda api, h_: api.get_users(_headers=h_), "user-agent", "my-tool/2.0"),
        (
            lambda api, h_: api.delete_users(h.DeleteUsersRequest(sids=["S-1"]), _headers=h_),
            "content-type",
            "application/json; charset=utf-8",
        ),
    ],
    ids=["accept", "user-agent", "content-type"],
)
def test_extra_header_override_ignores_name_case(
    invoke: Callable[[h.UserApi, Dict[str, str]], Any],
    name: str,
    value: str,
    api: h.UserApi,
    server: RecordingServer,
) -> None:
    # Header names are case-insensitive (RFC 9110): overriding must replace, not duplicate.
    server.reply(204)
    invoke(api, {name: value})
    assert [v for k, v in server.last.headers.items() if k.lower() == name] == [value]


def test_request_auth_replaces_the_key_for_that_call_only(
    api: h.UserApi, server: RecordingServer
) -> None:
    api.get_users(_request_auth={"in": "header", "key": "apiKey", "value": "other"})
    api.get_users()
    assert [r.headers["apiKey"] for r in server.requests] == ["other", API_KEY]
    check_headers(server.requests[0], {**expected_headers(False, {}), "apiKey": "other"})


def test_api_key_prefix_is_sent_before_the_key(
    configuration: h.Configuration, api: h.UserApi, server: RecordingServer
) -> None:
    configuration.api_key_prefix["APIKeyHeader"] = "Bearer"
    api.get_users()
    assert server.last.headers["apiKey"] == f"Bearer {API_KEY}"


def test_json_content_type_with_charset_is_used(api: h.UserApi, server: RecordingServer) -> None:
    server.reply(201, {"users": []})
    api.create_users(
        [h.CreateUserParameters(username="alice", domain="LOCAL")],
        _content_type="application/json; charset=utf-8",
    )
    assert server.last.headers["Content-Type"] == "application/json; charset=utf-8"
    assert server.last.json() == [{"username": "alice", "domain": "LOCAL"}]


@pytest.mark.parametrize("timeout", [5, 2.5, (1, 5)], ids=["int", "float", "pair"])
def test_request_timeout_is_accepted(timeout: Any, api: h.UserApi, server: RecordingServer) -> None:
    server.reply(200, {"users": [{"username": "alice"}]})
    result = api.get_users(domain="LOCAL", _request_timeout=timeout)
    assert server.last.target == "/v2/users?domain=LOCAL"
    assert result.users[0].username == "alice"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_configuration_routing_defaults_and_call_override(
    case: Case, configuration: h.Configuration, api: h.UserApi, server: RecordingServer
) -> None:
    configuration.access_cluster_id = 4242
    configuration.region_id = "ap-south-1"
    without_routing = {
        k: v for k, v in case.kwargs.items() if k not in ("access_cluster_id", "region_id")
    }
    serve(server, case)
    getattr(api, case.op)(*case.args, **without_routing)
    # get_tenant_access takes no access_cluster_id, so the default must not leak into it.
    defaults = {"regionId": "ap-south-1"}
    if case.op != "get_tenant_access":
        defaults = {"accessClusterId": "4242", **defaults}
    check_request(server.last, case, routing=defaults)
    # The values passed to the call win over the defaults.
    serve(server, case)
    call(api, case)
    check_request(server.last, case)


def test_configuration_constructor_routing_defaults(server: RecordingServer) -> None:
    configuration = h.Configuration(host=server.url, access_cluster_id=7, region_id="us-west-2")
    configuration.api_key["APIKeyHeader"] = API_KEY
    with h.ApiClient(configuration) as client:
        api = h.UserApi(client)
        api.get_users()
        api.get_users(access_cluster_id=8)
        api.get_users(region_id="eu-west-1")
        api.get_tenant_access()
    routed = [
        {k: r.headers.get(k) for k in ("accessClusterId", "regionId")} for r in server.requests
    ]
    assert routed == [
        {"accessClusterId": "7", "regionId": "us-west-2"},
        {"accessClusterId": "8", "regionId": "us-west-2"},
        {"accessClusterId": "7", "regionId": "eu-west-1"},
        {"accessClusterId": None, "regionId": "us-west-2"},
    ]


def test_line_break_in_configured_region_is_refused_when_set(
    configuration: h.Configuration, api: h.UserApi, server: RecordingServer
) -> None:
    # The default is a header value like the argument: the same check applies, when it
    # is set rather than on every call.
    with pytest.raises(h.ApiValueError, match="region"):
        configuration.region_id = "us-east-1\r\nX-Injected: 1"
    assert configuration.region_id is None
    api.get_users()
    assert "regionId" not in server.last.headers


def test_configured_access_cluster_id_of_wrong_type_is_refused_when_set(
    configuration: h.Configuration, server: RecordingServer
) -> None:
    with pytest.raises(h.ApiTypeError, match="access_cluster_id"):
        configuration.access_cluster_id = "5"  # type: ignore[assignment]
    with pytest.raises(h.ApiValueError, match="access_cluster_id"):
        h.Configuration(access_cluster_id=2**63)
    assert configuration.access_cluster_id is None
    assert server.requests == []


# -- 5. request checks before sending ----------------------------------------------------------

ALICE = h.CreateUserParameters(username="alice", domain="LOCAL")

REFUSED: List[Tuple[str, Callable[[h.UserApi], Any], Type[Exception], str]] = [
    # Wrong types of parameters.
    ("sids-str", lambda a: a.get_users(sids="abc"), h.ApiTypeError, r"\bsids\b"),
    ("sids-item-int", lambda a: a.get_users(sids=["S-1", 2]), h.ApiTypeError, r"sids\[1\]"),
    ("required-sids-str", lambda a: a.get_security_principals("S-1"), h.ApiTypeError, "sids"),
    ("acid-str", lambda a: a.get_users(access_cluster_id="5"), h.ApiTypeError, "access_cluster_id"),
    ("acid-bool", lambda a: a.get_user_by_sid("S-1", True), h.ApiTypeError, "access_cluster_id"),
    (
        "acid-float",
        lambda a: a.get_groups(access_cluster_id=5.0),
        h.ApiTypeError,
        "access_cluster_id",
    ),
    (
        "match_partial_names-str",
        lambda a: a.get_groups(match_partial_names="yes"),
        h.ApiTypeError,
        "match_partial_names",
    ),
    (
        "include_tenants-int",
        lambda a: a.get_users(include_tenants=1),
        h.ApiTypeError,
        "include_tenants",
    ),
    ("region_id-int", lambda a: a.get_users(region_id=1), h.ApiTypeError, "region_id"),
    ("sid-int", lambda a: a.get_user_by_sid(1001), h.ApiTypeError, r"\bsid\b"),
    ("domain-list", lambda a: a.get_users(domain=["LOCAL"]), h.ApiTypeError, "domain"),
    # int64 range of an integer parameter.
    (
        "acid-above-int64",
        lambda a: a.get_users(access_cluster_id=2**63),
        h.ApiValueError,
        "access_cluster_id",
    ),
    (
        "acid-below-int64",
        lambda a: a.get_users(access_cluster_id=-(2**63) - 1),
        h.ApiValueError,
        "access_cluster_id",
    ),
    # Empty lists: the required filter has minItems 1; an optional one would send "x=".
    ("sids-empty-required", lambda a: a.get_security_principals(sids=[]), h.ApiValueError, "sids"),
    ("roles-empty", lambda a: a.get_users(roles=[]), h.ApiValueError, "roles"),
    ("ids-empty", lambda a: a.get_all_api_keys(ids=[]), h.ApiValueError, r"\bids\b"),
    (
        "tenant_ids-empty",
        lambda a: a.get_tenant_access(tenant_ids=[]),
        h.ApiValueError,
        "tenant_ids",
    ),
    # Required arguments passed as None.
    ("sid-none", lambda a: a.get_user_by_sid(None), h.ApiValueError, r"\bsid\b"),
    ("sids-none", lambda a: a.get_security_principals(None), h.ApiValueError, "sids"),
    ("user_sid-none", lambda a: a.rotate_user_api_key(None, "key-1"), h.ApiValueError, "user_sid"),
    ("body-none", lambda a: a.create_users(None), h.ApiValueError, "body"),
    ("object-body-none", lambda a: a.update_user("S-1", None), h.ApiValueError, "body"),
    # Bodies that break the spec's required / minItems rules.
    (
        "body-missing-domain",
        lambda a: a.create_users([h.CreateUserParameters(username="x")]),
        h.ApiValueError,
        r"body\[0\]\.domain",
    ),
    (
        "body-second-item-missing-username",
        lambda a: a.create_users([ALICE, h.CreateUserParameters(domain="LOCAL")]),
        h.ApiValueError,
        r"body\[1\]\.username",
    ),
    (
        "body-domain-explicit-none",
        lambda a: a.create_group([h.CreateGroupParams(name="ops", domain=None)]),
        h.ApiValueError,
        r"body\[0\]\.domain",
    ),
    (
        "body-missing-name",
        lambda a: a.create_user_api_key("S-1", h.CreateOrUpdateAPIKeyRequest(is_active=True)),
        h.ApiValueError,
        r"body\.name",
    ),
    (
        "delete_users-sids-empty",
        lambda a: a.delete_users(h.DeleteUsersRequest(sids=[])),
        h.ApiValueError,
        r"body\.sids",
    ),
    (
        "delete_groups-sids-missing",
        lambda a: a.delete_groups(h.DeleteGroupsRequest()),
        h.ApiValueError,
        r"body\.sids",
    ),
    ("create_users-empty", lambda a: a.create_users([]), h.ApiValueError, "body"),
    ("create_group-empty", lambda a: a.create_group([]), h.ApiValueError, "body"),
    # Bodies of the wrong shape or class.
    ("list-body-single-model", lambda a: a.create_users(ALICE), h.ApiTypeError, "body"),
    (
        "list-body-dict",
        lambda a: a.create_users({"username": "a", "domain": "LOCAL"}),
        h.ApiTypeError,
        "body",
    ),
    (
        "wrong-model-in-list",
        lambda a: a.create_users([h.CreateGroupParams(name="ops", domain="LOCAL")]),
        h.ApiTypeError,
        "CreateUserParameters",
    ),
    (
        "wrong-model-object",
        lambda a: a.update_user("S-1", h.UpdateGroupParameters(roles=["x"])),
        h.ApiTypeError,
        "UpdateUserParameters",
    ),
    ("object-body-str", lambda a: a.delete_users("S-1"), h.ApiTypeError, "body"),
    (
        "dict-misspelt-key",
        lambda a: a.create_users([{"username": "a", "domian": "LOCAL"}]),
        h.ApiTypeError,
        "domian",
    ),
    (
        "dict-misspelt-nested-key",
        lambda a: a.create_users(
            [{"username": "a", "domain": "LOCAL", "localUserParams": {"emial": "a@b.c"}}]
        ),
        h.ApiTypeError,
        "emial",
    ),
    (
        "dict-misspelt-object-body",
        lambda a: a.delete_groups({"sid": ["S-1"]}),
        h.ApiTypeError,
        "'sid'",
    ),
    # Header injection.
    (
        "region_id-crlf",
        lambda a: a.get_users(region_id="us\r\nX-Evil: 1"),
        h.ApiValueError,
        "region_id",
    ),
    (
        "region_id-lf",
        lambda a: a.get_user_by_sid("S-1", region_id="us\nx"),
        h.ApiValueError,
        "region_id",
    ),
    (
        "headers-value-crlf",
        lambda a: a.get_users(_headers={"X-Trace": "a\r\nX-Evil: 1"}),
        h.ApiValueError,
        "X-Trace",
    ),
    (
        "headers-name-colon",
        lambda a: a.get_users(_headers={"X:Trace": "a"}),
        h.ApiValueError,
        "_headers",
    ),
    (
        "request_auth-crlf",
        lambda a: a.get_users(_request_auth={"in": "header", "key": "apiKey", "value": "k\r\n"}),
        h.ApiValueError,
        "apiKey",
    ),
    (
        "request_auth-query",
        lambda a: a.get_users(_request_auth={"in": "query", "key": "apiKey", "value": "k"}),
        h.ApiValueError,
        "_request_auth",
    ),
    # Content types the API does not take.
    (
        "content-type-text",
        lambda a: a.create_users([ALICE], _content_type="text/plain"),
        h.ApiValueError,
        "_content_type",
    ),
    (
        "content-type-form",
        lambda a: a.update_user(
            "S-1",
            h.UpdateUserParameters(locked=True),
            _content_type="application/x-www-form-urlencoded",
        ),
        h.ApiValueError,
        "_content_type",
    ),
]


@pytest.mark.parametrize(
    "invoke,error,message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refused_before_sending(
    invoke: Callable[[h.UserApi], Any],
    error: Type[Exception],
    message: str,
    api: h.UserApi,
    server: RecordingServer,
) -> None:
    with pytest.raises(error, match=message):
        invoke(api)
    assert server.requests == []


def test_dict_body_with_a_wrong_value_type_is_refused(
    api: h.UserApi, server: RecordingServer
) -> None:
    # pydantic's check surfaces as one of the SDK's own errors, naming the item and field.
    with pytest.raises((h.ApiTypeError, h.ApiValueError), match=r"body\[0\].*username"):
        api.create_users([{"username": 1, "domain": "LOCAL"}])
    assert server.requests == []


def test_dict_bodies_are_converted(api: h.UserApi, server: RecordingServer) -> None:
    server.reply(201, {"users": [{"username": "a"}]})
    server.reply(201, {"users": []})
    server.reply(204)
    result = api.create_users([{"username": "a", "domain": "LOCAL"}])
    # Attribute names and JSON keys are both accepted, at any depth.
    api.create_users(
        [
            {
                "username": "b",
                "domain": "LOCAL",
                "local_user_params": {"email": "b@example.com"},
                "allowSmbAccessToken": True,
            }
        ]
    )
    api.delete_users({"sids": ["S-1-100-1001"]})
    assert [r.json() for r in server.requests] == [
        [{"username": "a", "domain": "LOCAL"}],
        [
            {
                "username": "b",
                "domain": "LOCAL",
                "localUserParams": {"email": "b@example.com"},
                "allowSmbAccessToken": True,
            }
        ],
        {"sids": ["S-1-100-1001"]},
    ]
    assert type(result) is h.UsersList and result.users[0].username == "a"


# -- JSON body rules: unset, null, readOnly, undeclared keys ---------------------------------------


def test_unset_optional_fields_are_omitted(api: h.UserApi, server: RecordingServer) -> None:
    api.create_users([h.CreateUserParameters(username="alice", domain="LOCAL")])
    api.update_user("S-1", h.UpdateUserParameters())
    assert [r.json() for r in server.requests] == [
        [{"username": "alice", "domain": "LOCAL"}],
        {},
    ]


def test_none_is_sent_as_null_only_for_nullable_fields(
    api: h.UserApi, server: RecordingServer
) -> None:
    api.create_users(
        [
            h.CreateUserParameters(
                username="alice",
                domain="LOCAL",
                locked=None,  # nullable
                roles=None,  # nullable
                effective_time_msecs=None,  # nullable
                local_user_params=h.LocalUserParams(email=None),  # nullable
            )
        ]
    )
    api.create_group(
        [
            h.CreateGroupParams(
                name="ops",
                domain="LOCAL",
                restricted=None,  # nullable
                roles=None,  # not nullable
                tenant_ids=None,  # not nullable
                local_group_params=None,  # not nullable
            )
        ]
    )
    api.update_group("S-1", h.UpdateGroupParameters(roles=None, restricted=None))
    assert [r.json() for r in server.requests] == [
        [
            {
                "username": "alice",
                "domain": "LOCAL",
                "locked": None,
                "roles": None,
                "effectiveTimeMsecs": None,
                "localUserParams": {"email": None},
            }
        ],
        [{"name": "ops", "domain": "LOCAL", "restricted": None}],
        {"restricted": None},
    ]


def test_read_only_fields_are_refused_before_sending(
    api: h.UserApi, server: RecordingServer
) -> None:
    # Set by the server: a request that sets one would be silently dropped, so it is
    # refused instead, naming the field, and nothing is sent.
    user = h.CreateUserParameters(username="alice", domain="LOCAL")
    user.primary_group = "set-later"
    nested = h.CreateUserParameters(
        username="bob", domain="LOCAL",
        local_user_params=h.LocalUserParams(email="b@example.com", groups=["ops"]),
    )
    update = h.UpdateUserParameters(
        local_user_params=h.LocalUserUpdateParams(primaryGroup="x", email="e@x.io")
    )
    for call, where in (
        (lambda: api.create_users([user]), "create_users(): body[0].primary_group"),
        (lambda: api.create_users([h.CreateUserParameters(username="a", domain="LOCAL"),
                                   nested]), "create_users(): body[1].local_user_params.groups"),
        (lambda: api.update_user("S-1", update),
         "update_user(): body.local_user_params.primary_group"),
    ):
        with pytest.raises(h.ApiValueError) as info:
            call()
        assert str(info.value).startswith(f"{where}: is read-only")
    assert server.requests == []
    # Left at None, a read-only field is simply not given.
    user.primary_group = None
    api.create_users([user])
    assert server.last.json() == [{"domain": "LOCAL", "username": "alice"}]


def test_keys_the_spec_does_not_declare_are_not_sent(
    api: h.UserApi, server: RecordingServer
) -> None:
    # from_dict keeps unknown keys (server data); a request body carries only declared ones.
    user = h.CreateUserParameters.from_dict({"username": "a", "domain": "LOCAL", "bogus": 1})
    api.create_users([user])
    assert server.last.json() == [{"username": "a", "domain": "LOCAL"}]


# -- 6. enums in bodies --------------------------------------------------------------------------


def test_unknown_otp_type_is_refused(api: h.UserApi, server: RecordingServer) -> None:
    body = h.CreateUserSessionRequestParams(
        username="alice", password="Secr3t!", otp_type="sms", otp_code="123456"
    )
    with pytest.raises(h.ApiValueError, match=r"otp_?[tT]ype") as raised:
        api.create_session(body)
    assert "sms" in str(raised.value)
    assert server.requests == []


@pytest.mark.parametrize("otp_type", ["totp", h.OtpType.TOTP], ids=["str", "enum"])
def test_known_otp_type_is_sent(otp_type: Any, api: h.UserApi, server: RecordingServer) -> None:
    server.reply(201, {"sessionId": "s-1"})
    session = api.create_session(
        h.CreateUserSessionRequestParams(
            username="alice", password="Secr3t!", otp_type=otp_type, otp_code="123456"
        )
    )
    assert server.last.json() == {
        "username": "alice",
        "password": "Secr3t!",
        "otpType": "totp",
        "otpCode": "123456",
    }
    assert session.session_id == "s-1"


# -- 6. keyword-only filters and operations that act on everything ----------------------------


@pytest.mark.parametrize("invoke, meant", [
    (lambda api: api.get_users(1234), "access_cluster_id=..."),
    (lambda api: api.get_users_with_http_info(1234, "us-east-1"),
     "access_cluster_id=..., region_id=..."),
    (lambda api: api.get_user_by_sid("S-1", 5), "access_cluster_id=..."),
    (lambda api: api.get_security_principals(["S-1"], 5, "r", "x"),
     "access_cluster_id=..., region_id=..."),
], ids=["one", "two-variant", "after-required", "too-many"])
def test_an_optional_argument_by_position_is_a_type_error_naming_it(
    invoke: Callable[[h.UserApi], Any], meant: str, api: h.UserApi, server: RecordingServer
) -> None:
    with pytest.raises(TypeError) as info:
        invoke(api)
    assert isinstance(info.value, h.ApiTypeError)
    assert "optional parameters are keywords" in str(info.value)
    assert str(info.value).endswith(f"write {meant}")
    assert server.requests == []


def test_delete_session_without_sid_needs_all_sessions(
    api: h.UserApi, server: RecordingServer
) -> None:
    for call in (lambda: api.delete_session(), lambda: api.delete_session(sid=None),
                 lambda: api.delete_session(all_sessions=None),  # type: ignore[arg-type]
                 lambda: api.delete_session_with_http_info(region_id="r"),
                 lambda: api.delete_session_without_preload_content()):
        with pytest.raises(h.ApiValueError) as info:
            call()
        assert str(info.value) == (
            "delete_session(): without sid it acts on everything; pass sid=..., or "
            "all_sessions=True if that is what you mean")
    with pytest.raises(h.ApiValueError, match="all_sessions=True contradicts sid"):
        api.delete_session(sid="S-1", all_sessions=True)
    with pytest.raises(h.ApiTypeError, match="all_sessions must be bool"):
        api.delete_session(all_sessions="yes")  # type: ignore[arg-type]
    assert server.requests == []
    server.reply(204)
    server.reply(204)
    api.delete_session(all_sessions=True)
    api.delete_session(sid="S-1")
    assert [r.target for r in server.requests] == ["/v2/users/sessions",
                                                  "/v2/users/sessions?sid=S-1"]
    assert all(r.body == b"" for r in server.requests)
