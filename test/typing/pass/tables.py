"""Tables of a list result: flat records for any code, a DataFrame where pandas is (typed
Any, so that this checks where pandas is not installed too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from typing_extensions import assert_type

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.display import cell_text, records, text_table

api = helios.UserApi(helios.ApiClient(helios.Configuration(host="https://h.example/v2")))
users = api.get_users(domain="LOCAL")

rows = users.to_records()
assert_type(rows, List[Dict[str, Any]])
for row in rows:
    login = row["last_login_time_msecs"]
    if isinstance(login, datetime):
        print(login.isoformat())
assert_type(api.get_groups().to_records(), List[Dict[str, Any]])
assert_type(records(users[0]), List[Dict[str, Any]])
assert_type(records(None), List[Dict[str, Any]])
assert_type(cell_text(rows[0]["roles"]), str)
assert_type(text_table(rows, limit=20), str)

frame = users.to_pandas()
print(len(frame))
