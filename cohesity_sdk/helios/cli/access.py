"""``cohesity-helios plan``, ``apply`` and ``export``: access as code on the command line.

The parser registers these beside the operations (``add_commands``) and hands them
their parsed arguments (``run``), with its own way to connect, so that they take the
connection options every command has. Building the parser imports only ``argparse``:
the access module, the models and the HTTP stack load when a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ContextManager,
    List,
    Optional,
    Sequence,
    TextIO,
)

from cohesity_sdk import __url__, __version__
from cohesity_sdk.helios.cli.options import Once

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
AddOutput = Callable[[argparse.ArgumentParser, Sequence[str], str], None]

#: The guide, as this release has it: a page a pip install can open.
GUIDE = f"{__url__}/blob/v{__version__}/docs/AccessAsCode.md"


def add_commands(subcommands: Any, common: argparse.ArgumentParser,
                 add_output: AddOutput) -> None:
    """Add ``plan``, ``apply`` and ``export`` to the command line's subcommands;
    ``common`` holds the connection options, ``add_output`` gives each its ``-o``."""

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
               f"sync. Nothing is changed. The guide: {GUIDE}")
    add_output(plan, ("table", "json"), "table (the default on a terminal) or json")
    plan.add_argument("file", metavar="FILE", help="the access file")
    plan.add_argument("--out", metavar="PLAN", action=Once,
                      help="also save the plan to PLAN, for `apply PLAN` later; it is "
                           "refused then if what it changes changed meanwhile")
    _cluster_option(plan)
    _parallel_option(plan)

    apply = add("apply", "make the changes an access file asks of its clusters",
                "Plan as `plan` does, show the plan and, once confirmed, make the changes "
                "in dependency order, each with its own result. A change that fails is "
                "reported, and those that need it are skipped; the others go on. FILE may "
                "also be a plan saved by `plan --out`, which is refused if a cluster "
                "changed since.")
    add_output(apply, ("table", "json"), "table (the default on a terminal) or json: "
                                         "{\"plan\": ..., \"result\": ...}")
    apply.add_argument("file", metavar="FILE", help="the access file, or a saved plan")
    apply.add_argument("-y", "--yes", action="store_true",
                       help="apply without asking (needed when stdin is not a terminal)")
    _cluster_option(apply)
    _parallel_option(apply)
    apply.add_argument("--lock-timeout", type=_seconds, default=None, metavar="SECONDS",
                       action=Once,
                       help="how long to wait for another apply of the same cluster on this "
                            "machine to finish (default 600)")

    export = add("export", "write clusters' users and groups as an access file",
                 "Write the users, groups and API keys of the cluster (--cluster, repeated "
                 "for several, or --access-cluster-id, or the configured one) as an access "
                 "file that plans as in sync: YAML, or JSON with -o json. Of several "
                 "clusters, one file: an object that is not the same on all of them names "
                 "its own clusters. It holds no secret, and lists built-in accounts such as "
                 "admin as unmanaged. Typically: cohesity-helios export > access.yaml")
    add_output(export, ("yaml", "json"), "yaml (the default) or json")
    export.add_argument("--cluster", dest="clusters", action="append", type=_cluster_id,
                        metavar="ID", help="a cluster to export; repeat it for several")
    _parallel_option(export)


def _parallel_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parallel", type=_at_least_one, default=8, metavar="N",
                        action=Once,
                        help="how many clusters to work on, and how many reads to make, at "
                             "the same time (default 8)")


def _cluster_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cluster", dest="clusters", action="append", type=_cluster_id,
                        metavar="ID",
                        help="work on this one of the file's clusters only; repeat it for "
                             "several (default: all of them)")


def _cluster_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid cluster id: {text!r}") from None
    if not 1 <= value <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text} is not a cluster id (1 to 2**63-1)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("should be a number of seconds, 0 or more")
    return value


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
    from cohesity_sdk.helios.access.locking import ClusterLockedError

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
    except (StalePlanError, ClusterLockedError) as exc:
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
        self.query: Any = None
        if getattr(args, "query", None):  # a bad one is a usage error, before any read
            from cohesity_sdk.helios.cli.output import compile_query

            self.query = compile_query(args.query)

    def error(self, message: str) -> None:
        print(f"{self.where}: error: {message}", file=sys.stderr)

    def output(self) -> str:
        output: str = self.args.output or (
            "table" if self.out.isatty() and self.query is None else "json")
        if output not in ("json", "table"):
            raise _Usage(f"-o {output}: {self.args.command} writes json or table")
        return output

    def emit(self, document: Any) -> None:
        """``document`` as JSON, or what ``--query`` makes of it."""
        if self.query is None:
            self.out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
            return
        from cohesity_sdk.helios.cli.output import write_value

        write_value(self.query.search(document), "json", self.out)

    def clusters(self, found: Any) -> Optional[List[int]]:
        """The clusters of the file to work on (``--cluster``), checked against it."""
        from cohesity_sdk.helios.access.planning import selected_clusters
        from cohesity_sdk.helios.exceptions import ApiValueError

        if found.clusters and self.args.access_cluster_id is not None:
            raise _Usage(f"{found.source} names its clusters, which --access-cluster-id "
                         "would not change: choose among them with --cluster ID")
        chosen: Optional[List[int]] = self.args.clusters
        if chosen is not None:
            try:
                selected_clusters(found, chosen)
            except ApiValueError as exc:
                raise _Usage(f"--cluster: {exc}") from None
        return chosen

    def lock_timeout(self) -> Optional[float]:
        from cohesity_sdk.helios.access.locking import DEFAULT_LOCK_TIMEOUT

        given: Optional[float] = self.args.lock_timeout
        return DEFAULT_LOCK_TIMEOUT if given is None else given

    def locks(self, api: Any, saved: Optional[Plan], found: Any,
              clusters: Optional[List[int]]) -> ContextManager[Any]:
        """The locks of the clusters an apply works on, taken before it plans: a second
        apply of them on this machine waits, then plans what the first left."""
        from cohesity_sdk.helios.access.locking import ClusterLocks
        from cohesity_sdk.helios.access.planning import selected_clusters

        targets = ([c.cluster_id for c in saved.clusters] if saved is not None
                   else selected_clusters(found, clusters))

        def waiting(cluster_id: Optional[int], holder: str) -> None:
            from cohesity_sdk.helios.access.cluster_state import cluster_label

            print(f"{self.where}: waiting for another apply of {cluster_label(cluster_id)} "
                  f"({holder}) to finish", file=sys.stderr, flush=True)

        return ClusterLocks(api.api_client.configuration.host, targets,
                            timeout=self.lock_timeout(), waiting=waiting)

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
        clusters = self.clusters(found)
        with self.api() as api:
            changes = access.plan(api, found, parallel=self.args.parallel, clusters=clusters)
        if output == "json":
            self.emit(changes.to_dict())
        else:
            self.out.write(f"{changes}\n")
        for path, reason in changes.problems():
            self.error(f"{changes.source}: {path}: {reason}")
        for error in changes.errors:
            self.error(error)
        if changes.problems():
            if self.args.out:
                self.error(f"the plan was not saved to {self.args.out}: it cannot be applied "
                           "as the file stands")
            return EXIT_BAD_FILE
        if self.args.out:
            changes.save(self.args.out)
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
        if saved is not None and self.args.clusters:
            raise _Usage(f"{self.args.file} is a saved plan of its own clusters: --cluster "
                         "chooses among an access file's")
        clusters = self.clusters(found)
        with self.api() as api, self.locks(api, saved, found, clusters):
            changes = saved if saved is not None else access.plan(
                api, found, parallel=self.args.parallel, clusters=clusters)
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
                                      check=False, lock_timeout=self.lock_timeout())
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
            self.emit({"plan": changes.to_dict(),
                       "result": None if result is None else result.to_dict()})

    # -- export ------------------------------------------------------------------------

    def export(self) -> int:
        from cohesity_sdk.helios import access
        from cohesity_sdk.helios.access.cluster_state import cluster_label
        from cohesity_sdk.helios.access.reading import yaml_module

        output = self.args.output or ("json" if self.query is not None else "yaml")
        if self.query is not None and output != "json":
            raise _Usage("--query works on the JSON: export -o json --query ...")
        if output not in ("json", "yaml"):
            raise _Usage(f"-o {output}: export writes an access file: YAML, or -o json")
        clusters: Optional[List[int]] = self.args.clusters
        if clusters and self.args.access_cluster_id is not None:
            raise _Usage("give the clusters to export with --cluster, or one with "
                         "--access-cluster-id, not both")
        if clusters and len(set(clusters)) != len(clusters):
            raise _Usage("--cluster: a cluster is given twice")
        if output == "yaml":
            yaml_module("export")  # missing: say so before connecting
        with self.api() as api:
            if clusters:
                exported = access.export(api, clusters=clusters, parallel=self.args.parallel)
            else:
                exported = access.export(api, cluster_id=self.args.access_cluster_id,
                                         parallel=self.args.parallel)
        if output == "json":
            self.emit(exported.to_data())
            return EXIT_IN_SYNC
        if clusters and len(clusters) > 1:
            where = "clusters " + ", ".join(map(str, clusters))
        else:
            where = cluster_label(clusters[0] if clusters else self.args.access_cluster_id)
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
