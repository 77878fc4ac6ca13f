"""``cohesity-helios config show``: the connection a command would make, each setting
with where it came from (a flag, a variable, the profile file, or the default), as
``aws configure list`` and ``gh auth status`` show theirs. It never contacts the server,
and shows no secret: a key as ``****`` and at most its last 4 characters, a password
only as set or not.

``cli`` registers ``config`` beside the operations (``add_commands``) and hands it its
parsed arguments (``run``). Building the parser imports only ``argparse``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    TextIO,
)

from cohesity_sdk.helios.cli.connection import ROUTING, settings_in_cli_words
from cohesity_sdk.helios.cli.failures import EXIT_OK, UsageError

if TYPE_CHECKING:
    from cohesity_sdk.helios.configuration import Configuration
    from cohesity_sdk.helios.environment import ProfileChoice

NAMES = ("config",)

_SHOW_DESCRIPTION = (
    "Show the connection the other commands would make with the same options, "
    "environment and profile: the host, the credential, the profile and its file, the "
    "routing headers, TLS and the proxy, each with where it came from (a flag, an "
    "environment variable, the profile file, or the default). The server is not "
    "contacted. Secrets are never shown: an API key as **** and at most its last 4 "
    "characters, a password only as set or not. A table on a terminal, JSON otherwise "
    "or with -o json.")

# The options of the command line, by the settings they give (Configuration's words).
_FLAGS = {"host": "--host", "access_cluster_id": "--access-cluster-id",
          "region_id": "--region-id"}

#: A key shorter than this shows no character at all: 4 of them would be too many.
SHOWN_KEY_LENGTH = 16
MASK = "****"


def add_commands(subcommands: Any, common: argparse.ArgumentParser,
                 add_output: Callable[[argparse.ArgumentParser, Sequence[str], str], None]
                 ) -> None:
    """Add ``config`` (with ``show``) to the command line's subcommands; ``common`` holds
    the connection options, ``add_output`` gives ``show`` its ``-o``."""
    config = subcommands.add_parser(
        "config", help="show the configuration commands would use (config show)",
        description="The configuration the commands use.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = config.add_subparsers(dest="config_command", metavar="COMMAND", required=True,
                                    parser_class=argparse.ArgumentParser, title="commands")
    show = actions.add_parser(
        "show", help="the host, credential, profile, TLS and proxy in use, and where each "
                     "came from", parents=[common],
        description=textwrap.fill(_SHOW_DESCRIPTION, 88),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_output(show, ("table", "json", "csv"), "table (the default on a terminal), json "
                                                "(the default otherwise) or csv")


class Entry(NamedTuple):
    """One line of the report: the setting's value as JSON has it, as the table shows
    it, and where it came from. ``extra`` adds keys to its JSON object."""

    name: str
    value: Any
    text: str
    source: str
    extra: Mapping[str, Any] = {}
    in_table: bool = True


def run(args: argparse.Namespace, out: Optional[TextIO] = None) -> int:
    """``config show``: the report, as ``-o`` asks (a table on a terminal, else JSON)."""
    out = out if out is not None else sys.stdout
    if args.fake:
        raise UsageError("--fake runs against a fresh local FakeHelios, which needs no "
                         "configuration: leave it out to see the configuration in use")
    entries = report(args, os.environ)
    output = args.output or ("table" if out.isatty() else "json")
    if output == "json":
        answer = {e.name: {"value": e.value, "source": e.source, **e.extra} for e in entries}
        out.write(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
    else:
        rows = [[e.name, e.text, e.source] for e in entries if e.in_table]
        if output == "csv":
            import csv

            writer = csv.writer(out, lineterminator="\n")
            writer.writerows([["setting", "value", "source"], *rows])
        else:
            out.write(_table([["setting", "value", "source"], *rows]))
    return EXIT_OK


def report(args: argparse.Namespace, environ: Mapping[str, str]) -> List[Entry]:
    """The settings ``args`` (the command line's), ``environ`` and the profile make, each
    with its source; a refused setting is a usage error in the options' words."""
    from cohesity_sdk.helios.configuration import Configuration
    from cohesity_sdk.helios.environment import profile_choice, setting_sources
    from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

    overrides = {name: getattr(args, name, None) for name in ("host", "trust_env", *ROUTING)}
    try:
        configuration = Configuration.from_env(profile=args.profile, environ=environ,
                                               **overrides)
        sources = setting_sources(profile=args.profile, environ=environ, **overrides)
        choice = profile_choice(profile=args.profile, environ=environ)
        return describe(configuration, sources, choice, environ)
    except (ApiTypeError, ApiValueError) as exc:
        raise UsageError(settings_in_cli_words(str(exc), args)) from None


def describe(configuration: Configuration, sources: Mapping[str, str],
             choice: ProfileChoice, environ: Mapping[str, str]) -> List[Entry]:
    """The report of ``configuration``, whose settings came from ``sources`` (as
    ``setting_sources()`` says) and the profile ``choice``; ``environ`` gives the proxy."""
    from cohesity_sdk.helios.proxies import masked_url, proxy_decision

    def source(setting: str, default: str = "default") -> str:
        return _source(setting, sources.get(setting), configuration, default)

    entries = [Entry("host", configuration.host, configuration.host, source("host"))]
    entries += _credential(configuration, source)
    entries += _profile(choice, environ)
    for name in ROUTING:
        value = getattr(configuration, name)
        entries.append(Entry(name, value, _shown(value), source(name)))
    entries += [
        Entry("verify_ssl", configuration.verify_ssl, _on_off(configuration.verify_ssl),
              source("verify_ssl")),
        Entry("ca_bundle", configuration.ssl_ca_cert, _shown(configuration.ssl_ca_cert),
              source("ssl_ca_cert", "default: the system's CAs")),
        Entry("client_certificate", configuration.cert_file,
              _shown(configuration.cert_file) + (
                  f" (key {configuration.key_file})" if configuration.key_file else ""),
              source("cert_file", "default: none"), {"key_file": configuration.key_file}),
        Entry("tls_server_name", configuration.tls_server_name,
              _shown(configuration.tls_server_name),
              source("tls_server_name", "default: the host's name")),
    ]
    proxy, why = proxy_decision(configuration.host, configuration.proxy,
                                configuration.trust_env, environ)
    if proxy is None:
        entries.append(Entry("proxy", None, "none (direct)", why))
    else:
        raw = configuration.proxy or environ[proxy.source]
        shown = masked_url(raw if "://" in raw else "http://" + raw)
        entries.append(Entry("proxy", shown, shown,
                             f"environment {why}" if why != "Configuration.proxy" else why))
    entries.append(Entry("trust_env", configuration.trust_env,
                         _on_off(configuration.trust_env), source("trust_env")))
    timeout = configuration.timeout
    entries.append(Entry("timeout", list(timeout) if isinstance(timeout, tuple) else timeout,
                         _seconds(timeout), source("timeout")))
    return entries


def masked_key(key: str) -> str:
    """``****`` and the key's last 4 characters; ``****`` alone for a key shorter than
    ``SHOWN_KEY_LENGTH``, of which 4 characters would tell too much."""
    return MASK + key[-4:] if len(key) >= SHOWN_KEY_LENGTH else MASK


def _credential(configuration: Configuration,
                source: Callable[..., str]) -> List[Entry]:
    """The credential the commands would send: your own auth, a session login, an API
    key, or none (in ``Configuration.make_auth``'s order); then the login's domain and
    whether its password is set (never the password)."""
    login = configuration.auth is None and configuration.username is not None
    key = configuration.api_key.get("APIKeyHeader")
    if configuration.auth is not None:
        kind = type(configuration.auth).__name__
        credential = Entry("credential", kind, f"your own auth ({kind})", "Configuration.auth",
                           {"kind": "auth"})
    elif login:
        user = f"{configuration.domain}\\{configuration.username}"
        credential = Entry("credential", configuration.username, f"session login as {user}",
                           source("username"), {"kind": "session"})
    elif key:
        credential = Entry("credential", masked_key(key), f"API key {masked_key(key)}",
                           source("api_key"), {"kind": "api_key"})
    else:
        credential = Entry("credential", None, "none", "nothing gives one", {"kind": "none"})
    has_password = configuration.password is not None
    return [
        credential,
        Entry("domain", configuration.domain, configuration.domain, source("domain"),
              in_table=login),
        Entry("password", "set" if has_password else None,
              "set" if has_password else "not set: asked for on a terminal",
              source("password", "not set"), in_table=login),
    ]


def _profile(choice: ProfileChoice, environ: Mapping[str, str]) -> List[Entry]:
    named_by = {"profile=": "flag --profile", None: "default"}
    profile_source = named_by.get(choice.name_source, f"environment {choice.name_source}")
    exists = choice.file is not None and choice.file.is_file()
    if choice.used:
        shown = choice.name
    elif exists:
        shown = f"{choice.name} (not in the file: not used)"
    else:
        shown = f"{choice.name} (no file: not used)"
    file = None if choice.file is None else str(choice.file)
    if choice.file_source is None:
        file_source = f"default{_default_location(environ)}"
    elif choice.file_source == "config_file=":
        file_source = "argument config_file="
    else:
        file_source = f"environment {choice.file_source}"
    return [
        Entry("profile", choice.name, shown, profile_source, {"used": choice.used}),
        Entry("profile_file", file,
              "none" if file is None else file if exists else f"{file} (does not exist)",
              file_source, {"exists": exists}),
    ]


def _default_location(environ: Mapping[str, str]) -> str:
    """Which variable put the default profile file where it is."""
    if os.name == "nt":
        return ", under APPDATA" if environ.get("APPDATA") else ": APPDATA is not set"
    xdg = environ.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):
        return ", under XDG_CONFIG_HOME"
    return ", under HOME" if environ.get("HOME") else ": neither XDG_CONFIG_HOME nor HOME is set"


def _source(setting: str, found: Optional[str], configuration: Configuration,
            default: str) -> str:
    """``setting_sources()``'s word for where ``setting`` came from, in the command
    line's: a flag, an environment variable, or the profile file as it says."""
    if found is None:
        return default
    if found == "argument":
        if setting == "trust_env":
            return "flag --trust-env" if configuration.trust_env else "flag --no-trust-env"
        return f"flag {_FLAGS.get(setting, setting)}"
    if found.startswith("HELIOS_"):
        return f"environment {found}"
    return found


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _seconds(timeout: Any) -> str:
    if timeout is None:
        return "none (waits forever)"
    if isinstance(timeout, tuple):
        return f"{timeout[0]:g}s to connect, {timeout[1]:g}s to read"
    return f"{timeout:g}s"


def _table(rows: List[List[str]]) -> str:
    # A line break inside a cell (a path may hold one) would break the rows apart.
    rows = [[cell.replace("\r", "\\r").replace("\n", "\\n") for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n"
                   for row in rows)
