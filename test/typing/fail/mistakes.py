"""Mistakes a type checker catches. Each marked line must raise exactly the errors it names,
as ``# E: <mypy code> <pyright rule>``; no other line may raise any."""

from __future__ import annotations

import cohesity_sdk.helios as helios
from cohesity_sdk.helios import CreateUserParameters, CreateUserSessionRequestParams

api = helios.UserApi(helios.ApiClient(helios.Configuration(host="https://h.example/v2")))

# Model constructors: names, types, required fields, known enum values.
CreateUserParameters(usrname="x", domain="LOCAL")  # E: call-arg reportCallIssue
CreateUserParameters(username=5, domain="LOCAL")  # E: arg-type reportArgumentType
CreateUserParameters(domain="LOCAL")  # E: call-arg reportCallIssue
CreateUserSessionRequestParams(username="a", otp_type="Bogus")  # E: arg-type reportArgumentType
# A read-only field is not something a request can set.
CreateUserParameters(username="a", domain="LOCAL", primary_group="x")  # E: call-arg reportCallIssue
helios.LocalUserParams(email="a@example.com", groups=["ops"])  # E: call-arg reportCallIssue
# A request model takes values of its own types only (refused at run time too).
helios.UpdateUserParameters(locked="no")  # E: arg-type reportArgumentType
helios.UpdateUserParameters(locked=1)  # E: arg-type reportArgumentType
helios.UpdateUserParameters(expiry_time_msecs=1.5)  # E: arg-type reportArgumentType
helios.UpdateUserParameters(description=5)  # E: arg-type reportArgumentType
# Nested models are models.
CreateUserParameters(username="a", domain="", local_user_params=5)  # E: arg-type reportArgumentType

# Attributes: a misspelt name, a wrong type.
user = api.get_user_by_sid("S-1")
print(user.usernme)  # E: attr-defined reportAttributeAccessIssue
user.locked = "yes"  # E: assignment reportAttributeAccessIssue

# Optional parameters are keywords; options are checked by name and type.
api.get_users(1234)  # E: call-arg|misc reportCallIssue
api.get_user_by_sid("S-1", 42)  # E: call-arg|misc reportCallIssue
api.get_users(domian="LOCAL")  # E: call-arg reportCallIssue
api.get_users(_deadline="soon")  # E: arg-type reportArgumentType
api.get_users(_retry=2)  # E: call-arg reportCallIssue
api.delete_session(all_sessions="yes")  # E: arg-type reportArgumentType
api.get_user_by_sid(5)  # E: arg-type reportArgumentType

# Results are what they are.
count: int = api.get_users()  # E: assignment reportAssignmentType
name: int = api.get_users().users[0].username  # E: assignment reportAssignmentType
print(api.delete_user("S-1").sid)  # E: attr-defined reportAttributeAccessIssue
