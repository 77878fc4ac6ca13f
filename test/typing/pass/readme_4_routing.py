import os

import cohesity_sdk.helios

configuration = cohesity_sdk.helios.Configuration(
    host="https://helios.cohesity.com/v2", api_key=os.environ["HELIOS_API_KEY"],
    access_cluster_id=4213516873913468, region_id="us-east-1",
)
with cohesity_sdk.helios.ApiClient(configuration) as api_client:
    api = cohesity_sdk.helios.UserApi(api_client)
    api.get_users()                      # sent with both headers
    api.get_users(access_cluster_id=99)  # this call goes to cluster 99
