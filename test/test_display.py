"""How results read in notebooks and tables: HTML, IPython's text, records, pandas."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import cohesity_sdk.helios as helios
from cohesity_sdk.helios import (
    ApiClient,
    CreatedUserAPIKey,
    CreateOrUpdateAPIKeyRequest,
    CreateUserParameters,
    GroupParams,
    Groups,
    LocalUserParams,
    LockedReason,
    SecretKeyEntity,
    SecurityPrincipals,
    TenantAccessResult,
    UserApi,
    UserAPIKeys,
    UserParams,
    UsersList,
    from_epoch_msecs,
)
from cohesity_sdk.helios.display import (
    DISPLAY_ROWS,
    LINE_WIDTH,
    cell_text,
    pretty_lines,
    records,
    text_table,
)
from cohesity_sdk.helios.testing import FakeHelios

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "spec" / "helios-user-api.json").read_text(encoding="utf-8"))

T0 = 1795860900000  # 2026-11-28T10:15:00Z
DAY = 86_400_000
USER_COLUMNS = ["username", "domain", "roles", "locked", "local_user_params.email",
                "last_login_time_msecs", "sid"]
# The same columns as people read them (field_text).
USER_HEADERS = ["Username", "Domain", "Roles", "Locked", "Email", "Last login", "SID"]


def user_json(i: int) -> Dict[str, Any]:
    """A user as a cluster sends it, an S3 secret included."""
    return {
        "description": f"Account {i}",
        "locked": i % 10 == 3,
        "restricted": False,
        "roles": ["COHESITY_VIEWER", "SELF_SERVICE"] if i % 2 else ["COHESITY_ADMIN"],
        "createdTimeMsecs": T0 - 30 * DAY + i * 1000,
        "domain": "LOCAL",
        "forcePasswordChange": False,
        "lastLoginTimeMsecs": T0 + i * 60_000,
        "lastUpdatedTimeMsecs": T0 - DAY,
        "localUserParams": {"email": f"user{i:03d}@example.com"},
        "lockedReason": "LockedByAdmin" if i % 10 == 3 else "NotLocked",
        "otherGroups": [],
        "primaryGroup": "local-users",
        "s3AccountParams": {"s3AccessKeyId": f"AKIA{i:016d}", "s3AccountId": f"acct-{i}",
                            "s3SecretKey": f"s3-secret-{i:03d}"},
        "sid": f"S-1-100-21-3912-{1000 + i}",
        "tenantId": None,
        "username": f"user{i:03d}",
    }


@pytest.fixture
def users() -> UsersList:
    return UsersList.from_dict({"users": [user_json(i) for i in range(101)]})


class Cells(HTMLParser):
    """The rows of the outermost table of an HTML fragment, as (tag, text) cells; the text
    of a nested table goes to the cell that holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: List[List[Tuple[str, str]]] = []
        self._depth = 0
        self._cell: Optional[List[str]] = None
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self._depth += 1
        elif self._depth == 1 and tag == "tr":
            self.rows.append([])
        elif self._depth == 1 and tag in ("td", "th"):
            self._cell, self._tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append((self._tag, "".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(markup: str) -> List[List[Tuple[str, str]]]:
    parser = Cells()
    parser.feed(markup)
    return parser.rows


def fields_of(markup: str) -> Dict[str, str]:
    """Field -> the text of its value, of a model's field | value table."""
    return {row[0][1]: row[1][1] for row in parse(markup)[1:]}


# -- one model -------------------------------------------------------------------------


def test_a_user_in_html_has_identifying_fields_first_dates_and_no_secret(
    users: UsersList,
) -> None:
    user = users[0]
    markup = user._repr_html_()
    rows = parse(markup)
    assert rows[0] == [("th", "UserParams")]
    fields = [row[0][1] for row in rows[1:]]
    # Preferred fields first (x-columns), then the rest in declaration order, in words.
    assert fields[:7] == ["Username", "Domain", "Roles", "Locked", "Local user",
                          "Last login", "SID"]
    assert "Description" in fields and "Tenant ID" not in fields  # null: nothing to show
    values = fields_of(markup)
    assert values["Username"] == "user000"
    assert values["Last login"] == "2026-11-28T10:15:00Z"
    assert values["Locked"] == "no"
    assert values["Force password change"] == "no"
    assert values["Roles"] == "COHESITY_ADMIN"
    assert values["Local user"] == "LocalUserResponseParamsEmailuser000@example.com"
    assert values["S3 account"].endswith("S3 secret key***")  # a table of its own
    assert "s3-secret" not in markup
    assert str(T0) not in markup


def test_a_user_as_text_is_one_field_a_line(users: UsersList) -> None:
    pytest.importorskip("IPython")
    from IPython.lib.pretty import pretty

    text = pretty(users[3])
    lines = text.splitlines()
    assert lines[0] == "UserParams"
    # "  Header  value": the headers in words, the values in one column.
    by_field = dict(re.fullmatch(r"  (\S+(?: \S+)*)  +(.*)", line).groups()  # type: ignore[union-attr]
                    for line in lines[1:])
    assert list(by_field)[:7] == USER_HEADERS
    assert len({len(line) - len(value) for line, value in zip(lines[1:], by_field.values())
                if value}) == 1
    assert by_field["Last login"] == "2026-11-28T10:18:00Z"
    assert by_field["Created"] == "2026-10-29T10:15:03Z"
    assert by_field["Locked"] == "yes"
    assert by_field["Restricted"] == "no"
    assert by_field["Roles"] == "COHESITY_VIEWER, SELF_SERVICE"
    assert by_field["S3 secret key"] == "***"
    assert by_field["Other groups"] == "(none)"
    assert "Tenant ID" not in by_field
    assert "s3-secret" not in text
    assert len(text) < 2000 and "\n" in text  # not one long line


def test_long_values_are_cut_in_text_only() -> None:
    pytest.importorskip("IPython")
    from IPython.lib.pretty import pretty

    long = "x" * 5000
    user = UserParams.from_dict({**user_json(1), "description": long, "otherGroups":
                                 [f"group-{n}" for n in range(300)]})
    text = pretty(user)
    assert max(map(len, text.splitlines())) <= LINE_WIDTH
    assert re.search(r"^  Description +x+…$", text, re.M)
    assert user.description == long  # the data is whole
    assert len(user.other_groups or []) == 300


def test_the_cycle_marker_of_ipython() -> None:
    pytest.importorskip("IPython")
    import io

    from IPython.lib.pretty import RepresentationPrinter

    out = io.StringIO()
    printer = RepresentationPrinter(out)
    UserParams(username="bob")._repr_pretty_(printer, True)
    printer.flush()
    assert out.getvalue() == "UserParams(...)"


def test_secrets_of_any_model_show_as_stars() -> None:
    key = CreatedUserAPIKey.from_dict({"id": "k-1", "name": "nightly", "userSid": "S-1-1",
                                       "apiKey": "the-new-api-key-secret"})
    entity = SecretKeyEntity.from_dict({"secret-key": "s3-reset-secret"})
    for model, secret in ((key, "the-new-api-key-secret"), (entity, "s3-reset-secret")):
        markup = model._repr_html_()
        lines = pretty_lines(model)
        assert "***" in markup and secret not in markup
        assert any(line.endswith("***") for line in lines)
        assert secret not in "\n".join(lines)
        assert secret not in json.dumps(records(model), default=str)
    # A model without x-columns: its identifying fields first.
    assert pretty_lines(key)[1:] == [
        "  Name      nightly", "  ID        k-1", "  User SID  S-1-1", "  API key   ***"]


def test_hostile_text_is_escaped(users: UsersList) -> None:
    hostile = "<script>alert('x')</script>"
    user = UserParams.from_dict({**user_json(1), "username": hostile,
                                 "description": '"&<b>', "<i>new</i>": "<img src=x>"})
    result = UsersList(users=[user, *users.users[:3]])
    for markup in (user._repr_html_(), result._repr_html_()):
        assert "<script>" not in markup and "<img" not in markup and "<i>" not in markup
        assert "<b>" not in markup
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
        assert "&quot;&amp;&lt;b&gt;" in markup
        assert "&lt;i&gt;new&lt;/i&gt;" in markup  # an unknown field's name, kept
        texts = [text for row in parse(markup) for _, text in row]
        assert hostile in texts  # reads as the text it is


# -- list results ----------------------------------------------------------------------


def test_users_in_html_are_a_table_cut_after_the_limit(users: UsersList) -> None:
    markup = users._repr_html_()
    rows = parse(markup)
    assert rows[0] == [("th", "UsersList: 101 users")]
    header = [text for _, text in rows[1]]
    assert header[:7] == USER_HEADERS
    assert header[7:] == [
        "Description", "Restricted", "Created", "Force password change", "Last updated",
        "Locked reason", "Primary group", "S3 access key ID", "S3 account ID",
        "S3 secret key",
    ]  # the rest in declaration order; columns with nothing in them left out
    body = rows[2:-1]
    assert len(body) == DISPLAY_ROWS == 50
    first = dict(zip(header, (text for _, text in body[0])))
    assert first["Username"] == "user000"
    assert first["Email"] == "user000@example.com"
    assert first["Last login"] == "2026-11-28T10:15:00Z"
    assert first["Roles"] == "COHESITY_ADMIN"
    assert first["Locked"] == "no" and first["Restricted"] == "no"
    assert first["S3 secret key"] == "***"
    assert [text for _, text in body[-1]][0] == "user049"
    assert rows[-1] == [("td", "… 51 more (101 users)")]
    assert "s3-secret" not in markup and "user050" not in markup
    assert len(users) == 101  # the data is whole


def test_users_as_text_are_aligned_preferred_columns(users: UsersList) -> None:
    pytest.importorskip("IPython")
    from IPython.lib.pretty import pretty

    lines = pretty(users).splitlines()
    assert lines[0] == "UsersList: 101 users"
    assert re.split(r"  +", lines[1]) == USER_HEADERS
    starts = [lines[1].index(name) for name in USER_HEADERS]
    for line in lines[2:-1]:
        # Every value starts under its header.
        assert all(i == 0 or line[i - 2:i] == "  " for i in starts), line
    assert len(lines) == 2 + 50 + 1
    assert lines[2].split() == ["user000", "LOCAL", "COHESITY_ADMIN", "no",
                                "user000@example.com", "2026-11-28T10:15:00Z",
                                "S-1-100-21-3912-1000"]
    assert lines[-1] == "… 51 more (101 users)"
    assert max(map(len, lines)) <= LINE_WIDTH


def test_wide_cells_stay_within_the_line() -> None:
    pytest.importorskip("IPython")
    from IPython.lib.pretty import pretty

    wide = UsersList.from_dict({"users": [
        {**user_json(i), "username": "u" * 300, "roles": [f"ROLE_{n}" for n in range(80)],
         "localUserParams": {"email": "e" * 300 + "@example.com"}, "sid": "S" * 300}
        for i in range(3)]})
    lines = pretty(wide).splitlines()
    assert max(map(len, lines)) <= LINE_WIDTH
    assert "…" in lines[2]


def test_a_long_list_field_is_cut_in_display_only() -> None:
    sids = [f"S-1-100-21-{n}" for n in range(120)]
    group = GroupParams.from_dict({"name": "ops", "domain": "LOCAL",
                                   "localGroupParams": {"userSids": sids}})
    markup = group._repr_html_()
    assert "S-1-100-21-49," not in markup and "S-1-100-21-49 …" in markup
    assert "S-1-100-21-50" not in markup
    assert "… 70 more" in markup
    [row] = records(group)
    assert row["local_group_params.user_sids"] == sids


def test_every_list_result_is_a_table_of_its_columns() -> None:
    results = [
        Groups.from_dict({"groups": [{
            "name": "ops", "domain": "LOCAL", "roles": ["COHESITY_VIEWER"], "sid": "S-1-9",
            "createdTimeMsecs": T0, "smbPrincipals": [
                {"domain": "CORP", "name": "ops-smb", "objectClass": "Group"}]}]}),
        UserAPIKeys.from_dict({"apiKeys": [{
            "id": "k-1", "name": "nightly", "isActive": True, "isExpired": False,
            "expiryTimeMsecs": T0 + 365 * DAY, "userSid": "S-1-2"}]}),
        SecurityPrincipals.from_dict({"securityPrincipals": [{
            "principalName": "jdoe", "domainName": "CORP", "objectClass": "User",
            "fullName": "Jane Doe", "sid": "S-1-5-21-7"}]}),
        TenantAccessResult.from_dict({"tenantAccesses": [{
            "tenantId": "acme/", "tenantName": "Acme", "isAccessActive": True,
            "roles": ["COHESITY_VIEWER"], "effectiveTimeMsecs": T0,
            "clusters": [{"clusterId": 4213516873913468, "clusterIncarnationId": 1,
                          "regionId": "us-east-1"}]}]}),
    ]
    for result in results:
        item_class = type(result[0])
        name = type(result).__name__
        [row] = result.to_records()
        assert list(row)[:len(item_class.__columns__)] == list(item_class.__columns__)
        markup = result._repr_html_()
        assert parse(markup)[0][0][1].startswith(f"{name}: 1 ")
    groups, keys, principals, tenants = results
    assert "2026-11-28T10:15:00Z" in groups._repr_html_()
    assert "2026-11-28T10:15:00Z" in tenants._repr_html_()
    assert "2027-11-28T10:15:00Z" in keys._repr_html_()
    assert parse(keys._repr_html_())[0] == [("th", "UserAPIKeys: 1 api keys")]
    # A list of models stays a list, of flat dicts.
    assert groups.to_records()[0]["smb_principals"] == [
        {"domain": "CORP", "name": "ops-smb", "object_class": "Group"}]
    assert tenants.to_records()[0]["clusters"] == [
        {"cluster_id": 4213516873913468, "cluster_incarnation_id": 1,
         "region_id": "us-east-1"}]
    assert keys.to_records()[0]["expiry_time_msecs"] == from_epoch_msecs(T0 + 365 * DAY)


def test_columns_come_from_the_spec() -> None:
    named = {name: schema["x-columns"] for name, schema in SPEC["components"]["schemas"].items()
             if "x-columns" in schema}
    assert set(named) == {"UserParams", "GroupParams", "UserAPIKey", "SecurityPrincipal",
                          "TenantAccess"}
    for name, columns in named.items():
        snake = [re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", c).lower() for c in columns]
        assert list(getattr(helios, name).__columns__) == snake
    assert UserParams.__columns__[4] == "local_user_params.email"
    assert UsersList.__items__ == "users"


def test_a_list_from_fake_helios_displays(fake: FakeHelios) -> None:
    with ApiClient(fake.configuration()) as client:
        api = UserApi(client)
        api.create_users([CreateUserParameters(
            username="bob", domain="LOCAL", roles=["COHESITY_VIEWER"],
            local_user_params=LocalUserParams(email="bob@example.com", password="pw-1"))])
        result = api.get_users()
        bob = result[1]
        key = api.create_user_api_key(bob.sid or "", CreateOrUpdateAPIKeyRequest(name="k1"))
    markup = result._repr_html_()
    assert parse(markup)[0] == [("th", "UsersList: 2 users")]
    assert "bob@example.com" in markup
    created = cell_text(from_epoch_msecs(bob.created_time_msecs or 0))
    assert created in markup and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z",
                                              created)
    assert key.api_key and key.api_key not in key._repr_html_()
    assert "***" in key._repr_html_()


# -- records ---------------------------------------------------------------------------


def test_records_are_flat_rows_of_the_same_keys(users: UsersList) -> None:
    odd = UserParams.from_dict({"username": "dir-user", "domain": "CORP", "mfaEnabled": True,
                                "localUserParams": {"email": "d@corp", "phoneNumber": "555"}})
    result = UsersList(users=[*users.users, odd])
    rows = result.to_records()
    assert len(rows) == 102
    keys = list(rows[0])
    assert all(list(row) == keys for row in rows)
    assert keys[:7] == USER_COLUMNS
    assert keys[7:20] == [
        "description", "effective_time_msecs", "expiry_time_msecs", "restricted",
        "created_time_msecs", "force_password_change", "last_updated_time_msecs",
        "locked_reason", "other_groups", "primary_group",
        "s3_account_params.s3_access_key_id", "s3_account_params.s3_account_id", "tenant_id",
    ]
    # Fields the spec does not declare keep their JSON names, after the declared ones.
    assert keys[20:] == ["local_user_params.phoneNumber", "mfaEnabled"]
    first, last = rows[0], rows[-1]
    assert first["mfaEnabled"] is None and last["mfaEnabled"] is True
    assert last["local_user_params.phoneNumber"] == "555"
    assert last["last_login_time_msecs"] is None and last["roles"] is None
    assert first["roles"] == ["COHESITY_ADMIN"]
    assert first["local_user_params.email"] == "user000@example.com"
    login = first["last_login_time_msecs"]
    assert isinstance(login, datetime) and login.utcoffset() == timedelta(0)
    assert login == datetime(2026, 11, 28, 10, 15, tzinfo=timezone.utc)
    assert rows[1]["created_time_msecs"] == from_epoch_msecs(T0 - 30 * DAY + 1000)
    # Secrets are not there at all.
    assert not any("secret" in key for key in keys)
    assert "s3-secret" not in repr(rows)
    # The data is untouched.
    assert result[0].last_login_time_msecs == T0
    assert result[0].s3_account_params and result[0].s3_account_params.s3_secret_key


def test_an_empty_result_has_no_records() -> None:
    assert UsersList.from_json('{"users": null}').to_records() == []
    assert UsersList().to_records() == []


def test_records_of_anything(users: UsersList) -> None:
    assert records(None) == []
    assert records(users) == users.to_records()
    assert records(users[2]) == [users.to_records()[2]]
    assert records(users.users[:3]) == users.to_records()[:3]
    assert records([]) == []
    with pytest.raises(TypeError, match="records\\(\\) takes a model"):
        records({"username": "bob"})


def test_to_pandas_keeps_the_columns_and_types_times(users: UsersList) -> None:
    pandas = pytest.importorskip("pandas")
    frame = users.to_pandas()
    rows = users.to_records()
    assert frame.shape == (101, len(rows[0]))
    assert list(frame.columns) == list(rows[0])
    for name in frame.columns:
        if name.endswith("_time_msecs"):
            assert str(frame[name].dtype) == "datetime64[ns, UTC]", name
    assert frame.loc[0, "last_login_time_msecs"] == pandas.Timestamp("2026-11-28T10:15:00Z")
    assert frame["effective_time_msecs"].isna().all()  # no value: NaT
    assert frame.loc[1, "roles"] == ["COHESITY_VIEWER", "SELF_SERVICE"]
    assert frame.loc[3, "locked"] and not frame.loc[0, "locked"]
    assert frame.loc[5, "local_user_params.email"] == "user005@example.com"
    assert "s3_account_params.s3_secret_key" not in frame.columns

    empty = UsersList().to_pandas()
    assert list(empty.columns) == list(rows[0]) and len(empty) == 0
    assert str(empty["created_time_msecs"].dtype) == "datetime64[ns, UTC]"


def test_to_pandas_without_pandas_says_how_to_get_it() -> None:
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None  # as if it were not installed\n"
        "import cohesity_sdk.helios as h\n"
        "users = h.UsersList.from_dict({'users': [{'username': 'bob'}]})\n"
        "assert users.to_records()[0]['username'] == 'bob'\n"
        "try:\n"
        "    users.to_pandas()\n"
        "except ImportError as e:\n"
        "    print(isinstance(e, h.OpenApiException), e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == "True to_pandas() needs pandas: pip install 'cohesity-helios[pandas]'\n"


# -- text ------------------------------------------------------------------------------


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(datetime(2026, 11, 28, 10, 15, tzinfo=timezone.utc)) == \
        "2026-11-28T10:15:00Z"
    assert cell_text(from_epoch_msecs(T0 + 42)) == "2026-11-28T10:15:00.042Z"
    assert cell_text(datetime(2026, 11, 28, 10, 15)) == "2026-11-28T10:15:00Z"  # naive: UTC
    cet = timezone(timedelta(hours=1))
    assert cell_text(datetime(2026, 11, 28, 11, 15, tzinfo=cet)) == "2026-11-28T10:15:00Z"
    assert (cell_text(True), cell_text(False)) == ("true", "false")
    assert cell_text(["COHESITY_ADMIN", "SELF_SERVICE"]) == "COHESITY_ADMIN, SELF_SERVICE"
    assert cell_text([]) == ""
    assert cell_text(0) == "0" and cell_text(1.5) == "1.5"
    assert cell_text(LockedReason.LOCKED_BY_ADMIN) == "LockedByAdmin"
    assert cell_text([{"cluster_id": 7, "region_id": None}]) == \
        '[{"cluster_id": 7, "region_id": null}]'
    assert cell_text({"at": datetime(2026, 1, 1, tzinfo=timezone.utc)}) == \
        '{"at": "2026-01-01T00:00:00Z"}'


def test_headers_are_words_by_rule() -> None:
    from cohesity_sdk.helios.field_text import header, headers

    assert [header(key) for key in (
        "last_login_time_msecs", "local_user_params.email", "is_active", "sid", "id",
        "user_sid", "tenant_ids", "s3_account_params.s3_access_key_id", "created_time_msecs",
        "expiry_time_msecs", "effective_time_msecs", "is_access_active", "local_user_params",
        "local_group_params.user_sids", "force_password_change", "otp_type",
        "smb_principals", "mfaEnabled", "local_user_params.phoneNumber", "<i>new</i>",
    )] == [
        "Last login", "Email", "Active", "SID", "ID", "User SID", "Tenant IDs",
        "S3 access key ID", "Created", "Expires", "Effective from", "Access active",
        "Local user", "Members", "Force password change", "OTP type", "SMB principals",
        "MFA enabled", "Phone number", "<i>new</i>",
    ]
    # Two columns that would read the same: the nested one says whose it is.
    assert headers(["primary_group", "local_user_params.primary_group"]) == [
        "Primary group", "Local user primary group"]
    assert headers(["expiry_time_msecs", "expired_time_msecs"]) == ["Expiry", "Expired"]
    # Every model's columns read in words, each once.
    from cohesity_sdk.helios import display, models
    from cohesity_sdk.helios.model_base import ApiModel

    for name in dir(models):
        cls = getattr(models, name)
        if isinstance(cls, type) and issubclass(cls, ApiModel) and cls is not ApiModel:
            words = headers(display._columns(cls, True))
            assert len(set(words)) == len(words), name
            assert not any("_" in w or "msecs" in w for w in words), (name, words)


def test_value_text() -> None:
    from cohesity_sdk.helios.field_text import value_text

    assert (value_text(True), value_text(False), value_text(None)) == ("yes", "no", "")
    assert value_text(from_epoch_msecs(T0)) == "2026-11-28T10:15:00Z"
    assert value_text(from_epoch_msecs(T0 + 42)) == "2026-11-28T10:15:00.042Z"
    assert value_text(["COHESITY_ADMIN", "SELF_SERVICE"]) == "COHESITY_ADMIN, SELF_SERVICE"
    assert value_text([]) == "(none)"
    assert value_text(list(range(5)), items=2) == "0, 1 … 3 more"
    assert value_text(LockedReason.LOCKED_BY_ADMIN) == "LockedByAdmin"
    assert value_text([{"cluster_id": 7, "active": True}]) == \
        '[{"cluster_id": 7, "active": true}]'  # nested: JSON
    assert value_text(1.5) == "1.5"


def test_text_table(users: UsersList) -> None:
    rows = [{"name": "a", "active": True, "roles": ["X", "Y"], "at": None},
            {"name": "longer-name", "active": False, "roles": [], "at":
             datetime(2026, 11, 28, 10, 15, tzinfo=timezone.utc)},
            {"name": "two\nlines", "active": None, "roles": ["Z"], "at": None}]
    assert text_table(rows).splitlines() == [
        "name         active  roles  at",
        "a            true    X, Y",
        "longer-name  false          2026-11-28T10:15:00Z",
        "two\\nlines           Z",
    ]
    assert text_table(rows, limit=1).splitlines() == [
        "name  active  roles  at",
        "a     true    X, Y",
        "… 2 more (3 rows)",
    ]
    assert text_table([]) == ""
    table = text_table(records(users), limit=5).splitlines()
    assert table[0].split()[:7] == USER_COLUMNS and len(table) == 7
    assert table[-1] == "… 96 more (101 rows)"


def test_the_readme_example_runs_as_written(
    fake: FakeHelios, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pandas")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [code] = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "to_pandas()" in b]
    with ApiClient(fake.configuration()) as client:
        UserApi(client).create_session(helios.CreateUserSessionRequestParams(
            username="admin", password="admin", domain="LOCAL"))  # a last login to show
    monkeypatch.setenv("HELIOS_HOST", fake.url)
    monkeypatch.setenv("HELIOS_API_KEY", fake.api_key)
    exec(compile(code, "<readme>", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"admin None \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00", lines[0])
    assert re.split(r"  +", lines[1])[:7] == USER_HEADERS  # in words, as the text above
    assert lines[2].split()[:4] == ["admin", "LOCAL", "COHESITY_ADMIN", "no"]
    assert lines[3] == "datetime64[ns, UTC]"


def test_the_readme_text_is_what_print_shows() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Notebooks\n", 1)[1].split("\n## ", 1)[0]
    listed, one = re.findall(r"```text\n(.*?)```", section, re.S)
    users = UsersList.from_dict({"users": [
        {"username": "admin", "domain": "LOCAL", "roles": ["COHESITY_ADMIN"],
         "locked": False, "lastLoginTimeMsecs": T0, "sid": "S-1-100-21-3912-1000"},
        {"username": "jdoe", "domain": "LOCAL", "roles": ["COHESITY_VIEWER"],
         "locked": False, "localUserParams": {"email": "jdoe@example.com"},
         "lastLoginTimeMsecs": T0 - 2 * DAY - 17 * 3_600_000, "sid": "S-1-100-21-3912-1001"},
        {"username": "svc-backup", "domain": "LOCAL",
         "roles": ["COHESITY_ADMIN", "SELF_SERVICE"], "locked": True,
         "localUserParams": {"email": "backup@example.com"}, "sid": "S-1-100-21-3912-1002"},
    ]})
    assert listed == f"{users}\n"
    assert one == f"{users[1]}\n"
    pytest.importorskip("IPython")
    from IPython.lib.pretty import pretty

    assert pretty(users) == str(users) and pretty(users[1]) == str(users[1])
