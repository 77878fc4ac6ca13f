"""Access as code at scale: export, plan and apply against a cluster of 5,000 users.

    python benchmarks/access_scale.py            # a table
    python benchmarks/access_scale.py --json     # the same figures as JSON

A FakeHelios is served as a process of its own (``python -m
cohesity_sdk.helios.testing``), so that it does not share this process's interpreter,
and filled through the API with 5,000 LOCAL users, 300 groups of 10 members each, and
1,000 API keys (two for each of 500 users), their secrets written to 0600 files. The
access file manages all of it: every user and group, and the keys with their secret
files. Then it times, and counts the requests each sends (every try, through the
client's ``request`` hook):

- reading the 5,000-user access file (YAML);
- ``export`` of the cluster;
- ``plan`` of the file, in sync;
- ``plan`` and ``apply`` of 55 changes: 20 new users, 10 new keys, 15 users given
  another role, 5 groups given a description, 5 users deleted.

Nothing here asserts anything: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cohesity_sdk.helios import (  # noqa: E402
    ApiClient,
    Configuration,
    CreateGroupParams,
    CreateOrUpdateAPIKeyRequest,
    CreateUserParameters,
    LocalGroupParams,
    LocalUserParams,
    UserApi,
    access,
)

USERS, GROUPS, KEY_OWNERS, KEYS_EACH, MEMBERS = 5000, 300, 500, 2, 10
PASSWORD = "Scale-Passw0rd"


def serve() -> Tuple["subprocess.Popen[str]", str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cohesity_sdk.helios.testing", "--port", "0",
         "--max-requests", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    first, second = proc.stdout.readline(), proc.stdout.readline()
    url = re.search(r"(http://\S+/v2)", first)
    key = re.fullmatch(r"API key: (.+)\n", second)
    assert url and key, first + second
    return proc, url.group(1), key.group(1)


class Counter:
    """Counts the tries a client sends."""

    def __init__(self) -> None:
        self.sent = 0

    def __call__(self, request: Any) -> None:
        self.sent += 1


def fill(api: UserApi, secrets: Path) -> None:
    for start in range(0, USERS, 500):
        api.create_users([
            CreateUserParameters(username=f"user-{n:05d}", domain="LOCAL",
                                 roles=["COHESITY_VIEWER"],
                                 local_user_params=LocalUserParams(
                                     email=f"user-{n:05d}@example.com", password=PASSWORD))
            for n in range(start, start + 500)])
    sids = {u.username: u.sid for u in api.get_users().users}
    for g in range(GROUPS):
        members = [sids[f"user-{(g * MEMBERS + m) % USERS:05d}"] for m in range(MEMBERS)]
        api.create_group([CreateGroupParams(
            name=f"group-{g:03d}", domain="LOCAL", roles=["COHESITY_VIEWER"],
            local_group_params=LocalGroupParams(user_sids=members))])
    for n in range(KEY_OWNERS):
        for k in range(KEYS_EACH):
            created = api.create_user_api_key(sids[f"user-{n:05d}"],
                                              CreateOrUpdateAPIKeyRequest(name=f"key-{k}"))
            path = secrets / f"user-{n:05d}-key-{k}"
            path.write_text(f"{created.api_key}\n")
            path.chmod(0o600)


def access_data(secrets: Path, changed: bool) -> Dict[str, Any]:
    """The file that says what the cluster holds; ``changed``: with 55 changes."""
    users: List[Dict[str, Any]] = []
    for n in range(USERS):
        user: Dict[str, Any] = {"username": f"user-{n:05d}", "roles": ["COHESITY_VIEWER"],
                                "email": f"user-{n:05d}@example.com"}
        if n < KEY_OWNERS:
            user["api_keys"] = [{"name": f"key-{k}",
                                 "secret_file": str(secrets / f"user-{n:05d}-key-{k}")}
                                for k in range(KEYS_EACH)]
        if changed and KEY_OWNERS <= n < KEY_OWNERS + 10:  # 10 new keys
            user["api_keys"] = [{"name": "new-key",
                                 "secret_file": str(secrets / f"user-{n:05d}-new-key")}]
        if changed and 1000 <= n < 1015:  # 15 updates
            user["roles"] = ["COHESITY_VIEWER", "COHESITY_OPERATOR"]
        if changed and USERS - 5 <= n:  # 5 deletes
            user = {"username": user["username"], "absent": True}
        users.append(user)
    if changed:
        users += [{"username": f"new-{n:02d}", "roles": ["COHESITY_VIEWER"],
                   "password_env": "SCALE_PASSWORD"} for n in range(20)]
    groups: List[Dict[str, Any]] = []
    for g in range(GROUPS):
        group: Dict[str, Any] = {
            "name": f"group-{g:03d}", "roles": ["COHESITY_VIEWER"],
            "members": [f"user-{(g * MEMBERS + m) % USERS:05d}" for m in range(MEMBERS)]}
        if changed and g < 5:
            group["description"] = "reviewed"
        groups.append(group)
    # Members of a deleted user would make the file wrong: no group holds the last five.
    return {"users": users, "groups": groups}


def timed(label: str, counter: Counter, work: Callable[[], Any],
          rows: List[Dict[str, Any]]) -> Any:
    counter.sent = 0
    started = time.perf_counter()
    result = work()
    rows.append({"what": label, "seconds": round(time.perf_counter() - started, 2),
                 "requests": counter.sent})
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    os.environ["SCALE_PASSWORD"] = PASSWORD
    proc, url, key = serve()
    rows: List[Dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            secrets = Path(folder) / "secrets"
            secrets.mkdir(mode=0o700)
            counter = Counter()
            client = ApiClient(Configuration(host=url, api_key=key),
                               event_hooks={"request": [counter]})
            api = UserApi(client)
            fill(api, secrets)
            in_sync = Path(folder) / "access.yaml"
            in_sync.write_text(access.AccessFile.model_validate(
                access_data(secrets, False)).to_yaml())
            changes = Path(folder) / "changes.yaml"
            changes.write_text(access.AccessFile.model_validate(
                access_data(secrets, True)).to_yaml())
            timed("read the 5,000-user file (YAML)", counter,
                  lambda: access.load(in_sync), rows)
            timed("export", counter, lambda: access.export(api), rows)
            planned = timed("plan, in sync", counter, lambda: access.plan(api, in_sync), rows)
            assert planned.in_sync, planned.summary()
            planned = timed("plan of 55 changes", counter, lambda: access.plan(api, changes),
                            rows)
            assert len(planned.changes) == 55, planned.summary()
            result = timed("apply of those 55 changes", counter,
                           lambda: access.apply(api, planned), rows)
            assert result.ok, result.summary()
            client.close()
    finally:
        proc.terminate()
        proc.wait()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'':40} {'seconds':>8} {'requests':>9}")
        for row in rows:
            print(f"{row['what']:40} {row['seconds']:>8} {row['requests']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
