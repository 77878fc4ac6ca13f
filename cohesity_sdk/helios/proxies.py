"""Which proxy a call goes through, as curl, pip, requests and httpx decide it. Pure.

- ``Configuration.proxy`` when set; else, unless ``trust_env`` is off, the environment:
  ``HTTPS_PROXY`` or ``HTTP_PROXY`` by the URL's scheme, else ``ALL_PROXY`` (lower-case
  names first, as curl reads them), unless ``NO_PROXY`` names the host.
- ``NO_PROXY`` is a comma-separated list of ``*`` (every host), host names (which match
  the name and every name under it; a leading ``.`` or ``*.`` changes nothing), IP
  addresses and CIDR blocks (``10.0.0.0/8``). An entry with a port (``host:8443``,
  ``[::1]:8443``) matches only that port; one without matches any.
- Credentials in a proxy URL (``http://user:password@proxy:3128``) are sent as a
  ``Proxy-Authorization: Basic`` header and removed from the URL, so that they appear in
  no log or error; ``masked_url`` shows such a URL with its password as ``***``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Mapping, NamedTuple, Optional, Tuple, Union
from urllib.parse import unquote, urlsplit, urlunsplit

from cohesity_sdk.helios.exceptions import ApiValueError
from cohesity_sdk.helios.secret import MASK

DEFAULT_PORTS = {"http": 80, "https": 443}

if TYPE_CHECKING:
    import ipaddress

    IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


class Proxy(NamedTuple):
    """A proxy to send through: its URL without credentials, the headers it needs, and
    where it was named (``"Configuration.proxy"``, ``"HTTPS_PROXY"``...)."""

    url: str
    headers: Dict[str, str]
    source: str

    def __repr__(self) -> str:  # the headers hold the proxy's password
        return f"Proxy({self.url!r}, from {self.source})"


def masked_url(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part as ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def proxy_for(url: str, configured: Optional[str], trust_env: bool,
              environ: Mapping[str, str]) -> Optional[Proxy]:
    """The proxy for calls to ``url``: ``configured``, else the environment's when
    ``trust_env``; ``None`` to connect directly."""
    return proxy_decision(url, configured, trust_env, environ)[0]


def proxy_decision(url: str, configured: Optional[str], trust_env: bool,
                   environ: Mapping[str, str]) -> Tuple[Optional[Proxy], str]:
    """``proxy_for``'s answer and why, in words: the proxy's ``source`` when there is
    one, else why calls go directly (``"trust_env is off"``, ``"NO_PROXY names the
    host"``, ``"no HTTPS_PROXY or ALL_PROXY is set"``)."""
    if configured:
        proxy = parse_proxy(configured, "Configuration.proxy")
        return proxy, proxy.source
    if not trust_env:
        return None, "trust_env is off"
    scheme = urlsplit(url).scheme
    found = _variable(environ, f"{scheme}_proxy")
    if found is None:
        found = _variable(environ, "all_proxy")
    if found is None:
        return None, f"no {scheme.upper()}_PROXY or ALL_PROXY is set"
    name, value = found
    no_proxy = _variable(environ, "no_proxy")
    if no_proxy is not None and bypasses(no_proxy[1], url):
        return None, f"{no_proxy[0]} names the host"
    proxy = parse_proxy(value, name)
    return proxy, proxy.source


def _variable(environ: Mapping[str, str], name: str) -> Optional[Tuple[str, str]]:
    """The variable ``name`` (lower case first, then upper case) and its value, when set
    and not empty."""
    for spelling in (name.lower(), name.upper()):
        if spelling == "HTTP_PROXY" and "REQUEST_METHOD" in environ:
            continue  # under CGI, a client can set HTTP_PROXY with a "Proxy:" header
        value = environ.get(spelling, "").strip()
        if value:
            return spelling, value
    return None


def parse_proxy(url: str, source: str) -> Proxy:
    """The proxy ``url`` names, its credentials as a header; ``source`` names where it
    came from in an error, which never shows the password."""
    if "://" not in url:
        url = "http://" + url  # "proxy:3128", as curl and pip take it
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise ApiValueError(f"{source} is not a proxy URL: {masked_url(url)!r}") from None
    if not parts.hostname:
        raise ApiValueError(f"{source} names no host: {masked_url(url)!r}")
    headers: Dict[str, str] = {}
    if parts.username is not None or parts.password is not None:
        import base64

        pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        token = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        headers["Proxy-Authorization"] = f"Basic {token}"
        url = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return Proxy(url, headers, source)


def bypasses(no_proxy: str, url: str) -> bool:
    """Whether ``NO_PROXY``'s value ``no_proxy`` says to connect to ``url`` directly."""
    import ipaddress

    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    address = _address(host)
    for entry in no_proxy.replace(" ", ",").split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        name, entry_port = _split_port(entry)
        if entry_port is not None and entry_port != port:
            continue
        if address is not None:
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                pass  # a name, not an address: compared below
        name = name.removeprefix("*.").strip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _split_port(entry: str) -> Tuple[str, Optional[int]]:
    """``host:port`` or ``[v6]:port`` as the name and the port; a bare IPv6 address or
    CIDR block has no port."""
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        return name, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        name, _, port = entry.partition(":")
        if port.isdigit():
            return name, int(port)
    return entry, None


def _address(host: str) -> Optional["IPAddress"]:
    import ipaddress

    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost`` or a loopback address."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _address(host.strip("[]"))
    return address is not None and address.is_loopback
