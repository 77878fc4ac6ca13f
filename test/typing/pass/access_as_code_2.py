import os

from cohesity_sdk.helios import ApiClient, Configuration, UserApi, access
from cohesity_sdk.helios.access import AccessFile, GroupSpec, UserSpec

wanted = AccessFile(
    clusters=[4213516873913468],
    users=[UserSpec(username="svc-report", roles=["COHESITY_VIEWER"],
                    password_env="SVC_REPORT_PASSWORD")],
    groups=[GroupSpec(name="auditors", roles=["COHESITY_VIEWER"], members=["svc-report"])],
)
configuration = Configuration(host=os.environ["HELIOS_HOST"],
                              api_key=os.environ["HELIOS_API_KEY"])
with ApiClient(configuration) as client:
    api = UserApi(client)
    print(access.plan(api, wanted).summary())

    twice = AccessFile(users=[UserSpec(username="svc-a", password_env="A"),
                              UserSpec(username="SVC-A", password_env="A")])
    try:
        access.plan(api, twice)
    except access.AccessFileError as e:
        print(e)

    exported = access.export(api, cluster_id=4213516873913468)
    print([user.username for user in exported.users if user.unmanaged])
    print(exported.to_json() == AccessFile.model_validate_json(exported.to_json()).to_json())
