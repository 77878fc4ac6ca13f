"""The generated models against the spec: fields, round trips, strictness, leniency, wire rules.

Most tests are driven by ``spec/helios-user-api.json`` itself, so that every schema and every
property is covered, and a model drifting from the spec fails here.
"""

from __future__ import annotations

import importlib
import json
import random
import re
import traceback
import typing
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
from pydantic import ValidationError

import cohesity_sdk.helios
from cohesity_sdk.helios import (
    ActiveSessionsCountParams,
    ApiAttributeError,
    ApiTypeError,
    ApiValueError,
    CreatedUserAPIKey,
    CreateGroupParams,
    CreateUserParameters,
    CreateUserSessionRequestParams,
    DeleteUsersRequest,
    GroupParams,
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
    UserAPIKeys,
    UserParams,
    UsersList,
)
from cohesity_sdk.helios.encoder import dump_json, encode_body
from cohesity_sdk.helios.model_base import ApiModel
from cohesity_sdk.helios.wire import WireEnum, empty_list

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


def read_only_as_null(schema: str, data: Dict[str, Any]) -> Dict[str, Any]:
    """``data`` with each read-only property it gives set to null, at every depth."""
    out: Dict[str, Any] = {}
    for name, value in data.items():
        prop = props(schema)[name]
        ref = ref_of(prop)
        if prop.get("readOnly"):
            value = None
        elif ref and isinstance(value, list):
            value = [read_only_as_null(ref, item) for item in value]
        elif ref and value is not None:
            value = read_only_as_null(ref, value)
        out[name] = value
    return out


def read_only_paths(schema: str, data: Dict[str, Any], path: List[Any]) -> List[List[Any]]:
    """The paths (attribute names and indexes) of the read-only properties ``data`` gives a
    value other than null, at every depth, in document order: properties in the spec's
    order, items in order, depth first. A request is refused for the first of them, when
    it breaks no other rule before it."""
    found: List[List[Any]] = []
    for name, prop in props(schema).items():
        if name not in data:
            continue
        value = data[name]
        here = path + [snake(name)]
        ref = ref_of(prop)
        if prop.get("readOnly"):
            if value is not None:
                found.append(here)
        elif ref and isinstance(value, list):
            for i, item in enumerate(value):
                found += read_only_paths(ref, item, here + [i])
        elif ref and value is not None:
            found += read_only_paths(ref, value, here)
    return found


def render(path: List[Any]) -> str:
    """``["body", 0, "sid"]`` -> ``body[0].sid``, as the SDK's messages name a value."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


#: What the SDK says of a read-only property set on a request, after its path.
READ_ONLY = "is read-only: the server sets it, so a request cannot; leave it out"


def read_only_refusal(path: List[Any]) -> str:
    return f"{render(path)}: {READ_ONLY}"


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
READ_ONLY_CASES = prop_cases(lambda s, n, p: bool(p.get("readOnly")))
SECRET_CASES = prop_cases(lambda s, n, p: p.get("format") == "password")
REQUIRED_CASES = prop_cases(lambda s, n, p: n in required(s))
MIN_ITEMS_CASES = prop_cases(lambda s, n, p: "minItems" in p)
ENUM_CASES = prop_cases(lambda s, n, p: "enum" in p)
WRITABLE_ENUM_CASES = prop_cases(lambda s, n, p: "enum" in p and not p.get("readOnly"))
OPTIONAL_WRITABLE_CASES = prop_cases(
    lambda s, n, p: not p.get("readOnly") and n not in required(s)
)


#: The list of each list result (a model that answers carry, requests do not, and no other
#: model holds): typed ``List[X]``, ``[]`` when missing or null. Every other field
#: defaults to None.
LIST_RESULTS = {
    "ActiveSessionsCountParams": "sessionsPerUser",
    "Groups": "groups",
    "SecurityPrincipals": "securityPrincipals",
    "TenantAccessResult": "tenantAccesses",
    "UserAPIKeys": "apiKeys",
    "UsersList": "users",
}
#: The list results whose list is their only field: they read as that list.
LIST_MODELS = sorted(schema for schema in LIST_RESULTS if len(props(schema)) == 1)


def is_list_result(schema: str, name: str) -> bool:
    return LIST_RESULTS.get(schema) == name


def test_spec_is_what_these_tests_expect() -> None:
    # Guards the parametrization: an empty case list would silently test nothing.
    assert len(SCHEMAS) == 32 and "Error" in SCHEMAS
    assert len(SECRET_CASES) == 10  # the format: password fields, the session id among them
    assert REF_CASES and REQUIRED_CASES and MIN_ITEMS_CASES and WRITABLE_ENUM_CASES
    assert len(READ_ONLY_CASES) == 47
    # Full samples of these schemas carry a read-only value somewhere, at any depth.
    assert [s for s in SCHEMA_NAMES if read_only_paths(s, sample(s), [])] == [
        "CreateUserParameters", "CreatedUserAPIKey", "GroupParams", "Groups",
        "LocalUserParams", "LocalUserUpdateParams", "SecretKeyEntity", "TenantAccess",
        "TenantAccessResult", "UpdateUserParameters", "UserAPIKey", "UserAPIKeys",
        "UserParams", "UsersList",
    ]
    for schema, name in LIST_RESULTS.items():
        prop = props(schema)[name]
        assert prop["type"] == "array" and ref_of(prop) and not prop.get("readOnly")
    assert LIST_MODELS == ["Groups", "SecurityPrincipals", "TenantAccessResult",
                           "UserAPIKeys", "UsersList"]


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
def test_every_field_is_optional_and_defaults_to_none_or_an_empty_list(schema: str) -> None:
    # None, but for the list of a list result: that is typed List[X] and defaults to a
    # new [] (not one shared between objects). Unset, neither is written anywhere.
    cls = model(schema)
    empty, other = cls(), cls()
    for name in props(schema):
        attr = snake(name)
        field = cls.model_fields[attr]
        if is_list_result(schema, name):
            item = model(ref_of(props(schema)[name]))  # type: ignore[arg-type]
            assert field.annotation == List[item]  # type: ignore[valid-type]
            assert field.default_factory is empty_list
            assert getattr(empty, attr) == [] and type(getattr(empty, attr)) is list
            assert getattr(empty, attr) is not getattr(other, attr)
        else:
            assert type(None) in typing.get_args(field.annotation), attr  # Optional[...]
            assert field.default is None and field.default_factory is None
            assert getattr(empty, attr) is None
    assert empty.model_fields_set == set()
    assert empty.to_dict() == {}
    assert empty.to_json() == "{}"
    assert cls.from_dict({}).to_dict() == {}
    assert cls.from_json("{}").to_dict() == {}
    if not required(schema):  # (else it is refused: see the tests of required fields)
        assert empty.to_wire() == {} and cls.from_dict({}).to_wire() == {}
        assert encode_body(cls, empty, ["body"]) == b"{}"
        assert encode_body(cls, [empty, other], ["body"]) == b"[{},{}]"


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
    # Every property set: a read-only one (at any depth) is refused, the first in
    # document order named; given as null it is "not given", and left out.
    data = sample(schema)
    full = model(schema).from_dict(data)
    paths = read_only_paths(schema, data, [schema])
    if paths:
        with pytest.raises(ApiValueError) as info:
            full.to_wire()
        assert str(info.value) == read_only_refusal(paths[0])
        assert info.value.path_to_item == paths[0]
    else:
        assert full.to_wire() == writable(schema, data)
    for given in (writable(schema, data), read_only_as_null(schema, data)):
        wire = model(schema).from_dict(given).to_wire()
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


def assert_refusal(error: BaseException, text: str, *secrets: str) -> None:
    """``error`` is the SDK's refusal of a value, with exactly ``text``, and quotes none of
    ``secrets``: not in its text, its repr or a printed traceback."""
    assert type(error) is ApiValueError
    assert isinstance(error, ValueError) and isinstance(error, OpenApiException)
    assert not isinstance(error, ValidationError)  # pydantic's own does not escape
    assert str(error) == text
    # As printed in a log: the frames left out (their source lines are this file's), but
    # any exception chained to it kept.
    printed = "".join(traceback.format_exception(type(error), error, error.__traceback__,
                                                 limit=0))
    for secret in secrets:
        assert secret not in str(error) and secret not in repr(error) and secret not in printed


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"username": 123}, "username: Input should be a valid string"),
        ({"roles": "Admin"}, "roles: Input should be a valid list"),
        ({"roles": [1, 2]},
         "roles.0: Input should be a valid string; roles.1: Input should be a valid string"),
        # A request model's fields are strict: pydantic does not try to read the text.
        ({"expiry_time_msecs": "tomorrow"},
         "expiry_time_msecs: Input should be a valid integer"),
        # By the JSON key, the JSON key is named.
        ({"expiryTimeMsecs": "tomorrow"},
         "expiryTimeMsecs: Input should be a valid integer"),
        ({"locked": "perhaps"},
         "locked: Input should be a valid boolean"),
        ({"local_user_params": "alice@example.com"},
         "local_user_params: Input should be a valid dictionary or instance of LocalUserParams"),
        ({"local_user_params": {"email": ["alice@example.com"]}},
         "local_user_params.email: Input should be a valid string"),
    ],
    ids=["username", "roles", "roles-items", "expiry_time_msecs", "expiryTimeMsecs", "locked",
         "local_user_params", "local_user_params-email"],
)
def test_wrong_types_are_refused(kwargs: Dict[str, Any], message: str) -> None:
    # An ApiValueError naming the model and the field, with pydantic's message, never
    # quoting the value given.
    with pytest.raises(ApiValueError) as info:
        CreateUserParameters(**{"username": "alice", "domain": "LOCAL", **kwargs})
    assert_refusal(info.value, f"CreateUserParameters(): {message}",
                   "tomorrow", "perhaps", "Admin", "alice@example.com")


def test_pydantic_own_methods_still_raise_its_validation_error() -> None:
    with pytest.raises(ValidationError):
        CreateUserParameters.model_validate({"locked": "perhaps"})
    with pytest.raises(ValidationError):
        CreateUserParameters.model_validate_json('{"locked": "perhaps"}')


def test_from_dict_and_from_json_refuse_with_api_value_error() -> None:
    with pytest.raises(ApiValueError) as info:
        UsersList.from_dict({"users": [{"username": "a"}, {"username": 5}]})
    assert_refusal(info.value, "UsersList.from_dict(): users.1.username: Input should be a"
                   " valid string")
    with pytest.raises(ApiValueError) as info:
        UsersList.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]
    assert_refusal(info.value, "UsersList.from_dict(): Input should be a valid dictionary or"
                   " instance of UsersList", "not")
    with pytest.raises(ApiValueError) as info:
        UsersList.from_json('{"users": 3}')
    assert_refusal(info.value, "UsersList.from_json(): users: Input should be a valid array")
    with pytest.raises(ApiValueError) as info:
        TenantAccess.from_json(b'{"tenantId": "t", "clusters": [{"clusterId": "big"}]}')
    assert_refusal(info.value, "TenantAccess.from_json(): clusters.0.clusterId: Input should be"
                   " a valid integer, unable to parse string as an integer", "big")
    with pytest.raises(ApiValueError) as info:
        UsersList.from_json("{not json")
    assert str(info.value).startswith("UsersList.from_json(): Invalid JSON: ")
    assert isinstance(info.value, ValueError) and isinstance(info.value, OpenApiException)
    assert not isinstance(info.value, ValidationError)


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
    with pytest.raises(ApiValueError) as info:
        user.locked = "perhaps"  # type: ignore[assignment]
    assert_refusal(info.value, "CreateUserParameters: locked: Input should be a valid boolean",
                   "perhaps")
    assert user.locked is False  # the refused value was not stored
    with pytest.raises(ApiValueError) as info:
        user.roles = "Admin"  # type: ignore[assignment]
    assert_refusal(info.value, "CreateUserParameters: roles: Input should be a valid list",
                   "Admin")
    # By the JSON key, the attribute is named.
    with pytest.raises(ApiValueError) as info:
        user.expiryTimeMsecs = "tomorrow"  # type: ignore[attr-defined]
    assert_refusal(info.value, "CreateUserParameters: expiry_time_msecs: Input should be a"
                   " valid integer", "tomorrow")
    assert user.roles is None and user.expiry_time_msecs is None
    assert user.model_fields_set == {"username", "locked"}
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
    assert users.users[0].zone == "eu"  # type: ignore[attr-defined]
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


# -- list results --------------------------------------------------------------------------


@pytest.mark.parametrize("schema", LIST_MODELS)
def test_a_list_result_reads_as_its_list(schema: str) -> None:
    cls, name = model(schema), LIST_RESULTS[schema]
    attr, item_schema = snake(name), ref_of(props(schema)[name])
    assert item_schema is not None
    data = {name: [sample(item_schema), {}, {"addedLater": 3}]}
    obj = cls.from_dict(data)
    items = getattr(obj, attr)
    assert type(items) is list and [type(item) for item in items] == [model(item_schema)] * 3
    assert len(obj) == 3 and bool(obj) is True
    listed = [item for item in obj]
    assert len(listed) == 3 and all(a is b for a, b in zip(listed, items))
    assert obj[0] is items[0] and obj[2] is items[2] and obj[-1] is items[2]  # type: ignore[index]
    assert obj[1:] == items[1:] and type(obj[1:]) is list  # type: ignore[index]
    assert obj[::2] == [items[0], items[2]] and obj[:0] == []  # type: ignore[index]
    with pytest.raises(IndexError):
        obj[3]  # type: ignore[index]
    assert list(reversed(obj)) == items[::-1]  # type: ignore[call-overload]
    assert items[1] in obj
    # A decoded one round-trips through to_dict() and to_json().
    assert obj.to_dict() == data
    assert cls.from_dict(obj.to_dict()) == obj
    assert cls.from_json(obj.to_json()) == obj
    assert cls.from_dict(obj.to_dict()).to_dict() == data


@pytest.mark.parametrize("schema", LIST_MODELS)
def test_a_missing_or_null_list_result_is_an_empty_list(schema: str) -> None:
    cls, name = model(schema), LIST_RESULTS[schema]
    attr = snake(name)
    missing = (cls(), cls.from_dict({}), cls.from_json("{}"), cls.from_json(b'{"x": 1}'))
    null = (cls.from_dict({name: None}), cls.from_json(json.dumps({name: None})),
            cls(**{attr: None}), cls(**{name: None}), cls(**{attr: []}))
    for empty in missing + null:
        assert getattr(empty, attr) == [] and type(getattr(empty, attr)) is list
        assert not empty and bool(empty) is False and len(empty) == 0
        assert list(empty) == [] and empty[:] == []  # type: ignore[index]
        with pytest.raises(IndexError):
            empty[0]  # type: ignore[index]
    # Missing, it is not set, so not written; null (or None, or []) is set, and written
    # as [] (which decodes to the same).
    for empty in missing:
        assert name not in empty.to_dict() and name not in empty.to_wire()
    for empty in null:
        assert empty.to_dict() == {name: []} and empty.to_wire() == {name: []}
        assert json.loads(empty.to_json()) == {name: []}
        assert cls.from_dict(empty.to_dict()) == cls.from_dict({name: []})
        assert encode_body(cls, empty, ["body"]) == dump_json({name: []})
    # Assigned None, it is [] again.
    full = cls.from_dict({name: [{}]})
    setattr(full, attr, None)
    assert getattr(full, attr) == [] and not full


def test_a_list_result_with_other_fields_has_its_list_but_does_not_read_as_one() -> None:
    for counts in (ActiveSessionsCountParams(), ActiveSessionsCountParams.from_dict(
            {"sessionsPerUser": None, "totalSessionsCount": 0})):
        assert counts.sessions_per_user == [] and type(counts.sessions_per_user) is list
        assert bool(counts) is True  # a model, not a list: no len()
        with pytest.raises(TypeError):
            len(counts)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            counts[0]  # type: ignore[index]
    assert ActiveSessionsCountParams().to_dict() == {}
    decoded = ActiveSessionsCountParams.from_dict({"sessionsPerUser": [{"sid": "S-1"}]})
    assert decoded.sessions_per_user[0].sid == "S-1"
    assert ActiveSessionsCountParams.from_dict(decoded.to_dict()) == decoded


def test_only_list_results_read_as_lists() -> None:
    readers = {schema for schema in SCHEMA_NAMES if hasattr(model(schema), "__len__")}
    assert readers == set(LIST_MODELS)


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
            assert secret not in text
        # str() of a list result is the table of its items' identifying columns, where
        # no secret is a column: the masked value shows in the item's own str().
        shown = (repr(obj), obj.to_str(), str(users[0] if obj is users else obj))
        for text in shown:
            assert secret not in text and "***" in text
    assert "b@c.d" in repr(new_user) and "alice" in users.to_str()


def test_validation_error_does_not_echo_a_secret() -> None:
    # A one-time code typed as an int is refused; the refusal must not quote the code,
    # nor the password beside it, since error messages end up in logs.
    with pytest.raises(ApiValueError) as info:
        CreateUserSessionRequestParams(username="alice", password="hunter2-pw", otp_code=918273)
    assert_refusal(info.value, "CreateUserSessionRequestParams(): otp_code: Input should be a"
                   " valid string", "918273", "hunter2-pw")
    with pytest.raises(ApiValueError) as info:
        CreateUserParameters(username="a", local_user_params={"password": ["hunter2-nested"]})
    assert_refusal(info.value, "CreateUserParameters(): local_user_params.password: Input"
                   " should be a valid string", "hunter2-nested")


@pytest.mark.parametrize("case", SECRET_CASES, ids=case_id)
def test_refusals_never_quote_a_secret(case: Tuple[str, str]) -> None:
    # A format: password value of the wrong type, refused on each way into a model:
    # construction, assignment, from_dict and from_json. The field is named, not the value.
    schema, name = case
    cls, attr = model(schema), snake(name)
    secret = f"S3cr3t-{schema}-{name}"
    bad = [secret]
    message = "Input should be a valid string"
    with pytest.raises(ApiValueError) as info:
        cls(**{attr: bad})
    assert_refusal(info.value, f"{schema}(): {attr}: {message}", secret)
    obj = cls()
    with pytest.raises(ApiValueError) as info:
        setattr(obj, attr, bad)
    assert_refusal(info.value, f"{schema}: {attr}: {message}", secret)
    assert getattr(obj, attr) is None
    with pytest.raises(ApiValueError) as info:
        cls.from_dict({name: bad})
    assert_refusal(info.value, f"{schema}.from_dict(): {name}: {message}", secret)
    with pytest.raises(ApiValueError) as info:
        cls.from_json(json.dumps({name: {"value": secret}}))
    assert_refusal(info.value, f"{schema}.from_json(): {name}: {message}", secret)


# -- to_wire -------------------------------------------------------------------------------


def test_to_wire_refuses_read_only_fields_at_every_depth() -> None:
    user = CreateUserParameters(
        username="alice",
        domain="LOCAL",
        primary_group="admins",
        other_groups=["ops"],
        local_user_params={"password": "pw", "groups": ["g"], "primaryGroup": "pg"},
    )
    assert user.primary_group == "admins"  # kept on the object...
    # ...but refused as a request, one at a time in document order: fields in declaration
    # order, depth first (localUserParams comes before otherGroups).
    for path in (["local_user_params", "groups"], ["local_user_params", "primary_group"],
                 ["other_groups"], ["primary_group"]):
        for where, given in ((["CreateUserParameters"], None), (["body"], ["body"])):
            with pytest.raises(ApiValueError) as info:
                user.to_wire(given)
            assert str(info.value) == read_only_refusal(where + path)
            assert info.value.path_to_item == where + path
            with pytest.raises(ApiValueError) as info:
                encode_body(CreateUserParameters, user, where)
            assert str(info.value) == read_only_refusal(where + path)
        with pytest.raises(ApiValueError) as info:
            encode_body(CreateUserParameters, [CreateUserParameters(username="b", domain="d"),
                                               user], ["body"])
        assert str(info.value) == read_only_refusal(["body", 1] + path)
        owner = user.local_user_params if path[0] == "local_user_params" else user
        setattr(owner, path[-1], None)  # None: "not given", so the next one is named
    assert user.to_wire() == {
        "username": "alice", "domain": "LOCAL", "localUserParams": {"password": "pw"},
    }
    assert encode_body(CreateUserParameters, [user], ["body"]) == dump_json([user.to_wire()])


def refusal(obj: ApiModel, path: List[Any]) -> str:
    """The text ``obj`` is refused with, the same from to_wire and encode_body (of it alone
    and of a list of it), whose paths ``path`` is relative to."""
    with pytest.raises(ApiValueError) as info:
        obj.to_wire(["body"])
    text = str(info.value)
    assert info.value.path_to_item == ["body"] + path
    with pytest.raises(ApiValueError) as info:
        encode_body(type(obj), obj, ["body"])
    assert str(info.value) == text
    with pytest.raises(ApiValueError) as info:
        encode_body(type(obj), [obj], ["body"])
    assert str(info.value) == text.replace("body", "body[0]", 1)
    assert text.startswith(render(["body"] + path) + ": ")
    return text[len(render(["body"] + path)) + 2:]


def test_read_only_is_checked_at_its_place_among_the_other_rules() -> None:
    # TenantAccess declares clusters (required, minItems 1, int64 inside), createdTimeMsecs
    # (read-only), ..., roles (required, minItems 1), tenantId (required), tenantName and
    # tenantStatus (read-only): the first rule broken in that order is the one named.
    cluster = {"clusterId": 1}
    assert refusal(TenantAccess(created_time_msecs=1), ["clusters"]) == "is required"
    assert refusal(TenantAccess(clusters=[], created_time_msecs=1), ["clusters"]) == (
        "must have at least 1 item(s)")
    assert refusal(TenantAccess(clusters=[cluster, {"clusterId": 2**63}], created_time_msecs=1),
                   ["clusters", 1, "cluster_id"]) == "9223372036854775808 is out of the int64 range"
    assert refusal(TenantAccess(clusters=[cluster], created_time_msecs=1),
                   ["created_time_msecs"]) == READ_ONLY  # before roles and tenantId
    assert refusal(TenantAccess(clusters=[cluster], roles=[], tenant_name="n"),
                   ["roles"]) == "must have at least 1 item(s)"
    assert refusal(TenantAccess(clusters=[cluster], roles=["r"], tenant_name="n"),
                   ["tenant_id"]) == "is required"
    assert refusal(TenantAccess(clusters=[cluster], roles=["r"], tenant_id="t", tenant_name="n",
                                tenant_status="Bogus"), ["tenant_name"]) == READ_ONLY
    assert refusal(TenantAccess(clusters=[cluster], roles=["r"], tenant_id="t",
                                tenant_status="Bogus"), ["tenant_status"]) == READ_ONLY
    # Nested: a read-only value in an earlier item is named before a later item's rule,
    # and a later field's read-only value after an earlier field's nested rule.
    ok = {"clusters": [cluster], "roles": ["r"], "tenantId": "t"}
    result = TenantAccessResult(tenant_accesses=[ok, {**ok, "tenantName": "n"},
                                                 {**ok, "roles": []}])
    assert refusal(result, ["tenant_accesses", 1, "tenant_name"]) == READ_ONLY
    result.tenant_accesses[1].tenant_name = None
    assert refusal(result, ["tenant_accesses", 2, "roles"]) == "must have at least 1 item(s)"
    group = GroupParams(name="n", sid="S-1")  # domain (required) comes before sid
    assert refusal(group, ["domain"]) == "is required"
    group.domain = "d"
    assert refusal(group, ["sid"]) == READ_ONLY
    user = CreateUserParameters(username="u", domain="d", expiry_time_msecs=2**63,
                                other_groups=["g"])  # expiryTimeMsecs before otherGroups
    assert refusal(user, ["expiry_time_msecs"]) == "9223372036854775808 is out of the int64 range"
    user.expiry_time_msecs = 1
    assert refusal(user, ["other_groups"]) == READ_ONLY


@pytest.mark.parametrize("falsy", [True, False], ids=["falsy", "truthy"])
def test_any_read_only_value_but_none_is_refused(falsy: bool) -> None:
    # Falsy values are values too: only None means "not given".
    for obj, path in (
        (UserAPIKeys(api_keys=[{}, {"name": "" if falsy else "k"}]),
         ["body", "api_keys", 1, "name"]),
        (CreatedUserAPIKey(is_active=not falsy), ["body", "is_active"]),
        (CreatedUserAPIKey(created_time_msecs=0 if falsy else 1), ["body", "created_time_msecs"]),
        (GroupParams(name="n", domain="d", sid="" if falsy else "S-1"), ["body", "sid"]),
        (CreateUserParameters(username="u", domain="d",
                              local_user_params={"groups": [] if falsy else ["g"]}),
         ["body", "local_user_params", "groups"]),
    ):
        with pytest.raises(ApiValueError) as info:
            obj.to_wire(["body"])
        assert str(info.value) == read_only_refusal(path)
        with pytest.raises(ApiValueError) as info:
            encode_body(type(obj), [obj], ["body"])
        assert str(info.value) == read_only_refusal(path[:1] + [0] + path[1:])


def test_read_only_none_is_left_out_even_where_nullable() -> None:
    # primaryGroup is read-only and nullable: None set on it is "not given", not null.
    user = CreateUserParameters(username="alice", domain="LOCAL", primary_group=None,
                                other_groups=None,
                                local_user_params={"groups": None, "primaryGroup": None})
    assert user.model_fields_set == {"username", "domain", "primary_group", "other_groups",
                                     "local_user_params"}
    expected = {"domain": "LOCAL", "localUserParams": {}, "username": "alice"}
    assert user.to_wire() == expected
    assert encode_body(CreateUserParameters, user, ["body"]) == dump_json(expected)
    assert encode_body(CreateUserParameters, [user, user], ["body"]) == dump_json([expected] * 2)
    # The same from the server: read-only nulls, at every depth.
    decoded = UsersList.from_dict({"users": [
        {"sid": None, "username": None, "domain": None, "description": "d",
         "lockedReason": None, "otherGroups": None}]})
    assert decoded.to_wire() == {"users": [{"description": "d"}]}
    # Set to a value and back to None, it is not sent either.
    key = CreatedUserAPIKey(api_key="k")
    key.api_key = None
    assert key.to_wire() == {} and encode_body(CreatedUserAPIKey, key, ["body"]) == b"{}"


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
    obj = model(schema)(**required_values(schema), **{name: None})
    wire = obj.to_wire()
    if is_list_result(schema, name):
        # None given to the list of a list result is read as []: that is what is sent.
        assert getattr(obj, snake(name)) == [] and wire[name] == []
    elif props(schema)[name].get("nullable"):
        assert name in wire and wire[name] is None
    else:
        assert name not in wire
    assert encode_body(model(schema), obj, ["body"]) == dump_json(wire)


def test_a_non_nullable_none_beside_an_unset_list() -> None:
    # totalSessionsCount is not nullable, so None on it means "not sent", also beside a
    # list left at its default [] (the Nones are then not the unset fields).
    counts = ActiveSessionsCountParams(total_sessions_count=None)
    assert counts.to_wire() == {}
    assert encode_body(ActiveSessionsCountParams, counts, ["body"]) == b"{}"
    # In a list body the counts are over all its items: an unset list in one item lets
    # the null of another through, though that one is left out when sent alone.
    listed = ActiveSessionsCountParams(sessions_per_user=[{"sid": "s"}],
                                       total_sessions_count=None)
    assert listed.to_wire() == {"sessionsPerUser": [{"sid": "s"}]}
    assert json.loads(encode_body(ActiveSessionsCountParams,
                                  [listed, ActiveSessionsCountParams()], ["body"])) == [
        {"sessionsPerUser": [{"sid": "s"}]}, {}]


def test_a_non_nullable_none_beside_a_set_list_is_left_out() -> None:
    # The same None, with the list set (even to []), is left out as it should be.
    for given in ([], [{"sid": "S-1", "sessionsCount": 2}]):
        counts = ActiveSessionsCountParams(sessions_per_user=given, total_sessions_count=None)
        expected = {"sessionsPerUser": [{"sessionsCount": 2, "sid": "S-1"}] if given else []}
        assert counts.to_wire() == expected
        assert encode_body(ActiveSessionsCountParams, [counts], ["body"]) == dump_json(
            [expected])


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


def test_read_only_enum_with_unknown_value_is_refused_as_read_only() -> None:
    access = TenantAccess.from_dict(
        {"tenantId": "t", "roles": ["r"], "clusters": [{"clusterId": 1, "x": 2}],
         "tenantStatus": "Suspended"}
    )
    # Read-only, whatever its value: not checked against the known values.
    with pytest.raises(ApiValueError) as info:
        access.to_wire()
    assert str(info.value) == read_only_refusal(["TenantAccess", "tenant_status"])
    access.tenant_status = None
    assert access.to_wire() == {"tenantId": "t", "roles": ["r"], "clusters": [{"clusterId": 1}]}


def test_to_wire_does_not_change_the_object() -> None:
    user = CreateUserParameters(username="a", domain="LOCAL", primary_group=None, roles=None,
                                locked=None, local_user_params={"groups": None})
    before = user.to_dict()
    assert user.to_wire() == {"username": "a", "domain": "LOCAL", "roles": None,
                              "locked": None, "localUserParams": {}}
    assert user.to_dict() == before == {"username": "a", "domain": "LOCAL",
                                        "primaryGroup": None, "roles": None, "locked": None,
                                        "localUserParams": {"groups": None}}
    # Nor does a refusal.
    user.primary_group = "g"
    before = user.to_dict()
    with pytest.raises(ApiValueError):
        user.to_wire()
    with pytest.raises(ApiValueError):
        encode_body(CreateUserParameters, [user], ["body"])
    assert user.to_dict() == before == {"username": "a", "domain": "LOCAL",
                                        "primaryGroup": "g", "roles": None, "locked": None,
                                        "localUserParams": {"groups": None}}


# -- the request body encoder: one pass through pydantic, same bytes as to_wire -------


def encodings(schema: str, obj: ApiModel) -> Tuple[bytes, bytes, bytes, bytes]:
    from cohesity_sdk.helios.encoder import dump_json, encode_body

    cls = model(schema)
    return (
        encode_body(cls, obj, ["body"]), dump_json(obj.to_wire(["body"])),
        encode_body(cls, [obj, obj], ["body"]),
        dump_json([obj.to_wire(["body", 0]), obj.to_wire(["body", 1])]),
    )


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_encoded_body_is_byte_for_byte_to_wire(schema: str) -> None:
    # Every property set, read-only ones and nested models included: refused, with the
    # same text as to_wire, when a read-only one has a value; sent without the read-only
    # ones when they are null.
    full = model(schema).from_dict(sample(schema))
    paths = read_only_paths(schema, sample(schema), [])
    if paths:
        cls = model(schema)
        for body, path in ((full, ["body"]), ([full, full], ["body", 0])):
            with pytest.raises(ApiValueError) as info:
                encode_body(cls, body, ["body"])
            assert str(info.value) == read_only_refusal(path + paths[0])
            with pytest.raises(ApiValueError) as wire_info:
                full.to_wire(path)
            assert str(wire_info.value) == str(info.value)
    else:
        one, expected_one, many, expected_many = encodings(schema, full)
        assert one == expected_one and many == expected_many
        assert json.loads(one) == writable(schema, sample(schema))
    one, expected_one, many, expected_many = encodings(schema, model(schema).from_dict(
        read_only_as_null(schema, sample(schema))))
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
    from cohesity_sdk.helios.encoder import encode_body

    users = [CreateUserParameters(username=f"u{i}", domain="LOCAL") for i in range(1500)]
    users[1234] = CreateUserParameters(username="late")
    with pytest.raises(ApiValueError, match=r"^body\[1234\]\.domain: is required"):
        encode_body(CreateUserParameters, users, ["body"])


def test_encoded_long_list_is_byte_for_byte_to_wire() -> None:
    from cohesity_sdk.helios.encoder import dump_json, encode_body

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
    from cohesity_sdk.helios.encoder import encode_body

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
    read_only: float = 0.0, undeclared: float = 0.2, read_only_null: float = 0.0,
) -> Dict[str, Any]:
    """Some of the writable properties of ``schema``: absent, null, a value, now and then
    (at the rate ``breaking``) a value the spec refuses; at the rate ``read_only``, read-only
    properties with a value too (which a request may not carry), else at the rate
    ``read_only_null`` read-only properties given as null, and at the rate ``undeclared`` a
    key the spec does not declare, as a server may send them."""
    data: Dict[str, Any] = {}
    for i, (name, prop) in enumerate(props(schema).items()):
        if prop.get("readOnly"):
            if read_only and rng.random() < read_only:
                data[name] = sample_value(schema, name, prop, i)
            elif read_only_null and rng.random() < read_only_null:
                data[name] = None
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
            nested = [random_request(ref, rng, depth + 1, breaking, read_only, undeclared,
                                     read_only_null) for _ in range(rng.randint(1, 2))]
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
    from cohesity_sdk.helios.encoder import dump_json, encode_body

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
    return Refused(f"{render(path)}: {message}")


def check_int64(prop: Dict[str, Any], value: int, path: List[Any]) -> None:
    if prop.get("format") == "int64" and not -(2**63) <= value <= 2**63 - 1:
        raise refused(path, f"{value} is out of the int64 range")


def reference_wire(schema: str, obj: ApiModel, path: List[Any]) -> Dict[str, Any]:
    """The JSON object a request carries for ``obj``: the writable properties that were set,
    ``null`` only where nullable, never an undeclared key. A read-only property with a
    value is refused where it stands; None on it is "not given"."""
    out: Dict[str, Any] = {}
    for name, prop in props(schema).items():
        attr = snake(name)
        value = getattr(obj, attr)
        here = path + [attr]
        if prop.get("readOnly"):
            if value is not None:
                raise refused(here, READ_ONLY)
            continue
        if attr not in obj.model_fields_set and value is not None:
            # Left at a default that is not None (the [] of a list result): not sent.
            assert is_list_result(schema, name) and value == []
            continue
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
    from cohesity_sdk.helios.encoder import encode_body

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
    from cohesity_sdk.helios.encoder import encode_body

    sent = json.loads(encode_body(model(schema), [obj, obj], ["body"]))
    assert sent == [writable(schema, sample(schema))] * 2


# Chunk boundaries of the encoder (512 models) and either side of them.
LONG_LENGTHS = [511, 512, 513, 1024, 1025, 1500]


@pytest.mark.parametrize("schema", ["CreateUserParameters", "Groups", "TenantAccessResult",
                                    "UpdateUserParameters", "SecurityPrincipals"])
@pytest.mark.parametrize("seed", range(3))
def test_long_bodies_agree_with_the_reference(schema: str, seed: int) -> None:
    # Long lists of requests built by users, and of bodies decoded from the server
    # (undeclared keys and read-only properties given as null at every depth), nulls
    # anywhere; valid, then with a broken rule here and there (a read-only property with
    # a value among them), the first of which must be named.
    rng = random.Random(seed)
    length = LONG_LENGTHS[(seed + len(schema)) % len(LONG_LENGTHS)]
    cls = model(schema)
    built = [cls(**random_request(schema, rng, breaking=0, undeclared=0)) for _ in range(length)]
    assert_as_reference(schema, built)
    decoded = [cls.from_dict(random_request(schema, rng, breaking=0, read_only_null=0.5))
               for _ in range(length)]
    assert_as_reference(schema, decoded)

    def broken_item(read_only: float) -> ApiModel:  # one that breaks a rule, anywhere in it
        while True:
            item = cls.from_dict(random_request(schema, rng, breaking=0.3, read_only=read_only,
                                                read_only_null=0.5))
            try:
                reference_wire(schema, item, [])
            except Refused:
                return item

    for position in (0, 511, 512, 1023, 1024, length - 1):
        if position >= length:
            continue
        body = list(decoded)
        body[position] = broken_item(read_only=0.0)  # a rule other than read-only
        assert_as_reference(schema, body)
        body = list(decoded)
        body[position] = broken_item(read_only=0.5)  # read-only ones mostly
        assert_as_reference(schema, body)
        body = list(built)
        body[position] = broken_item(read_only=0.5)
        if position + 7 < length:  # a second one further on: the first is named
            body[position + 7] = broken_item(read_only=0.5)
        assert_as_reference(schema, body)


@pytest.mark.parametrize("length", LONG_LENGTHS)
def test_read_only_refusal_in_long_bodies_names_the_exact_path(length: int) -> None:
    # Bodies of several chunks of the encoder, read-only properties None throughout (left
    # out), and one with a value, at the top or nested, on either side of each boundary.
    users = [CreateUserParameters(username=f"u{i}", domain="LOCAL", primary_group=None,
                                  local_user_params={"email": f"{i}@x", "groups": None})
             for i in range(length)]
    sent = encode_body(CreateUserParameters, users, ["body"])
    assert sent == dump_json([user.to_wire() for user in users])
    assert json.loads(sent)[length - 1] == {
        "domain": "LOCAL", "localUserParams": {"email": f"{length - 1}@x"},
        "username": f"u{length - 1}"}
    result = TenantAccessResult(tenant_accesses=[
        {"clusters": [{"clusterId": i}], "roles": ["r"], "tenantId": f"t{i}", "tenantType": None}
        for i in range(length)])
    assert json.loads(encode_body(TenantAccessResult, result, ["body"]))["tenantAccesses"][-1] == {
        "clusters": [{"clusterId": length - 1}], "roles": ["r"], "tenantId": f"t{length - 1}"}

    def assert_named(path: List[Any], reference: bool = False) -> None:
        with pytest.raises(ApiValueError) as info:
            encode_body(CreateUserParameters, users, ["body"])
        assert str(info.value) == read_only_refusal(["body"] + path)
        assert info.value.path_to_item == ["body"] + path
        if reference:  # (it checks each item's to_wire too: once per position is enough)
            assert_as_reference("CreateUserParameters", users)

    for position in sorted({0, 510, 511, 512, 513, 1023, 1024, 1025, length - 1}):
        if position >= length:
            continue
        user = users[position]
        local = user.local_user_params
        assert local is not None
        local.groups = []  # a value, though empty
        assert_named([position, "local_user_params", "groups"], reference=True)
        user.primary_group = "g"  # after localUserParams: the groups are still named
        assert_named([position, "local_user_params", "groups"])
        local.groups = None
        assert_named([position, "primary_group"])
        if position + 1 < length:  # one further on changes nothing
            users[position + 1].other_groups = ["x"]
            assert_named([position, "primary_group"])
            user.primary_group = None
            assert_named([position + 1, "other_groups"])
            users[position + 1].other_groups = None
        user.primary_group = None
        assert encode_body(CreateUserParameters, users, ["body"]) == sent

        access = result.tenant_accesses[position]
        access.tenant_type = "Mcm"
        with pytest.raises(ApiValueError) as info:
            encode_body(TenantAccessResult, [result], ["body"])
        assert str(info.value) == read_only_refusal(
            ["body", 0, "tenant_accesses", position, "tenant_type"])
        access.tenant_type = None


def test_nones_undeclared_keys_and_read_only_deep_in_long_bodies() -> None:
    # One of each, far apart in bodies of 1500 models (several chunks of the encoder),
    # at the top and nested: a nullable None is sent as null, any other None is left out,
    # and so are undeclared keys and read-only properties given as None; a read-only
    # property with a value is refused, by its exact path.
    from cohesity_sdk.helios.encoder import encode_body

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
        {"name": f"g{i}", "domain": "LOCAL", "sid": None, "createdTimeMsecs": None,
         "smbPrincipals": [{"name": "p", "objectClass": "User", "extra": i}]}
        for i in range(1500)
    ]})
    listed = body.groups
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
    assert all("sid" not in group and "createdTimeMsecs" not in group for group in sent)

    # Now read-only values, deep and late: the first in document order is named.
    listed[1300].sid = "S-1300"
    listed[1400].created_time_msecs = 0
    assert_as_reference("Groups", body)
    with pytest.raises(ApiValueError) as info:
        encode_body(Groups, body, ["body"])
    assert str(info.value) == read_only_refusal(["body", "groups", 1300, "sid"])
    assert info.value.path_to_item == ["body", "groups", 1300, "sid"]
    with pytest.raises(ApiValueError) as info:
        encode_body(Groups, [Groups(groups=listed[:3]), body], ["body"])
    assert str(info.value) == read_only_refusal(["body", 1, "groups", 1300, "sid"])
    listed[1300].sid = None
    with pytest.raises(ApiValueError) as info:
        encode_body(Groups, body, ["body"])
    assert str(info.value) == read_only_refusal(["body", "groups", 1400, "created_time_msecs"])
    # created_time_msecs comes before sid: in the same group, it is named first.
    listed[1400].sid = "S-1400"
    assert_as_reference("Groups", body)
    with pytest.raises(ApiValueError) as info:
        body.to_wire(["body"])
    assert str(info.value) == read_only_refusal(["body", "groups", 1400, "created_time_msecs"])


@pytest.mark.parametrize("name", ["UsersList", "Groups", "UserAPIKeys", "SecurityPrincipals",
                                  "TenantAccessResult", "ActiveSessionsCountParams"])
def test_the_null_of_a_list_result_is_mended_after_validation_not_before(name: str) -> None:
    # A validator that runs before would make pydantic turn the JSON list into Python
    # objects first and validate those: twice the work for every large answer.
    cls = getattr(cohesity_sdk.helios, name)
    fields = cls.__pydantic_core_schema__["schema"]["fields"]
    lists = [f["schema"] for f in fields.values() if f["schema"]["type"] == "default"
             and f["schema"]["schema"]["type"].startswith("function")]
    assert lists and all(s["schema"]["type"] == "function-after" for s in lists)
