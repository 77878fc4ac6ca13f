from cohesity_sdk.helios import ApiClient, CreateUserParameters, LocalUserParams, UserApi
from cohesity_sdk.helios.testing import FakeHelios

with FakeHelios() as fake:                      # or fake.start() / fake.stop()
    with ApiClient(fake.configuration()) as client:
        api = UserApi(client)
        api.create_users([CreateUserParameters(
            username="bob", domain="LOCAL",
            local_user_params=LocalUserParams(password="bob-Passw0rd"))])
        assert [u.username for u in api.get_users().users] == ["admin", "bob"]
    assert fake.requests[-1].operation_id == "get_users"
