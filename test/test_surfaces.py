"""What a user meets first: the API key, dir(), reprs, and the one exception family."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from conftest import API_KEY, RecordingServer

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.testing import FakeHelios

# -- Configuration.api_key --------------------------------------------------------------


@pytest.mark.parametrize("given", [
    API_KEY, {"APIKeyHeader": API_KEY}, {"apiKey": API_KEY},
], ids=["a-string", "by-scheme", "by-header-name"])
def test_the_api_key_can_be_given_as_the_seed_shows_or_plainly(
    given: Any, server: RecordingServer
) -> None:
    configuration = helios.Configuration(host=server.url, api_key=given)
    assert dict(configuration.api_key) == {"APIKeyHeader": API_KEY}
    helios.UserApi(helios.ApiClient(configuration)).get_users()
    assert server.last.headers["apiKey"] == API_KEY


def test_the_seed_way_of_setting_the_key_still_works(server: RecordingServer) -> None:
    configuration = helios.Configuration(host=server.url)
    configuration.api_key["APIKeyHeader"] = API_KEY
    configuration.api_key_prefix["APIKeyHeader"] = "Bearer"
    helios.UserApi(helios.ApiClient(configuration)).get_users()
    assert server.last.headers["apiKey"] == f"Bearer {API_KEY}"
    # An assignment of a plain string is the key too.
    configuration.api_key = "another-key"
    configuration.api_key_prefix = {}
    helios.UserApi(helios.ApiClient(configuration)).get_users()
    assert server.last.headers["apiKey"] == "another-key"


@pytest.mark.parametrize("attempt", [
    lambda: helios.Configuration(api_key={"apikey": API_KEY}),
    lambda: helios.Configuration(api_key={"key": API_KEY}),
    lambda: helios.Configuration().api_key.__setitem__("APIKey", API_KEY),
    lambda: helios.Configuration().api_key.update(token=API_KEY),
    lambda: helios.Configuration(api_key_prefix={"Authorization": "Bearer"}),
], ids=["case", "other-name", "set-item", "update", "prefix"])
def test_a_key_under_another_name_is_refused_naming_the_right_one(
    attempt: Callable[[], Any],
) -> None:
    with pytest.raises(helios.ApiValueError) as info:
        attempt()
    assert "takes the key under 'APIKeyHeader'" in str(info.value)
    assert API_KEY not in str(info.value)


def test_an_api_key_that_is_neither_text_nor_a_mapping_is_refused() -> None:
    with pytest.raises(helios.ApiTypeError, match="must be the key"):
        helios.Configuration(api_key=12345)  # type: ignore[arg-type]
    with pytest.raises(helios.ApiValueError, match="line break"):
        helios.Configuration(api_key="key\r\nX-Injected: 1")


def test_the_key_is_never_shown() -> None:
    configuration = helios.Configuration(api_key=API_KEY)
    copied = configuration.copy()
    for text in (repr(configuration), repr(configuration.api_key), str(configuration.api_key),
                 repr(copied)):
        assert API_KEY not in text
    assert copied.api_key["APIKeyHeader"] == API_KEY
    copied.api_key["APIKeyHeader"] = "changed"
    assert configuration.api_key["APIKeyHeader"] == API_KEY


# -- dir() and reprs -------------------------------------------------------------------


def test_dir_of_the_package_is_its_api() -> None:
    names = dir(helios)
    assert names == sorted(helios.__all__)
    for machinery in ("importlib", "TYPE_CHECKING", "annotations", "models", "Any"):
        assert machinery not in names
    for name in ("UserApi", "Configuration", "ApiException", "UsersList", "CallOptions"):
        assert name in names


def test_dir_of_a_model_offers_its_fields_and_no_pydantic_v1_names() -> None:
    user = helios.UsersList.from_dict({"users": [{"username": "a", "newField": 1}]}).users[0]
    names = dir(user)
    for name in ("username", "local_user_params", "to_dict", "to_json", "model_dump"):
        assert name in names
    for old in ("dict", "json", "parse_obj", "copy", "schema", "construct", "__fields__",
                "model_fields"):
        assert old not in names
    assert "localUserParams" not in names


def test_repr_of_the_api_and_the_client(server: RecordingServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=server.url,
                                                               api_key=API_KEY)))
    text = repr(api)
    assert text.startswith(f"UserApi(ApiClient(Configuration(host='{server.url}'")
    assert API_KEY not in text


def test_repr_of_an_exception_keeps_its_message(server: RecordingServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=server.url, retries=0)))
    server.reply(404, {"errorCode": "KNotFound", "message": "no such user"})
    with pytest.raises(helios.NotFoundException) as info:
        api.get_user_by_sid("S-1")
    assert repr(info.value) == f"NotFoundException({str(info.value)!r})"
    assert "in get_user_by_sid [GET /v2/users/S-1]" in repr(info.value)
    refused = helios.ApiValueError("is required", ["body", 0, "domain"])
    assert repr(refused) == "ApiValueError('body[0].domain: is required')"


def test_status_is_an_int() -> None:
    assert helios.ApiException().status == 0
    assert helios.ApiException(status=503).status + 1 == 504


# -- one exception family ---------------------------------------------------------------


@pytest.mark.parametrize("attempt, builtin", [
    (lambda: helios.CreateUserParameters(username=5), ValueError),  # type: ignore[arg-type]
    (lambda: helios.CreateUserParameters(usrname="x"), TypeError),  # type: ignore[call-arg]
    (lambda: helios.UserParams.from_dict({"locked": "maybe"}), ValueError),
    (lambda: helios.UserParams.from_json(b"{"), ValueError),
    (lambda: helios.to_epoch_msecs("yesterday"), ValueError),
    (lambda: helios.to_epoch_msecs(object()), TypeError),  # type: ignore[arg-type]
    (lambda: helios.to_epoch_msecs(float("nan")), ValueError),
    (lambda: helios.from_epoch_msecs(10**20), ValueError),
    (lambda: helios.from_epoch_msecs("1"), TypeError),  # type: ignore[call-overload]
    (lambda: helios.Configuration(host="helios.example.com"), ValueError),
    (lambda: helios.RetryPolicy(-1), ValueError),
], ids=["model-type", "model-name", "from-dict", "from-json", "iso", "iso-type", "nan",
        "overflow", "msecs-type", "host", "retry-policy"])
def test_every_error_is_an_open_api_exception_and_the_matching_builtin(
    attempt: Callable[[], Any], builtin: type
) -> None:
    with pytest.raises(helios.OpenApiException) as info:
        attempt()
    assert isinstance(info.value, builtin)


def test_a_model_error_names_the_field_and_not_the_value() -> None:
    with pytest.raises(helios.ApiValueError) as info:
        helios.LocalUserParams(email="e@x.io", password=["S3cret-pw"])  # type: ignore[arg-type]
    assert str(info.value).startswith("LocalUserParams(): password: ")
    assert "S3cret-pw" not in str(info.value) + repr(info.value)
    user = helios.CreateUserParameters(username="a", domain="LOCAL")
    with pytest.raises(helios.ApiValueError) as assigned:
        user.locked = "sometimes"  # type: ignore[assignment]
    assert str(assigned.value).startswith("CreateUserParameters: locked: ")


def test_everything_from_a_call_against_the_fake_is_in_the_family(fake: FakeHelios) -> None:
    api = helios.UserApi(helios.ApiClient(fake.configuration(retries=0)))
    with pytest.raises(helios.OpenApiException):
        api.create_users([{"username": 5, "domain": "LOCAL"}])  # type: ignore[list-item]
    assert fake.requests == []
