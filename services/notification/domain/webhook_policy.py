"""Where a webhook may be sent: public http(s) receivers only, unless the operator allows more.

A webhook URL is checked when it is saved (``WebhookPolicy.target``) and again before each
delivery (``WebhookPolicy.destination``), which also resolves the name and checks every
address it gives; the sender then connects to that vetted address, so a name cannot resolve
to a public address here and to a private one a moment later.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import quote, urlsplit

IPAddress = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOW_HINT = "an operator can allow an internal receiver with WEBHOOK_ALLOWED_HOSTS"
# The instance metadata services of the clouds (AWS, GCP, Azure, Alibaba, Tencent, Oracle...).
METADATA_ADDRESSES = frozenset(
    ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "169.254.0.23", "100.100.100.200",
                            "192.0.0.192", "fd00:ec2::254")
)  # fmt: skip
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata.tencentyun.com"})
# Names that only mean something on the local network (RFC 6761, 6762, 8375; ICANN's .internal).
LOCAL_SUFFIXES = ("localhost", "localdomain", "local", "internal", "home.arpa")
CGNAT = ip_network("100.64.0.0/10")
NAT64 = ip_network("64:ff9b::/96")
HOST_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + ".-_")
PATH_SAFE = string.punctuation  # kept as written; existing escapes (%XX) too


class RefusedURL(ValueError):
    """The URL may not be used for a webhook; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A checked webhook URL, taken apart the way it will be requested."""

    scheme: str
    host: str  # lower-case ASCII: a name (IDNA), or an address's text
    port: int
    path: str  # path and query, percent-encoded, at least "/"
    address: IPAddress | None  # the host, when it is written as an address

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if isinstance(self.address, IPv6Address) else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def refusal(address: IPAddress) -> str | None:
    """Why nothing may be sent to ``address``, or None for a public address."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address in CGNAT or address.is_private:
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return None


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), if any."""
    if isinstance(address, IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class WebhookPolicy:
    """``allowed_hosts`` are trusted whatever they resolve to; an address in ``allowed_networks``
    is trusted whether written in the URL or resolved from a name."""

    require_https: bool = True
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[Network, ...] = ()

    @classmethod
    def allowing(cls, entries: Iterable[str], *, require_https: bool) -> WebhookPolicy:
        """From the operator's allow-list: host names, addresses and networks (CIDR)."""
        hosts: set[str] = set()
        networks: list[Network] = []
        for entry in (e.strip() for e in entries):
            try:
                networks.append(ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                name = _name(entry)
                if name is None:
                    raise ValueError(f"{entry!r} is neither a host name nor an address or network") from None
                hosts.add(name)
        return cls(require_https, frozenset(hosts), tuple(networks))

    def target(self, url: str) -> Target:
        """The checked URL; ``RefusedURL`` when it may not be used. Names are not resolved here."""
        if any(c.isspace() or c == "\\" or unicodedata.category(c) == "Cc" for c in url):
            raise RefusedURL("the URL has spaces, control characters or backslashes")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise RefusedURL(f"the URL cannot be read: {error}") from error
        if parts.scheme not in DEFAULT_PORTS:
            raise RefusedURL("a webhook URL starts with https:// or http://")
        if self.require_https and parts.scheme != "https":
            raise RefusedURL("webhooks are sent over https only")
        if "@" in parts.netloc:
            raise RefusedURL("the URL must not carry a user name or password")
        if port == 0:
            raise RefusedURL("port 0 is not a port to send to")
        host, address = _host(parts.hostname or "")
        path = quote(parts.path or "/", safe=PATH_SAFE)
        if parts.query:
            path += "?" + quote(parts.query, safe=PATH_SAFE)
        target = Target(
            parts.scheme, host, DEFAULT_PORTS[parts.scheme] if port is None else port, path, address
        )
        if address is not None:
            self.check_address(target, address)
        elif host not in self.allowed_hosts:
            _check_name(host)
        return target

    def check_address(self, target: Target, address: IPAddress) -> None:
        """Refuse ``address`` (the target's own, or one its name resolved to) unless allowed."""
        if target.host in self.allowed_hosts or any(address in network for network in self.allowed_networks):
            return
        reason = refusal(address)
        if reason is not None:
            where = (
                target.host if target.address == address else f"the URL's host resolves to {address}, which"
            )
            raise RefusedURL(f"{where} is {reason}; webhooks go to public addresses only ({ALLOW_HINT})")

    async def destination(self, url: str, resolve: Resolver) -> tuple[Target, IPAddress]:
        """The checked URL and the vetted address to connect to; every address the name
        resolves to must pass, so a mixed answer cannot slip a private one in."""
        target = self.target(url)
        if target.address is not None:
            return target, target.address
        addresses = await resolve(target.host, target.port)
        if not addresses:
            raise RefusedURL("the URL's host resolves to no address")
        for address in addresses:
            self.check_address(target, address)
        return target, addresses[0]


def _host(raw: str) -> tuple[str, IPAddress | None]:
    """The host as lower-case ASCII and, when it is an address, the address."""
    if not raw:
        raise RefusedURL("the URL has no host")
    try:
        address = ip_address(raw.partition("%")[0])
    except ValueError:
        name = _name(raw)
    else:
        return address.compressed, address
    if name is None:
        raise RefusedURL(f"{raw!r} is not a valid host name")
    last = name.rsplit(".", 1)[-1]
    if last.isdigit() or (last.startswith("0x") and all(c in string.hexdigits for c in last[2:])):
        # Clients disagree about 2130706433, 0x7f000001 or 0177.0.0.1 (all 127.0.0.1 to some).
        raise RefusedURL(f"{raw!r} is a number in a form other than four decimals; write the address plainly")
    return name, None


def _name(raw: str) -> str | None:
    """A host name as lower-case ASCII without the final dot, or None when it is not one."""
    try:
        name = (raw.lower() if raw.isascii() else raw.encode("idna").decode("ascii")).removesuffix(".")
    except UnicodeError:
        return None
    labels = name.split(".")
    if not name or not set(name) <= HOST_CHARACTERS or not all(labels) or len(name) > 253:
        return None
    return name


def _check_name(host: str) -> None:
    if host in METADATA_HOSTS:
        raise RefusedURL(f"{host} is a cloud metadata host")
    if "." not in host or any(host == s or host.endswith("." + s) for s in LOCAL_SUFFIXES):
        raise RefusedURL(
            f"{host} only means something on the local network; use a full domain name ({ALLOW_HINT})"
        )
