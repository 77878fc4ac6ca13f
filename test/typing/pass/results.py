"""The type a checker gives each kind of result: the model, the model with its HTTP details,
or urllib3's response."""

from __future__ import annotations

from typing import List, Optional

from typing_extensions import assert_type
from urllib3 import BaseHTTPResponse

import cohesity_sdk.helios as helios
from cohesity_sdk.helios import ApiResponse, UserParams, UsersList

api = helios.UserApi(helios.ApiClient(helios.Configuration(host="https://h.example/v2")))

assert_type(api.get_users(), UsersList)
assert_type(api.get_users_with_http_info(), ApiResponse[UsersList])
assert_type(api.get_users_with_http_info().data, UsersList)
assert_type(api.get_users_without_preload_content(), BaseHTTPResponse)
assert_type(api.delete_user("S-1"), None)
assert_type(api.delete_user_with_http_info("S-1"), ApiResponse[None])

users = api.get_users(domain="LOCAL", _deadline=5, _retries=2, _request_timeout=(1, 2),
                      _headers={"X-Trace": "t"}, _request_auth=helios.NoAuth())
assert_type(users.users, List[UserParams])
assert_type(users[0], UserParams)
assert_type(users[1:], List[UserParams])
assert_type(len(users), int)
for user in users:
    assert_type(user, UserParams)
    assert_type(user.username, Optional[str])
    assert_type(user.roles, Optional[List[str]])

api.get_users(_retries=helios.RetryPolicy(1, backoff_base=0.1))
try:
    api.get_users()
except helios.ApiException as error:
    assert_type(error.status, int)
    assert_type(error.attempts, int)
    assert_type(error.request_id, Optional[str])
