"""Create users from a CSV file in one batch, skipping the ones that already exist.

    python examples/bulk_import_users.py [users.csv] [--password-env VAR]

The CSV has a header row with the columns ``username``, ``email``, ``roles`` (separated by
``;``) and ``domain`` (empty means ``LOCAL``). Rows are checked before anything is sent;
a bad row is reported and left out. Existing users are found with one ``get_users`` call
and the new ones are created with one ``create_users`` call.

LOCAL users get the password in the environment variable named by ``--password-env``, or
else a random one that is never shown: set their passwords before they log in.

Exit status: 0 when every row was imported or already there, 1 when a row was invalid or
the import failed, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from _common import TargetError, open_target, print_table

import cohesity_sdk.helios as helios

DEFAULT_CSV = Path(__file__).resolve().parent / "users.csv"


@dataclass
class Row:
    line: int
    username: str
    email: str
    roles: List[str]
    domain: str
    result: str = ""
    problems: List[str] = field(default_factory=list)

    @property
    def key(self) -> Tuple[str, str]:
        return (self.domain.casefold(), self.username.casefold())


def read_rows(path: Path) -> List[Row]:
    """Parse and check the CSV; each row's ``problems`` lists what is wrong with it."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "username" not in (reader.fieldnames or []):
            raise ValueError(f"{path}: the header row must name a 'username' column")
        rows: List[Row] = []
        seen: Dict[Tuple[str, str], int] = {}
        for record in reader:
            row = Row(
                line=reader.line_num,
                username=(record.get("username") or "").strip(),
                email=(record.get("email") or "").strip(),
                roles=[r.strip() for r in (record.get("roles") or "").split(";") if r.strip()],
                domain=(record.get("domain") or "").strip() or "LOCAL",
            )
            if not row.username:
                row.problems.append("empty username")
            elif row.key in seen:
                row.problems.append(f"same user as line {seen[row.key]}")
            else:
                seen[row.key] = row.line
            if not row.roles:
                row.problems.append("no roles")
            if row.email and "@" not in row.email:
                row.problems.append(f"not an email address: {row.email!r}")
            if row.email and row.domain != "LOCAL":
                row.problems.append("email is only set for LOCAL users")
            rows.append(row)
    return rows


def to_request(row: Row, password: Optional[str]) -> helios.CreateUserParameters:
    user = helios.CreateUserParameters(username=row.username, domain=row.domain, roles=row.roles)
    if row.domain == "LOCAL":
        # AD and IdP users only get registered; a LOCAL user needs a password.
        user.local_user_params = helios.LocalUserParams(
            email=row.email or None, password=password or secrets.token_urlsafe(24)
        )
    return user


def import_rows(api: helios.UserApi, rows: List[Row], password: Optional[str]) -> None:
    """Fill in each row's ``result``: created, skipped or invalid."""
    valid = [r for r in rows if not r.problems]
    for row in rows:
        if row.problems:
            row.result = "invalid: " + "; ".join(row.problems)
    if not valid:
        return
    existing = api.get_users(usernames=sorted({r.username for r in valid}))
    known: Set[Tuple[str, str]] = {
        ((u.domain or "").casefold(), (u.username or "").casefold())
        for u in existing.users or []
    }
    to_create = []
    for row in valid:
        if row.key in known:
            row.result = "skipped: already exists"
        else:
            to_create.append(row)
    if not to_create:
        return
    created = api.create_users([to_request(r, password) for r in to_create])
    sids = {
        ((u.domain or "").casefold(), (u.username or "").casefold()): u.sid
        for u in created.users or []
    }
    for row in to_create:
        row.result = f"created {sids.get(row.key) or ''}".rstrip()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Create users from a CSV file in one batch.")
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV,
                        help=f"the CSV file (default: {DEFAULT_CSV.name} beside this script)")
    parser.add_argument("--password-env", metavar="VAR",
                        help="environment variable holding the initial password of LOCAL users")
    args = parser.parse_args(argv)

    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            print(f"error: environment variable {args.password_env} is not set", file=sys.stderr)
            return 2
    try:
        rows = read_rows(args.csv)
    except (OSError, ValueError, csv.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    print(f"Read {len(rows)} rows from {args.csv}")
    try:
        with open_target() as target, helios.ApiClient(target.configuration) as client:
            import_rows(helios.UserApi(client), rows, password)
    except (TargetError, helios.OpenApiException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    print_table(
        ["line", "username", "domain", "roles", "result"],
        [[r.line, r.username, r.domain, r.roles, r.result] for r in rows],
    )
    count = {kind: sum(r.result.startswith(kind) for r in rows)
             for kind in ("created", "skipped", "invalid")}
    print(f"Created {count['created']}, skipped {count['skipped']} (already exist), "
          f"invalid {count['invalid']}.")
    if password is None and any(r.domain == "LOCAL" and r.result.startswith("created")
                                for r in rows):
        print("New LOCAL users have random passwords that were not shown: "
              "set each one's password before they log in.")
    return 1 if count["invalid"] else 0


if __name__ == "__main__":
    sys.exit(main())
