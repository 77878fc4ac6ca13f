"""``cohesity-helios plan``, ``apply`` and ``export``: access as code on the command line.

``cli`` registers these beside the operations (``add_commands``) and hands them their
parsed arguments (``run``), with its own way to connect, so that they take the
connection options every command has. Building the parser imports only ``argparse``:
the access module, the models and the HTTP stack load when a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Optional, TextIO

if TYPE_CHECKING:
    from cohesity_sdk.helios.access.applying import ApplyResult
    from cohesity_sdk.helios.access.planning import Plan
    from cohesity_sdk.helios.configuration import Configuration

NAMES = ("plan", "apply", "export")

# Exit statuses, in the manner of ``terraform plan -detailed-exitcode``; 1 and 2 mean
# what they mean for every command. A run that did what it was asked exits 0, so that
# ``apply ... || alert`` alerts on failures only: ``plan`` tells in sync from pending.
EXIT_OK = 0
EXIT_IN_SYNC = EXIT_OK  # plan: nothing to change
EXIT_DONE = EXIT_OK  # apply: every change was made (or none was needed)
EXIT_ERROR = 1  # a cluster could not be read; a stale plan; the server refused a read
EXIT_USAGE = 2  # the command line is wrong, or apply has nobody to confirm: nothing done
EXIT_BAD_FILE = 3  # the access file (or saved plan) is refused: nothing done
EXIT_PENDING = 4  # plan: there are changes to apply; apply: cancelled at the prompt
EXIT_FAILED = 5  # apply: some changes failed or were skipped, or a cluster was not reached

EXIT_CODES = f"""\
exit status:
  {EXIT_OK}  success: plan is in sync (nothing to change), apply made every change (or
     had none to make), export wrote the file
  {EXIT_ERROR}  error: a cluster could not be read, a saved plan is stale, or the server
     refused (nothing was changed)
  {EXIT_USAGE}  usage error, or apply without --yes where nobody can confirm (nothing sent)
  {EXIT_BAD_FILE}  bad file: the access file is refused, with the path of each field at
     fault (nothing was changed)
  {EXIT_PENDING}  changes pending: plan found changes to apply (or apply was not confirmed)
  {EXIT_FAILED}  some changes failed: apply made the others, and says which failed
"""

ConfigurationFactory = Callable[[argparse.Namespace], ContextManager["Configuration"]]


def add_commands(subcommands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``plan``, ``apply`` and ``export`` to the command line's subcommands;
    ``common`` holds the connection and output options."""

    def add(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subcommands.add_parser(
            name, help=summary, parents=[common],
            description=textwrap.fill(description, 88), epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter)
        return parser

    plan = add("plan", "show the changes an access file asks of its clusters (reads only)",
               "Compare the access file (YAML or JSON: the users, groups, roles and API "
               "keys that should exist) with each of its clusters and show the changes "
               "that would make them so: create, update (field by field), delete, or in "
               "sync. Nothing is changed. See docs/AccessAsCode.md.")
    plan.add_argument("file", metavar="FILE", help="the access file")
    plan.add_argument("--out", metavar="PLAN",
                      help="also save the plan to PLAN, for `apply PLAN` later; it is "
                           "refused then if a cluster changed meanwhile")
    _parallel_option(plan)

    apply = add("apply", "make the changes an access file asks of its clusters",
                "Plan as `plan` does, show the plan and, once confirmed, make the changes "
                "in dependency order, each with its own result. A change that fails is "
                "reported, and those that need it are skipped; the others go on. FILE may "
                "also be a plan saved by `plan --out`, which is refused if a cluster "
                "changed since.")
    apply.add_argument("file", metavar="FILE", help="the access file, or a saved plan")
    apply.add_argument("-y", "--yes", action="store_true",
                       help="apply without asking (needed when stdin is not a terminal)")
    _parallel_option(apply)

    add("export", "write a cluster's users and groups as an access file",
        "Write the users, groups and API keys of the cluster (--access-cluster-id, or the "
        "configured one) as an access file that plans as in sync: YAML, or JSON with -o "
        "json. It holds no secret, and lists built-in accounts such as admin as "
        "unmanaged. Typically: cohesity-helios export > access.yaml")


def _parallel_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parallel", type=_at_least_one, default=4, metavar="N",
                        help="how many clusters to work on at the same time (default 4)")


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("should be 1 or more")
    return value


def run(args: argparse.Namespace, prog: str, configuration: ConfigurationFactory,
        log_to_stderr: Callable[[Optional[int]], None], out: Optional[TextIO] = None) -> int:
    """Run the access command ``args.command``; its exit status. ``configuration``
    makes the connection's settings from ``args``, as for every command. An error of the
    SDK (a refused read) is raised for the caller to report."""
    from cohesity_sdk.helios.access.errors import (
        AccessFileError,
        StalePlanError,
        YamlMissingError,
    )

    command = _Command(args, prog, configuration, out if out is not None else sys.stdout)
    log_to_stderr(args.verbose)
    try:
        status: int = getattr(command, args.command)()
        return status
    except AccessFileError as exc:
        for line in exc.lines():
            command.error(line)
        return EXIT_BAD_FILE
    except YamlMissingError as exc:
        command.error(str(exc))
        return EXIT_BAD_FILE
    except StalePlanError as exc:
        command.error(str(exc))
        return EXIT_ERROR
    except _Usage as exc:
        command.error(str(exc))
        return EXIT_USAGE


class _Usage(Exception):
    """The command line asks for what the command cannot do."""


class _Command:
    def __init__(self, args: argparse.Namespace, prog: str,
                 configuration: ConfigurationFactory, out: TextIO) -> None:
        self.args = args
        self.where = f"{prog} {args.command}"
        self.configuration = configuration
        self.out = out

    def error(self, message: str) -> None:
        print(f"{self.where}: error: {message}", file=sys.stderr)

    def output(self) -> str:
        output: str = self.args.output or ("table" if self.out.isatty() else "json")
        if output not in ("json", "table"):
            raise _Usage(f"-o {output}: {self.args.command} writes json or table")
        return output

    @contextlib.contextmanager
    def api(self) -> Any:
        from cohesity_sdk.helios.api.user_api import UserApi
        from cohesity_sdk.helios.api_client import ApiClient

        with self.configuration(self.args) as settings, ApiClient(settings) as client:
            yield UserApi(client)

    # -- plan --------------------------------------------------------------------------

    def plan(self) -> int:
        from cohesity_sdk.helios import access

        output = self.output()
        if _saved_plan(self.args.file) is not None:
            raise _Usage(f"{self.args.file} is a saved plan: apply it with "
                         f"`apply {self.args.file}`, or plan from its access file")
        found = access.load(self.args.file)  # a bad file is refused before connecting
        with self.api() as api:
            changes = access.plan(api, found, parallel=self.args.parallel)
        if self.args.out:
            changes.save(self.args.out)
        self.out.write(changes.to_json() if output == "json" else f"{changes}\n")
        for path, reason in changes.problems():
            self.error(f"{changes.source}: {path}: {reason}")
        for error in changes.errors:
            self.error(error)
        if changes.problems():
            return EXIT_BAD_FILE
        if changes.errors:
            return EXIT_ERROR
        return EXIT_PENDING if changes.changes else EXIT_IN_SYNC

    # -- apply -------------------------------------------------------------------------

    def apply(self) -> int:
        from cohesity_sdk.helios import access
        from cohesity_sdk.helios.access.applying import (
            ApplyResult,
            ClusterResult,
            preflight,
        )

        output = self.output()
        saved = _saved_plan(self.args.file)
        # A bad file is refused before connecting.
        found = saved.access if saved is not None else access.load(self.args.file)
        with self.api() as api:
            changes = saved if saved is not None else access.plan(
                api, found, parallel=self.args.parallel)
            if output == "table":
                self.out.write(f"{changes}\n\n")
            problems = preflight(changes)
            if problems:
                raise access.AccessFileError(changes.source, problems)
            if changes.changes and not self._confirmed(changes, output):
                print("Apply cancelled: nothing was changed.", file=sys.stderr)
                self._write_json(output, changes, None)
                return EXIT_PENDING
            applied = bool(changes.changes or changes.errors)
            if applied:
                result = access.apply(api, changes, parallel=self.args.parallel,
                                      check=False)
            else:  # in sync, as the plan shown says: nothing to do
                result = ApplyResult(changes.source,
                                     [ClusterResult(c.cluster_id) for c in changes.clusters])
        if output == "table" and applied:
            self.out.write(f"{result}\n")
        self._write_json(output, changes, result)
        for cluster in result.clusters:
            if cluster.error is not None:
                self.error(f"{cluster.label}: {cluster.error}")
            for failed in cluster.results:
                if failed.status == "failed":
                    self.error(f"{cluster.label}: #{failed.change.number} "
                               f"{failed.change.target}: {failed.error}")
        if not result.ok:
            return EXIT_FAILED
        return EXIT_DONE if result.changed else EXIT_IN_SYNC

    def _confirmed(self, changes: Plan, output: str) -> bool:
        if self.args.yes:
            return True
        if not sys.stdin.isatty():
            raise _Usage("nothing was changed: apply asks before it changes anything, and "
                         "stdin is not a terminal; add --yes to apply without asking")
        if output != "table":  # the plan, for the one who answers; stdout stays JSON
            print(f"{changes}\n", file=sys.stderr)
        counts = changes.counts()
        print(f"Apply {counts['create']} creates, {counts['update']} updates and "
              f"{counts['delete']} deletes? Only 'yes' applies: ", end="", file=sys.stderr,
              flush=True)
        return sys.stdin.readline().strip() == "yes"

    def _write_json(self, output: str, changes: Plan,
                    result: Optional[ApplyResult]) -> None:
        if output == "json":
            document = {"plan": changes.to_dict(),
                        "result": None if result is None else result.to_dict()}
            self.out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")

    # -- export ------------------------------------------------------------------------

    def export(self) -> int:
        from cohesity_sdk.helios import access
        from cohesity_sdk.helios.access.cluster_state import cluster_label
        from cohesity_sdk.helios.access.reading import yaml_module

        output = self.args.output or "yaml"
        if output not in ("json", "yaml"):
            raise _Usage(f"-o {output}: export writes an access file: YAML, or -o json")
        if output == "yaml":
            yaml_module("export")  # missing: say so before connecting
        with self.api() as api:
            exported = access.export(api, cluster_id=self.args.access_cluster_id)
        if output == "json":
            self.out.write(exported.to_json())
            return EXIT_IN_SYNC
        where = cluster_label(self.args.access_cluster_id)
        self.out.write(f"# The users and groups of {where}, exported by cohesity-helios "
                       "export.\n# Built-in accounts are unmanaged: no plan changes them. "
                       "No secret is written here.\n")
        self.out.write(exported.to_yaml())
        return EXIT_IN_SYNC


def _saved_plan(path: str) -> Optional[Plan]:
    """The plan saved at ``path``, or None when it is an access file."""
    from cohesity_sdk.helios.access.planning import Plan, is_saved_plan
    from cohesity_sdk.helios.access.reading import parse_json

    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return None  # load() says what is wrong with it
    if not text.lstrip().startswith("{"):
        return None
    data = parse_json(text, path)
    return Plan.from_dict(data, path) if is_saved_plan(data) else None
