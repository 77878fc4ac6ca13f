"""Requests strict, responses lenient, through pydantic's public API.

The models a request carries (found here from the spec's request bodies, at any depth)
take only values of their fields' own types, however they are built: by keywords, by
assignment, ``from_dict``, ``from_json``, a dict given to an operation, the command
line's ``--body``. Each refusal is an ``ApiValueError`` naming the field. The models of
answers only stay as lenient as they were. No class of the SDK subclasses a private
pydantic class.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest
from pydantic import BaseModel

import cohesity_sdk.helios
from cohesity_sdk.helios import (
    ApiClient,
    ApiValueError,
    AssignedSources,
    Configuration,
    CreateUserSessionRequestParams,
    OtpType,
    UpdateUserParameters,
    UserApi,
    UserParams,
    UsersList,
)
from cohesity_sdk.helios.model_base import ApiModel, build_model

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "spec" / "helios-user-api.json").read_text(encoding="utf-8"))
SCHEMAS: Dict[str, Dict[str, Any]] = SPEC["components"]["schemas"]
REF = "#/components/schemas/"


def _refs(schema: Dict[str, Any], seen: Set[str]) -> Set[str]:
    ref = schema.get("$ref")
    if ref:
        name = ref[len(REF):]
        if name not in seen:
            seen.add(name)
            for prop in SCHEMAS[name].get("properties", {}).values():
                _refs(prop, seen)
    if "items" in schema:
        _refs(schema["items"], seen)
    return seen


def request_schemas() -> List[str]:
    """Every schema a request body holds, at any depth."""
    found: Set[str] = set()
    for item in SPEC["paths"].values():
        for op in item.values():
            if "requestBody" in op:
                _refs(op["requestBody"]["content"]["application/json"]["schema"], found)
    return sorted(found)


REQUESTS = request_schemas()
RESPONSE_ONLY = sorted(set(SCHEMAS) - set(REQUESTS))

#: For each JSON type: values of other Python types that pydantic's lax mode would take
#: (or that are plainly wrong), with the message pydantic's strict mode gives.
WRONG: Dict[str, Tuple[List[Any], str]] = {
    "boolean": (["no", "true", 1, 0, 1.0], "Input should be a valid boolean"),
    "integer": ([1.0, 1.5, "5", True, False], "Input should be a valid integer"),
    "string": ([5, 5.0, True, b"text"], "Input should be a valid string"),
}


def snake(name: str) -> str:
    """``expiryTimeMsecs`` -> ``expiry_time_msecs``, as test_models has it."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.replace("-", "_").lower()


def model_of(schema: str) -> type[ApiModel]:
    return getattr(cohesity_sdk.helios, schema)  # type: ignore[no-any-return]


def scalar_cases(schemas: List[str]) -> List[Tuple[str, str, str, bool]]:
    """``(schema, property, JSON type, is a list)`` for every property of ``schemas`` that
    holds a plain value or a list of them."""
    cases = []
    for schema in schemas:
        for name, prop in SCHEMAS[schema].get("properties", {}).items():
            is_list = prop.get("type") == "array"
            kind = (prop["items"] if is_list else prop).get("type")
            if kind in WRONG:
                cases.append((schema, name, kind, is_list))
    return cases


REQUEST_CASES = scalar_cases(REQUESTS)
RESPONSE_CASES = scalar_cases(RESPONSE_ONLY)


def test_the_cases_are_what_the_spec_holds() -> None:
    # Guards the parametrization: both sides and every kind are there.
    assert "CreateUserParameters" in REQUESTS and "UpdateUserParameters" in REQUESTS
    assert "LocalUserParams" in REQUESTS and "UserParams" in RESPONSE_ONLY
    assert {kind for _, _, kind, _ in REQUEST_CASES} == set(WRONG)
    assert any(is_list for *_, is_list in REQUEST_CASES)
    assert {kind for _, _, kind, _ in RESPONSE_CASES} == set(WRONG)


def case_id(case: Tuple[str, str, str, bool]) -> str:
    return f"{case[0]}.{case[1]}"


# -- the cases of the issue, one by one -----------------------------------------------------


@pytest.mark.parametrize("value", ["no", "yes", "false", 1, 0])
def test_a_string_or_an_int_for_a_boolean_is_refused(value: Any) -> None:
    with pytest.raises(ApiValueError) as info:
        UpdateUserParameters(locked=value)
    assert str(info.value) == "UpdateUserParameters(): locked: Input should be a valid boolean"


@pytest.mark.parametrize("value", [1.0, 1767225600000.0, 1.5])
def test_a_float_for_an_int_is_refused(value: float) -> None:
    with pytest.raises(ApiValueError) as info:
        UpdateUserParameters(expiry_time_msecs=value)
    assert str(info.value) == ("UpdateUserParameters(): expiry_time_msecs: Input should be a"
                               " valid integer")


@pytest.mark.parametrize("value", [5, 5.0, True])
def test_a_number_for_a_string_is_refused(value: Any) -> None:
    with pytest.raises(ApiValueError) as info:
        UpdateUserParameters(description=value)
    assert str(info.value) == "UpdateUserParameters(): description: Input should be a valid string"


def test_the_strict_cases_are_refused_in_lists_and_nested_models() -> None:
    with pytest.raises(ApiValueError) as info:
        UpdateUserParameters(roles=["COHESITY_VIEWER", 7])
    assert str(info.value) == "UpdateUserParameters(): roles.1: Input should be a valid string"
    with pytest.raises(ApiValueError) as info:
        AssignedSources(source_ids=[1, 2.0])
    assert str(info.value) == "AssignedSources(): source_ids.1: Input should be a valid integer"
    with pytest.raises(ApiValueError) as info:
        UpdateUserParameters(local_user_params={"email": 5})
    assert str(info.value) == ("UpdateUserParameters(): local_user_params.email: Input should"
                               " be a valid string")


def test_values_of_the_right_type_are_taken_as_before() -> None:
    update = UpdateUserParameters(locked=False, expiry_time_msecs=0, description="",
                                  roles=("COHESITY_VIEWER",), local_user_params={"email": "a@b.c"})
    assert update.to_wire() == {"locked": False, "expiryTimeMsecs": 0, "description": "",
                                "roles": ["COHESITY_VIEWER"], "localUserParams": {"email": "a@b.c"}}
    # None is "not given" (or null, where nullable) as before.
    assert UpdateUserParameters(locked=None).to_wire() == {"locked": None}


# -- every field of every request model -----------------------------------------------------


@pytest.mark.parametrize("case", REQUEST_CASES, ids=case_id)
def test_every_request_field_refuses_other_types(case: Tuple[str, str, str, bool]) -> None:
    schema, name, kind, is_list = case
    cls, attr = model_of(schema), snake(name)
    values, message = WRONG[kind]
    where = f"{attr}.0" if is_list else attr
    for value in values:
        given = [value] if is_list else value
        with pytest.raises(ApiValueError) as info:
            cls(**{attr: given})
        assert str(info.value) == f"{schema}(): {where}: {message}"
        # By assignment, from a dict and from JSON (where JSON can say it) the same.
        obj = cls()
        with pytest.raises(ApiValueError) as info:
            setattr(obj, attr, given)
        assert str(info.value) == f"{schema}: {where}: {message}"
        assert getattr(obj, attr) is None
        json_where = f"{name}.0" if is_list else name
        with pytest.raises(ApiValueError) as info:
            cls.from_dict({name: given})
        assert str(info.value) == f"{schema}.from_dict(): {json_where}: {message}"
        if not isinstance(value, bytes):
            with pytest.raises(ApiValueError) as info:
                cls.from_json(json.dumps({name: given}))
            assert str(info.value) == f"{schema}.from_json(): {json_where}: {message}"
        with pytest.raises(ApiValueError) as info:
            build_model(cls, {name: given}, "body[2]")
        assert str(info.value) == f"body[2]: {json_where}: {message}"


@pytest.mark.parametrize("case", RESPONSE_CASES, ids=case_id)
def test_response_models_stay_as_lenient_as_before(case: Tuple[str, str, str, bool]) -> None:
    # What pydantic's lax mode makes of a value, as it did before: "5" is 5 and "true"
    # is True in an answer. Only models no request carries.
    schema, name, kind, is_list = case
    cls, attr = model_of(schema), snake(name)
    lax = {"boolean": ("true", True), "integer": ("5", 5), "string": ("text", "text")}[kind]
    given, expected = ([lax[0]], [lax[1]]) if is_list else lax
    assert getattr(cls(**{attr: given}), attr) == expected
    assert getattr(cls.from_dict({name: given}), attr) == expected
    assert getattr(cls.from_json(json.dumps({name: given})), attr) == expected


def test_an_answer_is_decoded_as_leniently_as_before() -> None:
    users = UsersList.from_json(json.dumps({"users": [{
        "locked": "true", "createdTimeMsecs": "1767225600000", "lockedReason": "NewReason",
        "localUserParams": {"email": "a@b.c", "addedLater": 1}, "addedLater": [1],
    }], "next": "c1"}))
    user = users[0]
    assert user.locked is True and user.created_time_msecs == 1767225600000
    assert user.locked_reason == "NewReason"  # an unknown enum value is kept
    assert user.model_extra == {"addedLater": [1]} and users.model_extra == {"next": "c1"}
    assert user.local_user_params is not None
    assert user.local_user_params.model_extra == {"addedLater": 1}
    assert UserParams(locked=1).locked is True  # built from Python values too


# -- enums ------------------------------------------------------------------------------------


def test_an_enum_field_of_a_request_takes_the_enum_or_its_string() -> None:
    for given in (OtpType.TOTP, "totp"):
        params = CreateUserSessionRequestParams(otp_type=given)
        assert type(params.otp_type) is str and params.otp_type == "totp"
        assert params.to_wire() == {"otpType": "totp"}
    params.otp_type = OtpType.EMAIL  # type: ignore[assignment]
    assert params.to_wire() == {"otpType": "email"}
    assert CreateUserSessionRequestParams.from_json('{"otpType": "salesforce"}').to_wire() == {
        "otpType": "salesforce"}
    # Another string is kept on the object, refused as a request; not a string is refused.
    assert CreateUserSessionRequestParams(otp_type="sms").otp_type == "sms"  # type: ignore[arg-type]
    with pytest.raises(ApiValueError, match="otp_type: Input should be a valid string"):
        CreateUserSessionRequestParams(otp_type=1)  # type: ignore[arg-type]


# -- on the way to the server ------------------------------------------------------------------


def test_a_dict_body_given_to_an_operation_is_as_strict() -> None:
    # Refused before anything is sent: the host is never reached.
    with ApiClient(Configuration(host="http://127.0.0.1:9/v2")) as client:
        api = UserApi(client)
        with pytest.raises(ApiValueError) as info:
            api.update_user("S-1", {"locked": "no"})  # type: ignore[arg-type]
        assert str(info.value) == "update_user(): body: locked: Input should be a valid boolean"
        with pytest.raises(ApiValueError) as info:
            api.create_users([{"username": "a", "domain": "LOCAL"},  # type: ignore[list-item]
                              {"username": "b", "domain": "LOCAL", "expiryTimeMsecs": 1.5}])
        assert str(info.value) == ("create_users(): body[1]: expiryTimeMsecs: Input should be a"
                                   " valid integer")


def test_the_command_lines_body_is_as_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cohesity_sdk.helios", "--fake", "update-user", "--sid", "S-1",
         "--body", '{"locked": "no"}'],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    # In the body's own words: the path as typed.
    assert "--body.locked: input should be a valid boolean" in result.stderr
    assert result.stdout == ""


# -- through pydantic's public API -------------------------------------------------------------


def sdk_classes() -> List[type]:
    import cohesity_sdk

    found = []
    for info in pkgutil.walk_packages(cohesity_sdk.__path__, "cohesity_sdk."):
        if info.name.endswith("pytest_plugin"):
            continue
        module = importlib.import_module(info.name)
        found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if obj.__module__ == module.__name__]
    return found


def is_private(cls: type) -> bool:
    module = cls.__module__
    return module.startswith(("pydantic.", "pydantic_core.")) and (
        "._" in module or cls.__name__.startswith("_"))


def test_no_class_of_the_sdk_subclasses_a_private_pydantic_class() -> None:
    classes = sdk_classes()
    assert ApiModel in classes and UsersList in classes and len(classes) > 100
    for cls in classes:
        assert not [base for base in cls.__mro__ if is_private(base)], cls
        # A model's metaclass is pydantic's own: the SDK defines none of its own.
        metaclass = type(cls)
        assert not metaclass.__module__.startswith("cohesity_sdk"), cls
        if issubclass(cls, BaseModel):
            assert metaclass is type(BaseModel), cls


@pytest.mark.parametrize("schema", sorted(SCHEMAS))
def test_decoding_never_goes_through_the_constructor(schema: str) -> None:
    # ApiModel.__init__ checks what a user gives; pydantic must not call it for the
    # objects it validates (which would refuse the unknown keys an answer may hold).
    cls = model_of(schema)
    assert cls.__init__ is ApiModel.__init__ and cls.__pydantic_custom_init__ is False
    core = cls.__pydantic_core_schema__
    assert core["type"] == "model" and core.get("custom_init") is False
    assert cls.from_json('{"addedLater": 1}').model_extra == {"addedLater": 1}


def test_a_scripts_first_use_of_each_model_at_top_level_works() -> None:
    # Each model's validator is built on its first use (defer_build): whatever a script
    # does first with a model, at the top level of a fresh process, works.
    code = "\n".join([
        "import cohesity_sdk.helios as h",
        "from pydantic import TypeAdapter",
        "h.CreateUserParameters(username='a')",
        "h.UsersList.model_validate_json(b'{\"users\": [{\"username\": \"a\"}]}')",
        "h.Groups.model_validate({})",
        "h.UserParams().model_dump()",
        "h.TenantAccess.model_json_schema()",
        "h.UserSession.model_construct().model_dump_json()",
        "TypeAdapter(h.UserAPIKeys).validate_json(b'{}')",
        "h.SecurityPrincipals.from_json('{}').to_wire()",
        "print('ok')",
    ])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out == "ok\n"
