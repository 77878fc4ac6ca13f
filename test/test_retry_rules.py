"""Retries that tell the truth: whether a try whose answer was lost is sent again is the
operation's to say (the spec's x-idempotent), and an error says when the server may
have acted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_resilience import FAST, calls_of, new_user, user_api, usernames

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.api.user_api import UserApi
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.testing import FakeHelios

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "spec" / "helios-user-api.json").read_text())


def test_every_operation_says_whether_it_may_be_repeated() -> None:
    operations = {op["operationId"]: op for item in SPEC["paths"].values()
                  for op in item.values()}
    assert len(operations) == 27
    assert all(isinstance(op["x-idempotent"], bool) for op in operations.values())
    not_repeated = sorted(name for name, op in operations.items() if not op["x-idempotent"])
    assert not_repeated == ["create_group", "create_user_api_key", "create_users",
                            "regenerate_s3_key", "rotate_user_api_key", "update_user"]
    deletes = sorted(name for name, op in operations.items() if op.get("x-deletes"))
    assert deletes == ["delete_group", "delete_groups", "delete_session", "delete_user",
                       "delete_user_api_key_by_id", "delete_users"]


def _sid(api: helios.UserApi, name: str) -> str:
    sid = (api.create_users([new_user(name)]).users or [])[0].sid
    assert sid is not None
    return sid


def test_a_delete_done_whose_answer_was_lost_returns_as_deleted(fake: FakeHelios) -> None:
    api = user_api(fake, retries=RetryPolicy(3, **FAST))
    sid = _sid(api, "erin")
    fake.drop_next("delete_user", after_action=True)  # done, then the connection drops
    assert api.delete_user(sid) is None  # the repeat's 404 means the first try did it
    assert calls_of(fake, "delete_user") == 2
    assert "erin" not in usernames(api)


def test_its_http_info_shows_the_404_that_said_so(fake: FakeHelios) -> None:
    api = user_api(fake, retries=RetryPolicy(3, **FAST))
    sid = _sid(api, "fred")
    fake.drop_next("delete_user", after_action=True)
    answer = api.delete_user_with_http_info(sid)
    assert (answer.status_code, answer.data) == (404, None)


def test_a_bulk_delete_done_whose_answer_was_lost_returns_too(fake: FakeHelios) -> None:
    api = user_api(fake, retries=RetryPolicy(3, **FAST))
    sids = [_sid(api, "gail"), _sid(api, "hank")]
    fake.drop_next("delete_users", after_action=True)
    assert api.delete_users(helios.DeleteUsersRequest(sids=sids)) is None
    assert calls_of(fake, "delete_users") == 2


def test_a_404_to_a_first_try_is_still_an_error(fake: FakeHelios) -> None:
    api = user_api(fake)
    with pytest.raises(helios.NotFoundException) as info:
        api.delete_user("S-1-100-21-1-9999")
    assert info.value.attempts == 1 and not info.value.may_have_acted


def test_a_password_change_whose_answer_was_lost_is_not_sent_again(
    fake: FakeHelios,
) -> None:
    api = user_api(fake, retries=RetryPolicy(5, **FAST))
    sid = _sid(api, "ivy")
    change = helios.UpdateUserParameters(local_user_params=helios.LocalUserUpdateParams(
        current_password="ivy-Passw0rd", password="Passw0rd-2"))
    fake.drop_next("update_user", after_action=True)
    with pytest.raises(helios.ApiConnectionError) as info:
        api.update_user(sid, change)
    error = info.value
    assert calls_of(fake, "update_user") == 1
    assert error.attempts == 1 and error.may_have_acted and error.not_repeated
    assert str(error).endswith("; the server may have acted on it, and update_user is not "
                               "sent again after a lost answer")
    # It was applied: the new password opens a session, the old one does not.
    login = helios.CreateUserSessionRequestParams(username="ivy", domain="LOCAL",
                                                  password="Passw0rd-2")
    assert api.create_session(login).session_id


def test_a_delete_that_keeps_failing_says_an_earlier_try_may_have_acted(
    fake: FakeHelios,
) -> None:
    api = user_api(fake, retries=RetryPolicy(2, **FAST))
    sid = _sid(api, "jack")
    fake.drop_next("delete_user")
    fake.fail_next("delete_user", status=503, times=5)
    with pytest.raises(helios.ServiceException) as info:
        api.delete_user(sid)
    assert info.value.attempts == 3 and info.value.may_have_acted
    assert str(info.value).endswith(" after 3 attempts; the server may have acted on one of "
                                    "them")


def test_a_policy_written_before_the_rule_never_repeats_what_may_have_acted(
    fake: FakeHelios,
) -> None:
    with pytest.warns(DeprecationWarning, match="takes no 'idempotent' keyword"):
        class Eager(RetryPolicy):
            # The old signature, and a rule that would repeat anything.
            def should_retry(self, method: str, attempt: int, *, status: Any = None,
                             error: Any = None) -> bool:
                return attempt <= self.total

            def delay(self, attempt: int, headers: Any = None) -> float:
                return 0.0

    api = user_api(fake, retries=Eager(3))
    sid = _sid(api, "kate")
    fake.fail_next("update_user", status=502)
    with pytest.raises(helios.ServiceException):
        api.update_user(sid, helios.UpdateUserParameters(description="x"))
    assert calls_of(fake, "update_user") == 1
    fake.fail_next("update_user", status=500)  # an answer: the policy's to judge
    assert api.update_user(sid, helios.UpdateUserParameters(description="y")).description \
        == "y"


def test_the_operations_carry_the_rule() -> None:
    from cohesity_sdk.helios.api import user_api as module

    assert module._UPDATE_USER.idempotent is False
    assert module._UPDATE_GROUP.idempotent is True
    assert module._CREATE_SESSION.idempotent is True
    assert module._DELETE_USERS.deletes is True and module._DELETE_USERS.method == "POST"
    assert UserApi.delete_user.__doc__ is not None
