import os

import cohesity_sdk.helios
from cohesity_sdk.helios.models.users_list import UsersList
from cohesity_sdk.helios.rest import ApiException

configuration = cohesity_sdk.helios.Configuration(host="https://helios.cohesity.com/v2")
configuration.api_key["APIKeyHeader"] = os.environ["HELIOS_API_KEY"]

with cohesity_sdk.helios.ApiClient(configuration) as api_client:
    api = cohesity_sdk.helios.UserApi(api_client)
    body = [
        cohesity_sdk.helios.CreateUserParameters(
            username="alice",
            domain="LOCAL",
            roles=["COHESITY_VIEWER"],
            local_user_params=cohesity_sdk.helios.LocalUserParams(
                email="alice@example.com", password=os.environ["NEW_USER_PASSWORD"]
            ),
        )
    ]
    try:
        result: UsersList = api.create_users(body)
        print(result)
    except ApiException as e:
        print(f"create_users failed: {e}")
