import os

import cohesity_sdk.helios
from cohesity_sdk.helios import OpenApiException

configuration = cohesity_sdk.helios.Configuration(host="https://helios.cohesity.com/v2")
configuration.api_key["APIKeyHeader"] = os.environ["HELIOS_API_KEY"]

with cohesity_sdk.helios.ApiClient(configuration) as api_client:
    api = cohesity_sdk.helios.UserApi(api_client)
    try:
        found = api.get_users(domain="LOCAL", usernames=["adm"], match_partial_names=True)
        for user in found.users:
            print(user.username, user.roles, user.locked_reason)

        created = api.create_users([
            cohesity_sdk.helios.CreateUserParameters(
                username="report-bot",
                domain="LOCAL",
                roles=["COHESITY_VIEWER"],
                local_user_params=cohesity_sdk.helios.LocalUserParams(
                    email="report-bot@example.com", password=os.environ["NEW_PASSWORD"]
                ),
            )
        ])
        print(created.users[0].sid)
    except OpenApiException as e:  # refused, unreachable or timed out: one line that says so
        print(f"The call failed: {e}")
