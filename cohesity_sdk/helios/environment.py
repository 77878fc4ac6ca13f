"""``Configuration.from_env()``: settings from arguments, ``HELIOS_*`` variables and a
profile of an INI file, in that order of precedence.

Each setting is resolved on its own: the host may come from the environment and the key
from the profile. A value that is refused names where it came from (the variable, or
the file, profile and key), never the value itself when it is a secret. Every value
read is checked, even one that a higher source replaces.

The profile file (``~/.config/cohesity/helios.ini`` by default) is refused on POSIX
when it holds an ``api_key`` or ``password`` and others may read or write it, as ssh
refuses such a private key.

The key may also be kept in a file of its own (``HELIOS_API_KEY_FILE``, a profile's
``api_key_file``, ``api_key_file=``), its first line the key; that file is refused on
POSIX when others may read or write it.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, Tuple, Type, TypeVar, Union

from cohesity_sdk.helios.checks import SETTINGS, check_setting
from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError, did_you_mean

__all__ = ["CONFIG_FILE_VARIABLE", "KEY_FILE", "PROFILE_VARIABLE", "VARIABLES",
           "ProfileChoice", "default_config_file", "from_env", "profile_choice",
           "setting_sources"]

# A Configuration: this module is imported by configuration (from_env), and so names it
# not, nor imports it.
C = TypeVar("C")
PathArg = Union[str, "os.PathLike[str]", None]

#: The setting each variable sets; a profile's keys are these settings' names.
#: ``api_key_file`` is no setting of ``Configuration``: it names the file ``api_key`` is
#: read from.
VARIABLES: Dict[str, str] = {
    "host": "HELIOS_HOST",
    "api_key": "HELIOS_API_KEY",
    "api_key_file": "HELIOS_API_KEY_FILE",
    "username": "HELIOS_USERNAME",
    "password": "HELIOS_PASSWORD",
    "domain": "HELIOS_DOMAIN",
    "access_cluster_id": "HELIOS_ACCESS_CLUSTER_ID",
    "region_id": "HELIOS_REGION_ID",
    "ssl_ca_cert": "HELIOS_CA_BUNDLE",
    "verify_ssl": "HELIOS_VERIFY_SSL",
    "trust_env": "HELIOS_TRUST_ENV",
    "timeout": "HELIOS_TIMEOUT",
}
#: The name, as a keyword, a variable's setting and a profile's key, of the API key's file.
KEY_FILE = "api_key_file"
PROFILE_VARIABLE = "HELIOS_PROFILE"
CONFIG_FILE_VARIABLE = "HELIOS_CONFIG_FILE"
DEFAULT_PROFILE = "default"

_ALIASES = {"ca_bundle": "ssl_ca_cert"}
_SECRET_KEYS = ("api_key", "password")
_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
             "false": False, "0": False, "no": False, "off": False}
_INTEGER = re.compile(r"[+-]?[0-9]+")
# Sections are taken literally: configparser's [DEFAULT], whose keys every other section
# inherits, would put one profile's key into all of them.
_NO_DEFAULT_SECTION = "\0"


def _text(text: str, where: str) -> str:
    return text


def _integer(text: str, where: str) -> int:
    if not _INTEGER.fullmatch(text.strip()):
        raise ApiValueError(f"{where} must be an integer, got {text!r}")
    return int(text)


def _boolean(text: str, where: str) -> bool:
    value = _BOOLEANS.get(text.strip().lower())
    if value is None:
        raise ApiValueError(
            f"{where} must be true or false (or 1/0, yes/no, on/off), got {text!r}")
    return value


def _timeout(text: str, where: str) -> Union[float, tuple[float, float]]:
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ApiValueError(
        f"{where} must be seconds, or connect,read seconds such as '10,120', got {text!r}")


_PARSERS: Dict[str, Callable[[str, str], Any]] = {
    "access_cluster_id": _integer, "verify_ssl": _boolean, "trust_env": _boolean,
    "timeout": _timeout,
}


def _read(setting: str, text: str, where: str) -> Any:
    """``text`` as the setting's value, checked as ``Configuration`` checks it, with
    ``where`` it came from in front of any error."""
    value = _PARSERS.get(setting, _text)(text, where)
    try:
        check_setting(setting, value)
    except (ApiTypeError, ApiValueError) as e:
        raise ApiValueError(f"{where}: {e}") from None
    return value


# How sources rank: an argument above a variable above a profile.
_PROFILE, _VARIABLE, _ARGUMENT = 0, 1, 2


class _Found(NamedTuple):
    value: Any
    source: str  # for setting_sources(): "argument", "HELIOS_HOST", "profile [x] of /f"
    rank: int


class ProfileChoice(NamedTuple):
    """Which profile of which file ``from_env`` reads, and why."""

    name: str
    #: Who named it: ``"profile="``, ``"HELIOS_PROFILE"``, or ``None`` (``default``).
    name_source: Optional[str]
    #: The profile file; ``None`` when no variable says where a home is.
    file: Optional[Path]
    #: Who named the file: ``"config_file="``, ``"HELIOS_CONFIG_FILE"``, or ``None``
    #: (the default location).
    file_source: Optional[str]
    #: Whether the file exists and has the profile: its settings are read.
    used: bool


def default_config_file(environ: Optional[Mapping[str, str]] = None) -> Optional[Path]:
    """Where the profile file is looked for when neither ``config_file=`` nor
    ``HELIOS_CONFIG_FILE`` names one: ``%APPDATA%\\cohesity\\helios.ini`` on Windows,
    else ``$XDG_CONFIG_HOME/cohesity/helios.ini`` or ``$HOME/.config/cohesity/helios.ini``.
    ``None`` when ``environ`` (default ``os.environ``) has none of those variables."""
    env = os.environ if environ is None else environ
    if os.name == "nt":
        appdata = env.get("APPDATA")
        return Path(appdata, "cohesity", "helios.ini") if appdata else None
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative one
        return Path(xdg, "cohesity", "helios.ini")
    home = env.get("HOME")
    return Path(home, ".config", "cohesity", "helios.ini") if home else None


def from_env(cls: Type[C], *, profile: Optional[str] = None,
             environ: Optional[Mapping[str, str]] = None, config_file: PathArg = None,
             **overrides: Any) -> C:
    """A ``cls`` (a ``Configuration``) from ``overrides``, then the environment, then the
    profile; see ``Configuration.from_env``."""
    found = _resolve(profile, environ, config_file, overrides)
    return cls(**{name: item.value for name, item in found.items()})


def setting_sources(*, profile: Optional[str] = None,
                    environ: Optional[Mapping[str, str]] = None, config_file: PathArg = None,
                    **overrides: Any) -> Dict[str, str]:
    """Where ``Configuration.from_env`` (given the same arguments) takes each setting
    from: ``"argument"``, a variable's name, or ``"profile [name] of <file>"``. Settings
    left to ``Configuration``'s defaults are not listed. Values are not shown: some are
    secrets."""
    found = _resolve(profile, environ, config_file, overrides)
    return {name: item.source for name, item in found.items()}


def profile_choice(*, profile: Optional[str] = None,
                   environ: Optional[Mapping[str, str]] = None,
                   config_file: PathArg = None) -> ProfileChoice:
    """Which profile of which file ``Configuration.from_env`` (given the same arguments)
    reads, who named each, and whether it is there; raises as ``from_env`` does when
    the file or the profile is refused."""
    env = os.environ if environ is None else environ
    return _read_profile(profile, env, config_file)[0]


def _resolve(profile: Optional[str], environ: Optional[Mapping[str, str]],
             config_file: PathArg, overrides: Mapping[str, Any]) -> Dict[str, _Found]:
    env = os.environ if environ is None else environ
    known = [*SETTINGS, KEY_FILE]
    for name in overrides:
        if name not in known:
            raise ApiTypeError(f"Configuration.from_env() got an unexpected keyword argument "
                               f"{name!r}{did_you_mean(name, known)}")
    # Lowest precedence first: each later source replaces what an earlier one gave.
    found = _read_profile(profile, env, config_file)[1]
    given: Dict[str, _Found] = {}
    for name, variable in VARIABLES.items():
        text = env.get(variable)
        if text:
            value = text if name == KEY_FILE else _read(name, text, variable)
            given[name] = _Found(value, variable, _VARIABLE)
    found.update(_key_from_file(
        given, f"{VARIABLES['api_key']} and {VARIABLES[KEY_FILE]} are both set",
        VARIABLES[KEY_FILE], lambda path: f"{VARIABLES[KEY_FILE]} ({path})"))
    given = {name: _Found(value, "argument", _ARGUMENT)
             for name, value in overrides.items() if value is not None}
    found.update(_key_from_file(
        given, "Configuration.from_env() got both api_key= and api_key_file=",
        f"{KEY_FILE}=", lambda path: f"argument: {KEY_FILE} ({path})"))
    # A key given above a profile's login means the key: the login would win otherwise.
    key, user = found.get("api_key"), found.get("username")
    if key is not None and user is not None and key.rank > user.rank:
        found.pop("username")
        found.pop("password", None)
    return found


def _key_from_file(given: Dict[str, _Found], both: str, where: str,
                   source: Callable[[str], str]) -> Dict[str, _Found]:
    """The settings one source gives, its ``api_key_file`` read into ``api_key``: ``both``
    (who gave both) is refused; ``where`` names it in an error, ``source(path)`` in
    ``setting_sources()``."""
    named = given.pop(KEY_FILE, None)
    if named is None:
        return given
    if "api_key" in given:
        raise ApiValueError(f"{both}: give either the key or the file that holds it")
    if not isinstance(named.value, (str, os.PathLike)):
        raise ApiTypeError(f"{where} must be a path (str or os.PathLike), "
                           f"got {type(named.value).__name__}")
    path = os.fspath(named.value)
    given["api_key"] = _Found(_read_key_file(path, where), source(path), named.rank)
    return given


def _read_key_file(path: str, where: str) -> str:
    """The key on the first line of the file ``path`` (spaces around it left out), after
    the permission check; ``where`` names who named the file in an error."""
    try:
        with open(path, encoding="utf-8") as f:
            mode = os.fstat(f.fileno()).st_mode  # of the file read, not of a path renamed since
            line = f.readline()
    except FileNotFoundError:
        raise ApiValueError(f"{where}: the API key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "it is not UTF-8 text"
        raise ApiValueError(f"{where}: cannot read the API key file {path}: {reason}") from None
    if os.name != "nt" and mode & 0o077:
        raise ApiValueError(
            f"{where}: the API key file {path} may be read or changed by users other than "
            f"its owner (mode {mode & 0o777:o}); run chmod 600 {shlex.quote(path)}")
    key = line.strip()
    if not key:
        raise ApiValueError(f"{where}: the API key file {path} holds no key on its first line")
    _read("api_key", key, f"{where}: the API key file {path}")  # checked; never shown
    return key


def _read_profile(profile: Optional[str], env: Mapping[str, str],
                  config_file: PathArg) -> Tuple[ProfileChoice, Dict[str, _Found]]:
    """Which profile is read, and its settings; none when none was asked for and there
    is no file or no ``[default]``."""
    asked_by = "profile=" if profile else PROFILE_VARIABLE if env.get(PROFILE_VARIABLE) else None
    name = profile or env.get(PROFILE_VARIABLE) or DEFAULT_PROFILE
    if config_file is not None:
        path: Optional[Path] = Path(os.fspath(config_file))
        named_by: Optional[str] = "config_file="
    elif env.get(CONFIG_FILE_VARIABLE):
        path, named_by = Path(env[CONFIG_FILE_VARIABLE]), CONFIG_FILE_VARIABLE
    else:
        path, named_by = default_config_file(env), None
    unused = ProfileChoice(name, asked_by, path, named_by, used=False)
    if path is None:
        if asked_by:
            raise ApiValueError(
                f"profile {name!r} was asked for ({asked_by}), but there is no profile file: "
                f"neither {CONFIG_FILE_VARIABLE} nor HOME, XDG_CONFIG_HOME or APPDATA is set")
        return unused, {}
    parser = _parse(path, named_by, asked_by, name)
    if parser is None:
        return unused, {}
    if not parser.has_section(name):
        if not asked_by:
            return unused, {}
        there = parser.sections()
        listing = f"its profiles are: {', '.join(there)}" if there else "it has no profiles"
        raise ApiValueError(f"profile {name!r} ({asked_by}) is not in {path}; {listing}")
    source = f"profile [{name}] of {path}"
    found: Dict[str, _Found] = {}
    seen = set()
    for key, text in parser.items(name):
        setting = _ALIASES.get(key, key)
        if setting not in VARIABLES:
            raise ApiValueError(
                f"unknown key {key!r} in profile [{name}] of {path}"
                f"{did_you_mean(key, [*VARIABLES, *_ALIASES])}; "
                f"the keys are: {', '.join(VARIABLES)} (ca_bundle is ssl_ca_cert)")
        if setting in seen:
            raise ApiValueError(f"profile [{name}] of {path} gives both ssl_ca_cert and "
                                f"ca_bundle, which are the same setting")
        seen.add(setting)
        if text:  # an empty value counts as unset, as an empty variable does
            where = f"{key} in profile [{name}] of {path}"
            found[setting] = _Found(text if setting == KEY_FILE else _read(setting, text, where),
                                    source, _PROFILE)
    found = _key_from_file(found, f"profile [{name}] of {path} gives both api_key and "
                           f"{KEY_FILE}", f"{KEY_FILE} in profile [{name}] of {path}",
                           lambda file: f"{source}: {KEY_FILE} ({file})")
    return unused._replace(used=True), found


def _parse(path: Path, named_by: Optional[str], asked_by: Optional[str],
           name: str) -> Optional[configparser.ConfigParser]:
    """The file parsed, after the permission check; ``None`` when it need not exist."""
    try:
        with open(path, encoding="utf-8") as f:
            mode = os.fstat(f.fileno()).st_mode  # of the file read, not of a path renamed since
            text = f.read()
    except FileNotFoundError:
        if named_by:
            raise ApiValueError(f"the profile file {path} ({named_by}) does not exist") from None
        if asked_by:
            raise ApiValueError(f"profile {name!r} was asked for ({asked_by}), but the "
                                f"profile file {path} does not exist") from None
        return None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "it is not UTF-8 text"
        raise ApiValueError(f"cannot read the profile file {path}: {reason}") from None
    parser = configparser.ConfigParser(interpolation=None,  # a key may hold a '%'
                                       default_section=_NO_DEFAULT_SECTION)
    try:
        parser.read_string(text, source=str(path))
    except configparser.ParsingError as e:
        # Its own text quotes the lines, which may hold a key: give line numbers only.
        lines = [number for number, _ in getattr(e, "errors", [])] or [getattr(e, "lineno", 0)]
        raise ApiValueError(
            f"the profile file {path} is not INI: line {', '.join(map(str, lines))} is "
            f"neither a [profile] heading nor a 'key = value' under one") from None
    except configparser.Error as e:  # a repeated profile or key: names, never values
        raise ApiValueError(f"the profile file {path}: {e}") from None
    if os.name != "nt" and mode & 0o077 and any(
        parser.get(section, key, fallback="")
        for section in parser.sections() for key in _SECRET_KEYS
    ):
        raise ApiValueError(
            f"the profile file {path} holds an API key or password, but users other than "
            f"its owner may read or change it (mode {mode & 0o777:o}); run "
            f"chmod 600 {shlex.quote(str(path))}")
    return parser


