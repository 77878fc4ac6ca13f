"""``Configuration.from_env``: arguments, HELIOS_* variables and an INI profile.

Every test passes its own ``environ`` with HOME in tmp_path (or a ``config_file=``), so
none reads the real home directory or the real environment.
"""

from __future__ import annotations

import inspect
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import modules_loaded_by

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.auth import ApiKeyAuth, SessionAuth
from cohesity_sdk.helios.configuration import DEFAULT_HOST
from cohesity_sdk.helios.environment import (
    CONFIG_FILE_VARIABLE,
    PROFILE_VARIABLE,
    VARIABLES,
    ProfileChoice,
    default_config_file,
    profile_choice,
    setting_sources,
)
from cohesity_sdk.helios.testing import FakeHelios

Configuration = helios.Configuration
ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "Configuration.md"
HOST = "https://helios.example.com/v2"
SECRET = "s3cr3t-Key-Value"

posix_only = pytest.mark.skipif(os.name == "nt", reason="file modes are POSIX")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def environ(home: Path, **variables: str) -> Dict[str, str]:
    """An environment with nothing but a home in tmp_path and ``variables``; APPDATA puts
    the default profile file where HOME does on POSIX, so tests read the same on Windows."""
    return {"HOME": str(home), "APPDATA": str(home / ".config"), **variables}


def write_profiles(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def default_file(home: Path) -> Path:
    return home / ".config" / "cohesity" / "helios.ini"


def settings(configuration: Configuration) -> Dict[str, Any]:
    """What a profile or the environment can set, as the configuration holds it."""
    return {
        "host": configuration.host,
        "api_key": configuration.api_key.get("APIKeyHeader"),
        "username": configuration.username,
        "password": configuration.password,
        "domain": configuration.domain,
        "access_cluster_id": configuration.access_cluster_id,
        "region_id": configuration.region_id,
        "ssl_ca_cert": configuration.ssl_ca_cert,
        "verify_ssl": configuration.verify_ssl,
        "timeout": configuration.timeout,
    }


DEFAULTS = settings(Configuration())


# -- the variables -----------------------------------------------------------------------


@pytest.mark.parametrize("variable,text,setting,value", [
    ("HELIOS_HOST", HOST, "host", HOST),
    ("HELIOS_API_KEY", SECRET, "api_key", SECRET),
    ("HELIOS_USERNAME", "backup-admin", "username", "backup-admin"),
    ("HELIOS_PASSWORD", "pass word%1", "password", "pass word%1"),
    ("HELIOS_DOMAIN", "CORP.EXAMPLE.COM", "domain", "CORP.EXAMPLE.COM"),
    ("HELIOS_ACCESS_CLUSTER_ID", "4213516873913468", "access_cluster_id", 4213516873913468),
    ("HELIOS_ACCESS_CLUSTER_ID", " 42 ", "access_cluster_id", 42),
    ("HELIOS_REGION_ID", "us-east-1", "region_id", "us-east-1"),
    ("HELIOS_CA_BUNDLE", "/etc/ssl/corp-ca.pem", "ssl_ca_cert", "/etc/ssl/corp-ca.pem"),
    ("HELIOS_VERIFY_SSL", "false", "verify_ssl", False),
    ("HELIOS_TIMEOUT", "30", "timeout", 30.0),
    ("HELIOS_TIMEOUT", "2.5", "timeout", 2.5),
    ("HELIOS_TIMEOUT", "5,60", "timeout", (5.0, 60.0)),
    ("HELIOS_TIMEOUT", " 5 , 60 ", "timeout", (5.0, 60.0)),
])
def test_each_variable_sets_its_setting(
    home: Path, variable: str, text: str, setting: str, value: Any
) -> None:
    configuration = Configuration.from_env(environ=environ(home, **{variable: text}))
    assert settings(configuration) == {**DEFAULTS, setting: value}
    assert setting_sources(environ=environ(home, **{variable: text})) == {setting: variable}


@pytest.mark.parametrize("text,value", [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("Yes", True), ("on", True),
    ("ON", True), ("false", False), ("False", False), ("0", False), ("no", False),
    ("NO", False), ("off", False), ("Off", False),
])
def test_verify_ssl_spellings(home: Path, text: str, value: bool) -> None:
    configuration = Configuration.from_env(environ=environ(home, HELIOS_VERIFY_SSL=text))
    assert configuration.verify_ssl is value


def test_nothing_set_gives_the_constructors_defaults(home: Path) -> None:
    assert settings(Configuration.from_env(environ=environ(home))) == DEFAULTS
    assert setting_sources(environ=environ(home)) == {}


def test_an_empty_variable_counts_as_unset(home: Path) -> None:
    every = {name: "" for name in (
        "HELIOS_HOST", "HELIOS_API_KEY", "HELIOS_USERNAME", "HELIOS_PASSWORD", "HELIOS_DOMAIN",
        "HELIOS_ACCESS_CLUSTER_ID", "HELIOS_REGION_ID", "HELIOS_CA_BUNDLE", "HELIOS_VERIFY_SSL",
        "HELIOS_TIMEOUT", "HELIOS_PROFILE", "HELIOS_CONFIG_FILE")}
    write_profiles(default_file(home), "[default]\nregion_id = from-profile\n")
    configuration = Configuration.from_env(environ=environ(home, **every))
    assert settings(configuration) == {**DEFAULTS, "region_id": "from-profile"}


def test_environ_defaults_to_the_process_environment(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("HELIOS_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("APPDATA", str(home))
    monkeypatch.setenv("HELIOS_HOST", HOST)
    monkeypatch.setenv("HELIOS_REGION_ID", "eu-west-1")
    configuration = Configuration.from_env()
    assert (configuration.host, configuration.region_id) == (HOST, "eu-west-1")


@pytest.mark.parametrize("variable,text,message", [
    ("HELIOS_ACCESS_CLUSTER_ID", "abc", "HELIOS_ACCESS_CLUSTER_ID must be an integer, got 'abc'"),
    ("HELIOS_ACCESS_CLUSTER_ID", "1.5", "HELIOS_ACCESS_CLUSTER_ID must be an integer, got '1.5'"),
    ("HELIOS_ACCESS_CLUSTER_ID", "99999999999999999999",
     "HELIOS_ACCESS_CLUSTER_ID: Configuration.access_cluster_id=99999999999999999999 is out"),
    ("HELIOS_VERIFY_SSL", "maybe", "HELIOS_VERIFY_SSL must be true or false"),
    ("HELIOS_TIMEOUT", "soon", "HELIOS_TIMEOUT must be seconds, or connect,read seconds"),
    ("HELIOS_TIMEOUT", "1,2,3", "HELIOS_TIMEOUT must be seconds"),
    ("HELIOS_TIMEOUT", "0", "HELIOS_TIMEOUT: Configuration.timeout: a timeout is a positive"),
    ("HELIOS_TIMEOUT", "5,-1", "HELIOS_TIMEOUT: Configuration.timeout"),
    ("HELIOS_TIMEOUT", "nan", "HELIOS_TIMEOUT: Configuration.timeout"),
    ("HELIOS_HOST", "https://helios.example.com",
     "HELIOS_HOST: Configuration.host must be the API's base URL ending in /v2"),
    ("HELIOS_HOST", "helios.example.com/v2", "HELIOS_HOST: Configuration.host must be an absolute"),
    ("HELIOS_REGION_ID", "us\r\nX-Injected: 1", "HELIOS_REGION_ID: Configuration.region_id"),
])
def test_a_bad_value_names_its_variable(
    home: Path, variable: str, text: str, message: str
) -> None:
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home, **{variable: text}))
    assert str(caught.value).startswith(message)


def test_a_refused_key_is_named_but_never_shown(home: Path) -> None:
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home, HELIOS_API_KEY="first-half\nsecond-half"))
    text = str(caught.value) + repr(caught.value)
    assert str(caught.value).startswith("HELIOS_API_KEY: ")
    assert "first-half" not in text and "second-half" not in text


def test_a_password_is_taken_as_it_is_and_never_shown(home: Path) -> None:
    password = " first-half\nsecond-half%s "
    configuration = Configuration.from_env(
        environ=environ(home, HELIOS_USERNAME="u", HELIOS_PASSWORD=password))
    assert configuration.password == password
    assert "first-half" not in repr(configuration)


# -- arguments ---------------------------------------------------------------------------


def test_an_argument_wins_and_none_counts_as_not_given(home: Path) -> None:
    env = environ(home, HELIOS_HOST=HOST, HELIOS_REGION_ID="from-env")
    configuration = Configuration.from_env(
        environ=env, host=None, region_id="from-argument", retries=0, deadline=30)
    assert configuration.host == HOST
    assert configuration.region_id == "from-argument"
    assert (configuration.retries, configuration.deadline) == (0, 30.0)
    assert setting_sources(environ=env, host=None, region_id="x", retries=0) == {
        "host": "HELIOS_HOST", "region_id": "argument", "retries": "argument"}


def test_an_unknown_argument_is_a_type_error_naming_it(home: Path) -> None:
    with pytest.raises(helios.ApiTypeError,
                       match=r"unexpected keyword argument 'acess_cluster_id' "
                             r"\(did you mean 'access_cluster_id'\?\)"):
        Configuration.from_env(environ=environ(home), acess_cluster_id=1)
    with pytest.raises(TypeError, match="'environ_'"):
        Configuration.from_env(environ=environ(home), environ_={})


def test_a_bad_argument_is_refused_as_the_constructor_refuses_it(home: Path) -> None:
    with pytest.raises(helios.ApiValueError, match=r"^Configuration\.host must be the API"):
        Configuration.from_env(environ=environ(home), host="https://helios.example.com")
    with pytest.raises(helios.ApiTypeError, match=r"^Configuration\.verify_ssl"):
        Configuration.from_env(environ=environ(home), verify_ssl="no")


def test_the_classmethod_makes_the_class_it_is_called_on(home: Path) -> None:
    class Mine(Configuration):
        pass

    assert type(Mine.from_env(environ=environ(home, HELIOS_HOST=HOST))) is Mine


# -- profiles ----------------------------------------------------------------------------

FULL_PROFILE = f"""\
[default]
host = {HOST}
api_key = {SECRET}
username = backup-admin
password = pass%word
domain = CORP
access_cluster_id = 77
region_id = us-west-2
ca_bundle = /etc/ssl/corp-ca.pem
verify_ssl = off
timeout = 3,45
"""


def test_every_profile_key_sets_its_setting(home: Path) -> None:
    path = write_profiles(default_file(home), FULL_PROFILE)
    configuration = Configuration.from_env(environ=environ(home))
    assert settings(configuration) == {
        "host": HOST, "api_key": SECRET, "username": "backup-admin",
        "password": "pass%word",  # no interpolation: a '%' is kept as written
        "domain": "CORP", "access_cluster_id": 77, "region_id": "us-west-2",
        "ssl_ca_cert": "/etc/ssl/corp-ca.pem", "verify_ssl": False, "timeout": (3.0, 45.0),
    }
    sources = setting_sources(environ=environ(home))
    assert set(sources.values()) == {f"profile [default] of {path}"}
    assert len(sources) == 10


def test_ssl_ca_cert_is_its_own_key_too(tmp_path: Path, home: Path) -> None:
    path = write_profiles(tmp_path / "p.ini", "[default]\nssl_ca_cert = /ca.pem\n")
    assert Configuration.from_env(environ=environ(home), config_file=path).ssl_ca_cert == "/ca.pem"
    write_profiles(path, "[default]\nssl_ca_cert = /a.pem\nca_bundle = /b.pem\n")
    with pytest.raises(helios.ApiValueError, match="gives both ssl_ca_cert and ca_bundle"):
        Configuration.from_env(environ=environ(home), config_file=path)


def test_keys_are_case_insensitive_and_empty_values_unset(tmp_path: Path, home: Path) -> None:
    path = write_profiles(tmp_path / "p.ini", "[default]\nRegion_ID = r1\nhost =\n")
    configuration = Configuration.from_env(environ=environ(home), config_file=path)
    assert (configuration.region_id, configuration.host) == ("r1", DEFAULT_HOST)


@posix_only
def test_default_location_follows_xdg_then_home(tmp_path: Path, home: Path) -> None:
    xdg = tmp_path / "xdg"
    assert default_config_file(environ(home)) == default_file(home)
    assert default_config_file(environ(home, XDG_CONFIG_HOME=str(xdg))) == \
        xdg / "cohesity" / "helios.ini"
    # The XDG spec says a relative XDG_CONFIG_HOME is to be ignored.
    assert default_config_file(environ(home, XDG_CONFIG_HOME="rel")) == default_file(home)
    assert default_config_file({}) is None

    write_profiles(default_file(home), "[default]\nregion_id = home\n")
    write_profiles(xdg / "cohesity" / "helios.ini", "[default]\nregion_id = xdg\n")
    assert Configuration.from_env(environ=environ(home)).region_id == "home"
    assert Configuration.from_env(
        environ=environ(home, XDG_CONFIG_HOME=str(xdg))).region_id == "xdg"


def test_config_file_argument_beats_the_variable_beats_the_default(
    tmp_path: Path, home: Path
) -> None:
    write_profiles(default_file(home), "[default]\nregion_id = default-location\n")
    by_variable = write_profiles(tmp_path / "var.ini", "[default]\nregion_id = variable\n")
    by_argument = write_profiles(tmp_path / "arg.ini", "[default]\nregion_id = argument\n")
    env = environ(home, HELIOS_CONFIG_FILE=str(by_variable))
    assert Configuration.from_env(environ=environ(home)).region_id == "default-location"
    assert Configuration.from_env(environ=env).region_id == "variable"
    assert Configuration.from_env(environ=env, config_file=by_argument).region_id == "argument"
    assert Configuration.from_env(environ=env, config_file=str(by_argument)).region_id == \
        "argument"


def test_profile_argument_beats_the_variable_beats_default(tmp_path: Path, home: Path) -> None:
    path = write_profiles(tmp_path / "p.ini", (
        "[default]\nregion_id = r-default\n"
        "[lab]\nregion_id = r-lab\n"
        "[prod]\nregion_id = r-prod\n"
    ))
    assert Configuration.from_env(environ=environ(home), config_file=path).region_id == \
        "r-default"
    env = environ(home, HELIOS_PROFILE="lab")
    assert Configuration.from_env(environ=env, config_file=path).region_id == "r-lab"
    assert Configuration.from_env(environ=env, config_file=path, profile="prod").region_id == \
        "r-prod"
    assert setting_sources(environ=env, config_file=path) == {
        "region_id": f"profile [lab] of {path}"}


def test_sections_are_taken_literally(tmp_path: Path, home: Path) -> None:
    # configparser's [DEFAULT] would hand its keys to every section.
    path = write_profiles(tmp_path / "p.ini", "[DEFAULT]\nregion_id = r1\n[lab]\ndomain = D\n")
    lab = Configuration.from_env(environ=environ(home), config_file=path, profile="lab")
    assert (lab.region_id, lab.domain) == (None, "D")
    upper = Configuration.from_env(environ=environ(home), config_file=path, profile="DEFAULT")
    assert upper.region_id == "r1"
    assert settings(Configuration.from_env(environ=environ(home), config_file=path)) == DEFAULTS


def test_without_a_request_a_missing_file_or_default_means_no_profile(
    tmp_path: Path, home: Path
) -> None:
    assert not default_file(home).exists()
    assert settings(Configuration.from_env(environ=environ(home))) == DEFAULTS
    write_profiles(default_file(home), "[lab]\nregion_id = r-lab\n")
    assert settings(Configuration.from_env(environ=environ(home))) == DEFAULTS
    assert settings(Configuration.from_env(environ={})) == DEFAULTS  # no HOME: no file


@pytest.mark.parametrize("asked", ["argument", "variable"])
def test_a_requested_profile_that_is_not_there_is_an_error(
    tmp_path: Path, home: Path, asked: str
) -> None:
    path = write_profiles(tmp_path / "p.ini", "[default]\nregion_id = a\n[lab]\ndomain = D\n")
    kwargs: Dict[str, Any] = {"profile": "prod"} if asked == "argument" else {}
    env = environ(home) if asked == "argument" else environ(home, HELIOS_PROFILE="prod")
    by = "profile=" if asked == "argument" else "HELIOS_PROFILE"
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=env, config_file=path, **kwargs)
    assert str(caught.value) == (
        f"profile 'prod' ({by}) is not in {path}; its profiles are: default, lab")

    empty = write_profiles(tmp_path / "empty.ini", "")
    with pytest.raises(helios.ApiValueError, match="it has no profiles"):
        Configuration.from_env(environ=env, config_file=empty, **kwargs)

    write_profiles(default_file(home), "[default]\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=env, **kwargs)  # the default location
    assert str(caught.value) == (
        f"profile 'prod' ({by}) is not in {default_file(home)}; its profiles are: default")


def test_profile_choice_says_which_profile_of_which_file_and_who_named_them(
    tmp_path: Path, home: Path
) -> None:
    assert profile_choice(environ=environ(home)) == ProfileChoice(
        "default", None, default_file(home), None, used=False)
    write_profiles(default_file(home), "[default]\nregion_id = r\n")
    assert profile_choice(environ=environ(home)).used
    path = write_profiles(tmp_path / "p.ini", "[default]\n[lab]\n")
    env = environ(home, HELIOS_PROFILE="lab", HELIOS_CONFIG_FILE=str(path))
    assert profile_choice(environ=env) == ProfileChoice(
        "lab", "HELIOS_PROFILE", path, "HELIOS_CONFIG_FILE", used=True)
    assert profile_choice(environ=env, profile="default", config_file=path) == ProfileChoice(
        "default", "profile=", path, "config_file=", used=True)
    assert profile_choice(environ={}) == ProfileChoice("default", None, None, None, used=False)
    with pytest.raises(helios.ApiValueError, match=r"profile 'prod' \(profile=\) is not in"):
        profile_choice(environ=env, profile="prod")


def test_a_requested_profile_without_a_file_is_an_error(home: Path) -> None:
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), profile="prod")
    assert str(caught.value) == (
        f"profile 'prod' was asked for (profile=), but the profile file "
        f"{default_file(home)} does not exist")
    with pytest.raises(helios.ApiValueError, match=r"HELIOS_PROFILE.*no profile file"):
        Configuration.from_env(environ={"HELIOS_PROFILE": "prod"})


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path, home: Path) -> None:
    missing = tmp_path / "nowhere.ini"
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home, HELIOS_CONFIG_FILE=str(missing)))
    assert str(caught.value) == (
        f"the profile file {missing} (HELIOS_CONFIG_FILE) does not exist")
    with pytest.raises(helios.ApiValueError, match=r"\(config_file=\) does not exist"):
        Configuration.from_env(environ=environ(home), config_file=missing)


def test_an_unknown_key_names_file_profile_and_key(tmp_path: Path, home: Path) -> None:
    path = write_profiles(tmp_path / "p.ini", f"[lab]\nhost = {HOST}\napi_kye = {SECRET}\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), config_file=path, profile="lab")
    message = str(caught.value)
    assert message.startswith(
        f"unknown key 'api_kye' in profile [lab] of {path} (did you mean 'api_key'?)")
    assert SECRET not in message
    # Another profile's keys are that profile's business.
    write_profiles(path, "[lab]\nregion_id = r\n[other]\nfuture_setting = 1\n")
    assert Configuration.from_env(environ=environ(home), config_file=path,
                                  profile="lab").region_id == "r"


@pytest.mark.parametrize("line,message", [
    ("access_cluster_id = abc", "access_cluster_id in profile [lab] of {path} must be an "
                                "integer, got 'abc'"),
    ("verify_ssl = maybe", "verify_ssl in profile [lab] of {path} must be true or false"),
    ("timeout = forever", "timeout in profile [lab] of {path} must be seconds"),
    ("timeout = -3", "timeout in profile [lab] of {path}: Configuration.timeout"),
    ("host = helios.example.com", "host in profile [lab] of {path}: Configuration.host must"),
    ("api_key = first-half\n  second-half",
     "api_key in profile [lab] of {path}: Configuration.api_key"),
])
def test_a_bad_profile_value_names_file_profile_and_key(
    tmp_path: Path, home: Path, line: str, message: str
) -> None:
    path = write_profiles(tmp_path / "p.ini", f"[lab]\n{line}\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), config_file=path, profile="lab")
    assert str(caught.value).startswith(message.format(path=path))
    assert "second-half" not in str(caught.value)


def test_a_file_that_is_not_ini_is_reported_without_its_lines(
    tmp_path: Path, home: Path
) -> None:
    before_heading = write_profiles(tmp_path / "a.ini", f"api_key = {SECRET}\n[default]\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), config_file=before_heading)
    assert str(caught.value).startswith(f"the profile file {before_heading} is not INI: line 1")
    assert SECRET not in str(caught.value)

    no_equals = write_profiles(tmp_path / "b.ini", f"[default]\nhost = {HOST}\n{SECRET}\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), config_file=no_equals)
    assert str(caught.value).startswith(f"the profile file {no_equals} is not INI: line 3")
    assert SECRET not in str(caught.value)

    twice = write_profiles(tmp_path / "c.ini", "[default]\nhost = a\nhost = b\n")
    with pytest.raises(helios.ApiValueError, match=r"option 'host' in section 'default'"):
        Configuration.from_env(environ=environ(home), config_file=twice)


# -- the permission check ----------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666])
@pytest.mark.parametrize("secret", ["api_key", "password"])
def test_a_file_with_a_secret_others_can_reach_is_refused(
    home: Path, mode: int, secret: str
) -> None:
    # The secret is in a profile other than the one used: the file is refused all the same.
    path = write_profiles(default_file(home), (
        f"[default]\nregion_id = r\n[ci]\nusername = bot\n{secret} = {SECRET}\n"
    ), mode=mode)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home))
    message = str(caught.value)
    assert message.startswith(f"the profile file {path} holds an API key or password")
    assert f"(mode {mode:o})" in message
    assert message.endswith(f"run chmod 600 {path}")
    assert SECRET not in message


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_file_with_a_secret_only_its_owner_can_reach_is_read(home: Path, mode: int) -> None:
    write_profiles(default_file(home), f"[default]\napi_key = {SECRET}\n", mode=mode)
    assert Configuration.from_env(environ=environ(home)).api_key["APIKeyHeader"] == SECRET


@posix_only
def test_a_file_without_secrets_may_be_world_readable(home: Path) -> None:
    write_profiles(default_file(home), f"[default]\nhost = {HOST}\napi_key =\n", mode=0o644)
    assert Configuration.from_env(environ=environ(home)).host == HOST


@posix_only
def test_chmod_600_is_the_cure(home: Path) -> None:
    path = write_profiles(default_file(home), f"[default]\napi_key = {SECRET}\n", mode=0o664)
    with pytest.raises(helios.ApiValueError, match="chmod 600"):
        Configuration.from_env(environ=environ(home))
    subprocess.run(["chmod", "600", str(path)], check=True)
    assert Configuration.from_env(environ=environ(home)).api_key["APIKeyHeader"] == SECRET


# -- precedence --------------------------------------------------------------------------


def test_arguments_then_environment_then_profile_then_defaults(
    tmp_path: Path, home: Path
) -> None:
    path = write_profiles(tmp_path / "p.ini", (
        "[default]\n"
        "host = https://profile.example.com/v2\n"
        "api_key = key-from-profile\n"
        "access_cluster_id = 1\n"
        "region_id = region-from-profile\n"
        "timeout = 7\n"
    ))
    env = environ(home, HELIOS_API_KEY="key-from-env", HELIOS_ACCESS_CLUSTER_ID="2",
                  HELIOS_REGION_ID="region-from-env")
    configuration = Configuration.from_env(
        environ=env, config_file=path, access_cluster_id=3, verify_ssl=None)
    assert settings(configuration) == {
        **DEFAULTS,  # domain, username, password, ssl_ca_cert, verify_ssl
        "host": "https://profile.example.com/v2",
        "api_key": "key-from-env",
        "access_cluster_id": 3,
        "region_id": "region-from-env",
        "timeout": 7.0,
    }
    assert setting_sources(environ=env, config_file=path, access_cluster_id=3) == {
        "host": f"profile [default] of {path}",
        "api_key": "HELIOS_API_KEY",
        "access_cluster_id": "argument",
        "region_id": "HELIOS_REGION_ID",
        "timeout": f"profile [default] of {path}",
    }


def test_a_bad_value_is_reported_even_where_a_higher_source_replaces_it(
    tmp_path: Path, home: Path
) -> None:
    path = write_profiles(tmp_path / "p.ini", "[default]\naccess_cluster_id = x\n")
    with pytest.raises(helios.ApiValueError, match=r"^access_cluster_id in profile \[default\]"):
        Configuration.from_env(environ=environ(home), config_file=path, access_cluster_id=5)
    write_profiles(path, "[default]\nhost = https://no-version.example.com\n")
    with pytest.raises(helios.ApiValueError, match=r"^host in profile \[default\]"):
        Configuration.from_env(environ=environ(home, HELIOS_HOST=HOST), config_file=path)
    with pytest.raises(helios.ApiValueError, match=r"^HELIOS_TIMEOUT: "):
        Configuration.from_env(environ=environ(home, HELIOS_TIMEOUT="-1"), timeout=5)


def test_a_key_above_the_profiles_login_means_the_key(tmp_path: Path, home: Path) -> None:
    path = write_profiles(tmp_path / "p.ini", "[default]\nusername = ops\npassword = pw\n")
    for keyed in (
        Configuration.from_env(environ=environ(home, HELIOS_API_KEY=SECRET), config_file=path),
        Configuration.from_env(environ=environ(home), config_file=path, api_key=SECRET),
    ):
        assert keyed.api_key["APIKeyHeader"] == SECRET
        assert keyed.username is None and keyed.password is None
        assert isinstance(keyed.make_auth(), ApiKeyAuth)


def test_a_login_at_the_keys_level_or_above_logs_in(tmp_path: Path, home: Path) -> None:
    path = write_profiles(tmp_path / "p.ini", f"[default]\napi_key = {SECRET}\n")
    for configuration in (
        Configuration.from_env(environ=environ(
            home, HELIOS_API_KEY=SECRET, HELIOS_USERNAME="ops", HELIOS_PASSWORD="pw")),
        Configuration.from_env(environ=environ(home, HELIOS_USERNAME="ops",
                                               HELIOS_PASSWORD="pw"), config_file=path),
    ):
        assert isinstance(configuration.make_auth(), SessionAuth)


def test_the_password_may_come_from_the_environment(tmp_path: Path, home: Path) -> None:
    # The profile names the user; the password stays out of the file.
    path = write_profiles(tmp_path / "p.ini", "[default]\nusername = ops\n")
    configuration = Configuration.from_env(environ=environ(home, HELIOS_PASSWORD="pw"),
                                           config_file=path)
    assert (configuration.username, configuration.password) == ("ops", "pw")
    assert isinstance(configuration.make_auth(), SessionAuth)


# -- the key in a file ------------------------------------------------------------------


def write_key(path: Path, text: str = f"{SECRET}\n", mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("text", [
    f"{SECRET}\n", SECRET, f"  {SECRET}  \r\n", f"{SECRET}\nsecond line, not read\n",
])
def test_the_key_is_the_first_line_of_the_variables_file(
    tmp_path: Path, home: Path, text: str
) -> None:
    key_file = write_key(tmp_path / "key", text)
    env = environ(home, HELIOS_API_KEY_FILE=str(key_file))
    configuration = Configuration.from_env(environ=env)
    assert configuration.api_key["APIKeyHeader"] == SECRET
    assert isinstance(configuration.make_auth(), ApiKeyAuth)
    assert setting_sources(environ=env) == {"api_key": f"HELIOS_API_KEY_FILE ({key_file})"}


def test_a_profile_names_the_key_file(tmp_path: Path, home: Path) -> None:
    key_file = write_key(tmp_path / "keys" / "lab")
    # The profile holds no secret: it may be readable by all.
    path = write_profiles(tmp_path / "p.ini", f"[lab]\nhost = {HOST}\napi_key_file = {key_file}\n",
                          mode=0o644)
    configuration = Configuration.from_env(environ=environ(home), config_file=path,
                                           profile="lab")
    assert (configuration.host, configuration.api_key["APIKeyHeader"]) == (HOST, SECRET)
    assert setting_sources(environ=environ(home), config_file=path, profile="lab") == {
        "host": f"profile [lab] of {path}",
        "api_key": f"profile [lab] of {path}: api_key_file ({key_file})",
    }


def test_an_argument_names_the_key_file(tmp_path: Path, home: Path) -> None:
    key_file = write_key(tmp_path / "key")
    for given in (key_file, str(key_file)):
        configuration = Configuration.from_env(environ=environ(home), api_key_file=given)
        assert configuration.api_key["APIKeyHeader"] == SECRET
    assert setting_sources(environ=environ(home), api_key_file=key_file) == {
        "api_key": f"argument: api_key_file ({key_file})"}
    with pytest.raises(helios.ApiTypeError, match="^api_key_file= must be a path"):
        Configuration.from_env(environ=environ(home), api_key_file=3)


def test_the_key_file_takes_the_keys_place_in_the_precedence(tmp_path: Path, home: Path) -> None:
    from_profile = write_key(tmp_path / "profile-key", "key-from-profile-file\n")
    from_env = write_key(tmp_path / "env-key", "key-from-env-file\n")
    from_argument = write_key(tmp_path / "argument-key", "key-from-argument-file\n")
    path = write_profiles(tmp_path / "p.ini", f"[default]\napi_key_file = {from_profile}\n")

    def key(env: Dict[str, str], **arguments: Any) -> str:
        configuration = Configuration.from_env(environ=env, config_file=path, **arguments)
        return configuration.api_key["APIKeyHeader"]

    assert key(environ(home)) == "key-from-profile-file"
    assert key(environ(home, HELIOS_API_KEY="key-from-env")) == "key-from-env"
    assert key(environ(home, HELIOS_API_KEY_FILE=str(from_env))) == "key-from-env-file"
    assert key(environ(home, HELIOS_API_KEY_FILE=str(from_env)),
               api_key="key-from-argument") == "key-from-argument"
    assert key(environ(home, HELIOS_API_KEY="key-from-env"),
               api_key_file=from_argument) == "key-from-argument-file"
    # A key file given above a profile's login means the key, as the key itself does.
    write_profiles(path, "[default]\nusername = ops\npassword = pw\n")
    keyed = Configuration.from_env(environ=environ(home, HELIOS_API_KEY_FILE=str(from_env)),
                                   config_file=path)
    assert keyed.username is None and keyed.password is None
    assert isinstance(keyed.make_auth(), ApiKeyAuth)


def test_the_key_and_its_file_at_one_level_are_refused_naming_both(
    tmp_path: Path, home: Path
) -> None:
    key_file = write_key(tmp_path / "key")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(
            home, HELIOS_API_KEY=SECRET, HELIOS_API_KEY_FILE=str(key_file)))
    assert str(caught.value) == (
        "HELIOS_API_KEY and HELIOS_API_KEY_FILE are both set: give either the key or the "
        "file that holds it")
    path = write_profiles(tmp_path / "p.ini",
                          f"[default]\napi_key = {SECRET}\napi_key_file = {key_file}\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), config_file=path)
    assert str(caught.value).startswith(
        f"profile [default] of {path} gives both api_key and api_key_file: ")
    with pytest.raises(helios.ApiValueError, match=r"^Configuration\.from_env\(\) got both "
                                                   r"api_key= and api_key_file="):
        Configuration.from_env(environ=environ(home), api_key=SECRET, api_key_file=key_file)
    for message in (str(caught.value),):
        assert SECRET not in message


def test_a_key_file_is_checked_even_where_a_higher_source_replaces_it(
    tmp_path: Path, home: Path
) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home, HELIOS_API_KEY_FILE=str(missing)),
                               api_key=SECRET)
    assert str(caught.value) == (
        f"HELIOS_API_KEY_FILE: the API key file {missing} does not exist")


@pytest.mark.parametrize("text,says", [
    ("", "holds no key on its first line"),
    ("\n" + SECRET + "\n", "holds no key on its first line"),
    ("   \n", "holds no key on its first line"),
    (f"{SECRET[:4]}\x00{SECRET[4:]}\n", "Configuration.api_key['APIKeyHeader']: header "
                                         "'apiKey' contains a line break or NUL"),
])
def test_a_key_file_without_a_usable_key_is_refused_without_showing_it(
    tmp_path: Path, home: Path, text: str, says: str
) -> None:
    key_file = write_key(tmp_path / "key", text)
    path = write_profiles(tmp_path / "p.ini", f"[ci]\napi_key_file = {key_file}\n")
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), config_file=path, profile="ci")
    message = str(caught.value)
    assert message.startswith(f"api_key_file in profile [ci] of {path}: ")
    assert says in message and str(key_file) in message
    assert SECRET not in message and SECRET[4:] not in message


def test_a_key_file_that_cannot_be_read_is_refused(tmp_path: Path, home: Path) -> None:
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home, HELIOS_API_KEY_FILE=str(tmp_path)))
    assert str(caught.value).startswith(
        f"HELIOS_API_KEY_FILE: cannot read the API key file {tmp_path}: ")
    not_text = tmp_path / "binary"
    not_text.write_bytes(b"\xff\xfe key")
    not_text.chmod(0o600)
    with pytest.raises(helios.ApiValueError, match="it is not UTF-8 text"):
        Configuration.from_env(environ=environ(home), api_key_file=not_text)


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666])
def test_a_key_file_others_can_reach_is_refused(tmp_path: Path, home: Path, mode: int) -> None:
    key_file = write_key(tmp_path / "key", mode=mode)
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home, HELIOS_API_KEY_FILE=str(key_file)))
    message = str(caught.value)
    assert message == (
        f"HELIOS_API_KEY_FILE: the API key file {key_file} may be read or changed by users "
        f"other than its owner (mode {mode:o}); run chmod 600 {key_file}")
    assert SECRET not in message
    subprocess.run(["chmod", "600", str(key_file)], check=True)  # the cure
    configuration = Configuration.from_env(environ=environ(home,
                                                           HELIOS_API_KEY_FILE=str(key_file)))
    assert configuration.api_key["APIKeyHeader"] == SECRET


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_key_file_only_its_owner_can_reach_is_read(tmp_path: Path, home: Path,
                                                    mode: int) -> None:
    key_file = write_key(tmp_path / "key", mode=mode)
    configuration = Configuration.from_env(environ=environ(home), api_key_file=key_file)
    assert configuration.api_key["APIKeyHeader"] == SECRET


@posix_only
def test_the_refusal_quotes_a_path_for_the_shell(tmp_path: Path, home: Path) -> None:
    key_file = write_key(tmp_path / "my keys" / "helios key", mode=0o644)
    with pytest.raises(helios.ApiValueError) as caught:
        Configuration.from_env(environ=environ(home), api_key_file=key_file)
    assert str(caught.value).endswith(f"run chmod 600 '{key_file}'")


def test_an_empty_key_file_variable_counts_as_unset(tmp_path: Path, home: Path) -> None:
    env = environ(home, HELIOS_API_KEY_FILE="", HELIOS_API_KEY=SECRET)
    assert Configuration.from_env(environ=env).api_key["APIKeyHeader"] == SECRET
    path = write_profiles(tmp_path / "p.ini", f"[default]\napi_key_file =\napi_key = {SECRET}\n")
    assert Configuration.from_env(environ=environ(home), config_file=path).api_key[
        "APIKeyHeader"] == SECRET


def test_end_to_end_with_a_key_from_a_file(tmp_path: Path, home: Path) -> None:
    with FakeHelios() as fake:
        key_file = write_key(tmp_path / "key", f"{fake.api_key}\n")
        configuration = Configuration.from_env(environ=environ(
            home, HELIOS_HOST=fake.url, HELIOS_API_KEY_FILE=str(key_file)))
        with helios.ApiClient(configuration) as client:
            users = helios.UserApi(client).get_users()
        assert [user.username for user in users] == ["admin"]
        assert [r.operation_id for r in fake.requests] == ["get_users"]


# -- for real, against a server ----------------------------------------------------------


def test_end_to_end_with_an_api_key_from_the_environment(home: Path) -> None:
    with FakeHelios() as fake:
        configuration = Configuration.from_env(environ=environ(
            home, HELIOS_HOST=fake.url, HELIOS_API_KEY=fake.api_key,
            HELIOS_ACCESS_CLUSTER_ID="4242", HELIOS_TIMEOUT="5,30"))
        with helios.ApiClient(configuration) as client:
            users = helios.UserApi(client).get_users()
        assert [user.username for user in users] == ["admin"]
        [request] = fake.requests
        assert request.operation_id == "get_users"
        assert request.headers["apiKey"] == "***"
        assert request.headers["accessClusterId"] == "4242"


@posix_only
def test_end_to_end_with_a_login_from_a_profile(home: Path) -> None:
    with FakeHelios() as fake:
        write_profiles(default_file(home), (
            f"[lab]\nhost = {fake.url}\nusername = admin\npassword = admin\ndomain = LOCAL\n"
        ))
        configuration = Configuration.from_env(environ=environ(home, HELIOS_PROFILE="lab"))
        with helios.ApiClient(configuration) as client:
            users = helios.UserApi(client).get_users()
        assert [user.username for user in users] == ["admin"]
        assert [r.operation_id for r in fake.requests] == ["create_session", "get_users"]


# -- docs/Configuration.md ----------------------------------------------------------------


def blocks(language: str) -> List[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def table_rows(heading: str) -> List[str]:
    section = DOC.read_text(encoding="utf-8").split(heading + "\n", 1)[1].split("\n#", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def test_the_doc_lists_every_setting_and_every_variable() -> None:
    documented = {name for row in table_rows("## Settings")
                  for name in re.findall(r"`(\w+)`", row.split(" | ")[0])}
    parameters = set(inspect.signature(Configuration).parameters)
    assert documented == parameters
    variables = {name for row in table_rows("### Environment variables")
                 for name in re.findall(r"`(HELIOS_\w+)`", row.split(" | ")[0])}
    assert variables == {*VARIABLES.values(), PROFILE_VARIABLE, CONFIG_FILE_VARIABLE}


def test_the_doc_example_profile_file_is_read_as_it_says(tmp_path: Path, home: Path) -> None:
    [text] = blocks("ini")
    path = write_profiles(tmp_path / "helios.ini", text)
    default = Configuration.from_env(environ=environ(home), config_file=path)
    assert default.access_cluster_id == 4213516873913468
    lab = Configuration.from_env(environ=environ(home), config_file=path, profile="lab")
    assert (lab.username, lab.domain, lab.timeout) == ("backup-admin", "LOCAL", (5.0, 60.0))
    assert lab.ssl_ca_cert == "/etc/ssl/certs/lab-ca.pem"
    assert isinstance(lab.make_auth(), SessionAuth)


def test_the_doc_code_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("HELIOS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["tool", "--cluster", "42"])
    first, command_line, sources = blocks("python")
    with FakeHelios() as fake:
        monkeypatch.setenv("HELIOS_HOST", fake.url)
        monkeypatch.setenv("HELIOS_API_KEY", fake.api_key)
        exec(compile(first, "Configuration.md", "exec"), {})
        assert capsys.readouterr().out == "['admin']\n"
        namespace: Dict[str, Any] = {}
        exec(compile(command_line, "Configuration.md", "exec"), namespace)
        assert namespace["configuration"].access_cluster_id == 42
        assert namespace["configuration"].host == fake.url
        exec(compile(sources, "Configuration.md", "exec"), {})
        assert capsys.readouterr().out == "host: HELIOS_HOST\napi_key: HELIOS_API_KEY\n"


# -- the package stays cheap to import -----------------------------------------------------


def test_importing_the_package_does_not_load_the_environment_module() -> None:
    code = "import cohesity_sdk.helios as h; h.Configuration"
    assert modules_loaded_by(code, "cohesity_sdk.helios.environment", "configparser") == []
