import os

import cohesity_sdk.helios

configuration = cohesity_sdk.helios.Configuration(
    host=os.environ["HELIOS_HOST"],
    username="backup-admin", password=os.environ["HELIOS_PASSWORD"], domain="LOCAL",
)
with cohesity_sdk.helios.ApiClient(configuration) as api_client:
    api = cohesity_sdk.helios.UserApi(api_client)
    print([user.username for user in api.get_users(domain="LOCAL")])
