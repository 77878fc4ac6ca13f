"""What a new user writes first: each line of it type-checks under mypy --strict and pyright."""

from __future__ import annotations

import os
from typing import List

import cohesity_sdk.helios
from cohesity_sdk.helios import CreateUserSessionRequestParams, OtpType
from cohesity_sdk.helios.rest import ApiException

configuration = cohesity_sdk.helios.Configuration(host="https://helios.cohesity.com/v2")
configuration.api_key["APIKeyHeader"] = os.environ.get("HELIOS_API_KEY", "")

with cohesity_sdk.helios.ApiClient(configuration) as api_client:
    api = cohesity_sdk.helios.UserApi(api_client)
    try:
        # A list result's list is a list, and the result reads as one too.
        for user in api.get_users().users:
            print(user.username, user.roles)
        names: List[str] = [user.username or "" for user in api.get_users(domain="LOCAL")]
        print(len(api.get_groups()), names)
        created = api.create_users([
            cohesity_sdk.helios.CreateUserParameters(
                username="report-bot",
                domain="LOCAL",
                roles=["COHESITY_VIEWER"],
                local_user_params=cohesity_sdk.helios.LocalUserParams(
                    email="report-bot@example.com", password=os.environ.get("PW", "")
                ),
            )
        ])
        print(created.users[0].sid, created[0].sid)
        info = api.get_user_by_sid_with_http_info("S-1-100-21-1-1001", access_cluster_id=42)
        print(info.status_code, info.data.username)
        raw = api.get_users_without_preload_content(_deadline=30, _retries=0)
        print(raw.status)
        # Known enum values, as strings or as the enum.
        CreateUserSessionRequestParams(username="a", password="p", otp_type="totp")
        CreateUserSessionRequestParams(username="a", password="p", otp_type=OtpType.EMAIL)
        api.delete_session(sid="S-1-100-21-1-1001")
        api.delete_session(all_sessions=True)
    except ApiException as e:
        print(e.status + 1, e.attempts, e.request_id)
