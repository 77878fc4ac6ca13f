"""An in-memory stand-in for the Helios v2 user-management API, for tests.

``FakeHelios`` serves the 27 ``UserApi`` operations on a local port, with real state:
what a test creates, it can read back, and the errors are the API's (401, 403, 404, 409,
400 with an ``Error`` body). Nothing leaves the machine::

    from cohesity_sdk.helios import ApiClient, UserApi
    from cohesity_sdk.helios.testing import FakeHelios

    with FakeHelios() as fake:
        with ApiClient(fake.configuration()) as client:
            api = UserApi(client)
            api.create_users([{"domain": "LOCAL", "username": "bob",
                               "localUserParams": {"password": "bob-Passw0rd"}}])
            assert [u.username for u in api.get_users().users] == ["admin", "bob"]
        fake.fail_next("get_users", status=503, retry_after=2)
        assert fake.requests[-1].headers["apiKey"] == "***"

What to know:

- Every cluster (each ``accessClusterId``; none is the Helios level) starts with the
  LOCAL user ``admin``, password ``admin``, roles ``["COHESITY_ADMIN"]``, which owns the
  bootstrap key ``fake.api_key``. Clusters share nothing.
- LOCAL users have ``primaryGroup`` ``"local-users"``; directory users (any other
  domain) have none, and no password, so they cannot ``create_session``.
- Lists hold objects of no tenant unless ``includeTenants=true`` (everything) or
  ``tenantIds`` (exactly those tenants) is given. ``create_users`` items may carry
  ``tenantId``, which the spec's request model lacks, to make tenant users.
- ``get_tenant_access`` starts with ``acme/`` (active) and ``globex/`` (inactive);
  ``fake.add_tenant_access(...)`` adds more.
- Each call is made as the user owning its key or session, with its roles' privileges
  (``cohesity_sdk.helios.testing.roles``: ``COHESITY_ADMIN`` may do everything,
  ``COHESITY_VIEWER`` may read, any user may act on itself); a refused call is a 403.
- Faults (``fail_next``, ``delay_next``, ``drop_next``) apply before authentication.
- ``fake.requests`` keeps the last ``max_requests`` (1000) requests, their bodies whole
  up to ``max_log_bytes`` (16 MiB) in all, older ones cut to a prefix; ``str()`` and
  ``repr()`` of one hide passwords, keys and other secrets, while ``.json`` and
  ``.body`` stay as sent.
- ``fake.snapshot()`` is the whole state as plain JSON (secrets included),
  ``fake.restore(snapshot)`` puts it back, ``FakeHelios(state=snapshot)`` starts from it
  (and ``reset()`` goes back to it); see ``saved_state``.
- The control API under ``/_fake/`` on the same port (``fake.control_url``) resets,
  saves and restores the state, queues faults and reads or clears the log, for tools
  other than Python; it needs no key and answers loopback clients only unless the fake
  listens beyond loopback (see ``control``).
- ``python -m cohesity_sdk.helios.testing`` runs one in the foreground (``--state FILE``
  to start from a snapshot, ``--save-state FILE`` to write one on exit); the pytest plugin
  ``cohesity_sdk.helios.testing.pytest_plugin`` gives the fixtures ``fake_helios`` and
  ``helios_api``.
"""

from cohesity_sdk.helios.testing.fake_helios import FakeHelios
from cohesity_sdk.helios.testing.request_log import FakeRequest, RequestLogView

__all__ = ["FakeHelios", "FakeRequest", "RequestLogView"]
