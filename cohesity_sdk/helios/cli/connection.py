"""The connection a command makes: its configuration from the flags, the environment
and the profile (``Configuration.from_env``), or a fresh local FakeHelios (``--fake``),
with a setting refused in the words of the option that gave it; and its log."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import TYPE_CHECKING, Iterator, Optional

from cohesity_sdk.helios.cli.failures import UsageError
from cohesity_sdk.helios.cli.inputs import ask, on_a_terminal

if TYPE_CHECKING:
    from cohesity_sdk.helios.configuration import Configuration

# Settings of the configuration: given once for the whole command, not per call.
ROUTING = ("access_cluster_id", "region_id")

# Configuration's words for the settings the command line has options for.
_SETTING_OPTIONS = {"host": "--host", "access_cluster_id": "--access-cluster-id",
                    "region_id": "--region-id"}


def settings_in_cli_words(message: str, args: argparse.Namespace) -> str:
    """A configuration error with the options given for what it names."""
    for setting, option in _SETTING_OPTIONS.items():
        if getattr(args, setting, None) is not None:
            message = message.replace(f"Configuration.{setting}", option)
    if args.profile is not None:
        message = message.replace("(profile=)", "(--profile)")
    return message


@contextlib.contextmanager
def configuration_for(args: argparse.Namespace) -> Iterator[Configuration]:
    routing = {name: getattr(args, name) for name in ROUTING
               if getattr(args, name, None) is not None}
    if args.fake:
        if args.host is not None or args.profile is not None:
            raise UsageError("--fake runs against a fresh local FakeHelios: "
                             "leave out --host and --profile")
        from cohesity_sdk.helios.testing import FakeHelios

        with FakeHelios() as fake:
            with _settings_checked(args):
                configuration = fake.configuration(**routing)
            yield configuration
        return
    from cohesity_sdk.helios.configuration import Configuration

    with _settings_checked(args):
        configuration = Configuration.from_env(profile=args.profile, host=args.host,
                                               trust_env=args.trust_env, **routing)
    if configuration.username is not None and configuration.password is None \
            and configuration.auth is None:
        if not on_a_terminal():
            raise UsageError("a username is set (HELIOS_USERNAME or the profile) but no "
                             "password: set HELIOS_PASSWORD, put it in the profile, or run "
                             "on a terminal to be asked for it")
        configuration.password = ask(
            f"Password for {configuration.domain}\\{configuration.username}: ")
    if (configuration.auth is None and configuration.username is None
            and configuration.auth_header_value() is None):
        raise UsageError("no credentials: set HELIOS_API_KEY or HELIOS_API_KEY_FILE (or "
                         "HELIOS_USERNAME and HELIOS_PASSWORD), use a profile, or try --fake")
    yield configuration


@contextlib.contextmanager
def _settings_checked(args: argparse.Namespace) -> Iterator[None]:
    """A setting refused while the configuration is made is a usage error, in the words
    of the options that gave it."""
    from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

    try:
        yield
    except (ApiTypeError, ApiValueError) as exc:
        raise UsageError(settings_in_cli_words(str(exc), args)) from None


def log_to_stderr(verbose: Optional[int]) -> None:
    if not verbose:
        return
    logger = logging.getLogger("cohesity_sdk.helios")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
