"""Errors as the caller sees them: HTTP error statuses, undecodable answers, unreachable servers.

Everything goes over real sockets to the recording server of ``conftest.py``.
"""

from __future__ import annotations

import json
import socket
from http import HTTPStatus
from typing import Iterator, Type

import pytest
from conftest import API_KEY, RecordingServer

import cohesity_sdk.helios
from cohesity_sdk.helios import (
    ApiAttributeError,
    ApiClient,
    ApiConnectionError,
    ApiException,
    ApiKeyError,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    BadRequestException,
    Configuration,
    ConflictException,
    Error,
    ForbiddenException,
    NotFoundException,
    OpenApiException,
    ResponseDecodeException,
    ServiceException,
    UnauthorizedException,
    UnprocessableEntityException,
    UserApi,
)

ERROR_BODY = {
    "errorCode": "KValidationError",
    "message": "User 'alice' does not exist",
    "taskLogId": "task-42",
}
HTML_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound, read, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_api() -> Iterator[UserApi]:
    configuration = Configuration(host=f"http://127.0.0.1:{closed_port()}/v2", timeout=5.0)
    configuration.api_key["APIKeyHeader"] = API_KEY
    with ApiClient(configuration) as client:
        yield UserApi(client)


# -- error statuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, cls",
    [
        (400, BadRequestException),
        (401, UnauthorizedException),
        (403, ForbiddenException),
        (404, NotFoundException),
        (409, ConflictException),
        (422, UnprocessableEntityException),
        (500, ServiceException),
        (503, ServiceException),
        (418, ApiException),  # no class of its own: the base
    ],
)
def test_error_status_raises_its_exception(
    api: UserApi, server: RecordingServer, status: int, cls: Type[ApiException]
) -> None:
    server.reply(status, ERROR_BODY, **{"X-Request-Id": f"req-{status}"})
    with pytest.raises(ApiException) as info:
        api.get_users(domain="LOCAL")
    e = info.value
    assert type(e) is cls
    assert isinstance(e, OpenApiException)
    assert e.status == status
    assert e.reason == HTTPStatus(status).phrase
    assert e.body == json.dumps(ERROR_BODY).encode()  # raw bytes, as received
    assert isinstance(e.data, Error)
    assert e.data.error_code == "KValidationError"
    assert e.data.message == "User 'alice' does not exist"
    assert e.data.task_log_id == "task-42"
    assert (e.error_code, e.message) == (e.data.error_code, e.data.message)
    assert e.headers is not None and e.headers["X-Request-Id"] == f"req-{status}"
    assert (e.operation, e.method) == ("get_users", "GET")

    text = str(e)
    assert text.startswith(f"({status}) {HTTPStatus(status).phrase}")
    for part in ("KValidationError", "User 'alice' does not exist", "get_users", "GET /v2/users"):
        assert part in text
    # The path is named, not the query: filters are the user's data.
    assert "domain=LOCAL" not in text
    assert server.last.params == {"domain": ["LOCAL"]}  # the call did reach the server


def test_api_exception_is_the_same_class_from_every_import_path() -> None:
    from cohesity_sdk.helios.exceptions import ApiException as from_exceptions
    from cohesity_sdk.helios.rest import ApiException as from_rest

    assert from_rest is from_exceptions is cohesity_sdk.helios.ApiException


def test_error_of_a_post_names_its_operation_and_path(
    api: UserApi, server: RecordingServer
) -> None:
    server.reply(409, {"errorCode": "KAlreadyExists", "message": "alice exists"})
    with pytest.raises(ConflictException) as info:
        api.create_users([{"username": "alice", "domain": "LOCAL"}])
    assert server.last.method == "POST" and server.last.json() == [
        {"username": "alice", "domain": "LOCAL"}
    ]
    text = str(info.value)
    assert "in create_users [POST /v2/users]" in text
    assert "errorCode=KAlreadyExists" in text and "alice exists" in text


def test_error_of_a_path_operation_names_the_path(api: UserApi, server: RecordingServer) -> None:
    server.reply(404, {"errorCode": "KNotFound", "message": "no such user"})
    with pytest.raises(NotFoundException) as info:
        api.get_user_by_sid("S-1-100-1001")
    assert "get_user_by_sid [GET /v2/users/S-1-100-1001]" in str(info.value)


@pytest.mark.parametrize(
    "status, cls", [(500, ServiceException), (502, ServiceException), (404, NotFoundException)]
)
def test_non_json_error_body_is_kept_raw(
    api: UserApi, server: RecordingServer, status: int, cls: Type[ApiException]
) -> None:
    server.reply(status, HTML_PAGE, **{"Content-Type": "text/html"})
    with pytest.raises(ApiException) as info:
        api.get_users()
    e = info.value
    assert type(e) is cls and e.status == status
    assert e.body == HTML_PAGE.encode()
    assert e.data is None
    assert e.error_code is None and e.message is None
    assert e.headers is not None and e.headers["Content-Type"] == "text/html"
    # Describing it must not fail in turn.
    assert str(e) == f"({status}) {HTTPStatus(status).phrase} in get_users [GET /v2/users]"
    assert type(e).__name__ in repr(e)


@pytest.mark.parametrize("body", [b"", b"[1, 2]", b'"oops"', b'{"errorCode": 5}'])
def test_error_body_that_is_not_an_error_object_gives_no_data(
    api: UserApi, server: RecordingServer, body: bytes
) -> None:
    server.reply(400, body)
    with pytest.raises(BadRequestException) as info:
        api.get_users()
    assert info.value.body == body
    assert info.value.data is None
    assert str(info.value) == "(400) Bad Request in get_users [GET /v2/users]"


# -- undecodable success answers -----------------------------------------------------------


def test_success_with_invalid_json_raises_response_decode_exception(
    api: UserApi, server: RecordingServer
) -> None:
    server.reply(200, b"{not json", **{"X-Request-Id": "r1"})
    with pytest.raises(ResponseDecodeException) as info:
        api.get_users()
    e = info.value
    assert isinstance(e, ApiException) and isinstance(e, OpenApiException)
    assert e.status == 200 and e.body == b"{not json" and e.data is None
    assert e.headers is not None and e.headers["X-Request-Id"] == "r1"
    assert "Invalid JSON" in e.cause
    assert "get_users [GET /v2/users]" in str(e) and "undecodable response" in str(e)


def test_success_with_the_wrong_shape_raises_response_decode_exception(
    api: UserApi, server: RecordingServer
) -> None:
    server.reply(200, {"users": "notalist"})
    with pytest.raises(ResponseDecodeException) as info:
        api.get_users()
    e = info.value
    assert e.status == 200 and e.data is None
    assert e.body == b'{"users": "notalist"}'
    assert e.cause.startswith("users:")
    assert "undecodable response: users:" in str(e)


def test_undecodable_answer_does_not_echo_a_secret_it_carries(
    api: UserApi, server: RecordingServer
) -> None:
    # A new API key in an answer of the wrong shape: kept in .body, never in the message.
    body = {"id": "k1", "apiKey": "NEW-KEY-do-not-log", "isActive": "maybe"}
    server.reply(201, body)
    with pytest.raises(ResponseDecodeException) as info:
        api.create_user_api_key("S-1-100-1001", {"name": "ci"})
    assert info.value.status == 201
    assert json.loads(info.value.body) == body
    assert "isActive" in str(info.value)
    assert "NEW-KEY-do-not-log" not in str(info.value)
    assert "NEW-KEY-do-not-log" not in repr(info.value)


# -- connection failures -------------------------------------------------------------------


def test_connection_refused_raises_api_connection_error(unreachable_api: UserApi) -> None:
    with pytest.raises(ApiConnectionError) as info:
        unreachable_api.get_users()
    assert isinstance(info.value, OpenApiException)
    assert not isinstance(info.value, ApiException)  # there was no HTTP answer
    assert "GET" in str(info.value) and "/v2/users" in str(info.value)
    assert API_KEY not in str(info.value) and API_KEY not in repr(info.value)


def test_connection_refused_is_not_reported_as_a_timeout(unreachable_api: UserApi) -> None:
    # A refusal is immediate; calling it a timeout sends users to tune the wrong knob.
    with pytest.raises(ApiConnectionError) as info:
        unreachable_api.get_users()
    assert type(info.value) is ApiConnectionError
    assert "timed out" not in str(info.value)


def test_server_that_never_answers_raises_api_timeout_error() -> None:
    # Listening but never accepting: the connection is made, the answer never comes.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        configuration = Configuration(host=f"http://127.0.0.1:{port}/v2")
        with ApiClient(configuration) as client:
            with pytest.raises(ApiTimeoutError) as info:
                UserApi(client).get_users(_request_timeout=0.3)
    assert isinstance(info.value, ApiConnectionError)
    assert isinstance(info.value, OpenApiException)


# -- the API key stays secret --------------------------------------------------------------


def test_api_key_never_appears_in_errors_or_reprs(
    api: UserApi, server: RecordingServer, configuration: Configuration
) -> None:
    server.reply(401, {"errorCode": "KUnauthorized", "message": "bad key"})
    with pytest.raises(UnauthorizedException) as info:
        api.get_users()
    assert server.last.headers["apiKey"] == API_KEY  # it was sent...
    for text in (str(info.value), repr(info.value), repr(configuration), str(configuration),
                 repr(api.api_client), str(api.api_client)):
        assert API_KEY not in text  # ...and never shown
    assert "'APIKeyHeader': '***'" in repr(configuration)


def test_api_key_with_prefix_is_not_shown_either() -> None:
    configuration = Configuration(
        host="https://helios.example.com/v2",
        api_key={"APIKeyHeader": API_KEY},
        api_key_prefix={"APIKeyHeader": "Bearer"},
    )
    assert configuration.auth_header_value() == f"Bearer {API_KEY}"
    for text in (repr(configuration), str(configuration), repr(ApiClient(configuration))):
        assert API_KEY not in text


# -- the exception family ------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (ApiTypeError, TypeError),
        (ApiValueError, ValueError),
        (ApiAttributeError, AttributeError),
        (ApiKeyError, KeyError),
    ],
)
def test_sdk_errors_are_also_the_matching_builtin(
    cls: Type[OpenApiException], builtin: Type[Exception]
) -> None:
    assert issubclass(cls, OpenApiException) and issubclass(cls, builtin)
    # Code that only knows the builtin still catches it.
    with pytest.raises(builtin):
        raise cls("refused", ["body", 0, "name"])


def test_error_path_is_rendered_before_the_message() -> None:
    error = ApiValueError("is required", ["body", 0, "local_user_params", "email"])
    assert str(error) == "body[0].local_user_params.email: is required"
    assert error.path_to_item == ["body", 0, "local_user_params", "email"]
    assert str(ApiTypeError("must be str")) == "must be str"


def test_api_key_error_message_is_not_quoted() -> None:
    # KeyError would show "'no such key'" with quotes; this reads as written.
    assert str(ApiKeyError("no such key")) == "no such key"


def test_connection_and_status_families() -> None:
    assert issubclass(ApiTimeoutError, ApiConnectionError)
    assert not issubclass(ApiConnectionError, ApiException)
    for cls in (BadRequestException, UnauthorizedException, ForbiddenException,
                NotFoundException, ConflictException, UnprocessableEntityException,
                ServiceException, ResponseDecodeException):
        assert issubclass(cls, ApiException) and issubclass(cls, OpenApiException)


def test_sdk_raises_its_own_type_error_for_an_unknown_body_key(
    api: UserApi, server: RecordingServer
) -> None:
    # Refused before anything is sent, as an ApiTypeError that is also a TypeError.
    with pytest.raises(TypeError) as info:
        api.create_users([{"usernme": "alice", "domain": "LOCAL"}])
    assert isinstance(info.value, ApiTypeError)
    assert "usernme" in str(info.value) and "username" in str(info.value)
    assert server.requests == []


def test_a_message_with_a_backslash_is_shown_as_the_server_sent_it(
    api: cohesity_sdk.helios.UserApi, server: RecordingServer,
) -> None:
    server.reply(409, {"errorCode": "KConflict", "message": "user LOCAL\\jdoe already exists"})
    with pytest.raises(cohesity_sdk.helios.ConflictException) as info:
        api.get_users()
    assert "message='user LOCAL\\jdoe already exists'" in str(info.value)
    server.reply(400, {"errorCode": "KBad", "message": "two\nlines"})
    with pytest.raises(cohesity_sdk.helios.BadRequestException) as bad:
        api.get_users()
    assert "message='two\\nlines'" in str(bad.value) and "\n" not in str(bad.value)


def test_an_optional_argument_by_position_is_refused_as_python_words_it(
    api: cohesity_sdk.helios.UserApi,
) -> None:
    with pytest.raises(TypeError, match=r"^UserApi\.get_users\(\) takes 1 positional "
                                        r"argument but 2 were given: optional parameters "
                                        r"are keywords, so write access_cluster_id=\.\.\.$"):
        api.get_users(1)  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"^UserApi\.get_user_by_sid_with_http_info\(\) takes "
                                        r"2 positional arguments but 3 were given"):
        api.get_user_by_sid_with_http_info("S-1", 5)  # type: ignore[misc]
