"""The generated models against the spec: fields, round trips, strictness, leniency, wire rules.

Most tests are driven by ``spec/helios-user-api.json`` itself, so that every schema and every
property is covered, and a model drifting from the spec fails here.
"""

from __future__ import annotations

import importlib
import json
import random
import re
import typing
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
from pydantic import ValidationError

import cohesity_sdk.helios
from cohesity_sdk.helios import (
    ApiAttributeError,
    ApiTypeError,
    ApiValueError,
    CreateGroupParams,
    CreateUserParameters,
    CreateUserSessionRequestParams,
    DeleteUsersRequest,
    Groups,
    LocalUserParams,
    LocalUserResponseParams,
    LocalUserUpdateParams,
    LockedReason,
    ObjectClass,
    OpenApiException,
    OtpType,
    S3AccountParams,
    SecretKeyEntity,
    SecurityPrincipals,
    TenantAccess,
    TenantAccessResult,
    TenantStatus,
    TenantType,
    UpdateUserParameters,
    UserParams,
    UsersList,
)
from cohesity_sdk.helios.model_base import ApiModel, WireEnum

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "helios-user-api.json"
SCHEMAS: Dict[str, Dict[str, Any]] = json.loads(SPEC_PATH.read_text())["components"]["schemas"]
SCHEMA_NAMES = sorted(SCHEMAS)
REF_PREFIX = "#/components/schemas/"


# -- helpers derived from the spec ---------------------------------------------------------


def snake(name: str) -> str:
    """``expiryTimeMsecs`` -> ``expiry_time_msecs``, ``secret-key`` -> ``secret_key``,
    ``CreatedUserAPIKey`` -> ``created_user_api_key``: the SDK's naming, worked out here
    independently of the generator."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.replace("-", "_").lower()


def props(schema: str) -> Dict[str, Dict[str, Any]]:
    return SCHEMAS[schema].get("properties", {})


def required(schema: str) -> Set[str]:
    return set(SCHEMAS[schema].get("required", []))


def ref_of(prop: Dict[str, Any]) -> str | None:
    """The schema a property refers to, directly or as the items of an array."""
    ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
    return ref[len(REF_PREFIX):] if ref else None


def model(schema: str) -> type[ApiModel]:
    return getattr(cohesity_sdk.helios, schema)  # type: ignore[no-any-return]


def sample_value(schema: str, name: str, prop: Dict[str, Any], index: int) -> Any:
    """A valid, distinct value for a property, so that a mix-up between fields shows."""
    if "$ref" in prop:
        return sample(prop["$ref"][len(REF_PREFIX):])
    if "enum" in prop:
        return prop["enum"][index % len(prop["enum"])]
    kind = prop["type"]
    if kind == "string":
        return f"{schema}.{name}"
    if kind == "integer":
        return 1801353600000 + index
    if kind == "boolean":
        # Alternate, so that False (which is falsy) must survive too.
        return index % 2 == 0
    if kind == "array":
        # Two items: satisfies every minItems of the spec and shows order is kept.
        return [sample_value(schema, name, prop["items"], index + i) for i in range(2)]
    raise AssertionError(f"no sample for {schema}.{name}: {prop}")


def sample(schema: str) -> Dict[str, Any]:
    """A JSON object with every property of ``schema`` set, nested objects included."""
    return {
        name: sample_value(schema, name, prop, i)
        for i, (name, prop) in enumerate(props(schema).items())
    }


def writable(schema: str, data: Dict[str, Any]) -> Dict[str, Any]:
    """``data`` without the read-only properties, at every depth: what a request carries."""
    out: Dict[str, Any] = {}
    for name, value in data.items():
        prop = props(schema)[name]
        if prop.get("readOnly"):
            continue
        ref = ref_of(prop)
        if ref and isinstance(value, list):
            value = [writable(ref, item) for item in value]
        elif ref:
            value = writable(ref, value)
        out[name] = value
    return out


def classes_in(annotation: Any) -> Set[Any]:
    """Every type named in an annotation such as ``Optional[List[X]]``."""
    found = {annotation}
    for arg in typing.get_args(annotation):
        found |= classes_in(arg)
    return found


def prop_cases(predicate: Any) -> List[Tuple[str, str]]:
    """``(schema, property)`` pairs of the whole spec for which ``predicate(schema, name,
    prop)`` holds."""
    return [
        (schema, name)
        for schema in SCHEMA_NAMES
        for name, prop in props(schema).items()
        if predicate(schema, name, prop)
    ]


def case_id(case: Tuple[str, str]) -> str:
    return f"{case[0]}.{case[1]}"


def required_values(schema: str) -> Dict[str, Any]:
    """Valid values for just the required properties, by JSON key."""
    full = writable(schema, sample(schema))
    return {name: full[name] for name in required(schema)}


REF_CASES = prop_cases(lambda s, n, p: ref_of(p) is not None)
SECRET_CASES = prop_cases(lambda s, n, p: p.get("format") == "password")
REQUIRED_CASES = prop_cases(lambda s, n, p: n in required(s))
MIN_ITEMS_CASES = prop_cases(lambda s, n, p: "minItems" in p)
ENUM_CASES = prop_cases(lambda s, n, p: "enum" in p)
WRITABLE_ENUM_CASES = prop_cases(lambda s, n, p: "enum" in p and not p.get("readOnly"))
OPTIONAL_WRITABLE_CASES = prop_cases(
    lambda s, n, p: not p.get("readOnly") and n not in required(s)
)


def test_spec_is_what_these_tests_expect() -> None:
    # Guards the parametrization: an empty case list would silently test nothing.
    assert len(SCHEMAS) == 32 and "Error" in SCHEMAS
    assert len(SECRET_CASES) == 10  # the format: password fields, the session id among them
    assert REF_CASES and REQUIRED_CASES and MIN_ITEMS_CASES and WRITABLE_ENUM_CASES


# -- every schema ------------------------------------------------------------------------


@pytest.mark.parametrize("schema", SCHEMA_NAMES)
def test_model_is_importable_from_both_paths(schema: str) -> None:
    module = importlib.import_module(f"cohesity_sdk.helios.models.{snake(schema)}")
    cls = getattr(module, schema)
    assert getattr(cohesity_sdk.helios, schema) is cls
    assert getattr(cohesity_sdk.helios.models, schema) is cls
    assert issubclass(cls, ApiModel)
    assert schema in cohesity_sdk.helios.__all__


@pytest.mark.parametrize("schema", SCHEMA_NAMES)
def test_fields_map_one_to_one_to_spec_properties(schema: str) -> None:
    cls = model(schema)
    assert set(cls.model_fields) == {snake(name) for name in props(schema)}
    for name, value in sample(schema).items():
        attr = snake(name)
        # The JSON key is accepted on input and produced on output; the snake name is
        # the attribute.
        decoded = cls.from_dict({name: value})
        assert decoded.to_dict() == {name: value}
        assert getattr(decoded, attr) is not None
        assert cls(**{name: value}).to_dict() == {name: value}
        assert cls(**{attr: value}).to_dict() == {name: value}


@pytest.mark.parametrize("schema", SCHEMA_NAMES)
def test_every_field_is_optional_and_defaults_to_none(schema: str) -> None:
    cls = model(schema)
    empty = cls()
    assert all(getattr(empty, snake(name)) is None for name in props(schema))
    assert empty.to_dict() == {}
    assert cls.from_dict({}).to_dict() == {}


@pytest.mark.parametrize("case", REF_CASES, ids=case_id)
def test_nested_ref_is_typed_as_its_model(case: Tuple[str, str]) -> None:
    schema, name = case
    prop = props(schema)[name]
    nested = model(ref_of(prop))  # type: ignore[arg-type]
    field = model(schema).model_fields[snake(name)]
    assert nested in classes_in(field.annotation)

    value = getattr(model(schema).from_dict({name: sample(schema)[name]}), snake(name))
    items = value if prop.get("type") == "array" else [value]
    assert items and all(isinstance(item, nested) for item in items)


@pytest.mark.parametrize("schema", SCHEMA_NAMES)
def test_round_trip_of_a_full_object(schema: str) -> None:
    cls = model(schema)
    data = sample(schema)
    assert len(data) == len(props(schema))

    decoded = cls.from_dict(data)
    assert decoded.to_dict() == data
    assert cls.from_json(json.dumps(data)) == decoded
    assert cls.from_json(json.dumps(data)).to_dict() == data
    assert cls.from_json(json.dumps(data).encode()).to_dict() == data
    assert json.loads(decoded.to_json()) == data
    # Built by a user from the same dict (strict path) it is the same object.
    assert cls(**data).to_dict() == data
    # Scalars are stored as given; nested objects are models, not dicts.
    for name, value in data.items():
        attr = getattr(decoded, snake(name))
        if ref_of(props(schema)[name]) is None:
            assert attr == value and type(attr) is type(value)
        else:
            assert not isinstance(attr, dict)


@pytest.mark.parametrize("schema", SCHEMA_NAMES)
def test_to_wire_sends_exactly_the_writable_fields(schema: str) -> None:
    data = sample(schema)
    wire = model(schema).from_dict(data).to_wire()
    assert wire == writable(schema, data)
    json.dumps(wire)  # plain JSON values only


# -- strict construction -------------------------------------------------------------------


def test_unknown_keyword_is_refused_with_a_hint() -> None:
    with pytest.raises(ApiTypeError, match=r"'usernme'.*did you mean 'username'") as info:
        CreateUserParameters(usernme="alice", domain="LOCAL")
    assert isinstance(info.value, TypeError) and isinstance(info.value, OpenApiException)


def test_unknown_keyword_in_a_nested_dict_is_refused() -> None:
    with pytest.raises(ApiTypeError, match=r"'pasword' at local_user_params.*'password'"):
        CreateUserParameters(username="a", domain="LOCAL", local_user_params={"pasword": "x"})
    # The same by the JSON key of the nested field.
    with pytest.raises(ApiTypeError, match=r"'pasword' at local_user_params"):
        CreateUserParameters(username="a", domain="LOCAL", localUserParams={"pasword": "x"})


def test_unknown_keyword_in_a_list_of_dicts_is_refused_with_its_index() -> None:
    with pytest.raises(ApiTypeError, match=r"GroupParams\(\).*'nmae' at groups\[1\]"):
        Groups(groups=[{"name": "ops"}, {"nmae": "dev"}])
    with pytest.raises(ApiTypeError, match=r"'userSid' at groups\[0\]\.local_group_params"):
        Groups(groups=[{"localGroupParams": {"userSid": ["S-1"]}}])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"username": 123},
        {"roles": "Admin"},
        {"roles": [1, 2]},
        {"expiry_time_msecs": "tomorrow"},
        {"locked": "perhaps"},
        {"local_user_params": "alice@example.com"},
    ],
    ids=lambda kw: next(iter(kw)),
)
def test_wrong_types_are_refused(kwargs: Dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CreateUserParameters(**kwargs)


def test_construction_by_alias_and_by_name_is_the_same() -> None:
    by_name = CreateUserParameters(username="a", expiry_time_msecs=5, allow_smb_access_token=True)
    by_alias = CreateUserParameters(username="a", expiryTimeMsecs=5, allowSmbAccessToken=True)
    assert by_name == by_alias
    assert by_alias.expiry_time_msecs == 5
    assert by_alias.to_dict() == {
        "username": "a", "expiryTimeMsecs": 5, "allowSmbAccessToken": True
    }
    # A JSON key that is not an identifier.
    key = SecretKeyEntity(**{"secret-key": "abc"})
    assert key.secret_key == "abc" and key == SecretKeyEntity(secret_key="abc")


def test_nested_dicts_become_model_instances() -> None:
    user = UserParams(local_user_params={"email": "a@b.c"}, s3_account_params={"s3AccountId": "x"})
    assert type(user.local_user_params) is LocalUserResponseParams
    assert user.local_user_params.email == "a@b.c"
    assert type(user.s3_account_params) is S3AccountParams
    assert user.s3_account_params.s3_account_id == "x"

    update = UpdateUserParameters(local_user_params={"currentPassword": "old", "password": "new"})
    assert type(update.local_user_params) is LocalUserUpdateParams
    assert update.local_user_params.current_password == "old"

    users = UsersList(users=[{"username": "a"}, UserParams(username="b")])
    assert [type(u) for u in users.users] == [UserParams, UserParams]
    assert [u.username for u in users.users] == ["a", "b"]


# -- assignment ----------------------------------------------------------------------------


def test_assigning_an_unknown_attribute_is_refused() -> None:
    user = CreateUserParameters(username="a")
    with pytest.raises(ApiAttributeError, match=r"'usernam'.*did you mean 'username'") as info:
        user.usernam = "b"  # type: ignore[attr-defined]
    assert isinstance(info.value, AttributeError)
    assert user.to_dict() == {"username": "a"}


def test_assignment_is_validated() -> None:
    user = CreateUserParameters(username="a", locked=False)
    with pytest.raises(ValidationError):
        user.locked = "perhaps"  # type: ignore[assignment]
    assert user.locked is False  # the refused value was not stored
    with pytest.raises(ValidationError):
        user.roles = "Admin"  # type: ignore[assignment]
    user.locked = True
    assert user.locked is True


def test_assignment_by_alias_and_of_a_nested_dict() -> None:
    user = CreateUserParameters(username="a")
    user.expiryTimeMsecs = 7  # type: ignore[attr-defined]
    assert user.expiry_time_msecs == 7
    user.local_user_params = {"email": "a@b.c"}  # type: ignore[assignment]
    assert type(user.local_user_params) is LocalUserParams
    assert user.to_dict() == {
        "username": "a", "expiryTimeMsecs": 7, "localUserParams": {"email": "a@b.c"}
    }


def test_assigning_a_nested_dict_with_an_unknown_key_is_refused() -> None:
    # Assignment is the user building a nested model, as strict as construction: a typo
    # must not turn the password into an extra field that to_wire() silently drops.
    user = CreateUserParameters(username="a", domain="LOCAL")
    with pytest.raises(ApiTypeError, match="pasword"):
        user.local_user_params = {"pasword": "hunter2"}  # type: ignore[assignment]
    groups = Groups()
    with pytest.raises(ApiTypeError, match="nmae"):
        groups.groups = [{"nmae": "ops"}]  # type: ignore[list-item]


# -- leniency for server data --------------------------------------------------------------


def test_unknown_fields_from_the_server_are_kept() -> None:
    data = {
        "username": "alice",
        "futureField": {"a": 1},
        "localUserParams": {"email": "a@b.c", "mfaEnabled": True},
    }
    user = UserParams.from_dict(data)
    assert user.model_extra == {"futureField": {"a": 1}}
    assert user.futureField == {"a": 1}  # type: ignore[attr-defined]
    assert user.local_user_params.mfaEnabled is True  # type: ignore[union-attr]
    assert user.to_dict() == data
    assert json.loads(user.to_json()) == data
    assert UserParams.from_json(json.dumps(data)).to_dict() == data


def test_unknown_fields_are_kept_in_lists_from_json() -> None:
    users = UsersList.from_json(b'{"users": [{"username": "a", "zone": "eu"}], "next": "c1"}')
    assert users.users[0].zone == "eu"  # type: ignore[union-attr,index]
    assert users.model_extra == {"next": "c1"}


def test_unknown_enum_values_from_the_server_are_kept_as_strings() -> None:
    user = UserParams.from_dict({"lockedReason": "LockedByPolicy"})
    assert user.locked_reason == "LockedByPolicy" and type(user.locked_reason) is str
    access = TenantAccess.from_json('{"tenantStatus": "Suspended", "tenantType": "Edge"}')
    assert (access.tenant_status, access.tenant_type) == ("Suspended", "Edge")
    assert access.to_dict() == {"tenantStatus": "Suspended", "tenantType": "Edge"}


def test_missing_required_fields_and_min_items_are_not_checked_on_decode() -> None:
    # The spec requires tenantId, clusters and roles (minItems 1), but a response that
    # lacks them must still be readable.
    access = TenantAccess.from_dict({"roles": [], "clusters": []})
    assert access.tenant_id is None
    assert access.roles == [] and access.clusters == []
    assert TenantAccess.from_json("{}").to_dict() == {}


# -- enums ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ENUM_CASES, ids=case_id)
def test_enum_class_lists_the_spec_values(case: Tuple[str, str]) -> None:
    schema, name = case
    values = props(schema)[name]["enum"]
    enum_name = name[0].upper() + name[1:]  # otpType -> OtpType
    module = importlib.import_module(f"cohesity_sdk.helios.models.{snake(schema)}")
    enum_cls = getattr(module, enum_name)
    assert getattr(cohesity_sdk.helios, enum_name) is enum_cls
    assert issubclass(enum_cls, WireEnum) and issubclass(enum_cls, str)
    assert [member.value for member in enum_cls] == values
    for value in values:
        member = enum_cls[snake(value).upper()]  # LockedByAdmin -> LOCKED_BY_ADMIN
        assert member == value and str(member) == value and f"{member}" == value


def test_enum_members_read_as_their_values() -> None:
    assert LockedReason.LOCKED_BY_ADMIN == "LockedByAdmin"
    assert str(OtpType.TOTP) == "totp" and f"{ObjectClass.WELL_KNOWN_PRINCIPAL}" == (
        "WellKnownPrincipal"
    )
    assert f"[{TenantStatus.MARKED_FOR_DELETION}]" == "[MarkedForDeletion]"
    assert TenantType.DMAAS == "Dmaas"


def test_enum_member_given_to_a_field_is_stored_as_plain_str() -> None:
    params = CreateUserSessionRequestParams(otp_type=OtpType.TOTP)
    assert type(params.otp_type) is str and params.otp_type == "totp"
    params.otp_type = OtpType.EMAIL  # type: ignore[assignment]
    assert type(params.otp_type) is str and params.otp_type == "email"
    assert params.to_json() == '{"otpType":"email"}'
    assert params.to_wire() == {"otpType": "email"}
    # From the server, a known value is a plain str equal to the member.
    user = UserParams.from_dict({"lockedReason": "LockedByAdmin"})
    assert type(user.locked_reason) is str and user.locked_reason == LockedReason.LOCKED_BY_ADMIN


# -- secrets -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", SECRET_CASES, ids=case_id)
def test_secret_is_masked_in_repr_str_and_to_str(case: Tuple[str, str]) -> None:
    schema, name = case
    secret = f"S3cr3t-{schema}-{name}"
    obj = model(schema).from_dict({name: secret, "extraNote": "visible"})
    for text in (repr(obj), str(obj), obj.to_str()):
        assert secret not in text
        assert "***" in text
        assert "visible" in text  # the rest is still shown
    # The value itself is still there for the program to use.
    assert getattr(obj, snake(name)) == secret
    assert obj.to_dict()[name] == secret


def test_secrets_are_masked_at_any_depth() -> None:
    users = UsersList.from_dict(
        {"users": [{"username": "alice", "s3AccountParams": {"s3SecretKey": "TOPSECRET-1"}}]}
    )
    new_user = CreateUserParameters(
        username="bob", local_user_params={"password": "TOPSECRET-2", "email": "b@c.d"}
    )
    for obj, secret in ((users, "TOPSECRET-1"), (new_user, "TOPSECRET-2")):
        for text in (repr(obj), str(obj), obj.to_str()):
            assert secret not in text and "***" in text
    assert "b@c.d" in repr(new_user) and "alice" in users.to_str()


def test_validation_error_does_not_echo_a_secret() -> None:
    # A one-time code typed as an int is refused; the refusal must not quote the code,
    # since error messages end up in logs (the API path already strips inputs).
    with pytest.raises(ValidationError) as info:
        CreateUserSessionRequestParams(username="alice", otp_code=918273)
    assert "918273" not in str(info.value)


# -- to_wire -------------------------------------------------------------------------------


def test_to_wire_drops_read_only_fields_at_every_depth() -> None:
    user = CreateUserParameters(
        username="alice",
        domain="LOCAL",
        primary_group="admins",
        other_groups=["ops"],
        local_user_params={"password": "pw", "groups": ["g"], "primaryGroup": "pg"},
    )
    assert user.primary_group == "admins"  # kept on the object...
    assert user.to_wire() == {  # ...but never sent
        "username": "alice", "domain": "LOCAL", "localUserParams": {"password": "pw"},
    }


def test_to_wire_sends_null_for_nullable_none_and_omits_other_none() -> None:
    user = CreateUserParameters(username="a", domain="LOCAL", description=None, roles=None)
    assert user.to_wire() == {"username": "a", "domain": "LOCAL", "description": None,
                              "roles": None}
    # CreateGroupParams.roles is not nullable: None means "not sent".
    group = CreateGroupParams(name="ops", domain="LOCAL", roles=None, description=None)
    assert group.to_wire() == {"name": "ops", "domain": "LOCAL", "description": None}
    # Unset fields are not sent at all.
    assert CreateGroupParams(name="ops", domain="LOCAL").to_wire() == {
        "name": "ops", "domain": "LOCAL"
    }


@pytest.mark.parametrize("case", OPTIONAL_WRITABLE_CASES, ids=case_id)
def test_none_is_null_on_the_wire_only_when_nullable(case: Tuple[str, str]) -> None:
    schema, name = case
    wire = model(schema)(**required_values(schema), **{name: None}).to_wire()
    if props(schema)[name].get("nullable"):
        assert name in wire and wire[name] is None
    else:
        assert name not in wire


def test_to_wire_never_sends_unknown_keys() -> None:
    group = CreateGroupParams.from_dict(
        {"name": "n", "domain": "d", "extraKey": 1, "localGroupParams": {"userSids": ["a"],
                                                                        "zzz": 2}}
    )
    assert group.to_dict()["extraKey"] == 1  # kept on the object
    assert group.to_wire() == {"name": "n", "domain": "d", "localGroupParams": {"userSids": ["a"]}}


@pytest.mark.parametrize("case", REQUIRED_CASES, ids=case_id)
def test_to_wire_refuses_a_missing_required_field(case: Tuple[str, str]) -> None:
    schema, name = case
    values = required_values(schema)
    del values[name]
    with pytest.raises(ApiValueError) as info:
        model(schema)(**values).to_wire()
    assert str(info.value) == f"{schema}.{snake(name)}: is required"
    assert info.value.path_to_item == [schema, snake(name)]
    # Present but None is missing too.
    with pytest.raises(ApiValueError, match=f"{snake(name)}: is required"):
        model(schema)(**values, **{name: None}).to_wire()


def test_to_wire_names_the_field_path_given() -> None:
    with pytest.raises(ApiValueError) as info:
        CreateGroupParams(name="ops").to_wire(["body", 0])
    assert str(info.value) == "body[0].domain: is required"
    assert isinstance(info.value, ValueError)
    # Nested objects carry the path down, list indexes included.
    with pytest.raises(ApiValueError) as info:
        Groups(groups=[{"name": "ops", "domain": "LOCAL"}, {"name": "dev"}]).to_wire(["body"])
    assert str(info.value) == "body.groups[1].domain: is required"
    assert info.value.path_to_item == ["body", "groups", 1, "domain"]


@pytest.mark.parametrize("case", MIN_ITEMS_CASES, ids=case_id)
def test_to_wire_refuses_too_few_items(case: Tuple[str, str]) -> None:
    schema, name = case
    values = {**required_values(schema), name: []}
    with pytest.raises(ApiValueError, match=rf"^{schema}\.{snake(name)}: must have at least 1"):
        model(schema)(**values).to_wire()


def test_to_wire_min_items_names_the_path() -> None:
    with pytest.raises(ApiValueError) as info:
        DeleteUsersRequest(sids=[]).to_wire(["body"])
    assert str(info.value) == "body.sids: must have at least 1 item(s)"
    result = TenantAccessResult(tenant_accesses=[{"tenantId": "t", "roles": ["r"], "clusters": []}])
    with pytest.raises(ApiValueError) as info:
        result.to_wire(["body"])
    assert str(info.value) == "body.tenant_accesses[0].clusters: must have at least 1 item(s)"
    # One item is enough, and a tuple is sent as a JSON array.
    assert DeleteUsersRequest(sids=("S-1",)).to_wire() == {"sids": ["S-1"]}


@pytest.mark.parametrize("case", WRITABLE_ENUM_CASES, ids=case_id)
def test_to_wire_checks_enum_values(case: Tuple[str, str]) -> None:
    schema, name = case
    cls = model(schema)
    for value in props(schema)[name]["enum"]:
        assert cls(**{name: value}).to_wire() == {name: value}
    # An unknown value is accepted on the object (it may come from a newer server)...
    obj = cls(**{name: "NotAValue"})
    # ...but refused as a request, naming the field.
    with pytest.raises(ApiValueError, match=rf"^{schema}\.{snake(name)}: 'NotAValue'"):
        obj.to_wire()


def test_to_wire_enum_error_inside_a_list_names_the_index() -> None:
    principals = SecurityPrincipals(
        security_principals=[{"objectClass": "User"}, {"objectClass": "Printer"}]
    )
    with pytest.raises(ApiValueError) as info:
        principals.to_wire(["body"])
    assert str(info.value).startswith("body.security_principals[1].object_class: 'Printer'")


def test_read_only_enum_with_unknown_value_is_simply_not_sent() -> None:
    access = TenantAccess.from_dict(
        {"tenantId": "t", "roles": ["r"], "clusters": [{"clusterId": 1, "x": 2}],
         "tenantStatus": "Suspended"}
    )
    assert access.to_wire() == {"tenantId": "t", "roles": ["r"], "clusters": [{"clusterId": 1}]}


def test_to_wire_does_not_change_the_object() -> None:
    user = CreateUserParameters(username="a", domain="LOCAL", primary_group="g", roles=None)
    before = user.to_dict()
    user.to_wire()
    assert user.to_dict() == before == {"username": "a", "domain": "LOCAL",
                                        "primaryGroup": "g", "roles": None}


# -- the request body encoder: one pass through pydantic, same bytes as to_wire -------


def encodings(schema: str, obj: ApiModel) -> Tuple[bytes, bytes, bytes, bytes]:
    from cohesity_sdk.helios.model_base import dump_json, encode_body

    cls = model(schema)
    return (
        encode_body(cls, obj, ["body"]), dump_json(obj.to_wire(["body"])),
        encode_body(cls, [obj, obj], ["body"]),
        dump_json([obj.to_wire(["body", 0]), obj.to_wire(["body", 1])]),
    )


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_encoded_body_is_byte_for_byte_to_wire(schema: str) -> None:
    # Every property set, read-only ones and nested models included.
    one, expected_one, many, expected_many = encodings(schema, model(schema).from_dict(
        sample(schema)))
    assert one == expected_one
    assert many == expected_many
    assert json.loads(one) == writable(schema, sample(schema))


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_encoded_body_drops_undeclared_keys_and_non_nullable_nulls(schema: str) -> None:
    data = {name: None for name in props(schema) if name not in required(schema)}
    data.update({name: sample(schema)[name] for name in required(schema)})
    data["addedLater"] = {"x": 1}
    obj = model(schema).from_dict(data)
    one, expected_one, many, expected_many = encodings(schema, obj)
    assert one == expected_one and many == expected_many
    sent = json.loads(one)
    assert "addedLater" not in sent
    for name, value in sent.items():
        assert value is not None or props(schema)[name].get("nullable"), name


def test_encoded_body_checks_every_item_of_a_long_list() -> None:
    # Long enough to be checked and serialised in several chunks.
    from cohesity_sdk.helios.model_base import encode_body

    users = [CreateUserParameters(username=f"u{i}", domain="LOCAL") for i in range(1500)]
    users[1234] = CreateUserParameters(username="late")
    with pytest.raises(ApiValueError, match=r"^body\[1234\]\.domain: is required"):
        encode_body(CreateUserParameters, users, ["body"])


def test_encoded_long_list_is_byte_for_byte_to_wire() -> None:
    from cohesity_sdk.helios.model_base import dump_json, encode_body

    users = [CreateUserParameters(username=f"u{i}", domain="LOCAL", roles=["r"],
                                  local_user_params=LocalUserParams(email=f"{i}@x"))
             for i in range(1500)]
    expected = dump_json([user.to_wire() for user in users])
    assert encode_body(CreateUserParameters, users, ["body"]) == expected
    assert len(json.loads(expected)) == 1500
    assert encode_body(CreateUserParameters, [], ["body"]) == b"[]"


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_encoded_body_of_writable_fields_is_byte_for_byte_to_wire(schema: str) -> None:
    # Only what a request may carry, every property set: each field set is sent, at
    # every depth, in the spec's order, and nothing else.
    data = writable(schema, sample(schema))
    obj = model(schema).from_dict(data)
    one, expected_one, many, expected_many = encodings(schema, obj)
    assert one == expected_one and many == expected_many
    assert one == reference_bytes(data)
    assert many == reference_bytes([data, data])


def test_a_nullable_field_set_to_none_in_a_bulk_body_is_sent_as_null() -> None:
    from cohesity_sdk.helios.model_base import encode_body

    users = [CreateUserParameters(username=f"u{i}", domain="LOCAL", description=f"d{i}")
             for i in range(1500)]
    users[1037].description = None
    sent = json.loads(encode_body(CreateUserParameters, users, ["body"]))
    assert sent[1037] == {"username": "u1037", "domain": "LOCAL", "description": None}
    assert all(item["description"] == f"d{i}" for i, item in enumerate(sent) if i != 1037)


# Text that looks like JSON keys, escapes and quotes, to put in every string field.
AWKWARD_TEXT = ['a":b', '\\', '\\":', '"', '{"k":"v"}', "null", 'x\\"', "é\u2028"]


def rule_breaker(prop: Dict[str, Any]) -> Any:
    """A value the spec refuses in a request for ``prop``, or None when there is none."""
    if "enum" in prop:
        return "NotAValue"
    if prop.get("format") == "int64":
        return 2**63
    if prop.get("type") == "array" and prop.get("items", {}).get("format") == "int64":
        return [1, -(2**63) - 1]
    if prop.get("minItems"):
        return []
    return None


def random_request(
    schema: str, rng: random.Random, depth: int = 0, breaking: float = 0.03,
    read_only: float = 0.0, undeclared: float = 0.2,
) -> Dict[str, Any]:
    """Some of the writable properties of ``schema``: absent, null, a value, now and then
    (at the rate ``breaking``) a value the spec refuses; at the rate ``read_only``, read-only
    properties too, and at the rate ``undeclared`` a key the spec does not declare, as a
    server may send them."""
    data: Dict[str, Any] = {}
    for i, (name, prop) in enumerate(props(schema).items()):
        if prop.get("readOnly"):
            if read_only and rng.random() < read_only:
                data[name] = sample_value(schema, name, prop, i)
            continue
        roll = rng.random()
        if roll < 0.3:
            continue
        if roll < 0.45 and name not in required(schema):
            data[name] = None
            continue
        if roll > 1 - breaking and rule_breaker(prop) is not None:
            data[name] = rule_breaker(prop)
            continue
        ref = ref_of(prop)
        if ref and depth < 3:
            nested = [random_request(ref, rng, depth + 1, breaking, read_only, undeclared)
                      for _ in range(rng.randint(1, 2))]
            data[name] = nested if prop.get("type") == "array" else nested[0]
        elif prop.get("type") == "string" and "enum" not in prop:
            data[name] = rng.choice(AWKWARD_TEXT)
        elif prop.get("type") == "array" and prop["items"].get("type") == "string":
            data[name] = rng.sample(AWKWARD_TEXT, 2)
        else:
            data[name] = sample_value(schema, name, prop, i)
    if rng.random() < undeclared:
        data["addedLater"] = rng.choice([None, 'a":', 1])
    return data


@pytest.mark.parametrize("seed", range(40))
def test_encoded_body_equals_to_wire_for_random_requests(seed: int) -> None:
    # Nulls, awkward text and undeclared keys, mixed at every depth: whichever path a
    # body takes, the bytes are to_wire's, and a broken rule raises the same error.
    from cohesity_sdk.helios.model_base import dump_json, encode_body

    rng = random.Random(seed)
    for schema in SCHEMA_NAMES:
        cls = model(schema)
        items = [cls.from_dict(random_request(schema, rng)) for _ in range(rng.randint(1, 4))]
        try:
            expected = dump_json([item.to_wire(["body", i]) for i, item in enumerate(items)])
        except ApiValueError as error:
            with pytest.raises(ApiValueError) as info:
                encode_body(cls, items, ["body"])
            assert str(info.value) == str(error)
        else:
            assert encode_body(cls, items, ["body"]) == expected
            assert encode_body(cls, items[0], ["body"]) == dump_json(items[0].to_wire(["body"]))
        # And both agree with the reference written from the spec.
        assert_as_reference(schema, items)
        assert_as_reference(schema, items[0])


# -- a reference encoder, written from the spec alone ---------------------------------------
#
# Field by field, in the spec's order, as plainly as can be: what encode_body and to_wire
# must give, bytes and error text alike, however they go about it.


class Refused(Exception):
    """A request the spec refuses, with the text the SDK's ApiValueError must have."""


def refused(path: List[Any], message: str) -> Refused:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return Refused(f"{text}: {message}")


def check_int64(prop: Dict[str, Any], value: int, path: List[Any]) -> None:
    if prop.get("format") == "int64" and not -(2**63) <= value <= 2**63 - 1:
        raise refused(path, f"{value} is out of the int64 range")


def reference_wire(schema: str, obj: ApiModel, path: List[Any]) -> Dict[str, Any]:
    """The JSON object a request carries for ``obj``: the writable properties that were set,
    ``null`` only where nullable, never a read-only property or an undeclared key."""
    out: Dict[str, Any] = {}
    for name, prop in props(schema).items():
        if prop.get("readOnly"):
            continue
        attr = snake(name)
        value = getattr(obj, attr)
        here = path + [attr]
        if value is None:
            if name in required(schema):
                raise refused(here, "is required")
            if prop.get("nullable") and attr in obj.model_fields_set:
                out[name] = None
            continue
        ref = ref_of(prop)
        if prop.get("type") == "array":
            if len(value) < prop.get("minItems", 0):
                raise refused(here, f"must have at least {prop['minItems']} item(s)")
            items = []
            for i, item in enumerate(value):
                if ref:
                    items.append(reference_wire(ref, item, here + [i]))
                else:
                    check_int64(prop["items"], item, here + [i])
                    items.append(item)
            out[name] = items
        elif ref:
            out[name] = reference_wire(ref, value, here)
        else:
            if "enum" in prop and value not in prop["enum"]:
                raise refused(here, f"{value!r} is not one of {sorted(prop['enum'])}")
            check_int64(prop, value, here)
            out[name] = value
    return out


def reference_bytes(wire: Any) -> bytes:
    return json.dumps(wire, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def assert_as_reference(schema: str, value: Any) -> None:
    """encode_body (of a model or a list of them) and to_wire (of each model) give what the
    reference gives: the same bytes, or an ApiValueError with the same text."""
    from cohesity_sdk.helios.model_base import encode_body

    listed = isinstance(value, list)
    items = value if listed else [value]
    paths = [["body", i] if listed else ["body"] for i in range(len(items))]
    wires: List[Any] = []
    refusal = None
    for item, path in zip(items, paths):
        try:
            wire = reference_wire(schema, item, path)
        except Refused as error:
            with pytest.raises(ApiValueError) as info:
                item.to_wire(path)
            assert str(info.value) == str(error)
            refusal = refusal or error
        else:
            assert reference_bytes(item.to_wire(path)) == reference_bytes(wire)  # order too
            wires.append(wire)
    if refusal is not None:  # the first in the body is the one named
        with pytest.raises(ApiValueError) as info:
            encode_body(model(schema), value, ["body"])
        assert str(info.value) == str(refusal)
    else:
        expected = reference_bytes(wires if listed else wires[0])
        assert encode_body(model(schema), value, ["body"]) == expected


@pytest.mark.parametrize("schema", SCHEMA_NAMES)
def test_reference_agrees_on_full_objects(schema: str) -> None:
    # Every property set, read-only ones and nested models included; then only the
    # writable ones, all of which are sent.
    full = model(schema).from_dict(sample(schema))
    assert_as_reference(schema, full)
    assert_as_reference(schema, [full, full])
    obj = model(schema).from_dict(writable(schema, sample(schema)))
    assert_as_reference(schema, obj)
    assert_as_reference(schema, [obj, obj])
    from cohesity_sdk.helios.model_base import encode_body

    sent = json.loads(encode_body(model(schema), [obj, obj], ["body"]))
    assert sent == [writable(schema, sample(schema))] * 2


# Chunk boundaries of the encoder (512 models) and either side of them.
LONG_LENGTHS = [511, 512, 513, 1024, 1025, 1500]


@pytest.mark.parametrize("schema", ["CreateUserParameters", "Groups", "TenantAccessResult",
                                    "UpdateUserParameters", "SecurityPrincipals"])
@pytest.mark.parametrize("seed", range(3))
def test_long_bodies_agree_with_the_reference(schema: str, seed: int) -> None:
    # Long lists of requests built by users, and of bodies decoded from the server
    # (undeclared keys and read-only properties at every depth), nulls anywhere; valid,
    # then with a broken rule here and there, the first of which must be named.
    rng = random.Random(seed)
    length = LONG_LENGTHS[(seed + len(schema)) % len(LONG_LENGTHS)]
    cls = model(schema)
    built = [cls(**random_request(schema, rng, breaking=0, undeclared=0)) for _ in range(length)]
    assert_as_reference(schema, built)
    decoded = [cls.from_dict(random_request(schema, rng, breaking=0, read_only=0.5))
               for _ in range(length)]
    assert_as_reference(schema, decoded)

    def broken_item() -> ApiModel:  # one that breaks a rule, wherever it may be in it
        while True:
            item = cls.from_dict(random_request(schema, rng, breaking=0.3, read_only=0.5))
            try:
                reference_wire(schema, item, [])
            except Refused:
                return item

    for position in (0, 511, 512, 1023, 1024, length - 1):
        if position >= length:
            continue
        body = list(decoded)
        body[position] = broken_item()
        assert_as_reference(schema, body)
        body = list(built)
        body[position] = broken_item()
        if position + 7 < length:  # a second one further on: the first is named
            body[position + 7] = broken_item()
        assert_as_reference(schema, body)


def test_nones_undeclared_keys_and_read_only_deep_in_long_bodies() -> None:
    # One of each, far apart in bodies of 1500 models (several chunks of the encoder),
    # at the top and nested: a nullable None is sent as null, any other None is left out,
    # and so are undeclared keys and read-only properties.
    from cohesity_sdk.helios.model_base import encode_body

    groups = [CreateGroupParams(name=f"g{i}", domain="LOCAL", roles=["r"],
                                local_group_params={"userSids": [f"S-{i}"]})
              for i in range(1500)]
    groups[3].description = None
    groups[600].roles = None
    groups[700].local_group_params.user_sids = None  # type: ignore[union-attr]
    groups[1030] = CreateGroupParams.from_dict(
        {"name": "x", "domain": "d", "zone": "eu", "localGroupParams": {"userSids": [], "z": 1}})
    assert_as_reference("CreateGroupParams", groups)
    sent = json.loads(encode_body(CreateGroupParams, groups, ["body"]))
    assert sent[3]["description"] is None and "description" not in sent[4]
    assert "roles" not in sent[600] and sent[601]["roles"] == ["r"]
    assert sent[700]["localGroupParams"] == {} and sent[701]["localGroupParams"] == {
        "userSids": ["S-701"]}
    assert sent[1030] == {"domain": "d", "localGroupParams": {"userSids": []}, "name": "x"}

    body = Groups.from_dict({"groups": [
        {"name": f"g{i}", "domain": "LOCAL", "sid": f"S-{i}",
         "smbPrincipals": [{"name": "p", "objectClass": "User", "extra": i}]}
        for i in range(1500)
    ]})
    listed = body.groups or []
    listed[5].description = None
    listed[900].roles = None
    (listed[1200].smb_principals or [])[0].object_class = None
    assert_as_reference("Groups", body)
    assert_as_reference("Groups", [body, Groups(groups=listed[:3])])
    sent = json.loads(encode_body(Groups, body, ["body"]))["groups"]
    principal = {"name": "p", "objectClass": "User"}
    assert sent[5] == {"description": None, "domain": "LOCAL", "name": "g5",
                       "smbPrincipals": [principal]}
    assert sent[900] == {"domain": "LOCAL", "name": "g900", "smbPrincipals": [principal]}
    assert sent[1200]["smbPrincipals"] == [{"name": "p", "objectClass": None}]
