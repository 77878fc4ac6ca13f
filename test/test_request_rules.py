"""Each request rule, written once in ``request_rules``, names the first value that breaks it.

A rule is given the values of one field across all the models of a body and finds the
index of its first bad value itself; the refusal then names that value's path: the first
in document order (models in order, fields in declaration order, depth first), however
long the body (several chunks of the encoder here) and wherever the value is nested.
test_models.py compares every refusal with a reference encoder written from the spec;
these tests show each rule on its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, List

import pytest

from cohesity_sdk.helios import (
    ApiClient,
    ApiTypeError,
    ApiValueError,
    AssignedSources,
    Configuration,
    CreateUserParameters,
    CreateUserSessionRequestParams,
    DeleteUsersRequest,
    TenantAccess,
    TenantAccessResult,
    UpdateUserParameters,
    UserApi,
)
from cohesity_sdk.helios.encoder import dump_json, encode_body
from cohesity_sdk.helios.model_base import build_model
from cohesity_sdk.helios.request_rules import (
    READ_ONLY,
    Int64,
    KnownValues,
    MinItems,
    Required,
)

LONG = 1500  # models in a long body: three chunks of the encoder
BIG = 2**63  # one past the int64 range


def refusal(model: Any, body: Any) -> ApiValueError:
    """The refusal of ``body`` (models of ``model``) as a request body at ``body``."""
    with pytest.raises(ApiValueError) as info:
        encode_body(model, body, ["body"])
    return info.value


def users(count: int = LONG) -> List[CreateUserParameters]:
    return [CreateUserParameters(username=f"u{i}", domain="LOCAL", roles=["r"],
                                 local_user_params={"email": f"{i}@x"})
            for i in range(count)]


# -- each rule over a column: the index of its first bad value -------------------------


def test_each_rule_finds_the_index_of_its_first_bad_value() -> None:
    assert Required().first_bad(["a", "b"]) == -1
    assert Required().first_bad(["a", None, "b", None]) == 1
    assert MinItems(1).first_bad([[1], [1, 2]]) == -1
    assert MinItems(2).first_bad([[1, 2], [1], [], [3]]) == 1
    known = KnownValues(frozenset({"email", "totp"}))
    assert known.first_bad(["totp", "email"]) == -1
    assert known.first_bad(["totp", "sms", "push", "email"]) == 1
    assert Int64().first_bad([0, -(2**63), 2**63 - 1]) == -1
    # The first out of range, whichever side: not the one min() or max() finds.
    assert Int64().first_bad([1, BIG, -(2**64), BIG * 2]) == 1
    assert Int64().first_bad([1, -(2**64), BIG * 2]) == 1


# -- each rule in a body: the first bad value named, however deep ----------------------


def test_required_names_the_first_missing_value() -> None:
    body = users()
    body[1400].username = None
    body[700].domain = None
    body[1100].domain = None
    error = refusal(CreateUserParameters, body)
    assert str(error) == "body[700].domain: is required"
    assert error.path_to_item == ["body", 700, "domain"]
    # In one model, the first field in declaration order (domain before username).
    body[700].username = None
    assert str(refusal(CreateUserParameters, body)) == "body[700].domain: is required"
    body[700].domain = "LOCAL"
    assert str(refusal(CreateUserParameters, body)) == "body[700].username: is required"


def test_min_items_names_the_first_short_list() -> None:
    body = [DeleteUsersRequest(sids=["S-1"]) for _ in range(LONG)]
    body[1300].sids = []
    body[600].sids = []
    assert str(refusal(DeleteUsersRequest, body)) == (
        "body[600].sids: must have at least 1 item(s)")
    # Nested in a list of models, past models whose list is fine.
    ok = {"clusters": [{"clusterId": 1}], "roles": ["r"], "tenantId": "t"}
    accesses = [dict(ok) for _ in range(LONG)]
    accesses[900] = {**ok, "roles": []}
    accesses[1200] = {**ok, "clusters": []}
    result = TenantAccessResult(tenant_accesses=accesses)
    error = refusal(TenantAccessResult, result)
    assert str(error) == "body.tenant_accesses[900].roles: must have at least 1 item(s)"
    assert error.path_to_item == ["body", "tenant_accesses", 900, "roles"]


def test_known_values_names_the_first_unknown_value() -> None:
    body = [CreateUserSessionRequestParams(username="a", otp_type="totp") for _ in range(LONG)]
    body[1499].otp_type = "push"  # type: ignore[assignment]
    body[513].otp_type = "sms"  # type: ignore[assignment]
    assert str(refusal(CreateUserSessionRequestParams, body)) == (
        "body[513].otp_type: 'sms' is not one of ['email', 'salesforce', 'totp']")
    # A value None is not given: not checked.
    body[513].otp_type = None
    assert str(refusal(CreateUserSessionRequestParams, body)).startswith(
        "body[1499].otp_type: 'push'")


def test_int64_names_the_first_value_out_of_range() -> None:
    body = users()
    body[1024].expiry_time_msecs = -(2**64)
    body[1023].effective_time_msecs = BIG
    body[1023].expiry_time_msecs = BIG + 1
    error = refusal(CreateUserParameters, body)
    assert str(error) == "body[1023].effective_time_msecs: 9223372036854775808 is out of the" \
                         " int64 range"
    # The items of a list: the first one out of range is named by its index.
    sources = AssignedSources(source_ids=[1, 2, -(2**64), BIG], view_ids=[BIG])
    error = refusal(AssignedSources, sources)
    assert str(error) == "body.source_ids[2]: -18446744073709551616 is out of the int64 range"
    assert error.path_to_item == ["body", "source_ids", 2]
    listed = [AssignedSources(source_ids=[1]) for _ in range(LONG)]
    listed[800].view_ids = [0, 5, -(2**63) - 1]
    listed[900].source_ids = [BIG]
    assert refusal(AssignedSources, listed).path_to_item == ["body", 800, "view_ids", 2]
    # Inside models nested in a list of models.
    ok = {"clusters": [{"clusterId": 1}], "roles": ["r"], "tenantId": "t"}
    accesses = [dict(ok) for _ in range(LONG)]
    accesses[1001] = {**ok, "clusters": [{"clusterId": 1}, {"clusterIncarnationId": BIG}]}
    accesses[1002] = {**ok, "clusters": [{"clusterId": BIG}]}
    error = refusal(TenantAccessResult, TenantAccessResult(tenant_accesses=accesses))
    assert error.path_to_item == ["body", "tenant_accesses", 1001, "clusters", 1,
                                  "cluster_incarnation_id"]


def test_read_only_names_the_first_value_the_server_sets() -> None:
    body = users()
    body[1400].primary_group = "admins"
    local = body[1300].local_user_params
    assert local is not None
    local.groups = ["ops"]  # nested: localUserParams.groups
    error = refusal(CreateUserParameters, body)
    assert str(error) == f"body[1300].local_user_params.groups: {READ_ONLY}"
    # Falsy values are values; None is "not given", and left out.
    local.groups = []
    assert refusal(CreateUserParameters, body).path_to_item == [
        "body", 1300, "local_user_params", "groups"]
    local.groups = None
    assert refusal(CreateUserParameters, body).path_to_item == ["body", 1400, "primary_group"]
    body[1400].primary_group = None
    sent = json.loads(encode_body(CreateUserParameters, body, ["body"]))
    assert "primaryGroup" not in sent[1400] and sent[1300]["localUserParams"] == {"email": "1300@x"}
    # At its place among the other rules: TenantAccess declares clusters, then
    # createdTimeMsecs (read-only), then roles.
    access = TenantAccess(clusters=[{"clusterId": 1}], created_time_msecs=0, roles=[])
    assert str(refusal(TenantAccess, access)) == f"body.created_time_msecs: {READ_ONLY}"


def test_nullable_decides_what_none_sends() -> None:
    # Not a refusal: None set on a nullable field is sent as null, on another field it is
    # left out, like a field never set; the same in a long body.
    body = [UpdateUserParameters(description=f"d{i}", locked=False,
                                 local_user_params={"email": f"{i}@x"})
            for i in range(LONG)]
    body[1234].description = None  # nullable: null
    body[1235].local_user_params.email = None  # type: ignore[union-attr]  # nullable: null
    body[77].local_user_params = None  # not nullable: left out
    sent = json.loads(encode_body(UpdateUserParameters, body, ["body"]))
    assert sent[1234] == {"description": None, "locked": False,
                          "localUserParams": {"email": "1234@x"}}
    assert sent[1235]["localUserParams"] == {"email": None}
    assert sent[77] == {"description": "d77", "locked": False}
    assert encode_body(UpdateUserParameters, body, ["body"]) == dump_json(
        [item.to_wire() for item in body])


def test_the_first_bad_value_in_document_order_is_named_whatever_the_rule() -> None:
    # An earlier model is named before a later one, whichever field and rule: each rule
    # finds its own first bad value, and the earliest of them is the one at fault.
    body = users()
    body[900].username = None  # Required, the last field
    body[901].domain = None  # Required, an earlier field, a later model
    body[950].expiry_time_msecs = BIG  # Int64
    assert str(refusal(CreateUserParameters, body)) == "body[900].username: is required"
    body[899].other_groups = ["g"]  # ReadOnly
    assert str(refusal(CreateUserParameters, body)) == f"body[899].other_groups: {READ_ONLY}"
    local = body[898].local_user_params
    assert local is not None
    local.primary_group = "pg"  # ReadOnly, nested
    assert refusal(CreateUserParameters, body).path_to_item == [
        "body", 898, "local_user_params", "primary_group"]
    # Within a model, fields in declaration order: expiryTimeMsecs comes before
    # localUserParams, which comes before otherGroups.
    body[898].expiry_time_msecs = BIG
    body[898].other_groups = ["g"]
    assert refusal(CreateUserParameters, body).path_to_item == ["body", 898, "expiry_time_msecs"]
    # to_wire of that model names the same value.
    with pytest.raises(ApiValueError) as info:
        body[898].to_wire(["body", 898])
    assert info.value.path_to_item == ["body", 898, "expiry_time_msecs"]


# -- a key the server sets, given to a request ---------------------------------------------


SERVER_SETS = ": the server sets it (read-only in UserParams), so a request cannot; leave it out"


def test_a_key_the_server_sets_is_said_to_be_set_by_the_server() -> None:
    # createdTimeMsecs is not a field of CreateUserParameters (so it was "did you mean
    # 'effectiveTimeMsecs'?"): it is UserParams's, read-only, as in a user copied from
    # get_users.
    for key in ("createdTimeMsecs", "created_time_msecs", "lastLoginTimeMsecs", "sid"):
        with pytest.raises(ApiTypeError) as info:
            CreateUserParameters(username="a", domain="LOCAL", **{key: 1})
        assert str(info.value) == (
            f"CreateUserParameters() got an unexpected keyword argument {key!r}{SERVER_SETS}")
        assert "did you mean" not in str(info.value)
    with pytest.raises(ApiTypeError) as info:
        UpdateUserParameters(forcePasswordChange=True)
    assert str(info.value).endswith(SERVER_SETS)
    with pytest.raises(ApiTypeError) as info:
        build_model(CreateUserParameters, {"username": "a", "createdTimeMsecs": 1}, "body[3]")
    assert str(info.value) == (
        f"body[3]: CreateUserParameters() got an unexpected keyword argument"
        f" 'createdTimeMsecs'{SERVER_SETS}")
    # Set as an attribute, the same; a misspelt name still gets its hint.
    user = CreateUserParameters(username="a", domain="LOCAL")
    with pytest.raises(AttributeError, match="'created_time_msecs'.*the server sets it"):
        user.created_time_msecs = 1  # type: ignore[attr-defined]
    with pytest.raises(ApiTypeError, match=r"'usernme' \(did you mean 'username'\?\)"):
        CreateUserParameters(usernme="a")
    # A field of the request model itself that is read-only keeps its own refusal.
    with pytest.raises(ApiValueError, match="primary_group: is read-only"):
        CreateUserParameters(username="a", domain="LOCAL", primary_group="g").to_wire()


def test_a_key_the_server_sets_in_a_dict_body() -> None:
    with ApiClient(Configuration(host="http://127.0.0.1:9/v2")) as client:
        with pytest.raises(ApiTypeError) as info:
            UserApi(client).create_users([{"username": "a", "domain": "LOCAL"},  # type: ignore[list-item]
                                          {"username": "b", "createdTimeMsecs": 1}])
    assert str(info.value) == (
        "create_users(): body[1]: CreateUserParameters() got an unexpected keyword argument"
        f" 'createdTimeMsecs'{SERVER_SETS}")


def test_a_key_the_server_sets_in_the_command_lines_body() -> None:
    body = [{"username": "a", "domain": "LOCAL", "createdTimeMsecs": 1767225600000}]
    result = subprocess.run(
        [sys.executable, "-m", "cohesity_sdk.helios", "--fake", "create-users",
         "--body", json.dumps(body)],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    # In the body's own words: its JSON name and path, as typed.
    assert f"--body[0]: unknown key 'createdTimeMsecs'{SERVER_SETS}" in result.stderr
    assert "did you mean" not in result.stderr and result.stdout == ""
