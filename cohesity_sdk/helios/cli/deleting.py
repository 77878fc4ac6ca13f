"""Deletes say what they delete: on a terminal they name it and ask first (unless
``--yes``), and after, on a terminal or not, one line per object says what was deleted.
Off a terminal they do not ask, so that scripts keep working."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, NamedTuple, Optional

from cohesity_sdk.helios.cli.failures import Cancelled
from cohesity_sdk.helios.cli.inputs import confirmed, on_a_terminal
from cohesity_sdk.helios.cli.names import groups_by_sid, key_by_id, users_by_sid
from cohesity_sdk.helios.cli.spec import Command

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi


class Deletion(NamedTuple):
    """What a delete command deletes, each in words."""

    objects: List[str]  # "user LOCAL\\svc-report (S-1-...)"
    question: str

    @classmethod
    def of(cls, api: UserApi, command: Command, args: argparse.Namespace,
           keywords: Dict[str, Any], routing: Dict[str, Any]) -> Optional[Deletion]:
        """What ``command`` would delete with ``keywords``; None for a command that
        deletes nothing."""
        if not command.method.startswith("delete"):
            return None
        found = getattr(args, "found", {})
        by_name = {o.names: o.name for o in command.options if o.names}
        if any(o.location == "confirm" for o in command.options):  # delete_session
            sid = keywords.get(by_name.get("user", ""))
            if sid is None:
                return cls(["every session of every user"],
                           "Log out every user: delete every session of the cluster?")
            labels = _labels(found, by_name["user"])
            who = labels[0] if labels else users_by_sid(api, [sid], routing)[sid]
            objects = [f"every session of {who}"]
            return cls(objects, f"Delete {objects[0]}?")
        if "key" in by_name:
            key_id, owner = keywords[by_name["key"]], keywords[by_name["user"]]
            objects = _labels(found, by_name["key"]) or [key_by_id(api, owner, key_id,
                                                                   routing)]
        elif "user" in by_name or "group" in by_name:
            kind = "user" if "user" in by_name else "group"
            sid = keywords[by_name[kind]]
            objects = _labels(found, by_name[kind]) or list(
                (users_by_sid if kind == "user" else groups_by_sid)(api, [sid], routing)
                .values())
        elif command.body is not None and command.body.names:
            field, kind = command.body.names[0]
            sids = list(getattr(keywords["body"], field, None) or [])
            objects = _labels(found, "body") or list(
                (users_by_sid if kind == "users" else groups_by_sid)(api, sids, routing)
                .values())
        else:
            return None
        one = objects[0] if len(objects) == 1 else f"these {len(objects)}: " + \
            "; ".join(objects)
        return cls(objects, f"Delete {one}?")


def _labels(found: Dict[str, Any], key: str) -> List[str]:
    return [f.label for f in found.get(key, [])]


@contextlib.contextmanager
def confirm_and_report(deletion: Optional[Deletion], args: argparse.Namespace,
                       where: str) -> Iterator[None]:
    """Ask before a delete on a terminal (unless ``--yes``), then, once it is done, say
    on stderr what was deleted, a line per object."""
    if deletion is not None and not getattr(args, "yes", False) and on_a_terminal():
        if not confirmed(deletion.question):
            raise Cancelled(said_no=True)
    yield
    if deletion is not None:
        for deleted in deletion.objects:
            print(f"{where}: deleted {deleted}", file=sys.stderr)
