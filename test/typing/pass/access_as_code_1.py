import os

from cohesity_sdk.helios import ApiClient, Configuration, UserApi, access

configuration = Configuration(host=os.environ["HELIOS_HOST"],
                              api_key=os.environ["HELIOS_API_KEY"])
with ApiClient(configuration) as client:
    api = UserApi(client)
    changes = access.plan(api, access.load("access.yaml"))  # reads only
    print(changes.summary())
    for change in changes.changes[:3]:
        print(change.number, change.action, change.target, change.depends_on)
    result = access.apply(api, changes)  # checks it is not stale first
    print(result.summary())
    print(access.plan(api, "access.yaml").in_sync)  # a path works too
