from typing import List

import cohesity_sdk.helios
from cohesity_sdk.helios import TransportRequest, TransportResponse

tries: List[str] = []


def trace(request: TransportRequest) -> None:
    request.headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def measure(request: TransportRequest, response: TransportResponse) -> None:
    tries.append(f"{request.operation} #{request.attempt}: {response.status}")


configuration = cohesity_sdk.helios.Configuration.from_env()
with cohesity_sdk.helios.ApiClient(
    configuration, event_hooks={"request": [trace], "response": [measure]}
) as api_client:
    cohesity_sdk.helios.UserApi(api_client).get_users(domain="LOCAL")
print(tries)  # ['get_users #1: 200']
