"""Mistakes in an access file built in Python, and in using a plan, that a type checker
catches. Each marked line must raise exactly the errors it names, as
``# E: <mypy code> <pyright rule>``; no other line may raise any."""

from __future__ import annotations

import cohesity_sdk.helios as helios
from cohesity_sdk.helios import access
from cohesity_sdk.helios.access import AccessFile, ApiKeySpec, GroupSpec, UserSpec

api = helios.UserApi(helios.ApiClient(helios.Configuration(host="https://h.example/v2")))

UserSpec(usrname="svc-a")  # E: call-arg reportCallIssue
UserSpec(username="svc-a", password="x")  # E: call-arg reportCallIssue
UserSpec(username="svc-a", roles="COHESITY_ADMIN")  # E: arg-type reportArgumentType
UserSpec(username="svc-a", absent="yes")  # E: arg-type reportArgumentType
ApiKeySpec(name="ci", secret="x")  # E: call-arg reportCallIssue
GroupSpec(name="ops", members="svc-a")  # E: arg-type reportArgumentType
AccessFile(clusters=["4213516873913468"])  # E: list-item reportArgumentType

planned = access.plan(api, AccessFile())
print(planned.chanegs)  # E: attr-defined reportAttributeAccessIssue
count: int = planned.summary()  # E: assignment reportAssignmentType
access.apply(api, planned, parallel="4")  # E: arg-type reportArgumentType
