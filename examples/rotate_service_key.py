"""Rotate the API key of a service account, save the new secret and check that it works.

    python examples/rotate_service_key.py --user svc-backup --key-name nightly \\
        --secret-file /etc/backup/helios.key --expire-days 90

Finds the user by username and its API key by name (creating the key when there is none),
rotates it, writes the new secret to ``--secret-file`` (created with mode 0600, replacing
the file atomically) or else prints it once, then makes one call with the new secret to
prove that it authenticates. ``--expire-days N`` also sets the key to expire N days from
now. The old secret stops working as soon as the key is rotated.

Against the local FakeHelios (no HELIOS_HOST/HELIOS_API_KEY) a missing user is created first.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional, Sequence

from _common import Target, TargetError, open_target, with_api_key

import cohesity_sdk.helios as helios


class RotationError(Exception):
    """Something the user has to sort out; the message says what."""


class SecretFile:
    """A 0600 temporary file beside ``path``, made before rotating and moved into place after.

    Making it first means a directory that cannot be written is found before the old
    secret is invalidated.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        self.fd: Optional[int] = fd
        self.temp = Path(temp)

    def commit(self, secret: str) -> None:
        assert self.fd is not None
        os.write(self.fd, secret.encode() + b"\n")
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            self.temp.unlink(missing_ok=True)


def find_user(
    api: helios.UserApi, target: Target, username: str, domain: str
) -> helios.UserParams:
    found = api.get_users(domain=domain, usernames=[username])
    for user in found.users or []:
        if user.username == username and user.sid:
            return user
    if not target.is_fake:
        raise RotationError(f"no {domain} user named {username!r}")
    print(f"(fake mode: creating the {domain} user {username!r} first)", file=sys.stderr)
    params = helios.CreateUserParameters(username=username, domain=domain,
                                         roles=["COHESITY_VIEWER"])
    if domain == "LOCAL":
        params.local_user_params = helios.LocalUserParams(password=secrets.token_urlsafe(16))
    return (api.create_users([params]).users or [])[0]


def rotate(
    api: helios.UserApi, user_sid: str, key_name: str, expiry_msecs: Optional[int]
) -> helios.CreatedUserAPIKey:
    """Rotate the user's key named ``key_name``, or create it; either way a new secret."""
    keys = [k for k in api.get_user_api_keys(user_sid).api_keys or [] if k.name == key_name]
    if len(keys) > 1:
        ids = ", ".join(k.id or "?" for k in keys)
        raise RotationError(f"{len(keys)} keys are named {key_name!r} ({ids}); keep only one")
    if not keys:
        print(f"No key named {key_name!r} yet: creating it.")
        return api.create_user_api_key(
            user_sid,
            helios.CreateOrUpdateAPIKeyRequest(
                name=key_name, is_active=True, expiry_time_msecs=expiry_msecs
            ),
        )
    key = keys[0]
    assert key.id is not None
    if expiry_msecs is not None:
        # A PUT: send the name and active state along so that they are kept.
        api.update_user_api_key_by_id(
            key.id,
            user_sid,
            helios.CreateOrUpdateAPIKeyRequest(
                name=key_name,
                is_active=key.is_active if key.is_active is not None else True,
                expiry_time_msecs=expiry_msecs,
            ),
        )
    print(f"Rotating key {key_name!r} (id {key.id}).")
    return api.rotate_user_api_key(user_sid, key.id)


def run(api: helios.UserApi, target: Target, args: argparse.Namespace) -> None:
    secret_file = SecretFile(args.secret_file) if args.secret_file else None
    try:
        user = find_user(api, target, args.user, args.domain)
        assert user.sid is not None
        expiry = None
        if args.expire_days is not None:
            expiry = helios.to_epoch_msecs(
                datetime.now(timezone.utc) + timedelta(days=args.expire_days)
            )
        key = rotate(api, user.sid, args.key_name, expiry)
        if not key.api_key:
            raise RotationError("Helios answered without the new secret")
        # From here on the old secret is dead: save the new one before anything else.
        if secret_file:
            try:
                secret_file.commit(key.api_key)
            except OSError as exc:
                raise RotationError(
                    f"the key was rotated but {args.secret_file} could not be written ({exc}); "
                    "run again to rotate once more"
                ) from exc
            print(f"Wrote the new secret to {args.secret_file} (mode 0600).")
        else:
            print(f"New secret of key {args.key_name!r} of {args.user}, shown only this once:")
            print(key.api_key)
    finally:
        if secret_file:
            secret_file.discard()

    with helios.ApiClient(with_api_key(target.configuration, key.api_key)) as client:
        try:
            helios.UserApi(client).get_user_by_sid(user.sid)
        except helios.ApiException as exc:
            raise RotationError(f"the new secret was saved but does not work: {exc}") from exc
    expires = helios.to_iso8601(key.expiry_time_msecs) or "never"
    print(f"Verified: the new secret authenticates. Key id {key.id}, expires {expires}.")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Rotate a service account's API key.")
    parser.add_argument("--user", required=True, help="username of the key's owner")
    parser.add_argument("--domain", default="LOCAL", help="the owner's domain (default LOCAL)")
    parser.add_argument("--key-name", required=True, help="name of the API key")
    parser.add_argument("--secret-file", type=Path,
                        help="write the new secret here (mode 0600) instead of printing it")
    parser.add_argument("--expire-days", type=int, metavar="N",
                        help="also make the key expire N days from now")
    args = parser.parse_args(argv)
    if args.expire_days is not None and args.expire_days < 1:
        parser.error("--expire-days must be at least 1")
    try:
        with open_target() as target, helios.ApiClient(target.configuration) as client:
            run(helios.UserApi(client), target, args)
    except (TargetError, RotationError, helios.OpenApiException, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
