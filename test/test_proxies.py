"""Proxies as curl, pip and requests take them: the environment's by default, NO_PROXY
with ports, and credentials in a proxy URL sent as Proxy-Authorization and shown
nowhere."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List
from urllib.parse import quote

import pytest
from conftest import ForwardProxy, start_served_fake, stop_served_fake

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.proxies import bypasses, masked_url, proxy_decision, proxy_for
from cohesity_sdk.helios.testing import FakeHelios

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "bob", "pr0xy:pa$$"  # a colon and a dollar: percent-encoded in the URL
PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
             "https_proxy", "all_proxy", "no_proxy")


class AuthProxy(ForwardProxy):
    """A forward proxy on loopback that demands USER and PASSWORD."""

    def __init__(self) -> None:
        super().__init__(credentials=(USER, PASSWORD))

    def url_with_credentials(self) -> str:
        return f"http://{USER}:{quote(PASSWORD, safe='')}@{self.address}"


@pytest.fixture
def proxy() -> Iterator[AuthProxy]:
    running = AuthProxy()
    yield running
    running.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def usernames(configuration: helios.Configuration) -> List[str]:
    api = helios.UserApi(helios.ApiClient(configuration))
    return [u.username or "" for u in api.get_users().users or []]


# -- credentials in the proxy URL -------------------------------------------------------


def test_credentials_in_the_proxy_url_are_sent_as_proxy_authorization(
    fake: FakeHelios, proxy: AuthProxy, clean_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    configuration = fake.configuration(proxy=proxy.url_with_credentials(), retries=0)
    assert usernames(configuration) == ["admin"]
    assert proxy.seen[-1][1]["Proxy-Authorization"].startswith("Basic ")
    assert "pr0xy" not in repr(configuration) and "bob:***@" in repr(configuration)
    assert "pr0xy" not in caplog.text and PASSWORD not in caplog.text


def test_without_them_the_proxy_refuses_and_the_error_shows_no_password(
    fake: FakeHelios, proxy: AuthProxy, clean_env: pytest.MonkeyPatch,
) -> None:
    configuration = fake.configuration(proxy=f"http://{USER}:wrong@{proxy.address}",
                                       retries=0)
    with pytest.raises(helios.ApiException) as info:
        usernames(configuration)
    assert info.value.status == 407
    assert "wrong" not in str(info.value) + repr(info.value)


def test_the_environments_proxy_is_used_by_default(
    fake: FakeHelios, proxy: AuthProxy, clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("HTTP_PROXY", proxy.url_with_credentials())
    assert usernames(fake.configuration()) == ["admin"]
    assert len(proxy.seen) == 1
    assert usernames(fake.configuration(trust_env=False)) == ["admin"]
    assert len(proxy.seen) == 1  # turned off: straight to the fake


def test_all_proxy_stands_for_any_scheme(
    fake: FakeHelios, proxy: AuthProxy, clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("all_proxy", proxy.url_with_credentials())
    assert usernames(fake.configuration()) == ["admin"]
    assert len(proxy.seen) == 1


def test_no_proxy_with_a_port_matches_that_port_only(
    fake: FakeHelios, proxy: AuthProxy, clean_env: pytest.MonkeyPatch,
) -> None:
    port = int(fake.url.rsplit(":", 1)[1].split("/")[0])
    clean_env.setenv("HTTP_PROXY", proxy.url_with_credentials())
    clean_env.setenv("NO_PROXY", f"127.0.0.1:{port + 1}")
    usernames(fake.configuration())
    assert len(proxy.seen) == 1  # another port: through the proxy
    clean_env.setenv("NO_PROXY", f"example.com, 127.0.0.1:{port}")
    usernames(fake.configuration())
    assert len(proxy.seen) == 1  # this port: straight to the fake


@pytest.mark.parametrize("no_proxy, url, direct", [
    ("*", "https://helios.example/v2", True),
    ("helios.example", "https://helios.example/v2", True),
    ("example", "https://helios.example/v2", True),
    (".example", "https://helios.example/v2", True),
    ("*.example", "https://helios.example/v2", True),
    ("elios.example", "https://helios.example/v2", False),
    ("helios.example:443", "https://helios.example/v2", True),
    ("helios.example:8443", "https://helios.example/v2", False),
    ("helios.example:8443", "https://helios.example:8443/v2", True),
    ("10.0.0.0/8", "https://10.1.2.3/v2", True),
    ("10.0.0.0/8", "https://11.1.2.3/v2", False),
    ("::1", "https://[::1]/v2", True),
    ("[::1]:9443", "https://[::1]:9443/v2", True),
    ("[::1]:9443", "https://[::1]/v2", False),
    ("a.com,  b.com ,,c.com", "https://b.com/v2", True),
    ("HELIOS.Example", "https://helios.example/v2", True),
])
def test_no_proxy_entries(no_proxy: str, url: str, direct: bool) -> None:
    assert bypasses(no_proxy, url) is direct


def test_which_variable_names_the_proxy() -> None:
    env = {"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:1",
           "HTTP_PROXY": "http://plain:1", "ALL_PROXY": "http://all:1"}
    found = proxy_for("https://helios.example/v2", None, True, env)
    assert found is not None and (found.url, found.source) == ("http://lower:1", "https_proxy")
    found = proxy_for("http://helios.example/v2", None, True, env)
    assert found is not None and found.url == "http://plain:1"
    assert proxy_for("http://helios.example/v2", None, True,
                     {**env, "REQUEST_METHOD": "GET"}).url == "http://all:1"  # type: ignore[union-attr]
    assert proxy_for("https://helios.example/v2", None, False, env) is None
    configured = proxy_for("https://helios.example/v2", "proxy.corp:3128", True, env)
    assert configured is not None and configured.url == "http://proxy.corp:3128"


def test_the_decision_says_why() -> None:
    url = "https://helios.example/v2"
    proxy, why = proxy_decision(url, None, True, {"HTTPS_PROXY": "http://u:p@upper:1"})
    assert proxy is not None and (proxy.url, why) == ("http://upper:1", "HTTPS_PROXY")
    assert proxy_decision(url, "proxy.corp:3128", False, {})[1] == "Configuration.proxy"
    assert proxy_decision(url, None, False, {"HTTPS_PROXY": "http://upper:1"}) == (
        None, "trust_env is off")
    assert proxy_decision(url, None, True, {"HTTPS_PROXY": "http://upper:1",
                                            "no_proxy": ".example"}) == (
        None, "no_proxy names the host")
    assert proxy_decision(url, None, True, {"HTTP_PROXY": "http://plain:1"}) == (
        None, "no HTTPS_PROXY or ALL_PROXY is set")
    assert proxy_decision("http://helios.example/v2", None, True, {}) == (
        None, "no HTTP_PROXY or ALL_PROXY is set")


def test_a_proxy_url_is_shown_without_its_password() -> None:
    assert masked_url("http://bob:secret@proxy:3128") == "http://bob:***@proxy:3128"
    assert masked_url("http://proxy:3128") == "http://proxy:3128"
    with pytest.raises(helios.ApiValueError) as info:
        helios.Configuration(proxy="http://bob:secret@proxy:port")
    assert "secret" not in str(info.value) and "bob:***@" in str(info.value)


# -- trust_env from wherever settings come --------------------------------------------


def test_trust_env_from_the_environment_and_a_profile(tmp_path: Path) -> None:
    assert helios.Configuration().trust_env is True
    off = helios.Configuration.from_env(environ={"HELIOS_TRUST_ENV": "false"})
    assert off.trust_env is False
    profile = tmp_path / "helios.ini"
    profile.write_text("[lab]\ntrust_env = no\n")
    lab = helios.Configuration.from_env(profile="lab", config_file=profile, environ={})
    assert lab.trust_env is False
    with pytest.raises(helios.ApiValueError, match="HELIOS_TRUST_ENV must be true or false"):
        helios.Configuration.from_env(environ={"HELIOS_TRUST_ENV": "maybe"})


def test_trust_env_from_the_command_line(proxy: AuthProxy) -> None:
    served, url, key = start_served_fake()
    try:
        env = {"PATH": "", "HELIOS_HOST": url, "HELIOS_API_KEY": key,
               "HTTP_PROXY": proxy.url_with_credentials(), "PYTHONPATH": str(ROOT)}
        for flags, through_proxy in (([], 1), (["--no-trust-env"], 0), (["--trust-env"], 1)):
            before = len(proxy.seen)
            done = subprocess.run(
                [sys.executable, "-m", "cohesity_sdk.helios", *flags, "get-users", "-o",
                 "csv"], capture_output=True, text=True, env=env, timeout=60)
            assert done.returncode == 0, done.stderr
            assert done.stdout.startswith("username,")
            assert len(proxy.seen) - before == through_proxy, flags
    finally:
        stop_served_fake(served)
