import os

import cohesity_sdk.helios
from cohesity_sdk.helios.field_text import table

configuration = cohesity_sdk.helios.Configuration(
    host=os.environ["HELIOS_HOST"], api_key=os.environ["HELIOS_API_KEY"]
)
with cohesity_sdk.helios.ApiClient(configuration) as api_client:
    users = cohesity_sdk.helios.UserApi(api_client).get_users(domain="LOCAL")

rows = users.to_records()  # one flat dict per user, the same keys in each
print(rows[0]["username"], rows[0]["local_user_params.email"], rows[0]["last_login_time_msecs"])
print(table(rows, limit=20))  # in words, as the text above

frame = users.to_pandas()  # a pandas.DataFrame of the same rows
print(frame.dtypes["last_login_time_msecs"])  # datetime64[ns, UTC]
