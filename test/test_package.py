"""What a user gets from ``import cohesity_sdk.helios``: the documented names, cheaply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import modules_loaded_by

import cohesity_sdk
import cohesity_sdk.helios

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "spec" / "helios-user-api.json").read_text())


def test_import_loads_no_model_and_no_pydantic() -> None:
    # Tools import the SDK inside short scripts: the API class must not drag in
    # every model (or pydantic) before a call needs one.
    code = "import cohesity_sdk.helios as h; h.UserApi; h.Configuration; h.ApiClient"
    assert modules_loaded_by(code, "pydantic", "cohesity_sdk.helios.models.") == []


def test_calls_and_decoding_load_no_display_code() -> None:
    # The notebook display (and pandas) is loaded when something is shown, not before.
    code = (
        "import cohesity_sdk.helios as h\n"
        "from cohesity_sdk.helios.testing import FakeHelios\n"
        "with FakeHelios() as fake, h.ApiClient(fake.configuration()) as client:\n"
        "    users = h.UserApi(client).get_users()\n"
        "repr(users); users.to_dict(); h.UsersList.from_json(users.to_json())"
    )
    assert modules_loaded_by(code, "cohesity_sdk.helios.display",
                             "cohesity_sdk.helios.field_text", "pandas") == []

@pytest.mark.parametrize("name", sorted(SPEC["components"]["schemas"]))
def test_every_model_is_exported(name: str) -> None:
    from cohesity_sdk.helios import models

    cls = getattr(cohesity_sdk.helios, name)
    assert cls is getattr(models, name)
    assert name in cohesity_sdk.helios.__all__
    assert cls.__module__ == f"cohesity_sdk.helios.models.{models._MODULES[name]}"


def test_runtime_names_are_exported() -> None:
    from cohesity_sdk.helios import rest

    for name in ("Configuration", "ApiClient", "UserApi", "ApiResponse", "ApiException",
                 "OpenApiException", "ApiTypeError", "ApiValueError", "ApiKeyError",
                 "ApiAttributeError", "NotFoundException", "ServiceException"):
        assert name in cohesity_sdk.helios.__all__
        assert getattr(cohesity_sdk.helios, name).__name__ == name
    assert rest.ApiException is cohesity_sdk.helios.ApiException


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        cohesity_sdk.helios.NoSuchThing  # noqa: B018


def test_user_api_has_every_operation_and_its_variants() -> None:
    operations = {op["operationId"] for item in SPEC["paths"].values() for op in item.values()}
    assert len(operations) == 27
    api = cohesity_sdk.helios.UserApi
    for op in operations:
        for suffix in ("", "_with_http_info", "_without_preload_content"):
            assert callable(getattr(api, op + suffix)), op + suffix


def test_method_signatures_follow_the_documented_order() -> None:
    import inspect

    from cohesity_sdk.helios.options import CallOptions, OptionKeywords

    assert CallOptions is OptionKeywords  # the name of earlier releases
    assert list(OptionKeywords.__annotations__) == [
        "_request_timeout", "_deadline", "_retries", "_headers", "_request_auth",
        "_content_type",
    ]
    for item in SPEC["paths"].values():
        for op in item.values():
            name = op["operationId"]
            method = getattr(cohesity_sdk.helios.UserApi, name)
            signature = inspect.signature(method)
            params = list(signature.parameters.values())
            required = {p["x-python-name"] for p in op.get("parameters", []) if p.get("required")}
            if op.get("requestBody", {}).get("required"):
                required.add("body")
            order = op["x-python-signature"]
            # The required parameters by position, in the documented order...
            positional = [p for p in params[1:] if p.kind is p.POSITIONAL_OR_KEYWORD]
            assert [p.name for p in positional] == [n for n in order if n in required], name
            # ...the optional ones by keyword only, each defaulting to "not given"...
            keywords = [p for p in params if p.kind is p.KEYWORD_ONLY]
            confirm = op.get("x-confirm-unfiltered")
            assert [p.name for p in keywords] == [n for n in order if n not in required] + (
                [confirm["name"]] if confirm else []), name
            assert all(p.default is None for p in keywords if not confirm
                       or p.name != confirm["name"])
            # ...then only the per-call options, typed by OptionKeywords.
            rest = params[1 + len(positional) + len(keywords):]
            assert [(p.name, p.kind, p.annotation) for p in rest] == [
                ("options", inspect.Parameter.VAR_KEYWORD, "Unpack[OptionKeywords]")
            ], name
            success = next(code for code in op["responses"] if code.startswith("2"))
            content = op["responses"][success].get("content")
            model = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1] \
                if content else "None"
            assert signature.return_annotation == model
            # The variants: the same parameters, their own result type and docstring.
            for suffix, returns in (("_with_http_info", f"ApiResponse[{model}]"),
                                    ("_without_preload_content", "BaseHTTPResponse")):
                variant = getattr(cohesity_sdk.helios.UserApi, name + suffix)
                assert variant.__name__ == name + suffix
                assert list(inspect.signature(variant).parameters.values()) == params
                assert inspect.signature(variant).return_annotation == returns
                assert f"Like ``{name}``" in (variant.__doc__ or "")


def test_package_is_typed() -> None:
    assert (Path(cohesity_sdk.__file__).parent / "py.typed").is_file()
    assert cohesity_sdk.__version__ == cohesity_sdk.helios.__version__
